"""The per-mention pass, one batch of bodies at a time: what their reports name, folded into
the per-body and per-concept counts, written to towns.csv and the GraphML edges as it goes.

Memory does not grow with the corpus beyond a few small records per report,
body and concept: details are kept only for the bodies the summary shows as
cards and those the network may draw. A body's links are read (one more
SELECT, packed one row per body) only where its mentions do not tell them,
which never happens in a graph ``kg build`` made.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from .. import queries
from ..kinds import KIND
from .exports import UNSAFE_CELL, cell, edge_xml
from .records import BodyStats, ConceptStats, Named, local_name, marked_term, squash, to_int
from .source import Source, iris

_LINKS = tuple(k.link for k in KIND.values())  # the link predicates' local names, in kind order


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



@dataclass
class Found:
    """What a batch's queries found."""

    mentions: dict[str, list[list]]  # report -> [concept, mentions, least sentence]
    links: dict[str, list[list[str]]]  # body -> [predicate local name, concept]; only bodies whose
    # links do not follow from their mentions
    kept: dict[str, list] = field(default_factory=dict)  # bodies not folded again: their memo entries


def fetch(src: Source, batch: list[BodyStats], concepts: dict[str, ConceptStats],
          kept: dict[str, list] | None = None) -> tuple[list[BodyStats], Found]:
    """The batch's queries (run in a worker thread on a store); none for the ``kept`` bodies."""
    kept = {t.iri: kept[t.iri] for t in batch if t.iri in kept} if kept else {}
    todo = [t for t in batch if t.iri not in kept]
    mentions = src.per_concept([r.iri for t in todo for r in t.reports])
    # A body's links are read only when its mentions do not tell them: a graph built by
    # kg links a body to exactly the concepts its reports mention, each by its kind's link.
    ask = [t.iri for t in todo if not _links_follow_mentions(t, mentions, concepts)]
    links: dict[str, list[list[str]]] = {}
    if ask:
        links = {b: list(_unpack(items, "ts")) for b, items in
                 src.rows(queries.text("pages_links").replace("@BODIES@", iris(ask)), ("body", "items"))}
        links.update((b, []) for b in ask if b not in links)
    return batch, Found(mentions, links, kept)


def _links_follow_mentions(t: BodyStats, mentions: dict[str, list[list[str]]],
                           concepts: dict[str, ConceptStats]) -> bool:
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


@dataclass(slots=True)
class BodyFold:
    """All that the pass makes of one body that depends on the body alone (its reports, their
    evidence and the concepts they name), apart from the counts it adds to: a build keeps it
    (``memo``) and folds again only the bodies whose reports or concepts changed."""

    pairs: list[tuple[str, int, str, tuple[str, ...] | None]]  # per concept named, in IRI order:
    # (concept, mentions, first year, years of its reports if linked else None)
    cands: list[tuple[str, tuple[str, str, str]]]  # (concept, (source, sentence, year)) for its evidence
    mentions: int = 0
    linked: int = 0
    links: dict | None = None  # for a network candidate: concept -> (link predicates, years)
    named: dict | None = None  # for a body with a card: concept -> Named
    rows: set[tuple[str, ...]] | None = None  # its towns.csv rows
    edges: str = ""  # its GraphML edges
    deps: list[str] | None = field(default_factory=list)  # every concept its evidence names, known or not


def fold(batch: list[BodyStats], found: Found, concepts: dict[str, ConceptStats], csv_out, edges_out,
         memo=None) -> int:
    """Fold one batch into the counts, write its CSV rows and GraphML edges; the batch's mentions.

    A body the ``memo`` of the build before keeps (``found.kept``) is not folded again: its
    counts are added from what was kept, and its rows and edges are spliced in from the files
    before (``csv_out`` and ``edges_out`` are then ``layout.Splicer`` objects)."""
    total = 0
    for group in _groups(batch):
        rows: set[tuple[str, ...]] = set()
        for t in group:
            kept = found.kept.get(t.iri)
            bf = memo.fold_of(kept) if kept is not None else fold_body(t, found, concepts, csv_out is not None,
                                                                       edges_out is not None)
            add_counts(t, bf, concepts, cands=memo is None)
            total += bf.mentions
            if kept is None and bf.rows:
                rows |= bf.rows
            if edges_out is not None:
                if kept is not None:
                    edges_out.splice(*memo.edges_span(t.iri))
                else:
                    edges_out.write(bf.edges)
            if memo is not None:
                memo.keep(t, bf)
        if csv_out is not None:
            if group[0].iri in found.kept:
                csv_out.splice(*memo.rows_span(group[0].iri))
                memo.rows_written(group)
            else:
                text = _csv(rows)
                csv_out.write(text)
                if memo is not None:
                    memo.rows_written(group, text)
    return total


def _groups(batch: list[BodyStats]) -> Iterator[list[BodyStats]]:
    """The batch's bodies in runs of one CSV key (name, county, city, province): the rows of a run
    sort together, and each run's rows come after the run before's."""
    group: list[BodyStats] = []
    for t in batch:
        if group and (t.name, t.county, t.city, t.province) != (group[0].name, group[0].county,
                                                                 group[0].city, group[0].province):
            yield group
            group = []
        group.append(t)
    if group:
        yield group


_CSV_BUFFER = threading.local()  # one writer per thread, emptied for each run of rows


def _csv(rows: set[tuple[str, ...]]) -> str:
    held = getattr(_CSV_BUFFER, "held", None)
    if held is None:
        out = io.StringIO()
        held = _CSV_BUFFER.held = (out, csv.writer(out, lineterminator="\n"))
    out, writer = held
    out.seek(0)
    out.truncate()
    writer.writerows([cell(v) for v in row] if UNSAFE_CELL.search("".join(row)) else row for row in sorted(rows))
    return out.getvalue()


def add_counts(t: BodyStats, bf: BodyFold, concepts: dict[str, ConceptStats], cands: bool = True) -> None:
    """Add what one body names to the concepts' counts (in page order: ``adopters`` lists numbers);
    its evidence candidates too, unless a memo merges them (``memo.PagesMemo.evidence``)."""
    name, number = t.name, t.number
    for c, n, first, years in bf.pairs:
        concept = concepts[c]
        concept.bodies += 1
        concept.mentions += n
        held = concept.names
        if len(held.items) < held.size or name < held.items[-1]:
            held.add(name)
        else:
            held.count += 1
        if first:
            concept.first_years[first] = concept.first_years.get(first, 0) + 1
        if concept.adopters is not None:
            concept.adopters.append(number)
        if years is not None:
            concept.link_bodies += 1
            held = concept.link_names
            if len(held.items) < held.size or name < held.items[-1]:
                held.add(name)
            else:
                held.count += 1
            concept.years.update(years)
    for c, candidate in bf.cands if cands else ():
        held = concepts[c].evidence
        if len(held.items) < held.size or candidate < held.items[-1]:
            held.add(candidate)
        else:
            held.count += 1
    t.mentions += bf.mentions
    t.linked = bf.linked
    if bf.links is not None:
        t.links = bf.links
    if bf.named is not None:
        t.named = bf.named


def fold_body(t: BodyStats, found: Found, concepts: dict[str, ConceptStats], want_rows: bool,
              want_edges: bool) -> BodyFold:
    """What one body's reports name, from its evidence (and its links where they do not follow)."""
    exact = found.links.get(t.iri)
    if exact is None and len(t.reports) == 1 and t.named is None and t.links is None:
        return _fold_simple(t, found.mentions.get(t.reports[0].iri, ()), concepts, want_rows, want_edges)
    bf = BodyFold([], [], rows=set() if want_rows else None, links={} if t.links is not None else None,
                  named={} if t.named is not None else None)
    pairs: dict[str, _Pair] = {}
    for p, c in exact or ():
        if c in concepts:
            pair = pairs.get(c) or pairs.setdefault(c, _Pair())
            pair.preds.add(p)
    deps = set()
    for rep in t.reports:
        for c, n, sentence in found.mentions.get(rep.iri, ()):
            deps.add(c)
            concept = concepts.get(c)
            if concept is None:
                continue
            c = concept.iri  # one string per concept, however many bodies keep it
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
            bf.cands.append((c, (rep.source or local_name(rep.iri), sentence, rep.year)))
    bf.linked = sum(1 for pair in pairs.values() if pair.preds)
    edges = []
    for c in sorted(pairs):
        pair, concept = pairs[c], concepts[c]
        bf.mentions += pair.n
        years = sorted(pair.years)
        # adoption: the first year its reports name it; a link without mentions, its first report's
        first = next((y for y in years if y), "") if pair.n else next((r.year for r in t.reports if r.year), "")
        linked = tuple(y for y in years if y) if pair.preds else None
        bf.pairs.append((c, pair.n, first, linked))
        if linked is not None and bf.links is not None:
            bf.links[c] = (_frozen(frozenset(pair.preds)), list(linked))
        if bf.named is not None:
            named = Named(years, pair.n)
            if pair.best:
                year = max(pair.best, key=lambda y: (to_int(y), y))  # the newest report's evidence
                source, sentence, _r = pair.best[year]
                named.year, named.source, named.sentence = year, source, squash(sentence)
                named.surface = marked_term(named.sentence, concept.terms)
            bf.named[c] = named
        if bf.rows is not None:
            for year in years or [""]:
                best = pair.best.get(year)
                bf.rows.add((t.name, t.county, t.city, t.province, year, concept.kind, concept.label,
                             _squash_fast(best[1]) if best else ""))
        if want_edges:
            link = _link_attr(frozenset(pair.preds), concept.kind)
            edges.append(edge_xml(t.iri, c, link, pair.n, " ".join(y for y in years if y)))
    bf.edges = "".join(edges)
    bf.deps = sorted(deps) if exact is None else None  # links of its own: folded again every time
    return bf


def _fold_simple(t: BodyStats, items: list[list], concepts: dict[str, ConceptStats], want_rows: bool,
                 want_edges: bool) -> BodyFold:
    """``fold_body`` for the common town: one report, links that follow its mentions, no details kept."""
    rep = t.reports[0]
    year, source = rep.year, rep.source or local_name(rep.iri)
    name, county, city, province = t.name, t.county, t.city, t.province
    pairs, cands, edges = [], [], []
    rows = set() if want_rows else None
    total = linked = 0
    years = (year,) if year else ()
    deps = []
    for c, n, sentence in sorted(items):
        deps.append(c)
        concept = concepts.get(c)
        if concept is None:
            continue
        c = concept.iri  # one string per concept, however many bodies keep it
        total += n
        if concept.preds:
            linked += 1
        pairs.append((c, n, year, years if concept.preds else None))
        cands.append((c, (source, sentence, year)))
        if rows is not None:
            rows.add((name, county, city, province, year, concept.kind, concept.label, _squash_fast(sentence)))
        if want_edges:
            edges.append(edge_xml(t.iri, c, _link_attr(concept.preds, concept.kind), n, year))
    return BodyFold(pairs, cands, total, linked, rows=rows, edges="".join(edges), deps=deps)


@lru_cache(maxsize=64)
def _frozen(preds: frozenset[str]) -> frozenset[str]:
    """One shared object per set of link predicates."""
    return preds


@lru_cache(maxsize=64)
def _link_attr(preds: frozenset[str], kind: str) -> str:
    return " ".join(k for k in _LINKS if k in preds) or KIND[kind].link


def _squash_fast(text: str) -> str:
    """``squash``, skipping texts that have nothing to squash."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return squash(text)

