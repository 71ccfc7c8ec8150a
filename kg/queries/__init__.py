"""The bundled SPARQL texts, one ``.rq`` file per question.

The lists of kinds and levels in them are written ``@LINKS@``,
``@LINK_LIST@``, ``@TOOLKIT_LINKS@``, ``@KIND_CLASSES@``, ``@LEVEL_CLASSES@``, ``@LEVEL_NAMES@``,
``@COUNTY_CLASSES@`` and ``@PROVINCE_CLASSES@`` and filled in from ``kg.kinds``,
so a new kind needs no query edited. Other ``@NAME@`` markers are filled in
by the caller (lists of IRIs); values a user types are never pasted in:
they are bound as variables.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from ..kinds import COUNTY_LEVELS, KIND, KINDS, LEVEL, LEVELS, TOOLKIT_KINDS

MARKERS = {
    "@LINKS@": " ".join(f"fz:{k.link}" for k in KINDS),
    "@TOOLKIT_LINKS@": " ".join(f"fz:{KIND[key].link}" for key in TOOLKIT_KINDS),
    "@COUNTY_CLASSES@": " ".join(f"fz:{LEVEL[key].cls}" for key in COUNTY_LEVELS),
    "@PROVINCE_CLASSES@": " ".join(f"fz:{level.cls}" for level in LEVELS if level.rank == 0),
    "@LINK_LIST@": ", ".join(f"fz:{k.link}" for k in KINDS),
    "@KIND_CLASSES@": " ".join(f"fz:{k.cls}" for k in KINDS),
    "@LEVEL_CLASSES@": " ".join(f"fz:{level.cls}" for level in LEVELS),
    # each level class with its local name as a short literal, to project instead of the class:
    # a literal that short is stored inline, an IRI has to be looked up to be decoded
    "@LEVEL_NAMES@": " ".join(f'(fz:{level.cls} "{level.cls}")' for level in LEVELS),
}


@lru_cache(maxsize=None)
def text(name: str) -> str:
    """The text of ``name.rq``, with the kinds and levels filled in."""
    query = (resources.files(__name__) / f"{name}.rq").read_text(encoding="utf-8")
    for marker, value in MARKERS.items():
        query = query.replace(marker, value)
    return query
