"""Where the pages' rows come from: a store, any ``select(query)`` callable, or a build's
cached evidence in front of a store.

Rows are tuples of plain strings (``None`` when unbound), read without a
dict per row on a store. On an Oxigraph store the per-batch queries run two
at a time in threads (Oxigraph releases the GIL while it evaluates). A build
reads each report's mentions, grouped per concept, from the evidence its
workers cached beside each report (``EvidenceFiles``), which is cheaper than
reading every mention back out of the store.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .. import queries
from ..layout import Span, read_span
from .records import to_int

Select = Callable[[str], "list[dict[str, str]]"]

THREADS = 2  # batches evaluated at once on an Oxigraph store


def iris(values: Iterable[str]) -> str:
    """IRIs as the body of a VALUES clause."""
    return " ".join(f"<{i}>" for i in values)


class Source:
    """Runs SELECTs on a graph: rows as tuples of plain strings (``None`` when unbound)."""

    parallel = False

    def rows(self, query: str, variables: Sequence[str]) -> Iterator[tuple[str | None, ...]]:
        raise NotImplementedError

    def table(self, query: str, variables: Sequence[str]) -> list[tuple[str | None, ...]]:
        """All the rows at once, an empty string as None too (the pages read both alike): for
        the whole-graph questions, whose answers a store writes without holding the GIL."""
        return list(self.rows(query, variables))

    def mentions(self, reports: Sequence[str]) -> Iterator[tuple[str, str, str, str | int]]:
        """(report, concept, sentence, mentions) for the given reports' mentions."""
        return self.rows(queries.text("pages_mentions").replace("@REPORTS@", iris(reports)),
                         ("report", "concept", "sentence", "n"))

    def per_concept(self, reports: Sequence[str]) -> dict[str, list[list]]:
        """Per report, its [concept, mentions, least sentence] (the mentions grouped)."""
        per_report: dict[str, dict[str, list]] = defaultdict(dict)
        for r, c, sentence, n in self.mentions(reports):
            held = per_report[r].get(c)
            if held is None:
                per_report[r][c] = [c, to_int(n), sentence]
            else:
                held[1] += to_int(n)
                if sentence < held[2]:
                    held[2] = sentence
        return {r: list(found.values()) for r, found in per_report.items()}

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
    """A ``select(query) -> list of dicts`` callable (any backend), as the page functions take."""

    def __init__(self, select: Select) -> None:
        self.select = select

    def rows(self, query, variables):
        for row in self.select(query):
            yield tuple(row.get(v) for v in variables)


class StoreSource(Source):
    """A store that streams rows as tuples (``GraphStore.rows``), read without a dict per row."""

    parallel = True

    def __init__(self, rows: Callable[[str], Iterator[tuple[str | None, ...]]],
                 table: Callable[[str], list[tuple[str | None, ...]]] | None = None) -> None:
        self._rows, self._table = rows, table

    def rows(self, query, variables):
        return self._rows(query)

    def table(self, query, variables):
        return self._table(query) if self._table is not None else super().table(query, variables)


class EvidenceFiles(Source):
    """A source whose per-report evidence comes from what a build kept of each report (the JSON of
    ``graph.report_evidence`` at a span of its cache entry: per concept, the mentions and the least
    sentence) and its whole-graph rows from ``inner``: the rows a store gives, without reading
    every mention back out of it."""

    def __init__(self, inner: Source, files: dict[str, Span]) -> None:
        self.inner, self.files = inner, files
        self.parallel = inner.parallel

    def rows(self, query, variables):
        return self.inner.rows(query, variables)

    def table(self, query, variables):
        return self.inner.table(query, variables)

    def per_concept(self, reports):
        """What each report's cached evidence holds already grouped: read as it is."""
        files = self.files
        missing = [r for r in reports if r not in files]  # not this build's: ask the graph
        out = self.inner.per_concept(missing) if missing else {}
        for r in reports:
            if r in files:
                out[r] = json.loads(read_span(files[r]))
        return out


def as_source(graph: Any) -> Source:
    """A ``Source`` for a GraphStore, a pyoxigraph Store, a ``Source`` or a select callable."""
    if isinstance(graph, Source):
        return graph
    if callable(getattr(graph, "rows", None)):  # kg.query.GraphStore
        return StoreSource(graph.rows, getattr(graph, "table", None))
    if type(graph).__module__.startswith("pyoxigraph"):
        from ..query import GraphStore

        store = GraphStore(graph)
        return StoreSource(store.rows, store.table)
    if callable(graph):
        return SelectSource(graph)
    raise TypeError(f"cannot read a graph from {type(graph).__name__}")

