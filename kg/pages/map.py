"""The map page (``kg map X``): every county of the build as a dot where it lies, coloured by
whether a body there names X, with a year slider that replays the spread and the list of the
counties with their towns and evidence; without X, the dots show how many reports each
county has. Also the summary page's static map (``summary_map``).

The data is the graph's: each body's county-level unit (as ``corpus.bodies_of`` finds it)
and that unit's ``geo:lat``/``geo:long``; a body whose county is unknown or has no
coordinates is listed apart, never drawn. Behind the build's dots, every county-level unit
of the national gazetteer is one faint dot, so the shape of the country shows without a
basemap or a drawn border: nothing is fetched, and no boundary, contested or not, is drawn.

Projection: plain equirectangular, longitudes shrunk by cos 35° (China's middle latitude),
in a fixed frame that holds every county, 南沙 included, so a dot sits in the same place on
every page. The page is one self-contained file: inline SVG, a small inline script, the data
as JSON in ``<script type="application/json">`` made inert by ``script_safe``, report text
put on screen with ``textContent`` only. The same graph gives the same bytes.

A town's first year is that of its earliest report naming X (a report without a year counts
as the last year); its evidence is the least sentence of that report naming X.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import pyoxigraph as ox

from .. import queries
from ..kinds import BODY_COLOUR, LEVELS
from ..query import GraphStore
from ..vocab import ONTOLOGY
from .corpus import Divisions, read_coordinates
from .records import BodyStats, Corpus, Located, local_name, script_safe, shorten, squash, to_int, year_of
from .source import as_source

FONT_STACK = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# The frame: every county-level unit of China (南沙区 at 11.5° N, 抚远 at 134.3° E) with a margin.
LON_WEST, LON_EAST, LAT_SOUTH, LAT_NORTH = 73.0, 135.5, 10.5, 54.0
X_SHRINK = math.cos(math.radians(35.0))  # equirectangular at China's middle latitude
WIDTH = 1000
UNIT = WIDTH / ((LON_EAST - LON_WEST) * X_SHRINK)  # SVG units per degree of latitude
HEIGHT = round((LAT_NORTH - LAT_SOUTH) * UNIT)

SENTENCE_CHARS = 160  # evidence longer than this is cut around the marked term
MAX_RADIUS = 10.0
COUNTY_LEVELS_OF_GAZETTEER = ("county", "district", "zone")
LEVEL_ZH = {level.cls: level.zh for level in LEVELS}

# The dots' colours (Okabe-Ito where a colour carries meaning).
COLOURS = {
    "on": "#D55E00",  # names X by the year shown (without X: has reported by then)
    "new": "#E69F00",  # … first in the year shown
    "seen": "#9AA5B1",  # has reported by then, does not name X yet
    "none": "#FFFFFF",  # no report yet (drawn hollow)
    "country": "#D3D9DF",  # a county-level unit without reports in the build
    "body": BODY_COLOUR,
}


def project(lat: float, lon: float) -> tuple[float, float] | None:
    """SVG coordinates of a point, rounded to 0.1; None outside the frame."""
    if not (LAT_SOUTH <= lat <= LAT_NORTH and LON_WEST <= lon <= LON_EAST):
        return None
    return round((lon - LON_WEST) * X_SHRINK * UNIT, 1), round((LAT_NORTH - lat) * UNIT, 1)


def radius(reports: int) -> float:
    """A dot's radius for a county with this many reports (area grows with them, up to a cap)."""
    return round(min(3.0 + 1.25 * math.sqrt(max(reports, 0)), MAX_RADIUS), 1)


@lru_cache(maxsize=1)
def country_dots() -> str:
    """SVG path data of one dot (a round-capped zero-length line) per county-level unit of the
    gazetteer (and per city without counties: 东莞, 中山 …), on whole units: about 2,800 dots,
    30 KB, one element to draw."""
    from ..gazetteer import region_points

    regions = region_points()
    has_counties = {parent for _, parent, level, _, _ in regions if level in COUNTY_LEVELS_OF_GAZETTEER}
    points = set()
    for code, _, level, lat, lon in regions:
        if level in COUNTY_LEVELS_OF_GAZETTEER or (level == "city" and code not in has_counties):
            at = project(lat, lon)
            if at is not None:
                points.add((round(at[0]), round(at[1])))
    return "".join(f"M{x} {y}h0" for x, y in sorted(points))


def clip_around(sentence: str, term: str, limit: int = SENTENCE_CHARS) -> str:
    """The sentence, cut to at most ``limit`` characters around the first occurrence of ``term``."""
    sentence = squash(sentence)
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(term) if term else -1
    if at < 0:
        return shorten(sentence, limit)
    width = limit - 2  # room for an ellipsis at each end
    start = max(0, min(at - max(width - len(term), 0) // 3, len(sentence) - width))
    return ("…" if start > 0 else "") + sentence[start:start + width] + ("…" if start + width < len(sentence) else "")


# ---------------------------------------------------------------- the data

@dataclass(frozen=True, order=True)
class Naming:
    """A report naming X, as the list shows it: its year, file and least sentence naming X."""

    year: tuple[int, str]  # _year_key of its year
    source: str
    report: str
    sentence: str
    surface: str


def _year_key(year: str | None) -> tuple[int, str]:
    """Years in order, a report without one after them all."""
    return (1, "") if not year else (0, year)


def _first(years: Sequence[str]) -> str | None:
    return min(years, key=_year_key) if years else None


def _naming(store: GraphStore, concepts: Sequence[str]) -> dict[str, Naming]:
    """Per body: its first report naming one of ``concepts`` (earliest year, then file), with
    that report's least sentence naming it."""
    per_report: dict[str, Naming] = {}
    body_of: dict[str, str] = {}
    for c in concepts:
        for _, report, body, year, source, sentence, surface in store.table(queries.text("map_mentions"),
                                                                            {"c": ox.NamedNode(c)}):
            here = Naming(_year_key(year_of(year)), source or "", report, sentence or "", squash(surface or ""))
            if report not in per_report or here < per_report[report]:
                per_report[report], body_of[report] = here, body
    first: dict[str, Naming] = {}
    for report, here in per_report.items():
        body = body_of[report]
        if body not in first or here < first[body]:
            first[body] = here
    return first


def _labels(store: GraphStore, concepts: Sequence[str]) -> list[str]:
    """The concepts' preferred labels (the least where there are several), sorted."""
    out = set()
    for c in concepts:
        labels = [label for _, label in store.rows(queries.text("map_label"), {"c": ox.NamedNode(c)}) if label]
        out.add(min(labels, default=local_name(c)))
    return sorted(out)


@dataclass
class Body:
    """A body that issued reports, and where it sits."""

    iri: str
    name: str
    level: str
    reports: int
    years: list[str]  # one per dated report, sorted
    chain: tuple[str, ...]  # the names of the divisions above it, top down
    county: str | None  # IRIs
    city: str | None
    province: str | None


def _uppers(store: GraphStore) -> list[tuple]:
    """The divisions above bodies, as ``Divisions`` takes them (map_uppers)."""
    return [(p, level and ONTOLOGY + level, label, lang, up)
            for p, level, label, lang, up in store.table(queries.text("map_uppers"))]


def _bodies(store: GraphStore, uppers: Callable[[], list[tuple]]) -> tuple[list[Body], Divisions]:
    """Every body with its reports' years and where it sits, from two whole-graph queries that
    decode each IRI about once (map_bodies, and map_uppers by ``uppers``)."""
    rows = store.table(queries.text("map_bodies"))
    divisions = Divisions([(b, level and ONTOLOGY + level, label, None, up) for b, level, label, up, _, _ in rows]
                          + uppers())
    bodies: dict[str, Body] = {}
    for iri, _, _, _, n, years in rows:
        if iri in bodies:  # a body with several labels or levels has a row for each
            continue
        names, county, city, province = divisions.place(iri)
        bodies[iri] = Body(iri, divisions.name(iri), divisions.level(iri), to_int(n),
                           sorted(y if len(y) == 4 and y.isdigit() else year_of(y) for y in (years or "").split()),
                           names, county, city, province)
    return list(bodies.values()), divisions


def _town(t: Body, naming: Naming | None) -> dict:
    """One body as the list shows it: its reports, first year naming X and the evidence."""
    return {
        "name": t.name,
        "level": LEVEL_ZH.get(t.level, ""),
        "reports": t.reports,
        "years": list(dict.fromkeys(t.years)),  # sorted already
        "since": t.years[0] if t.years else "",
        "first": naming.year[1] if naming else None,
        "ev": clip_around(naming.sentence, naming.surface) if naming else None,
        "mark": (naming.surface or None) if naming else None,
        "src": naming.source if naming else None,
    }


def _town_order(town: dict) -> tuple:
    return (town["first"] is None, _year_key(town["first"]), _year_key(town["since"]), town["name"])


def _in_order(items: dict[str, dict], key) -> list[dict]:
    """The values, by ``key`` of each, then by their IRI (the dict's key): no tie is left to the
    order the store gave the rows in."""
    return [v for _, v in sorted(items.items(), key=lambda kv: (key(kv[1]), kv[0]))]


def map_payload(store: GraphStore | ox.Store, *, concepts: Sequence[str] = (), name: str | None = None) -> dict:
    """The page's data: the placed counties with their towns, and the bodies listed apart.

    ``concepts`` are the IRIs of the concepts X stands for (``GraphStore.concepts_named``),
    ``name`` what the user typed; without them the page shows the reports alone.
    """
    if not isinstance(store, GraphStore):
        store = GraphStore(store)
    with ThreadPoolExecutor(1) as pool:  # Oxigraph lets go of the GIL while it evaluates
        above = pool.submit(_uppers, store)
        side = pool.submit(lambda: (read_coordinates(as_source(store)),
                                    _naming(store, concepts) if concepts else {},
                                    _labels(store, concepts) if concepts else []))
        bodies, divisions = _bodies(store, above.result)
        located, naming, labels = side.result()

    counties: dict[str, dict] = {}
    towns_in: dict[str, dict[str, dict]] = {}
    apart: dict[str, dict] = {}
    for t in bodies:
        town = _town(t, naming.get(t.iri))
        loc: Located | None = located.get(t.county) if t.county else None
        at = project(loc.lat, loc.lon) if loc else None
        if at is None:
            why = ("no-county" if not t.county else "no-coordinates" if loc is None else "outside-frame")
            apart[t.iri] = dict(town, where=" › ".join(t.chain), why=why)
            continue
        county = counties.get(t.county)
        if county is None:
            county = counties[t.county] = {
                "code": loc.code or local_name(t.county), "name": divisions.name(t.county),
                "city": divisions.name(t.city) if t.city else "",
                "province": divisions.name(t.province) if t.province else "",
                "x": at[0], "y": at[1], "approx": loc.approximate, "towns": []}
        towns_in.setdefault(t.county, {})[t.iri] = town
    for iri, county in counties.items():
        towns = county["towns"] = _in_order(towns_in[iri], _town_order)
        county["reports"] = sum(town["reports"] for town in towns)
        county["r"] = radius(county["reports"])
        county["since"] = _first([town["since"] for town in towns if town["since"] is not None])
        county["first"] = _first([town["first"] for town in towns if town["first"] is not None])
    ordered = _in_order(counties, lambda c: (c["first"] is None, _year_key(c["first"]), c["province"], c["city"],
                                             c["name"], c["code"]))
    years = sorted({y for t in bodies for y in t.years})
    return {"concept": {"name": name or "", "labels": labels} if concepts else None,
            "years": years, "counties": ordered,
            "apart": _in_order(apart, lambda town: (*_town_order(town), town["where"]))}


# ---------------------------------------------------------------- the page

@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                              autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


def map_html(store: GraphStore | ox.Store, *, concepts: Sequence[str] = (), name: str | None = None,
             title: str | None = None) -> str:
    """The complete, self-contained map page (see the module's docstring)."""
    with _collector_paused():
        return render_map(map_payload(store, concepts=concepts, name=name), title=title)


@contextmanager
def _collector_paused():
    """The cyclic garbage collector off for a while: the page's data is some 100,000 small
    objects made at once, none in a cycle, and the collector would walk them again and again
    (a fifth of the time at 20,000 reports), as the gazetteer's loader found too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_map(payload: dict, *, title: str | None = None) -> str:
    """The map page of a payload made by ``map_payload``."""
    concept = payload["concept"]
    if title is None:
        title = f"“{'、'.join(concept['labels'])}”的分布" if concept else "报告分布图"
    counties, apart = payload["counties"], payload["apart"]
    n_bodies = sum(len(c["towns"]) for c in counties) + len(apart)
    adopted = [c for c in counties if c["first"] is not None]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))  # keys in a fixed order
    return _environment().get_template("map.html.j2").render(
        title=title, font_stack=FONT_STACK, data_json=script_safe(text), width=WIDTH, height=HEIGHT,
        country=country_dots(), colours=COLOURS, concept=concept, years=payload["years"],
        n_counties=len(counties), n_bodies=n_bodies, n_apart=len(apart),
        n_reports=sum(c["reports"] for c in counties) + sum(t["reports"] for t in apart),
        n_adopted=len(adopted), n_adopted_bodies=sum(1 for c in counties for t in c["towns"] if t["first"] is not None)
        + sum(1 for t in apart if t["first"] is not None),
        legend_sizes=[{"n": n, "r": radius(n)} for n in (1, 5, 20)])


def summary_map(data: Corpus) -> dict:
    """The summary page's static map: the build's counties as dots sized by their reports."""
    per_county: dict[str, list[BodyStats]] = {}
    for t in data.bodies.values():
        if t.county_iri:
            per_county.setdefault(t.county_iri, []).append(t)
    dots, placed = [], 0
    for iri, towns in per_county.items():
        loc = data.located.get(iri)
        at = project(loc.lat, loc.lon) if loc else None
        if at is None:
            continue
        n = sum(len(t.reports) for t in towns)
        placed += len(towns)
        where = " ".join(x for x in (towns[0].province, towns[0].city) if x)
        dots.append({"x": at[0], "y": at[1], "r": radius(n),
                     "tip": f"{towns[0].county}（{where}）：{len(towns)} 个报告单位，{n} 份报告"})
    dots.sort(key=lambda d: (-d["r"], d["x"], d["y"], d["tip"]))  # big dots first, small ones on top
    return {"width": WIDTH, "height": HEIGHT, "country": country_dots(), "dots": dots,
            "n_counties": len(dots), "n_placed": placed, "n_apart": len(data.bodies) - placed,
            "colours": COLOURS}
