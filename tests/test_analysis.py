"""kg spread, similar, compare and together on a corpus small enough to count by hand.

Three towns, three years (2021-2023). 三所联动 first appears at 长冈乡 in 2022
and at 黄水镇 in 2023; 岔河镇 never names it and skips 2022. The toolkits
(mechanisms and programmes):

    岔河镇  枫桥经验 网格法律诊所 八五普法            (and the role 法律明白人)
    长冈乡  枫桥经验 三所联动 八五普法
    黄水镇  枫桥经验 网格法律诊所 三所联动 合法性审查
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.analysis import bodies, spread, together
from kg.analysis.bodies import Place, Reporting
from kg.build import build
from kg.cli import main
from kg.query import GraphStore

REPORTS = {
    "chahe2021.txt": """如东县岔河镇人民政府2021年度法治政府建设工作报告
2021年，岔河镇建立“网格法律诊所”，开展法律咨询服务。
岔河镇坚持和发展新时代“枫桥经验”，化解矛盾纠纷。
岔河镇培育“法律明白人”队伍。""",
    "chahe2023.txt": """如东县岔河镇人民政府2023年度法治政府建设工作报告
2023年，岔河镇深化“网格法律诊所”建设，开展法律咨询服务。
岔河镇坚持和发展新时代“枫桥经验”，化解矛盾纠纷。
岔河镇深入开展“八五”普法，提升群众法治意识。""",
    "changgang2021.txt": """兴国县长冈乡人民政府2021年度法治政府建设工作报告
2021年，长冈乡坚持和发展新时代“枫桥经验”，化解矛盾纠纷。""",
    "changgang2022.txt": """兴国县长冈乡人民政府2022年度法治政府建设工作报告
2022年，长冈乡推行“三所联动”调解机制，化解矛盾纠纷。
长冈乡坚持和发展新时代“枫桥经验”。""",
    "changgang2023.txt": """兴国县长冈乡人民政府2023年度法治政府建设工作报告
2023年，长冈乡深化“三所联动”调解机制，化解矛盾纠纷。
长冈乡深入开展“八五”普法，提升群众法治意识。""",
    "huangshui2021.txt": """石柱土家族自治县黄水镇人民政府2021年度法治政府建设工作报告
2021年，黄水镇建立“网格法律诊所”，开展法律咨询服务。""",
    "huangshui2022.txt": """石柱土家族自治县黄水镇人民政府2022年度法治政府建设工作报告
2022年，黄水镇坚持和发展新时代“枫桥经验”，化解矛盾纠纷。
黄水镇落实合法性审查，规范行政行为。""",
    "huangshui2023.txt": """石柱土家族自治县黄水镇人民政府2023年度法治政府建设工作报告
2023年，黄水镇推行“三所联动”调解机制，化解矛盾纠纷。""",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("spread")
    (root / "in").mkdir()
    for name, text in REPORTS.items():
        (root / "in" / name).write_text(text + "\n", encoding="utf-8")
    result = build([root / "in"], root / "out")
    assert not result.failed
    return str(root / "out")


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def kg(runner: CliRunner, built: str, *args: str):
    return runner.invoke(main, [*args, "--graph", built])


def table(text: str) -> list[list[str]]:
    """A printed table's rows as cells (header and rule left out)."""
    return [line.split() for line in text.strip().splitlines()[2:]]


# ---------------------------------------------------------------- kg spread

def test_spread_counts_new_cumulative_reporting_and_share(runner, built):
    out = kg(runner, built, "spread", "三所联动")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].split() == ["year", "new", "cumulative", "reporting", "share"]
    # 2022: 岔河镇 skips the year, so 2 bodies report and 1 of them (长冈乡) has adopted
    assert table(out.output) == [
        ["2021", "0", "0", "3", "0.0"],
        ["2022", "1", "1", "2", "0.5"],
        ["2023", "1", "2", "3", "0.667"],
    ]


def test_spread_json_has_numbers_under_the_column_names(runner, built):
    out = kg(runner, built, "spread", "三所联动", "--format", "json")
    assert json.loads(out.output) == [
        {"year": 2021, "new": 0, "cumulative": 0, "reporting": 3, "share": 0.0},
        {"year": 2022, "new": 1, "cumulative": 1, "reporting": 2, "share": 0.5},
        {"year": 2023, "new": 1, "cumulative": 2, "reporting": 3, "share": 0.667},
    ]


def test_spread_by_county_gives_one_series_per_county(runner, built):
    out = kg(runner, built, "spread", "三所联动", "--by", "county", "--format", "csv")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "province,county,year,new,cumulative,reporting,share",
        "江苏省,如东县,2021,0,0,1,0.0",
        "江苏省,如东县,2023,0,0,1,0.0",
        "江西省,兴国县,2021,0,0,1,0.0",
        "江西省,兴国县,2022,1,1,1,1.0",
        "江西省,兴国县,2023,0,1,1,1.0",
        "重庆市,石柱土家族自治县,2021,0,0,1,0.0",
        "重庆市,石柱土家族自治县,2022,0,0,1,0.0",
        "重庆市,石柱土家族自治县,2023,1,1,1,1.0",
    ]


def test_spread_by_province(runner, built):
    out = kg(runner, built, "spread", "三所联动", "--by", "province")
    assert out.output.splitlines()[0].split() == ["province", "year", "new", "cumulative", "reporting", "share"]
    assert [r[:3] for r in table(out.output)] == [
        ["江苏省", "2021", "0"], ["江苏省", "2023", "0"],
        ["江西省", "2021", "0"], ["江西省", "2022", "1"], ["江西省", "2023", "0"],
        ["重庆市", "2021", "0"], ["重庆市", "2022", "0"], ["重庆市", "2023", "1"],
    ]


def test_panel_is_one_row_per_body_and_reported_year(runner, built):
    out = kg(runner, built, "spread", "三所联动", "--panel")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].split() == ["town", "county", "province", "year", "adopted"]
    assert table(out.output) == [
        ["岔河镇", "如东县", "江苏省", "2021", "0"],
        ["岔河镇", "如东县", "江苏省", "2023", "0"],  # no 2022 row: it did not report
        ["长冈乡", "兴国县", "江西省", "2021", "0"],
        ["长冈乡", "兴国县", "江西省", "2022", "1"],
        ["长冈乡", "兴国县", "江西省", "2023", "1"],
        ["黄水镇", "石柱土家族自治县", "重庆市", "2021", "0"],
        ["黄水镇", "石柱土家族自治县", "重庆市", "2022", "0"],
        ["黄水镇", "石柱土家族自治县", "重庆市", "2023", "1"],
    ]


def test_panel_json_field_names_are_exact(runner, built):
    rows = json.loads(kg(runner, built, "spread", "三所联动", "--panel", "--format", "json").output)
    assert len(rows) == 8
    assert all(list(r) == ["town", "county", "province", "year", "adopted"] for r in rows)
    assert rows[3] == {"town": "长冈乡", "county": "兴国县", "province": "江西省", "year": 2022, "adopted": 1}


def test_first_adopters_with_their_evidence(runner, built):
    out = kg(runner, built, "spread", "三所联动", "--first", "5", "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == [
        {"year": 2022, "town": "长冈乡", "county": "兴国县", "province": "江西省", "report": "changgang2022.txt",
         "sentence": "2022年，长冈乡推行“三所联动”调解机制，化解矛盾纠纷。"},
        {"year": 2023, "town": "黄水镇", "county": "石柱土家族自治县", "province": "重庆市",
         "report": "huangshui2023.txt", "sentence": "2023年，黄水镇推行“三所联动”调解机制，化解矛盾纠纷。"},
    ]
    one = kg(runner, built, "spread", "三所联动", "--first", "1")
    assert [r[:2] for r in table(one.output)] == [["2022", "长冈乡"]]


def test_spread_of_a_concept_everyone_names_from_the_start(runner, built):
    out = kg(runner, built, "spread", "枫桥经验", "--format", "csv")
    # 黄水镇 first names it in 2022; 岔河镇 and 长冈乡 in 2021
    assert out.output.splitlines()[1:] == ["2021,2,2,3,0.667", "2022,1,3,2,1.0", "2023,0,3,3,1.0"]


def test_spread_matches_names_as_kg_towns_does_and_wants_one_concept(runner, built):
    assert kg(runner, built, "spread", "八五").output == kg(runner, built, "spread", "八五普法").output
    ambiguous = kg(runner, built, "spread", "法律")
    assert ambiguous.exit_code == 2
    assert "'法律' names 2 concepts: 法律明白人、网格法律诊所; give one of them" in ambiguous.output
    missing = kg(runner, built, "spread", "老杨说法")
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no concept is named '老杨说法'"
    both = kg(runner, built, "spread", "三所联动", "--panel", "--by", "county")
    assert both.exit_code == 2 and "give one of --by, --first, --panel" in both.output


# ---------------------------------------------------------------- the counting rules

def _reporting() -> Reporting:
    return Reporting(years={"a": {2020, 2021, 2022}, "b": {2021, 2022}, "c": set(), "d": {2022}},
                     places={"a": Place("甲", "东县", "某省"), "b": Place("乙", "东县", "某省"),
                             "c": Place("丙"), "d": Place("丁", "西县", "某省")})


def test_steps_count_only_dated_reports_and_keep_adopters_that_skip_a_year():
    found = spread.Adoption("x", first={"a": 2020, "b": 2022}, undated={"c"})
    rep = _reporting()
    rep.years["a"] = {2020, 2022}  # a skips 2021: still an adopter, not counted as reporting
    assert spread.steps(found, rep)[()] == [
        spread.Step(2020, 1, 1, 1, 1.0),
        spread.Step(2021, 0, 1, 1, 0.0),
        spread.Step(2022, 1, 2, 3, 0.667),
    ]
    by_county = spread.steps(found, rep, "county")
    assert list(by_county) == [("某省", "东县"), ("某省", "西县")]  # c has no dated report: in no group
    assert by_county[("某省", "西县")] == [spread.Step(2022, 0, 0, 1, 0.0)]


def test_panel_rows_follow_the_adoption_year():
    found = spread.Adoption("x", first={"b": 2022})
    assert [(r.town, r.year, r.adopted) for r in spread.panel(found, _reporting())] == [
        ("乙", 2021, 0), ("乙", 2022, 1),  # in place order: province, county, town (code points)
        ("甲", 2020, 0), ("甲", 2021, 0), ("甲", 2022, 0),
        ("丁", 2022, 0),
    ]


def test_years_count_only_dated_reports():
    assert bodies.to_year("2023") == 2023
    assert bodies.to_year("2023-04-01") == 2023
    assert bodies.to_year("") is None and bodies.to_year(None) is None


def test_reporting_and_places_agree_whichever_way_they_are_read(built):
    store = GraphStore.open(built)
    everyone = bodies.reporting(store)
    assert sorted((p.town, p.county, p.province) for p in everyone.places.values()) == [
        ("岔河镇", "如东县", "江苏省"), ("长冈乡", "兴国县", "江西省"), ("黄水镇", "石柱土家族自治县", "重庆市")]
    assert bodies.places_of(store, everyone.places) == everyone.places
    assert sorted(sorted(y) for y in everyone.years.values()) == [[2021, 2022, 2023], [2021, 2022, 2023],
                                                                  [2021, 2023]]


# ---------------------------------------------------------------- kg similar, kg compare

def test_similar_ranks_by_jaccard_with_what_is_shared_and_what_differs(runner, built):
    out = kg(runner, built, "similar", "岔河镇")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].split() == ["town", "score", "shared", "only_here", "only_there"]
    assert table(out.output) == [
        ["长冈乡", "0.5", "枫桥经验、八五普法", "网格法律诊所", "三所联动"],  # 2 of 4
        ["黄水镇", "0.4", "枫桥经验、网格法律诊所", "八五普法", "三所联动、合法性审查"],  # 2 of 5
    ]


def test_similar_json_field_names_are_exact(runner, built):
    rows = json.loads(kg(runner, built, "similar", "黄水镇", "--format", "json").output)
    assert rows == [
        {"town": "岔河镇", "score": 0.4, "shared": ["枫桥经验", "网格法律诊所"],
         "only_here": ["三所联动", "合法性审查"], "only_there": ["八五普法"]},
        {"town": "长冈乡", "score": 0.4, "shared": ["三所联动", "枫桥经验"],
         "only_here": ["合法性审查", "网格法律诊所"], "only_there": ["八五普法"]},
    ]


def test_similar_top_and_county(runner, built):
    out = kg(runner, built, "similar", "长冈乡", "--top", "1", "--county", "兴国")
    assert table(out.output) == [["岔河镇", "0.5", "枫桥经验、八五普法", "三所联动", "网格法律诊所"]]
    elsewhere = kg(runner, built, "similar", "长冈乡", "--county", "如东县")
    assert elsewhere.exit_code == 1
    assert elsewhere.output.strip() == "Error: no reporting body is named '长冈乡' in 如东县"


def test_compare_prints_the_two_toolkits_side_by_side(runner, built):
    out = kg(runner, built, "compare", "岔河镇", "黄水镇")
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].split() == ["kind", "岔河镇", "黄水镇"]
    assert [line.rstrip() for line in lines[2:7]] == [
        "mechanism  枫桥经验      枫桥经验",
        "mechanism  网格法律诊所  网格法律诊所",
        "programme  八五普法",
        "mechanism                三所联动",
        "mechanism                合法性审查",
    ]
    assert lines[7] == "Jaccard 0.4: 2 shared, 1 only 岔河镇, 2 only 黄水镇"


# ---------------------------------------------------------------- kg together, communities

def test_together_lists_the_concepts_adopted_with_one(runner, built):
    out = kg(runner, built, "together", "三所联动", "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == [
        {"concept": "枫桥经验", "kind": "mechanism", "both": 2, "share": 1.0, "jaccard": 0.667},
        {"concept": "合法性审查", "kind": "mechanism", "both": 1, "share": 0.5, "jaccard": 0.5},
        {"concept": "八五普法", "kind": "programme", "both": 1, "share": 0.5, "jaccard": 0.333},
        {"concept": "网格法律诊所", "kind": "mechanism", "both": 1, "share": 0.5, "jaccard": 0.333},
    ]
    roles = kg(runner, built, "together", "网格法律诊所", "--kind", "role")
    assert table(roles.output) == [["法律明白人", "role", "1", "0.5", "0.5"]]


def test_co_adoption_counts_bodies_naming_both():
    pairs = together.co_adoption({"a": [0, 1, 2], "b": [1, 2, 3], "c": [9]})
    assert pairs == [together.Pair("a", "b", 2, 0.5)]


def test_communities_split_two_groups_that_travel_apart_and_are_stable():
    adopters = {"a": range(0, 10), "b": range(0, 10), "c": range(1, 10),
                "x": range(20, 30), "y": range(20, 30), "z": range(21, 31), "lone": [50]}
    pairs = together.co_adoption({c: list(v) for c, v in adopters.items()})
    found = together.communities(list(adopters), pairs)
    assert found == [["a", "b", "c"], ["x", "y", "z"], ["lone"]]
    assert together.communities(list(adopters), pairs) == found


# ---------------------------------------------------------------- the summary page

@pytest.fixture(scope="module")
def summary(built):
    from lxml import html

    return html.fromstring((Path(built) / "summary.html").read_text(encoding="utf-8"))


def test_summary_draws_each_common_mechanism_spreading(summary):
    figure = summary.xpath('//section[@id="diffusion"]//figure[@data-concept="三所联动"]')[0]
    tips = [t.text_content() for t in figure.xpath(".//g[@class='year']/title")]
    assert tips == ["三所联动 · 2021 年：新增 0 个单位，累计 0 个，当年报告单位 3 个",
                    "三所联动 · 2022 年：新增 1 个单位，累计 1 个，当年报告单位 2 个",
                    "三所联动 · 2023 年：新增 1 个单位，累计 2 个，当年报告单位 3 个"]
    assert len(figure.xpath(".//polyline")[0].get("points").split()) == 3
    assert figure.xpath("string(.//figcaption/span[@class='n'])") == "累计 2 个单位"
    programmes = summary.xpath('//div[@id="diffusion-programme"]/figure/@data-concept')
    assert programmes == ["八五普法"]


def test_summary_groups_what_travels_together(summary):
    section = summary.xpath('//section[@id="together"]')[0]
    members = [li.text_content() for li in section.xpath(".//ul[@class='members']/li")]
    # five mechanisms and programmes, each with the number of bodies naming it
    assert sorted(members) == sorted(["枫桥经验3", "三所联动2", "网格法律诊所2", "八五普法2", "合法性审查1"])
    first_pair = section.xpath(".//table[@class='pairs']//tr")[0]
    assert first_pair.text_content() == "枫桥经验 + 三所联动2 个单位重合度 0.667"


def test_the_readme_corpus_is_this_one():
    """examples/three-towns/ (the README's examples) holds exactly these reports."""
    folder = Path(__file__).resolve().parent.parent / "examples" / "three-towns"
    assert {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")} == \
        {name: text + "\n" for name, text in REPORTS.items()}


def test_similar_and_together_say_why_they_have_nothing(runner, built, tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "a.txt").write_text("兴国县长冈乡人民政府2022年度法治政府建设工作报告\n长冈乡培育“法律明白人”队伍。\n",
                                 encoding="utf-8")
    build([alone], tmp_path / "out")
    out = runner.invoke(main, ["similar", "长冈乡", "--graph", str(tmp_path / "out")])
    assert out.exit_code == 1
    assert out.output.strip() == "Error: the reports of 长冈乡 name no mechanism or programme"
    out = runner.invoke(main, ["together", "法律明白人", "--graph", str(tmp_path / "out")])
    assert out.exit_code == 1
    assert out.output.strip() == "Error: no body names 法律明白人 with another mechanism or programme"


def test_summary_charts_keep_years_without_reports_on_the_axis(sample_build):
    """The samples report for 2020 and 2022-2024: 2021 stays on the axis, empty."""
    from lxml import html

    _, out = sample_build
    doc = html.fromstring((out / "summary.html").read_text(encoding="utf-8"))
    figure = doc.xpath('//section[@id="diffusion"]//figure')[0]
    assert figure.xpath(".//g[@class='year']/@data-year") == ["2020", "2021", "2022", "2023", "2024"]
    assert figure.xpath("string(.//g[@data-year='2021']/title)") == \
        "合法性审查 · 2021 年：新增 0 个单位，累计 0 个，当年报告单位 0 个"
