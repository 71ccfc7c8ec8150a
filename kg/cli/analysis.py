"""The commands that study change and place: kg spread, kg similar, kg compare, kg together.

Each finds the one concept or body the user named, runs an analysis of
``kg.analysis`` and prints its dataclasses as rows: the field names are the
columns (and the JSON keys), numbers stay numbers in JSON.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from pathlib import Path

import click

from ..errors import AmbiguousName, NameNotFound
from ..kinds import KIND_KEYS, TOOLKIT_KINDS
from ..query import GraphStore, Result
from .common import UsageFail, format_option, format_result, graph_option, open_graph, vocab_option


def _table(rows: list, cls: type, lead: tuple[str, ...] = (), keys: list[tuple] | None = None) -> Result:
    """Dataclass rows as a result, their field names as the columns; ``lead`` columns first,
    filled from ``keys`` (one tuple per row)."""
    names = tuple(f.name for f in fields(cls))
    values = attrgetter(*names)  # astuple deep-copies every value: a quarter of a panel's time
    cells = (values(r) if len(names) > 1 else (values(r),) for r in rows)
    return Result(lead + names, tuple((keys[i] if keys else ()) + c for i, c in enumerate(cells)))


def _concept(store: GraphStore, name: str) -> tuple[str, str]:
    from ..analysis.names import one_concept

    try:
        return one_concept(store, name)
    except NameNotFound as exc:
        raise click.ClickException(str(exc)) from None
    except AmbiguousName as exc:
        raise UsageFail(str(exc)) from None


def _body(store: GraphStore, name: str, county: str | None) -> str:
    from ..analysis.names import one_body

    try:
        return one_body(store, name, county=county)
    except NameNotFound as exc:
        raise click.ClickException(str(exc)) from None
    except AmbiguousName as exc:
        raise UsageFail(str(exc)) from None


@click.command()
@click.argument("name")
@click.option("--by", type=click.Choice(["province", "county"]), default=None,
              help="One series per province, or per county (with its province).")
@click.option("--first", "first_n", type=click.IntRange(min=1), default=None, metavar="N",
              help="Instead: the first N adopters, with the sentence that shows each adoption.")
@click.option("--panel", is_flag=True,
              help="Instead: the event-history panel, one row per body and year it reported (adopted 0/1).")
@graph_option
@format_option
@vocab_option
def spread(name: str, by: str | None, first_n: int | None, panel: bool, graph_path: str, fmt: str,
           vocab: tuple[Path, ...]) -> None:
    """How a concept spread: per year, the bodies naming it for the first time.

    A body adopts NAME (matched as in kg towns; it must pick one concept) in
    the first year its reports mention it. Per year in which any body
    reported: new adopters, cumulative adopters, the bodies reporting, and
    the share of those reporting bodies that have adopted. Reports without a
    year count for no year; a body that skips a year is in no count of it.

    \b
    Example:
      kg spread 三所联动
      kg spread 三所联动 --by province
      kg spread 三所联动 --first 10
      kg spread 八五普法 --panel --format csv > panel.csv
    """
    from ..analysis import bodies, spread as diffusion

    if sum(x is not None and x is not False for x in (by, first_n, panel)) > 1:
        raise UsageFail("give one of --by, --first, --panel")
    store = open_graph(graph_path, vocab)
    concept, label = _concept(store, name)
    if first_n is not None:  # no scan of every body: a body's years are asked for where needed
        found = diffusion.adoption(store, concept, lambda b: bodies.years_of(store, b))
    else:
        found, everyone = diffusion.adoption_and_reporting(store, concept, places=bool(by or panel))
    if found.undated:
        click.echo(f"{len(found.undated)} bodies name {label} only in reports without a year: not counted", err=True)
    if first_n is not None:
        rows = diffusion.first_adopters(store, found, first_n)
        if not rows:
            raise click.ClickException(f"no body names {label} in a report with a year")
        result = _table(rows, diffusion.Adopter)
    elif panel:
        result = _table(diffusion.panel(found, everyone), diffusion.PanelRow)
    else:
        series = diffusion.steps(found, everyone, by)
        keys = [k for k, rows in series.items() for _ in rows]
        lead = {None: (), "province": ("province",), "county": ("province", "county")}[by]
        result = _table([r for rows in series.values() for r in rows], diffusion.Step, lead, keys)
    if not result.rows:
        raise click.ClickException("no report has a year")
    click.echo(format_result(result, fmt))


@click.command()
@click.argument("town")
@click.option("--county", default=None, help="The county (district, city) of TOWN, where namesakes need it.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many bodies to list.")
@graph_option
@format_option
def similar(town: str, county: str | None, top: int, graph_path: str, fmt: str) -> None:
    """The bodies whose mechanisms and programmes are closest to TOWN's.

    The score is the Jaccard similarity of the two sets (shared / either);
    each row says what they share, what only TOWN names and what only the
    other does.

    \b
    Example:
      kg similar 岔河镇
      kg similar 城关镇 --county 伊川县 --top 20 --format json
    """
    from ..analysis.similar import Match, similar as closest, toolkit

    store = open_graph(graph_path)
    body = _body(store, town, county)
    if not toolkit(store, body):
        raise click.ClickException(f"the reports of {town} name no {' or '.join(TOOLKIT_KINDS)}")
    rows = closest(store, body, top=top)
    if not rows:
        raise click.ClickException(f"no other body shares a mechanism or programme with {town}")
    click.echo(format_result(_table(rows, Match), fmt))


@click.command()
@click.argument("town_a")
@click.argument("town_b")
@click.option("--county-a", default=None, help="The county of TOWN_A, where namesakes need it.")
@click.option("--county-b", default=None, help="The county of TOWN_B.")
@graph_option
@format_option
def compare(town_a: str, town_b: str, county_a: str | None, county_b: str | None, graph_path: str,
            fmt: str) -> None:
    """Two bodies' mechanisms and programmes side by side: shared first, then each one's own.

    \b
    Example:
      kg compare 岔河镇 黄水镇
    """
    from ..analysis.similar import compare as side_by_side

    store = open_graph(graph_path)
    here, there = _body(store, town_a, county_a), _body(store, town_b, county_b)
    if here == there:
        raise UsageFail("give two different bodies")
    found = side_by_side(store, here, there)
    left, right = found.here or town_a, found.there or town_b
    if left == right:
        left, right = f"{left} (A)", f"{right} (B)"
    click.echo(format_result(Result(("kind", left, right), found.rows), fmt))
    both = sum(1 for _, a, b in found.rows if a and b)
    click.echo(f"Jaccard {found.score}: {both} shared, {sum(1 for _, a, b in found.rows if a and not b)} only "
               f"{left}, {sum(1 for _, a, b in found.rows if b and not a)} only {right}", err=True)


@click.command()
@click.argument("name")
@click.option("--kind", "kinds", multiple=True, type=click.Choice([*KIND_KEYS, "all"]),
              help=f"Only concepts of these kinds; repeatable [default: {', '.join(TOOLKIT_KINDS)}].")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many concepts to list.")
@graph_option
@format_option
@vocab_option
def together(name: str, kinds: tuple[str, ...], top: int, graph_path: str, fmt: str,
             vocab: tuple[Path, ...]) -> None:
    """The concepts most often adopted with NAME: named by the most bodies that name NAME.

    `both` is the number of bodies naming both, `share` that number over the
    bodies naming NAME, `jaccard` over the bodies naming either.

    \b
    Example:
      kg together 三所联动
      kg together 三所联动 --kind role --kind institution
    """
    from ..analysis.together import Companion, together as companions

    store = open_graph(graph_path, vocab)
    concept, label = _concept(store, name)
    wanted = KIND_KEYS if "all" in kinds else (kinds or TOOLKIT_KINDS)
    rows = companions(store, concept, kinds=wanted, top=top)
    if not rows:
        raise click.ClickException(f"no body names {label} with another {' or '.join(wanted)}")
    click.echo(format_result(_table(rows, Companion), fmt))


COMMANDS = (spread, similar, compare, together)
