"""graph.ttl and graph.nt: the concepts and places first, then every report's block from the cache.

Blocks are written in subject order, each sorted, so the same inputs in any
order give byte-identical files; the reports' blocks are copied from their
cache entries as bytes, never decoded.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path
from typing import Callable

from .. import graph as G
from ..extract import Lexicon
from ..layout import GRAPH_FILES, AtomicWriter, Span
from ..resolve import Concept, concept_iri_for
from .records import BuildResult, Summary
from .store import StoreLoader


def write_head(out: Path, good: list[Summary], concepts: dict[str, Concept], lexicon: Lexicon,
                      result: BuildResult, store: StoreLoader | None) -> tuple[AtomicWriter, AtomicWriter]:
    """graph.ttl and graph.nt, opened and begun with the concepts and places, which also go to
    the store (the reports are in it already) to finish it; ``write_tail`` adds the
    reports to the files."""
    kind_of = {label: c.kind for label, c in concepts.items()}
    # a place's triples come from the reports' placements (small) and from the labels its
    # reports name, gathered here as shared label strings and turned into triples one place at a time
    places = G.Places()
    named: dict[str, set[str]] = defaultdict(set)
    for s in good:
        body = places.add(s.placement)
        if body:
            named[body] |= s.labels
        s.labels = frozenset()  # read here only: the pages that follow need the memory more
    concept_of = {label: concept_iri_for(label, lexicon) for label in concepts}
    blocks: list[tuple[str, Callable[[], list[G.Triple]]]] = [
        (G.iri(concept_of[label]), lambda label=label: G.concept_triples(
            label, concepts[label].kind, concepts[label].alt_labels, concepts[label].iri))
        for label in concepts]
    blocks += [(node, lambda node=node: [*places.triples(node),
                                         *G.body_links(node, named.get(node, ()), concept_of.__getitem__, kind_of)])
               for node in places]
    blocks.sort(key=lambda b: b[0])  # subjects in N-Triples order, as one sorted block would have them
    ttl, nt = (AtomicWriter(out / f) for f in GRAPH_FILES)
    try:
        ttl.write(G.turtle_prefixes())
        fixed = 0
        for subject, make in blocks:
            triples = make()
            fixed += len(set(triples))
            text = G.turtle_block(triples)
            ttl.write(text)
            nt.write(G.ntriples_block(triples))
            if store:
                store.head(subject, text)
        if store:
            store.finish()
    except BaseException:
        ttl.abandon()
        nt.abandon()
        raise
    result.triples = fixed + sum(s.triples for s in good)
    return ttl, nt


def write_tail(ttl: AtomicWriter, nt: AtomicWriter, good: list[Summary],
                      cancel: threading.Event) -> None:
    """Every report's blocks from the cache, in report order (stopping if the build is
    cancelled). Mostly file copying, so it runs in a thread beside the pages."""
    for s in good:
        if cancel.is_set():
            return
        ttl.write_span(s.blocks[0])
        nt.write_span(s.blocks[1])



class KeptFile:
    """In place of a graph file's writer when the file in the build folder stands as it is."""

    def write(self, text: str) -> None:
        pass

    def write_span(self, span: Span) -> None:
        pass

    def commit(self) -> None:
        pass

    def abandon(self) -> None:
        pass

