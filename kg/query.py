"""SPARQL over a built graph: a file or a build folder, through Oxigraph.

Named queries live in ``kg/queries/*.rq``; user-supplied values reach them
as bound variables (pyoxigraph substitutions), never as query text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from .errors import GraphError, QueryError
from .graph import PREFIXES

PREFIX_MAP = dict(PREFIXES) | {
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "fzid": "https://w3id.org/fzkg/id/",
}
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


@dataclass(frozen=True)
class Result:
    """A query's answer: rows of plain strings for SELECT, a bool for ASK, N-Triples lines for graphs."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[str, ...] = ()

    def without(self, *names: str) -> "Result":
        """The same rows without some columns (the bound inputs a named query echoes)."""
        keep = [i for i, v in enumerate(self.variables) if v not in names]
        return Result(tuple(self.variables[i] for i in keep), tuple(tuple(r[i] for i in keep) for r in self.rows))

    def dicts(self) -> list[dict[str, str]]:
        """Rows as dicts, unbound variables left out."""
        return [{v: x for v, x in zip(self.variables, row) if x is not None} for row in self.rows]


def named_query(name: str) -> str:
    """The text of a bundled ``.rq`` query."""
    return (resources.files("kg") / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def is_update(text: str) -> bool:
    """Whether a SPARQL text is an Update (INSERT, DELETE, DROP …) rather than a query."""
    return bool(_UPDATE.match(_strip_comments(text)))


class GraphStore:
    """A view of a built graph: its on-disk store, or an RDF file loaded in memory."""

    def __init__(self, store: ox.Store, file: tuple[Path, ox.RdfFormat] | None = None) -> None:
        self._store = store
        self._file = file  # where an update to an in-memory copy is written back

    @classmethod
    def open(cls, path: str | Path, *, vocab: Sequence[str | Path] = (), writable: bool = False) -> "GraphStore":
        """A build folder (its store, else its graph file) or any RDF file Oxigraph reads, plus
        the user's vocabulary files, so their labels find concepts too."""
        path = Path(path)
        if path.is_dir():
            if (path / "store").is_dir() and not vocab:
                try:
                    store = ox.Store(str(path / "store")) if writable else ox.Store.read_only(str(path / "store"))
                    return cls(store)
                except OSError as exc:
                    raise GraphError(f"{path / 'store'}: cannot open store: {_one_line(str(exc))}") from None
            path = path / "graph.nt" if (path / "graph.nt").is_file() else path / "graph.ttl"
        if not path.is_file():
            raise GraphError(f"{path}: no such graph (run `kg build` first, or pass --graph)")
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise GraphError(f"{path}: unknown RDF format {path.suffix!r}")
        store = ox.Store()
        for p, f in [(path, fmt), *((Path(v), ox.RdfFormat.TURTLE) for v in vocab)]:
            try:
                store.bulk_load(path=str(p), format=f)
            except (SyntaxError, ValueError, OSError) as exc:
                raise GraphError(f"{p}: cannot read graph: {_one_line(str(exc))}") from None
        return cls(store, (path, fmt))

    def update(self, text: str) -> None:
        """Apply a SPARQL Update and persist it: in the store, or written back to the file."""
        try:
            self._store.update(text, prefixes=PREFIX_MAP)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_one_line(str(exc))}") from None
        if self._file is not None:
            from .graph import write_atomic

            path, fmt = self._file
            write_atomic(path, self._store.dump(format=fmt, from_graph=ox.DefaultGraph()))
        else:
            self._store.flush()

    def query(self, text: str, bindings: dict[str, str | bool] | None = None) -> Result:
        """Run a SPARQL query with the usual prefixes predeclared; updates are refused."""
        if is_update(text):
            raise QueryError("SPARQL Update refused: pass --update to change the graph")
        subs = {ox.Variable(k): _literal(v) for k, v in (bindings or {}).items()}
        try:
            answer = self._store.query(text, prefixes=PREFIX_MAP, substitutions=subs or None)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_one_line(str(exc))}") from None
        if isinstance(answer, ox.QueryBoolean):
            return Result(boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = tuple(v.value for v in answer.variables)
            rows = tuple(tuple(_plain(sol[v]) for v in variables) for sol in answer)
            return Result(variables, rows)
        return Result(triples=tuple(sorted(f"{t.subject} {t.predicate} {t.object} ." for t in answer)))

    def select(self, text: str) -> list[dict[str, str]]:
        """Rows of a SELECT as dicts of plain strings (the shape the viz takes)."""
        return self.query(text).dicts()

    def towns(self, name: str) -> Result:
        """Bodies naming a concept whose label is ``name``; else whose label contains it."""
        return self._exact_then_contains("towns", name)

    def concepts_of(self, town: str) -> Result:
        """The concepts a body's reports name, by kind."""
        return self._exact_then_contains("concepts_of", town)

    def _exact_then_contains(self, query: str, name: str) -> Result:
        text = named_query(query)
        result = self.query(text, {"name": name, "exact": True})
        if not result.rows:
            result = self.query(text, {"name": name, "exact": False})
        return result.without("name", "exact")


def _literal(value: str | bool) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    return ox.Literal(value)


def _plain(term: object) -> str | None:
    if term is None:
        return None
    return term.value  # NamedNode, BlankNode and Literal all have it


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _one_line(message: str) -> str:
    return " ".join(message.split())


# ---------------------------------------------------------------------- output

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_result(result: Result, fmt: str = "table") -> str:
    """Render a result as an aligned table, CSV or JSON."""
    if result.boolean is not None:
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else ("true" if result.boolean else "false")
    if result.triples:
        return "\n".join(result.triples)
    if fmt == "json":
        return json.dumps(result.dicts(), ensure_ascii=False, indent=2)
    cells = [["" if x is None else x for x in row] for row in result.rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows(cells)
        return buf.getvalue().rstrip("\n")
    header = list(result.variables)
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    out = []
    for row in [header, *cells]:
        out.append("  ".join(x + " " * (w - _width(x)) for x, w in zip(row, widths)).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
