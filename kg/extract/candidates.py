"""Terms found by pattern that the vocabulary lacks: what a curator should promote next.

Every pattern mention (a quoted brand, a 《title》, a name ending in 机制 or
领导小组 …) whose label the lexicon does not know is counted per label and
kind, with the reports it came from, how many of them put it after a verb of
adoption (推行 / 建立 / 实行 / 落实 / 完善 X: a name a body runs, rather than
one it mentions in passing) and one sentence of evidence. Terms many reports
use in those frames come first: the next batch a curator adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..graph import concept_iri, literal
from ..kinds import KIND
from ..model import Extraction
from . import patterns as P
from .lexicon import Lexicon


@dataclass(frozen=True)
class Candidate:
    """A term the vocabulary could adopt."""

    label: str
    kind: str
    count: int
    reports: int
    framed: int  # reports that put it after a verb of adoption (推行/建立/实行/落实 … X)
    example: str  # the first sentence it was seen in
    source: str  # the report that sentence comes from


def candidates(extractions: Iterable[Extraction], lexicon: Lexicon, *, min_count: int = 1,
               min_reports: int = 1, kinds: Iterable[str] | None = None) -> list[Candidate]:
    """Unknown pattern terms: those most reports adopt first, then those most reports name."""
    wanted = set(kinds) if kinds else None
    counts: dict[tuple[str, str], int] = {}
    reports: dict[tuple[str, str], set[str]] = {}
    framed: dict[tuple[str, str], set[str]] = {}
    example: dict[tuple[str, str], tuple[str, str]] = {}
    for ex in sorted(extractions, key=lambda e: (e.document.source, e.document.sha256)):
        text = ex.document.text
        for m in ex.mentions:
            if m.source != "pattern" or lexicon.lookup(m.label) is not None:
                continue
            if wanted is not None and m.kind not in wanted:
                continue
            k = (m.label, m.kind)
            counts[k] = counts.get(k, 0) + 1
            reports.setdefault(k, set()).add(ex.document.sha256)
            if P.ADOPTION_FRAME.search(text[max(0, m.start - 8):m.start].rstrip("“\"「『")):
                framed.setdefault(k, set()).add(ex.document.sha256)
            example.setdefault(k, (m.sentence, ex.document.source))
    out = [Candidate(label, kind, n, len(reports[(label, kind)]), len(framed.get((label, kind), ())),
                     *example[(label, kind)])
           for (label, kind), n in counts.items() if n >= min_count and len(reports[(label, kind)]) >= min_reports]
    return sorted(out, key=lambda c: (-c.framed, -c.reports, -c.count, c.kind, c.label))


def as_turtle(found: Iterable[Candidate]) -> str:
    """The candidates as SKOS concepts in Turtle, for a curator to keep, fix or drop and pass
    with ``--vocab`` (each with its evidence as a comment)."""
    lines = ["@prefix fz:   <https://w3id.org/fzkg/ontology#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .", ""]
    for c in found:
        lines += [f"# {c.reports} reports ({c.framed} adopt it), {c.count} mentions; {c.source}: "
                  + " ".join(c.example.split())[:120],
                  f"<{concept_iri(c.label)}> a skos:Concept , fz:{KIND[c.kind].cls} ;",
                  f"    skos:prefLabel {literal(c.label, lang='zh')} .", ""]
    return "\n".join(lines)
