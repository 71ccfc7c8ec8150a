"""Printable summaries of a built graph: an offline HTML page, a CSV and GraphML.

``summary_html(select)`` is one self-contained page a legal-affairs office
can read on screen or print: the corpus at a glance, the most widespread
mechanisms and programmes as inline-SVG bar charts, a town × mechanism
matrix whose ticks link to the evidence, and one card per reporting body
with one sentence of evidence for every concept its reports name.

``towns_csv(select)`` is the same evidence as a table, one row per (town,
report year, concept); ``graphml(select)`` is the body–concept network for
Gephi.

All three gather the graph with five SPARQL SELECTs through ``select`` (a
callable that runs a query and returns one ``dict`` per row, variable ->
plain string, unbound variables absent), so they work on any backend. The
output depends on the graph only: everything is sorted and nothing carries
a timestamp, so the same graph gives byte-identical files.

Report text (names, titles, sentences) reaches the page only through
Jinja2's autoescaping or ``markupsafe.escape``; the evidence highlight is
built from escaped parts around a literal ``<mark>``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import jinja2
import networkx as nx
from markupsafe import Markup, escape

Select = Callable[[str], "list[dict[str, str]]"]

FZ = "https://w3id.org/fzkg/ontology#"
FONT_STACK = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

PREFIXES = """PREFIX fz:   <https://w3id.org/fzkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:  <http://purl.org/dc/terms/>
"""

TOP_BARS = 20  # bars per chart
MATRIX_COLUMNS = 25  # mechanisms in the town × mechanism matrix
SENTENCE_CHARS = 160  # evidence longer than this is cut around the highlight
BAR_LABEL_CHARS = 13  # longer concept labels are shortened in the charts
MATRIX_LABEL_CHARS = 10  # and in the matrix's column heads
CARD_LINES_PER_PAGE = 42  # a card estimated longer than this may break across printed pages

TOWN_COLOUR = "#76b7b2"


@dataclass(frozen=True)
class Kind:
    key: str  # institution, mechanism, ...
    rdf: str  # class local name
    link: str  # body -> concept predicate local name
    label: str  # Chinese heading
    english: str
    colour: str


KINDS: tuple[Kind, ...] = (
    Kind("institution", "Institution", "hasInstitution", "机构", "Institutions", "#4e79a7"),
    Kind("mechanism", "Mechanism", "usesMechanism", "工作机制", "Mechanisms", "#f28e2b"),
    Kind("programme", "Programme", "runsProgramme", "专项工作", "Programmes", "#59a14f"),
    Kind("law", "Law", "citesLaw", "法律法规", "Laws", "#b07aa1"),
    Kind("role", "Role", "hasRole", "法律服务角色", "Roles", "#e15759"),
)
KIND_KEYS = tuple(k.key for k in KINDS)
KIND_BY_KEY = {k.key: k for k in KINDS}
KIND_BY_CLASS = {FZ + k.rdf: k.key for k in KINDS}
KIND_BY_LINK = {FZ + k.link: k.key for k in KINDS}
LINK_OF_KIND = {k.key: k.link for k in KINDS}

# Administrative levels, most specific first (a body typed twice takes the first).
LEVELS = ("Township", "Subdistrict", "County", "District", "City", "Province")
LEVEL_LABEL = {"Township": "乡镇", "Subdistrict": "街道", "County": "县级", "District": "市辖区",
               "City": "市级", "Province": "省级"}
COUNTY_LEVELS = ("County", "District")


# ---------------------------------------------------------------- queries

Q_REPORTS = PREFIXES + """
SELECT ?report ?body ?source ?title ?year ?issued WHERE {
  ?report a fz:Report .
  OPTIONAL { ?report fz:issuedBy ?body }
  OPTIONAL { ?report dct:source ?source }
  OPTIONAL { ?report dct:title ?title }
  OPTIONAL { ?report fz:year ?year }
  OPTIONAL { ?report dct:issued ?issued }
}"""

# Every division at or above a reporting body, with its types, labels and the level above.
Q_PLACES = PREFIXES + """
SELECT DISTINCT ?place ?type ?label ?lang ?upper WHERE {
  { SELECT DISTINCT ?place WHERE { ?report a fz:Report ; fz:issuedBy ?body . ?body fz:partOf* ?place . } }
  OPTIONAL { ?place a ?type .
             FILTER(?type IN (fz:Township, fz:Subdistrict, fz:County, fz:District, fz:City, fz:Province)) }
  OPTIONAL { ?place rdfs:label ?label . BIND(LANG(?label) AS ?lang) }
  OPTIONAL { ?place fz:partOf ?upper }
}"""

Q_LINKS = PREFIXES + """
SELECT DISTINCT ?body ?p ?concept WHERE {
  VALUES ?p { fz:hasInstitution fz:usesMechanism fz:runsProgramme fz:citesLaw fz:hasRole }
  ?body ?p ?concept .
}"""

Q_CONCEPTS = PREFIXES + """
SELECT DISTINCT ?concept ?type ?label ?lang WHERE {
  VALUES ?type { fz:Institution fz:Mechanism fz:Programme fz:Law fz:Role }
  ?concept a ?type .
  OPTIONAL { ?concept skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }
}"""

Q_MENTIONS = PREFIXES + """
SELECT ?m ?report ?concept ?surface ?sentence ?start WHERE {
  ?m fz:mentionOf ?concept ; fz:inReport ?report .
  OPTIONAL { ?m fz:surfaceForm ?surface }
  OPTIONAL { ?m fz:sentence ?sentence }
  OPTIONAL { ?m fz:charStart ?start }
}"""


# ---------------------------------------------------------------- helpers

def _local_name(iri: str) -> str:
    """The readable tail of an IRI, for things that have no label."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return unquote(tail)


def _year(value: str | None) -> str:
    """The four-digit year of a gYear (or date) lexical form; '' when there is none."""
    m = re.match(r"\s*(-?\d{4})", value or "")
    return m.group(1) if m else ""


def _int(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _pick_label(candidates: Iterable[tuple[str, str]]) -> str | None:
    """Prefer a Chinese label, then an untagged one, then any; ties by text."""

    def rank(item: tuple[str, str]) -> tuple[int, str, str]:
        label, lang = item
        lang = lang.lower()
        return (0 if lang == "zh" or lang.startswith("zh-") else 1 if lang == "" else 2, lang, label)

    items = sorted(set(candidates), key=rank)
    return items[0][0] if items else None


def _squash(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def evidence_markup(sentence: str, surface: str, limit: int = SENTENCE_CHARS) -> Markup:
    """The sentence as HTML with the first occurrence of ``surface`` in ``<mark>``.

    Both parts are escaped; only the ``<mark>`` tags are markup. A sentence
    longer than ``limit`` characters is cut to a window around the highlight.
    """
    sentence, surface = _squash(sentence), _squash(surface)
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return escape(_shorten(sentence, limit))
    before, after = sentence[:at], sentence[at + len(surface):]
    if len(sentence) > limit:
        budget = max(limit - len(surface), 0)
        keep_before = min(len(before), max(budget - len(after), budget // 3))
        keep_after = min(len(after), budget - keep_before)
        before = ("…" if keep_before < len(before) else "") + before[len(before) - keep_before:]
        after = after[:keep_after] + ("…" if keep_after < len(after) else "")
    return Markup("").join((escape(before), Markup("<mark>"), escape(surface), Markup("</mark>"), escape(after)))


# ---------------------------------------------------------------- the data

@dataclass
class Report:
    iri: str
    body: str | None = None
    source: str = ""
    title: str = ""
    year: str = ""
    issued: str = ""


@dataclass
class Town:
    """A body that issued at least one report."""

    iri: str
    name: str = ""
    level: str = ""  # Township, Subdistrict, ...
    county: str = ""
    county_iri: str = ""
    province: str = ""
    province_iri: str = ""
    chain: list[str] = field(default_factory=list)  # upper divisions, top down
    reports: list[Report] = field(default_factory=list)
    index: int = 0  # position on the page, from 1


@dataclass
class Concept:
    iri: str
    kind: str
    label: str
    towns: set[str] = field(default_factory=set)
    index: int = 0  # position in the global order, from 1


@dataclass(frozen=True, order=True)
class Evidence:
    """One mention, ordered so the first is the one shown."""

    rank: tuple  # (no highlight?, newer report first, source, start, sentence)
    sentence: str
    surface: str
    source: str
    year: str


@dataclass
class Corpus:
    reports: dict[str, Report]
    towns: dict[str, Town]  # in page order
    concepts: dict[str, Concept]  # in global order: most towns first
    names: dict[str, dict[str, set[str]]]  # town -> concept -> years of reports naming it
    links: dict[tuple[str, str], set[str]]  # (town, concept) -> link predicates (local names)
    evidence: dict[tuple[str, str], list[Evidence]]  # (town, concept) -> its mentions with a sentence
    mentions: dict[tuple[str, str], int]  # (town, concept) -> number of mentions

    def best(self, town: str, concept: str, year: str | None = None) -> Evidence | None:
        """The evidence shown for a town's concept (in one year's reports, or in any)."""
        found = [ev for ev in self.evidence.get((town, concept), ()) if year is None or ev.year == year]
        return min(found) if found else None


def _walk_up(start: str, places: dict[str, dict]) -> list[str]:
    """The divisions above ``start``, nearest first (partOf cycles stop the walk)."""
    seen = {start}
    out: list[str] = []
    here = start
    while True:
        uppers = sorted(places.get(here, {}).get("uppers", ()))
        if not uppers or uppers[0] in seen:
            return out
        here = uppers[0]
        seen.add(here)
        out.append(here)


def _gather(select: Select) -> Corpus:
    """Everything the outputs need, from five SELECTs."""
    reports: dict[str, Report] = {}
    for row in select(Q_REPORTS):
        rep = reports.setdefault(row["report"], Report(row["report"]))
        # several values: keep the least, so the choice does not depend on row order
        for attr, value in (("body", row.get("body")), ("source", row.get("source")),
                            ("title", _squash(row.get("title") or "")), ("year", _year(row.get("year"))),
                            ("issued", (row.get("issued") or "")[:10])):
            if value and (not getattr(rep, attr) or value < getattr(rep, attr)):
                setattr(rep, attr, value)

    places: dict[str, dict] = defaultdict(lambda: {"types": set(), "labels": set(), "uppers": set()})
    for row in select(Q_PLACES):
        p = places[row["place"]]
        if row.get("type", "").startswith(FZ):
            p["types"].add(row["type"][len(FZ):])
        if row.get("label"):
            p["labels"].add((_squash(row["label"]), row.get("lang", "")))
        if row.get("upper"):
            p["uppers"].add(row["upper"])

    def level(iri: str) -> str:
        types = places.get(iri, {}).get("types", ())
        return next((t for t in LEVELS if t in types), "")

    def name(iri: str) -> str:
        return _pick_label(places.get(iri, {}).get("labels", ())) or _local_name(iri)

    towns: dict[str, Town] = {}
    for rep in reports.values():
        if rep.body:
            towns.setdefault(rep.body, Town(rep.body)).reports.append(rep)
    for t in towns.values():
        t.name, t.level = name(t.iri), level(t.iri)
        uppers = _walk_up(t.iri, places)
        t.chain = [name(u) for u in reversed(uppers)]
        # the county-level unit: the body itself, else the nearest County/District above,
        # else a City the body sits directly under (a county-level city, or a city without counties)
        county = t.iri if t.level in COUNTY_LEVELS else None
        for u in uppers:
            if county:
                break
            if level(u) in COUNTY_LEVELS:
                county = u
            elif level(u) in ("City", "Province"):
                if level(u) == "City" and u == uppers[0] and t.level not in ("City", "Province"):
                    county = u
                break
        province = next((u for u in [t.iri, *uppers] if level(u) == "Province"), None)
        if county:
            t.county, t.county_iri = name(county), county
        if province:
            t.province, t.province_iri = name(province), province
        t.reports.sort(key=lambda r: (r.year, r.issued, r.source, r.iri))

    concept_types: dict[str, set[str]] = defaultdict(set)
    concept_labels: dict[str, set] = defaultdict(set)
    for row in select(Q_CONCEPTS):
        if row.get("type") in KIND_BY_CLASS:
            concept_types[row["concept"]].add(KIND_BY_CLASS[row["type"]])
        if row.get("label"):
            concept_labels[row["concept"]].add((_squash(row["label"]), row.get("lang", "")))

    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    concept_preds: dict[str, set[str]] = defaultdict(set)
    for row in select(Q_LINKS):
        if row["body"] in towns and row["p"] in KIND_BY_LINK:
            links[(row["body"], row["concept"])].add(row["p"][len(FZ):])
            concept_preds[row["concept"]].add(row["p"][len(FZ):])

    def kind_of(concept: str) -> str | None:
        kinds = [k for k in KIND_KEYS if k in concept_types.get(concept, ())]
        if not kinds:  # untyped: the links that point at it say what it is
            kinds = [k.key for k in KINDS if k.link in concept_preds.get(concept, ())]
        return kinds[0] if kinds else None

    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    evidence: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    mentions: dict[tuple[str, str], int] = defaultdict(int)
    seen_mentions: set[str] = set()
    for row in select(Q_MENTIONS):
        rep = reports.get(row["report"])
        if rep is None or rep.body not in towns or row["m"] in seen_mentions:
            continue
        seen_mentions.add(row["m"])
        c = row["concept"]
        if kind_of(c) is None:
            continue
        names[rep.body][c].add(rep.year)
        mentions[(rep.body, c)] += 1
        sentence, surface = _squash(row.get("sentence") or ""), _squash(row.get("surface") or "")
        if sentence:
            shown = bool(surface) and surface in sentence
            rank = (not shown, -_int(rep.year or "0"), rep.source, _int(row.get("start")), sentence, surface)
            evidence[(rep.body, c)].append(Evidence(rank, sentence, surface, rep.source, rep.year))
    for (b, c) in links:
        if kind_of(c) is not None:
            names[b].setdefault(c, set())

    concepts: dict[str, Concept] = {}
    for b, named in names.items():
        for c in named:
            if c not in concepts:
                label = _pick_label(concept_labels.get(c, ())) or _local_name(c)
                concepts[c] = Concept(c, kind_of(c), label)
            concepts[c].towns.add(b)
    order = sorted(concepts.values(), key=lambda c: (-len(c.towns), KIND_KEYS.index(c.kind), c.label, c.iri))
    for i, c in enumerate(order, 1):
        c.index = i

    def town_key(t: Town) -> tuple:
        return (t.province == "", t.province, t.county == "", t.county, t.name, t.iri)

    town_order = sorted(towns.values(), key=town_key)
    for i, t in enumerate(town_order, 1):
        t.index = i
    return Corpus(reports=dict(sorted(reports.items())), towns={t.iri: t for t in town_order},
                  concepts={c.iri: c for c in order}, names=names, links=links,
                  evidence=evidence, mentions=mentions)


# ---------------------------------------------------------------- the page

@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("summary.html.j2")


def _nice_step(top: int, most: int = 5) -> int:
    """The smallest 1-2-5 step giving at most ``most`` gridlines up to ``top``."""
    step, factors = 1, (2, 2.5, 2)  # 1, 2, 5, 10, 20, 50, ...
    i = 0
    while top / step > most:
        step = int(step * factors[i % 3])
        i += 1
    return step


def _chart(kind: Kind, concepts: list[Concept], towns: dict[str, Town]) -> dict:
    """A horizontal bar chart's geometry (the template draws it as SVG)."""
    top = sorted((c for c in concepts if c.kind == kind.key),
                 key=lambda c: (-len(c.towns), c.label, c.iri))[:TOP_BARS]
    label_w, bar_x, bar_w, row_h, pad_top = 200, 208, 380, 26, 8
    peak = max((len(c.towns) for c in top), default=0)
    step = _nice_step(peak)
    scale_max = max(step * math.ceil(peak / step), 1)
    bars = []
    for i, c in enumerate(top):
        n = len(c.towns)
        names = sorted(towns[b].name for b in c.towns)
        bars.append({
            "label": c.label,
            "short": _shorten(c.label, BAR_LABEL_CHARS),
            "count": n,
            "y": pad_top + i * row_h,
            "w": round(max(bar_w * n / scale_max, 2), 1),
            "tip": f"{c.label}：{n} 个报告单位（" + "、".join(names[:12]) + ("…" if len(names) > 12 else "") + "）",
        })
    height = pad_top + len(top) * row_h + 24
    ticks = [{"x": round(bar_x + bar_w * v / scale_max, 1), "v": v} for v in range(0, scale_max + 1, step)]
    return {"kind": kind, "bars": bars, "height": height, "label_w": label_w, "bar_x": bar_x,
            "bar_w": bar_w, "row_h": row_h, "axis_y": pad_top + len(top) * row_h, "ticks": ticks}


def summary_html(select: Select, *, title: str = "法治政府建设报告概览") -> str:
    """The complete, self-contained, printable summary page."""
    data = _gather(select)
    towns, concepts = data.towns, list(data.concepts.values())

    years = sorted({r.year for r in data.reports.values() if r.year})
    counties = {t.county_iri for t in towns.values() if t.county_iri}
    provinces = {t.province_iri for t in towns.values() if t.province_iri}
    kind_counts = [{"kind": k, "n": sum(1 for c in concepts if c.kind == k.key)} for k in KINDS]

    mechanisms = [c for c in concepts if c.kind == "mechanism"][:MATRIX_COLUMNS]
    rows = []
    previous_group = None
    for t in towns.values():
        named = data.names.get(t.iri, {})
        group = (t.province, t.county)
        rows.append({"town": t, "ticks": [c.iri in named for c in mechanisms],
                     "n_mechanisms": sum(1 for c in named if data.concepts[c].kind == "mechanism"),
                     "first_of_group": previous_group is not None and group != previous_group})
        previous_group = group

    cards = []
    for t in towns.values():
        named = data.names.get(t.iri, {})
        several_years = len({r.year for r in t.reports}) > 1
        several_reports = len(t.reports) > 1
        groups = []
        for k in KINDS:
            items = []
            for c in concepts:  # global order: most widespread first
                if c.kind != k.key or c.iri not in named:
                    continue
                ev = data.best(t.iri, c.iri)
                items.append({
                    "concept": c,
                    "anchor": f"ev-{t.index}-{c.index}",
                    "years": sorted(y for y in named[c.iri] if y) if several_years else [],
                    "html": evidence_markup(ev.sentence, ev.surface) if ev else None,
                    "source": ev.source if ev and several_reports else "",
                    "year": ev.year if ev and several_reports else "",
                    "lines": 1 + (min(len(ev.sentence), SENTENCE_CHARS) // 60 if ev else 0),
                })
            groups.append({"kind": k, "entries": items})
        lines = 5 + len(t.reports) + sum(2 + sum(i["lines"] for i in g["entries"]) for g in groups if g["entries"])
        cards.append({"town": t, "groups": groups, "total": sum(len(g["entries"]) for g in groups),
                      # a card that fits on a printed page is kept whole; a longer one flows
                      "long": lines > CARD_LINES_PER_PAGE})

    return _template().render(
        title=title,
        font_stack=FONT_STACK,
        kinds=KINDS,
        town_colour=TOWN_COLOUR,
        level_label=LEVEL_LABEL,
        n_reports=len(data.reports),
        n_towns=len(towns),
        n_counties=len(counties),
        n_provinces=len(provinces),
        n_mentions=sum(data.mentions.values()),
        n_concepts=len(concepts),
        years=years,
        kind_counts=kind_counts,
        charts=[_chart(KIND_BY_KEY["mechanism"], concepts, towns),
                _chart(KIND_BY_KEY["programme"], concepts, towns)],
        mechanisms=[{"concept": c, "short": _shorten(c.label, MATRIX_LABEL_CHARS)} for c in mechanisms],
        n_mechanisms=sum(1 for c in concepts if c.kind == "mechanism"),
        matrix_rows=rows,
        cards=cards,
        top_bars=TOP_BARS,
        matrix_columns=MATRIX_COLUMNS,
    )


# ---------------------------------------------------------------- the table

CSV_HEADER = ("town", "county", "province", "year", "kind", "concept", "sentence")


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV-injection guard)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def towns_csv(select: Select) -> str:
    """One row per (town, report year, concept) with one evidence sentence, sorted, header first.

    ``kind`` is institution, mechanism, programme, law or role; ``year`` is
    empty for a report without one (and for a concept the graph links to a
    town without any mention). Cells that a spreadsheet would read as a
    formula get a leading apostrophe.
    """
    data = _gather(select)
    rows: set[tuple[str, ...]] = set()
    for t in data.towns.values():
        for c_iri, years in data.names.get(t.iri, {}).items():
            c = data.concepts[c_iri]
            for year in sorted(years) or [""]:
                ev = data.best(t.iri, c_iri, year) if years else None
                rows.add((t.name, t.county, t.province, year, c.kind, c.label, ev.sentence if ev else ""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in sorted(rows):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


# ---------------------------------------------------------------- the network

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def _rgb(hex_colour: str) -> dict[str, int]:
    return {"r": int(hex_colour[1:3], 16), "g": int(hex_colour[3:5], 16), "b": int(hex_colour[5:7], 16)}


def graphml(select: Select) -> str:
    """The body–concept network as GraphML (for Gephi, yEd, networkx).

    Nodes: every reporting body (class ``town``) and every concept its
    reports name (class institution, mechanism, programme, law or role), with
    ``label``, ``class``, ``level``, ``county``, ``province``, ``towns`` (the
    number of bodies naming a concept; 1 for a body), ``mentions`` and
    Gephi's ``r``/``g``/``b`` colour. Edges: body -> concept, with ``link``
    (the predicate, e.g. usesMechanism), ``mentions`` (how often that body's
    reports name it), ``weight`` (the same, as a float) and ``years``.
    """
    data = _gather(select)
    g = nx.DiGraph()
    town_mentions: dict[str, int] = defaultdict(int)
    concept_mentions: dict[str, int] = defaultdict(int)
    for (b, c), n in data.mentions.items():
        town_mentions[b] += n
        concept_mentions[c] += n
    for t in data.towns.values():
        g.add_node(_xml(t.iri), label=_xml(t.name), **{"class": "town"}, level=t.level, county=_xml(t.county),
                   province=_xml(t.province), towns=1, mentions=town_mentions[t.iri],
                   reports=len(t.reports), **_rgb(TOWN_COLOUR))
    for c in data.concepts.values():
        g.add_node(_xml(c.iri), label=_xml(c.label), **{"class": c.kind}, level="", county="", province="",
                   towns=len(c.towns), mentions=concept_mentions[c.iri], reports=0,
                   **_rgb(KIND_BY_KEY[c.kind].colour))
    for t in data.towns.values():
        for c_iri, years in sorted(data.names.get(t.iri, {}).items(), key=lambda kv: data.concepts[kv[0]].index):
            c = data.concepts[c_iri]
            preds = data.links.get((t.iri, c_iri)) or {LINK_OF_KIND[c.kind]}
            link = " ".join(k.link for k in KINDS if k.link in preds)
            n = data.mentions.get((t.iri, c_iri), 0)
            g.add_edge(_xml(t.iri), _xml(c_iri), link=link, mentions=n, weight=float(n),
                       years=" ".join(sorted(y for y in years if y)))
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue().decode("utf-8")
