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
    replaced: int = 0  # bytes that did not decode and were replaced (U+FFFD)


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
    note: str = ""  # why there is no body, where there is none
    level: str = ""  # where there is none: the level the report calls itself (我镇, 全县), if it does

    def chain(self) -> list[Division]:
        """The stated divisions from the top down, ending with the body itself."""
        return [d for d in (self.province, self.city, self.county, self.division) if d is not None]


@dataclass(frozen=True)
class Place:
    """A division node of the graph: the body, or a division above it."""

    key: tuple[str, ...]  # its IRI's path under place/: ("500236", "鱼复街道"), ("如东县", "岔河镇")
    name: str  # its label: as the report writes it, else the gazetteer's official name
    level: str  # a kg.kinds.LEVELS key
    code: str | None = None  # the division code of a province, city or county-level unit
    official: str | None = None  # the gazetteer's name, where the label differs
    lat: float | None = None  # WGS84, of a county-level unit or above
    lon: float | None = None
    approximate: bool = False  # the coordinates are the unit above's (the source has none of its own)
    written: bool = True  # the report writes this name (else it is only the gazetteer's)


@dataclass(frozen=True)
class Placement:
    """Where a report's body sits: its chain of places and how the chain was found.

    ``resolution`` is one of kg.kinds.RESOLUTIONS: the gazetteer entry it
    resolved to and by what evidence, or why it did not resolve.
    """

    chain: tuple[Place, ...] = ()  # from the top down, ending with the body; () without a body
    resolution: str = "none"
    note: str = ""  # in a few words, for the manifest and the graph

    @property
    def body(self) -> Place | None:
        return self.chain[-1] if self.chain else None


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
    folded: str = ""  # the text as it was matched (``textnorm.fold_with_map``), for the later stages
    names: frozenset[str] = frozenset()  # the body's names in the text (dropped from the front of institutions)
