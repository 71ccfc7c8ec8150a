"""Terms found by pattern that the vocabulary lacks: what a curator should promote.

Every pattern mention (a quoted brand, a 《title》, a name ending in 机制 or
领导小组 …) whose label the lexicon does not know is counted per label and
kind, with the reports it came from and one sentence of evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .lexicon import Lexicon
from ..model import Extraction


@dataclass(frozen=True)
class Candidate:
    """A term the vocabulary could adopt."""

    label: str
    kind: str
    count: int
    reports: int
    example: str  # the first sentence it was seen in
    source: str  # the report that sentence comes from


def candidates(extractions: Iterable[Extraction], lexicon: Lexicon, *, min_count: int = 1,
               kinds: Iterable[str] | None = None) -> list[Candidate]:
    """Unknown pattern terms, most frequent first (then by label)."""
    wanted = set(kinds) if kinds else None
    counts: dict[tuple[str, str], int] = {}
    reports: dict[tuple[str, str], set[str]] = {}
    example: dict[tuple[str, str], tuple[str, str]] = {}
    for ex in sorted(extractions, key=lambda e: (e.document.source, e.document.sha256)):
        for m in ex.mentions:
            if m.source != "pattern" or lexicon.lookup(m.label) is not None:
                continue
            if wanted is not None and m.kind not in wanted:
                continue
            k = (m.label, m.kind)
            counts[k] = counts.get(k, 0) + 1
            reports.setdefault(k, set()).add(ex.document.sha256)
            example.setdefault(k, (m.sentence, ex.document.source))
    out = [Candidate(label, kind, n, len(reports[(label, kind)]), *example[(label, kind)])
           for (label, kind), n in counts.items() if n >= min_count]
    return sorted(out, key=lambda c: (-c.reports, -c.count, c.kind, c.label))
