"""Per-report extraction cache, keyed by content hash and extractor fingerprint.

A re-run over the same folder re-extracts only reports whose bytes changed,
or all of them when the extractor's code or vocabulary changed: the
fingerprint hashes both, so a stale entry can never be read.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Sequence

from . import __version__
from .graph import write_atomic
from .model import Division, Document, Extraction, Issuer, Mention

# the modules whose behaviour decides what an extraction and its rendered blocks hold
_EXTRACTOR_MODULES = ("ingest.py", "textnorm.py", "lexicon.py", "divisions.py", "patterns.py", "extract.py", "model.py",
                      "graph.py", "resolve.py")


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


def to_json(ex: Extraction) -> dict:
    """An extraction as plain JSON data (``dataclasses.asdict`` deep-copies, and is slow)."""
    def division(d: Division | None) -> dict | None:
        return {"name": d.name, "level": d.level} if d else None

    return {
        "document": vars(ex.document).copy(),
        "title": ex.title,
        "issuer": {k: division(getattr(ex.issuer, k)) for k in ("body", "county", "city", "province")},
        "year": ex.year,
        "issued": ex.issued,
        "mentions": [vars(m).copy() for m in ex.mentions],
    }


def from_json(data: dict) -> Extraction:
    """The inverse of :func:`to_json`."""
    def division(d: dict | None) -> Division | None:
        return Division(**d) if d else None

    issuer = data["issuer"]
    return Extraction(
        document=Document(**data["document"]),
        title=data["title"],
        issuer=Issuer(*(division(issuer[k]) for k in ("body", "county", "city", "province"))),
        year=data["year"],
        issued=data["issued"],
        mentions=tuple(Mention(**m) for m in data["mentions"]),
    )


class Cache:
    """Extractions on disk under ``root/<fingerprint>/<sha[:2]>/<sha>.json``."""

    def __init__(self, root: Path, fingerprint_: str) -> None:
        self.root = Path(root) / fingerprint_

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str, source: str, path: str) -> Extraction | None:
        """The cached extraction of this content, renamed to this file, if any."""
        p = self._path(sha256)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        data["document"]["source"] = source  # the same bytes may come under another name
        data["document"]["path"] = path
        try:
            return from_json(data)
        except (KeyError, TypeError):
            return None

    def blocks(self, sha256: str, key: str) -> tuple[Path, Path, Path]:
        """Where a report's rendered Turtle, N-Triples and evidence (JSON) are kept (by content and file name)."""
        folder = self.root / sha256[:2] / sha256
        return folder / f"{key}.ttl", folder / f"{key}.nt", folder / f"{key}.evidence.json"

    def put(self, ex: Extraction) -> None:
        """Store an extraction (atomically, so a killed build leaves no half entry)."""
        write_atomic(self._path(ex.document.sha256), json.dumps(to_json(ex), ensure_ascii=False), durable=False)
