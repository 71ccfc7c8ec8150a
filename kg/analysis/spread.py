"""How a concept spread: who named it first, when and where, as the policy-diffusion field counts
adoptions (one adoption year per jurisdiction and policy; an event-history panel of
jurisdiction-years).

Adoption. A body adopts X in the least ``fz:year`` of its reports that mention
X: the year its reports first name it. A body linked to X whose reports never
mention it (a graph ``kg build`` did not make) adopts it in the year of its
first report, the earliest the link can be placed. Reports without a year
count for no year: a body that names X only in undated reports is left out of
the counts (``Adoption.undated`` says which), and an undated report gives its
body no panel row. Several reports of one body in one year are one
body-year.

Counting. ``new`` is the bodies adopting in a year; ``cumulative`` all
adopters up to it; ``reporting`` the bodies with a report that year; ``share``
the adopters among those reporting bodies: the mean of ``adopted`` over that
year's panel rows. A body that skips a year is in no count of that year but
stays an adopter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import queries
from ..query import GraphStore
from .bodies import Place, Reporting, places_of, reporting as every_body, to_year

GROUPS = ("province", "county")  # what `--by` splits the counts by


@dataclass(frozen=True)
class Step:
    """One year of a concept's spread (within one group, under ``--by``)."""

    year: int
    new: int
    cumulative: int
    reporting: int
    share: float  # adopters among the bodies reporting that year, 0..1, three decimals


@dataclass(frozen=True)
class Adopter:
    """One of the first bodies to name a concept, with the sentence that shows it."""

    year: int
    town: str
    county: str
    province: str
    report: str  # the file name of the report that shows it ('' for a link without mentions)
    sentence: str


@dataclass(frozen=True)
class PanelRow:
    """One body in one year it reported: has it named the concept by then?"""

    town: str
    county: str
    province: str
    year: int
    adopted: int  # 1 from the first year it names the concept, 0 before


@dataclass
class Adoption:
    """When each body first named one concept."""

    concept: str
    first: dict[str, int] = field(default_factory=dict)  # body -> adoption year
    undated: set[str] = field(default_factory=set)  # bodies naming it only in reports without a year
    linked_only: set[str] = field(default_factory=set)  # bodies linked to it whose reports never mention it


def adoption(store: GraphStore, concept: str, years_of: Callable[[str], set[int]]) -> Adoption:
    """The adoption year of every body that names ``concept``; ``years_of(body)`` gives a body's
    report years, asked only for bodies linked to it without a mention."""
    c = ox.NamedNode(concept)
    out = Adoption(concept)
    mentioned: set[str] = set()
    for _, body, year in store.table(queries.text("adoptions"), {"c": c}):
        mentioned.add(body)
        y = to_year(year)
        if y is not None and (body not in out.first or y < out.first[body]):
            out.first[body] = y
    out.undated = mentioned - out.first.keys()
    for _, body in store.table(queries.text("linked_bodies"), {"c": c}):
        if body in mentioned:
            continue
        out.linked_only.add(body)
        years = years_of(body)
        if years:
            out.first[body] = min(years)
        else:
            out.undated.add(body)
    return out


def adoption_and_reporting(store: GraphStore, concept: str, *, places: bool) -> tuple[Adoption, Reporting]:
    """``adoption`` and ``bodies.reporting`` at once: the scan of every body runs in a second
    thread while the concept's mentions are read (Oxigraph lets go of the GIL while it works)."""
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(every_body, store, places=places)
        found = adoption(store, concept, lambda body: scan.result().years.get(body, set()))
        return found, scan.result()


def steps(found: Adoption, reporting: Reporting, group: str | None = None) -> dict[tuple[str, ...], list[Step]]:
    """One row per year in which some body (of the group) reported, per group: () for the whole
    corpus, (province,) or (province, county) under ``group``; groups and years in order."""
    key = _group_key(group)
    members: dict[tuple[str, ...], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for body, years in reporting.years.items():
        k = key(reporting.places.get(body, Place("")))
        for year in years:
            members[k][year].append(body)
    out: dict[tuple[str, ...], list[Step]] = {}
    for k in sorted(members):
        cumulative = 0
        rows = []
        for year in sorted(members[k]):
            bodies = members[k][year]
            new = sum(1 for b in bodies if found.first.get(b) == year)
            cumulative += new
            adopted = sum(1 for b in bodies if found.first.get(b, year + 1) <= year)
            rows.append(Step(year, new, cumulative, len(bodies), round(adopted / len(bodies), 3)))
        out[k] = rows
    return out


def panel(found: Adoption, reporting: Reporting) -> list[PanelRow]:
    """The event-history panel: one row per body and year it reported, in place order."""
    rows = []
    for body, years in reporting.years.items():
        place = reporting.places.get(body, Place(""))
        first = found.first.get(body)
        for year in years:
            rows.append((place.province, place.county, place.town, body, year,
                         PanelRow(place.town, place.county, place.province, year,
                                  int(first is not None and first <= year))))
    rows.sort(key=lambda r: r[:5])
    return [r[-1] for r in rows]


def first_adopters(store: GraphStore, found: Adoption, n: int) -> list[Adopter]:
    """The ``n`` earliest adopters, each with the first sentence of its first-year reports that
    names the concept. Ties within a year go in the order of the bodies' IRIs, which begin with
    their division codes: province by province, county by county, without a query per body."""
    order = sorted(found.first, key=lambda b: (found.first[b], b))[:n]
    places = places_of(store, order)
    out = []
    for body in order:
        place, year = places[body], found.first[body]
        report, sentence = ("", "") if body in found.linked_only else _evidence(store, found.concept, body, year)
        out.append(Adopter(year, place.town, place.county, place.province, report, sentence))
    return out


def _evidence(store: GraphStore, concept: str, body: str, year: int) -> tuple[str, str]:
    """The (file name, sentence) of the first mention of ``concept`` in ``body``'s reports of
    ``year`` (the least file name, then the earliest offset); ('', '') where none has one."""
    found = []
    bindings = {"c": ox.NamedNode(concept), "body": ox.NamedNode(body)}
    for _, _, y, sentence, start, source in store.rows(queries.text("first_evidence"), bindings):
        if to_year(y) == year:
            found.append((source or "", to_int(start), sentence))
    if not found:
        return "", ""
    source, _, sentence = min(found)
    return source, " ".join(sentence.split())


def to_int(value: str | None) -> int:
    """A character offset as a number; a missing one sorts last."""
    try:
        return int(value) if value is not None else 1 << 62
    except ValueError:
        return 1 << 62


def _group_key(group: str | None) -> Callable[[Place], tuple[str, ...]]:
    if group is None:
        return lambda place: ()
    if group == "province":
        return lambda place: (place.province,)
    if group == "county":
        return lambda place: (place.province, place.county)
    raise ValueError(f"cannot split by {group!r}: one of {', '.join(GROUPS)}")
