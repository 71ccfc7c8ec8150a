"""SERVICE and LOAD found as SPARQL tokens, never inside strings, IRIs, comments or names."""

from __future__ import annotations

import pytest

from kg.sparql_tokens import network_keyword

CASES = [
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("select * { service silent <http://x/> { } }", "SERVICE"),
    ("SELECT * {SERVICE<http://x/>{}}", "SERVICE"),
    ("SELECT * { ?s ?p ?o . SERVICE ?x { } }", "SERVICE"),
    ("SELECT * { ?s ?p ?o.SERVICE ?x { } }", "SERVICE"),
    ("SELECT * { FILTER(?a < ?b) SERVICE <http://x> {} }", "SERVICE"),
    ('SELECT * { ?s ?p "a\\\\" SERVICE <x> {} }', "SERVICE"),  # the string ends at the second quote
    (r"SELECT * { SERV\u0049CE <http://x/> {} }", "SERVICE"),  # codepoint escapes come first
    # one IRI to a lexer that reads `<` as an IRI, `1<2` and SERVICE ?x and a comment to a parser
    ("SELECT * { FILTER(1<2)SERVICE?x#>\n{ ?s ?p ?o } }", "SERVICE"),
    ("PREFIX x: <urn:x:> SELECT * { FILTER(1<x:1)SERVICE?x#>\n{ ?s ?p ?o } }", "SERVICE"),
    ("LOAD <http://x/data.ttl>", "LOAD"),
    ("load silent <http://x/> into graph <urn:g>", "LOAD"),
    ('SELECT * { ?s ?p "SERVICE <http://x/>" }', None),
    ("SELECT * { ?s ?p '''many\nSERVICE lines''' }", None),
    ('SELECT * { ?s ?p "a\\"SERVICE" }', None),
    ("SELECT * { ?s ?p <http://x/SERVICE> }", None),
    ("SELECT * { ?s <http://www.w3.org/ns/sparql-service-description#endpoint> ?o }", None),
    ("SELECT * { # SERVICE <x> {}\n ?s ?p ?o }", None),
    ("PREFIX SERVICE: <urn:x> SELECT * { ?s SERVICE:p ex:SERVICE }", None),
    ("SELECT * { ?s ?p ex:o.SERVICE }", None),
    ('SELECT ?SERVICE $SERVICE { ?s ?p "x"@service }', None),
    ("SELECT * { _:SERVICE ?p ?o }", None),
    ("SELECT ?town WHERE { ?t fz:usesMechanism ?m ; rdfs:label ?town }", None),
]


@pytest.mark.parametrize(("text", "keyword"), CASES)
def test_network_keyword(text, keyword):
    assert network_keyword(text) == keyword
