"""The ontology's terms as closed namespaces, and the prefixes every query and file uses.

A mistyped term fails at import time instead of silently producing an empty
query result; ``tests/test_ontology.py`` keeps this in sync with
``ontology/fzkg.ttl``. The per-kind and per-level names come from
``kg.kinds``.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

from .kinds import KINDS, LEVELS

ONTOLOGY = "https://w3id.org/fzkg/ontology#"
ID = "https://w3id.org/fzkg/id/"
CONCEPT_NS = ID + "concept/"
PLACE_NS = ID + "place/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
# the prefixes of the files a build writes, in this order
PREFIXES = {"fz": ONTOLOGY, "skos": SKOS, "rdfs": RDFS, "rdf": RDF, "dct": DCT, "xsd": XSD, "geo": GEO}
# and the ones a user's query may also take for granted
QUERY_PREFIXES = PREFIXES | {
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "fzid": ID,
}


class FZ(DefinedNamespace):
    """fazhi-kg ontology terms."""

    _NS = Namespace(ONTOLOGY)
    _fail = True

    # classes
    Report: URIRef
    AdministrativeDivision: URIRef
    Township: URIRef
    Subdistrict: URIRef
    County: URIRef
    District: URIRef
    City: URIRef
    Province: URIRef
    Institution: URIRef
    Mechanism: URIRef
    Programme: URIRef
    Law: URIRef
    Role: URIRef
    Formula: URIRef
    Mention: URIRef
    # properties
    year: URIRef
    issuedBy: URIRef
    text: URIRef
    partOf: URIRef
    mentions: URIRef
    hasInstitution: URIRef
    usesMechanism: URIRef
    runsProgramme: URIRef
    citesLaw: URIRef
    hasRole: URIRef
    inReport: URIRef
    mentionOf: URIRef
    surfaceForm: URIRef
    sentence: URIRef
    charStart: URIRef
    charEnd: URIRef
    divisionCode: URIRef
    resolution: URIRef
    resolutionNote: URIRef
    approximateLocation: URIRef


# a link predicate's or a class's full IRI -> kind or level key: reading a graph back
KIND_OF_LINK = {ONTOLOGY + k.link: k.key for k in KINDS}
KIND_OF_CLASS = {ONTOLOGY + k.cls: k.key for k in KINDS}
LEVEL_OF_CLASS = {ONTOLOGY + level.cls: level.key for level in LEVELS}
