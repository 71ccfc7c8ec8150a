"""``kg map``: the map page's command, in a module of its own.

``kg.cli`` registers it with its own shared pieces (the ``--graph`` and ``--vocab``
options and how a graph is opened), so imports run one way: kg.cli -> kg.cli.map.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click


def map_command(graph_option: Callable, vocab_option: Callable, open_graph: Callable) -> click.Command:
    """The ``kg map`` command, built with the command line's shared options."""

    @click.command("map")
    @click.argument("name", required=False)
    @click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("map.html"), show_default=True,
                  help="Where to write the page.")
    @graph_option
    @vocab_option
    def map_(name: str | None, output: Path, graph_path: str, vocab: tuple[Path, ...]) -> None:
        """Draw every county of the build as a dot where it lies, coloured by whether a body
        there names NAME, with a year slider that replays the spread and the list of the
        counties, their towns and evidence; without NAME, how many reports each county has.
        One offline page: nothing is fetched and no border is drawn.

        NAME is matched as in `kg towns` (prefLabel or altLabel, else any label containing it).

        \b
        Example:
          kg map 三所联动 -o sansuo.html
          kg map --graph outputs -o reports.html
        """
        from ..layout import write_atomic
        from ..pages.map import map_html

        store = open_graph(graph_path, vocab)
        concepts = []
        if name is not None:
            concepts = [c.value for c in store.concepts_named(name)]
            if not concepts:
                raise click.ClickException(f"no concept named {name!r}")
        write_atomic(output, map_html(store, concepts=concepts, name=name))
        click.echo(f"{output}", err=True)

    return map_
