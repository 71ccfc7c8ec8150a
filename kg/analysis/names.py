"""The one concept or body a name the user typed means.

Names are matched as ``kg towns`` matches them (a prefLabel, altLabel or
rdfs:label equal to the name, else any label containing it). The analyses
need exactly one node: counting two concepts as one would mix their
adopters, so a name that matches several is an error listing them.
"""

from __future__ import annotations

import pyoxigraph as ox

from .. import queries
from ..errors import AmbiguousName, NameNotFound
from ..query import GraphStore
from .bodies import places_of

CHOICES_SHOWN = 12  # how many of the matches an ambiguous name lists


def one_concept(store: GraphStore, name: str) -> tuple[str, str]:
    """The IRI and preferred label of the one concept ``name`` means."""
    found = [(c.value, label_of(store, c.value)) for c in store.concepts_named(name)]
    if not found:
        raise NameNotFound(f"no concept is named {name!r}")
    if len(found) > 1:
        labels = sorted(label for _, label in found)
        raise AmbiguousName(f"{name!r} names {len(found)} concepts: {_listed(labels)}; give one of them", labels)
    return found[0]


def one_body(store: GraphStore, name: str, *, county: str | None = None) -> str:
    """The IRI of the one reporting body ``name`` means, narrowed to those under a county-level
    unit whose name starts with ``county`` (a town's namesakes need it)."""
    found = [b.value for b in store.places_named(name) if _reports(store, b.value)]
    if len(found) == 1 and county is None:
        return found[0]
    where = places_of(store, found)
    if county is not None:
        found = [b for b in found if where[b].county.startswith(county)]
    if not found:
        raise NameNotFound(f"no reporting body is named {name!r}" + (f" in {county}" if county else ""))
    if len(found) > 1:
        shown = sorted(f"{where[b].town or '（未具名）'} ({where[b].county or where[b].province or '?'})"
                       for b in found)
        raise AmbiguousName(f"{name!r} names {len(found)} bodies: {_listed(shown)}; add --county", shown)
    return found[0]


def label_of(store: GraphStore, concept: str) -> str:
    """A concept's preferred label (the least, if it has several), else the tail of its IRI."""
    labels = [label for _, label in store.rows(queries.text("preferred_label"), {"c": ox.NamedNode(concept)})]
    return min((x for x in labels if x), default=concept.rsplit("/", 1)[-1])


def _reports(store: GraphStore, body: str) -> bool:
    return any(True for _ in store.rows(queries.text("has_reports"), {"body": ox.NamedNode(body)}))


def _listed(items: list[str]) -> str:
    shown = "、".join(items[:CHOICES_SHOWN])
    return shown + (f" … ({len(items) - CHOICES_SHOWN} more)" if len(items) > CHOICES_SHOWN else "")
