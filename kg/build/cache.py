"""Per-report build cache, keyed by content hash, file name and code fingerprint.

A re-run over the same folder re-extracts only reports whose bytes changed,
or all of them when the code changed: the fingerprint hashes it, so a stale
entry can never be read. The vocabulary is not in the fingerprint: each entry
records the vocabulary it was made with (its digest), and the build keeps a
snapshot of each vocabulary, so after an edit only the reports whose text
holds a name the edit touched are extracted again (``Lexicon.changes_since``),
and of those only the mentions: the text, the report's title, body, dates
and place do not depend on the vocabulary and are read from the entry.
An entry keeps what the build needs of a report, not the extraction: its
summary for the parent, its rendered triples and evidence, its text and the
text's key (which an edit searches for the names it touched).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..extract.lexicon import VocabConcept
from ..layout import Span, write_atomic
from ..model import Body, Division, Document, Extraction, Place, Placement

# what decides an entry's content, the vocabulary aside: every module and data file of these
# packages and modules (a new reader or extraction module is covered the moment it is added)
_INPUTS = ("readers", "extract", "resolve", "gazetteer", "ontology", "textnorm.py", "model.py", "kinds.py",
           "vocab.py", "graph.py", "build/cache.py", "build/worker.py")
# an entry's parts, in file order; "key" is the text's key (``lexicon.text_key``), which a
# vocabulary edit searches for the names it touched
SECTIONS = ("turtle", "ntriples", "evidence", "text", "key")


def fingerprint() -> str:
    """A hash of the code and data that make an entry (the vocabulary files aside: see
    ``vocabulary_digest``)."""
    h = hashlib.sha256(__version__.encode())
    package = Path(str(resources.files("kg")))
    for name in _INPUTS:
        here = package / name
        files = [here] if here.is_file() else sorted(p for p in here.rglob("*") if p.is_file()
                                                      and "__pycache__" not in p.parts)
        for path in files:
            if path.name.startswith("vocabulary") and path.suffix == ".ttl":
                continue
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def vocabulary_digest(entries: Sequence[VocabConcept]) -> str:
    """A hash of what a lexicon holds (the bundled vocabulary and the user's), not of its files."""
    return hashlib.sha256(json.dumps(_snapshot(entries), ensure_ascii=False).encode()).hexdigest()[:16]


def _snapshot(entries: Sequence[VocabConcept]) -> list:
    return [[e.iri, e.kind, e.label, list(e.alt_labels)] for e in entries]


def _placement_json(placement: Placement) -> dict:
    return {"chain": [[list(p.key), p.name, p.level, p.code, p.official, p.lat, p.lon, p.approximate, p.written]
                      for p in placement.chain],
            "resolution": placement.resolution, "note": placement.note}


def _placement(data: dict) -> Placement:
    chain = tuple(Place(tuple(key), *rest) for key, *rest in data["chain"])
    return Placement(chain, data["resolution"], data["note"])


def _about_json(ex: Extraction) -> dict:
    b = ex.body
    return {"title": ex.title, "year": ex.year, "issued": ex.issued, "names": sorted(ex.names),
            "body": [[d.name, d.level] if d else None for d in (b.division, b.county, b.city, b.province)]
            + [b.note, b.level]}


def _about(data: dict, doc: Document) -> Extraction:
    *divisions, note, level = data["body"]
    body = Body(*(Division(*d) if d else None for d in divisions), note, level)
    return Extraction(doc, data["title"], body, data["year"], data["issued"], names=frozenset(data["names"]))


@dataclass
class CacheEntry:
    """A report as a build keeps it: what the parent needs to know, and where its rendered
    Turtle, N-Triples, evidence (JSON) and text lie in the entry file (``SECTIONS``)."""

    encoding: str | None
    placement: Placement
    votes: list[tuple[str, str]]  # (label, kind), one per mention
    aliases: list[tuple[str, str]]  # (label, surface form)
    triples: int
    spans: tuple[Span, ...]
    warning: str | None = None  # the file does not look like a report
    replaced: int = 0  # bytes of it that did not decode
    vocabulary: str = ""  # the digest of the vocabulary it was made with
    block: str = ""  # a digest of its Turtle: what the store holds of it
    about: dict | None = None  # its title, body, dates and the body's names (``about``)

    def extraction_about(self, doc: Document) -> Extraction:
        """What the report says about itself, for ``Extractor.extract(doc, about=…)``: all of
        the extraction but the mentions, which alone depend on the vocabulary."""
        return _about(self.about, doc)


class Cache:
    """One file per report under ``root/<fingerprint>/<sha[:2]>/<sha>/<key>.report``: a JSON
    header line, then the report's Turtle, N-Triples and evidence, back to back.

    Keyed by content and file name (the report's IRI holds both). One file
    rather than several: a big build writes tens of thousands of them.
    """

    def __init__(self, root: Path, fingerprint_: str, vocabulary: str = "") -> None:
        self.root = Path(root) / fingerprint_
        self.vocabulary = vocabulary  # the digest new entries are made with

    def remember(self, entries: Sequence[VocabConcept]) -> None:
        """Keep a snapshot of the vocabulary entries are made with, for the builds after an edit."""
        path = self.root / "vocabulary" / f"{self.vocabulary}.json"
        if not path.exists():
            write_atomic(path, json.dumps(_snapshot(entries), ensure_ascii=False), durable=False)

    def forget_vocabularies(self, used: set[str]) -> None:
        """Drop the snapshots no entry of this build was made with (an entry made with a
        forgotten one is made again, should it come back)."""
        for path in (self.root / "vocabulary").glob("*.json"):
            if path.stem != self.vocabulary and path.stem not in used:
                path.unlink(missing_ok=True)

    def vocabulary_of(self, digest: str) -> list[VocabConcept] | None:
        """The vocabulary an older entry was made with, if its snapshot is kept."""
        try:
            data = json.loads((self.root / "vocabulary" / f"{digest}.json").read_text(encoding="utf-8"))
            return [VocabConcept(iri, kind, label, tuple(alts)) for iri, kind, label, alts in data]
        except (OSError, ValueError, TypeError):
            return None

    def path(self, sha256: str, key: str) -> Path:
        return self.root / sha256[:2] / sha256 / f"{key}.report"

    def get(self, sha256: str, key: str) -> CacheEntry | None:
        """The entry for this content under this name, if a build made one."""
        path = self.path(sha256, key)
        try:
            with open(path, "rb") as fh:
                head = fh.readline()
                data = json.loads(head)
                size = fh.seek(0, 2)
            return self._entry(path, len(head), data, size)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, sha256: str, key: str, encoding: str | None, placement: Placement, votes: list[tuple[str, str]],
            aliases: list[tuple[str, str]], triples: int, sections: Sequence[str], about: Extraction, *,
            warning: str | None = None, replaced: int = 0) -> CacheEntry:
        """Store a report (atomically, so a killed build leaves no half entry)."""
        blobs = [text.encode("utf-8") for text in sections]
        data = {"encoding": encoding, "warning": warning, "replaced": replaced, "placement": _placement_json(placement),
                "votes": votes, "aliases": aliases, "triples": triples, "sizes": [len(b) for b in blobs],
                "vocabulary": self.vocabulary, "block": hashlib.blake2b(blobs[0], digest_size=16).hexdigest(),
                "about": _about_json(about)}
        head = json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n"
        path = self.path(sha256, key)
        write_atomic(path, b"".join([head, *blobs]), durable=False)
        return self._entry(path, len(head), data, len(head) + sum(len(b) for b in blobs))

    @staticmethod
    def _entry(path: Path, offset: int, data: dict, size: int) -> CacheEntry:
        spans = []
        for n in data["sizes"]:
            spans.append((str(path), offset, n))
            offset += n
        if offset != size or len(spans) != len(SECTIONS):
            raise ValueError("entry cut short")
        return CacheEntry(data["encoding"], _placement(data["placement"]), [tuple(v) for v in data["votes"]],
                          [tuple(a) for a in data["aliases"]], data["triples"], tuple(spans), data["warning"],
                          data["replaced"], data["vocabulary"], data["block"], data["about"])


def prune(root: Path, keep: str, *, sweep: bool = False) -> threading.Thread:
    """Drop cache entries of other fingerprints, in a thread that the caller joins; with
    ``sweep`` (the last build was killed), also the half-written entries it left.

    A big cache is tens of thousands of files: they are moved aside at once
    (so the build never reads them) and deleted while the build goes on. A
    folder a killed build left half deleted is one more stale folder.
    """
    stale = []
    if root.is_dir():
        for i, d in enumerate(sorted(root.iterdir())):
            if d.is_dir() and d.name != keep:
                aside = root / f".stale-{os.getpid()}-{i}"
                d.rename(aside)
                stale.append(aside)

    def clean() -> None:
        for d in stale:
            shutil.rmtree(d, ignore_errors=True)
        if sweep and (root / keep).is_dir():  # a write cut off by the kill (or a full disk)
            for tmp in (root / keep).glob("*/*/.*.tmp"):
                tmp.unlink(missing_ok=True)

    cleaner = threading.Thread(target=clean, name="cache-cleaner", daemon=True)
    cleaner.start()
    return cleaner
