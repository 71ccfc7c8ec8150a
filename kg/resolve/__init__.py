"""Across the batch and against the gazetteer: one node per concept (``concepts``) and one
gazetteer entry, where the text proves it, per body (``places``)."""

from __future__ import annotations

from .concepts import Concept, concept_iri_for, resolve_concepts
from .places import Resolver

__all__ = ["Concept", "Resolver", "concept_iri_for", "resolve_concepts"]
