"""The ontology, the closed namespace and the vocabulary agree with each other and the contract."""

from __future__ import annotations

from collections import Counter

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.graph import concept_iri
from kg.extract import Lexicon
from kg.textnorm import key
from kg.vocab import FZ, ONTOLOGY

from conftest import ROOT

CONTRACT_TERMS = """Report year issuedBy Township Subdistrict County District City Province AdministrativeDivision partOf
Institution Mechanism Programme Law Role hasInstitution usesMechanism runsProgramme citesLaw hasRole mentions
Mention inReport mentionOf surfaceForm sentence charStart charEnd""".split()


def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "fzkg.ttl")


def test_namespace_matches_the_ontology_file():
    g = ontology()
    declared = {str(s)[len(ONTOLOGY):] for s in g.subjects() if str(s).startswith(ONTOLOGY)}
    assert declared == set(FZ.__annotations__)


def test_contract_terms_are_all_there_with_labels_and_comments():
    g = ontology()
    for term in CONTRACT_TERMS:
        iri = FZ[term]
        langs = {l.language for l in g.objects(iri, RDFS.label)}
        assert {"zh", "en"} <= langs, term
        assert len(list(g.objects(iri, RDFS.comment))) == 1, term
    for link in ("hasInstitution", "usesMechanism", "runsProgramme", "citesLaw", "hasRole"):
        assert (FZ[link], RDFS.subPropertyOf, FZ.mentions) in g
    for cls in ("Township", "Subdistrict", "County", "District", "City", "Province"):
        assert (FZ[cls], RDFS.subClassOf, FZ.AdministrativeDivision) in g
    assert (FZ.Mention, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/prov#Entity")) in g
    assert (FZ.Township, RDF.type, OWL.Class) in g


def test_vocabulary_size_and_labels(lexicon: Lexicon):
    kinds = Counter(e.kind for e in lexicon.entries)
    assert sum(n for k, n in kinds.items() if k != "formula") >= 250, kinds
    assert all(kinds[k] >= 20 for k in ("institution", "mechanism", "programme", "law", "role")), kinds
    seen: dict[str, str] = {}
    for e in lexicon.entries:
        for form in (e.label, *e.alt_labels):
            k = key(form)
            assert seen.setdefault(k, e.iri) == e.iri, f"{form} names two concepts"


def test_vocabulary_iris_follow_the_minting_rule():
    g = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("vocabulary*.ttl")):
        g.parse(path)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for c in concepts:
        prefs = list(g.objects(c, SKOS.prefLabel))
        assert len(prefs) == 1 and prefs[0].language == "zh", c
        assert str(c) == concept_iri(str(prefs[0])), c


def test_laws_are_named_without_the_prc_prefix(lexicon: Lexicon):
    for e in lexicon.entries:
        if e.kind == "law":
            assert not e.label.startswith("中华人民共和国"), e.label
            assert "《" not in e.label, e.label
