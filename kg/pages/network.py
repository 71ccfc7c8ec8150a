"""The network page: reporting bodies and the concepts their reports name.

``network_html(select)`` gathers the graph through ``corpus.gather`` (a
few SPARQL aggregates; ``kg.pages.write_pages`` shares that pass with the
summary, the CSV and the GraphML), keeps the ``max_nodes`` most connected
nodes, builds the network with pyvis (nodes, edges, options) and renders it
with this package's own template (``templates/network.html.j2``), which
inlines vis-network's JS and CSS from pyvis's installed copy. The page loads
nothing from outside, opens from file:// and is byte-identical for the same
graph.

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
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network

from ..kinds import BODY_COLOUR, BODY_SHAPE, KINDS, LEVELS as LEVEL_ROWS
from .corpus import gather
from .namekeys import fold_tables, search_keys
from .records import BodyStats, ConceptStats, Corpus, local_name, marked_term, shorten, squash
from .records import script_safe as _script_safe  # the one definition, shared with the map page
from .source import Select

FONT_STACK = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# Administrative levels by class, for the tooltips.
LEVELS: dict[str, str] = {level.cls: f"{level.zh_long} {level.en}" for level in LEVEL_ROWS}

# Node classes drawn, in legend order: key, label, colour, vis shape.
CLASSES: tuple[dict[str, str], ...] = (
    {"key": "body", "label": "报告单位 Reporting body", "color": BODY_COLOUR, "shape": BODY_SHAPE},
    *({"key": k.key, "label": f"{k.zh} {k.en}", "color": k.colour, "shape": k.shape} for k in KINDS),
)
CLASS_BY_KEY = {c["key"]: c for c in CLASSES}
CONCEPT_KEYS = tuple(k.key for k in KINDS)

# Body -> concept links: predicate local name, label, the class it points at.
LINKS: tuple[dict[str, str], ...] = tuple(
    {"key": k.link, "label": f"{k.link_zh} {k.link}", "class": k.key} for k in KINDS)

STABILIZATION_ITERATIONS = 150
RANDOM_SEED = 20240601
EVIDENCE_PER_CONCEPT = 2
SENTENCE_CHARS = 110

_TEMPLATES = Path(__file__).parent / "templates"
_VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"


# ---------------------------------------------------------------- helpers

def _clip(text: str, limit: int = SENTENCE_CHARS) -> str:
    return shorten(squash(text), limit)


@lru_cache(maxsize=64)
def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _darker(hex_colour: str, factor: float = 0.72) -> str:
    r, g, b = (int(int(hex_colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def concept_size(bodies: int) -> float:
    """Node size of a concept linked to ``bodies`` distinct bodies (strictly increasing)."""
    return round(8.0 + 7.0 * math.log2(1 + max(bodies, 0)), 2)


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


# ---------------------------------------------------------------- the page

def _mark(text: str, terms: list[str]) -> str:
    """The first occurrence of the concept's surface form (see ``marked_term``) in 【】."""
    term = marked_term(text, terms)
    return text.replace(term, f"【{term}】", 1) if term else text


def _evidence(c: ConceptStats) -> list[tuple[str, str, str]]:
    """Up to two (sentence, source, year), from different reports where possible."""
    chosen: list[tuple[str, str, str]] = []
    seen_sources: set[str] = set()
    seen_sentences: set[str] = set()
    ordered = sorted(set(c.evidence.items))
    terms = c.terms
    for pass_ in (0, 1):
        for source, sentence, year in ordered:
            if len(chosen) >= EVIDENCE_PER_CONCEPT:
                return chosen
            if sentence in seen_sentences or (pass_ == 0 and source in seen_sources):
                continue
            chosen.append((_mark(_clip(sentence), terms), source, year))
            seen_sources.add(source)
            seen_sentences.add(sentence)
    return chosen


def _body_title(t: BodyStats, n_concepts: int) -> str:
    lines = [t.display]
    kind = LEVELS.get(t.level, "行政区划 body") if t.level else "行政区划 body"
    lines.append(f"类别 Class: {CLASS_BY_KEY['body']['label']} · {kind}")
    if t.upper:
        lines.append(f"上级 Part of: {t.upper}")
    lines.append(f"报告 Reports: {len(t.reports)}")
    for rep in sorted(t.reports, key=lambda r: (r.year, r.source, r.iri))[:4]:
        bits = [rep.source or local_name(rep.iri)]
        if rep.year:
            bits.append(f"({rep.year})")
        if rep.title:
            bits.append(_clip(rep.title, 60))
        lines.append("  " + " ".join(bits))
    if len(t.reports) > 4:
        lines.append(f"  … {len(t.reports) - 4} more")
    lines.append(f"关联概念 Linked concepts: {n_concepts}")
    return "\n".join(lines)


def _concept_title(c: ConceptStats) -> str:
    lines = [c.label, f"类别 Class: {CLASS_BY_KEY[c.kind]['label']}"]
    if c.alts:
        lines.append("别名 Also: " + "、".join(c.alts[:8]) + (" …" if len(c.alts) > 8 else ""))
    names = c.link_names.items
    shown = "、".join(names[:6]) + (" …" if c.link_bodies > 6 else "")
    lines.append(f"乡镇/单位 Towns: {c.link_bodies}" + (f"（{shown}）" if shown else ""))
    if c.years:
        lines.append("年份 Years: " + ", ".join(sorted(c.years)))
    evidence = _evidence(c)
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

    Bodies lie on a sunflower spiral, bodies of one county next to each other;
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


def network_html(select: Select | Any, *, max_nodes: int = 1500, title: str = "fazhi-kg network") -> str:
    """The complete, self-contained HTML page of the body–concept network.

    ``select`` runs a SPARQL SELECT and returns one ``dict`` per row (variable
    -> plain string; unbound variables absent); a GraphStore or a pyoxigraph
    Store may be passed instead. ``max_nodes`` caps the nodes drawn (see
    ``keep``); the page says how many were left out.
    """
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    return render_network(gather(select, max_bodies=max_nodes), max_nodes=max_nodes, title=title)


def keep(n_bodies: int, n_concepts: int, max_nodes: int) -> tuple[int, int]:
    """How many bodies and concepts the page draws: everything when it fits; else the most
    connected bodies, leaving room for the most widespread concepts (up to a third of
    ``max_nodes``), so a big build still shows its shared concepts and their links."""
    if n_bodies + n_concepts <= max_nodes:
        return n_bodies, n_concepts
    bodies = min(n_bodies, max_nodes - min(n_concepts, max_nodes // 3))
    return bodies, min(n_concepts, max_nodes - bodies)


def render_network(data: Corpus, *, max_nodes: int = 1500, title: str = "fazhi-kg network") -> str:
    """The network page of a gathered corpus (gathered with ``max_bodies >= max_nodes``)."""
    return _template().render(**network_context(data, max_nodes=max_nodes, title=title))


def write_network(data: Corpus, fh, *, max_nodes: int = 1500, title: str = "fazhi-kg network") -> None:
    """``render_network`` written to a text file as it renders (a big page is not held twice)."""
    _template().stream(**network_context(data, max_nodes=max_nodes, title=title)).dump(fh)


def network_context(data: Corpus, *, max_nodes: int = 1500, title: str = "fazhi-kg network") -> dict:
    """The template's values (the network itself as one JSON string)."""
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    bodies, concepts = data.bodies, data.linked

    body_order = sorted(bodies.values(), key=lambda t: (-t.degree, t.display, t.iri))
    concept_order = sorted(concepts.values(), key=lambda c: (-c.link_bodies, CONCEPT_KEYS.index(c.kind), c.label,
                                                             c.iri))
    total = len(body_order) + len(concept_order)
    n_bodies, n_concepts = keep(len(body_order), len(concept_order), max_nodes)
    kept_bodies = body_order[:n_bodies]
    kept_concepts = concept_order[:n_concepts]
    left_out = total - len(kept_bodies) - len(kept_concepts)
    kept_concept_set = {c.iri for c in kept_concepts}
    if any(t.links is None for t in kept_bodies):
        raise ValueError("the corpus was gathered without the links of the bodies to draw")

    # Draw order: bodies by name, then concepts by class and label.
    kept_bodies.sort(key=lambda t: (t.display, t.iri))
    kept_concepts.sort(key=lambda c: (CONCEPT_KEYS.index(c.kind), c.label, c.iri))
    edges = sorted((t.iri, c) for t in kept_bodies for c in t.links if c in kept_concept_set)

    concept_bodies: dict[str, list[str]] = defaultdict(list)
    for b, c in edges:
        concept_bodies[c].append(b)
    seeds = _seed_positions([t.iri for t in kept_bodies], {t.iri: t.upper for t in kept_bodies},
                            concept_bodies, [c.iri for c in kept_concepts])

    net = Network(directed=True, height="100%", width="100%")
    info: dict[str, dict] = {}

    def node_colour(hex_colour: str) -> dict:
        return {"background": hex_colour, "border": _darker(hex_colour),
                "highlight": {"background": hex_colour, "border": "#111111"},
                "hover": {"background": hex_colour, "border": "#111111"}}

    body_cls = CLASS_BY_KEY["body"]
    for t in kept_bodies:
        net.add_node(t.iri, label=t.display, shape=body_cls["shape"], color=node_colour(body_cls["color"]),
                     size=15, x=seeds[t.iri][0], y=seeds[t.iri][1], title=_body_title(t, t.linked),
                     font={"face": FONT_STACK, "size": 15, "color": "#1f2933",
                           "strokeWidth": 3, "strokeColor": "#ffffff", "bold": {"color": "#1f2933"}})
        info[t.iri] = {"c": "body", "y": sorted({r.year for r in t.reports if r.year}),
                       "s": search_keys([t.name, t.display]), "w": t.linked}

    for c in kept_concepts:
        cls = CLASS_BY_KEY[c.kind]
        net.add_node(c.iri, label=c.label, shape=cls["shape"], color=node_colour(cls["color"]),
                     size=concept_size(c.link_bodies), x=seeds[c.iri][0], y=seeds[c.iri][1],
                     title=_concept_title(c),
                     font={"face": FONT_STACK, "size": 14, "color": "#1f2933",
                           "strokeWidth": 3, "strokeColor": "#ffffff"})
        info[c.iri] = {"c": c.kind, "y": sorted(c.years), "s": search_keys([c.label, *c.alts]), "w": c.link_bodies}

    link_order = [link["key"] for link in LINKS]
    years_of_edges: list[list[str]] = []
    for n, (b, c) in enumerate(edges):
        preds_of, years = bodies[b].links[c]
        preds = sorted(preds_of, key=link_order.index)
        link = LINKS[link_order.index(preds[0])]
        colour = CLASS_BY_KEY[link["class"]]["color"]
        label_of = " / ".join(LINKS[link_order.index(p)]["label"] for p in preds)
        etitle = f"{bodies[b].display} → {concepts[c].label}\n{label_of}"
        if years:
            etitle += "\n年份 Years: " + ", ".join(years)
        # Edges are appended as pyvis Edge objects directly: both ends are known
        # to exist, and Network.add_edge's list scans are quadratic.
        edge = Edge(b, c, directed=True, id=f"e{n}", title=etitle, link=link["key"],
                    color={"color": _rgba(colour, 0.45), "highlight": _rgba(colour, 0.95),
                           "hover": _rgba(colour, 0.9)})
        net.edges.append(edge.options)
        years_of_edges.append(years)

    all_years = sorted({r.year for t in bodies.values() for r in t.reports if r.year})
    n_nodes, n_edges = len(net.nodes), len(net.edges)
    payload = {
        "nodes": net.nodes,
        "edges": net.edges,
        "info": info,
        "edgeYears": years_of_edges,
        "years": all_years,
        "fold": fold_tables(k for meta in info.values() for k in meta["s"]),
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

    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    del payload, info, years_of_edges
    net.nodes, net.edges = [], []  # a big page's node and edge dicts go before the escaping copy
    js, css = _vis_assets()
    return dict(
        title=title,
        font_stack=FONT_STACK,
        vis_js=js,
        vis_css=css,
        data_json=_script_safe(text),
        n_nodes=n_nodes,
        n_edges=n_edges,
        total_nodes=total,
        left_out=left_out,
        max_nodes=max_nodes,
        n_reports=sum(len(t.reports) for t in bodies.values()),
        classes=legend_classes,
        links=legend_links,
        years=all_years if len(all_years) > 1 else [],
        iterations=stabilization_iterations(n_nodes),
    )
