"""SPARQL over a built graph: a file or a build folder, through Oxigraph.

Named queries live in ``kg/queries/*.rq``; user-supplied values reach them
as bound variables (pyoxigraph substitutions), never as query text. How a
result is printed is the command line's business (``kg.cli``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import pyoxigraph as ox

from . import queries
from .errors import GraphError, QueryError
from .kinds import KIND_KEYS, LEVELS, RESOLUTION
from .layout import GRAPH_NT, GRAPH_TTL, STORE, STORE_STATE
from .vocab import CONCEPT_NS, KIND_OF_LINK, ONTOLOGY, PLACE_NS, QUERY_PREFIXES

PREFIX_MAP = QUERY_PREFIXES
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
    """A query's answer: rows of plain strings for SELECT (numbers and lists where an analysis
    made them), a bool for ASK, N-Triples lines for graphs."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[object, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[str, ...] = ()

    def dicts(self) -> list[dict[str, object]]:
        """Rows as dicts, unbound variables left out."""
        return [{v: x for v, x in zip(self.variables, row) if x is not None} for row in self.rows]


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
            if (path / STORE).is_dir() and not vocab:
                try:
                    if writable:
                        return cls(ox.Store(str(path / STORE)), built=path / STORE / STORE_STATE)
                    return cls(ox.Store.read_only(str(path / STORE)))
                except OSError as exc:
                    raise GraphError(f"{path / STORE}: cannot open store: {_one_line(str(exc))}") from None
            path = path / GRAPH_NT if (path / GRAPH_NT).is_file() else path / GRAPH_TTL
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
            from .layout import write_atomic

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

    def rows(self, text: str, bindings: dict[str, object] | None = None) -> Iterator[tuple[str | None, ...]]:
        """The rows of a SELECT, streamed, as tuples of plain strings in projection order
        (None where unbound): for big results, without a dict per row. ``bindings`` gives
        variables their values (strings as plain literals), never pasted into the text."""
        for solution in self._answer(text, bindings):
            yield tuple([None if term is None else term.value for term in solution])

    def table(self, text: str, bindings: dict[str, object] | None = None) -> list[tuple[str | None, ...]]:
        """All the rows of a SELECT at once, as ``rows`` gives them except that an empty string
        is None too. Oxigraph evaluates the query and writes the whole answer as CSV without
        holding the GIL, so queries run side by side in threads (``rows`` holds it while it
        decodes every term); keep to variables whose values are IRIs or plain text."""
        data = self._answer(text, bindings).serialize(format=ox.QueryResultsFormat.CSV)
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        next(reader, None)  # the variables
        return [tuple([value or None for value in row]) for row in reader]

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

    def towns(self, name: str, *, evidence: bool = False, province: str | None = None,
              county: str | None = None) -> Result:
        """Bodies whose reports name a concept labelled ``name`` (else whose label contains it);
        ``evidence`` adds how many of their reports do and one sentence that does; ``province``
        and ``county`` keep the bodies under a division of that name (河南 finds 河南省)."""
        if province is not None or county is not None:
            return self._towns_within(name, evidence, province, county)
        rows = []
        for c in self._named(name, concepts=True):
            label = self._pref(c)
            if not evidence:
                # solutions unpacked in projection order (?c ?town ?county ?link): no dict per row
                rows += [(town.value, county.value if county is not None else None, KIND_OF_LINK[link.value], label)
                         for _, town, county, link in self._answer(queries.text("towns_of_concept"), {"c": c})]
                continue
            extra = {r["body"]: (r["reports"], r["example"]) for r in self._rows(queries.text("evidence_of_concept"), {"c": c})}
            rows += [(r["town"], r.get("county"), KIND_OF_LINK[r["link"]], label) + extra.get(r["body"], ("0", ""))
                     for r in self._rows(queries.text("bodies_of_concept"), {"c": c})]
        columns = ("town", "county", "kind", "concept") + (("reports", "example") if evidence else ())
        return Result(columns, tuple(sorted(rows, key=_row_key)))

    def _towns_within(self, name: str, evidence: bool, province: str | None, county: str | None) -> Result:
        """``towns`` narrowed to the bodies under the named divisions (each given filter narrows)."""
        allowed = None
        for wanted, levels in ((province, ("Province",)), (county, ("County", "District", "City"))):
            if wanted is None:
                continue
            under = {r["body"] for d in self._divisions(wanted, levels)
                     for r in self._rows(queries.text("bodies_within"), {"upper": d})}
            allowed = under if allowed is None else allowed & under
        rows = []
        for c in self._named(name, concepts=True):
            label = self._pref(c)
            extra = ({r["body"]: (r["reports"], r["example"])
                      for r in self._rows(queries.text("evidence_of_concept"), {"c": c})} if evidence else {})
            rows += [(r["town"], r.get("county"), KIND_OF_LINK[r["link"]], label)
                     + ((extra.get(r["body"], ("0", "")) if evidence else ()))
                     for r in self._rows(queries.text("bodies_of_concept"), {"c": c}) if r["body"] in allowed]
        columns = ("town", "county", "kind", "concept") + (("reports", "example") if evidence else ())
        return Result(columns, tuple(sorted(rows, key=_row_key)))

    def places(self, *, province: str | None = None, county: str | None = None,
               unresolved: bool = False) -> Result:
        """Every body with its chain (province, city, county), the nearest division code, how it
        was placed in the gazetteer, and its reports; narrowed to a province or county by name
        (河南 finds 河南省), or to the bodies that did not resolve."""
        types: dict[str, set[str]] = {}
        labels: dict[str, str] = {}
        up: dict[str, str] = {}
        code: dict[str, str] = {}
        how: dict[str, str] = {}
        note: dict[str, str] = {}
        for place, typ, label, upper, c, resolution, n in self.rows(queries.text("places")):
            if typ:
                types.setdefault(place, set()).add(typ.rsplit("#", 1)[-1])
            for held, value in ((labels, label), (up, upper), (code, c), (how, resolution), (note, n)):
                if value is not None and (place not in held or value < held[place]):
                    held[place] = value
        reports = {body: n for body, n in self.rows(queries.text("reports_per_body"))}

        def level(place: str) -> str:
            return next((lv.key for lv in LEVELS if lv.cls in types.get(place, ())), "")

        rows = []
        for body, n in reports.items():
            chain, here, seen = {}, body, {body}
            while here in up and up[here] not in seen:  # walk up (a cycle stops the walk)
                here = up[here]
                seen.add(here)
                chain.setdefault(level(here), here)
            county_node = chain.get("county") or chain.get("district")
            names = {k: labels.get(chain[k], "") if k in chain else "" for k in ("city", "province")}
            county_name = labels.get(county_node, "") if county_node else ""
            if province and not names["province"].startswith(province):
                continue
            if county and not county_name.startswith(county):
                continue
            resolution = how.get(body, "")
            if unresolved and RESOLUTION.get(resolution) and RESOLUTION[resolution].resolved:
                continue
            nearest = code.get(body) or (code.get(county_node, "") if county_node else "")
            rows.append((labels.get(body, ""), level(body), county_name, names["city"], names["province"], nearest,
                         resolution, n, note.get(body)))
        rows.sort(key=lambda r: (r[4], r[3], r[2], r[0], r[5]))
        return Result(("body", "level", "county", "city", "province", "code", "resolution", "reports", "note"),
                      tuple(rows))

    def _divisions(self, name: str, levels: Sequence[str]) -> list[ox.NamedNode]:
        """Division nodes of the given classes labelled ``name``, else whose label starts with it."""
        classes = {ONTOLOGY + c for c in levels}
        rows = [r for r in self._rows(queries.text("divisions_named"), {"name": ox.Literal(name)})
                if r["type"] in classes]
        exact = {r["node"] for r in rows if r["label"] == name}
        return [ox.NamedNode(n) for n in sorted(exact or {r["node"] for r in rows})]

    def concepts_of(self, town: str) -> Result:
        """The concepts the reports of a body labelled ``town`` (else containing it) name, by kind."""
        rows = []
        for b in self._named(town, concepts=False):
            for r in self._rows(queries.text("concepts_of_body"), {"body": b}):
                rows.append((r["town"], r.get("county"), KIND_OF_LINK[r["link"]], r["concept"], r["mentions"]))
        rows.sort(key=lambda r: (r[0], r[1] or "", KIND_KEYS.index(r[2]), -int(r[4]), r[3]))
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
                    for r in self._rows(queries.text("bodies_within"), {"upper": c})})
        if concept is not None:
            narrow({r["body"] for c in self._named(concept, concepts=True)
                    for r in self._rows(queries.text("bodies_of_concept"), {"c": c})})
        issued = {r["body"] for r in self._rows("SELECT DISTINCT ?body WHERE { ?r fz:issuedBy ?body }", {})}
        return [ox.NamedNode(b) for b in sorted(issued if found is None else found & issued)]

    def neighbourhood(self, bodies: list[ox.NamedNode]) -> ox.Store:
        """A small in-memory graph of these bodies, their concepts, reports and mentions."""
        sub = ox.Store()
        text = queries.text("neighbourhood")
        for body in bodies:
            triples = self._answer(text, {"body": body})
            sub.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        return sub

    def concepts_named(self, name: str) -> list[ox.NamedNode]:
        """Concepts labelled ``name`` (prefLabel or altLabel), else whose label contains it, as
        ``towns`` matches them."""
        return self._named(name, concepts=True)

    def places_named(self, name: str) -> list[ox.NamedNode]:
        """The places (bodies and divisions) labelled ``name``, else with a label containing it."""
        return self._named(name, concepts=False)

    def _named(self, name: str, *, concepts: bool) -> list[ox.NamedNode]:
        """Concepts (or bodies) with a label equal to ``name`` — as Chinese or plain text — else containing it."""
        wanted = CONCEPT_NS if concepts else PLACE_NS  # where graph.py mints them
        found: set[str] = set()
        for literal in (ox.Literal(name, language="zh"), ox.Literal(name)):
            found |= {r["node"] for r in self._rows(queries.text("labelled"), {"name": literal})}
        found = {n for n in found if n.startswith(wanted)}
        if not found:
            rows = self._rows(queries.text("labelled_like"), {"name": ox.Literal(name)})
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
