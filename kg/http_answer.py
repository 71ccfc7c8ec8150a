"""A query over a store answered in a child process (:mod:`kg.sandbox`), serialised for HTTP
as Oxigraph's server serialises it: the same content negotiation and defaults, the same
dataset parameters. ``kg serve``'s endpoint streams what it yields."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import GraphError, QueryError
from .sandbox import CHUNK, Limits, context, messages, one_line

__all__ = ["Dataset", "negotiate", "stream_answer"]


@dataclass(frozen=True)
class Dataset:
    """The SPARQL protocol's dataset parameters (default-graph-uri, named-graph-uri), and
    Oxigraph's union-default-graph."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    union: bool = False



def stream_answer(store_dir: str | Path, text: str, *, accept: str | None = None,
                  dataset: Dataset = Dataset(), limits: Limits = Limits(),
                  watch: socket.socket | None = None, running: set | None = None) -> Iterator[tuple[str, object]]:
    """Answer a query over an Oxigraph store in a child process, serialised for HTTP.

    Yields ``("type", content_type)`` once, then ``("data", bytes)`` chunks.
    Raises QueryError (syntax), GraphError (no store), LookupError (nothing in
    ``accept`` fits), LimitError, RunError, or ClientGone when ``watch`` (the
    client's socket) is closed by the client. ``running``, a set, holds the
    child process while it lives, for a server to kill on shutdown. SERVICE
    and LOAD are the caller's to refuse (:func:`refusal`).
    """
    args = (str(store_dir), text, accept, dataset)
    yield from (m for m in messages(context("forkserver"), _http_child, args, limits, watch=watch,
                                     running=running) if m[0] != "done")


def _http_child(conn, store_dir: str, text: str, accept: str | None, dataset: Dataset) -> None:
    try:
        store = ox.Store.read_only(store_dir)
    except OSError as exc:
        raise GraphError(f"{store_dir}: cannot open store: {one_line(str(exc))}") from None
    options: dict[str, object] = {"use_default_graph_as_union": dataset.union}
    if dataset.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
    if dataset.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
    try:
        answer = store.query(text, **options)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {one_line(str(exc))}") from None
    except ValueError as exc:  # a malformed graph IRI
        raise QueryError(one_line(str(exc))) from None
    fmt = negotiate(accept, graph=isinstance(answer, ox.QueryTriples))
    if fmt is None:
        raise LookupError(_not_acceptable(isinstance(answer, ox.QueryTriples)))
    conn.send(("type", fmt.media_type))
    out = _ChunkWriter(conn)
    answer.serialize(out, format=fmt)
    out.flush()
    conn.send(("done", None))


class _ChunkWriter:
    """A binary file that sends what is written as ("data", bytes) messages of about CHUNK bytes."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._buffer = bytearray()

    def write(self, data) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK:
            self._conn.send(("data", bytes(self._buffer)))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._conn.send(("data", bytes(self._buffer)))
            self._buffer.clear()


def negotiate(accept: str | None, *, graph: bool):
    """The format an Accept header asks for, as Oxigraph's server chooses it: a results
    format for SELECT and ASK, an RDF format for CONSTRUCT and DESCRIBE; None if none fits."""
    kind = ox.RdfFormat if graph else ox.QueryResultsFormat
    default = ox.RdfFormat.N_QUADS if graph else ox.QueryResultsFormat.JSON
    by_type = {"text": ox.RdfFormat.TURTLE if graph else ox.QueryResultsFormat.CSV, "application": default}
    ranges = []
    for position, part in enumerate((accept or "*/*").split(",")):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, position, media.strip().lower()))
    for _, _, media in sorted(ranges):
        if media == "*/*":
            return default
        major, _, minor = media.partition("/")
        if minor == "*":
            if major in by_type:
                return by_type[major]
            continue
        found = kind.from_media_type(media)
        if found is not None:
            return found
    return None


def _not_acceptable(graph: bool) -> str:
    formats = ([ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD] if graph else
               [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV,
                ox.QueryResultsFormat.TSV])
    names = ", ".join(f.media_type.partition(";")[0] for f in formats)
    return f"the Accept header asks for no format this query can be answered in ({names})"
