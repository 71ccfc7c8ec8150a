"""Names folded for a page's search box the way the command line folds them (``textnorm.key``):
traditional to simplified script, full width to ASCII, quotes, brackets, punctuation and
spaces dropped, lower case. 岔河鎮, "三所联动" and 三所 联动 all find 三所联动 and 岔河镇.

The page holds every label already, so Python folds the labels and the page gets their keys;
the typed text is folded in the page's script with two small tables made here: the
traditional characters that fold to a character some key holds (nothing else can match), and
the characters the fold drops.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from ..textnorm import _FOLD_CHARS, _KEY_DROP, key, to_simplified

# OpenCC's simplified-to-traditional configurations: each gives one traditional form of a
# character; together they give the forms people type (發 and 髮 for 发 come from different ones)
_TO_TRADITIONAL = ("s2t", "s2tw", "s2hk", "s2twp")


def search_keys(names: Iterable[str]) -> list[str]:
    """The distinct folded keys of ``names``, in order, empty ones left out."""
    out: list[str] = []
    for name in names:
        k = key(name)
        if k and k not in out:
            out.append(k)
    return out


@lru_cache(maxsize=1)
def _converters():
    from opencc import OpenCC

    return tuple(OpenCC(config) for config in _TO_TRADITIONAL)


def traditional_table(keys: Iterable[str]) -> dict[str, str]:
    """Traditional character -> the simplified one it folds to, for the characters of ``keys``."""
    chars = sorted({ch for k in keys for ch in k if ord(ch) > 0x2E7F})  # CJK and beyond
    if not chars:
        return {}
    table: dict[str, str] = {}
    lines = "\n".join(chars)  # one character a line: no phrase spans two
    for convert in _converters():
        for simplified, traditional in zip(chars, convert.convert(lines).split("\n")):
            if len(traditional) == 1 and traditional != simplified and to_simplified(traditional) == simplified:
                table[traditional] = simplified
    return dict(sorted(table.items()))


@lru_cache(maxsize=1)
def dropped() -> str:
    """The characters the fold drops, after the width fold (whitespace aside: the page drops it
    with ``\\s``): quotes, brackets, punctuation and the folded forms of dashes and dots."""
    candidates = set(_FOLD_CHARS) | set(_FOLD_CHARS.values()) | set(_KEY_DROP.pattern)
    return "".join(sorted(ch for ch in candidates if not ch.isspace() and key(ch) == ""
                          and not (0xFF01 <= ord(ch) <= 0xFF5E)))


def fold_tables(keys: Iterable[str]) -> dict[str, object]:
    """What the page's script needs to fold typed text like ``key``."""
    return {"t2s": traditional_table(keys), "drop": dropped()}
