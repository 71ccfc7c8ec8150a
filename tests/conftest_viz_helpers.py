"""Graphs for the network-page tests (tests/test_viz.py, tests/test_browser.py).

Not a conftest: the two test files load it by path, so it works whether or
not tests/ is a package.
"""

from __future__ import annotations

import json
import random
import re
from urllib.parse import quote

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

FZ = Namespace("https://w3id.org/fzkg/ontology#")
ID = "https://w3id.org/fzkg/id/"

EVIL_TOWN = "<script>alert(1)</script>镇"
EVIL_SENTENCE = "坚持和发展新时代“枫桥经验”<img src=x onerror=alert(1)>，效果明显。"
EVIL_ALT = "</script><script>alert(2)</script>"

KIND_CLASS = {"institution": FZ.Institution, "mechanism": FZ.Mechanism, "programme": FZ.Programme,
              "law": FZ.Law, "role": FZ.Role}
KIND_LINK = {"institution": FZ.hasInstitution, "mechanism": FZ.usesMechanism,
             "programme": FZ.runsProgramme, "law": FZ.citesLaw, "role": FZ.hasRole}


def iri(kind: str, name: str) -> URIRef:
    """An entity IRI; Chinese characters stay as they are, unsafe ASCII is %-quoted."""
    if re.search(r'[<>"{}|\\^`\s]', name):
        name = quote(name, safe="")
    return URIRef(ID + kind + "/" + name)


def select_of(g: Graph):
    """The project's select(): SPARQL SELECT -> list of {var: plain string}."""
    return lambda q: [{k: str(v) for k, v in r.asdict().items()} for r in g.query(q)]


# Small graph: 4 reporting bodies in 2 counties, 8 concepts (each class), years 2022/2023.
BODIES = [
    # key, label, class, upper label
    ("chahe", "岔河镇", FZ.Township, "如东县"),
    ("juegang", "掘港街道", FZ.Subdistrict, "如东县"),
    ("evil", EVIL_TOWN, FZ.Township, "东台市"),
    ("dongtai", "东台市", FZ.County, "盐城市"),
]
UPPERS = {"如东县": (FZ.County, "南通市"), "东台市": (FZ.County, "盐城市"),
          "南通市": (FZ.City, "江苏省"), "盐城市": (FZ.City, "江苏省"), "江苏省": (FZ.Province, None)}
REPORTS = [  # source, body key, year
    ("r001.txt", "chahe", 2022),
    ("r002.txt", "chahe", 2023),
    ("r003.txt", "juegang", 2023),
    ("r004.txt", "evil", 2022),
    ("r005.txt", "dongtai", 2023),
]
CONCEPTS = [  # kind, prefLabel, altLabels
    ("institution", "司法所", []),
    ("institution", "公共法律服务中心", ["公共法律服务站"]),
    ("mechanism", "三所联动", ["三所联动机制"]),
    ("mechanism", "枫桥经验", ["新时代枫桥经验"]),
    ("programme", "民主法治示范村创建", []),
    ("law", "中华人民共和国行政处罚法", ["行政处罚法"]),
    ("role", "法律顾问", []),
    ("role", "法律明白人", [EVIL_ALT]),
]
# (report source, concept label, sentence); each gives a body->concept link too.
MENTIONS = [
    ("r001.txt", "司法所", "岔河镇司法所全年调处矛盾纠纷120件。"),
    ("r001.txt", "三所联动", "岔河镇深化“三所联动”调解机制，化解纠纷。"),
    ("r001.txt", "中华人民共和国行政处罚法", "严格执行《中华人民共和国行政处罚法》。"),
    ("r002.txt", "司法所", "司法所牵头开展法治宣传。"),
    ("r002.txt", "民主法治示范村创建", "推进民主法治示范村创建工作。"),
    ("r002.txt", "法律明白人", "培养法律明白人56名。"),
    ("r003.txt", "司法所", "街道司法所规范化建设达标。"),
    ("r003.txt", "三所联动", "掘港街道推行三所联动机制。"),
    ("r003.txt", "公共法律服务中心", "建成公共法律服务中心。"),
    ("r003.txt", "法律明白人", "各社区配备法律明白人。"),
    ("r004.txt", "司法所", "本镇司法所实现全覆盖。"),
    ("r004.txt", "法律明白人", "本镇推行法律明白人制度。"),
    ("r004.txt", "枫桥经验", EVIL_SENTENCE),
    ("r005.txt", "三所联动", "全市推广三所联动经验做法。"),
    ("r005.txt", "公共法律服务中心", "市公共法律服务中心接待群众咨询。"),
    ("r005.txt", "中华人民共和国行政处罚法", "贯彻实施新修订的行政处罚法。"),
    ("r005.txt", "司法所", "全市司法所长全部配齐。"),
    ("r005.txt", "法律顾问", "政府法律顾问参与重大决策。"),
    ("r005.txt", "民主法治示范村创建", "新增省级民主法治示范村3个。"),
]


def small_triples() -> list[tuple]:
    t: list[tuple] = []
    body_iri = {key: iri("body", label) for key, label, _, _ in BODIES}
    for label, (cls, up) in UPPERS.items():
        t += [(iri("body", label), RDF.type, cls), (iri("body", label), RDFS.label, Literal(label, lang="zh"))]
        if up:
            t.append((iri("body", label), FZ.partOf, iri("body", up)))
    for key, label, cls, upper in BODIES:
        b = body_iri[key]
        t += [(b, RDF.type, cls), (b, RDFS.label, Literal(label, lang="zh")), (b, FZ.partOf, iri("body", upper))]
    t = list(dict.fromkeys(t))
    concept_iri, concept_kind = {}, {}
    for kind, label, alts in CONCEPTS:
        c = iri(kind, label)
        concept_iri[label], concept_kind[label] = c, kind
        t += [(c, RDF.type, KIND_CLASS[kind]), (c, RDF.type, SKOS.Concept),
              (c, SKOS.prefLabel, Literal(label, lang="zh"))]
        t += [(c, SKOS.altLabel, Literal(a, lang="zh")) for a in alts]
    report_iri, report_body = {}, {}
    for source, key, year in REPORTS:
        r = URIRef(ID + "report/" + source.replace(".txt", ""))
        report_iri[source], report_body[source] = r, body_iri[key]
        t += [(r, RDF.type, FZ.Report), (r, DCTERMS.source, Literal(source)),
              (r, DCTERMS.title, Literal(f"{year}年法治政府建设工作报告")),
              (r, FZ.year, Literal(str(year), datatype=XSD.gYear)), (r, FZ.issuedBy, body_iri[key])]
    for n, (source, label, sentence) in enumerate(MENTIONS):
        m = URIRef(ID + f"mention/m{n:03d}")
        c = concept_iri[label]
        start = max(sentence.find(label[:2]), 0)
        t += [(m, RDF.type, FZ.Mention), (m, FZ.inReport, report_iri[source]), (m, FZ.mentionOf, c),
              (m, FZ.surfaceForm, Literal(label)), (m, FZ.sentence, Literal(sentence)),
              (m, FZ.charStart, Literal(start)), (m, FZ.charEnd, Literal(start + len(label))),
              (report_body[source], KIND_LINK[concept_kind[label]], c)]
    return t


def small_graph(shuffle_seed: int | None = None) -> Graph:
    triples = small_triples()
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(triples)
    g = Graph()
    for tr in triples:
        g.add(tr)
    return g


def small_expectations() -> dict:
    """Counts and town numbers the small graph must give."""
    body_of = {source: key for source, key, _ in REPORTS}
    links = {(body_of[source], label) for source, label, _ in MENTIONS}
    towns: dict[str, int] = {}
    for _, label in links:
        towns[label] = towns.get(label, 0) + 1
    return {"bodies": len(BODIES), "concepts": len(CONCEPTS), "nodes": len(BODIES) + len(CONCEPTS),
            "edges": len(links), "towns": towns}


def large_graph(towns: int = 1000, concepts: int = 4000, links_per_town: int = 8, seed: int = 7) -> Graph:
    """towns + concepts nodes; every concept linked to at least one town."""
    rnd = random.Random(seed)
    g = Graph()
    kinds = list(KIND_CLASS)
    counties = [iri("body", f"测试{n:02d}县") for n in range(50)]
    for n, county in enumerate(counties):
        g.add((county, RDF.type, FZ.County))
        g.add((county, RDFS.label, Literal(f"测试{n:02d}县", lang="zh")))
    cs = []
    for n in range(concepts):
        kind = kinds[n % len(kinds)]
        c = iri(kind, f"概念{n:04d}")
        cs.append((c, kind))
        g.add((c, RDF.type, KIND_CLASS[kind]))
        g.add((c, SKOS.prefLabel, Literal(f"概念{n:04d}", lang="zh")))
    for n in range(towns):
        b = iri("body", f"{n:04d}镇")
        g.add((b, RDF.type, FZ.Township))
        g.add((b, RDFS.label, Literal(f"{n:04d}镇", lang="zh")))
        g.add((b, FZ.partOf, counties[n % len(counties)]))
        r = URIRef(ID + f"report/t{n:04d}")
        g.add((r, RDF.type, FZ.Report))
        g.add((r, DCTERMS.source, Literal(f"t{n:04d}.txt")))
        g.add((r, FZ.year, Literal(str(2021 + n % 3), datatype=XSD.gYear)))
        g.add((r, FZ.issuedBy, b))
        # every concept gets a town (concepts / towns each), plus a few popular ones
        chosen = {cs[(n * (concepts // towns) + k) % concepts] for k in range(concepts // towns)}
        while len(chosen) < links_per_town:
            chosen.add(cs[min(int(rnd.expovariate(1 / 200)), concepts - 1)])
        for k, (c, kind) in enumerate(sorted(chosen)):
            g.add((b, KIND_LINK[kind], c))
            m = URIRef(ID + f"mention/t{n:04d}-{k}")
            g.add((m, FZ.inReport, r))
            g.add((m, FZ.mentionOf, c))
            g.add((m, FZ.sentence, Literal(f"第{n}镇提到{c.split('/')[-1]}。")))
            g.add((m, FZ.charStart, Literal(k)))
    return g


DATA_RE = re.compile(r'<script type="application/json" id="fz-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    m = DATA_RE.search(html)
    assert m, "no embedded data block"
    return json.loads(m.group(1))
