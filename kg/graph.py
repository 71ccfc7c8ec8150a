"""The one place IRIs are minted and triples written.

IRIs are readable (Chinese names, percent-encoding only what an IRI or
Turtle cannot hold) and stable: a concept's IRI depends on its label only, a
report's on its file name and content, a body's on its name and the nearest
division above it that the text states.

Triples are tuples of N-Triples terms (strings), so a build can stream them
to disk in blocks: one block per subject group, every block sorted, blocks
written in IRI order. The same inputs in any order give byte-identical files.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Callable, Iterable

from .kinds import KINDS, LEVELS, RESOLUTIONS
from .model import Extraction, Place, Placement
from .textnorm import strip_invisible
from .vocab import DCT, GEO, ID, ONTOLOGY, PREFIXES, RDF, RDFS, SKOS, XSD

Triple = tuple[str, str, str]

_UNSAFE = re.compile(r"[\s<>\"{}|\\^`#?/%]")
_BAD_IRI = re.compile(r"[\x00-\x20<>\"{}|\\^`]")
_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def iri_segment(text: str) -> str:
    """Percent-encode only what may not stand in one IRI path segment."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), text)


def _mint(*parts: str) -> str:
    iri = ID + "/".join(iri_segment(p) for p in parts)
    if _BAD_IRI.search(iri) or not iri.isprintable():  # validate where minted, not at serialisation
        raise ValueError(f"cannot mint an IRI from {parts!r}")
    return iri


def concept_iri(label: str) -> str:
    """A concept's IRI: its canonical label under id/concept/."""
    return _mint("concept", label)


def report_iri(source: str, sha256: str) -> str:
    """A report's IRI: its file stem and the start of its content hash."""
    return _mint("report", report_key(source, sha256))


def report_key(source: str, sha256: str) -> str:
    """The report's local name, also the name of its extracted text file: the file's stem
    without the invisible characters scraped names carry (U+200B, bidi marks), and the start
    of its content hash."""
    stem = source.rsplit(".", 1)[0] if "." in source else source
    return f"{strip_invisible(stem)}-{sha256[:8]}"


def place_iri(place: Place) -> str:
    """A place's IRI: its gazetteer code (and a town's name under its county's code), else
    its name under the nearest division the text states above it."""
    return _mint("place", *place.key)


# ---------------------------------------------------------------------- terms

def iri(value: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{value}>"


def literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal as an N-Triples term (escaped)."""
    body = _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0), f"\\u{ord(m.group(0)):04X}"), text)
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


A = iri(RDF + "type")
_T = {name: iri(ONTOLOGY + name) for name in (
    "Report", "Mention", "year", "issuedBy", "partOf", "inReport", "mentionOf", "surfaceForm", "sentence",
    "charStart", "charEnd", "divisionCode", "resolution", "resolutionNote", "approximateLocation")}
LAT, LONG = iri(GEO + "lat"), iri(GEO + "long")
KIND_CLASS = {k.key: iri(ONTOLOGY + k.cls) for k in KINDS}
KIND_LINK = {k.key: iri(ONTOLOGY + k.link) for k in KINDS}
LEVEL_CLASS = {level.key: iri(ONTOLOGY + level.cls) for level in LEVELS}
SKOS_CONCEPT, PREF, ALT = iri(SKOS + "Concept"), iri(SKOS + "prefLabel"), iri(SKOS + "altLabel")
LABEL = iri(RDFS + "label")
SOURCE, TITLE, ISSUED = iri(DCT + "source"), iri(DCT + "title"), iri(DCT + "issued")
_RESOLUTION_RANK = {r.key: i for i, r in enumerate(RESOLUTIONS)}


# ---------------------------------------------------------------------- triples

def concept_triples(label: str, kind: str, alt_labels: Iterable[str], concept: str | None = None) -> list[Triple]:
    """A concept node: its classes and labels."""
    c = iri(concept or concept_iri(label))
    out = [(c, A, SKOS_CONCEPT), (c, A, KIND_CLASS[kind]), (c, PREF, literal(label, lang="zh"))]
    out += [(c, ALT, literal(a, lang="zh")) for a in alt_labels]
    return out


def body_iri(placement: Placement) -> str | None:
    """The IRI of the report's body, as an N-Triples term (None without a body)."""
    return iri(place_iri(placement.body)) if placement.body else None


class Places:
    """The place nodes of a batch, merged from every report's placement.

    A place is one node however many reports reach it. It is labelled with the
    name its reports write most (then the official one, then the least), or
    the gazetteer's where no report writes it; the official name, where it
    differs, is an altLabel. A body keeps the strongest resolution any of its
    reports found.
    """

    def __init__(self) -> None:
        self._place: dict[str, Place] = {}
        self._up: dict[str, set[str]] = defaultdict(set)
        self._labels: dict[str, Counter[str]] = defaultdict(Counter)
        self._official: dict[str, str] = {}  # the gazetteer's name, where known
        self._resolution: dict[str, tuple[int, str, str]] = {}

    def add(self, placement: Placement) -> str | None:
        """Fold in one report's placement; the body's IRI term (None without a body)."""
        above = None
        for place in placement.chain:
            node = iri(place_iri(place))
            self._place.setdefault(node, place)
            official = place.official or (place.name if place.code and not place.written else None)
            if official:
                self._official.setdefault(node, official)
            if above is not None:
                self._up[node].add(above)
            above = node
            if place.written:
                self._labels[node][place.name] += 1
        if placement.body is None:
            return None
        rank = (_RESOLUTION_RANK[placement.resolution], placement.note, placement.resolution)
        held = self._resolution.get(above)
        if held is None or rank < held:
            self._resolution[above] = rank
        return above

    def __iter__(self):
        return iter(self._place)

    def triples(self, node: str) -> list[Triple]:
        """One place's triples."""
        place = self._place[node]
        votes = self._labels.get(node)
        official = self._official.get(node)
        label = official or place.name
        if votes:
            top = max(votes.values())
            tied = sorted(name for name, n in votes.items() if n == top)
            label = official if official in tied else tied[0]
        out = [(node, A, LEVEL_CLASS[place.level])]
        if label:  # a body its report never names has none
            out.append((node, LABEL, literal(label, lang="zh")))
        out += [(node, _T["partOf"], up) for up in self._up.get(node, ())]
        if official and official != label:
            out.append((node, ALT, literal(official, lang="zh")))
        if place.code:
            out.append((node, _T["divisionCode"], literal(place.code)))
        if place.lat is not None and place.lon is not None:
            out += [(node, LAT, literal(f"{place.lat:.6f}", datatype=XSD + "decimal")),
                    (node, LONG, literal(f"{place.lon:.6f}", datatype=XSD + "decimal"))]
            if place.approximate:
                out.append((node, _T["approximateLocation"], literal("true", datatype=XSD + "boolean")))
        if node in self._resolution:
            _, note, how = self._resolution[node]
            out.append((node, _T["resolution"], literal(how)))
            if note:
                out.append((node, _T["resolutionNote"], literal(note, lang="en")))
        return out


def report_triples(ex: Extraction, body: str | None, concept_of: Callable[[str], str]) -> list[Triple]:
    """A report node and one node per mention; ``body`` is its body's IRI term (``body_iri``),
    ``concept_of`` gives a label's concept IRI."""
    doc = ex.document
    r = iri(report_iri(doc.source, doc.sha256))
    out = [(r, A, _T["Report"]), (r, SOURCE, literal(doc.source))]
    if ex.title:
        out.append((r, TITLE, literal(ex.title)))
    if ex.year:
        out.append((r, _T["year"], literal(f"{ex.year:04d}", datatype=XSD + "gYear")))
    if ex.issued:
        out.append((r, ISSUED, literal(ex.issued, datatype=XSD + "date")))
    if body:
        out.append((r, _T["issuedBy"], body))
    for m in ex.mentions:
        node = iri(f"{r[1:-1]}/m/{m.start}-{m.end}")
        out += [
            (node, A, _T["Mention"]),
            (node, _T["inReport"], r),
            (node, _T["mentionOf"], iri(concept_of(m.label))),
            (node, _T["surfaceForm"], literal(m.surface)),
            (node, _T["sentence"], literal(m.sentence)),
            (node, _T["charStart"], literal(str(m.start), datatype=XSD + "integer")),
            (node, _T["charEnd"], literal(str(m.end), datatype=XSD + "integer")),
        ]
    return out


def report_blocks(ex: Extraction, body: str | None, concept_of: Callable[[str], str]) -> tuple[str, str, int]:
    """A report's Turtle and N-Triples, written straight from a fixed template.

    Byte for byte what ``turtle_block``/``ntriples_block`` make of
    ``report_triples`` (a test holds them equal), several times faster:
    this runs once per report and dominates the writing of a big build.
    """
    doc = ex.document
    r = report_iri(doc.source, doc.sha256)
    head = [("dct:source", literal(doc.source))]
    if ex.issued:
        head.insert(0, ("dct:issued", literal(ex.issued) + "^^xsd:date"))
    if ex.title:
        head.append(("dct:title", literal(ex.title)))
    if body:
        head.append(("fz:issuedBy", _compact(body)))
    if ex.year:
        head.append(("fz:year", f'"{ex.year:04d}"^^xsd:gYear'))
    # subjects in N-Triples order: "<r/m/…>" sorts before "<r>", as the generic writer has it
    ttl = []
    nt = [f"{s} {p} {o} .\n" for s, p, o in report_triples(_head_only(ex), body, concept_of)]
    mentions = sorted(((f"<{r}/m/{m.start}-{m.end}>", m) for m in ex.mentions), key=lambda x: x[0])
    seen = set()
    for n, m in mentions:
        if n in seen:
            continue
        seen.add(n)
        c = concept_of(m.label)
        surface, sentence = literal(m.surface), literal(m.sentence)
        ttl.append(f"\n{n}\n    a fz:Mention ;\n    fz:charEnd {m.end} ;\n    fz:charStart {m.start} ;\n"
                   f"    fz:inReport <{r}> ;\n    fz:mentionOf <{c}> ;\n    fz:sentence {sentence} ;\n"
                   f"    fz:surfaceForm {surface} .\n")
        nt += [f"{n} {A} {_T['Mention']} .\n", f"{n} {_T['inReport']} <{r}> .\n", f"{n} {_T['mentionOf']} <{c}> .\n",
               f"{n} {_T['surfaceForm']} {surface} .\n", f"{n} {_T['sentence']} {sentence} .\n",
               f'{n} {_T["charStart"]} "{m.start}"^^<{XSD}integer> .\n',
               f'{n} {_T["charEnd"]} "{m.end}"^^<{XSD}integer> .\n']
    ttl.append(f"\n<{r}>\n    a fz:Report ;\n")
    ttl += [f"    {p} {o} {';' if i < len(head) - 1 else '.'}\n" for i, (p, o) in enumerate(head)]
    nt.sort()
    return "".join(ttl), "".join(nt), len(nt)


def report_evidence(ex: Extraction, concept_of: Callable[[str], str]) -> list[list]:
    """Per concept the report names: [concept IRI, mentions, least sentence].

    What the pages' per-mention pass reads back from a store (its mentions
    grouped per concept, the least sentence as evidence), made while the
    report's mentions are at hand, so a build's pages need not scan every
    mention again. Mentions are counted once per node, as in ``report_blocks``.
    """
    found: dict[str, list] = {}
    seen = set()
    for m in ex.mentions:
        if (m.start, m.end) in seen:
            continue
        seen.add((m.start, m.end))
        c = concept_of(m.label)
        held = found.get(c)
        if held is None:
            found[c] = [c, 1, m.sentence]
        else:
            held[1] += 1
            if m.sentence < held[2]:
                held[2] = m.sentence
    return [found[c] for c in sorted(found)]


def _head_only(ex: Extraction) -> Extraction:
    return Extraction(ex.document, ex.title, ex.body, ex.year, ex.issued, ())


def body_links(body: str, labels: Iterable[str], concept_of: Callable[[str], str],
               kind_of: dict[str, str]) -> set[Triple]:
    """The body's links to the concepts its report names."""
    return {(body, KIND_LINK[kind_of[label]], iri(concept_of(label))) for label in labels}


# ---------------------------------------------------------------------- writers

@lru_cache(maxsize=1 << 16)
def _compact(term: str) -> str:
    """An N-Triples term in Turtle's shorter spelling where one exists (cached: a concept's IRI
    is written once for every body linked to it)."""
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and _LOCAL.fullmatch(value[len(ns):]):
                return f"{prefix}:{value[len(ns):]}"
        return term
    if term.endswith(f"^^<{XSD}integer>"):
        return term[1:term.rindex('"')]
    if term.endswith(">") and "^^<" in term:
        head, dt = term.rsplit("^^", 1)
        return f"{head}^^{_compact(dt)}"
    return term


def turtle_prefixes() -> str:
    """The @prefix lines every Turtle file of ours starts with."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())


def turtle_block(triples: Iterable[Triple]) -> str:
    """Sorted, deduplicated Turtle for a group of subjects (rdf:type first)."""
    by_subject: dict[str, dict[str, set[str]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    lines = []
    for s in sorted(by_subject):
        preds = by_subject[s]
        lines.append("")
        lines.append(_compact(s))
        ordered = sorted(preds, key=lambda p: (p != A, p))
        for i, p in enumerate(ordered):
            objs = " , ".join(_compact(o) for o in sorted(preds[p]))
            lines.append(f"    {'a' if p == A else _compact(p)} {objs} {'.' if i == len(ordered) - 1 else ';'}")
    return "\n".join(lines) + "\n" if lines else ""


def ntriples_block(triples: Iterable[Triple]) -> str:
    """Sorted, deduplicated N-Triples lines."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(set(triples)))


def turtle(triples: Iterable[Triple]) -> str:
    """A whole Turtle document for a small graph."""
    return turtle_prefixes() + turtle_block(triples)
