"""The pages of a build: the network, the printable summary, towns.csv and graph.graphml.

One gathering pass over the graph (``corpus.gather``, with the per-mention
pass in ``fold``) serves all four; towns.csv and the GraphML edges are
streamed to disk as the pass goes. Imports run one way: this module ->
``summary``, ``network`` -> ``corpus`` -> ``fold`` -> ``exports``,
``records``, ``source``; ``summary`` -> ``map`` (its static map), which
``kg map`` also uses alone, with two queries of its own.
"""

from __future__ import annotations

import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..layout import (GRAPHML, NETWORK, PAGE_FILES, SUMMARY, TOWNS_CSV, AtomicWriter, Splicer, copy_range,
                      write_streamed)
from .corpus import gather
from .memo import PagesMemo
from .exports import GRAPHML_TAIL, graphml_head, graphml_nodes, graphml_text
from .records import Corpus
from .source import EvidenceFiles, Select, as_source

__all__ = ["EvidenceFiles", "PagesMemo", "as_source", "graphml", "towns_csv", "write_pages"]


def write_pages(graph: Any, out_dir: str | Path, *, max_nodes: int = 1500, max_cards: int | None = None,
                title: str | None = None, network_title: str | None = None,
                memo: PagesMemo | None = None) -> list[Path]:
    """Write network.html, summary.html, towns.csv and graph.graphml into ``out_dir``.

    ``graph`` is a GraphStore, a pyoxigraph Store, a ``Source`` or a
    ``select`` callable. Each file is written beside its target and renamed
    over it, so a reader never sees half a file. With a ``memo`` (a build's),
    the bodies whose inputs did not change since the pages before are not
    folded again, and the memo for the next build is written beside the pages.
    """
    from . import summary
    from .network import write_network  # pyvis is only needed here

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_file = AtomicWriter(out / TOWNS_CSV)
    edges_fd, edges_tmp = tempfile.mkstemp(prefix=f".{GRAPHML}.", suffix=".edges", dir=out)
    edges = os.fdopen(edges_fd, "w", encoding="utf-8", newline="\n")
    # the kept bodies' rows and edges come from the pages before, as bytes
    csv_out = Splicer(csv_file.fh, memo.source("csv") if memo else None)
    edges_out = Splicer(edges, memo.source("graphml") if memo else None)
    gml = None
    edges_at = 0  # where the edges start in graph.graphml (bytes)

    def write_graphml(corpus: Corpus) -> None:  # mostly I/O: runs beside the page rendering
        nonlocal edges_at
        head = [graphml_head(), *graphml_nodes(corpus.bodies.values(), corpus.concepts.values())]
        for part in head:
            gml.write(part)
        if memo is not None:
            edges_at = sum(len(part.encode("utf-8")) for part in head)
        gml.fh.flush()
        with open(edges_tmp, "rb", buffering=0) as fh:
            copy_range(fh.fileno(), gml.fh.fileno(), 0, os.fstat(fh.fileno()).st_size)
        gml.write(GRAPHML_TAIL)
        gml.commit()

    try:
        corpus = gather(graph, max_cards=summary.MAX_CARDS if max_cards is None else max_cards,
                        max_bodies=max_nodes, csv_out=csv_out, edges_out=edges_out, memo=memo)
        csv_out.flush()
        csv_file.commit()
        edges_out.flush()
        edges.close()
        gml = AtomicWriter(out / GRAPHML)
        with ThreadPoolExecutor(1) as pool:
            graphml_done = pool.submit(write_graphml, corpus)
            kw = {} if title is None else {"title": title}
            write_streamed(out / SUMMARY, lambda fh: summary.write_summary(corpus, fh, **kw))
            kw2 = {} if network_title is None else {"title": network_title}
            write_streamed(out / NETWORK, lambda fh: write_network(corpus, fh, max_nodes=max_nodes, **kw2))
            graphml_done.result()
        if memo is not None:
            memo.save(out, edges_at)
    except BaseException:
        csv_file.abandon()
        if gml is not None:
            gml.abandon()
        raise
    finally:
        csv_out.close()
        edges_out.close()
        if not edges.closed:
            edges.close()
        Path(edges_tmp).unlink(missing_ok=True)
    return [out / name for name in PAGE_FILES]


def towns_csv(select: Select | Any) -> str:
    """towns.csv as text: one row per (body, report year, concept) with one evidence sentence,
    sorted, header first (a build streams it to disk instead)."""
    out = io.StringIO()
    gather(select, csv_out=out)
    return out.getvalue()


def graphml(select: Select | Any) -> str:
    """graph.graphml as text: bodies and concepts with their counts, then body -> concept edges
    with the link, the mentions and the years (a build streams it to disk instead)."""
    edges = io.StringIO()
    corpus = gather(select, edges_out=edges)
    return graphml_text(corpus.bodies.values(), corpus.concepts.values(), [edges.getvalue()])
