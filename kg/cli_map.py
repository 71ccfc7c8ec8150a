"""``kg map``: the map page, a command of its own module (registered on ``kg.cli.main``)."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import _open, graph_option, main, vocab_option


@main.command("map")
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("map.html"), show_default=True,
              help="Where to write the page.")
@graph_option
@vocab_option
def map_command(name: str | None, output: Path, graph_path: str, vocab: tuple[Path, ...]) -> None:
    """Draw every county of the build as a dot where it lies, coloured by whether a body there
    names NAME, with a year slider that replays the spread and the list of counties, towns and
    evidence; without NAME, how many reports each county has. One offline page: nothing is
    fetched, no border is drawn.

    NAME is matched as in `kg towns` (prefLabel or altLabel, else any label containing it).

    \b
    Example:
      kg map 三所联动 -o sansuo.html
      kg map --graph outputs -o reports.html
    """
    from .layout import write_atomic
    from .pages.map import map_html

    store = _open(graph_path, vocab)
    concepts = []
    if name is not None:
        concepts = [c.value for c in store.concepts_named(name)]
        if not concepts:
            raise click.ClickException(f"no concept named {name!r}")
    write_atomic(output, map_html(store, concepts=concepts, name=name))
    click.echo(f"{output}", err=True)
