"""Frozen dataclasses passed between stages.

They are plain values so a stage can run in another process and its output
can be cached or compared without knowing how it was produced.

One word per thing: a *body* is the division that issued a report (a
township, sub-district, county …); a *place* is any division node of the
graph; a *concept* is one of the things the reports name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """The plain text of one input file; offsets elsewhere index ``text``."""

    source: str  # the input file's basename, as dct:source
    path: str  # the path it was read from (for messages)
    text: str
    sha256: str  # of the raw bytes
    format: str = "txt"  # txt | html | docx | pdf
    encoding: str = "utf-8"  # the decoding used, for the manifest


@dataclass(frozen=True)
class Division:
    """An administrative division as the report names it."""

    name: str  # 岔河镇, 如东县, 环市街道
    level: str  # a kg.kinds.LEVELS key


@dataclass(frozen=True)
class Body:
    """Who wrote the report, with the upper levels the text states."""

    division: Division | None
    county: Division | None = None  # county, district or county-level city
    city: Division | None = None
    province: Division | None = None

    def chain(self) -> list[Division]:
        """The stated divisions from the top down, ending with the body itself."""
        return [d for d in (self.province, self.city, self.county, self.division) if d is not None]


@dataclass(frozen=True)
class Mention:
    """One occurrence of a concept in a report's text."""

    start: int
    end: int
    surface: str  # text[start:end], as written
    kind: str  # a kg.kinds.KINDS key
    label: str  # canonical label (simplified, no quotes, no generic tail)
    sentence: str
    source: str = "lexicon"  # lexicon | pattern: how it was found


@dataclass(frozen=True)
class Extraction:
    """Everything one report says about itself and the concepts it names."""

    document: Document
    title: str
    body: Body
    year: int | None
    issued: str | None  # ISO date
    mentions: tuple[Mention, ...] = field(default_factory=tuple)
