"""kg.viz.network_html: the self-contained network page (no browser needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import conftest_viz_helpers  # tests/ is on sys.path (pytest prepend mode)

pytest.importorskip("pyvis")
pytest.importorskip("rdflib")

from kg.pages import network as viz  # noqa: E402




H = conftest_viz_helpers
ID = H.ID


@pytest.fixture(scope="module")
def small_html() -> str:
    return viz.network_html(H.select_of(H.small_graph()))


@pytest.fixture(scope="module")
def small_data(small_html) -> dict:
    return H.page_data(small_html)


def _without_vis(html: str) -> str:
    js, css = viz._vis_assets()
    assert js in html and css in html, "vis-network JS and CSS are inlined verbatim"
    return html.replace(js, "").replace(css, "")


def _node(data: dict, label: str) -> dict:
    [node] = [n for n in data["nodes"] if n["label"] == label]
    return node


# ---------------------------------------------------------------- self-contained

def test_no_external_reference(small_html):
    html = small_html
    # Nothing is fetched: no src/href/url()/@import to http(s), no <link>, no CDN.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.I)
    assert not re.search(r"<iframe|<object|<embed", html, re.I)
    for cdn in ("cdnjs", "jsdelivr", "unpkg", "bootstrap", "tom-select"):
        assert cdn not in html.lower()
    # The only http(s) strings left are inside vis-network's own code (its
    # licence header and the SVG namespace name), never a reference.
    rest = _without_vis(html)
    assert "http://" not in rest
    assert "https://" not in re.sub(r'<script type="application/json" id="fz-data">.*?</script>', "", rest, flags=re.S)
    # Entity IRIs (https://w3id.org/...) are node ids inside the JSON data only.
    js, css = viz._vis_assets()
    for url in re.findall(r"https?://[^\s\"'<>)]*", js + css):
        assert not url.startswith(("http://cdn", "https://cdn"))


def test_vis_network_inlined_and_page_is_utf8(small_html):
    assert small_html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in small_html
    assert "vis-network" in small_html and "window.fzNetwork = network" in small_html
    assert '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif' in small_html
    small_html.encode("utf-8")


# ---------------------------------------------------------------- the data

def test_node_and_edge_counts(small_data):
    expect = H.small_expectations()
    assert len(small_data["nodes"]) == expect["nodes"] == 12
    assert len(small_data["edges"]) == expect["edges"]
    assert len(small_data["edgeYears"]) == len(small_data["edges"])
    kinds = [small_data["info"][n["id"]]["c"] for n in small_data["nodes"]]
    assert kinds.count("body") == expect["bodies"]
    assert {k for k in kinds if k != "body"} == set(viz.CONCEPT_KEYS)
    ids = {n["id"] for n in small_data["nodes"]}
    assert len(ids) == len(small_data["nodes"])
    assert all(e["from"] in ids and e["to"] in ids for e in small_data["edges"])
    # every edge goes body -> concept
    assert all(small_data["info"][e["from"]]["c"] == "body" for e in small_data["edges"])
    assert all(small_data["info"][e["to"]]["c"] != "body" for e in small_data["edges"])
    # entity IRIs with Chinese characters are the node ids
    assert ID + "mechanism/三所联动" in ids


def test_bodies_titled_with_county_and_classes_styled(small_data):
    chahe = _node(small_data, "岔河镇 (如东县)")
    assert chahe["id"] == ID + "body/岔河镇"
    assert _node(small_data, "掘港街道 (如东县)")
    styles = {}
    for n in small_data["nodes"]:
        styles.setdefault(small_data["info"][n["id"]]["c"], set()).add((n["shape"], n["color"]["background"]))
    assert all(len(s) == 1 for s in styles.values()), "one colour and shape per class"
    assert len({next(iter(s)) for s in styles.values()}) == 6, "each class its own colour and shape"


def test_concept_size_grows_with_towns(small_data):
    towns = H.small_expectations()["towns"]
    concepts = [n for n in small_data["nodes"] if small_data["info"][n["id"]]["c"] != "body"]
    for n in concepts:
        assert small_data["info"][n["id"]]["w"] == towns[n["label"]]
    for a in concepts:
        for b in concepts:
            ta, tb = towns[a["label"]], towns[b["label"]]
            if ta > tb:
                assert a["size"] > b["size"], (a["label"], b["label"])
            elif ta == tb:
                assert a["size"] == b["size"]
    sizes = [_node(small_data, label)["size"] for label in ("司法所", "三所联动", "枫桥经验")]
    assert sizes[0] > sizes[1] > sizes[2]


def test_edges_coloured_by_link_type_with_years(small_data):
    colours = {}
    for e in small_data["edges"]:
        colours.setdefault(e["link"], set()).add(e["color"]["color"])
    assert set(colours) == {link["key"] for link in viz.LINKS}
    assert all(len(c) == 1 for c in colours.values())
    assert len({next(iter(c)) for c in colours.values()}) == 5
    by_pair = {(e["from"], e["to"]): y for e, y in zip(small_data["edges"], small_data["edgeYears"])}
    # 岔河镇 mentions 司法所 in its 2022 and its 2023 report
    assert by_pair[(ID + "body/岔河镇", ID + "institution/司法所")] == ["2022", "2023"]
    assert by_pair[(ID + "body/掘港街道", ID + "mechanism/三所联动")] == ["2023"]
    assert small_data["years"] == ["2022", "2023"]


def test_tooltips_are_plain_text_with_evidence(small_data):
    title = _node(small_data, "三所联动")["title"]
    assert isinstance(title, str)
    assert "工作机制 Mechanism" in title
    assert "三所联动机制" in title  # altLabel
    assert "Towns: 3" in title
    assert "r001.txt" in title and "“三所联动”" in title.replace("【", "").replace("】", "")
    assert all(isinstance(n["title"], str) for n in small_data["nodes"])
    assert all(isinstance(e["title"], str) for e in small_data["edges"])
    # malicious text stays literal text in the data (escaped only by JSON)
    evil_concept = _node(small_data, "枫桥经验")["title"]
    assert H.EVIL_SENTENCE.replace("“枫桥经验”", "“【枫桥经验】”") in evil_concept
    assert H.EVIL_ALT in _node(small_data, "法律明白人")["title"]
    assert any(n["label"] == H.EVIL_TOWN + " (东台市)" for n in small_data["nodes"])


def test_report_text_never_becomes_markup(small_html):
    html = small_html
    for raw in ("<img src=x", "<script>alert", "</script><script>", "alert(2)</script>"):
        assert raw not in html, raw
    outside = re.sub(r'<script type="application/json" id="fz-data">.*?</script>', "", _without_vis(html),
                     flags=re.S)
    assert "onerror" not in outside and "alert(" not in outside
    # they are there, JSON-escaped, inside the data block only
    block = H.DATA_RE.search(html).group(1)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in block
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e镇" in block
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\u2028" not in block and "\u2029" not in block
    # exactly the page's own scripts: the data block, vis-network, the page script
    assert len(re.findall(r"<script\b", _without_vis(html))) == 3
    assert len(re.findall(r"</script", html, re.I)) == 3


def test_page_script_uses_text_not_markup():
    template = (Path(viz.__file__).parent / "templates" / "network.html.j2").read_text(encoding="utf-8")
    script = template.split("{{ vis_js | safe }}")[1]
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
    assert "eval(" not in script and "new Function" not in script
    assert "textContent" in script


def test_script_safe_json_roundtrip():
    value = {"a": "</script><!-- & \u2028\u2029 <img src=x>", "b": ["中文", 1, None]}
    text = viz._script_safe(json.dumps(value, ensure_ascii=False))
    assert "</" not in text and "<" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value


def test_title_is_escaped():
    html = viz.network_html(H.select_of(H.small_graph()), title="<b>法治</b> & co")
    assert "<b>法治</b>" not in html
    assert "<title>&lt;b&gt;法治&lt;/b&gt; &amp; co</title>" in html


# ---------------------------------------------------------------- filters and legend

def test_legend_search_and_filters_present(small_html):
    rest = _without_vis(small_html)
    for c in viz.CLASSES:
        assert f'data-class="{c["key"]}"' in rest and c["label"] in rest
    for link in viz.LINKS:
        assert link["label"] in rest
    assert 'id="fz-search"' in rest
    assert 'data-year="2022"' in rest and 'data-year="2023"' in rest


def test_single_year_has_no_year_filter():
    g = H.small_graph()
    from rdflib import Literal
    from rdflib.namespace import XSD
    for r in list(g.subjects(H.FZ.year, None)):
        g.set((r, H.FZ.year, Literal("2023", datatype=XSD.gYear)))
    html = viz.network_html(H.select_of(g))
    assert 'class="fz-year"' not in html
    assert H.page_data(html)["years"] == ["2023"]


def test_physics_bounded_and_frozen(small_data, small_html):
    options = small_data["options"]
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["enabled"] is True
    assert options["physics"]["stabilization"]["iterations"] == 150
    assert options["layout"]["improvedLayout"] is False
    assert isinstance(options["layout"]["randomSeed"], int)
    assert "physics: { enabled: false }" in small_html  # frozen once stabilised
    assert viz.stabilization_iterations(5000) <= 150
    assert all("x" in n and "y" in n for n in small_data["nodes"])


# ---------------------------------------------------------------- max_nodes

def test_max_nodes_keeps_bodies_then_best_concepts(small_html):
    assert "left out" not in small_html
    html = viz.network_html(H.select_of(H.small_graph()), max_nodes=6)
    data = H.page_data(html)
    assert len(data["nodes"]) == 6
    kinds = [data["info"][n["id"]]["c"] for n in data["nodes"]]
    assert kinds.count("body") == 4
    # then the concepts linked to most towns: 司法所 (4), then 三所联动 (3, before the role 法律明白人)
    assert {n["label"] for n in data["nodes"] if data["info"][n["id"]]["c"] != "body"} == {"司法所", "三所联动"}
    assert all(e["to"] in {n["id"] for n in data["nodes"]} for e in data["edges"])
    assert len(data["edges"]) == 4 + 3
    note = re.search(r'<div class="fz-note" id="fz-truncated">(.*?)</div>', html).group(1)
    assert "6 most connected of 12 nodes" in note and "6 nodes left out" in note


def test_max_nodes_below_body_count_keeps_most_connected_bodies():
    data = H.page_data(html := viz.network_html(H.select_of(H.small_graph()), max_nodes=2))
    labels = [n["label"] for n in data["nodes"]]
    # 东台市 links 6 concepts, 岔河镇 5, the others fewer
    assert sorted(labels) == sorted(["东台市 (盐城市)", "岔河镇 (如东县)"])
    assert data["edges"] == []
    assert "10 nodes left out" in html


def test_max_nodes_must_be_positive():
    with pytest.raises(ValueError):
        viz.network_html(H.select_of(H.small_graph()), max_nodes=0)


# ---------------------------------------------------------------- determinism and edge cases

def test_deterministic(small_html):
    again = viz.network_html(H.select_of(H.small_graph()))
    assert again == small_html
    shuffled = viz.network_html(H.select_of(H.small_graph(shuffle_seed=3)))
    assert shuffled == small_html


def test_rows_in_any_order_give_the_same_page(small_html):
    g = H.small_graph()
    base = H.select_of(g)
    assert viz.network_html(lambda q: list(reversed(base(q)))) == small_html


def test_empty_graph():
    from rdflib import Graph
    html = viz.network_html(H.select_of(Graph()))
    data = H.page_data(html)
    assert data["nodes"] == [] and data["edges"] == []
    assert "0 nodes" in html


def test_queries_are_few(small_html):
    calls = []
    select = H.select_of(H.small_graph())
    viz.network_html(lambda q: calls.append(q) or select(q))
    assert len(calls) <= 8
    body = ["\n".join(line for line in q.splitlines() if not line.startswith("#")) for q in calls]
    assert all(b.lstrip().startswith("PREFIX") and "SELECT" in b for b in body)


def test_large_graph_renders_quickly():
    import time
    g = H.large_graph(towns=300, concepts=1200, links_per_town=6)
    t = time.perf_counter()
    html = viz.network_html(H.select_of(g), max_nodes=1500)
    elapsed = time.perf_counter() - t
    data = H.page_data(html)
    assert len(data["nodes"]) == 1500
    assert elapsed < 30


def test_max_nodes_below_body_count_leaves_room_for_concepts():
    # 300 towns and 1,200 concepts into 150 nodes: the 100 most connected towns and the 50
    # most widespread concepts, with the links between them (not 150 towns and no edge)
    g = H.large_graph(towns=300, concepts=1200, links_per_town=6)
    data = H.page_data(html := viz.network_html(H.select_of(g), max_nodes=150))
    kinds = [data["info"][n["id"]]["c"] for n in data["nodes"]]
    assert kinds.count("body") == 100 and len(kinds) == 150
    assert data["edges"], "the kept towns and concepts are linked"
    widest = sorted((data["info"][n["id"]]["w"] for n in data["nodes"] if data["info"][n["id"]]["c"] != "body"))
    assert widest[0] >= 2
    assert "1350 nodes left out" in html
    assert viz.keep(4, 8, 6) == (4, 2) and viz.keep(4, 8, 2) == (2, 0) and viz.keep(4, 8, 12) == (4, 8)
    assert viz.keep(20000, 17000, 1500) == (1000, 500)


def test_store_and_select_give_the_same_page(small_html):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(H.small_graph().serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    assert viz.network_html(store) == small_html


def test_search_keys_are_folded_like_the_command_line(small_data):
    # labels and other labels as textnorm.key folds them; the page folds typed text with these tables
    assert small_data["info"][ID + "body/岔河镇"]["s"] == ["岔河镇", "岔河镇如东县"]
    assert small_data["fold"]["t2s"]["鎮"] == "镇" and small_data["fold"]["t2s"]["聯"] == "联"
    assert all(ch in small_data["fold"]["drop"] for ch in '"“”「」()《》、·-')
