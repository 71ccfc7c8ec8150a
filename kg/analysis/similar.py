"""Which bodies run the same toolkit: the Jaccard similarity of their sets of mechanisms and
programmes (``kg.kinds.TOOLKIT_KINDS``).

Jaccard is the weight of a body–body edge in the bipartite projection of the
body–concept graph (networkx's ``overlap_weighted_projected_graph(…,
jaccard=True)``): |A ∩ B| / |A ∪ B|. One body's row of that projection is
all ``kg similar`` needs, and the store computes it without the rest: the
overlap with every other body is one grouped query whose join stays inside
Oxigraph, the sizes another, so only one number per body crosses into
Python. Loading the whole bipartite graph into networkx (500,000 edges at
20,000 reports) would take longer than the two-second budget of a command.
The top bodies' own sets are then read to say what they share and what
differs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from .. import queries
from ..kinds import KIND_KEYS
from ..query import GraphStore
from ..vocab import KIND_OF_LINK

TOP = 10  # bodies listed by default


@dataclass(frozen=True)
class Item:
    """A concept of a toolkit."""

    iri: str
    label: str
    kind: str


@dataclass(frozen=True)
class Match:
    """Another body and how close its toolkit is to this one's."""

    town: str
    score: float  # Jaccard, 0..1, three decimals
    shared: tuple[str, ...]
    only_here: tuple[str, ...]
    only_there: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """Two toolkits side by side: the concepts both name first, then each one's own."""

    here: str  # the bodies' labels
    there: str
    score: float
    rows: tuple[tuple[str, str, str], ...]  # (kind, concept here or '', concept there or '')


def toolkit(store: GraphStore, body: str) -> dict[str, Item]:
    """A body's mechanisms and programmes, by IRI."""
    items: dict[str, Item] = {}
    for _, c, link, label in store.rows(queries.text("toolkit"), {"body": ox.NamedNode(body)}):
        held = items.get(c)
        label = label or c.rsplit("/", 1)[-1]
        if held is None or (label, link) < (held.label, held.kind):
            items[c] = Item(c, label, KIND_OF_LINK[link])
    return items


def similar(store: GraphStore, body: str, *, top: int = TOP) -> list[Match]:
    """The ``top`` bodies whose toolkits are closest to ``body``'s (Jaccard; ties: more shared,
    then name), leaving out those that share nothing."""
    mine = toolkit(store, body)
    if not mine:
        return []
    with ThreadPoolExecutor(2) as pool:  # Oxigraph lets go of the GIL while it counts
        overlap = pool.submit(lambda: list(store.rows(queries.text("toolkit_overlap"), {"body": ox.NamedNode(body)})))
        sizes = {b: int(n) for b, n in store.rows(queries.text("toolkit_sizes"))}
        shared = {other: int(n) for _, other, n in overlap.result() if other != body}
    scored = sorted(((n / (len(mine) + sizes.get(other, n) - n), n, other) for other, n in shared.items()),
                    key=lambda s: (-s[0], -s[1], s[2]))
    # ties at the cut are broken by name, so read the names of every body tied with the last kept
    end = min(top, len(scored))
    while 0 < end < len(scored) and scored[end][:2] == scored[end - 1][:2]:
        end += 1
    scored = scored[:end]
    named = sorted(((score, n, _label(store, other), other) for score, n, other in scored),
                   key=lambda s: (-s[0], -s[1], s[2], s[3]))[:top]
    out = []
    for score, _n, label, other in named:
        theirs = toolkit(store, other)
        out.append(Match(label, round(score, 3), _labels(mine, mine.keys() & theirs.keys()),
                         _labels(mine, mine.keys() - theirs.keys()), _labels(theirs, theirs.keys() - mine.keys())))
    return out


def compare(store: GraphStore, here: str, there: str) -> Comparison:
    """Two bodies' toolkits side by side."""
    a, b = toolkit(store, here), toolkit(store, there)
    rows = [(a[c].kind, a[c].label, b[c].label) for c in a.keys() & b.keys()]
    rows += [(a[c].kind, a[c].label, "") for c in a.keys() - b.keys()]
    rows += [(b[c].kind, "", b[c].label) for c in b.keys() - a.keys()]
    rows.sort(key=lambda r: (not (r[1] and r[2]), not r[1], KIND_KEYS.index(r[0]), r[1] or r[2]))
    union = len(a.keys() | b.keys())
    score = round(len(a.keys() & b.keys()) / union, 3) if union else 0.0
    return Comparison(_label(store, here), _label(store, there), score, tuple(rows))


def _labels(items: dict[str, Item], keys) -> tuple[str, ...]:
    """Labels in kind order, then by label."""
    return tuple(i.label for i in sorted((items[k] for k in keys), key=lambda i: (KIND_KEYS.index(i.kind), i.label)))


def _label(store: GraphStore, body: str) -> str:
    labels = [label for _, label in store.rows(queries.text("body_label"), {"body": ox.NamedNode(body)})]
    return min(labels, default="")
