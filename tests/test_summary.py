"""kg.summary: the printable summary page, the towns CSV and the GraphML export.

The main graph is built by kg's own pipeline from four small reports written
here: 岔河镇 (如东县, two reports, 2022 and 2023), 双沟镇 (泗洪县) and 分水镇
(桐庐县, 浙江省), whose title and sentence carry script and img markup. A
second graph is written by hand in Turtle for what the extractor never
produces (a malicious town name and concept label, a town directly under a
city, a report without a year).
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import networkx as nx
import pytest

import conftest_viz_helpers  # tests/ is on sys.path (pytest prepend mode)
from lxml import html as lxml_html

from kg import pages
from kg.kinds import BODY_COLOUR, KIND, KIND_KEYS, KINDS
from kg.pages import summary
from kg.build import build
from kg.query import GraphStore

REPORTS = {
    "chahe-2023.txt": """江苏省如东县岔河镇2023年度法治政府建设工作报告
2023年，岔河镇深化“三所联动”机制，化解矛盾纠纷50件。
镇司法所全年开展法治宣传12场。
深入开展“八五”普法，组织学习《民法典》。
培养“法律明白人”30名。
岔河镇人民政府
2024年3月1日
""",
    "chahe-2022.txt": """江苏省如东县岔河镇2022年度法治政府建设工作报告
2022年，岔河镇推行三所联动工作机制。
司法所规范化建设达标。
岔河镇人民政府
2023年2月10日
""",
    "shuanggou-2023.txt": """江苏省泗洪县双沟镇2023年度法治政府建设工作报告
双沟镇坚持发展新时代“枫桥经验”，推行三所联动。
双沟镇司法所牵头调处纠纷。
扎实推进八五普法规划实施，宣传《民法典》。
各村配备法律明白人。
双沟镇人民政府
2024年2月1日
""",
    "fenshui-2022.txt": """浙江省桐庐县分水镇2022年法治政府建设年度报告<script>alert(1)</script>
分水镇坚持三所联动<img src=x onerror=alert(1)>，效果明显<script>alert(1)</script>。
坚持和发展“枫桥经验”。
分水镇人民政府
2023年1月10日
""",
}

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"


def write_reports(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build_graph(root: Path) -> GraphStore:
    """The four reports built by kg's pipeline into ``root/out``."""
    build([write_reports(root / "in")], root / "out", pages=False)
    return GraphStore.open(root / "out")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    return build_graph(tmp_path_factory.mktemp("summary"))


@pytest.fixture(scope="module")
def page(store) -> str:
    return summary.summary_html(store.select)


@pytest.fixture(scope="module")
def doc(page):
    return lxml_html.fromstring(page)


def text(el) -> str:
    return "".join(el.itertext()).strip()


def card_of(doc, town: str):
    [card] = [a for a in doc.xpath('//article[contains(@class, "card")]') if text(a.xpath(".//h3")[0]) == town]
    return card


def item_of(card, concept: str):
    [li] = [li for li in card.xpath('.//ul[@class="evidence"]/li')
            if li.xpath('.//div[@class="concept-name"]')[0].text.strip() == concept]
    return li


# ---------------------------------------------------------------- the page

def test_counts_at_a_glance(doc):
    def stat(name: str) -> str:
        return doc.xpath(f'//div[@id="stat-{name}"]/div[@class="num"]')[0].text

    assert stat("reports") == "4"
    assert stat("towns") == "3"
    assert stat("counties") == "3"  # 如东县 泗洪县 桐庐县
    assert stat("provinces") == "2"  # 江苏省 浙江省
    assert stat("years") == "2"
    assert [li.text for li in doc.xpath('//div[@id="stat-years"]//li')] == ["2022", "2023"]


def test_bar_charts_in_order(doc):
    bars = doc.xpath('//figure[@id="chart-mechanism"]//svg//g[@class="bar"]')
    got = [(b.get("data-concept"), int(b.get("data-towns"))) for b in bars]
    assert got[:2] == [("三所联动", 3), ("枫桥经验", 2)]
    assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)
    widths = [float(b.xpath(".//rect")[0].get("width")) for b in bars]
    assert widths[0] > widths[1] > 0
    assert bars[0].xpath(".//rect")[0].get("fill") == KIND["mechanism"].colour
    assert bars[0].xpath(".//text")[0].text == "三所联动"  # the Chinese label beside the bar
    prog = doc.xpath('//figure[@id="chart-programme"]//svg//g[@class="bar"]')
    assert (prog[0].get("data-concept"), prog[0].get("data-towns")) == ("八五普法", "2")
    assert prog[0].xpath(".//rect")[0].get("fill") == KIND["programme"].colour
    assert len(bars) <= summary.TOP_BARS and len(prog) <= summary.TOP_BARS


def test_matrix_ticks_link_to_evidence(doc):
    table = doc.xpath('//table[contains(@class, "matrix")]')[0]
    columns = [text(th.xpath('.//span[@class="vlabel"]')[0]) for th in table.xpath(".//thead//th[@class='mech']")]
    assert columns[:2] == ["三所联动", "枫桥经验"]
    assert len(columns) <= summary.MATRIX_COLUMNS
    rows = {}
    for tr in table.xpath("./tbody/tr"):
        name = text(tr.xpath("./th")[0])
        county = text(tr.xpath('./td[@class="county"]')[0])
        cells = tr.xpath('./td[contains(@class, "cell")]')
        rows[name] = (county, [c.xpath("./a[@class='tick']") for c in cells])
    assert set(rows) == {"岔河镇", "双沟镇", "分水镇"}
    assert rows["岔河镇"][0] == "如东县" and rows["分水镇"][0] == "桐庐县"
    ticked = {name: [columns[i] for i, a in enumerate(cells) if a] for name, (_, cells) in rows.items()}
    assert "三所联动" in ticked["岔河镇"] and "枫桥经验" not in ticked["岔河镇"]
    assert {"三所联动", "枫桥经验"} <= set(ticked["双沟镇"])
    assert {"三所联动", "枫桥经验"} <= set(ticked["分水镇"])
    # every tick is an in-page link to that town's evidence for that mechanism
    for name, (_, cells) in rows.items():
        for i, a in enumerate(cells):
            if not a:
                continue
            href = a[0].get("href")
            assert href.startswith("#ev-")
            [target] = doc.xpath(f'//*[@id="{href[1:]}"]')
            card = target.xpath('ancestor::article[contains(@class, "card")]')[0]
            assert text(card.xpath(".//h3")[0]) == name
            assert target.xpath('.//div[@class="concept-name"]')[0].text.strip() == columns[i]
            assert target.xpath(".//mark"), "the linked evidence highlights the surface form"
    # row headers link to the cards
    for tr in table.xpath("./tbody/tr"):
        href = tr.xpath("./th/a")[0].get("href")
        assert doc.xpath(f'//article[@id="{href[1:]}"]')
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), "anchors are unique"


def test_cards_with_reports_and_evidence(doc):
    cards = doc.xpath('//article[contains(@class, "card")]')
    assert [text(c.xpath(".//h3")[0]) for c in cards] == ["岔河镇", "双沟镇", "分水镇"]  # by province, county
    chahe = card_of(doc, "岔河镇")
    assert "江苏省" in text(chahe.xpath('.//span[@class="where"]')[0])
    assert "如东县" in text(chahe.xpath('.//span[@class="where"]')[0])
    reports = [[text(td) for td in tr.xpath("./td")] for tr in chahe.xpath('.//table[@class="reports"]/tbody/tr')]
    assert [r[:2] for r in reports] == [["chahe-2022.txt", "2022"], ["chahe-2023.txt", "2023"]]
    assert reports[1][2] == "江苏省如东县岔河镇2023年度法治政府建设工作报告"
    assert reports[1][3] == "2024-03-01"
    # every kind, each with one sentence of evidence and the surface form marked
    kinds = [s.get("class").split()[1] for s in chahe.xpath('.//section[contains(@class, "kind")]')]
    assert kinds == ["kind-institution", "kind-mechanism", "kind-programme", "kind-law", "kind-role"]
    for concept, surface in (("司法所", "司法所"), ("三所联动", "“三所联动”机制"), ("八五普法", "“八五”普法"),
                             ("民法典", "《民法典》"), ("法律明白人", "“法律明白人”")):
        li = item_of(chahe, concept)
        [mark] = li.xpath(".//mark")
        assert mark.text == surface
        assert len(li.xpath('.//p[@class="sentence"]')) == 1
    # named in both years; the evidence comes from the newer report
    sanso = item_of(chahe, "三所联动")
    assert sanso.xpath('.//span[@class="yrs"]')[0].text == "2022 · 2023"
    assert "化解矛盾纠纷50件" in text(sanso.xpath('.//p[@class="sentence"]')[0])
    assert "chahe-2023.txt" in text(sanso.xpath('.//span[@class="src"]')[0])
    fenshui = card_of(doc, "分水镇")
    assert "浙江省" in text(fenshui.xpath('.//span[@class="where"]')[0])
    assert fenshui.xpath('.//section[contains(@class, "kind")]')[0].get("class") == "kind kind-mechanism"


def test_evidence_markup_escapes_every_part():
    m = summary.evidence_markup("甲<b>乙</b>三所联动<i>丙</i>", "三所联动")
    assert str(m) == "甲&lt;b&gt;乙&lt;/b&gt;<mark>三所联动</mark>&lt;i&gt;丙&lt;/i&gt;"
    m = summary.evidence_markup("坚持<x>开展", "<x>")
    assert str(m) == "坚持<mark>&lt;x&gt;</mark>开展"
    assert str(summary.evidence_markup("没有<这个>词", "三所联动")) == "没有&lt;这个&gt;词"
    long = "前" * 300 + "三所联动" + "后" * 300
    m = str(summary.evidence_markup(long, "三所联动", limit=60))
    assert "<mark>三所联动</mark>" in m and m.startswith("…") and m.endswith("…")
    assert len(m.replace("<mark>", "").replace("</mark>", "")) <= 62


def test_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(", page, re.IGNORECASE)
    assert not re.search(r"@import|<link\b|<iframe|<object|<embed|@font-face", page, re.IGNORECASE)
    assert "<script" not in page.lower(), "the page needs no script"
    assert "position: fixed" not in page and "position:fixed" not in page


def test_print_stylesheet(page):
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    assert "@media print" in style
    print_css = style[style.index("@media print"):]
    assert re.search(r"\.card[^{}]*\{[^}]*break-inside:\s*avoid", print_css)
    assert '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif' in style
    # the same colours as the network page and the GraphML: one palette, from kg.kinds
    for colour in [k.colour for k in KINDS] + [BODY_COLOUR]:
        assert colour in style


def test_malicious_text_only_escaped(page, doc):
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page and "<img" not in page
    assert not doc.xpath("//script | //img | //*[@onerror]")
    # the text is there, as text
    fenshui = card_of(doc, "分水镇")
    assert EVIL_SCRIPT in text(fenshui.xpath('.//table[@class="reports"]')[0])
    sentence = text(item_of(fenshui, "三所联动").xpath('.//p[@class="sentence"]')[0])
    assert EVIL_IMG in sentence and EVIL_SCRIPT in sentence


def test_deterministic(store, page, tmp_path):
    assert summary.summary_html(store.select) == page

    def shuffled(query: str) -> list[dict[str, str]]:
        rows = store.select(query)
        random.Random(len(query)).shuffle(rows)
        return rows

    assert summary.summary_html(shuffled) == page, "row order does not matter"
    assert pages.towns_csv(shuffled) == pages.towns_csv(store.select)
    assert pages.graphml(shuffled) == pages.graphml(store.select)
    other = build_graph(tmp_path)  # a fresh build of the same reports
    assert summary.summary_html(other.select) == page
    assert pages.towns_csv(other.select) == pages.towns_csv(store.select)
    assert pages.graphml(other.select) == pages.graphml(store.select)


def test_title_is_escaped(store):
    page = summary.summary_html(store.select, title="概览 <b>&</b>")
    assert "<title>概览 &lt;b&gt;&amp;&lt;/b&gt;</title>" in page
    assert "<b>&" not in page


# ---------------------------------------------------------------- the CSV

def read_csv(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data)))


def test_towns_csv(store):
    data = pages.towns_csv(store.select)
    rows = read_csv(data)
    assert rows[0] == ["town", "county", "city", "province", "year", "kind", "concept", "sentence"]
    body = rows[1:]
    assert body == sorted(body)
    assert len({tuple(r[:7]) for r in body}) == len(body), "one row per (town, year, concept)"
    # the city comes from the gazetteer: the reports state only the county
    assert ["岔河镇", "如东县", "南通市", "江苏省", "2022", "mechanism", "三所联动",
            "2022年，岔河镇推行三所联动工作机制。"] in body
    assert ["岔河镇", "如东县", "南通市", "江苏省", "2023", "mechanism", "三所联动",
            "2023年，岔河镇深化“三所联动”机制，化解矛盾纠纷50件。"] in body
    assert ["岔河镇", "如东县", "南通市", "江苏省", "2023", "role", "法律明白人", "培养“法律明白人”30名。"] in body
    assert ["双沟镇", "泗洪县", "宿迁市", "江苏省", "2023", "programme", "八五普法",
            "扎实推进八五普法规划实施，宣传《民法典》。"] in body
    assert ["分水镇", "桐庐县", "杭州市", "浙江省", "2022", "mechanism", "枫桥经验", "坚持和发展“枫桥经验”。"] in body
    # 岔河镇 2022 names only 三所联动 and 司法所
    assert sorted(r[6] for r in body if r[0] == "岔河镇" and r[4] == "2022") == ["三所联动", "司法所"]
    assert {r[5] for r in body} <= set(KIND_KEYS)
    assert all(r[7] for r in body), "every row has its evidence sentence"


# ---------------------------------------------------------------- GraphML

def test_graphml(store):
    g = nx.read_graphml(io.BytesIO(pages.graphml(store.select).encode("utf-8")))
    assert g.is_directed()
    links = store.select("""PREFIX fz: <https://w3id.org/fzkg/ontology#>
        SELECT DISTINCT ?b ?c WHERE {
          VALUES ?p { fz:hasInstitution fz:usesMechanism fz:runsProgramme fz:citesLaw fz:hasRole }
          ?r fz:issuedBy ?b . ?b ?p ?c }""")
    bodies = {r["b"] for r in links}
    concepts = {r["c"] for r in links}
    assert g.number_of_nodes() == len(bodies) + len(concepts) == 3 + len(concepts)
    assert g.number_of_edges() == len(links)
    by_label = {}
    for n, d in g.nodes(data=True):
        by_label.setdefault(d["label"], []).append((n, d))
    [(chahe, d)] = by_label["岔河镇"]
    assert d["class"] == "town" and d["county"] == "如东县" and d["province"] == "江苏省" and d["reports"] == 2
    [(sanso, d)] = by_label["三所联动"]
    assert d["class"] == "mechanism" and d["towns"] == 3
    assert by_label["八五普法"][0][1]["class"] == "programme" and by_label["八五普法"][0][1]["towns"] == 2
    edge = g.edges[chahe, sanso]
    assert edge["link"] == "usesMechanism" and edge["mentions"] == 2 and edge["years"] == "2022 2023"
    assert {d["class"] for _, d in g.nodes(data=True)} == {"town", *KIND_KEYS}
    for u, v in g.edges:
        assert g.nodes[u]["class"] == "town" and g.nodes[v]["class"] != "town"


# ---------------------------------------------------------------- a graph written by hand

EVIL_TTL = r"""
@prefix fz: <https://w3id.org/fzkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/fzkg/id/> .

<https://w3id.org/fzkg/id/place/evil> a fz:Township ; rdfs:label "<script>alert(1)</script>镇"@zh ;
    fz:partOf <https://w3id.org/fzkg/id/place/dongtai> ;
    fz:usesMechanism <https://w3id.org/fzkg/id/concept/evil> ; fz:hasRole <https://w3id.org/fzkg/id/concept/gw> .
<https://w3id.org/fzkg/id/place/dongtai> a fz:City ; rdfs:label "东台市"@zh ; fz:partOf <https://w3id.org/fzkg/id/place/js> .
<https://w3id.org/fzkg/id/place/js> a fz:Province ; rdfs:label "江苏省"@zh .
<https://w3id.org/fzkg/id/place/plain> a fz:Subdistrict ; rdfs:label "掘港街道"@zh ;
    fz:usesMechanism <https://w3id.org/fzkg/id/concept/evil> .

<https://w3id.org/fzkg/id/report/r1> a fz:Report ; dct:source "r1.txt" ; dct:title "标题<img src=x onerror=alert(1)>" ;
    fz:year "2023"^^xsd:gYear ; fz:issuedBy <https://w3id.org/fzkg/id/place/evil> .
<https://w3id.org/fzkg/id/report/r2> a fz:Report ; dct:source "r2.txt" ; fz:issuedBy <https://w3id.org/fzkg/id/place/plain> .

<https://w3id.org/fzkg/id/concept/evil> a fz:Mechanism , skos:Concept ; skos:prefLabel "<img src=x onerror=alert(1)>机制"@zh .
<https://w3id.org/fzkg/id/concept/gw> a fz:Role , skos:Concept ; skos:prefLabel "法律顾问"@zh .

<https://w3id.org/fzkg/id/report/r1/m/1-5> a fz:Mention ; fz:inReport <https://w3id.org/fzkg/id/report/r1> ;
    fz:mentionOf <https://w3id.org/fzkg/id/concept/evil> ; fz:surfaceForm "<img src=x onerror=alert(1)>机制" ;
    fz:sentence "=推行<img src=x onerror=alert(1)>机制</mark><script>alert(1)</script>。" ; fz:charStart 1 ; fz:charEnd 5 .
<https://w3id.org/fzkg/id/report/r2/m/3-6> a fz:Mention ; fz:inReport <https://w3id.org/fzkg/id/report/r2> ;
    fz:mentionOf <https://w3id.org/fzkg/id/concept/evil> ; fz:surfaceForm "机制" ;
    fz:sentence "街道推行该机制。" ; fz:charStart 3 ; fz:charEnd 6 .
"""


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory) -> GraphStore:
    path = tmp_path_factory.mktemp("evil") / "graph.ttl"
    path.write_text(EVIL_TTL, encoding="utf-8")
    return GraphStore.open(path)


def test_hand_written_graph_page(evil_store):
    page = summary.summary_html(evil_store.select)
    doc = lxml_html.fromstring(page)
    assert "<script>alert" not in page and "<img src=x" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;镇" in page
    assert not doc.xpath("//script | //img | //*[@onerror]")
    # the mark in the sentence is the one we made; the sentence's own "</mark>" is text
    marks = doc.xpath("//mark")
    assert "<img src=x onerror=alert(1)>机制" in [m.text for m in marks]
    assert "&lt;/mark&gt;" in page
    # a town directly under a city counts that city as its county-level unit
    evil = card_of(doc, "<script>alert(1)</script>镇")
    assert "江苏省 › 东台市" in text(evil.xpath('.//span[@class="where"]')[0])
    assert doc.xpath('//div[@id="stat-counties"]/div[@class="num"]')[0].text == "1"
    assert doc.xpath('//div[@id="stat-provinces"]/div[@class="num"]')[0].text == "1"
    assert [li.text for li in doc.xpath('//div[@id="stat-years"]//li')] == ["2023"]
    # a linked concept with no mention is listed without evidence
    assert "（无原文句子）" in text(item_of(evil, "法律顾问"))
    [bar] = doc.xpath('//figure[@id="chart-mechanism"]//g[@class="bar"]')
    assert bar.get("data-concept") == "<img src=x onerror=alert(1)>机制" and bar.get("data-towns") == "2"


def test_hand_written_graph_csv_and_graphml(evil_store):
    rows = read_csv(pages.towns_csv(evil_store.select))
    assert ["<script>alert(1)</script>镇", "东台市", "", "江苏省", "2023", "mechanism", "<img src=x onerror=alert(1)>机制",
            "'=推行<img src=x onerror=alert(1)>机制</mark><script>alert(1)</script>。"] in rows
    assert ["<script>alert(1)</script>镇", "东台市", "", "江苏省", "", "role", "法律顾问", ""] in rows
    assert ["掘港街道", "", "", "", "", "mechanism", "<img src=x onerror=alert(1)>机制", "街道推行该机制。"] in rows
    g = nx.read_graphml(io.BytesIO(pages.graphml(evil_store.select).encode("utf-8")))
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    assert g.nodes["https://w3id.org/fzkg/id/place/evil"]["label"] == "<script>alert(1)</script>镇"
    assert g.nodes["https://w3id.org/fzkg/id/concept/evil"]["towns"] == 2


def test_empty_graph():
    def nothing(query: str) -> list[dict[str, str]]:
        return []

    page = summary.summary_html(nothing)
    doc = lxml_html.fromstring(page)
    assert doc.xpath('//div[@id="stat-reports"]/div[@class="num"]')[0].text == "0"
    assert "（无报告单位）" in page
    assert pages.towns_csv(nothing) == "town,county,city,province,year,kind,concept,sentence\n"
    g = nx.read_graphml(io.BytesIO(pages.graphml(nothing).encode("utf-8")))
    assert g.number_of_nodes() == 0


# ---------------------------------------------------------------- big graphs: caps, one pass for all four



@pytest.fixture(scope="module")
def many_towns():
    """A generated graph of 800 towns (one report each) in an in-memory Oxigraph store."""
    import pyoxigraph as ox

    g = conftest_viz_helpers.large_graph(towns=800, concepts=1600, links_per_town=6)
    store = ox.Store()
    store.load(g.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def test_summary_caps_towns_and_says_so(many_towns):
    page = summary.summary_html(many_towns)
    doc = lxml_html.fromstring(page)
    assert doc.xpath('//div[@id="stat-towns"]/div[@class="num"]')[0].text == "800"  # counts cover every town
    cards = doc.xpath('//article[contains(@class, "card")]')
    assert len(cards) == summary.MAX_CARDS == 500
    assert len(doc.xpath('//table[contains(@class, "matrix")]/tbody/tr')) == 500
    note = text(doc.xpath('//p[@id="towns-left-out"]')[0])
    assert "300" in note and "800" in note and "kg mechanisms" in note and "towns.csv" in note
    assert "300" in text(doc.xpath('//p[@id="matrix-left-out"]')[0])
    # the towns kept are the most connected: none left out links more concepts than one kept
    degree = {}
    for row in many_towns.query("""PREFIX fz: <https://w3id.org/fzkg/ontology#>
            SELECT ?label (COUNT(DISTINCT ?c) AS ?n) WHERE { ?r fz:issuedBy ?b . ?b <http://www.w3.org/2000/01/rdf-schema#label> ?label .
              ?b fz:hasInstitution|fz:usesMechanism|fz:runsProgramme|fz:citesLaw|fz:hasRole ?c } GROUP BY ?label"""):
        degree[row["label"].value] = int(row["n"].value)
    kept = {text(c.xpath(".//h3")[0]) for c in cards}
    assert min(degree[t] for t in kept) >= max(degree[t] for t in set(degree) - kept)
    # anchors stay unique and every tick still lands on a card
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    for a in doc.xpath('//a[@class="tick"]')[:200]:
        assert doc.xpath(f'//*[@id="{a.get("href")[1:]}"]')
    small = summary.summary_html(many_towns, max_cards=1000)
    assert "towns-left-out" not in small and len(lxml_html.fromstring(small).xpath("//article")) == 800


def test_towns_csv_keeps_every_town(many_towns):
    rows = read_csv(pages.towns_csv(many_towns))[1:]
    assert len({r[0] for r in rows}) == 800
    links = next(iter(many_towns.query("""PREFIX fz: <https://w3id.org/fzkg/ontology#>
        SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?b ?c WHERE { ?r fz:issuedBy ?b .
          ?b fz:hasInstitution|fz:usesMechanism|fz:runsProgramme|fz:citesLaw|fz:hasRole ?c } }""")))
    assert len(rows) == int(links["n"].value)  # one report (one year) per town: one row per link
    assert rows == sorted(rows) and all(r[7] for r in rows)


def test_write_pages_is_the_four_functions_in_one_pass(store, tmp_path):
    from kg.pages import network as viz

    calls = []
    select = store.select
    paths = pages.write_pages(lambda q: calls.append(q) or select(q), tmp_path)
    assert [p.name for p in paths] == ["network.html", "summary.html", "towns.csv", "graph.graphml"]
    assert len(calls) <= 8, "one gathering pass for all four"
    assert (tmp_path / "summary.html").read_text(encoding="utf-8") == summary.summary_html(store.select)
    assert (tmp_path / "towns.csv").read_text(encoding="utf-8") == pages.towns_csv(store.select)
    assert (tmp_path / "graph.graphml").read_text(encoding="utf-8") == pages.graphml(store.select)
    assert (tmp_path / "network.html").read_text(encoding="utf-8") == viz.network_html(store.select)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file left behind"
    # a GraphStore and its pyoxigraph store give the same files as the select callable
    again = tmp_path / "again"
    pages.write_pages(store, again)
    for p in paths:
        assert (again / p.name).read_bytes() == p.read_bytes(), p.name


def test_graphml_keeps_every_attribute(store):
    g = nx.read_graphml(io.BytesIO(pages.graphml(store.select).encode("utf-8")))
    town = next(d for _, d in g.nodes(data=True) if d["class"] == "town")
    assert set(town) == {"label", "class", "level", "county", "province", "towns", "mentions", "reports",
                         "r", "g", "b"}
    assert (town["r"], town["g"], town["b"]) == (0x3F, 0x4F, 0x63) and town["level"] == "Township"
    edge = next(iter(g.edges(data=True)))[2]
    assert set(edge) == {"link", "mentions", "weight", "years"}
    assert isinstance(edge["weight"], float) and edge["weight"] == edge["mentions"] > 0
    assert sum(d["mentions"] for _, _, d in g.edges(data=True)) == \
        sum(d["mentions"] for _, d in g.nodes(data=True) if d["class"] == "town")
