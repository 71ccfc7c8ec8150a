"""Where each reporting body sits (county, province) and in which years it reported.

A body's county is the county-level unit (fz:County or fz:District) in its
``fz:partOf`` chain, the body itself if it is one; its province likewise: the
rules of ``kg places``. Where a node has several labels the least is taken,
so the answer does not depend on the store's order.

Reports without a ``fz:year`` count for no year: a body whose reports are all
undated has no years, and appears in no year's count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .. import queries
from ..kinds import LEVELS
from ..query import GraphStore
from ..vocab import ONTOLOGY

# level class IRI -> the field of a Place it fills (rank 2: county, 0: province)
_FIELD_OF_CLASS = {ONTOLOGY + level.cls: {2: "county", 0: "province"}[level.rank]
                   for level in LEVELS if level.rank in (0, 2)}
FEW = 1000  # up to this many bodies are placed by walking up from each; more, by one whole-graph scan


@dataclass(frozen=True)
class Place:
    """A body's own label and the divisions above it, by name ('' where there is none)."""

    town: str
    county: str = ""
    province: str = ""


@dataclass
class Reporting:
    """Every reporting body: the years of its reports and, when asked for, where it sits."""

    years: dict[str, set[int]]  # body IRI -> the years it reported (dated reports only)
    places: dict[str, Place]  # body IRI -> place (empty unless asked for)


def to_year(value: str | None) -> int | None:
    """The year of a gYear (or date) lexical form, None when there is none."""
    text = (value or "").strip()
    head = text[:5] if text.startswith("-") else text[:4]
    try:
        return int(head)
    except ValueError:
        return None


def reporting(store: GraphStore, *, places: bool = True) -> Reporting:
    """Every body that issued a report: its report years and, unless ``places`` is false (a
    cheaper scan), its place."""
    years: dict[str, set[int]] = defaultdict(set)
    found: dict[str, dict[str, str]] = defaultdict(dict)
    if places:
        for body, year, label, county, province in store.table(queries.text("report_places")):
            held = found[body]
            _least(held, "town", label)
            _least(held, "county", county)
            _least(held, "province", province)
            _add_year(years, body, year)
    else:
        for body, year in store.table(queries.text("report_years")):
            _add_year(years, body, year)
    return Reporting(dict(years), {body: Place(**{"town": "", **held}) for body, held in found.items()})


def years_of(store: GraphStore, body: str) -> set[int]:
    """The years of one body's reports (dated ones)."""
    rows = store.rows(queries.text("report_years_of_body"), {"body": ox.NamedNode(body)})
    return {y for _, year in rows if (y := to_year(year)) is not None}


def places_of(store: GraphStore, bodies: Iterable[str]) -> dict[str, Place]:
    """The places of the given bodies: for a few, walking up one bound lookup a node (about a
    millisecond each, the divisions above shared); for many, the whole-graph scan."""
    bodies = sorted(set(bodies))
    if len(bodies) > FEW:
        everyone = reporting(store).places
        return {b: everyone.get(b, Place("")) for b in bodies}
    nodes: dict[str, dict[str, str]] = {}  # node -> its level field, label and upper

    def node(iri: str) -> dict[str, str]:
        if iri not in nodes:
            found: dict[str, str] = {}
            for _, typ, label, upper in store.rows(queries.text("place_node"), {"node": ox.NamedNode(iri)}):
                _least(found, "field", _FIELD_OF_CLASS.get(typ or ""))
                _least(found, "label", label)
                _least(found, "upper", upper)
            nodes[iri] = found
        return nodes[iri]

    out = {}
    for body in bodies:
        found: dict[str, str] = {}
        here: str | None = body
        seen: set[str] = set()
        while here is not None and here not in seen:  # a partOf cycle stops the walk
            seen.add(here)
            this = node(here)
            if "field" in this and this["field"] not in found:
                found[this["field"]] = this.get("label", "")
            here = this.get("upper")
        out[body] = Place(node(body).get("label", ""), **found)
    return out


def _add_year(years: dict[str, set[int]], body: str, value: str | None) -> None:
    year = to_year(value)
    if year is None:
        years.setdefault(body, set())
    else:
        years[body].add(year)


def _least(held: dict[str, str], key: str, value: str | None) -> None:
    if value is not None and (key not in held or value < held[key]):
        held[key] = value
