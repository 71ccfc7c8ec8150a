"""Surface forms -> canonical concepts, across the whole batch.

The extractor already gives every mention a canonical label; this stage
decides each label's one kind (the vocabulary's, else the kind most mentions
give it) and gathers the labels it goes by, so the same label always
becomes the same node of the same class, whatever order reports come in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from .lexicon import Lexicon
from .model import KINDS, Extraction
from .textnorm import to_simplified


@dataclass(frozen=True)
class Concept:
    """A node of one of the five concept classes."""

    label: str
    kind: str
    alt_labels: tuple[str, ...]
    iri: str | None = None  # the vocabulary's IRI, where the concept comes from it


def resolve(extractions: Iterable[Extraction], lexicon: Lexicon) -> tuple[list[Extraction], dict[str, Concept]]:
    """Give every mention its label's single kind; return the concepts by label."""
    extractions = list(extractions)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, set[str]] = defaultdict(set)
    for ex in extractions:
        for m in ex.mentions:
            votes[m.label][m.kind] += 1
            forms[m.label].add(_alias(m.surface))
    concepts: dict[str, Concept] = {}
    for label in sorted(votes):
        entry = lexicon.lookup(label)
        if entry is not None and entry.label == label and entry.kind in KINDS:
            kind = entry.kind
            alts = set(entry.alt_labels)
            iri = entry.iri
        else:
            kind = max(KINDS, key=lambda k: (votes[label][k], -KINDS.index(k)))
            alts, iri = set(), None
        alts |= forms[label]
        alts.discard(label)
        concepts[label] = Concept(label, kind, tuple(sorted(a for a in alts if a)), iri)
    resolved = [
        replace(ex, mentions=tuple(replace(m, kind=concepts[m.label].kind) for m in ex.mentions))
        for ex in extractions
    ]
    return resolved, concepts


def _alias(surface: str) -> str:
    """A surface form as an altLabel: simplified, without title brackets or line breaks."""
    return "".join(to_simplified(surface).replace("《", "").replace("》", "").split())
