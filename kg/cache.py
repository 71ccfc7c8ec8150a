"""Per-report build cache, keyed by content hash, file name and extractor fingerprint.

A re-run over the same folder re-extracts only reports whose bytes changed,
or all of them when the extractor's code or vocabulary changed: the
fingerprint hashes both, so a stale entry can never be read. An entry keeps
what the build needs of a report, not the extraction: its summary for the
parent and its rendered triples and evidence.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

from . import __version__
from .graph import Span, write_atomic
from .model import Division, Issuer

# the modules whose behaviour decides what an extraction and its rendered blocks hold
_EXTRACTOR_MODULES = ("ingest.py", "textnorm.py", "lexicon.py", "divisions.py", "patterns.py", "extract.py", "model.py",
                      "graph.py", "resolve.py", "cache.py")


def fingerprint(vocab: Sequence[str | Path] = ()) -> str:
    """A hash of the extractor's code, the bundled vocabulary and the user's vocabulary files."""
    h = hashlib.sha256(__version__.encode())
    package = resources.files("kg")
    for name in _EXTRACTOR_MODULES:
        h.update((package / name).read_bytes())
    h.update((package / "ontology" / "vocabulary.ttl").read_bytes())
    for path in vocab:
        h.update(Path(path).read_bytes())
    return h.hexdigest()[:16]


ISSUER_SLOTS = ("body", "county", "city", "province")


def _division(d: Division | None) -> dict | None:
    return {"name": d.name, "level": d.level} if d else None


def _issuer(data: dict) -> Issuer:
    return Issuer(*(Division(**d) if d else None for d in (data.get(k) for k in ISSUER_SLOTS)))


@dataclass
class Entry:
    """A report as a build keeps it: what the parent needs to know, and where its rendered
    Turtle, N-Triples and evidence (JSON) lie in the entry file."""

    encoding: str | None
    issuer: Issuer
    votes: list[tuple[str, str]]  # (label, kind), one per mention
    aliases: list[tuple[str, str]]  # (label, surface form)
    triples: int
    spans: tuple[Span, Span, Span]


class Cache:
    """One file per report under ``root/<fingerprint>/<sha[:2]>/<sha>/<key>.report``: a JSON
    header line, then the report's Turtle, N-Triples and evidence, back to back.

    Keyed by content and file name (the report's IRI holds both). One file
    rather than several: a big build writes tens of thousands of them.
    """

    def __init__(self, root: Path, fingerprint_: str) -> None:
        self.root = Path(root) / fingerprint_

    def path(self, sha256: str, key: str) -> Path:
        return self.root / sha256[:2] / sha256 / f"{key}.report"

    def get(self, sha256: str, key: str) -> Entry | None:
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

    def put(self, sha256: str, key: str, encoding: str | None, issuer: Issuer, votes: list[tuple[str, str]],
            aliases: list[tuple[str, str]], triples: int, sections: tuple[str, str, str]) -> Entry:
        """Store a report (atomically, so a killed build leaves no half entry)."""
        blobs = [text.encode("utf-8") for text in sections]
        data = {"encoding": encoding, "issuer": {k: _division(getattr(issuer, k)) for k in ISSUER_SLOTS},
                "votes": votes, "aliases": aliases, "triples": triples, "sizes": [len(b) for b in blobs]}
        head = json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n"
        path = self.path(sha256, key)
        write_atomic(path, b"".join([head, *blobs]), durable=False)
        return self._entry(path, len(head), data, len(head) + sum(len(b) for b in blobs))

    @staticmethod
    def _entry(path: Path, offset: int, data: dict, size: int) -> Entry:
        spans = []
        for n in data["sizes"]:
            spans.append((str(path), offset, n))
            offset += n
        if offset != size or len(spans) != 3:
            raise ValueError("entry cut short")
        return Entry(data["encoding"], _issuer(data["issuer"]), [tuple(v) for v in data["votes"]],
                     [tuple(a) for a in data["aliases"]], data["triples"], tuple(spans))
