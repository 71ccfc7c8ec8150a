"""SKOS vocabulary -> matcher.

Every prefLabel and altLabel of the bundled vocabulary (and of any user
vocabulary passed with ``--vocab``) becomes a pattern over folded text; a
match carries the concept it names, like spaCy's EntityRuler. Longest match
first, then earliest, no overlaps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

import ahocorasick_rs
import pyoxigraph as ox

from ..errors import VocabularyError
from ..kinds import KINDS
from ..textnorm import fold, key, key_of_folded, strip_quotes
from ..vocab import ONTOLOGY, RDF, SKOS

# the classes a vocabulary concept may have: the five kinds, and slogans never extracted
FORMULA = "formula"
CLASS_KIND = {ONTOLOGY + k.cls: k.key for k in KINDS} | {ONTOLOGY + "Formula": FORMULA}
_TYPE, _PREF, _ALT = RDF + "type", SKOS + "prefLabel", SKOS + "altLabel"
# the order entries are listed in, and so which wins a variant two concepts share
KIND_ORDER = tuple(k.key for k in sorted(KINDS, key=lambda k: k.precedence)) + (FORMULA,)
LAW_PREFIX = "中华人民共和国"
# The contiguous NFA finds the same matches about a third faster than the library's default
# choice for a vocabulary this size, and builds as fast (a DFA is faster still but takes
# 15 times as long to build). Older ahocorasick_rs releases have no choice to make.
_FAST_MATCHER = ({"implementation": ahocorasick_rs.Implementation.ContiguousNFA}
                 if hasattr(ahocorasick_rs, "Implementation") else {})


def _touch(text: str) -> str:
    """The form a name is looked for in a report by ``VocabularyChange``."""
    return key(text).replace("—", "")


class VocabularyChange:
    """The names a vocabulary edit touched, and whether a report holds one.

    A report's extraction depends on the vocabulary only where its text holds
    one of the vocabulary's names: a match of the lexicon, or a name found by
    pattern that the lexicon looks up (by its key, which drops quotes,
    brackets, punctuation and spaces). The key of any piece of a text is a
    piece of the text's key, so a report whose key holds none of the touched
    names' keys extracts the same under either vocabulary.
    """

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self._matcher = ahocorasick_rs.AhoCorasick(sorted(keys)) if keys else None

    def touches(self, key: str) -> bool:
        """Whether a report holds a touched name (``key`` is its ``text_key``)."""
        if self._matcher is None:
            return False
        return bool(self._matcher.find_matches_as_indexes(key))


def text_key(folded: str) -> str:
    """The key of a report's whole folded text, which ``VocabularyChange`` searches. It does
    not depend on the vocabulary, so a build keeps it with each report's cache entry."""
    return key_of_folded(folded).replace("—", "")


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

    def changes_since(self, old: Iterable[VocabConcept]) -> "VocabularyChange":
        """What an edit from the ``old`` entries to these can change in a report: every name of a
        concept added, removed, renamed or given another kind (a report naming it by any of them
        votes for its label and kind), and the altLabels added to or dropped from the others."""
        before = {e.iri: e for e in old}
        now = {e.iri: e for e in self.entries}
        names: set[str] = set()
        for iri in before.keys() | now.keys():
            was, be = before.get(iri), now.get(iri)
            if was == be:
                continue
            if was and be and (was.kind, was.label) == (be.kind, be.label):
                names |= _variants(was) ^ _variants(be)
            else:
                names |= (_variants(was) if was else set()) | (_variants(be) if be else set())
        return VocabularyChange({_touch(form) for form in names} - {""})

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> "Lexicon":
        """The bundled vocabulary plus the user's SKOS files (Turtle, or any RDF syntax its
        suffix names), parsed by Oxigraph: a few thousand concepts in a few tens of ms."""
        types: dict[str, set[str]] = defaultdict(set)
        labels: dict[tuple[str, str], list[str]] = defaultdict(list)
        for path in [*bundled_vocabularies(), *map(Path, extra)]:
            fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
            try:
                for t in ox.parse(path=str(path), format=fmt):
                    p = t.predicate.value
                    if p == _TYPE and isinstance(t.object, ox.NamedNode):
                        types[t.subject.value].add(t.object.value)
                    elif p in (_PREF, _ALT) and isinstance(t.object, ox.Literal) and t.object.language in ("zh", None):
                        labels[(t.subject.value, p)].append(t.object.value)
            except (FileNotFoundError, IsADirectoryError):
                raise VocabularyError(f"{path}: no such vocabulary file") from None
            except (SyntaxError, ValueError, OSError) as exc:
                raise VocabularyError(f"{path}: not a readable RDF vocabulary: {' '.join(str(exc).split())}") from None
        entries = []
        for klass, kind in CLASS_KIND.items():
            for iri in sorted(s for s, classes in types.items() if klass in classes):
                prefs = sorted(labels.get((iri, _PREF), ()))
                if not prefs:
                    raise VocabularyError(f"{iri}: concept without a skos:prefLabel")
                alts = tuple(sorted(set(labels.get((iri, _ALT), ()))))
                entries.append(VocabConcept(iri, kind, prefs[0], alts))
        return cls(entries)
