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
SCHEME = URIRef(ID + "scheme/fazhi")


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


# extraction kind -> (concept class, body-level link)
KIND_CLASS = {
    "institution": FZ.Institution,
    "mechanism": FZ.Mechanism,
    "programme": FZ.Programme,
    "law": FZ.Law,
    "role": FZ.Role,
}
KIND_LINK = {
    "institution": FZ.hasInstitution,
    "mechanism": FZ.usesMechanism,
    "programme": FZ.runsProgramme,
    "law": FZ.citesLaw,
    "role": FZ.hasRole,
}
LEVEL_CLASS = {
    "township": FZ.Township,
    "subdistrict": FZ.Subdistrict,
    "county": FZ.County,
    "district": FZ.District,
    "city": FZ.City,
    "province": FZ.Province,
}
