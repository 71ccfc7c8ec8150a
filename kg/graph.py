"""The one place IRIs are minted and triples written.

IRIs are readable (Chinese names, percent-encoding only what an IRI or
Turtle cannot hold) and stable: a concept's IRI depends on its label only, a
report's on its file name and content, a body's on its name and the nearest
division above it that the text states. The Turtle writer sorts everything,
so the same inputs in any order give byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .model import Division, Extraction, Issuer
from .resolve import Concept
from .vocab import FZ, ID, KIND_CLASS, KIND_LINK, LEVEL_CLASS, ONTOLOGY

Triple = tuple[URIRef, URIRef, URIRef | Literal]

PREFIXES = {
    "fz": ONTOLOGY,
    "skos": str(SKOS),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "dct": str(DCTERMS),
    "xsd": str(XSD),
}
_UNSAFE = re.compile(r"[\s<>\"{}|\\^`#?/%]")


def iri_segment(text: str) -> str:
    """Percent-encode only what may not stand in one IRI path segment."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), text)


def _iri(*parts: str) -> URIRef:
    iri = ID + "/".join(iri_segment(p) for p in parts)
    if not iri.isprintable():
        raise ValueError(f"cannot mint an IRI from {parts!r}")
    return URIRef(iri)


def concept_iri(label: str) -> URIRef:
    """A concept's IRI: its canonical label under id/concept/."""
    return _iri("concept", label)


def report_iri(source: str, sha256: str) -> URIRef:
    """A report's IRI: its file stem and the start of its content hash."""
    stem = source.rsplit(".", 1)[0] if "." in source else source
    return _iri("report", f"{stem}-{sha256[:8]}")


def body_chain(issuer: Issuer) -> list[Division]:
    """The stated divisions from the top down, ending with the issuer."""
    return [d for d in (issuer.province, issuer.city, issuer.county, issuer.body) if d is not None]


def division_iri(chain: list[Division], i: int) -> URIRef:
    """A division's IRI: its name under the nearest stated division above it."""
    d = chain[i]
    parent = chain[i - 1].name if i > 0 and d.level not in ("province",) else None
    return _iri("place", parent, d.name) if parent else _iri("place", d.name)


def triples(extractions: Iterable[Extraction], concepts: dict[str, Concept]) -> Iterator[Triple]:
    """Every triple of the graph, in no particular order."""
    for label, c in concepts.items():
        iri = URIRef(c.iri) if c.iri else concept_iri(label)
        yield iri, RDF.type, SKOS.Concept
        yield iri, RDF.type, KIND_CLASS[c.kind]
        yield iri, SKOS.prefLabel, Literal(label, lang="zh")
        for alt in c.alt_labels:
            yield iri, SKOS.altLabel, Literal(alt, lang="zh")
    for ex in extractions:
        doc = ex.document
        report = report_iri(doc.source, doc.sha256)
        yield report, RDF.type, FZ.Report
        yield report, DCTERMS.source, Literal(doc.source)
        if ex.title:
            yield report, DCTERMS.title, Literal(ex.title)
        if ex.year:
            yield report, FZ.year, Literal(f"{ex.year:04d}", datatype=XSD.gYear)
        if ex.issued:
            yield report, DCTERMS.issued, Literal(ex.issued, datatype=XSD.date)
        body = None
        chain = body_chain(ex.issuer)
        if ex.issuer.body is not None:
            iris = [division_iri(chain, i) for i in range(len(chain))]
            for i, d in enumerate(chain):
                yield iris[i], RDF.type, LEVEL_CLASS[d.level]
                yield iris[i], RDFS.label, Literal(d.name, lang="zh")
                if i > 0:
                    yield iris[i], FZ.partOf, iris[i - 1]
            body = iris[-1]
            yield report, FZ.issuedBy, body
        for m in ex.mentions:
            c = concepts[m.label]
            target = URIRef(c.iri) if c.iri else concept_iri(m.label)
            mention = URIRef(f"{report}/m/{m.start}-{m.end}")
            yield mention, RDF.type, FZ.Mention
            yield mention, FZ.inReport, report
            yield mention, FZ.mentionOf, target
            yield mention, FZ.surfaceForm, Literal(m.surface)
            yield mention, FZ.sentence, Literal(m.sentence)
            yield mention, FZ.charStart, Literal(m.start)
            yield mention, FZ.charEnd, Literal(m.end)
            if body is not None:
                yield body, KIND_LINK[c.kind], target


def _term(t: URIRef | Literal) -> str:
    if isinstance(t, URIRef):
        s = str(t)
        for prefix, ns in PREFIXES.items():
            if s.startswith(ns) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", s[len(ns):]):
                return f"{prefix}:{s[len(ns):]}"
        return f"<{s}>"
    if t.datatype == XSD.integer:
        return str(t)
    if t.datatype is not None:
        return f'{Literal(str(t)).n3()}^^{_term(URIRef(t.datatype))}'
    return t.n3()


def _sort_key(t: URIRef | Literal) -> tuple:
    if isinstance(t, Literal) and t.datatype == XSD.integer:
        return (1, int(t), "")
    if isinstance(t, URIRef):
        return (0, 0, str(t), "", "")
    return (2, 0, str(t), t.language or "", str(t.datatype or ""))


def turtle(triples_: Iterable[Triple]) -> str:
    """Sorted, deduplicated Turtle: subjects, then predicates (rdf:type first), then objects."""
    by_subject: dict[URIRef, dict[URIRef, set]] = {}
    for s, p, o in triples_:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    for s in sorted(by_subject, key=str):
        preds = by_subject[s]
        lines.append("")
        lines.append(_term(s))
        ordered = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
        for i, p in enumerate(ordered):
            objs = " , ".join(_term(o) for o in sorted(preds[p], key=_sort_key))
            pred = "a" if p == RDF.type else _term(p)
            lines.append(f"    {pred} {objs} {'.' if i == len(ordered) - 1 else ';'}")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path``, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def content_hash(data: bytes) -> str:
    """The sha256 of a file's bytes, as hex."""
    return hashlib.sha256(data).hexdigest()
