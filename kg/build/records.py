"""What a build knows of each input and of itself: the records the manifest lists, the
summary the parent keeps of each report, and the build's result."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..layout import Span
from ..model import Placement
from ..resolve import Concept

STATUSES = ("ok", "duplicate", "skipped", "failed")


@dataclass
class Record:
    """One input, as the manifest lists it."""

    path: str
    status: str  # one of STATUSES
    sha256: str | None = None
    format: str | None = None
    encoding: str | None = None
    reason: str | None = None
    report: str | None = None  # the report's IRI
    body: str | None = None  # the body's name, as the report writes it
    place: str | None = None  # how the body was placed in the gazetteer (kg.kinds.RESOLUTIONS)
    note: str | None = None  # why the body is missing or did not resolve
    warning: str | None = None  # built, but not like a report: said on stderr too
    replaced: int = 0  # bytes that did not decode, replaced (a text kept despite a few bad bytes)
    cached: bool = False


@dataclass
class Summary:
    """What the parent keeps of one extracted report."""

    record: Record
    source: str = ""
    placement: Placement = field(default_factory=Placement)
    votes: list[tuple[str, str]] = field(default_factory=list)  # (label, kind), one per mention
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (label, surface form)
    triples: int = 0  # in the report's own block (the report and its mentions)
    mentions: int = 0
    labels: frozenset[str] = frozenset()  # the concepts it names (votes and aliases are folded away)
    blocks: tuple[Span, ...] = ()  # where its cache entry's sections lie (cache.SECTIONS)
    size: int = 0  # bytes read (the file may be gone by the time the build sums them)
    block: str = ""  # a digest of its Turtle block: the store reloads a report whose block changed
    vocabulary: str = ""  # the digest of the vocabulary its cache entry was made with
    retired: tuple[str, str] | None = None  # (digest, N-Triples) of the block a vocabulary edit replaced


@dataclass
class BuildResult:
    """What a build read, made and wrote."""

    records: list[Record]
    concepts: dict[str, Concept]
    reports: int = 0
    mentions: int = 0
    triples: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    store_update: tuple[int, int] | None = None  # (reports loaded, deleted) if the previous store was built on
    compacted: bool = False  # whether the build compacted the store (``StoreLoader.optimize``)
    pages_update: tuple[int, int] | None = None  # (bodies folded, of all) if the pages were drawn
    outputs: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[Record]:
        return [r for r in self.records if r.status == "failed"]

    @property
    def skipped(self) -> list[Record]:
        return [r for r in self.records if r.status == "skipped"]


def mark_duplicates(summaries: list[Summary]) -> None:
    """The same content twice: the first in input order is built (its triples are the ones
    already in the store), the others are listed as its duplicates."""
    first: dict[str, str] = {}
    for s in summaries:
        r = s.record
        if r.status != "ok" or r.sha256 is None:
            continue
        if r.sha256 in first:
            r.status, r.reason = "duplicate", f"same content as {first[r.sha256]}"
        else:
            first[r.sha256] = r.path


def manifest(result: BuildResult) -> dict:
    """The manifest's content: counts, and every input with what became of it."""
    counts = Counter(r.status for r in result.records)
    return {
        "inputs": len(result.records),
        "status": {k: counts.get(k, 0) for k in STATUSES},
        "reports": result.reports,
        "mentions": result.mentions,
        "concepts": len(result.concepts),
        "triples": result.triples,
        # whether an entry came from the cache is left out: a warm re-run writes the same bytes
        "files": [{k: v for k, v in asdict(r).items() if k != "cached"} for r in result.records],
    }
