"""The built graph: contract, shapes, offsets, IRIs, determinism, committed outputs."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.build import build
from kg.graph import concept_iri, iri_segment
from kg.vocab import FZ

from conftest import ROOT, SAMPLES


@pytest.fixture(scope="session")
def sample_graph(sample_build) -> rdflib.Graph:
    _, out = sample_build
    g = rdflib.Graph()
    g.parse(out / "graph.ttl")
    return g


def test_graph_passes_the_shapes(sample_graph):
    pyshacl = pytest.importorskip("pyshacl")
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "fzkg.ttl")
    conforms, _, text = pyshacl.validate(sample_graph, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert conforms, text


def test_every_offset_gives_its_surface_form(sample_graph):
    texts = {p.name: p.read_text(encoding="utf-8-sig") for p in SAMPLES.glob("*.txt")}
    rows = list(sample_graph.query("""
        PREFIX fz: <https://w3id.org/fzkg/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?src ?s ?e ?surface ?sentence WHERE {
          ?m fz:inReport ?r ; fz:charStart ?s ; fz:charEnd ?e ; fz:surfaceForm ?surface ; fz:sentence ?sentence .
          ?r dct:source ?src }"""))
    assert len(rows) > 300
    for src, s, e, surface, sentence in rows:
        text = texts[str(src)]
        assert text[int(s):int(e)] == str(surface)
        assert str(surface) in str(sentence)


def test_issuers_and_their_counties(sample_graph):
    rows = {(str(s), str(t), str(c) if c else None) for s, t, c in sample_graph.query("""
        PREFIX fz: <https://w3id.org/fzkg/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?src ?town ?county WHERE { ?r dct:source ?src ; fz:issuedBy ?b . ?b rdfs:label ?town .
          OPTIONAL { ?b fz:partOf ?c0 . ?c0 rdfs:label ?county } }""")}
    towns = {t for _, t, _ in rows}
    assert {"岔河镇", "长冈乡", "黄水镇", "环市街", "半坡镇"} == towns
    assert any(t == "岔河镇" and c == "如东县" for _, t, c in rows)


def test_same_name_towns_in_different_counties_are_two_nodes(tmp_path):
    a = "如东县新店镇人民政府\n2023年度法治政府建设工作报告\n2023年，新店镇严格落实“三所联动”调解机制。\n"
    b = "龙泉县新店镇人民政府\n2023年度法治政府建设工作报告\n2023年，新店镇严格落实“三所联动”调解机制。\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(a, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(b, encoding="utf-8")
    build([tmp_path / "in"], tmp_path / "out", pages=False)
    g = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl")
    towns = set(g.subjects(RDFS.label, rdflib.Literal("新店镇", lang="zh")))
    assert len(towns) == 2
    assert all((t, RDF.type, FZ.Township) in g for t in towns)


def test_concept_iri_depends_on_label_only():
    assert concept_iri("三所联动") == "https://w3id.org/fzkg/id/concept/三所联动"
    assert iri_segment("互联网+监管/试点 #1") == "互联网+监管%2F试点%20%231"


def test_iris_are_valid(sample_graph):
    for term in {t for triple in sample_graph for t in triple if isinstance(t, rdflib.URIRef)}:
        s = str(term)
        assert s.startswith(("https://w3id.org/fzkg/", "http://www.w3.org/", "http://purl.org/dc/terms/")), s
        assert not any(c in s for c in ' <>"{}|\\^`'), s


def test_two_builds_in_any_order_are_byte_identical(tmp_path):
    files = sorted(SAMPLES.glob("*.txt"))
    shuffled = files[:]
    random.Random(7).shuffle(shuffled)
    one, two = tmp_path / "one", tmp_path / "two"
    build(files, one, pages=False)
    # the same reports copied into another folder, given in another order
    (tmp_path / "copy").mkdir()
    copies = [Path(shutil.copy(f, tmp_path / "copy" / f.name)) for f in shuffled]
    build(copies, two, pages=False)
    assert (one / "graph.ttl").read_bytes() == (two / "graph.ttl").read_bytes()


def test_committed_outputs_are_current(sample_build):
    """outputs/ holds what `kg build` makes of the samples today."""
    _, out = sample_build
    for name in ("graph.ttl", "network.html"):
        committed = ROOT / "outputs" / name
        assert committed.is_file(), f"outputs/{name} is missing: run `kg build`"
        assert committed.read_bytes() == (out / name).read_bytes(), f"outputs/{name} is stale: run `kg build`"


def test_reports_carry_title_year_and_source(sample_graph):
    years = {str(src): str(y) for src, y in sample_graph.query("""
        PREFIX fz: <https://w3id.org/fzkg/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?src ?y WHERE { ?r a fz:Report ; dct:source ?src ; fz:year ?y }""")}
    assert years["004_fbe45d23903cb0be.txt"] == "2023"
    assert years["002_c5dfd198ae645202.txt"] == "2020"
    assert all(sample_graph.value(r, DCTERMS.source) for r in sample_graph.subjects(RDF.type, FZ.Report))


def test_concepts_have_one_preflabel(sample_graph):
    for c in set(sample_graph.subjects(RDF.type, SKOS.Concept)):
        assert len(list(sample_graph.objects(c, SKOS.prefLabel))) == 1


def test_fast_report_blocks_equal_the_generic_writer(extractor):
    """The templated writer a big build uses is byte-for-byte the generic one."""
    from kg import graph as G
    from kg.readers import read as read_document

    for path in sorted(SAMPLES.glob("*.txt")):
        ex = extractor.extract(read_document(path))
        body = "<https://w3id.org/fzkg/id/place/320623/岔河镇>"
        ttl, nt, n = G.report_blocks(ex, body, G.concept_iri)
        triples = G.report_triples(ex, body, G.concept_iri)
        assert ttl == G.turtle_block(triples)
        assert nt == G.ntriples_block(triples)
        assert n == len(set(triples))


def test_a_whole_table_at_once_equals_the_streamed_rows(sample_build):
    """``table`` (Oxigraph's CSV, read back) gives the rows ``rows`` gives, with '' as None:
    IRIs, Chinese labels, numbers and sentences with commas and quotes survive the round trip."""
    from kg import queries
    from kg.query import GraphStore

    store = GraphStore.open(sample_build[1])
    for name in ("map_bodies", "map_uppers", "report_places"):
        text = queries.text(name)
        streamed = [tuple(v or None for v in row) for row in store.rows(text)]
        assert streamed and sorted(store.table(text), key=repr) == sorted(streamed, key=repr)
    sentences = "SELECT ?m ?s WHERE { ?m fz:sentence ?s }"
    rows = store.table(sentences)
    assert any("，" in s or '"' in s or "\n" in s for _, s in rows)
    assert sorted(rows) == sorted(store.rows(sentences))
