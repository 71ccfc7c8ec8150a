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
from typing import Iterator, Sequence

import pyoxigraph as ox

from .errors import GraphError, QueryError
from .graph import PREFIXES, STORE_STATE
from .model import KINDS
from .vocab import ID, KIND_OF_LINK

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

    def __init__(self, store: ox.Store, file: tuple[Path, ox.RdfFormat] | None = None,
                 built: Path | None = None) -> None:
        self._store = store
        self._file = file  # where an update to an in-memory copy is written back
        self._built = built  # the build's record of what is in the store, void once it is updated

    @classmethod
    def open(cls, path: str | Path, *, vocab: Sequence[str | Path] = (), writable: bool = False) -> "GraphStore":
        """A build folder (its store, else its graph file) or any RDF file Oxigraph reads, plus
        the user's vocabulary files, so their labels find concepts too."""
        path = Path(path)
        if path.is_dir():
            if (path / "store").is_dir() and not vocab:
                try:
                    if writable:
                        return cls(ox.Store(str(path / "store")), built=path / "store" / STORE_STATE)
                    return cls(ox.Store.read_only(str(path / "store")))
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
            if self._built is not None:  # the store is no longer what the build made: the next starts afresh
                self._built.unlink(missing_ok=True)

    def query(self, text: str) -> Result:
        """Run a SPARQL query with the usual prefixes predeclared; updates are refused."""
        if is_update(text):
            raise QueryError("SPARQL Update refused: pass --update to change the graph")
        answer = self._answer(text)
        if isinstance(answer, ox.QueryBoolean):
            return Result(boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = tuple(v.value for v in answer.variables)
            rows = tuple(tuple(_plain(sol[v]) for v in variables) for sol in answer)
            return Result(variables, rows)
        return Result(triples=tuple(sorted(f"{t.subject} {t.predicate} {t.object} ." for t in answer)))

    def answer(self, text: str):
        """Oxigraph's own answer (solutions, a boolean or triples), lazily, the prefixes predeclared;
        updates are refused."""
        if is_update(text):
            raise QueryError("SPARQL Update refused: pass --update to change the graph")
        return self._answer(text)

    def rows(self, text: str) -> Iterator[tuple[str | None, ...]]:
        """The rows of a SELECT, streamed, as tuples of plain strings in projection order
        (None where unbound): for big results, without a dict per row."""
        for solution in self._answer(text):
            yield tuple(_plain(term) for term in solution)

    def _answer(self, text: str, bindings: dict[str, object] | None = None):
        """Oxigraph's answer, the prefixes predeclared, values bound; a syntax error is a QueryError."""
        subs = {ox.Variable(k): ox.Literal(v) if isinstance(v, str) else v for k, v in (bindings or {}).items()}
        try:
            return self._store.query(text, prefixes=PREFIX_MAP, substitutions=subs or None)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_one_line(str(exc))}") from None

    def select(self, text: str) -> list[dict[str, str]]:
        """Rows of a SELECT as dicts of plain strings (the shape the viz takes)."""
        return self.query(text).dicts()

    def towns(self, name: str, *, evidence: bool = False) -> Result:
        """Bodies whose reports name a concept labelled ``name`` (else whose label contains it);
        ``evidence`` adds how many of their reports do and one sentence that does."""
        rows = []
        for c in self._named(name, concepts=True):
            label = self._pref(c)
            if not evidence:
                # solutions unpacked in projection order (?c ?town ?county ?link): no dict per row
                rows += [(town.value, county.value if county is not None else None, KIND_OF_LINK[link.value], label)
                         for _, town, county, link in self._answer(named_query("towns_of_concept"), {"c": c})]
                continue
            extra = {r["body"]: (r["reports"], r["example"]) for r in self._rows(named_query("evidence_of_concept"), {"c": c})}
            rows += [(r["town"], r.get("county"), KIND_OF_LINK[r["link"]], label) + extra.get(r["body"], ("0", ""))
                     for r in self._rows(named_query("bodies_of_concept"), {"c": c})]
        columns = ("town", "county", "kind", "concept") + (("reports", "example") if evidence else ())
        return Result(columns, tuple(sorted(rows, key=_row_key)))

    def concepts_of(self, town: str) -> Result:
        """The concepts the reports of a body labelled ``town`` (else containing it) name, by kind."""
        rows = []
        for b in self._named(town, concepts=False):
            for r in self._rows(named_query("concepts_of_body"), {"body": b}):
                rows.append((r["town"], r.get("county"), KIND_OF_LINK[r["link"]], r["concept"], r["mentions"]))
        rows.sort(key=lambda r: (r[0], r[1] or "", KINDS.index(r[2]), -int(r[4]), r[3]))
        return Result(("town", "county", "kind", "concept", "mentions"), tuple(rows))

    def bodies(self, *, town: str | None = None, county: str | None = None,
               concept: str | None = None) -> list[ox.NamedNode]:
        """Bodies that issued reports, narrowed by name, by a division above them, or by a
        concept they are linked to (each given filter narrows further)."""
        found: set[str] | None = None

        def narrow(iris: set[str]) -> None:
            nonlocal found
            found = iris if found is None else found & iris

        if town is not None:
            narrow({n.value for n in self._named(town, concepts=False)})
        if county is not None:
            narrow({r["body"] for c in self._named(county, concepts=False)
                    for r in self._rows(named_query("bodies_within"), {"upper": c})})
        if concept is not None:
            narrow({r["body"] for c in self._named(concept, concepts=True)
                    for r in self._rows(named_query("bodies_of_concept"), {"c": c})})
        issued = {r["body"] for r in self._rows("SELECT DISTINCT ?body WHERE { ?r fz:issuedBy ?body }", {})}
        return [ox.NamedNode(b) for b in sorted(issued if found is None else found & issued)]

    def neighbourhood(self, bodies: list[ox.NamedNode]) -> ox.Store:
        """A small in-memory graph of these bodies, their concepts, reports and mentions."""
        sub = ox.Store()
        text = named_query("neighbourhood")
        for body in bodies:
            triples = self._answer(text, {"body": body})
            sub.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        return sub

    def _named(self, name: str, *, concepts: bool) -> list[ox.NamedNode]:
        """Concepts (or bodies) with a label equal to ``name`` — as Chinese or plain text — else containing it."""
        wanted = ID + ("concept/" if concepts else "place/")  # where graph.py mints them
        found: set[str] = set()
        for literal in (ox.Literal(name, language="zh"), ox.Literal(name)):
            found |= {r["node"] for r in self._rows(named_query("labelled"), {"name": literal})}
        found = {n for n in found if n.startswith(wanted)}
        if not found:
            rows = self._rows(named_query("labelled_like"), {"name": ox.Literal(name)})
            found = {r["node"] for r in rows if r["node"].startswith(wanted)}
        return [ox.NamedNode(n) for n in sorted(found)]

    def _pref(self, concept: ox.NamedNode) -> str:
        rows = self._rows("SELECT ?c ?l WHERE { ?c skos:prefLabel ?l }", {"c": concept})
        return min((r["l"] for r in rows), default=concept.value)

    def _rows(self, text: str, bindings: dict[str, object]) -> list[dict[str, str]]:
        answer = self._answer(text, bindings)
        variables = [v.value for v in answer.variables]
        return [{v: t.value for v, t in zip(variables, sol) if t is not None} for sol in answer]


def _row_key(row: tuple) -> tuple:
    return (row[3], row[0], row[1] or "", row[2])


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
