"""One gathering pass over a built graph for all four pages.

A few whole-graph SELECTs whose results are small (reports, places,
concepts, and each body's number of linked concepts); then the bodies in
CSV order, in batches of about ``BATCH_REPORTS`` reports, each batch's
mentions counted per (report, concept, sentence) inside SPARQL, never
per mention in Python (``fold``). Which query shapes are cheap on Oxigraph,
and which are avoided, is written in docs/queries.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TextIO

from .. import queries
from ..kinds import COUNTY_LEVELS, KINDS, LEVEL, LEVELS, TOOLKIT_KINDS
from ..vocab import KIND_OF_CLASS, KIND_OF_LINK, ONTOLOGY
from .exports import CSV_HEADER
from .fold import fetch, fold
from .memo import PagesMemo
from .records import (BodyStats, ConceptStats, Corpus, Located, ReportInfo, local_name, pick_label, squash,
                      to_int, year_of)
from .source import Source, as_source

BATCH_REPORTS = 300  # reports per batch of the per-mention pass
_KIND_KEYS = tuple(k.key for k in KINDS)
_LEVEL_CLASSES = tuple(level.cls for level in LEVELS)  # most specific first
_COUNTY_CLASSES = tuple(LEVEL[key].cls for key in COUNTY_LEVELS)
_LINK_OF = {k.key: k.link for k in KINDS}


def gather(graph: Any, *, max_cards: int = 0, max_bodies: int = 0,
           csv_out: TextIO | None = None, edges_out: TextIO | None = None,
           memo: PagesMemo | None = None) -> Corpus:
    """Everything the pages need, in one pass.

    ``max_cards`` bodies (the most connected) keep their per-concept detail
    for the summary's cards; ``max_bodies`` bodies (the most connected) keep
    their links for the network. ``csv_out`` receives towns.csv and
    ``edges_out`` the GraphML ``<edge>`` elements, as the pass goes. A ``memo`` of the pass
    before saves folding again the bodies whose inputs did not change, and keeps this pass's
    (both outputs are then ``layout.Splicer`` objects: the kept bodies' parts are spliced in).
    """
    src = as_source(graph)
    first = list(src.map(lambda job: job(), [
        lambda: read_reports(src),
        lambda: read_places(src),
        lambda: _concepts(src),
        lambda: src.table(queries.text("pages_degree"), ("body", "n")),
        lambda: read_coordinates(src),
    ]))
    reports, places, concepts, degrees, located = first
    bodies = bodies_of(places, reports)
    for body, n in degrees:
        if body in bodies:
            bodies[body].degree = to_int(n)
    del first, places, degrees

    page = sorted(bodies.values(), key=lambda t: (t.province == "", t.province, t.city, t.county == "", t.county,
                                                  t.name, t.iri))
    shown = sorted(page, key=lambda t: -t.degree)[:max_cards]  # stable: ties keep page order
    for t in shown:
        t.named = {}
    order_of = {t.iri: i for i, t in enumerate(page)}
    for i, t in enumerate(page):
        t.number = i
    shown.sort(key=lambda t: order_of[t.iri])
    for i, t in enumerate(shown, 1):
        t.index = i
    for t in sorted(bodies.values(), key=lambda t: (-t.degree, t.display, t.iri))[:max_bodies]:
        t.links = {}

    if csv_out is not None:
        header = ",".join(CSV_HEADER) + "\n"
        csv_out.write(header)
        if memo is not None:
            memo.csv_pos = len(header)
    kept = None
    if memo is not None:
        memo.plan(bodies, concepts)
        kept = memo.kept
    total = 0
    for batch, found in src.map(lambda b: fetch(src, b, concepts, kept), _batches(bodies)):
        total += fold(batch, found, concepts, csv_out, edges_out, memo)
    if memo is not None:
        memo.evidence(concepts)

    named = {c.iri: c for c in concepts.values() if c.bodies}
    order = sorted(named.values(), key=lambda c: (-c.bodies, _KIND_KEYS.index(c.kind), c.label, c.iri))
    for i, c in enumerate(order, 1):
        c.index = i
    return Corpus(reports=dict(sorted(reports.items())), bodies={t.iri: t for t in page},
                  concepts={c.iri: c for c in order},
                  linked={c.iri: c for c in concepts.values() if c.link_bodies},
                  years=sorted({r.year for r in reports.values() if r.year}),
                  n_mentions=total, shown=shown, located=located)


def read_reports(src: Source) -> dict[str, ReportInfo]:
    """Every report with its body, source, title, year and issue date."""
    reports: dict[str, ReportInfo] = {}
    columns = ("report", "body", "source", "title", "year", "issued")
    for iri, body, source, title, year, issued in src.table(queries.text("pages_reports"), columns):
        rep = reports.get(iri)
        if rep is None:
            rep = reports[iri] = ReportInfo(iri)
        # several values: keep the least, so the choice does not depend on row order
        for attr, value in (("body", body), ("source", source), ("title", title), ("year", year_of(year)),
                            ("issued", (issued or "")[:10])):
            if value and (not getattr(rep, attr) or value < getattr(rep, attr)):
                setattr(rep, attr, value)
    return reports


def read_places(src: Source) -> list[tuple]:
    """Every division's (place, type, label, lang, upper) rows, for ``bodies_of``."""
    return src.table(queries.text("pages_places"), ("place", "type", "label", "lang", "upper"))


def read_coordinates(src: Source) -> dict[str, Located]:
    """The divisions with coordinates (county-level units, cities, provinces), by IRI."""
    out: dict[str, Located] = {}
    for place, lat, lon, approx, code in src.table(queries.text("pages_coordinates"),
                                                 ("place", "lat", "long", "approx", "code")):
        try:
            here = Located(float(lat), float(lon), approx == "true", code or "")
        except (TypeError, ValueError):
            continue
        if place not in out or here < out[place]:  # several values: keep the least
            out[place] = here
    return out


class Divisions:
    """The division nodes of the graph: each one's level, name and the division it is part of,
    from rows (place, type, label, lang, upper), and where a body sits (its chain, county-level
    unit, city and province). Lookups are memoised: thousands of bodies share each county."""

    def __init__(self, places: Iterable[tuple]) -> None:
        types: dict[str, set[str]] = defaultdict(set)
        self._labels: dict[str, set[tuple[str, str]]] = defaultdict(set)
        uppers: dict[str, set[str]] = defaultdict(set)
        for place, typ, label, lang, upper in places:
            if typ and typ.startswith(ONTOLOGY):
                types[place].add(typ[len(ONTOLOGY):])
            if label:
                self._labels[place].add((squash(label), lang or ""))
            if upper:
                uppers[place].add(upper)
        self._types = types
        self.up = {place: min(ups) for place, ups in uppers.items()}  # the least division above
        self._level: dict[str, str] = {}
        self._name: dict[str, str] = {}
        self._placed: dict[tuple[str, str | None], tuple[tuple[str, ...], list[str], tuple]] = {}

    def level(self, iri: str) -> str:
        """The most specific level class (local name) of a division, '' if none."""
        held = self._level.get(iri)
        if held is None:
            held = self._level[iri] = next((t for t in _LEVEL_CLASSES if t in self._types.get(iri, ())), "")
        return held

    def name(self, iri: str) -> str:
        """Its label (a Chinese one first), else the tail of its IRI."""
        held = self._name.get(iri)
        if held is None:
            held = self._name[iri] = pick_label(self._labels.get(iri, ())) or local_name(iri)
        return held

    def upper_label(self, iri: str) -> str:
        """The least label of the division directly above (the network's label), '' if none."""
        up = self.up.get(iri)
        if not up:
            return ""
        return min((label for label, _ in self._labels.get(up, ())), default="") or local_name(up)

    def chain(self, start: str) -> list[str]:
        """The divisions above ``start``, nearest first (partOf cycles stop the walk)."""
        seen, out, here = {start}, [], start
        while True:
            up = self.up.get(here)
            if up is None or up in seen:
                return out
            here = up
            seen.add(here)
            out.append(here)

    def place(self, iri: str) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
        """The names of the divisions above a body, top down, and its county-level unit, city and
        province (``chain`` and ``where``). Bodies of one level under one division sit alike, so
        each such group is placed once: thousands of towns share a county."""
        group = (self.level(iri), self.up.get(iri))
        held = self._placed.get(group)
        if held is None or iri in held[1]:  # a partOf cycle through this body ends its chain early
            chain = self.chain(iri)
            held = (tuple(self.name(u) for u in reversed(chain)), chain, self.where(iri, chain))
            if iri not in held[2]:  # a county (or city) is its own: not shared with its level
                self._placed[group] = held
        return (held[0], *held[2])

    def where(self, iri: str, chain: list[str]) -> tuple[str | None, str | None, str | None]:
        """The county-level unit, city and province of a division whose chain is ``chain``.

        The county-level unit is the division itself, else the nearest County/District
        above, else a City it sits directly under (a county-level city, or a city without
        counties)."""
        level = self.level(iri)
        levels = [(u, self.level(u)) for u in chain]
        county = iri if level in _COUNTY_CLASSES else None
        for i, (u, up_level) in enumerate(levels):
            if county:
                break
            if up_level in _COUNTY_CLASSES:
                county = u
            elif up_level in ("City", "Province"):
                if up_level == "City" and i == 0 and level not in ("City", "Province"):
                    county = u
                break
        levels.insert(0, (iri, level))
        province = next((u for u, lv in levels if lv == "Province"), None)
        city = next((u for u, lv in levels if lv == "City" and u != county), None)
        return county, city, province


def bodies_of(places: Iterable[tuple], reports: dict[str, ReportInfo]) -> dict[str, BodyStats]:
    """The bodies that issued ``reports``, with their level, chain, county, city and province."""
    divisions = Divisions(places)
    bodies: dict[str, BodyStats] = {}
    for rep in reports.values():
        if rep.body:
            t = bodies.get(rep.body)
            if t is None:
                t = bodies[rep.body] = BodyStats(rep.body)
            t.reports.append(rep)
    name = divisions.name
    for t in bodies.values():
        t.name, t.level = name(t.iri), divisions.level(t.iri)
        t.upper = divisions.upper_label(t.iri)
        t.chain, county, city, province = divisions.place(t.iri)
        if county:
            t.county, t.county_iri = name(county), county
        if city:
            t.city = name(city)
        if province:
            t.province, t.province_iri = name(province), province
        t.reports.sort(key=lambda r: (r.year, r.issued, r.source, r.iri))
    return bodies


def _concepts(src: Source) -> dict[str, ConceptStats]:
    """Every concept with a kind: its class, else the links that point at it say what it is."""
    kinds: dict[str, set[str]] = defaultdict(set)
    preds: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[tuple[str, str]]] = defaultdict(set)
    alts: dict[str, set[str]] = defaultdict(set)
    columns = ("concept", "type", "label", "lang", "alt", "p")
    for c, typ, label, lang, alt, p in src.table(queries.text("pages_concepts"), columns):
        if typ in KIND_OF_CLASS:
            kinds[c].add(KIND_OF_CLASS[typ])
        if label:
            labels[c].add((squash(label), lang or ""))
        if alt:
            alts[c].add(squash(alt))
        if p in KIND_OF_LINK:
            preds[c].add(KIND_OF_LINK[p])
    out: dict[str, ConceptStats] = {}
    for c in set(kinds) | set(preds):
        kind = next((k for k in _KIND_KEYS if k in kinds.get(c, ())), None) or \
            next((k for k in _KIND_KEYS if k in preds.get(c, ())), None)
        if kind is None:
            continue
        label = pick_label(labels.get(c, ())) or local_name(c)
        out[c] = ConceptStats(c, kind, label, sorted(alts.get(c, set()) - {label}),
                              frozenset(_LINK_OF[k] for k in preds.get(c, ())),
                              adopters=[] if kind in TOOLKIT_KINDS else None)
    return out


def _batches(bodies: dict[str, BodyStats]) -> list[list[BodyStats]]:
    """Towns in CSV order, cut into batches of about BATCH_REPORTS reports; bodies that
    share a (name, county, city, province) stay in one batch, so each batch's rows sort alone."""
    ordered = sorted(bodies.values(), key=lambda t: (*_csv_key(t), t.iri))
    batches: list[list[BodyStats]] = []
    batch: list[BodyStats] = []
    size = 0
    for t in ordered:
        if batch and size >= BATCH_REPORTS and _csv_key(batch[-1]) != _csv_key(t):
            batches.append(batch)
            batch, size = [], 0
        batch.append(t)
        size += len(t.reports)
    if batch:
        batches.append(batch)
    return batches


def _csv_key(t: BodyStats) -> tuple[str, str, str, str]:
    return (t.name, t.county, t.city, t.province)

