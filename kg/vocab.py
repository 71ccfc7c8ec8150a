"""The ontology's terms as closed namespaces.

A mistyped term fails at import time instead of silently producing an empty
query result; ``tests/test_ontology.py`` keeps this in sync with
``ontology/fzkg.ttl``.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

ONTOLOGY = "https://w3id.org/fzkg/ontology#"
ID = "https://w3id.org/fzkg/id/"


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


# extraction kind -> local names of its concept class and its body-level link, and
# division level -> local name of its class: the one table the writers and readers share
KIND_CLASS_NAME = {"institution": "Institution", "mechanism": "Mechanism", "programme": "Programme",
                   "law": "Law", "role": "Role"}
KIND_LINK_NAME = {"institution": "hasInstitution", "mechanism": "usesMechanism", "programme": "runsProgramme",
                  "law": "citesLaw", "role": "hasRole"}
LEVEL_CLASS_NAME = {"township": "Township", "subdistrict": "Subdistrict", "county": "County",
                    "district": "District", "city": "City", "province": "Province"}
# the same tables read back from a graph: a link predicate's or a concept class's full IRI -> kind
KIND_OF_LINK = {ONTOLOGY + name: kind for kind, name in KIND_LINK_NAME.items()}
KIND_OF_CLASS = {ONTOLOGY + name: kind for kind, name in KIND_CLASS_NAME.items()}
