"""The per-mention pass, one batch of bodies at a time: what their reports name, folded into
the per-body and per-concept counts, written to towns.csv and the GraphML edges as it goes.

Memory does not grow with the corpus beyond a few small records per report,
body and concept: details are kept only for the bodies the summary shows as
cards and those the network may draw. A body's links are read (one more
SELECT, packed one row per body) only where its mentions do not tell them,
which never happens in a graph ``kg build`` made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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


def fetch(src: Source, batch: list[BodyStats], concepts: dict[str, ConceptStats]) -> tuple[list[BodyStats], Found]:
    """The batch's queries (run in a worker thread on a store)."""
    mentions = src.per_concept([r.iri for t in batch for r in t.reports])
    # A body's links are read only when its mentions do not tell them: a graph built by
    # kg links a body to exactly the concepts its reports mention, each by its kind's link.
    ask = [t.iri for t in batch if not _links_follow_mentions(t, mentions, concepts)]
    links: dict[str, list[list[str]]] = {}
    if ask:
        links = {b: list(_unpack(items, "ts")) for b, items in
                 src.rows(queries.text("pages_links").replace("@BODIES@", iris(ask)), ("body", "items"))}
        links.update((b, []) for b in ask if b not in links)
    return batch, Found(mentions, links)


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


def fold(batch: list[BodyStats], found: Found, concepts: dict[str, ConceptStats], writer, edges_out) -> int:
    """Fold one batch into the counts, write its CSV rows and GraphML edges; the batch's mentions."""
    rows: set[tuple[str, ...]] = set()
    edges: list[str] | None = [] if edges_out is not None else None  # written once per batch
    total = 0
    for t in batch:
        exact = found.links.get(t.iri)
        if exact is None and len(t.reports) == 1 and t.named is None and t.links is None:
            total += _fold_simple(t, found.mentions.get(t.reports[0].iri, ()), concepts,
                                  rows if writer is not None else None, edges)
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
            concept.bodies += 1
            concept.mentions += pair.n
            concept.names.add(t.name)
            years = sorted(pair.years)
            # adoption: the first year its reports name it; a link without mentions, its first report's
            first = next((y for y in years if y), "") if pair.n else next((r.year for r in t.reports if r.year), "")
            if first:
                concept.first_years[first] = concept.first_years.get(first, 0) + 1
            if concept.adopters is not None:
                concept.adopters.append(t.number)
            if pair.preds:
                concept.link_bodies += 1
                concept.link_names.add(t.name)
                concept.years.update(y for y in years if y)
                if t.links is not None:
                    t.links[c] = (_frozen(frozenset(pair.preds)), [y for y in years if y])
            if t.named is not None:
                named = Named(years, pair.n)
                if pair.best:
                    year = max(pair.best, key=lambda y: (to_int(y), y))  # the newest report's evidence
                    source, sentence, _r = pair.best[year]
                    named.year, named.source, named.sentence = year, source, squash(sentence)
                    named.surface = marked_term(named.sentence, concept.terms)
                t.named[c] = named
            if writer is not None:
                for year in years or [""]:
                    best = pair.best.get(year)
                    rows.add((t.name, t.county, t.city, t.province, year, concept.kind, concept.label,
                              _squash_fast(best[1]) if best else ""))
            if edges is not None:
                link = _link_attr(frozenset(pair.preds), concept.kind)
                edges.append(edge_xml(t.iri, c, link, pair.n, " ".join(y for y in years if y)))
    if writer is not None:
        writer.writerows([cell(v) for v in row] if UNSAFE_CELL.search("".join(row)) else row
                         for row in sorted(rows))
    if edges:
        edges_out("".join(edges))
    return total


def _fold_simple(t: BodyStats, items: list[list[str]], concepts: dict[str, ConceptStats], rows: set | None,
                 edges: list[str] | None) -> int:
    """``_fold`` for the common town: one report, links that follow its mentions, no details kept."""
    rep = t.reports[0]
    year, source = rep.year, rep.source or local_name(rep.iri)
    name, county, city, province = t.name, t.county, t.city, t.province
    total = linked = 0
    for c, n, sentence in sorted(items):
        concept = concepts.get(c)
        if concept is None:
            continue
        total += n
        concept.bodies += 1
        concept.mentions += n
        if year:
            concept.first_years[year] = concept.first_years.get(year, 0) + 1
        if concept.adopters is not None:
            concept.adopters.append(t.number)
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
            concept.link_bodies += 1
            held = concept.link_names
            if len(held.items) < held.size or name < held.items[-1]:
                held.add(name)
            else:
                held.count += 1
            if year:
                concept.years.add(year)
        if rows is not None:
            rows.add((name, county, city, province, year, concept.kind, concept.label, _squash_fast(sentence)))
        if edges is not None:
            edges.append(edge_xml(t.iri, c, _link_attr(concept.preds, concept.kind), n, year))
    t.mentions += total
    t.linked = linked
    return total


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

