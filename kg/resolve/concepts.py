"""Surface forms -> canonical concepts, across the whole batch.

The extractor already gives every mention a canonical label; this stage
decides each label's one kind (the vocabulary's, else the kind most mentions
give it) and gathers the labels it goes by, so the same label always becomes
the same node of the same class, whatever order reports come in. It reads
only tallies of (label, kind) and the surface forms per label, which the
build folds as reports arrive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..extract.lexicon import Lexicon, VocabConcept
from ..graph import concept_iri
from ..kinds import KIND_KEYS
from ..textnorm import to_simplified


@dataclass(frozen=True)
class Concept:
    """A node of one of the five concept classes."""

    label: str
    kind: str
    alt_labels: tuple[str, ...]
    iri: str | None = None  # the vocabulary's IRI, where the concept comes from it


def vocabulary_entry(label: str, lexicon: Lexicon) -> VocabConcept | None:
    """The vocabulary concept whose prefLabel is ``label`` (of one of the five kinds), if any."""
    entry = lexicon.lookup(label)
    return entry if entry is not None and entry.label == label and entry.kind in KIND_KEYS else None


def concept_iri_for(label: str, lexicon: Lexicon) -> str:
    """A label's concept IRI: the vocabulary's own, else one minted from the label."""
    entry = vocabulary_entry(label, lexicon)
    return entry.iri if entry is not None else concept_iri(label)


def resolve_concepts(tally: dict[str, Counter[str]], surfaces: dict[str, set[str]],
                     lexicon: Lexicon) -> dict[str, Concept]:
    """One concept per label: its kind (from ``tally``, label -> kind -> mentions) and its
    altLabels (the vocabulary's and the ``surfaces`` it was written as)."""
    concepts: dict[str, Concept] = {}
    for label in sorted(tally):
        entry = vocabulary_entry(label, lexicon)
        if entry is not None:
            kind, alts, iri = entry.kind, set(entry.alt_labels), entry.iri
        else:
            kind = max(KIND_KEYS, key=lambda k: (tally[label][k], -KIND_KEYS.index(k)))
            alts, iri = set(), None
        alts |= {_alias(surface) for surface in surfaces.get(label, ())}
        alts.discard(label)
        concepts[label] = Concept(label, kind, tuple(sorted(a for a in alts if a)), iri)
    return concepts


def _alias(surface: str) -> str:
    """A surface form as an altLabel: simplified, without title brackets or line breaks."""
    return "".join(to_simplified(surface).replace("《", "").replace("》", "").split())
