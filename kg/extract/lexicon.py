"""SKOS vocabulary -> matcher.

Every prefLabel and altLabel of the bundled vocabulary (and of any user
vocabulary passed with ``--vocab``) becomes a pattern over folded text; a
match carries the concept it names, like spaCy's EntityRuler. Longest match
first, then earliest, no overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

import ahocorasick_rs
import rdflib
from rdflib.namespace import RDF, SKOS

from ..errors import VocabularyError
from ..kinds import KINDS
from ..textnorm import fold, key, strip_quotes
from ..vocab import FZ, ONTOLOGY

# the classes a vocabulary concept may have: the five kinds, and slogans never extracted
FORMULA = "formula"
CLASS_KIND = {rdflib.URIRef(ONTOLOGY + k.cls): k.key for k in KINDS} | {FZ.Formula: FORMULA}
# the order entries are listed in, and so which wins a variant two concepts share
KIND_ORDER = tuple(k.key for k in sorted(KINDS, key=lambda k: k.precedence)) + (FORMULA,)
LAW_PREFIX = "中华人民共和国"
# The contiguous NFA finds the same matches about a third faster than the library's default
# choice for a vocabulary this size, and builds as fast (a DFA is faster still but takes
# 15 times as long to build). Older ahocorasick_rs releases have no choice to make.
_FAST_MATCHER = ({"implementation": ahocorasick_rs.Implementation.ContiguousNFA}
                 if hasattr(ahocorasick_rs, "Implementation") else {})


def bundled_vocabularies() -> list[Path]:
    """The vocabulary shipped inside the package: every ``ontology/vocabulary*.ttl``, in name order."""
    return sorted(Path(str(resources.files("kg") / "ontology")).glob("vocabulary*.ttl"))


@dataclass(frozen=True)
class VocabConcept:
    """One concept of the vocabulary."""

    iri: str
    kind: str  # a model.KINDS value, or "formula" for slogans never extracted
    label: str  # skos:prefLabel
    alt_labels: tuple[str, ...] = ()


def _variants(entry: VocabConcept) -> set[str]:
    """The folded strings that name ``entry`` in running text."""
    forms = {entry.label, *entry.alt_labels}
    out: set[str] = set()
    for form in forms:
        for f in (form, strip_quotes(form)):
            f = fold(f).strip()
            if len(f) >= 2:
                out.add(f)
                if entry.kind == "law" and not f.startswith(LAW_PREFIX):
                    out.add(LAW_PREFIX + f)
    return out


class Lexicon:
    """The vocabulary's concepts, a matcher over their labels and a lookup by key."""

    def __init__(self, entries: Iterable[VocabConcept]) -> None:
        self.entries: list[VocabConcept] = sorted(entries, key=lambda e: (KIND_ORDER.index(e.kind), e.label))
        self._by_key: dict[str, VocabConcept] = {}
        patterns: dict[str, VocabConcept] = {}
        for entry in self.entries:
            for form in sorted(_variants(entry)):
                patterns.setdefault(form, entry)
                self._by_key.setdefault(key(form), entry)
        for entry in self.entries:  # a prefLabel always wins its own key
            self._by_key[key(entry.label)] = entry
        self._patterns = sorted(patterns)
        self._pattern_entry = [patterns[p] for p in self._patterns]
        self._matcher = ahocorasick_rs.AhoCorasick(
            self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest, **_FAST_MATCHER
        ) if self._patterns else None

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, folded: str) -> list[tuple[int, int, VocabConcept]]:
        """Non-overlapping leftmost-longest matches in already folded text."""
        if self._matcher is None:
            return []
        return [(s, e, self._pattern_entry[i]) for i, s, e in self._matcher.find_matches_as_indexes(folded)]

    def lookup(self, text: str) -> VocabConcept | None:
        """The concept a whole surface form or label names, if any."""
        return self._by_key.get(key(text))

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> "Lexicon":
        """The bundled vocabulary plus the user's SKOS files."""
        graph = rdflib.Graph()
        for path in [*bundled_vocabularies(), *map(Path, extra)]:
            try:
                graph.parse(path, format="turtle" if path.suffix in (".ttl", "") else None)
            except FileNotFoundError:
                raise VocabularyError(f"{path}: no such vocabulary file") from None
            except Exception as exc:  # rdflib raises many parser error types
                raise VocabularyError(f"{path}: not a readable RDF vocabulary: {exc}") from None
        return cls(entries_from_graph(graph))


def entries_from_graph(graph: rdflib.Graph) -> list[VocabConcept]:
    """Concepts typed with one of our classes, with their zh labels."""
    entries = []
    for cls, kind in CLASS_KIND.items():
        for iri in sorted(set(graph.subjects(RDF.type, cls))):
            prefs = sorted(str(l) for l in graph.objects(iri, SKOS.prefLabel) if getattr(l, "language", None) in ("zh", None))
            if not prefs:
                raise VocabularyError(f"{iri}: concept without a skos:prefLabel")
            alts = tuple(sorted(str(l) for l in graph.objects(iri, SKOS.altLabel) if getattr(l, "language", None) in ("zh", None)))
            entries.append(VocabConcept(str(iri), kind, prefs[0], alts))
    return entries
