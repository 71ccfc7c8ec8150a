"""Text normalisers, each ``str -> str`` or with an offset map.

Matching runs on a folded copy of the report (simplified script, ASCII
width, one kind of quote and dash, no stray spaces between Chinese
characters); the offset map turns every match back into a span of the text
as written, so surface forms and offsets always come from the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")

_QUOTES = str.maketrans({c: '"' for c in "“”„‟〝〞「」『』＂"} | {c: "'" for c in "‘’‚‛"})
_DASHES = str.maketrans({c: "-" for c in "—–―‐‑‒−－─━"})
_DOTS = str.maketrans({c: "·" for c in "•・‧∙⋅"})
_SPACE = frozenset(" \t\u00a0\u3000\u2002\u2003\u2009\u200b")


def is_cjk(ch: str) -> bool:
    """True for a Chinese character (the unified ideograph blocks)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    nf = unicodedata.normalize("NFKC", ch)
    if len(nf) == 1:
        ch = nf
    return ch.translate(_QUOTES).translate(_DASHES).translate(_DOTS)


def to_simplified(text: str) -> str:
    """Traditional to simplified, keeping the length so offsets survive."""
    out = _T2S.convert(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(c) == 1 else o for o, c in ((o, _T2S.convert(o)) for o in text))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; return it with ``index`` where ``index[i]``
    is the offset in ``text`` of folded character ``i`` (plus a final entry
    equal to ``len(text)`` so an exclusive end maps too).

    Spaces are dropped when a Chinese character stands on either side: PDF
    extraction and web editors put them inside words (领导 小组).
    """
    simp = to_simplified(text)
    chars: list[str] = []
    index: list[int] = []
    n = len(simp)
    for i, ch in enumerate(simp):
        if ch in _SPACE:
            j = i - 1
            while j >= 0 and simp[j] in _SPACE:
                j -= 1
            k = i + 1
            while k < n and simp[k] in _SPACE:
                k += 1
            if (j >= 0 and is_cjk(simp[j])) or (k < n and is_cjk(simp[k])):
                continue
        chars.append(_fold_char(ch))
        index.append(i)
    index.append(n)
    return "".join(chars), index


def fold(text: str) -> str:
    """The folded form alone, for labels and lookups."""
    return fold_with_map(text)[0]


_KEY_DROP = re.compile(r"[\s\"'《》〈〉<>()（）\[\]【】、,，.。:：;；!！?？·\-_/]+")


def key(text: str) -> str:
    """A loose identity key: folded, without quotes, brackets and punctuation.

    Two surface forms with the same key name the same thing.
    """
    return _KEY_DROP.sub("", fold(text)).lower()


def strip_quotes(text: str) -> str:
    """Drop quotation marks and title brackets, keep everything else."""
    return re.sub(r"[\"'“”‘’「」『』《》〈〉]", "", text)
