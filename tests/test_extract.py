"""Extraction on real report text: issuer, year, dates, mentions."""

from __future__ import annotations

import pytest

from kg.model import Document


def doc(text: str, name: str = "r.txt") -> Document:
    return Document(source=name, path=name, text=text, sha256="0" * 64)


# (text, issuer name, level, county, province, year, issued)
ISSUERS = [
    ("如东县岔河镇人民政府\n2023年度法治政府工作报告\n\n2023年，岔河镇坚持以党的二十大精神、习近平法治思想为指导，严格落实依法治镇工作要点。",
     "岔河镇", "township", "如东县", None, 2023, None),
    ("您现在的位置: 首页 > 政务公开 > 镇街动态\n\n环市街2022年法治政府建设年度报告\n\n字体:[大] [中] [小]\n\n"
     "  2022年,环市街在区委、区政府的坚强领导下,深入学习贯彻习近平法治思想。",
     "环市街", "subdistrict", None, None, 2022, None),
    ("-\n半坡镇人民政府2023年度法治政府建设工作报告\n-\n日期:2024-03-27\n来源: 半坡镇\n"
     "近年来,半坡镇在县委、县政府的正确领导下,深入学习贯彻习近平法治思想。",
     "半坡镇", "township", None, None, 2023, "2024-03-27"),
    # a salutation first, the name only in the body, the year only in 现将…
    ("县委依法治县办:\n一年来，我乡在县委、县政府的正确领导下，认真落实法治建设各项工作措施。"
     "现将长冈乡2024年度法治政府建设工作情况报告如下:\n一、主要举措",
     "长冈乡", "township", None, None, 2024, None),
    # a traditional-script mirror: names come out simplified
    ("辰溪縣小龍門鄉2023年度法治政府建設工作報告\n2023年，小龍門鄉堅持以習近平法治思想為指導，全面推進依法行政。",
     "小龙门乡", "township", "辰溪县", None, 2023, None),
    ("重庆市江津区四屏镇人民政府\n关于2025年法治政府建设情况的报告\n发布时间：2026-01-19\n"
     "2025年，四屏镇坚持以习近平法治思想为指导。",
     "四屏镇", "township", "江津区", "重庆市", 2025, "2026-01-19"),
    # the page's date is the next year, and an old heading remains: the report's own words win
    ("发布日期：2025-01-10\n青山镇2024年度法治政府建设情况报告\n2024年，青山镇坚持依法行政。"
     "对照《2023年全县法治政府建设工作要点》查漏补缺。",
     "青山镇", "township", None, None, 2024, "2025-01-10"),
    # the site's name heads the page; the report is a town's, led by the district
    ("咸宁区人民政府\n热门搜索:\n\n     2022年,白沙镇在区委、区政府的正确领导下,贯彻落实党的二十大精神。",
     "白沙镇", "township", "咸宁区", None, 2022, None),
    ("长沙市天心区坡子街街道办事处2022年法治政府建设年度报告\n发布时间 : 2023-01-29 来源:天心区坡子街街道\n"
     "2022年，坡子街街道深入贯彻习近平新时代中国特色社会主义思想。",
     "坡子街街道", "subdistrict", "天心区", None, 2022, "2023-01-29"),
    # a zone run together with a sub-district, which it names in brackets: the district is not the body
    ("2023年以来，经济技术开发区（城东街道）坚持以习近平法治思想为指导，全区法治政府建设稳步推进。现报告如下：",
     "城东街道", "subdistrict", None, None, 2023, None),
    ("高新区(龙泉镇)2024年度法治政府建设工作报告\n2024年，高新区坚持依法行政，全区各项工作有序开展。",
     "龙泉镇", "township", None, None, 2024, None),
]


@pytest.mark.parametrize("text,name,level,county,province,year,issued", ISSUERS)
def test_issuer_and_year(extractor, text, name, level, county, province, year, issued):
    ex = extractor.extract(doc(text))
    assert ex.body.division is not None
    assert (ex.body.division.name, ex.body.division.level) == (name, level)
    assert (ex.body.county.name if ex.body.county else None) == county
    assert (ex.body.province.name if ex.body.province else None) == province
    assert ex.year == year
    assert ex.issued == issued


def test_no_issuer_when_nothing_names_one(extractor):
    ex = extractor.extract(doc("一、工作开展情况\n坚持依法行政，严格规范公正文明执法。"))
    assert ex.body.division is None
    assert ex.year is None


# (sentence, expected (kind, label) pairs that must be found, pairs that must not)
MENTIONS = [
    ("三是出台《岔河镇全面依法治镇委员会领导体制和工作机制实施方案》（岔依治委【2023】02号）。",
     {("law", "岔河镇全面依法治镇委员会领导体制和工作机制实施方案")}, set()),
    ("重点学习《中华人民共和国行政复议法》等法律法规。", {("law", "行政复议法")}, set()),
    ("以《法治政府建设实施纲要(2021—2025年)》为总体目标。", {("programme", "法治政府建设实施纲要（2021—2025年）")}, set()),
    ("创新推出“老杨说法”调解工作室，就地化解矛盾纠纷。", {("mechanism", "老杨说法")}, set()),
    ("建立“法治夜校”制度，每月组织村干部学法。", {("mechanism", "法治夜校")}, set()),
    ("组织开展“送法下乡”活动12场。", {("programme", "送法下乡")}, set()),
    ("聚焦“走在前、勇争先、善作为”目标要求，以法治建设的“厚度”涵养政务服务的“温度”。", set(),
     {"走在前、勇争先、善作为", "厚度", "温度"}),
    ("成立推进依法治乡工作领导小组，由乡党委书记担任组长。", {("institution", "依法治乡工作领导小组")}, set()),
    ("严格落实领导干部学法制度，全年集体学法12次。", {("mechanism", "领导干部学法制度")}, set()),
    ("做好“八五”普法中期评估。", {("programme", "八五普法")}, set()),
    ("深入学习贯彻习近平法治思想，增强“四个意识”。", set(), {"习近平法治思想", "四个意识"}),
]


@pytest.mark.parametrize("sentence,want,unwanted", MENTIONS)
def test_mentions(extractor, sentence, want, unwanted):
    ex = extractor.extract(doc(sentence))
    got = {(m.kind, m.label) for m in ex.mentions}
    assert want <= got, got
    assert not {label for _, label in got} & unwanted
    for m in ex.mentions:
        assert sentence[m.start:m.end] == m.surface
        assert m.surface in m.sentence


def test_own_name_is_dropped_from_institutions(extractor):
    text = "半坡镇人民政府2023年度法治政府建设工作报告\n截止目前，半坡镇执法队共办理案件12起。"
    ex = extractor.extract(doc(text))
    team = [m for m in ex.mentions if m.kind == "institution" and "执法队" in m.surface]
    assert team and all("半坡镇" not in m.label for m in team), ex.mentions


def test_spaces_inside_words_and_full_width_forms(extractor):
    """A PDF's stray spaces and full-width brackets change the surface form only."""
    text = "以《法治政府建设实施纲要（2021—2025 年）》为目标，调整法治政府建设领导 小组。"
    ex = extractor.extract(doc(text))
    got = {(m.kind, m.label) for m in ex.mentions}
    assert ("programme", "法治政府建设实施纲要（2021—2025年）") in got
    assert any(m.surface == "法治政府建设领导 小组" for m in ex.mentions), ex.mentions
    for m in ex.mentions:
        assert text[m.start:m.end] == m.surface


def test_sample_reports_offsets(sample_build):
    """Every mention's offsets index the text kept in texts/, and the text is the file's."""
    result, out = sample_build
    assert result.reports == 5
    cache_ok = 0
    for record in result.records:
        key = record.report.rsplit("/", 1)[-1]
        text = (out / "texts" / f"{key}.txt").read_text(encoding="utf-8")
        assert text == open(record.path, encoding="utf-8-sig").read().replace("\r\n", "\n")
        cache_ok += 1
    assert cache_ok == 5


# names written bare that only their tail marks: rules, reforms, drives, stations, task forces
BARE_NAMES = [
    ("严格落实首问负责制和限时办结制。", {("mechanism", "首问负责制"), ("mechanism", "限时办结制")}),
    ("全面推行路长制。", {("mechanism", "路长制")}),
    ("探索党建+法治+网格治理模式。", {("mechanism", "党建+法治+网格治理")}),
    ("建立法治建设联席会议制度。", {("mechanism", "法治建设联席会议制度")}),
    ("深化工程建设项目审批制度改革。", {("programme", "工程建设项目审批制度改革")}),
    ("推进省级法治政府建设示范区创建。", {("programme", "省级法治政府建设示范区创建")}),
    ("成立信访工作专班和行政复议受理中心。", {("institution", "信访工作专班"), ("institution", "行政复议受理中心")}),
    ("印发《控江路街道法治宣传教育第八个五年规划》。", {("programme", "控江路街道法治宣传教育第八个五年规划")}),
]
# what looks like a name and is only common words, or a list of kinds
NOT_NAMES = [
    "完善常态化学习机制和依法行政制度，健全现行规章制度。",
    "调整充实了工作领导小组。",
    "采取实地+书面方式开展检查。",
    "落实领导负责制。",
]


@pytest.mark.parametrize("sentence,expected", BARE_NAMES)
def test_bare_names_by_their_tails(extractor, sentence, expected):
    got = {(m.kind, m.label) for m in extractor.extract(Document("x.txt", "x.txt", sentence, "0" * 64)).mentions}
    assert expected <= got, got


@pytest.mark.parametrize("sentence", NOT_NAMES)
def test_common_words_make_no_name(extractor, sentence):
    got = [(m.kind, m.label) for m in extractor.extract(Document("x.txt", "x.txt", sentence, "0" * 64)).mentions
           if m.source == "pattern"]
    assert got == []


def test_suffix_words_are_found_as_a_regex_alternation_finds_them():
    import random
    import re

    from kg.extract import patterns as P

    rng = random.Random(7)
    for words in (P.INSTITUTION_SUFFIX, P.MECHANISM_SUFFIX, P.PROGRAMME_SUFFIX):
        stops = words._not_before
        regex = re.compile("|".join(re.escape(w) + (f"(?!{re.escape(stops[w])})" if w in stops else "")
                                    for w in sorted(words.words, key=len, reverse=True)))
        alphabet = "".join(sorted(set("".join(words.words)))) + "伍，"
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(2000)]
        texts += ["".join(rng.choice(words.words) + rng.choice(("", "伍", "之")) for _ in range(4)) for _ in range(500)]
        for text in texts:
            assert list(words.finditer(text)) == [(m.start(), m.end(), m.group(0)) for m in regex.finditer(text)], text


def test_joined_names_are_found_as_the_pattern_finds_them():
    import random

    from kg.extract import patterns as P
    from kg.extract.mentions import _joined_matches

    rng = random.Random(3)
    alphabet = "法治网格党建监管互联服务模式机制体系治理+++，a1"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(5000)]
    texts.append("推行“党建+法治+网格治理模式”，探索互联网+监管，实地+书面。")
    for text in texts:
        assert [m.span() for m in _joined_matches(text)] == [m.span() for m in P.JOINED.finditer(text)], text


def test_what_a_report_says_about_itself_comes_back_from_its_cache_entry(extractor, tmp_path):
    """A vocabulary edit finds a report's mentions again and nothing else: the title, body,
    dates and the body's names it keeps in the cache give the extraction a fresh run gives."""
    from kg import readers
    from kg.build.cache import Cache
    from kg.model import Placement

    from conftest import SAMPLES

    cache = Cache(tmp_path, "f")
    for path in sorted(SAMPLES.glob("*.txt")):
        d = readers.read(path)
        ex = extractor.extract(d)
        assert ex.body.division and ex.names and ex.year
        entry = cache.put(d.sha256, "k", d.encoding, Placement(), [], [], 0, ("",) * 5, ex)
        about = cache.get(d.sha256, "k").extraction_about(d)
        assert (about.title, about.body, about.year, about.issued, about.names, about.mentions) == \
            (ex.title, ex.body, ex.year, ex.issued, ex.names, ())
        assert extractor.extract(d, about) == ex
        assert entry.about == cache.get(d.sha256, "k").about
