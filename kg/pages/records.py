"""The records the pages are drawn from: reports, bodies and concepts with their counts and
evidence, and the small text helpers they share.

Evidence: for each (report, concept) the sentence is the least of its
mentions' sentences (deterministic on any backend); a (body, year, concept)
takes the least (source, sentence) of its reports; a body's card takes its
newest year. The highlighted surface form is the concept's longest label or
altLabel found in the sentence (a build records every surface form as an
altLabel).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

EVIDENCE_CANDIDATES = 4  # evidence sentences kept per concept for the network tooltips
BODY_NAMES = 12  # body names kept per concept (the chart tooltips name 12)


def local_name(iri: str) -> str:
    """The readable tail of an IRI, for things that have no label."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return unquote(tail)


def year_of(value: str | None) -> str:
    """The four-digit year of a gYear (or date) lexical form; '' when there is none."""
    m = re.match(r"\s*(-?\d{4})", value or "")
    return m.group(1) if m else ""


def squash(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis standing for what was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_int(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def pick_label(candidates: Iterable[tuple[str, str]]) -> str | None:
    """Prefer a Chinese label, then an untagged one, then any; ties by text."""

    def rank(item: tuple[str, str]) -> tuple[int, str, str]:
        label, lang = item
        lang = lang.lower()
        return (0 if lang == "zh" or lang.startswith("zh-") else 1 if lang == "" else 2, lang, label)

    items = set(candidates)
    if len(items) == 1:  # most divisions and concepts have one label: no sort
        return next(iter(items))[0]
    return min(items, key=rank)[0] if items else None



def script_safe(text: str) -> str:
    """JSON text made inert inside an HTML ``<script>`` element: ``<``, ``>``, ``&`` and
    U+2028/U+2029 as ``\\uXXXX`` escapes (they only occur inside JSON strings, so the text
    parses back to the same value; no ``</script>``, ``<!--`` or tag can appear)."""
    return _UNSAFE_IN_SCRIPT.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)  # one pass: pages are big


_UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029]")


def marked_term(sentence: str, terms: Sequence[str]) -> str:
    """What to highlight in an evidence sentence: the first of ``terms`` (a concept's labels,
    longest first) found in it -- a build records every surface form it met as an altLabel,
    so this is the surface form the sentence was matched by."""
    return next((t for t in terms if t in sentence), "")


class Smallest:
    """The ``size`` least items added (duplicates kept), and how many were added."""

    __slots__ = ("items", "size", "count")

    def __init__(self, size: int) -> None:
        self.items: list = []
        self.size = size
        self.count = 0

    def add(self, item) -> None:
        self.count += 1
        if len(self.items) < self.size:
            bisect.insort(self.items, item)
        elif item < self.items[-1]:
            bisect.insort(self.items, item)
            self.items.pop()


# ---------------------------------------------------------------- the data

@dataclass(slots=True)
class ReportInfo:
    iri: str
    body: str | None = None
    source: str = ""
    title: str = ""  # as written (pages squash it)
    year: str = ""
    issued: str = ""


@dataclass(slots=True)
class BodyStats:
    """A body that issued at least one report."""

    iri: str
    name: str = ""
    level: str = ""  # Township, Subdistrict, ...
    upper: str = ""  # the name of the division it is directly part of ('' if none)
    county: str = ""
    county_iri: str = ""
    city: str = ""
    province: str = ""
    province_iri: str = ""
    chain: tuple[str, ...] = ()  # upper divisions, top down
    reports: list[ReportInfo] = field(default_factory=list)
    degree: int = 0  # linked concepts, counted before the pass (ranks the bodies)
    linked: int = 0  # distinct linked concepts, counted in the pass
    mentions: int = 0
    index: int = 0  # position among the summary's cards, from 1 (0: no card)
    number: int = 0  # position among all bodies in page order, from 0 (a concept's adopters list these)
    named: dict | None = None  # bodies with a card: concept -> Named
    links: dict | None = None  # network candidates: concept -> (link predicates, years)

    @property
    def display(self) -> str:
        """The name with the division above it, as the network labels it."""
        return f"{self.name} ({self.upper})" if self.upper else self.name


@dataclass(slots=True)
class Named:
    """What the reports of a body with a card say about one concept."""

    years: list[str]  # years of the reports naming it ('' for a report without one)
    mentions: int
    year: str = ""  # the evidence shown: its report's year, source, sentence and marked surface
    source: str = ""
    sentence: str = ""
    surface: str = ""


@dataclass(slots=True)
class ConceptStats:
    iri: str
    kind: str
    label: str
    alts: list[str] = field(default_factory=list)
    preds: frozenset[str] = frozenset()  # the link predicates (local names) pointing at it anywhere
    bodies: int = 0  # bodies naming it (mentions or links)
    mentions: int = 0
    names: Smallest = field(default_factory=lambda: Smallest(BODY_NAMES + 1))
    link_bodies: int = 0  # bodies linked to it (the network's count)
    link_names: Smallest = field(default_factory=lambda: Smallest(7))
    years: set[str] = field(default_factory=set)  # years of the linked bodies' reports naming it
    evidence: Smallest = field(default_factory=lambda: Smallest(EVIDENCE_CANDIDATES))
    index: int = 0  # position in the global order, from 1
    first_years: dict[str, int] = field(default_factory=dict)  # year -> bodies first naming it that year
    adopters: list[int] | None = None  # numbers of the bodies naming it: toolkit kinds only (co-adoption)
    _terms: list[str] | None = None

    @property
    def terms(self) -> list[str]:
        """Its label and other labels, longest first (ties by text); sorted once, on first use."""
        if self._terms is None:
            self._terms = sorted({t for t in (self.label, *self.alts) if t}, key=lambda t: (-len(t), t))
        return self._terms


@dataclass(frozen=True, order=True, slots=True)
class Located:
    """Where a division lies (WGS84), and its code."""

    lat: float
    lon: float
    approximate: bool  # the coordinates are the unit above's
    code: str = ""


@dataclass
class Corpus:
    reports: dict[str, ReportInfo]  # by IRI
    bodies: dict[str, BodyStats]  # in page order (province, county, name)
    concepts: dict[str, ConceptStats]  # named by a body, in global order: most bodies first
    linked: dict[str, ConceptStats]  # linked from a body (the network's concepts), any order
    years: list[str]  # report years, sorted
    n_mentions: int = 0
    shown: list[BodyStats] = field(default_factory=list)  # bodies with a card, in page order
    located: dict[str, Located] = field(default_factory=dict)  # divisions with coordinates, by IRI

