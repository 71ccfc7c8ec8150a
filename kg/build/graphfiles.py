"""graph.ttl and graph.nt: the concepts and places first, then every report's block from the cache.

Blocks are written in subject order, each sorted, so the same inputs in any
order give byte-identical files; the reports' blocks are copied from their
cache entries as bytes, never decoded.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import Callable

from .. import graph as G
from ..extract import Lexicon
from ..layout import GRAPH_FILES, AtomicWriter
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
            text, lines = G.turtle_block(triples), G.ntriples_block(triples)
            ttl.write(text)
            nt.write(lines)
            if store:
                store.head(subject, text, lines)
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
    """Every report's blocks from the cache, in report order, appended by a child process
    (``kg.spancopy``) so that the copying runs beside the pages, not between their turns at the
    GIL; stopped if the build is cancelled."""
    if isinstance(ttl, KeptFile):
        return
    for writer in (ttl, nt):
        writer.fh.flush()
    package_root = str(Path(__file__).resolve().parent.parent.parent)  # the child imports this kg, not another
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "kg.spancopy", ttl.tmp, nt.tmp],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        try:
            for s in good:
                if cancel.is_set():
                    break
                spans: dict[str, list[list[int]]] = {}
                for out, (path, offset, length) in enumerate(s.blocks[:2]):
                    spans.setdefault(path, []).append([out, offset, length])
                for path, these in spans.items():
                    proc.stdin.write(json.dumps([path, these], ensure_ascii=False).encode() + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the child stopped early: its status and message say why
        while proc.poll() is None:
            if cancel.wait(0.05):
                proc.kill()
        if proc.returncode != 0 and not cancel.is_set():
            raise OSError("copying the reports into the graph files failed: "
                          + proc.stderr.read().decode(errors="replace").strip())
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
        proc.stderr.close()
    for writer in (ttl, nt):
        writer.fh.seek(0, os.SEEK_END)  # the child wrote past what this handle knows


class KeptFile:
    """In place of a graph file's writer when the file in the build folder stands as it is."""

    def write(self, text: str) -> None:
        pass

    def commit(self) -> None:
        pass

    def abandon(self) -> None:
        pass

