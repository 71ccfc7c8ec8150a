"""Concepts that travel together: the co-adoption graph, where two concepts are linked by the
number of bodies that name both (the projection of the body–concept graph onto the concepts),
and its communities.

``together`` answers for one concept from the store: one grouped query counts,
for every other concept, the bodies naming both, so the join stays inside
Oxigraph. ``co_adoption`` and ``communities`` draw the summary page's section
from the adopters the page's gathering pass already holds: the projection of
a few dozen concepts is counted on bitsets of bodies (a millisecond, where
networkx's ``weighted_projected_graph`` over 10,000 bodies takes half a
second), and networkx finds the communities (Louvain, modularity on the
co-adoption counts, seeded: the same graph gives the same communities).
Modularity compares each count with what the two concepts' popularity alone
would give, so two widespread concepts do not fall together merely for being
widespread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from .. import queries
from ..kinds import KIND, TOOLKIT_KINDS
from ..query import GraphStore
from ..vocab import ONTOLOGY
from .names import label_of

TOP = 10  # concepts listed by default
SEED = 0  # Louvain's random seed: fixed, so a page is the same each time it is drawn


@dataclass(frozen=True)
class Companion:
    """A concept adopted with the one asked about."""

    concept: str
    kind: str
    both: int  # bodies naming both
    share: float  # of the bodies naming the one asked about, the share naming this one too
    jaccard: float  # both / bodies naming either


@dataclass(frozen=True)
class Pair:
    """Two concepts and the bodies naming both."""

    a: str
    b: str
    both: int
    jaccard: float


def together(store: GraphStore, concept: str, *, kinds: Sequence[str] = TOOLKIT_KINDS,
             top: int = TOP) -> list[Companion]:
    """The ``top`` concepts of the given kinds most often named by the bodies that name ``concept``
    (ties: the closer by Jaccard, then by label)."""
    mine = _adopters(store, concept)
    if not mine:
        return []

    def of_kind(kind: str) -> list[tuple[str, str, int]]:
        link = ox.NamedNode(ONTOLOGY + KIND[kind].link)
        return [(other, kind, int(n)) for _, _, other, n in
                store.rows(queries.text("co_adopted"), {"c": ox.NamedNode(concept), "link2": link})]

    both: dict[str, tuple[int, str]] = {}
    with ThreadPoolExecutor(2) as pool:  # Oxigraph lets go of the GIL while it counts
        for found in pool.map(of_kind, kinds):
            for other, kind, n in found:
                if other != concept and (other not in both or n > both[other][0]):
                    both[other] = (n, kind)
    ranked = sorted(both.items(), key=lambda item: -item[1][0])
    end = min(top, len(ranked))
    while 0 < end < len(ranked) and ranked[end][1][0] == ranked[end - 1][1][0]:
        end += 1  # the ties at the cut are ordered by Jaccard and label: read them all
    rows = []
    for other, (n, kind) in ranked[:end]:
        theirs = _adopters(store, other)
        rows.append(Companion(label_of(store, other), kind, n, round(n / mine, 3),
                              round(n / (mine + theirs - n), 3)))
    rows.sort(key=lambda r: (-r.both, -r.jaccard, r.concept))
    return rows[:top]


def co_adoption(adopters: Mapping[str, Iterable[int]]) -> list[Pair]:
    """Every pair of the given concepts that some body names both, from each concept's adopters
    (body numbers), in the order of the mapping."""
    bits = {c: _bitset(bodies) for c, bodies in adopters.items()}
    sizes = {c: b.bit_count() for c, b in bits.items()}
    order = list(bits)
    pairs = []
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            n = (bits[a] & bits[b]).bit_count()
            if n:
                pairs.append(Pair(a, b, n, round(n / (sizes[a] + sizes[b] - n), 3)))
    return pairs


def communities(concepts: Sequence[str], pairs: Iterable[Pair]) -> list[list[str]]:
    """The communities of the co-adoption graph (Louvain on the counts, seeded), each in the order
    of ``concepts``, the largest first; a concept co-adopted with none is a community alone."""
    import networkx as nx  # only the summary page needs it

    graph = nx.Graph()
    graph.add_nodes_from(concepts)
    graph.add_weighted_edges_from((p.a, p.b, p.both) for p in pairs)
    if graph.number_of_edges() == 0:
        groups = [{c} for c in concepts]
    else:
        groups = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    rank = {c: i for i, c in enumerate(concepts)}
    found = [sorted(g, key=rank.__getitem__) for g in groups]
    return sorted(found, key=lambda g: (-len(g), rank[g[0]]))


def _adopters(store: GraphStore, concept: str) -> int:
    rows = list(store.rows(queries.text("adopter_count"), {"c": ox.NamedNode(concept)}))
    return int(rows[0][1]) if rows else 0


def _bitset(bodies: Iterable[int]) -> int:
    """A set of small non-negative numbers as the bits of one integer."""
    bodies = list(bodies)
    if not bodies:
        return 0
    raw = bytearray((max(bodies) >> 3) + 1)
    for b in bodies:
        raw[b >> 3] |= 1 << (b & 7)
    return int.from_bytes(raw, "little")
