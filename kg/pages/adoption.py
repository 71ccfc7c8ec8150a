"""The summary page's two sections on adoption: how the most common mechanisms and programmes
spread (new and cumulative adopters per year, one small inline-SVG chart each), and which of
them travel together (the co-adoption graph's communities).

Both are drawn from what the gathering pass already counted: each concept's
bodies by the year they first name it (``ConceptStats.first_years``, the
rule of ``kg spread``), and the numbers of the bodies naming each mechanism
or programme (``ConceptStats.adopters``). No query of its own, so the page
costs what it cost; the communities come from ``kg.analysis.together``.
Everything is computed in a fixed order, so the same graph gives the same
bytes.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ..analysis.together import co_adoption, communities
from ..kinds import KIND, TOOLKIT_KINDS
from .records import ConceptStats, Corpus, shorten

DIFFUSION_TOP = 6  # small charts per kind
TOGETHER_TOP = 30  # mechanisms and programmes in the co-adoption graph (the most widespread)
PAIRS_SHOWN = 4  # strongest pairs listed per community
LABEL_CHARS = 14
MAX_SPAN = 30  # years on a chart's axis at most, counting those without reports

# one small chart's geometry, in SVG user units
WIDTH, HEIGHT = 300, 150
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 12, 22


def diffusion_charts(data: Corpus) -> list[dict]:
    """Per toolkit kind, the charts of its ``DIFFUSION_TOP`` most widespread concepts, over the
    years from the first report's to the last's (a year without reports stays on the axis, so
    the line's slope reads true; a span longer than ``MAX_SPAN`` keeps the reports' years only)."""
    years = data.years
    numbers = [int(y) for y in years if y.isdigit()]
    if numbers and len(numbers) == len(years) and max(numbers) - min(numbers) < MAX_SPAN:
        years = [str(y) for y in range(min(numbers), max(numbers) + 1)]
    reporting: dict[str, set[str]] = defaultdict(set)
    for report in data.reports.values():
        if report.year and report.body:
            reporting[report.year].add(report.body)
    out = []
    for key in TOOLKIT_KINDS:
        top = [c for c in data.concepts.values() if c.kind == key][:DIFFUSION_TOP]
        out.append({"kind": KIND[key], "charts": [_chart(c, years, reporting) for c in top] if years else []})
    return out


def _chart(concept: ConceptStats, years: list[str], reporting: dict[str, set[str]]) -> dict:
    """One concept's bars (new adopters) and line (cumulative adopters) over the corpus's years."""
    band = (WIDTH - LEFT - RIGHT) / len(years)
    total = sum(concept.first_years.get(y, 0) for y in years)
    peak = _nice(max(total, 1))
    plot_h = HEIGHT - TOP - BOTTOM
    bars, points, cumulative = [], [], 0
    every = max(1, math.ceil(30 / band))  # a year label needs about 30 units
    for i, year in enumerate(years):
        new = concept.first_years.get(year, 0)
        cumulative += new
        x = LEFT + i * band
        h = plot_h * new / peak
        bars.append({"x": round(x + band * 0.2, 1), "y": round(TOP + plot_h - h, 1), "w": round(band * 0.6, 1),
                     "h": round(h, 1), "cx": round(x + band / 2, 1), "year": year, "label": i % every == 0,
                     "tip": f"{year} 年：新增 {new} 个单位，累计 {cumulative} 个，当年报告单位 {len(reporting.get(year, ()))} 个"})
        points.append(f"{x + band / 2:.1f},{TOP + plot_h - plot_h * cumulative / peak:.1f}")
    return {"concept": concept, "short": shorten(concept.label, LABEL_CHARS), "bars": bars,
            "line": " ".join(points), "total": total, "peak": peak, "axis_y": TOP + plot_h,
            "mid_y": round(TOP + plot_h / 2, 1), "mid": peak // 2 if peak % 2 == 0 else None,
            "width": WIDTH, "height": HEIGHT, "x0": LEFT, "x1": WIDTH - RIGHT, "top": TOP}


def _nice(top: int) -> int:
    """The least of 1, 2, 5, 10, 20, 50 … at or above ``top``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= top:
                return step * m
        step *= 10


def co_adoption_section(data: Corpus) -> dict:
    """The communities of the co-adoption graph of the most widespread mechanisms and programmes,
    each with its strongest pairs; concepts co-adopted with none of the others listed apart."""
    top = [c for c in data.concepts.values() if c.adopters is not None][:TOGETHER_TOP]
    if len(top) < 2:
        return {"groups": [], "alone": top, "n": len(top)}
    pairs = co_adoption({c.iri: c.adopters for c in top})
    by_iri = {c.iri: c for c in top}
    groups, alone = [], []
    for members in communities([c.iri for c in top], pairs):
        if len(members) == 1:
            alone.append(by_iri[members[0]])
            continue
        inside = set(members)
        strongest = sorted((p for p in pairs if p.a in inside and p.b in inside),
                           key=lambda p: (-p.both, -p.jaccard, by_iri[p.a].index, by_iri[p.b].index))
        groups.append({"members": [by_iri[m] for m in members],
                       "pairs": [{"a": by_iri[p.a], "b": by_iri[p.b], "both": p.both, "jaccard": p.jaccard}
                                 for p in strongest[:PAIRS_SHOWN]]})
    return {"groups": groups, "alone": alone, "n": len(top)}
