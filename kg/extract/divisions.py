"""Administrative names: split 重庆市江津区四屏镇人民政府 into its levels.

Chinese writes a chain of divisions with no separator, each ending in a level
suffix. A name may itself contain a suffix character (环市街, 市桥镇), so the
chain is parsed by trying every split and keeping the one that covers most
of the string with levels going strictly down.
"""

from __future__ import annotations

from functools import lru_cache

from ..kinds import LEVEL
from ..model import Division
from . import patterns as P

# suffix -> level; longer suffixes first so 自治县 wins over 县
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("特别行政区", "province"),
    ("街道办事处", "subdistrict"),
    ("自治区", "province"),
    ("自治州", "city"),
    ("自治县", "county"),
    ("自治旗", "county"),
    ("民族乡", "township"),
    ("街道", "subdistrict"),
    ("地区", "city"),
    ("省", "province"),
    ("市", "city"),
    ("州", "city"),
    ("盟", "city"),
    ("县", "county"),
    ("旗", "county"),
    ("区", "district"),
    ("镇", "township"),
    ("乡", "township"),
    ("街", "subdistrict"),
)
RANK = {key: level.rank for key, level in LEVEL.items()}
MUNICIPALITIES = frozenset({"北京", "天津", "上海", "重庆"})
# the shortest name (without suffix) each suffix takes: 沛县 and 津市 exist, 一字镇 hardly
MIN_NAME = {"县": 1, "市": 1, "区": 2, "旗": 2}
MAX_NAME = 5  # 伊金霍洛; names of autonomous units (石柱土家族自治县) may run to 9
MAX_NAME_AUTONOMOUS = 9

_SUFFIX_CHARS = frozenset("省市州盟县旗区镇乡街道")


# suffixes by first character, each list in SUFFIXES order (so 自治县 is still tried before 县)
_BY_FIRST: dict[str, tuple[tuple[str, str, bool], ...]] = {}
for _suffix, _lvl in SUFFIXES:
    _BY_FIRST[_suffix[0]] = _BY_FIRST.get(_suffix[0], ()) + ((_suffix, _lvl, _suffix.startswith(("自治", "民族"))),)
del _suffix, _lvl


@lru_cache(maxsize=65536)
def _name_ok(name: str) -> bool:
    """Not a word (乡镇, 依法治) and made only of Chinese characters (cached: the walk asks again and again)."""
    return not P.NOT_A_NAME.search(name) and P.ALL_HAN.fullmatch(name) is not None


@lru_cache(maxsize=65536)
def parse_chain(text: str) -> tuple[Division, ...]:
    """The divisions a run of Chinese characters names, from the top down.

    Covers the longest possible prefix of ``text``; returns () when the text
    does not start with a division name.

    The walk tries every end of a name and every suffix there, in that
    order, and keeps the first parse with the best score; the loops only
    skip what could never pass (a position where no suffix starts, a name
    running past a non-Chinese character), so the result is that of the
    plain exhaustive walk.
    """
    if text.startswith(("中共", "中国共产党")):  # 中共重庆市江津区四屏镇委员会
        text = text[2:] if text.startswith("中共") else text[5:]
    best: tuple[tuple[int, int, int, int], tuple[Division, ...]] = ((0, 0, 0, 0), ())
    n = len(text)
    by_first = _BY_FIRST

    def walk(pos: int, rank: int, acc: tuple[Division, ...], internal: int) -> None:
        nonlocal best
        if acc:
            # a parse must not strand a suffix character (环市|街), then the
            # more levels the better, then names free of suffix characters
            dangling = pos < n and text[pos] in _SUFFIX_CHARS
            score = (0 if dangling else 1, len(acc), -internal, pos)
            if score > best[0]:
                best = (score, acc)
        # a name is all Chinese characters: it cannot run past the first other one
        last = min(n, pos + MAX_NAME_AUTONOMOUS, P.ALL_HAN.match(text, pos).end())
        for end in range(pos + 1, last + 1):
            here = by_first.get(text[end:end + 1])
            if here is None:
                continue
            for suffix, level, long_ok in here:
                if not text.startswith(suffix, end):
                    continue
                if end - pos > MAX_NAME and not long_ok:
                    continue
                name = text[pos:end]
                if suffix == "市":
                    if name in MUNICIPALITIES:
                        level = "province"
                    if acc and acc[-1].level == "city":
                        level = "county"  # a 市 under a 市 is a county-level city
                if len(name) < MIN_NAME.get(suffix, 2) or RANK[level] <= rank:
                    continue
                if not _name_ok(name):
                    continue
                full = name + suffix
                # suffix characters inside the names (the last character of each full name excluded)
                inside = internal + sum(ch in _SUFFIX_CHARS for ch in full[:-1])
                walk(end + len(suffix), RANK[level], acc + (Division(full, level),), inside)

    walk(0, -1, (), 0)
    return best[1]


def normalise_name(division: Division) -> Division:
    """坡子街街道办事处 -> 坡子街街道: the body's name without its office."""
    name = division.name
    if name.endswith("街道办事处"):
        name = name[: -len("办事处")]
    return Division(name, division.level)
