"""The one table of concept kinds and the one table of division levels.

Everything that lists kinds or levels derives from these rows: the
ontology maps (``kg.vocab``), the lexicon's classes, the VALUES lines of the
bundled queries, the page legends and the command line's choices. A new
kind is one row here plus its class and link property in ``ontology/``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of concept the extractor finds."""

    key: str  # institution, mechanism, ... (the extractor's and the gold's word)
    cls: str  # local name of its OWL class
    link: str  # local name of the body -> concept property
    zh: str  # Chinese name, for page headings and legends
    en: str  # English name
    colour: str  # its colour on every page and in GraphML (Okabe-Ito: tells apart for colour-blind readers)
    shape: str  # vis-network node shape
    link_zh: str  # Chinese name of the link, for the network's legend
    precedence: int  # which kind's concept wins a label two vocabulary concepts share (lower wins)


KINDS: tuple[Kind, ...] = (
    Kind("institution", "Institution", "hasInstitution", "机构", "Institution", "#0072B2", "dot", "设有机构", 3),
    Kind("mechanism", "Mechanism", "usesMechanism", "工作机制", "Mechanism", "#D55E00", "diamond", "运用机制", 2),
    Kind("programme", "Programme", "runsProgramme", "专项工作", "Programme", "#009E73", "triangle", "开展专项工作", 1),
    Kind("law", "Law", "citesLaw", "法律文件", "Law", "#CC79A7", "star", "引用法律文件", 0),
    Kind("role", "Role", "hasRole", "法律服务角色", "Role", "#E69F00", "triangleDown", "配备角色", 4),
)
KIND_KEYS: tuple[str, ...] = tuple(k.key for k in KINDS)
KIND: dict[str, Kind] = {k.key: k for k in KINDS}
# what a body does, as against what it has or cites: the kinds whose sets `kg similar` compares
# and whose co-adoption the summary page draws (institutions and laws nearly every body names)
TOOLKIT_KINDS: tuple[str, ...] = ("mechanism", "programme")

# the colour and shape of a reporting body wherever bodies and concepts are drawn together
BODY_COLOUR = "#3F4F63"
BODY_SHAPE = "square"


@dataclass(frozen=True)
class Level:
    """A level of administrative division."""

    key: str  # township, subdistrict, ... (the extractor's word)
    cls: str  # local name of its OWL class
    rank: int  # 0 for a province, down to 3 for a township; a chain goes strictly down
    zh: str  # short Chinese name (summary cards)
    en: str  # English name
    zh_long: str  # fuller Chinese name (network tooltips)


# most specific first: a body typed with several classes takes the first
LEVELS: tuple[Level, ...] = (
    Level("township", "Township", 3, "乡镇", "township", "乡镇"),
    Level("subdistrict", "Subdistrict", 3, "街道", "sub-district", "街道"),
    Level("county", "County", 2, "县级", "county", "县"),
    Level("district", "District", 2, "市辖区", "district", "区"),
    Level("city", "City", 1, "市级", "city", "地级市"),
    Level("province", "Province", 0, "省级", "province", "省级行政区"),
)
LEVEL: dict[str, Level] = {level.key: level for level in LEVELS}
# the levels below a county (what "town" means in `kg towns`), and those of a county-level unit
TOWN_LEVELS: tuple[str, ...] = tuple(level.key for level in LEVELS if level.rank == 3)
COUNTY_LEVELS: tuple[str, ...] = tuple(level.key for level in LEVELS if level.rank == 2)


@dataclass(frozen=True)
class Resolution:
    """How a body was placed in the national gazetteer."""

    key: str
    resolved: bool  # whether the body is one gazetteer entry
    meaning: str


# strongest first: a body several reports place differently keeps the first of these
RESOLUTIONS: tuple[Resolution, ...] = (
    Resolution("stated", True, "the divisions the text states above it leave one entry"),
    Resolution("unique", True, "the only entry of that name, and nothing in the text against it"),
    Resolution("villages", True, "the villages and communities the text names belong to one entry"),
    Resolution("context", True, "the divisions the text names elsewhere point to one entry"),
    Resolution("ambiguous", False, "several entries fit and the text does not tell them apart: kept apart"),
    Resolution("not-found", False, "no entry of that name fits: a renamed or new division, kept as written"),
    Resolution("unnamed", False, "the report never gives its name, only its level (我镇) and what lies above it"),
    Resolution("none", False, "no body found"),
)
RESOLUTION: dict[str, Resolution] = {r.key: r for r in RESOLUTIONS}
