"""kg map: the map page's embedded data on a small corpus built by kg's own pipeline.

Three towns, three years: 长冈乡 (兴国县) reports every year and names 三所联动 from
2022, 岔河镇 (如东县) reports every year and names it in 2023 only, 黄水镇 (石柱县)
reports in 2021 and 2023 (it skips 2022) and never names it. The page's JSON is
compared whole; pixels are the browser test's business (test_browser_map.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.pages import map as fzmap
from kg.query import GraphStore

FILLER = "我{level}坚持学法用法，组织干部参加法治培训。\n"
SANSUO = "推行公安派出所、司法所、律师事务所“三所联动”调解机制，化解矛盾纠纷{n}件。\n"


def _report(county: str, town: str, year: int, sansuo: bool) -> str:
    level = town[-1]
    text = f"{town}人民政府{year}年度法治政府建设工作报告\n{year}年，{county}{town}认真落实法治政府建设工作要求。\n"
    text += FILLER.format(level=level)
    if sansuo:
        text += f"{year}年，我{level}" + SANSUO.format(n=year - 2000)
    return text + f"{town}人民政府\n{year + 1}年2月1日\n"


# (file, county, town, year, names 三所联动)
REPORTS = [
    ("changgang-2021.txt", "兴国县", "长冈乡", 2021, False),
    ("changgang-2022.txt", "兴国县", "长冈乡", 2022, True),
    ("changgang-2023.txt", "兴国县", "长冈乡", 2023, True),
    ("chahe-2021.txt", "如东县", "岔河镇", 2021, False),
    ("chahe-2022.txt", "如东县", "岔河镇", 2022, False),
    ("chahe-2023.txt", "如东县", "岔河镇", 2023, True),
    ("huangshui-2021.txt", "石柱县", "黄水镇", 2021, False),
    ("huangshui-2023.txt", "石柱县", "黄水镇", 2023, False),
]


def build_small(root: Path) -> Path:
    """The eight reports built into ``root/out``; the build folder."""
    src = root / "in"
    src.mkdir(parents=True, exist_ok=True)
    for name, county, town, year, sansuo in REPORTS:
        (src / name).write_text(_report(county, town, year, sansuo), encoding="utf-8")
    build([src], root / "out", pages=False)
    return root / "out"


def embedded(page: str) -> dict:
    """The page's data block, parsed."""
    m = re.search(r'<script type="application/json" id="fz-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_small(tmp_path_factory.mktemp("map"))


def _town(name, reports, years, first=None, ev=None, src=None, level="乡镇"):
    return {"name": name, "level": level, "reports": reports, "years": years, "since": years[0],
            "first": first, "ev": ev, "mark": "“三所联动”调解机制" if ev else None, "src": src}


CHANGGANG = {"code": "360732", "name": "兴国县", "city": "赣州市", "province": "江西省", "x": 677.8, "y": 540.3,
             "approx": False, "reports": 3, "r": 5.2, "since": "2021"}
CHAHE = {"code": "320623", "name": "如东县", "city": "南通市", "province": "江苏省", "x": 771.0, "y": 423.2,
         "approx": False, "reports": 3, "r": 5.2, "since": "2021"}
HUANGSHUI = {"code": "500240", "name": "石柱县", "city": "", "province": "重庆市", "x": 561.8, "y": 468.8,
             "approx": False, "reports": 2, "r": 4.8, "since": "2021"}
YEARS = ["2021", "2022", "2023"]


def test_map_of_a_mechanism_replays_its_spread(built):
    store = GraphStore.open(built)
    concepts = [c.value for c in store.concepts_named("三所联动")]
    data = embedded(fzmap.map_html(store, concepts=concepts, name="三所联动"))
    assert data == {
        "concept": {"name": "三所联动", "labels": ["三所联动"]},
        "years": YEARS,
        "counties": [  # by the year they first name it, then those that do not
            dict(CHANGGANG, first="2022", towns=[_town(
                "长冈乡", 3, YEARS, first="2022", src="changgang-2022.txt",
                ev="2022年，我乡推行公安派出所、司法所、律师事务所“三所联动”调解机制，化解矛盾纠纷22件。")]),
            dict(CHAHE, first="2023", towns=[_town(
                "岔河镇", 3, YEARS, first="2023", src="chahe-2023.txt",
                ev="2023年，我镇推行公安派出所、司法所、律师事务所“三所联动”调解机制，化解矛盾纠纷23件。")]),
            dict(HUANGSHUI, first=None, towns=[_town("黄水镇", 2, ["2021", "2023"])]),
        ],
        "apart": [],
    }


def test_map_without_a_concept_shows_the_reports(built):
    data = embedded(fzmap.map_html(GraphStore.open(built)))
    assert data == {
        "concept": None,
        "years": YEARS,
        "counties": [  # by province, city, county (code points)
            dict(CHAHE, first=None, towns=[_town("岔河镇", 3, YEARS)]),
            dict(CHANGGANG, first=None, towns=[_town("长冈乡", 3, YEARS)]),
            dict(HUANGSHUI, first=None, towns=[_town("黄水镇", 2, ["2021", "2023"])]),
        ],
        "apart": [],
    }


# A graph written by hand for what the extractor never makes: a body without a county, one
# whose county has no coordinates, coordinates that are the unit above's, a report without a
# year, and markup in names and sentences.
EVIL = "<script>alert(1)</script>"
HAND = f"""
@prefix fz: <https://w3id.org/fzkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix p: <https://w3id.org/fzkg/id/place/> .
@prefix c: <https://w3id.org/fzkg/id/concept/> .
@prefix r: <https://w3id.org/fzkg/id/report/> .

p:999900 a fz:Province ; rdfs:label "测试省"@zh .
p:999901 a fz:County ; rdfs:label "甲县"@zh ; fz:partOf p:999900 ; fz:divisionCode "999901" ;
    geo:lat "30.000000"^^xsd:decimal ; geo:long "110.000000"^^xsd:decimal ; fz:approximateLocation true .
p:999902 a fz:County ; rdfs:label "乙县"@zh ; fz:partOf p:999900 .
p:a a fz:Township ; rdfs:label "{EVIL}镇"@zh ; fz:partOf p:999901 ; fz:usesMechanism c:X .
p:b a fz:Township ; rdfs:label "乙镇"@zh ; fz:partOf p:999902 ; fz:usesMechanism c:X .
p:c a fz:Township ; rdfs:label "丙镇"@zh ; fz:usesMechanism c:X .
c:X a fz:Mechanism ; skos:prefLabel "某机制"@zh .
r:a1 a fz:Report ; fz:issuedBy p:a ; fz:year "2020"^^xsd:gYear ; <http://purl.org/dc/terms/source> "a1.txt" .
r:a2 a fz:Report ; fz:issuedBy p:a ; <http://purl.org/dc/terms/source> "a2.txt" .
r:b1 a fz:Report ; fz:issuedBy p:b ; fz:year "2021"^^xsd:gYear ; <http://purl.org/dc/terms/source> "b1.txt" .
r:c1 a fz:Report ; fz:issuedBy p:c ; fz:year "2020"^^xsd:gYear ; <http://purl.org/dc/terms/source> "c1.txt" .
<https://w3id.org/fzkg/id/m/1> fz:mentionOf c:X ; fz:inReport r:a2 ; fz:surfaceForm "某机制" ;
    fz:sentence "推行某机制</script><img src=x onerror=alert(1)>。" .
<https://w3id.org/fzkg/id/m/2> fz:mentionOf c:X ; fz:inReport r:b1 ; fz:surfaceForm "某机制" ; fz:sentence "乙镇推行某机制。" .
<https://w3id.org/fzkg/id/m/3> fz:mentionOf c:X ; fz:inReport r:c1 ; fz:surfaceForm "某机制" ; fz:sentence "丙镇推行某机制。" .
"""


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> GraphStore:
    path = tmp_path_factory.mktemp("hand") / "graph.ttl"
    path.write_text(HAND, encoding="utf-8")
    return GraphStore.open(path)


def test_bodies_without_coordinates_are_listed_apart(hand):
    page = fzmap.map_html(hand, concepts=["https://w3id.org/fzkg/id/concept/X"], name="某")
    data = embedded(page)
    assert data["concept"] == {"name": "某", "labels": ["某机制"]}
    assert data["years"] == ["2020", "2021"]
    [county] = data["counties"]
    assert county == {
        "code": "999901", "name": "甲县", "city": "", "province": "测试省", "x": 592.0, "y": 468.8,
        "approx": True, "reports": 2, "r": 4.8, "since": "2020", "first": "",  # named only in a yearless report
        "towns": [{"name": f"{EVIL}镇", "level": "乡镇", "reports": 2, "years": ["2020"], "since": "2020",
                   "first": "", "ev": "推行某机制</script><img src=x onerror=alert(1)>。", "mark": "某机制",
                   "src": "a2.txt"}]}
    assert [(t["name"], t["where"], t["why"], t["first"]) for t in data["apart"]] == [
        ("丙镇", "", "no-county", "2020"), ("乙镇", "测试省 › 乙县", "no-coordinates", "2021")]
    # the markup is data: inert in the JSON block, escaped in the title
    block = re.search(r'id="fz-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert page.count("</script>") == 2 and "<img" not in page
    assert "<title>“某机制”的分布</title>" in page


def test_same_graph_same_bytes(built):
    store = GraphStore.open(built)
    concepts = [c.value for c in store.concepts_named("三所联动")]
    assert fzmap.map_html(store, concepts=concepts, name="三所联动") == \
        fzmap.map_html(GraphStore.open(built), concepts=concepts, name="三所联动")


def test_the_command(built, tmp_path):
    runner = CliRunner()
    out = tmp_path / "m.html"
    result = runner.invoke(main, ["map", "三所联动", "--graph", str(built), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert embedded(out.read_text(encoding="utf-8"))["concept"]["labels"] == ["三所联动"]
    result = runner.invoke(main, ["map", "--graph", str(built), "-o", str(tmp_path / "all.html")])
    assert result.exit_code == 0 and embedded((tmp_path / "all.html").read_text(encoding="utf-8"))["concept"] is None
    result = runner.invoke(main, ["map", "无此机制", "--graph", str(built), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1 and result.output == "Error: no concept named '无此机制'\n"
    assert not (tmp_path / "x.html").exists()


def test_projection_and_sizes():
    assert fzmap.project(54.0, 73.0) == (0.0, 0.0)
    assert fzmap.project(10.5, 135.5)[0] == fzmap.WIDTH
    assert fzmap.project(60.0, 100.0) is None  # outside the frame: listed apart, not drawn
    assert [fzmap.radius(n) for n in (0, 1, 4, 100)] == [3.0, 4.2, 5.5, 10.0]
    dots = fzmap.country_dots()
    assert 2500 < dots.count("M") < 3000  # every county-level unit of China, one dot each
    assert fzmap.clip_around("甲" * 200 + "某机制" + "乙" * 200, "某机制", 40) == "…" + "甲" * 11 + "某机制" + "乙" * 24 + "…"


def test_summary_has_a_static_map(built):
    from kg.pages.summary import summary_html

    page = summary_html(GraphStore.open(built))
    section = re.search(r'<section id="map">(.*?)</section>', page, re.S).group(1)
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)".*?<title>(.*?)</title>', section)
    assert circles == [  # big dots first, so small ones stay on top
        ("677.8", "540.3", "5.2", "兴国县（江西省 赣州市）：1 个报告单位，3 份报告"),
        ("771.0", "423.2", "5.2", "如东县（江苏省 南通市）：1 个报告单位，3 份报告"),
        ("561.8", "468.8", "4.8", "石柱县（重庆市）：1 个报告单位，2 份报告"),
    ]
    assert "<script" not in page and section.count("<path") == 1
