"""One gathering pass over a built graph for all four pages.

``write_pages(source, out_dir)`` writes ``network.html``, ``summary.html``,
``towns.csv`` and ``graph.graphml`` from one pass over the graph; the
functions in ``kg.summary`` and ``kg.viz`` that make one output each run the
same pass for that output alone.

The pass is built for big builds (hundreds of thousands of reports, tens of
millions of triples): the per-mention work happens inside SPARQL, never in
Python, and memory does not grow with the corpus beyond a few small records
per report, town and concept:

* a few whole-graph SELECTs whose results are small: reports, places,
  concepts, and each body's number of linked concepts;
* then the towns in CSV order, in batches of about ``BATCH_REPORTS``
  reports. For each batch, one SELECT counts the batch's mentions per
  (report, concept, sentence) (``GROUP BY``/``COUNT``); Python keeps, per
  (report, concept), the total and the least sentence as its evidence. A
  body's links are read too (one more SELECT, packed one row per body with
  ``GROUP_CONCAT``) only where its mentions do not tell them, which never
  happens in a graph ``kg build`` made. On an Oxigraph store the batches run
  two at a time, in threads (Oxigraph releases the GIL while it evaluates).
  ``kg build`` skips that SELECT: its workers wrote the same per-(report,
  concept) counts and least sentences beside each report (``EvidenceFiles``),
  which is cheaper than reading every mention back out of the store.
* Each batch's rows go straight to ``towns.csv`` and to the edges of
  ``graph.graphml`` (both streamed), and are folded into per-town and
  per-concept counts; details are kept only for the towns the summary shows
  as cards and the bodies the network may draw.

Query shapes, as measured on a 20,000-report store (1.1 million mentions):
a ``VALUES ?r`` batch driving ``?m fz:inReport ?r`` (an index range per
report) with plain joins costs about 1.1 s of CPU per 1,000 reports and
keeps memory flat; single-pattern scans, ``UNION``s of scans and
``OPTIONAL { SELECT … }`` sub-selects (hash joins) make the whole-graph
queries cheap. Avoided: the default plan of ``OPTIONAL``/plain patterns
over every report or mention (nested loops, ~8 µs per lookup), whole-graph
joins over every mention (fast but several hundred MB of hash tables),
``VALUES ?p`` together with a bound subject (a cross product), ``OPTIONAL``
inside the per-mention join, ``FILTER NOT EXISTS`` over links, and
``MIN``/``SAMPLE`` over sentences (they decode every value; grouping by the
sentence compares encoded terms).

Evidence: for each (report, concept) the sentence is the least of its
mentions' sentences (deterministic on any backend); a (town, year,
concept) takes the least (source, sentence) of its reports; a town's card
takes its newest year. The highlighted surface form is the concept's
longest label or altLabel found in the sentence (a build records every
surface form as an altLabel). Mentions without a sentence are not counted.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote

from .graph import Span, read_span
from .model import KINDS
from .vocab import KIND_CLASS_NAME, KIND_LINK_NAME, KIND_OF_CLASS, KIND_OF_LINK, ONTOLOGY

Select = Callable[[str], "list[dict[str, str]]"]

FZ = ONTOLOGY
PREFIXES = """PREFIX fz:   <https://w3id.org/fzkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:  <http://purl.org/dc/terms/>
"""

# Concept kinds, in display order: key, RDF class, body -> concept link.
KIND_KEYS = KINDS
KIND_CLASS = KIND_CLASS_NAME
KIND_LINK = KIND_LINK_NAME
LINK_KEYS = tuple(KIND_LINK[k] for k in KIND_KEYS)

# Administrative levels, most specific first (a body typed twice takes the first).
LEVELS = ("Township", "Subdistrict", "County", "District", "City", "Province")
COUNTY_LEVELS = ("County", "District")

BATCH_REPORTS = 300  # reports per batch of the per-mention pass
THREADS = 2  # batches evaluated at once on an Oxigraph store
EVIDENCE_CANDIDATES = 4  # evidence sentences kept per concept for the network tooltips
TOWN_NAMES = 12  # town names kept per concept (the chart tooltips name 12)

_LINK_FILTER = "FILTER(?p IN (" + ", ".join(f"fz:{link}" for link in LINK_KEYS) + "))"
_LINK_VALUES = "VALUES ?p { " + " ".join(f"fz:{link}" for link in LINK_KEYS) + " }"


# ---------------------------------------------------------------- queries

Q_REPORTS = PREFIXES + """
SELECT ?report ?body ?source ?title ?year ?issued WHERE {
  { SELECT ?report WHERE { ?report a fz:Report } }
  OPTIONAL { SELECT ?report ?body WHERE { ?report fz:issuedBy ?body } }
  OPTIONAL { SELECT ?report ?source WHERE { ?report dct:source ?source } }
  OPTIONAL { SELECT ?report ?title WHERE { ?report dct:title ?title } }
  OPTIONAL { SELECT ?report ?year WHERE { ?report fz:year ?year } }
  OPTIONAL { SELECT ?report ?issued WHERE { ?report dct:issued ?issued } }
}"""

# Divisions: their level types, labels and the divisions they are part of.
Q_PLACES = PREFIXES + """
SELECT ?place ?type ?label ?lang ?upper WHERE {
  { VALUES ?type { fz:Township fz:Subdistrict fz:County fz:District fz:City fz:Province } ?place a ?type . }
  UNION { ?place rdfs:label ?label . BIND(LANG(?label) AS ?lang) }
  UNION { ?place fz:partOf ?upper . }
}"""

# Concepts: their kind classes, labels, other labels, and the links pointing at them.
Q_CONCEPTS = PREFIXES + """
SELECT ?concept ?type ?label ?lang ?alt ?p WHERE {
  { VALUES ?type { fz:Institution fz:Mechanism fz:Programme fz:Law fz:Role } ?concept a ?type . }
  UNION { ?concept skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }
  UNION { ?concept skos:altLabel ?alt . }
  UNION { SELECT DISTINCT ?concept ?p WHERE { %s ?body ?p ?concept . } }
}""" % _LINK_VALUES

# How many concepts each body links to (ranks towns before the pass).
Q_DEGREE = PREFIXES + """
SELECT ?body (COUNT(?concept) AS ?n) WHERE { %s ?body ?p ?concept . } GROUP BY ?body""" % _LINK_VALUES

# The mentions of a batch's reports, counted per (report, concept, sentence): Python keeps each
# (report, concept)'s total and least sentence. (Cheaper than MIN(?sentence) + GROUP_CONCAT in
# SPARQL: grouping compares encoded terms, MIN decodes every sentence.)
Q_MENTIONS = PREFIXES + """
SELECT ?report ?concept ?sentence (COUNT(?m) AS ?n) WHERE {
  VALUES ?report { %s }
  ?m fz:inReport ?report ; fz:mentionOf ?concept ; fz:sentence ?sentence .
} GROUP BY ?report ?concept ?sentence"""

# Per body of a batch: its links (predicate, concept), packed.
Q_LINKS = PREFIXES + """
SELECT ?body (GROUP_CONCAT(?item; separator="") AS ?items) WHERE {
  VALUES ?body { %s }
  ?body ?p ?concept . %s FILTER(isIRI(?concept))
  BIND(STR(?concept) AS ?c)
  BIND(CONCAT(STRAFTER(STR(?p), "#"), " ", STR(STRLEN(?c)), " ", ?c) AS ?item)
} GROUP BY ?body"""

def _iris(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


# ---------------------------------------------------------------- running queries

class Source:
    """Runs SELECTs on a graph: rows as tuples of plain strings (``None`` when unbound)."""

    parallel = False

    def rows(self, query: str, variables: Sequence[str]) -> Iterator[tuple[str | None, ...]]:
        raise NotImplementedError

    def mentions(self, reports: Sequence[str]) -> Iterator[tuple[str, str, str, str | int]]:
        """(report, concept, sentence, mentions) for the given reports' mentions."""
        return self.rows(Q_MENTIONS % _iris(reports), ("report", "concept", "sentence", "n"))

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        """``fn`` over ``items``, results in order; on a store, a few at a time in threads."""
        if not self.parallel or len(items) < 2:
            yield from map(fn, items)
            return
        with ThreadPoolExecutor(THREADS) as pool:
            ahead = []
            it = iter(items)
            for item in it:
                ahead.append(pool.submit(fn, item))
                if len(ahead) > THREADS:
                    yield ahead.pop(0).result()
            for fut in ahead:
                yield fut.result()


class SelectSource(Source):
    """A ``select(query) -> list of dicts`` callable, as the page functions take."""

    def __init__(self, select: Select) -> None:
        self.select = select

    def rows(self, query, variables):
        for row in self.select(query):
            yield tuple(row.get(v) for v in variables)


class StoreSource(Source):
    """A store that streams rows as tuples (``GraphStore.rows``), read without a dict per row."""

    parallel = True

    def __init__(self, rows: Callable[[str], Iterator[tuple[str | None, ...]]]) -> None:
        self._rows = rows

    def rows(self, query, variables):
        return self._rows(query)


class EvidenceFiles(Source):
    """A source whose per-mention rows come from what a build kept of each report (the JSON of
    ``graph.report_evidence`` at a span of its cache: per concept, the mentions and the least
    sentence) and its whole-graph rows from ``inner``: the rows a store gives, without reading
    every mention back out of it."""

    def __init__(self, inner: Source, files: dict[str, Span]) -> None:
        self.inner, self.files = inner, files
        self.parallel = inner.parallel

    def rows(self, query, variables):
        return self.inner.rows(query, variables)

    def mentions(self, reports):
        missing = [r for r in reports if r not in self.files]
        if missing:  # not reports of this build: ask the graph
            yield from self.inner.mentions(missing)
        for r in reports:
            if r not in self.files:
                continue
            for concept, n, sentence in json.loads(read_span(self.files[r])):
                yield r, concept, sentence, n


def as_source(graph: Any) -> Source:
    """A ``Source`` for a GraphStore, a pyoxigraph Store, a ``Source`` or a select callable."""
    if isinstance(graph, Source):
        return graph
    if callable(getattr(graph, "rows", None)):  # kg.query.GraphStore
        return StoreSource(graph.rows)
    if type(graph).__module__.startswith("pyoxigraph"):
        from .query import GraphStore

        return StoreSource(GraphStore(graph).rows)
    if callable(graph):
        return SelectSource(graph)
    raise TypeError(f"cannot read a graph from {type(graph).__name__}")


# ---------------------------------------------------------------- helpers

def local_name(iri: str) -> str:
    """The readable tail of an IRI, for things that have no label."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return unquote(tail)


def year_of(value: str | None) -> str:
    """The four-digit year of a gYear (or date) lexical form; '' when there is none."""
    m = re.match(r"\s*(-?\d{4})", value or "")
    return m.group(1) if m else ""


def squash(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis standing for what was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _int(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def pick_label(candidates: Iterable[tuple[str, str]]) -> str | None:
    """Prefer a Chinese label, then an untagged one, then any; ties by text."""

    def rank(item: tuple[str, str]) -> tuple[int, str, str]:
        label, lang = item
        lang = lang.lower()
        return (0 if lang == "zh" or lang.startswith("zh-") else 1 if lang == "" else 2, lang, label)

    items = sorted(set(candidates), key=rank)
    return items[0][0] if items else None


def _unpack(text: str | None, fields: str) -> Iterator[list[str]]:
    """Items packed by the batch queries: length-prefixed strings ("3 abc") and plain tokens ("12 ")."""
    if not text:
        return
    i, end = 0, len(text)
    while i < end:
        item = []
        for kind in fields:
            j = text.index(" ", i)
            if kind == "s":  # length-prefixed string
                n = int(text[i:j])
                item.append(text[j + 1: j + 1 + n])
                i = j + 1 + n
            else:  # a token ended by a space
                item.append(text[i:j])
                i = j + 1
        yield item


def marked_term(sentence: str, terms: Sequence[str]) -> str:
    """What to highlight in an evidence sentence: the first of ``terms`` (a concept's labels,
    longest first) found in it -- a build records every surface form it met as an altLabel,
    so this is the surface form the sentence was matched by."""
    return next((t for t in terms if t in sentence), "")


class _Smallest:
    """The ``size`` least items added (duplicates kept), and how many were added."""

    __slots__ = ("items", "size", "count")

    def __init__(self, size: int) -> None:
        self.items: list = []
        self.size = size
        self.count = 0

    def add(self, item) -> None:
        self.count += 1
        if len(self.items) < self.size:
            bisect.insort(self.items, item)
        elif item < self.items[-1]:
            bisect.insort(self.items, item)
            self.items.pop()


# ---------------------------------------------------------------- the data

@dataclass(slots=True)
class Report:
    iri: str
    body: str | None = None
    source: str = ""
    title: str = ""  # as written (pages squash it)
    year: str = ""
    issued: str = ""


@dataclass(slots=True)
class Town:
    """A body that issued at least one report."""

    iri: str
    name: str = ""
    level: str = ""  # Township, Subdistrict, ...
    upper: str = ""  # the name of the division it is directly part of ('' if none)
    county: str = ""
    county_iri: str = ""
    province: str = ""
    province_iri: str = ""
    chain: list[str] = field(default_factory=list)  # upper divisions, top down
    reports: list[Report] = field(default_factory=list)
    degree: int = 0  # linked concepts, counted before the pass (ranks towns)
    linked: int = 0  # distinct linked concepts, counted in the pass
    mentions: int = 0
    index: int = 0  # position among the summary's cards, from 1 (0: no card)
    named: dict | None = None  # shown towns: concept -> Named
    links: dict | None = None  # network candidates: concept -> (link predicates, years)

    @property
    def display(self) -> str:
        """The name with the division above it, as the network labels it."""
        return f"{self.name} ({self.upper})" if self.upper else self.name


@dataclass(slots=True)
class Named:
    """What a shown town's reports say about one concept."""

    years: list[str]  # years of the reports naming it ('' for a report without one)
    mentions: int
    year: str = ""  # the evidence shown: its report's year, source, sentence and marked surface
    source: str = ""
    sentence: str = ""
    surface: str = ""


@dataclass(slots=True)
class Concept:
    iri: str
    kind: str
    label: str
    alts: list[str] = field(default_factory=list)
    preds: frozenset[str] = frozenset()  # the link predicates (local names) pointing at it anywhere
    towns: int = 0  # towns naming it (mentions or links)
    mentions: int = 0
    names: _Smallest = field(default_factory=lambda: _Smallest(TOWN_NAMES + 1))
    link_towns: int = 0  # towns linked to it (the network's count)
    link_names: _Smallest = field(default_factory=lambda: _Smallest(7))
    years: set[str] = field(default_factory=set)  # years of the linked towns' reports naming it
    evidence: _Smallest = field(default_factory=lambda: _Smallest(EVIDENCE_CANDIDATES))
    index: int = 0  # position in the global order, from 1
    _terms: list[str] | None = None

    @property
    def terms(self) -> list[str]:
        """Its label and other labels, longest first (ties by text); sorted once, on first use."""
        if self._terms is None:
            self._terms = sorted({t for t in (self.label, *self.alts) if t}, key=lambda t: (-len(t), t))
        return self._terms


@dataclass
class Corpus:
    reports: dict[str, Report]  # by IRI
    towns: dict[str, Town]  # in page order (province, county, name)
    concepts: dict[str, Concept]  # named by a town, in global order: most towns first
    linked: dict[str, Concept]  # linked from a town (the network's concepts), any order
    years: list[str]  # report years, sorted
    n_mentions: int = 0
    shown: list[Town] = field(default_factory=list)  # towns with a card, in page order


# ---------------------------------------------------------------- gathering

def gather(graph: Any, *, max_towns: int = 0, max_bodies: int = 0,
           csv_out: TextIO | None = None, edges_out: Callable[[str], Any] | None = None) -> Corpus:
    """Everything the pages need, in one pass.

    ``max_towns`` towns (the most connected) keep their per-concept detail
    for the summary's cards; ``max_bodies`` bodies (the most connected) keep
    their links for the network. ``csv_out`` receives towns.csv and
    ``edges_out`` the GraphML ``<edge>`` elements, as the pass goes.
    """
    src = as_source(graph)
    first = list(src.map(lambda job: job(), [
        lambda: _reports(src),
        lambda: list(src.rows(Q_PLACES, ("place", "type", "label", "lang", "upper"))),
        lambda: _concepts(src),
        lambda: list(src.rows(Q_DEGREE, ("body", "n"))),
    ]))
    reports, places, concepts, degrees = first
    towns = _towns(places, reports)
    for body, n in degrees:
        if body in towns:
            towns[body].degree = _int(n)
    del first, places, degrees

    page = sorted(towns.values(), key=lambda t: (t.province == "", t.province, t.county == "", t.county,
                                                 t.name, t.iri))
    shown = sorted(page, key=lambda t: -t.degree)[:max_towns]  # stable: ties keep page order
    for t in shown:
        t.named = {}
    order_of = {t.iri: i for i, t in enumerate(page)}
    shown.sort(key=lambda t: order_of[t.iri])
    for i, t in enumerate(shown, 1):
        t.index = i
    for t in sorted(towns.values(), key=lambda t: (-t.degree, t.display, t.iri))[:max_bodies]:
        t.links = {}

    writer = csv.writer(csv_out, lineterminator="\n") if csv_out is not None else None
    if writer:
        writer.writerow(CSV_HEADER)
    total = 0
    for batch, found in src.map(lambda b: _fetch(src, b, concepts), _batches(towns)):
        total += _fold(batch, found, concepts, writer, edges_out)

    named = {c.iri: c for c in concepts.values() if c.towns}
    order = sorted(named.values(), key=lambda c: (-c.towns, KIND_KEYS.index(c.kind), c.label, c.iri))
    for i, c in enumerate(order, 1):
        c.index = i
    return Corpus(reports=dict(sorted(reports.items())), towns={t.iri: t for t in page},
                  concepts={c.iri: c for c in order},
                  linked={c.iri: c for c in concepts.values() if c.link_towns},
                  years=sorted({r.year for r in reports.values() if r.year}),
                  n_mentions=total, shown=shown)


def _reports(src: Source) -> dict[str, Report]:
    reports: dict[str, Report] = {}
    for iri, body, source, title, year, issued in src.rows(Q_REPORTS, ("report", "body", "source", "title",
                                                                       "year", "issued")):
        rep = reports.get(iri)
        if rep is None:
            rep = reports[iri] = Report(iri)
        # several values: keep the least, so the choice does not depend on row order
        for attr, value in (("body", body), ("source", source), ("title", title), ("year", year_of(year)),
                            ("issued", (issued or "")[:10])):
            if value and (not getattr(rep, attr) or value < getattr(rep, attr)):
                setattr(rep, attr, value)
    return reports


def _towns(places: Iterable[tuple], reports: dict[str, Report]) -> dict[str, Town]:
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[tuple[str, str]]] = defaultdict(set)
    uppers: dict[str, set[str]] = defaultdict(set)
    for place, typ, label, lang, upper in places:
        if typ and typ.startswith(FZ):
            types[place].add(typ[len(FZ):])
        if label:
            labels[place].add((squash(label), lang or ""))
        if upper:
            uppers[place].add(upper)

    def level(iri: str) -> str:
        return next((t for t in LEVELS if t in types.get(iri, ())), "")

    def name(iri: str) -> str:
        return pick_label(labels.get(iri, ())) or local_name(iri)

    def walk_up(start: str) -> list[str]:
        """The divisions above ``start``, nearest first (partOf cycles stop the walk)."""
        seen, out, here = {start}, [], start
        while True:
            up = sorted(uppers.get(here, ()))
            if not up or up[0] in seen:
                return out
            here = up[0]
            seen.add(here)
            out.append(here)

    towns: dict[str, Town] = {}
    for rep in reports.values():
        if rep.body:
            t = towns.get(rep.body)
            if t is None:
                t = towns[rep.body] = Town(rep.body)
            t.reports.append(rep)
    for t in towns.values():
        t.name, t.level = name(t.iri), level(t.iri)
        up = sorted(uppers.get(t.iri, ()))
        if up:  # the network's label: the least label of the least division above
            t.upper = min((label for label, _ in labels.get(up[0], ())), default="") or local_name(up[0])
        chain = walk_up(t.iri)
        t.chain = [name(u) for u in reversed(chain)]
        # the county-level unit: the body itself, else the nearest County/District above,
        # else a City the body sits directly under (a county-level city, or a city without counties)
        county = t.iri if t.level in COUNTY_LEVELS else None
        for u in chain:
            if county:
                break
            if level(u) in COUNTY_LEVELS:
                county = u
            elif level(u) in ("City", "Province"):
                if level(u) == "City" and u == chain[0] and t.level not in ("City", "Province"):
                    county = u
                break
        province = next((u for u in [t.iri, *chain] if level(u) == "Province"), None)
        if county:
            t.county, t.county_iri = name(county), county
        if province:
            t.province, t.province_iri = name(province), province
        t.reports.sort(key=lambda r: (r.year, r.issued, r.source, r.iri))
    return towns


def _concepts(src: Source) -> dict[str, Concept]:
    """Every concept with a kind: its class, else the links that point at it say what it is."""
    kinds: dict[str, set[str]] = defaultdict(set)
    preds: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[tuple[str, str]]] = defaultdict(set)
    alts: dict[str, set[str]] = defaultdict(set)
    for c, typ, label, lang, alt, p in src.rows(Q_CONCEPTS, ("concept", "type", "label", "lang", "alt", "p")):
        if typ in KIND_OF_CLASS:
            kinds[c].add(KIND_OF_CLASS[typ])
        if label:
            labels[c].add((squash(label), lang or ""))
        if alt:
            alts[c].add(squash(alt))
        if p in KIND_OF_LINK:
            preds[c].add(KIND_OF_LINK[p])
    out: dict[str, Concept] = {}
    for c in set(kinds) | set(preds):
        kind = next((k for k in KIND_KEYS if k in kinds.get(c, ())), None) or \
            next((k for k in KIND_KEYS if k in preds.get(c, ())), None)
        if kind is None:
            continue
        label = pick_label(labels.get(c, ())) or local_name(c)
        out[c] = Concept(c, kind, label, sorted(alts.get(c, set()) - {label}),
                         frozenset(KIND_LINK[k] for k in preds.get(c, ())))
    return out


def _batches(towns: dict[str, Town]) -> list[list[Town]]:
    """Towns in CSV order, cut into batches of about BATCH_REPORTS reports; towns that
    share a (name, county, province) stay in one batch, so each batch's rows sort alone."""
    ordered = sorted(towns.values(), key=lambda t: (t.name, t.county, t.province, t.iri))
    batches: list[list[Town]] = []
    batch: list[Town] = []
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


def _csv_key(t: Town) -> tuple[str, str, str]:
    return (t.name, t.county, t.province)


@dataclass
class _Found:
    mentions: dict[str, list[list]]  # report -> [concept, mentions, least sentence]
    links: dict[str, list[list[str]]]  # body -> [predicate local name, concept]; only bodies whose
    # links do not follow from their mentions


def _fetch(src: Source, batch: list[Town], concepts: dict[str, Concept]) -> tuple[list[Town], _Found]:
    """The batch's queries (run in a worker thread on a store)."""
    report_iris = [r.iri for t in batch for r in t.reports]
    per_report: dict[str, dict[str, list]] = defaultdict(dict)
    for r, c, sentence, n in src.mentions(report_iris):
        held = per_report[r].get(c)
        if held is None:
            per_report[r][c] = [c, _int(n), sentence]
        else:
            held[1] += _int(n)
            if sentence < held[2]:
                held[2] = sentence
    mentions = {r: list(found.values()) for r, found in per_report.items()}
    # A body's links are read only when its mentions do not tell them: a graph built by
    # kg links a body to exactly the concepts its reports mention, each by its kind's link.
    ask = [t.iri for t in batch if not _links_follow_mentions(t, mentions, concepts)]
    links: dict[str, list[list[str]]] = {}
    if ask:
        links = {b: list(_unpack(items, "ts")) for b, items in
                 src.rows(Q_LINKS % (_iris(ask), _LINK_FILTER), ("body", "items"))}
        links.update((b, []) for b in ask if b not in links)
    return batch, _Found(mentions, links)


def _links_follow_mentions(t: Town, mentions: dict[str, list[list[str]]], concepts: dict[str, Concept]) -> bool:
    """Whether the body's links are exactly its mentioned concepts that anything links to,
    each by the one predicate that points at that concept (then no links query is needed)."""
    linked: set[str] = set()
    for rep in t.reports:
        for c, _n, _s in mentions.get(rep.iri, ()):
            concept = concepts.get(c)
            if concept is not None and concept.preds:
                if len(concept.preds) > 1:
                    return False
                linked.add(c)
    return len(linked) == t.degree


class _Pair:
    __slots__ = ("preds", "n", "years", "best")

    def __init__(self) -> None:
        self.preds: set[str] = set()
        self.n = 0
        self.years: set[str] = set()
        self.best: dict[str, tuple[str, str, str]] = {}  # year -> least (source, sentence, report)


def _fold(batch: list[Town], found: _Found, concepts: dict[str, Concept], writer, edges_out) -> int:
    """Fold one batch into the counts, write its CSV rows and GraphML edges; the batch's mentions."""
    rows: set[tuple[str, ...]] = set()
    total = 0
    for t in batch:
        exact = found.links.get(t.iri)
        if exact is None and len(t.reports) == 1 and t.named is None and t.links is None:
            total += _fold_simple(t, found.mentions.get(t.reports[0].iri, ()), concepts,
                                  rows if writer is not None else None, edges_out)
            continue
        pairs: dict[str, _Pair] = {}
        for p, c in exact or ():
            if c in concepts:
                pair = pairs.get(c) or pairs.setdefault(c, _Pair())
                pair.preds.add(p)
        for rep in t.reports:
            for c, n, sentence in found.mentions.get(rep.iri, ()):
                concept = concepts.get(c)
                if concept is None:
                    continue
                pair = pairs.get(c)
                if pair is None:
                    pair = pairs[c] = _Pair()
                    if exact is None:  # links follow mentions (see _links_follow_mentions)
                        pair.preds.update(concept.preds)
                pair.n += n
                pair.years.add(rep.year)
                candidate = (rep.source, sentence, rep.iri)
                held = pair.best.get(rep.year)
                if held is None or candidate < held:
                    pair.best[rep.year] = candidate
                concept.evidence.add((rep.source or local_name(rep.iri), sentence, rep.year))
        t.linked = sum(1 for pair in pairs.values() if pair.preds)
        for c in sorted(pairs):
            pair, concept = pairs[c], concepts[c]
            t.mentions += pair.n
            total += pair.n
            concept.towns += 1
            concept.mentions += pair.n
            concept.names.add(t.name)
            years = sorted(pair.years)
            if pair.preds:
                concept.link_towns += 1
                concept.link_names.add(t.name)
                concept.years.update(y for y in years if y)
                if t.links is not None:
                    t.links[c] = (_frozen(frozenset(pair.preds)), [y for y in years if y])
            if t.named is not None:
                named = Named(years, pair.n)
                if pair.best:
                    year = max(pair.best, key=lambda y: (_int(y), y))  # the newest report's evidence
                    source, sentence, _r = pair.best[year]
                    named.year, named.source, named.sentence = year, source, squash(sentence)
                    named.surface = marked_term(named.sentence, concept.terms)
                t.named[c] = named
            if writer is not None:
                for year in years or [""]:
                    best = pair.best.get(year)
                    rows.add((t.name, t.county, t.province, year, concept.kind, concept.label,
                              _squash_fast(best[1]) if best else ""))
            if edges_out is not None:
                link = _link_attr(frozenset(pair.preds), concept.kind)
                edges_out(_edge_xml(t.iri, c, link, pair.n, " ".join(y for y in years if y)))
    if writer is not None:
        writer.writerows([_cell(v) for v in row] if _UNSAFE_CELL.search("".join(row)) else row
                         for row in sorted(rows))
    return total


def _fold_simple(t: Town, items: list[list[str]], concepts: dict[str, Concept], rows: set | None,
                 edges_out) -> int:
    """``_fold`` for the common town: one report, links that follow its mentions, no details kept."""
    rep = t.reports[0]
    year, source = rep.year, rep.source or local_name(rep.iri)
    name, county, province = t.name, t.county, t.province
    total = linked = 0
    for c, n, sentence in sorted(items):
        concept = concepts.get(c)
        if concept is None:
            continue
        total += n
        concept.towns += 1
        concept.mentions += n
        held = concept.names
        if len(held.items) < held.size or name < held.items[-1]:
            held.add(name)
        else:
            held.count += 1
        held = concept.evidence
        candidate = (source, sentence, year)
        if len(held.items) < held.size or candidate < held.items[-1]:
            held.add(candidate)
        if concept.preds:
            linked += 1
            concept.link_towns += 1
            held = concept.link_names
            if len(held.items) < held.size or name < held.items[-1]:
                held.add(name)
            else:
                held.count += 1
            if year:
                concept.years.add(year)
        if rows is not None:
            rows.add((name, county, province, year, concept.kind, concept.label, _squash_fast(sentence)))
        if edges_out is not None:
            edges_out(_edge_xml(t.iri, c, _link_attr(concept.preds, concept.kind), n, year))
    t.mentions += total
    t.linked = linked
    return total


@lru_cache(maxsize=64)
def _frozen(preds: frozenset[str]) -> frozenset[str]:
    """One shared object per set of link predicates."""
    return preds


@lru_cache(maxsize=64)
def _link_attr(preds: frozenset[str], kind: str) -> str:
    return " ".join(k for k in LINK_KEYS if k in preds) or KIND_LINK[kind]


def _squash_fast(text: str) -> str:
    """``squash``, skipping texts that have nothing to squash."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return squash(text)


# ---------------------------------------------------------------- towns.csv

CSV_HEADER = ("town", "county", "province", "year", "kind", "concept", "sentence")


_UNSAFE_CELL = re.compile("[=+\\-@\t\r]")  # a character a cell may not start with


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV-injection guard)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---------------------------------------------------------------- graph.graphml

TOWN_COLOUR = "#76b7b2"
KIND_COLOUR = {"institution": "#4e79a7", "mechanism": "#f28e2b", "programme": "#59a14f", "law": "#b07aa1",
               "role": "#e15759"}

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


def _edge_xml(source: str, target: str, link: str, mentions: int, years: str) -> str:
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


def graphml_nodes(corpus: Corpus) -> Iterator[str]:
    """The <node> elements: towns in page order, then concepts in global order."""
    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    for t in corpus.towns.values():
        yield _node_xml(t.iri, (t.name, "town", t.level, t.county, t.province, 1, t.mentions, len(t.reports),
                                *rgb(TOWN_COLOUR)))
    for c in corpus.concepts.values():
        yield _node_xml(c.iri, (c.label, c.kind, "", "", "", c.towns, c.mentions, 0, *rgb(KIND_COLOUR[c.kind])))


# ---------------------------------------------------------------- all four, written once

FILES = ("network.html", "summary.html", "towns.csv", "graph.graphml")  # what write_pages writes


def write_pages(graph: Any, out_dir: str | Path, *, max_nodes: int = 1500, max_towns: int | None = None,
                title: str | None = None, network_title: str | None = None) -> list[Path]:
    """Write network.html, summary.html, towns.csv and graph.graphml into ``out_dir``.

    ``graph`` is a GraphStore, a pyoxigraph Store or a ``select`` callable.
    One gathering pass serves all four; towns.csv and the GraphML edges are
    streamed to disk as the pass goes. Each file is written beside its
    target and renamed over it, so a reader never sees half a file.
    """
    from . import summary
    from .graph import AtomicWriter
    from .viz import write_network  # pyvis is only needed here

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_file = AtomicWriter(out / "towns.csv")
    edges_fd, edges_tmp = tempfile.mkstemp(prefix=".graph.graphml.", suffix=".edges", dir=out)
    edges = os.fdopen(edges_fd, "w", encoding="utf-8", newline="\n")
    gml = None

    def write_graphml(corpus: Corpus) -> None:  # mostly I/O: runs beside the page rendering
        gml.write(graphml_head())
        for node in graphml_nodes(corpus):
            gml.write(node)
        gml.fh.flush()
        with open(edges_tmp, encoding="utf-8") as fh:
            shutil.copyfileobj(fh, gml.fh, 1 << 20)
        gml.write(GRAPHML_TAIL)
        gml.commit()

    try:
        corpus = gather(graph, max_towns=summary.MAX_TOWNS if max_towns is None else max_towns,
                        max_bodies=max_nodes, csv_out=csv_file.fh, edges_out=edges.write)
        csv_file.commit()
        edges.close()
        gml = AtomicWriter(out / "graph.graphml")
        with ThreadPoolExecutor(1) as pool:
            graphml_done = pool.submit(write_graphml, corpus)
            kw = {} if title is None else {"title": title}
            _write_streamed(out / "summary.html", lambda fh: summary.write_summary(corpus, fh, **kw))
            kw2 = {} if network_title is None else {"title": network_title}
            _write_streamed(out / "network.html", lambda fh: write_network(corpus, fh, max_nodes=max_nodes, **kw2))
            graphml_done.result()
    except BaseException:
        csv_file.abandon()
        if gml is not None:
            gml.abandon()
        raise
    finally:
        if not edges.closed:
            edges.close()
        Path(edges_tmp).unlink(missing_ok=True)
    return [out / name for name in FILES]


def _write_streamed(path: Path, write: Callable[[TextIO], None]) -> None:
    """A file written through ``write(fh)`` beside ``path`` and renamed over it when whole."""
    from .graph import AtomicWriter

    target = AtomicWriter(path)
    try:
        write(target.fh)
        target.commit()
    except BaseException:
        target.abandon()
        raise


def graphml_text(corpus: Corpus, edges: Iterable[str]) -> str:
    buf = io.StringIO()
    buf.write(graphml_head())
    for node in graphml_nodes(corpus):
        buf.write(node)
    for edge in edges:
        buf.write(edge)
    buf.write(GRAPHML_TAIL)
    return buf.getvalue()
