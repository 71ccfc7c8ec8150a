"""What every command shares: the common options, how a result is printed, how a graph is opened.

Kept apart from the group in ``kg.cli`` so that the command modules
(``kg.cli.analysis``) import it without importing the group back.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import click

from ..errors import GraphError
from ..query import GraphStore, Result

DEFAULT_OUT = Path("outputs")
LIST_SEPARATOR = "、"  # a cell holding several names (kg similar's shared concepts), in a table or CSV


def _which_graph(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """--graph as given; without it, the folder ``kg build`` built last (else outputs/), said on
    stderr so an answer never comes silently from another build."""
    if value is not None:
        return value
    from ..layout import last_build

    last = last_build()
    chosen = str(last) if last is not None else str(DEFAULT_OUT)
    click.echo(f"(answering from {chosen}, the {'last build' if last else 'default folder'}; --graph to choose)",
               err=True)
    return chosen


graph_option = click.option("--graph", "graph_path", default=None, callback=_which_graph,
                            help="A build folder or an RDF file [default: the last build, else outputs/].")
vocab_option = click.option("--vocab", multiple=True, type=click.Path(path_type=Path),
                            help="Extra SKOS vocabulary (Turtle) added to the bundled one; repeatable.")
format_option = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                             show_default=True, help="Output format.")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _text(value: object) -> str:
    """A cell as a table or CSV shows it: lists joined, numbers as Python writes them."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def format_result(result: Result, fmt: str = "table") -> str:
    """Render a result as an aligned table, CSV or JSON (where numbers stay numbers and lists lists)."""
    if result.boolean is not None:
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else ("true" if result.boolean else "false")
    if result.triples:
        return "\n".join(result.triples)
    if fmt == "json":
        rows = [{v: list(x) if isinstance(x, tuple) else x for v, x in row.items()} for row in result.dicts()]
        return json.dumps(rows, ensure_ascii=False, indent=2)
    cells = [[_text(x) for x in row] for row in result.rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows(cells)
        return buf.getvalue().rstrip("\n")
    header = list(result.variables)
    known: dict[str, int] = {}  # a column repeats its values (counties, years): measure each once

    def width(text: str) -> int:
        w = known.get(text)
        if w is None:
            w = known[text] = len(text) if text.isascii() else _width(text)
        return w

    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(header)]
    out = []
    for row in [header, *cells]:
        out.append("  ".join(x + " " * (w - width(x)) for x, w in zip(row, widths)).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


class UsageFail(click.ClickException):
    """An error the user can fix by changing the command: exit 2."""

    exit_code = 2


def open_graph(graph_path: str, vocab: tuple[Path, ...] = ()) -> GraphStore:
    """The build folder or RDF file the user named; a missing one is a usage error."""
    try:
        return GraphStore.open(graph_path, vocab=vocab)
    except GraphError as exc:
        raise UsageFail(str(exc)) from None
