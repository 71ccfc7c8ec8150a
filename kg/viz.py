"""The network page: reporting bodies and the concepts their reports name.

``network_html(select)`` gathers the graph with a handful of SPARQL SELECTs,
builds the network with pyvis (nodes, edges, options) and renders it with
this package's own template (``templates/network.html.j2``), which inlines
vis-network's JS and CSS from pyvis's installed copy. The page loads nothing
from outside, opens from file:// and is byte-identical for the same graph.

Report text (labels, sentences, sources) reaches the page only as JSON in a
``<script type="application/json">`` block, with ``<``, ``>``, ``&``,
U+2028 and U+2029 written as ``\\uXXXX`` escapes; the page script puts it on
screen with ``textContent`` and vis-network shows string tooltips as text.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import jinja2
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network

Select = Callable[[str], "list[dict[str, str]]"]

FZ = "https://w3id.org/fzkg/ontology#"

FONT_STACK = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

PREFIXES = """PREFIX fz:   <https://w3id.org/fzkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:  <http://purl.org/dc/terms/>
"""

# Administrative levels, in the order a body's type is chosen when it has several.
LEVELS: dict[str, str] = {
    "Township": "乡镇 township",
    "Subdistrict": "街道 sub-district",
    "County": "县 county",
    "District": "区 district",
    "City": "地级市 city",
    "Province": "省级行政区 province",
}

# Node classes drawn, in legend order: key, RDF class, label, colour, vis shape.
CLASSES: tuple[dict[str, str], ...] = (
    {"key": "body", "rdf": "", "label": "报告单位 Reporting body", "color": "#3F4F63", "shape": "square"},
    {"key": "institution", "rdf": "Institution", "label": "机构 Institution", "color": "#0072B2", "shape": "dot"},
    {"key": "mechanism", "rdf": "Mechanism", "label": "工作机制 Mechanism", "color": "#D55E00", "shape": "diamond"},
    {"key": "programme", "rdf": "Programme", "label": "专项工作 Programme", "color": "#009E73", "shape": "triangle"},
    {"key": "law", "rdf": "Law", "label": "法律文件 Law", "color": "#CC79A7", "shape": "star"},
    {"key": "role", "rdf": "Role", "label": "法律服务角色 Role", "color": "#E69F00", "shape": "triangleDown"},
)
CLASS_BY_KEY = {c["key"]: c for c in CLASSES}
CLASS_BY_RDF = {FZ + c["rdf"]: c["key"] for c in CLASSES if c["rdf"]}
CONCEPT_KEYS = tuple(c["key"] for c in CLASSES if c["rdf"])

# Body -> concept links: predicate local name, label, the class it points at.
LINKS: tuple[dict[str, str], ...] = (
    {"key": "hasInstitution", "label": "设有机构 hasInstitution", "class": "institution"},
    {"key": "usesMechanism", "label": "运用机制 usesMechanism", "class": "mechanism"},
    {"key": "runsProgramme", "label": "开展专项工作 runsProgramme", "class": "programme"},
    {"key": "citesLaw", "label": "引用法律文件 citesLaw", "class": "law"},
    {"key": "hasRole", "label": "配备角色 hasRole", "class": "role"},
)
LINK_BY_IRI = {FZ + link["key"]: link for link in LINKS}

STABILIZATION_ITERATIONS = 150
RANDOM_SEED = 20240601
EVIDENCE_PER_CONCEPT = 2
SENTENCE_CHARS = 110

_TEMPLATES = Path(__file__).parent / "templates"
_VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"


# ---------------------------------------------------------------- queries

Q_REPORTS = PREFIXES + """
SELECT ?report ?body ?source ?title ?year WHERE {
  ?report a fz:Report ; fz:issuedBy ?body .
  OPTIONAL { ?report dct:source ?source }
  OPTIONAL { ?report dct:title ?title }
  OPTIONAL { ?report fz:year ?year }
}"""

Q_BODIES = PREFIXES + """
SELECT DISTINCT ?body ?type ?label ?lang ?upper ?upperLabel WHERE {
  { SELECT DISTINCT ?body WHERE { ?report a fz:Report ; fz:issuedBy ?body . } }
  OPTIONAL { ?body a ?type .
             FILTER(?type IN (fz:Township, fz:Subdistrict, fz:County, fz:District, fz:City, fz:Province)) }
  OPTIONAL { ?body rdfs:label ?label . BIND(LANG(?label) AS ?lang) }
  OPTIONAL { ?body fz:partOf ?upper . OPTIONAL { ?upper rdfs:label ?upperLabel } }
}"""

Q_LINKS = PREFIXES + """
SELECT ?body ?p ?concept WHERE {
  VALUES ?p { fz:hasInstitution fz:usesMechanism fz:runsProgramme fz:citesLaw fz:hasRole }
  ?body ?p ?concept .
}"""

Q_CONCEPTS = PREFIXES + """
SELECT ?concept ?type ?label ?lang WHERE {
  VALUES ?type { fz:Institution fz:Mechanism fz:Programme fz:Law fz:Role }
  ?concept a ?type .
  OPTIONAL { ?concept skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }
}"""

Q_ALT_LABELS = PREFIXES + """
SELECT ?concept ?alt WHERE { ?concept skos:altLabel ?alt . }"""

Q_MENTIONS = PREFIXES + """
SELECT ?concept ?report ?sentence ?surface ?start WHERE {
  ?m fz:mentionOf ?concept ; fz:inReport ?report .
  OPTIONAL { ?m fz:sentence ?sentence }
  OPTIONAL { ?m fz:surfaceForm ?surface }
  OPTIONAL { ?m fz:charStart ?start }
}"""


# ---------------------------------------------------------------- helpers

def _local_name(iri: str) -> str:
    """The readable tail of an IRI, for things that have no label."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return unquote(tail)


def _year(value: str | None) -> str | None:
    """The four-digit year of a gYear (or date) lexical form."""
    if not value:
        return None
    m = re.match(r"\s*(-?\d{4})", value)
    return m.group(1) if m else None


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
        if lang == "zh" or lang.startswith("zh-"):
            r = 0
        elif lang == "":
            r = 1
        else:
            r = 2
        return (r, lang, label)

    items = sorted(set(candidates), key=rank)
    return items[0][0] if items else None


def _clip(text: str, limit: int = SENTENCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _darker(hex_colour: str, factor: float = 0.72) -> str:
    r, g, b = (int(int(hex_colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def concept_size(towns: int) -> float:
    """Node size of a concept linked to ``towns`` distinct bodies (strictly increasing)."""
    return round(8.0 + 7.0 * math.log2(1 + max(towns, 0)), 2)


def safe_json(value: object) -> str:
    """JSON that is inert inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``/``\\u003e``/``\\u0026`` (so no
    ``</script>``, ``<!--`` or tag can appear), and U+2028/U+2029 are escaped.
    These characters only ever occur inside JSON strings, so the result parses
    back to the same value.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                     ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return text


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    js = (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    # Neither file may close or comment out its element in the page.
    if re.search(r"</script|<!--", js, re.I) or re.search(r"</style", css, re.I):
        raise RuntimeError("vis-network assets cannot be inlined safely")
    return js, css


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("network.html.j2")


# ---------------------------------------------------------------- gathering

def _gather(select: Select) -> dict:
    """Everything the page needs, from six SELECTs, as plain Python values."""
    reports: dict[str, dict] = {}
    for row in select(Q_REPORTS):
        rep = reports.setdefault(row["report"], {"body": row["body"], "source": None,
                                                 "title": None, "year": None})
        if row.get("source") and (rep["source"] is None or row["source"] < rep["source"]):
            rep["source"] = row["source"]
        if row.get("title") and (rep["title"] is None or row["title"] < rep["title"]):
            rep["title"] = row["title"]
        year = _year(row.get("year"))
        if year and (rep["year"] is None or year < rep["year"]):
            rep["year"] = year
        if row["body"] < rep["body"]:  # several issuers: keep one, deterministically
            rep["body"] = row["body"]

    levels = list(LEVELS)
    bodies: dict[str, dict] = {}
    body_labels: dict[str, set] = defaultdict(set)
    upper_labels: dict[str, set] = defaultdict(set)
    for row in select(Q_BODIES):
        b = bodies.setdefault(row["body"], {"types": set(), "uppers": set()})
        if row.get("type"):
            b["types"].add(_local_name(row["type"]))
        if row.get("label"):
            body_labels[row["body"]].add((row["label"], row.get("lang", "")))
        if row.get("upper"):
            b["uppers"].add(row["upper"])
            if row.get("upperLabel"):
                upper_labels[row["upper"]].add((row["upperLabel"], ""))
    for rep in reports.values():
        bodies.setdefault(rep["body"], {"types": set(), "uppers": set()})
    for iri, b in bodies.items():
        types = [t for t in levels if t in b["types"]]
        b["level"] = types[0] if types else None
        b["name"] = _pick_label(body_labels.get(iri, ())) or _local_name(iri)
        upper = min(b["uppers"]) if b["uppers"] else None
        b["upper"] = (_pick_label(upper_labels.get(upper, ())) or _local_name(upper)) if upper else None
        b["reports"] = []
    for r, rep in reports.items():
        bodies[rep["body"]]["reports"].append(r)
    for b in bodies.values():
        b["reports"].sort(key=lambda r: (reports[r]["year"] or "", reports[r]["source"] or "", r))
        b["years"] = sorted({reports[r]["year"] for r in b["reports"] if reports[r]["year"]})

    links: dict[tuple[str, str], set[str]] = defaultdict(set)  # (body, concept) -> predicates
    for row in select(Q_LINKS):
        if row["body"] in bodies and row["p"] in LINK_BY_IRI:
            links[(row["body"], row["concept"])].add(LINK_BY_IRI[row["p"]]["key"])

    linked = {c for _, c in links}
    concept_types: dict[str, set] = defaultdict(set)
    concept_labels: dict[str, set] = defaultdict(set)
    for row in select(Q_CONCEPTS):
        c = row["concept"]
        if c not in linked:
            continue
        if row.get("type") in CLASS_BY_RDF:
            concept_types[c].add(CLASS_BY_RDF[row["type"]])
        if row.get("label"):
            concept_labels[c].add((row["label"], row.get("lang", "")))
    alts: dict[str, set] = defaultdict(set)
    for row in select(Q_ALT_LABELS):
        if row["concept"] in linked and row.get("alt"):
            alts[row["concept"]].add(row["alt"])

    link_keys = [link["key"] for link in LINKS]
    concepts: dict[str, dict] = {}
    for c in linked:
        concepts[c] = {"preds": set(), "bodies": set()}
    for (b, c), preds in links.items():
        concepts[c]["preds"] |= preds
        concepts[c]["bodies"].add(b)
    for c, info in concepts.items():
        kinds = [k for k in CONCEPT_KEYS if k in concept_types.get(c, ())]
        if not kinds:  # untyped: infer from the link that points at it
            by_pred = sorted(info["preds"], key=link_keys.index)
            kinds = [LINKS[link_keys.index(by_pred[0])]["class"]]
        info["class"] = kinds[0]
        info["label"] = _pick_label(concept_labels.get(c, ())) or _local_name(c)
        info["alts"] = sorted(alts.get(c, set()) - {info["label"]})
        info["mentions"] = []
        info["years"] = set()

    edge_years: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in select(Q_MENTIONS):
        c, r = row["concept"], row["report"]
        if c not in concepts or r not in reports:
            continue
        rep = reports[r]
        if rep["year"] and (rep["body"], c) in links:
            edge_years[(rep["body"], c)].add(rep["year"])
            concepts[c]["years"].add(rep["year"])
        if row.get("sentence"):
            concepts[c]["mentions"].append(
                (rep["source"] or _local_name(r), _int(row.get("start")),
                 row["sentence"], row.get("surface") or "", rep["year"] or "")
            )
    return {"reports": reports, "bodies": bodies, "concepts": concepts,
            "links": links, "edge_years": edge_years}


def _evidence(mentions: list[tuple]) -> list[tuple[str, str, str]]:
    """Up to two (sentence, source, year), from different reports where possible."""
    chosen: list[tuple[str, str, str]] = []
    seen_sources: set[str] = set()
    seen_sentences: set[str] = set()
    ordered = sorted(set(mentions))
    for pass_ in (0, 1):
        for source, _start, sentence, surface, year in ordered:
            if len(chosen) >= EVIDENCE_PER_CONCEPT:
                return chosen
            if sentence in seen_sentences or (pass_ == 0 and source in seen_sources):
                continue
            text = _clip(sentence)
            if surface and surface in text:
                text = text.replace(surface, f"【{surface}】", 1)
            chosen.append((text, source, year))
            seen_sources.add(source)
            seen_sentences.add(sentence)
    return chosen


# ---------------------------------------------------------------- the page

def _body_title(b: dict, reports: dict, n_concepts: int, display: str) -> str:
    lines = [display]
    kind = LEVELS.get(b["level"], "行政区划 body") if b["level"] else "行政区划 body"
    lines.append(f"类别 Class: {CLASS_BY_KEY['body']['label']} · {kind}")
    if b["upper"]:
        lines.append(f"上级 Part of: {b['upper']}")
    lines.append(f"报告 Reports: {len(b['reports'])}")
    for r in b["reports"][:4]:
        rep = reports[r]
        bits = [rep["source"] or _local_name(r)]
        if rep["year"]:
            bits.append(f"({rep['year']})")
        if rep["title"]:
            bits.append(_clip(rep["title"], 60))
        lines.append("  " + " ".join(bits))
    if len(b["reports"]) > 4:
        lines.append(f"  … {len(b['reports']) - 4} more")
    lines.append(f"关联概念 Linked concepts: {n_concepts}")
    return "\n".join(lines)


def _concept_title(info: dict, body_names: list[str]) -> str:
    lines = [info["label"], f"类别 Class: {CLASS_BY_KEY[info['class']]['label']}"]
    if info["alts"]:
        lines.append("别名 Also: " + "、".join(info["alts"][:8]) + (" …" if len(info["alts"]) > 8 else ""))
    towns = len(info["bodies"])
    shown = "、".join(body_names[:6]) + (" …" if len(body_names) > 6 else "")
    lines.append(f"乡镇/单位 Towns: {towns}" + (f"（{shown}）" if shown else ""))
    if info["years"]:
        lines.append("年份 Years: " + ", ".join(sorted(info["years"])))
    evidence = _evidence(info["mentions"])
    if evidence:
        lines.append("证据 Evidence:")
        for text, source, year in evidence:
            lines.append(f"“{text}”")
            lines.append(f"  — {source}" + (f" ({year})" if year else ""))
    return "\n".join(lines)


GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _seed_positions(bodies: list[str], groups: dict[str, str], concept_bodies: dict[str, list[str]],
                    concepts: list[str]) -> dict[str, tuple[float, float]]:
    """Deterministic starting positions, so a short stabilization suffices.

    Bodies lie on a sunflower spiral, towns of one county next to each other;
    each concept starts near the centre of the bodies linked to it (hubs in the
    middle), set off along a golden-angle spiral so no two coincide.
    """
    n_total = max(len(bodies) + len(concepts), 1)
    step = 48.0 * math.sqrt(n_total / max(len(bodies), 1))
    pos: dict[str, tuple[float, float]] = {}
    for k, b in enumerate(sorted(bodies, key=lambda i: (groups.get(i, ""), i))):
        r = step * math.sqrt(k + 0.5)
        pos[b] = (r * math.cos(k * GOLDEN_ANGLE), r * math.sin(k * GOLDEN_ANGLE))
    for k, c in enumerate(concepts):
        linked = [pos[b] for b in concept_bodies.get(c, ()) if b in pos]
        cx = sum(p[0] for p in linked) / len(linked) if linked else 0.0
        cy = sum(p[1] for p in linked) / len(linked) if linked else 0.0
        r = 40.0 + 6.0 * math.sqrt(k % 97)
        pos[c] = (cx + r * math.cos(k * GOLDEN_ANGLE), cy + r * math.sin(k * GOLDEN_ANGLE))
    return {i: (round(x, 1), round(y, 1)) for i, (x, y) in pos.items()}


def stabilization_iterations(n_nodes: int) -> int:
    """The layout's iteration budget: 150, fewer past 1,500 nodes (never under 60).

    One Barnes-Hut iteration costs about n log n, so the budget keeps the time
    to a frozen layout within a few seconds for 5,000 nodes; the seeded
    starting positions make the shorter run enough.
    """
    if n_nodes <= 1500:
        return STABILIZATION_ITERATIONS
    return max(60, STABILIZATION_ITERATIONS * 1500 // n_nodes)


def _options(n_nodes: int, n_edges: int) -> dict:
    """vis-network options, built on pyvis's Options object."""
    net = Network(directed=True)
    small = n_nodes <= 1000
    net.barnes_hut(gravity=-7000 if small else -4500, central_gravity=0.25 if small else 0.35,
                   spring_length=170 if small else 110, spring_strength=0.04, damping=0.3,
                   overlap=0.4 if small else 0)
    net.options.physics.stabilization.iterations = stabilization_iterations(n_nodes)
    net.options.physics.stabilization.updateInterval = 25
    net.options.physics.stabilization.fit = True
    net.toggle_hide_edges_on_drag(n_edges > 3000)
    options = json.loads(net.options.to_json())
    big = n_nodes > 1500 or n_edges > 3000
    options["physics"].update({"minVelocity": 0.5 if small else 1.0, "maxVelocity": 60, "timestep": 0.5})
    # Barnes-Hut's opening angle: coarser on big graphs, where it is most of the cost.
    options["physics"]["barnesHut"]["theta"] = 0.5 if small else 1.2
    options["layout"] = {"improvedLayout": False, "randomSeed": RANDOM_SEED}
    options["edges"] = {
        "color": {"inherit": False},
        "smooth": {"enabled": not big, "type": "continuous", "roundness": 0.35},
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.35}},
        "width": 1,
        "selectionWidth": 1.5,
        "hoverWidth": 0.8,
    }
    options["nodes"] = {
        "font": {"face": FONT_STACK, "size": 14, "color": "#1f2933",
                 "strokeWidth": 3, "strokeColor": "#ffffff"},
        "borderWidth": 1,
        "scaling": {"label": {"drawThreshold": 7}},
    }
    options["interaction"].update({"hover": True, "tooltipDelay": 120, "hideEdgesOnZoom": big,
                                   "navigationButtons": False, "keyboard": False,
                                   "hideNodesOnDrag": False})
    return options


def network_html(select: Select, *, max_nodes: int = 1500, title: str = "fazhi-kg network") -> str:
    """The complete, self-contained HTML page of the body–concept network.

    ``select`` runs a SPARQL SELECT and returns one ``dict`` per row (variable
    -> plain string; unbound variables absent). ``max_nodes`` caps the nodes
    drawn: bodies first (most connected first), then concepts by the number
    of bodies linked to them; the page says how many were left out.
    """
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    data = _gather(select)
    reports, bodies, concepts = data["reports"], data["bodies"], data["concepts"]
    links, edge_years = data["links"], data["edge_years"]

    degree: dict[str, int] = defaultdict(int)
    for b, _c in links:
        degree[b] += 1

    def display(iri: str) -> str:
        b = bodies[iri]
        return f"{b['name']} ({b['upper']})" if b["upper"] else b["name"]

    body_order = sorted(bodies, key=lambda i: (-degree[i], display(i), i))
    concept_order = sorted(concepts, key=lambda c: (-len(concepts[c]["bodies"]),
                                                    CONCEPT_KEYS.index(concepts[c]["class"]),
                                                    concepts[c]["label"], c))
    total = len(body_order) + len(concept_order)
    kept_bodies = body_order[:max_nodes]
    kept_concepts = concept_order[: max(0, max_nodes - len(kept_bodies))]
    left_out = total - len(kept_bodies) - len(kept_concepts)
    kept_body_set = set(kept_bodies)
    kept_concept_set = set(kept_concepts)

    # Draw order: bodies by name, then concepts by class and label.
    kept_bodies.sort(key=lambda i: (display(i), i))
    kept_concepts.sort(key=lambda c: (CONCEPT_KEYS.index(concepts[c]["class"]), concepts[c]["label"], c))
    edge_keys = sorted(k for k in links if k[0] in kept_body_set and k[1] in kept_concept_set)

    concept_bodies = {c: sorted(b for b in concepts[c]["bodies"] if b in kept_body_set) for c in kept_concepts}
    seeds = _seed_positions(kept_bodies, {i: bodies[i]["upper"] or "" for i in kept_bodies},
                            concept_bodies, kept_concepts)

    net = Network(directed=True, height="100%", width="100%")
    info: dict[str, dict] = {}

    def node_colour(hex_colour: str) -> dict:
        return {"background": hex_colour, "border": _darker(hex_colour),
                "highlight": {"background": hex_colour, "border": "#111111"},
                "hover": {"background": hex_colour, "border": "#111111"}}

    body_cls = CLASS_BY_KEY["body"]
    for iri in kept_bodies:
        b = bodies[iri]
        net.add_node(iri, label=display(iri), shape=body_cls["shape"], color=node_colour(body_cls["color"]),
                     size=15, x=seeds[iri][0], y=seeds[iri][1],
                     title=_body_title(b, reports, degree[iri], display(iri)),
                     font={"face": FONT_STACK, "size": 15, "color": "#1f2933",
                           "strokeWidth": 3, "strokeColor": "#ffffff", "bold": {"color": "#1f2933"}})
        info[iri] = {"c": "body", "y": b["years"], "s": [b["name"], display(iri)], "w": degree[iri]}

    for c in kept_concepts:
        cinfo = concepts[c]
        cls = CLASS_BY_KEY[cinfo["class"]]
        names = sorted(bodies[b]["name"] for b in cinfo["bodies"])
        net.add_node(c, label=cinfo["label"], shape=cls["shape"], color=node_colour(cls["color"]),
                     size=concept_size(len(cinfo["bodies"])), x=seeds[c][0], y=seeds[c][1],
                     title=_concept_title(cinfo, names),
                     font={"face": FONT_STACK, "size": 14, "color": "#1f2933",
                           "strokeWidth": 3, "strokeColor": "#ffffff"})
        info[c] = {"c": cinfo["class"], "y": sorted(cinfo["years"]),
                   "s": [cinfo["label"], *cinfo["alts"]], "w": len(cinfo["bodies"])}

    link_order = [link["key"] for link in LINKS]
    years_of_edges: list[list[str]] = []
    for n, (b, c) in enumerate(edge_keys):
        preds = sorted(links[(b, c)], key=link_order.index)
        link = LINKS[link_order.index(preds[0])]
        colour = CLASS_BY_KEY[link["class"]]["color"]
        years = sorted(edge_years.get((b, c), ()))
        label_of = " / ".join(LINKS[link_order.index(p)]["label"] for p in preds)
        etitle = f"{display(b)} → {concepts[c]['label']}\n{label_of}"
        if years:
            etitle += "\n年份 Years: " + ", ".join(years)
        # Edges are appended as pyvis Edge objects directly: both ends are known
        # to exist, and Network.add_edge's list scans are quadratic.
        edge = Edge(b, c, directed=True, id=f"e{n}", title=etitle, link=link["key"],
                    color={"color": _rgba(colour, 0.45), "highlight": _rgba(colour, 0.95),
                           "hover": _rgba(colour, 0.9)})
        net.edges.append(edge.options)
        years_of_edges.append(years)

    all_years = sorted({rep["year"] for rep in reports.values() if rep["year"]})
    n_nodes, n_edges = len(net.nodes), len(net.edges)
    payload = {
        "nodes": net.nodes,
        "edges": net.edges,
        "info": info,
        "edgeYears": years_of_edges,
        "years": all_years,
        "options": _options(n_nodes, n_edges),
        "dim": {"node": {"background": "#e4e7eb", "border": "#d2d6dc"},
                "font": "#b8bec6", "edge": "rgba(200,205,212,0.25)"},
    }

    class_counts = defaultdict(int)
    for meta in info.values():
        class_counts[meta["c"]] += 1
    legend_classes = [dict(c, count=class_counts[c["key"]]) for c in CLASSES]
    link_counts = defaultdict(int)
    for e in net.edges:
        link_counts[e["link"]] += 1
    legend_links = [dict(link, color=CLASS_BY_KEY[link["class"]]["color"], count=link_counts[link["key"]])
                    for link in LINKS]

    js, css = _vis_assets()
    return _template().render(
        title=title,
        font_stack=FONT_STACK,
        vis_js=js,
        vis_css=css,
        data_json=safe_json(payload),
        n_nodes=n_nodes,
        n_edges=n_edges,
        total_nodes=total,
        left_out=left_out,
        max_nodes=max_nodes,
        n_reports=len(reports),
        classes=legend_classes,
        links=legend_links,
        years=all_years if len(all_years) > 1 else [],
        iterations=stabilization_iterations(n_nodes),
    )
