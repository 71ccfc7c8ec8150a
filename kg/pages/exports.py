"""towns.csv and graph.graphml: the rows and the XML, written as the per-mention pass goes.

The CSV has one row per (body, report year, concept) with one evidence
sentence; cells a spreadsheet would run as a formula get a leading
apostrophe. The GraphML is the body-concept network for Gephi, yEd or
networkx, written as XML directly: nodes (bodies, then concepts), then edges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from ..kinds import BODY_COLOUR, KIND

CSV_HEADER = ("town", "county", "city", "province", "year", "kind", "concept", "sentence")
UNSAFE_CELL = re.compile("[=+\\-@\t\r]")  # a character a cell may not start with


def cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV-injection guard)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                              "\n": "&#10;", "\t": "&#9;"})

# (key id, for, attribute name, GraphML type): the attributes networkx wrote before.
NODE_KEYS = (("d0", "label", "string"), ("d1", "class", "string"), ("d2", "level", "string"),
             ("d3", "county", "string"), ("d4", "province", "string"), ("d5", "towns", "long"),
             ("d6", "mentions", "long"), ("d7", "reports", "long"), ("d8", "r", "long"),
             ("d9", "g", "long"), ("d10", "b", "long"))
EDGE_KEYS = (("d11", "link", "string"), ("d12", "mentions", "long"), ("d13", "weight", "double"),
             ("d14", "years", "string"))


def _xml(text: str) -> str:
    """Text as XML character data or an attribute value (illegal characters replaced)."""
    return _XML_ILLEGAL.sub("\ufffd", text).translate(_XML_ESCAPES)


@lru_cache(maxsize=1 << 15)
def _xml_iri(iri: str) -> str:
    return _xml(iri)


def edge_xml(source: str, target: str, link: str, mentions: int, years: str) -> str:
    return (f'    <edge source="{_xml_iri(source)}" target="{_xml_iri(target)}">\n'
            f'      <data key="d11">{link}</data>\n'
            f'      <data key="d12">{mentions}</data>\n'
            f'      <data key="d13">{float(mentions)!r}</data>\n'
            f'      <data key="d14">{years}</data>\n'
            f'    </edge>\n')


def _node_xml(iri: str, values: Sequence) -> str:
    data = "".join(f'      <data key="{key}">{_xml(str(v))}</data>\n'
                   for (key, _, _), v in zip(NODE_KEYS, values))
    return f'    <node id="{_xml(iri)}">\n{data}    </node>\n'


def graphml_head() -> str:
    keys = "".join(f'  <key id="{k}" for="node" attr.name="{name}" attr.type="{typ}" />\n'
                   for k, name, typ in NODE_KEYS)
    keys += "".join(f'  <key id="{k}" for="edge" attr.name="{name}" attr.type="{typ}" />\n'
                    for k, name, typ in EDGE_KEYS)
    return ("<?xml version='1.0' encoding='utf-8'?>\n"
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
            f'{keys}  <graph edgedefault="directed">\n')


GRAPHML_TAIL = "  </graph>\n</graphml>\n"


def graphml_nodes(bodies: Iterable, concepts: Iterable) -> Iterator[str]:
    """The <node> elements: bodies in page order, then concepts in global order."""
    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    for t in bodies:
        yield _node_xml(t.iri, (t.name, "town", t.level, t.county, t.province, 1, t.mentions, len(t.reports),
                                *rgb(BODY_COLOUR)))
    for c in concepts:
        yield _node_xml(c.iri, (c.label, c.kind, "", "", "", c.bodies, c.mentions, 0, *rgb(KIND[c.kind].colour)))


def graphml_text(bodies: Iterable, concepts: Iterable, edges: Iterable[str]) -> str:
    """A whole GraphML document in memory (the build streams it instead)."""
    return "".join([graphml_head(), *graphml_nodes(bodies, concepts), *edges, GRAPHML_TAIL])
