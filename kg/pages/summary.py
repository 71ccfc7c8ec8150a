"""The printable summary page: one self-contained HTML page a legal-affairs office can read
on screen or print.

The corpus at a glance, the most widespread mechanisms and programmes as
inline-SVG bar charts, a body × mechanism matrix whose ticks link to the
evidence, and one card per reporting body with one sentence of evidence for
every concept its reports name. The counts, charts and matrix columns cover
the whole graph; cards and matrix rows are drawn for at most ``MAX_CARDS``
bodies (the most connected ones), and the page says how many it left out.
The output depends on the graph only: everything is sorted and nothing
carries a timestamp.

Report text (names, titles, sentences) reaches the page only through
Jinja2's autoescaping or ``markupsafe.escape``; the evidence highlight is
built from escaped parts around a literal ``<mark>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..kinds import BODY_COLOUR, KINDS as KIND_ROWS, LEVELS
from . import adoption
from .corpus import gather
from .map import summary_map
from .records import ConceptStats, Corpus, shorten, squash
from .source import Select

FONT_STACK = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

TOP_BARS = 20  # bars per chart
MATRIX_COLUMNS = 25  # mechanisms in the body × mechanism matrix
MAX_CARDS = 500  # body cards and matrix rows drawn (the most connected bodies)
SENTENCE_CHARS = 160  # evidence longer than this is cut around the highlight
BAR_LABEL_CHARS = 13  # longer concept labels are shortened in the charts
MATRIX_LABEL_CHARS = 10  # and in the matrix's column heads
CARD_LINES_PER_PAGE = 42  # a card estimated longer than this may break across printed pages


@dataclass(frozen=True)
class _Legend:
    """A kind as the template draws it."""

    key: str
    label: str  # Chinese heading
    colour: str


KINDS: tuple[_Legend, ...] = tuple(_Legend(k.key, k.zh, k.colour) for k in KIND_ROWS)
KIND_BY_KEY = {k.key: k for k in KINDS}
LEVEL_LABEL = {level.cls: level.zh for level in LEVELS}


# ---------------------------------------------------------------- helpers

def evidence_markup(sentence: str, surface: str, limit: int = SENTENCE_CHARS) -> Markup:
    """The sentence as HTML with the first occurrence of ``surface`` in ``<mark>``.

    Both parts are escaped; only the ``<mark>`` tags are markup. A sentence
    longer than ``limit`` characters is cut to a window around the highlight.
    """
    sentence, surface = squash(sentence), squash(surface)
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return escape(shorten(sentence, limit))
    before, after = sentence[:at], sentence[at + len(surface):]
    if len(sentence) > limit:
        budget = max(limit - len(surface), 0)
        keep_before = min(len(before), max(budget - len(after), budget // 3))
        keep_after = min(len(after), budget - keep_before)
        before = ("…" if keep_before < len(before) else "") + before[len(before) - keep_before:]
        after = after[:keep_after] + ("…" if keep_after < len(after) else "")
    return Markup(f"{escape(before)}<mark>{escape(surface)}</mark>{escape(after)}")


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


def _chart(kind: _Legend, concepts: list[ConceptStats]) -> dict:
    """A horizontal bar chart's geometry (the template draws it as SVG)."""
    top = sorted((c for c in concepts if c.kind == kind.key), key=lambda c: (-c.bodies, c.label, c.iri))[:TOP_BARS]
    label_w, bar_x, bar_w, row_h, pad_top = 200, 208, 380, 26, 8
    peak = max((c.bodies for c in top), default=0)
    step = _nice_step(peak)
    scale_max = max(step * math.ceil(peak / step), 1)
    bars = []
    for i, c in enumerate(top):
        n = c.bodies
        names = c.names.items
        bars.append({
            "label": c.label,
            "short": shorten(c.label, BAR_LABEL_CHARS),
            "count": n,
            "y": pad_top + i * row_h,
            "w": round(max(bar_w * n / scale_max, 2), 1),
            "tip": f"{c.label}：{n} 个报告单位（" + "、".join(names[:12]) + ("…" if n > 12 else "") + "）",
        })
    height = pad_top + len(top) * row_h + 24
    ticks = [{"x": round(bar_x + bar_w * v / scale_max, 1), "v": v} for v in range(0, scale_max + 1, step)]
    return {"kind": kind, "bars": bars, "height": height, "label_w": label_w, "bar_x": bar_x,
            "bar_w": bar_w, "row_h": row_h, "axis_y": pad_top + len(top) * row_h, "ticks": ticks}


def summary_html(select: Select | Any, *, title: str = "法治政府建设报告概览", max_cards: int = MAX_CARDS) -> str:
    """The complete, self-contained, printable summary page."""
    return render_summary(gather(select, max_cards=max_cards), title=title)


def render_summary(data: Corpus, *, title: str = "法治政府建设报告概览") -> str:
    """The summary page of a gathered corpus (cards for the bodies it kept details of)."""
    return _template().render(**summary_context(data, title=title))


def write_summary(data: Corpus, fh, *, title: str = "法治政府建设报告概览") -> None:
    """``render_summary`` written to a text file as it renders."""
    _template().stream(**summary_context(data, title=title)).dump(fh)


def summary_context(data: Corpus, *, title: str = "法治政府建设报告概览") -> dict:
    """The template's values."""
    bodies, concepts = data.bodies, list(data.concepts.values())
    shown = data.shown

    counties = {t.county_iri for t in bodies.values() if t.county_iri}
    provinces = {t.province_iri for t in bodies.values() if t.province_iri}
    kind_counts = [{"kind": k, "n": sum(1 for c in concepts if c.kind == k.key)} for k in KINDS]

    mechanisms = [c for c in concepts if c.kind == "mechanism"][:MATRIX_COLUMNS]
    rows = []
    previous_group = None
    for t in shown:
        named = t.named or {}
        group = (t.province, t.city, t.county)
        rows.append({"town": t, "ticks": [c.iri in named for c in mechanisms],
                     "n_mechanisms": sum(1 for c in named if data.concepts[c].kind == "mechanism"),
                     "first_of_group": previous_group is not None and group != previous_group})
        previous_group = group

    cards = []
    for t in shown:
        named = t.named or {}
        several_years = len({r.year for r in t.reports}) > 1
        several_reports = len(t.reports) > 1
        mine = sorted((data.concepts[c] for c in named), key=lambda c: c.index)  # most widespread first
        groups = []
        for k in KINDS:
            items = []
            for c in mine:
                if c.kind != k.key:
                    continue
                ev = named[c.iri]
                items.append({
                    "concept": c,
                    "anchor": f"ev-{t.index}-{c.index}",
                    "years": [y for y in ev.years if y] if several_years else [],
                    "html": evidence_markup(ev.sentence, ev.surface) if ev.sentence else None,
                    "source": ev.source if ev.sentence and several_reports else "",
                    "year": ev.year if ev.sentence and several_reports else "",
                    "lines": 1 + (min(len(ev.sentence), SENTENCE_CHARS) // 60 if ev.sentence else 0),
                })
            groups.append({"kind": k, "entries": items})
        lines = 5 + len(t.reports) + sum(2 + sum(i["lines"] for i in g["entries"]) for g in groups if g["entries"])
        cards.append({"town": t, "groups": groups, "total": sum(len(g["entries"]) for g in groups),
                      # a card that fits on a printed page is kept whole; a longer one flows
                      "long": lines > CARD_LINES_PER_PAGE})

    return dict(
        title=title,
        font_stack=FONT_STACK,
        kinds=KINDS,
        town_colour=BODY_COLOUR,
        level_label=LEVEL_LABEL,
        n_reports=len(data.reports),
        n_towns=len(bodies),
        n_shown=len(shown),
        n_left_out=len(bodies) - len(shown),
        n_counties=len(counties),
        n_provinces=len(provinces),
        n_mentions=data.n_mentions,
        n_concepts=len(concepts),
        years=data.years,
        kind_counts=kind_counts,
        charts=[_chart(KIND_BY_KEY["mechanism"], concepts), _chart(KIND_BY_KEY["programme"], concepts)],
        diffusion=adoption.diffusion_charts(data),
        together=adoption.co_adoption_section(data),
        mechanisms=[{"concept": c, "short": shorten(c.label, MATRIX_LABEL_CHARS)} for c in mechanisms],
        n_mechanisms=sum(1 for c in concepts if c.kind == "mechanism"),
        matrix_rows=rows,
        cards=cards,
        top_bars=TOP_BARS,
        matrix_columns=MATRIX_COLUMNS,
        map=summary_map(data),
    )
