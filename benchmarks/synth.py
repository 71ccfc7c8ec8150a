#!/usr/bin/env python3
"""Generate a realistic synthetic corpus of rule-of-law reports for scale benchmarks.

Usage:
    python benchmarks/synth.py N OUTDIR [--seed 1] [--source examples/reports] [--shard 1000] [--check]
    python benchmarks/synth.py --check OUTDIR

Every report is rebuilt from the bundled real reports: the source's own
township, county, province, city, officials and years are turned into
placeholders once, then each synthetic report gets a new township and county
(built from syllable lists), a year between 2019 and 2025, a rewritten
title/header in one of the layouts real reports use, and body sections drawn
from all sources (reshuffled, keeping each heading with a few of its
paragraphs, renumbered) until a target size drawn from 3-15 KB (mean ~9 KB).

Output: OUTDIR/<shard>/<NNNNNNN>.txt (at most --shard files per folder) and
OUTDIR/manifest.tsv (path, township, county, year, bytes, city, province).
The same seed gives byte-identical output. --check re-reads a folder and
prints the count and the total size.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "examples" / "reports"

YEARS = (2019, 2025)
MIN_BYTES = 3000
MAX_BYTES = 15000
SIZE_MODE = 9000
MAX_WORK_SECTIONS = 6
MANIFEST_HEADER = ("path", "township", "county", "year", "bytes", "city", "province")

# ---------------------------------------------------------------------------
# Placeholders (private-use characters, replaced with str.replace per report)
# ---------------------------------------------------------------------------
T, S, S0, U, PARTY, GOV, HEAD, C, CU, CITY, P, PS, N1, N2, ORG = (chr(0xE000 + i) for i in range(15))
YEAR_BASE = 0xE020  # chr(YEAR_BASE + 8 + k) stands for report year + k
YEAR_OFFSETS = range(-8, 8)
TOKENS = (T, S, S0, U, PARTY, GOV, HEAD, C, CU, CITY, P, PS, N1, N2, ORG)


def _ytok(k: int) -> str:
    return chr(YEAR_BASE + 8 + max(-8, min(7, k)))


# The five bundled reports: issuer -> (year, extra source-specific strings).
# Longest strings first; issuer and its stem are handled generically.
KNOWN = {
    "半坡镇": (2023, (("河南省", P), ("半坡村", S + "村"))),
    "长冈乡": (2024, (("江西省", P), ("江西", PS), ("赣州市", CITY), ("长冈村", S + "村"),
                     ("黄鹏", N1), ("王方萌", N2))),
    "黄水镇": (2020, (("石柱土家族自治县", C), ("重庆市", P), ("重庆", PS))),
    "环市街": (2022, (("蓬江区", C), ("广东省", P))),
    "岔河镇": (2023, (("如东县", C), ("岔依治委", S0 + "依治委"))),
}

# Unit character of the source issuer -> regex for its standalone uses.
UNIT_RE = {
    "镇": re.compile(r"(?<!乡)镇(?!街)"),
    "乡": re.compile(r"(?<![县城])乡(?![村镇])"),
    "街": re.compile(r"(?<!镇)街(?![巷头区道])"),
}
COUNTY_RES = (
    (re.compile(r"(?<![社辖小园城自省市])[县区](?=委|政府|直|级)"), CU),
    (re.compile(r"依法治[县区]"), "依法治" + CU),
    (re.compile(r"全[县区](?!域)"), "全" + CU),
)
YEAR_RE = re.compile(r"(?<![\d—～~])(20[12]\d)(?=年|-|】|〕|\])")
HEADING_RE = re.compile(r"^([一二三四五六七八九十]+)、(.*)$")
SUB_RE = re.compile(r"^([（(])([一二三四五六七八九十]+)([)）])(.*)$")
NUM_RE = re.compile(r"^(\d+)([.．、])(.*)$")
SHI_RE = re.compile(r"^([一二三四五六七八九十]+)是(.*)$")
SIGNATURE_RE = re.compile(r"^(?:.{2,25}(?:人民政府|办事处|委员会)|\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d\d-\d\d)$")
ISSUER_RE = re.compile(r"([\u4e00-\u9fff]{2,3}?)(镇|乡|街道|街)(?=人民政府|办事处|\d{4}|关于|法治|坚持|在)")

NUMERALS = "一二三四五六七八九十"


def cn_num(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + (NUMERALS[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return NUMERALS[tens - 1] + "十" + (NUMERALS[ones - 1] if ones else "")


# ---------------------------------------------------------------------------
# Name material (characters of the five source issuers are left out so that a
# generated name can never spell one of them)
# ---------------------------------------------------------------------------
_FORBIDDEN = set("半坡长冈黄水环市岔河街")
_FIRST = [c for c in (
    "东西南北中新安平和兴福宁康泰丰华清青白石龙凤山川桥湖林桃李杨柳花金银玉宝永"
    "昌盛隆太上下大小双三五七九古广临高云红碧翠松柏梅竹兰荷莲桂枫槐榆桑枣杏梨"
    "望胜利建德仁义礼信孝忠明光辉阳春秋夏冬晨月星天地乾坤万千百马牛羊鹿鹤燕"
) if c not in _FORBIDDEN]
_MIDDLE = [c for c in (
    "家王李张刘陈杨赵周吴徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘"
    "袁蔡蒋余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范廖石贾"
) if c not in _FORBIDDEN]
_LAST = [c for c in (
    "桥集口店庄坪坝湾岭塘屯寨溪洲沟营铺埠堡峪滩渡关城台山峰岗林田源泉港浦"
    "园亭营塔堰垭场坊圩墩岩洞岸井沱"
) if c not in _FORBIDDEN]
_BAD_ENDINGS = {"小区", "山区", "城区", "地区", "园区", "城市", "上市", "集市", "牛市", "马市", "花市", "下市", "大市"}
_ETHNIC = ("土家族", "苗族", "彝族", "瑶族", "回族", "满族", "畲族", "布依族", "侗族", "哈尼族", "仡佬族", "羌族")
_PROVINCES = ("河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省",
              "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
              "云南省", "陕西省", "甘肃省", "青海省")
_SURNAMES = "王李张刘陈杨赵周吴徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程苏魏"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌宇浩凯鹏辉志红亮"


# ---------------------------------------------------------------------------
# Source parsing
# ---------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # "sub", "num", "shi" or "" (how the first line is numbered)
    open: str
    close: str
    first: str  # first line without its marker
    rest: tuple[str, ...]
    est: int  # estimated UTF-8 bytes once rendered


@dataclass
class Section:
    title: str  # heading text without its "一、"
    blocks: list[Block]
    lead: tuple[str, ...] = ()  # lines before the first numbered block
    cat: str = "work"  # work, problem, plan, both
    head_est: int = 0  # estimated bytes of the heading and lead lines

    def __post_init__(self) -> None:
        self.head_est = _est(self.title) + sum(_est(x) for x in self.lead)


@dataclass
class Pool:
    intros: list[tuple[str, bool]] = field(default_factory=list)  # (text, names town and year early)
    work: list[Section] = field(default_factory=list)
    problem: list[Section] = field(default_factory=list)
    plan: list[Section] = field(default_factory=list)
    both: list[Section] = field(default_factory=list)
    closings: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=4096)
def _est(s: str) -> int:
    return len(s.encode("utf-8")) + 10 * sum(s.count(t) for t in TOKENS) + 3


def _detect(text: str) -> tuple[str, int, tuple] | None:
    for name, (year, extra) in KNOWN.items():
        if name in text[:600]:
            return name, year, extra
    head = text[:600]
    names: dict[str, int] = {}
    for m in ISSUER_RE.finditer(head):
        name = m.group(1) + m.group(2)
        if m.group(1)[0] not in "我全本各该":
            names[name] = names.get(name, 0) + text.count(name)
    y = re.search(r"(20[12]\d)年", head)
    if not names or not y:
        return None
    return max(names, key=names.get), int(y.group(1)), ()


def _template(text: str, issuer: str, year: int, extra: tuple) -> str:
    for old, new in extra:
        text = text.replace(old, new)
    stem, unit = (issuer[:-2], "街") if issuer.endswith("街道") else (issuer[:-1], issuer[-1])
    text = text.replace(issuer, T)
    if len(stem) >= 2:
        text = text.replace(stem, S)
    text = UNIT_RE[unit].sub(U, text)
    text = re.sub(U + "党工?委", PARTY, text)
    text = re.sub(U + "(?:人民)?政府", GOV, text)
    text = text.replace(U + "长", HEAD)
    for rx, rep in COUNTY_RES:
        text = rx.sub(rep, text)
    return YEAR_RE.sub(lambda m: _ytok(int(m.group(1)) - year), text)


def _block(lines: list[str]) -> Block:
    first, rest = lines[0], tuple(lines[1:])
    est = sum(_est(x) for x in lines)
    if m := SUB_RE.match(first):
        return Block("sub", m.group(1), m.group(3), m.group(4), rest, est)
    if m := NUM_RE.match(first):
        return Block("num", "", m.group(2), m.group(3), rest, est)
    if m := SHI_RE.match(first):
        return Block("shi", "", "是", m.group(2), rest, est)
    return Block("", "", "", first, rest, est)


def _section(title: str, body: list[str]) -> Section:
    if any(SUB_RE.match(x) for x in body):
        splitter = SUB_RE
    elif any(NUM_RE.match(x) for x in body):
        splitter = NUM_RE
    else:
        splitter = None
    lead: list[str] = []
    groups: list[list[str]] = []
    for line in body:
        if splitter is None or splitter.match(line):
            groups.append([line])
        elif groups:
            groups[-1].append(line)
        else:
            lead.append(line)
    problem = bool(re.search("问题|不足|短板", title))
    plan = bool(re.search("打算|计划|安排|思路|下一?步|下一?年", title))
    cat = "both" if problem and plan else "problem" if problem else "plan" if plan else "work"
    return Section(title, [_block(g) for g in groups], tuple(lead), cat)


def load_pool(source: Path) -> Pool:
    pool = Pool()
    files = sorted(source.glob("*.txt"))
    for path in files:
        raw = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
        raw = raw.replace("[bookmark: _GoBack]", "")
        raw = re.sub(r"\n\s*相关附件[:：].*\Z", "", raw, flags=re.DOTALL)
        found = _detect(raw)
        if found is None:
            print(f"synth: skipped {path.name} (no township/year found)", file=sys.stderr)
            continue
        text = _template(raw, *found)
        lines = [x.strip().replace("\u3000", "") for x in text.split("\n")]
        lines = [x for x in lines if x]
        while lines and len(lines[-1]) < 40 and SIGNATURE_RE.match(lines[-1].replace(T, "某镇").replace(GOV, "镇政府")):
            lines.pop()
        starts = [i for i, x in enumerate(lines) if HEADING_RE.match(x)]
        if not starts:
            continue
        pre = lines[:starts[0]]
        intro = [x for x in pre if len(x) >= 50]
        if intro:
            early = intro[0][:160]
            pool.intros.append(("\n".join(intro), T in early and _ytok(0) in early))
        sections: list[Section] = []
        for a, b in zip(starts, starts[1:] + [len(lines)]):
            title = HEADING_RE.match(lines[a]).group(2)
            body = lines[a + 1:b]
            sections.append(_section(title, body))
        # unnumbered trailing paragraphs of the last section are a closing remark
        last = sections[-1]
        while last.blocks and not last.blocks[-1].kind and len(last.blocks) > 1 and last.blocks[-2].kind:
            b = last.blocks.pop()
            pool.closings.append("\n".join((b.first,) + b.rest))
        for sec in sections:
            if sec.blocks or sec.lead:
                getattr(pool, sec.cat).append(sec)
    if not pool.work or not pool.intros:
        raise ValueError(f"no usable reports under {source}")
    pool.closings += [
        (f"{_ytok(1)}年，{T}将继续深入学习贯彻习近平法治思想，坚持依法行政、依法决策，"
         f"持续提升基层法治建设水平，为全{U}经济社会高质量发展提供坚实法治保障。"),
        (f"下一步，{T}将在{CU}委、{CU}政府的坚强领导下，认真落实法治政府建设各项任务，"
         f"以更高标准、更实举措推动法治政府建设迈上新台阶。"),
        (f"总之，{T}将以习近平法治思想为指导，紧紧围绕全{CU}中心工作，不断提高依法行政能力和水平，"
         f"努力建设职能科学、权责法定、执法严明、公开公正、智能高效、廉洁诚信、人民满意的法治政府。"),
    ]
    return pool


# ---------------------------------------------------------------------------
# Per-report generation
# ---------------------------------------------------------------------------
class Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _stem(self, three: bool) -> str:
        r = self.rng
        if three:
            mid = r.choice(_MIDDLE) if r.random() < 0.5 else r.choice(_FIRST)
            return r.choice(_FIRST) + mid + r.choice(_LAST)
        return r.choice(_FIRST) + r.choice(_LAST)

    def township(self) -> str:
        r = self.rng
        x = r.random()
        suffix = "镇" if x < 0.65 else "乡" if x < 0.82 else "街道"
        three = r.random() < 0.35
        for attempt in range(200):
            name = self._stem(three or attempt >= 3) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("township names exhausted")

    def county(self) -> str:
        r = self.rng
        while True:
            stem = r.choice(_FIRST) + r.choice(_FIRST + _LAST)
            x = r.random()
            if x < 0.05:
                return stem + r.choice(_ETHNIC) + "自治县"
            name = stem + ("县" if x < 0.62 else "区" if x < 0.88 else "市")
            if name[-2:] not in _BAD_ENDINGS:
                return name

    def city(self) -> str:
        r = self.rng
        return r.choice(_FIRST) + r.choice(_LAST + _FIRST) + "市"

    def person(self) -> str:
        r = self.rng
        return r.choice(_SURNAMES) + "".join(r.choice(_GIVEN) for _ in range(r.choice((1, 2, 2))))


def _pick(rng: random.Random, blocks: list[Block], keep: float) -> list[Block]:
    chosen = [b for b in blocks if rng.random() < keep]
    return chosen or ([rng.choice(blocks)] if blocks else [])


def _numbered(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    n = 0
    for b in blocks:
        if b.kind:
            n += 1
            mark = str(n) if b.kind == "num" else cn_num(n)
            out.append(b.open + mark + b.close + b.first)
        else:
            out.append(b.first)
        out.extend(b.rest)
    return out


def _sec_est(sec: Section, blocks: list[Block]) -> int:
    return sec.head_est + sum(b.est for b in blocks)


@dataclass
class Report:
    township: str
    county: str
    city: str
    province: str
    year: int
    text: str


class Generator:
    def __init__(self, pool: Pool, seed: int):
        self.pool = pool
        self.rng = random.Random(seed)
        self.names = Names(self.rng)

    # -- body ---------------------------------------------------------------
    def _tail(self, budget: int) -> list[tuple[Section, list[Block]]]:
        r, pool = self.rng, self.pool
        if pool.both and (r.random() < 0.3 or not (pool.problem and pool.plan)):
            sec = r.choice(pool.both)
            tail = [(sec, list(sec.blocks))]
        else:
            tail = []
            for secs in (pool.problem, pool.plan):
                if secs:
                    sec = r.choice(secs)
                    tail.append((sec, _pick(r, sec.blocks, 0.8)))
        # trim the tail of a small report
        while sum(_sec_est(s, b) for s, b in tail) > budget:
            sec, blocks = max(tail, key=lambda t: len(t[1]))
            if len(blocks) <= 1:
                break
            blocks.pop(r.randrange(1, len(blocks)))
        return tail

    def _work(self, budget: int) -> list[tuple[Section, list[Block]]]:
        r = self.rng
        order = list(self.pool.work)
        r.shuffle(order)
        chosen: list[tuple[Section, list[Block]]] = []
        left = budget
        for sec in order:
            if len(chosen) >= MAX_WORK_SECTIONS or left < 400:
                break
            head = _sec_est(sec, [])
            if head >= left:
                continue
            room = left - head
            picked: list[Block] = []
            for b in sec.blocks:
                if b.est <= room and r.random() < 0.75:
                    picked.append(b)
                    room -= b.est
            if not picked and sec.blocks:
                small = min(sec.blocks, key=lambda b: b.est)
                if small.est <= room:
                    picked.append(small)
                    room -= small.est
            if picked or (sec.lead and not sec.blocks):
                chosen.append((sec, picked))
                left = room
        if not chosen:  # tiny budget: the smallest single paragraph
            sec = min(order, key=lambda s: min((b.est for b in s.blocks), default=10**9))
            chosen.append((sec, [min(sec.blocks, key=lambda b: b.est)]))
        # fill a remaining gap with blocks skipped above, in their sections
        if left > 1500:
            for sec, picked in chosen:
                for b in sec.blocks:
                    if all(b is not x for x in picked) and b.est <= left - 200:
                        picked.append(b)
                        left -= b.est
                pos = {id(b): i for i, b in enumerate(sec.blocks)}
                picked.sort(key=lambda b: pos[id(b)])
        return chosen

    # -- header -------------------------------------------------------------
    def _header(self, t: str, org: str, c: str, cu: str, city: str, prov: str, y: int) -> tuple[list[str], bool]:
        """Title lines, and whether the intro must name the town and year early."""
        r = self.rng
        date = f"{y + 1}-{r.randint(1, 3):02d}-{r.randint(1, 28):02d}"
        k = r.randrange(10)
        if k == 0:
            return [c + org, f"{y}年度法治政府工作报告"], False
        if k == 1:
            return [f"{t}{y}年法治政府建设年度报告"], False
        if k == 2:
            return [f"关于{t}{y}年度法治政府建设情况的报告"], False
        if k == 3:
            return ["您现在的位置: 首页 > 政务公开 > 镇街动态", f"{t}{y}年法治政府建设年度报告",
                    f"发布时间：{date}  来源：{t}", "字体:[大] [中] [小]"], False
        if k == 4:
            return ["-", f"{org}{y}年度法治政府建设工作报告", "-", f"日期:{date}", f"来源: {t}"], False
        if k == 5:
            return [f"{cu}委依法治{cu}办："], True
        if k == 6:
            return [f"{t}{y}年度法治政府建设工作开展", "情况报告"], False
        if k == 7:
            return [f"{prov}{city}{c}{t}{y}年度法治政府建设情况报告"], False
        if k == 8:
            return [f"{city}{c}{t}关于{y}年度法治政府建设工作情况的报告"], False
        return [f"{t}{y}年度法治政府建设工作报告", f"（{t}　{date}）"], False

    def report(self) -> Report:
        r, pool, nm = self.rng, self.pool, self.names
        town = nm.township()
        county, city, prov = nm.county(), nm.city(), r.choice(_PROVINCES)
        year = r.randint(*YEARS)
        street = town.endswith("街道")
        stem = town[:-2] if street else town[:-1]
        unit = "街" if street else town[-1]
        cu = "县" if county.endswith("县") else county[-1]
        org = town + ("办事处" if street else "人民政府")
        values = {
            T: town, S: stem, S0: stem[0], U: unit, C: county, CU: cu, CITY: city, P: prov, PS: prov[:-1],
            PARTY: "街道党工委" if street else unit + "党委",
            GOV: "街道办事处" if street else unit + "政府",
            HEAD: "街道办事处主任" if street else unit + "长",
            N1: nm.person(), N2: nm.person(), ORG: org,
        }
        target = int(r.triangular(MIN_BYTES + 300, MAX_BYTES - 600, SIZE_MODE + 600))

        title, need_intro_name = self._header(town, org, county, cu, city, prov, year)
        intros = [i for i in pool.intros if i[1]] if need_intro_name else pool.intros
        intro = r.choice(intros or pool.intros)[0]
        closing = r.choice(pool.closings) if r.random() < 0.45 else ""
        sign = [ORG, f"{year + 1}年{r.randint(1, 3)}月{r.randint(1, 28)}日"] if r.random() < 0.6 else []

        fixed = 3 * sum(len(x) for x in title) + _est(intro) + _est(closing) + 60
        tail = self._tail(max(600, int(target * 0.4) - fixed))
        fixed += sum(_sec_est(s, b) for s, b in tail)
        work = self._work(target - fixed)

        lines: list[str] = [intro]
        for n, (sec, blocks) in enumerate(work + tail, 1):
            lines.append(cn_num(n) + "、" + sec.title)
            lines.extend(sec.lead)
            lines.extend(_numbered(blocks))
        if closing:
            lines.append(closing)
        lines.extend(sign)

        style = r.random()
        if style < 0.45:
            sep, ind = "\n", ""
        elif style < 0.65:
            sep, ind = "\n\n", "  "
        elif style < 0.85:
            sep, ind = "\n\n", ""
        else:
            sep, ind = "\n", "\u3000\u3000"
        head = sep.join(title) + sep + ("\n" if r.random() < 0.5 else "")
        body = sep.join(ind + x for x in "\n".join(lines).split("\n"))
        for tok, val in values.items():
            body = body.replace(tok, val)
        for k in YEAR_OFFSETS:
            body = body.replace(_ytok(k), str(year + k))
        text = head + body + "\n"
        if town not in text[:200]:  # e.g. a salutation before an intro that does not name the town
            text = f"{town}{year}年度法治政府建设情况报告{sep}" + text
        return Report(town, county, city, prov, year, text)


def _fit(gen: Generator) -> tuple[Report, bytes]:
    for _ in range(20):
        rep = gen.report()
        data = rep.text.encode("utf-8")
        if MIN_BYTES <= len(data) <= MAX_BYTES:
            return rep, data
        gen.names.used.discard(rep.township)
    raise RuntimeError("could not fit a report in the size range")


def generate(n: int, out_dir: Path, *, seed: int = 1, source: Path = DEFAULT_SOURCE, shard: int = 1000) -> list[Path]:
    """Write n synthetic reports under out_dir (sharded) plus manifest.tsv; return the report paths."""
    if n < 0 or shard < 1:
        raise ValueError("n must be >= 0 and shard >= 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Generator(load_pool(Path(source)), seed)
    width = max(4, len(str(max(n - 1, 0) // shard)))
    paths: list[Path] = []
    rows = ["\t".join(MANIFEST_HEADER)]
    folder = out_dir
    for i in range(n):
        if i % shard == 0:
            folder = out_dir / f"{i // shard:0{width}d}"
            folder.mkdir(exist_ok=True)
        rep, data = _fit(gen)
        path = folder / f"{i + 1:07d}.txt"
        with open(path, "wb") as fh:
            fh.write(data)
        paths.append(path)
        rows.append(f"{folder.name}/{path.name}\t{rep.township}\t{rep.county}\t{rep.year}\t{len(data)}"
                     f"\t{rep.city}\t{rep.province}")
    with open(out_dir / "manifest.tsv", "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(rows) + "\n")
    return paths


def check(out_dir: Path) -> tuple[int, int]:
    """Re-read a generated folder: (number of reports, total bytes). Raises on a bad file or manifest."""
    out_dir = Path(out_dir)
    files = sorted(p for p in out_dir.glob("*/*.txt"))
    total = 0
    for p in files:
        data = p.read_bytes()
        data.decode("utf-8")
        total += len(data)
    manifest = out_dir / "manifest.tsv"
    if manifest.is_file():
        rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
        if len(rows) != len(files):
            raise ValueError(f"manifest lists {len(rows)} reports, folder has {len(files)}")
    return len(files), total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("args", nargs="+", metavar="N OUTDIR", help="number of reports and output folder (OUTDIR alone with --check)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of real reports (*.txt)")
    ap.add_argument("--shard", type=int, default=1000, help="files per subfolder")
    ap.add_argument("--check", action="store_true", help="re-read the folder and print count and size")
    a = ap.parse_args(argv)
    if len(a.args) == 1 and a.check:
        out = Path(a.args[0])
    elif len(a.args) == 2 and a.args[0].isdigit():
        n, out = int(a.args[0]), Path(a.args[1])
        t = time.perf_counter()
        paths = generate(n, out, seed=a.seed, source=a.source, shard=a.shard)
        dt = time.perf_counter() - t
        size = sum(int(x.split("\t")[4]) for x in (out / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:])
        print(f"wrote {len(paths)} reports ({size / 1e6:.1f} MB) to {out} in {dt:.2f} s "
              f"({len(paths) / max(dt, 1e-9):.0f} reports/s, {size / 1e6 / max(dt, 1e-9):.1f} MB/s)")
    else:
        ap.error("expected N OUTDIR, or OUTDIR with --check")
    if a.check:
        t = time.perf_counter()
        count, total = check(out)
        print(f"check: {count} reports, {total / 1e6:.1f} MB ({total / 2**20:.1f} MiB) in {out} "
              f"[{time.perf_counter() - t:.2f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
