"""Text normalisers, each ``str -> str`` or with an offset map.

Matching runs on a folded copy of the report (simplified script, ASCII
width, one kind of quote and dash, no stray spaces between Chinese
characters); the offset map turns every match back into a span of the text
as written, so surface forms and offsets always come from the original.
"""

from __future__ import annotations

import re
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")


def _fold_table() -> dict[int, str]:
    """One translate table for every one-to-one fold: width, quotes, dashes, dots."""
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[code] = chr(code - 0xFEE0)
    for ch in "“”„‟〝〞「」『』＂":
        table[ord(ch)] = '"'
    for ch in "‘’‚‛":
        table[ord(ch)] = "'"
    for ch in "—–―‐‑‒−－─━":
        table[ord(ch)] = "-"
    for ch in "•・‧∙⋅":
        table[ord(ch)] = "·"
    return table


_FOLD = _fold_table()
_FOLD_CHARS = {chr(code): ch for code, ch in _FOLD.items()}
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_CHARS) + "]")
_SPACES = " \t\u00a0\u3000\u2002\u2003\u2009\u200b"
_SPACE_RUN = re.compile(f"[{_SPACES}]+")

# Chinese characters, for regular-expression classes: the unified ideographs, extension A,
# the compatibility ideographs and the supplementary planes' extensions. The one definition
# every module uses.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAS_CJK = re.compile(f"[{CJK}]")


# Unicode format characters (category Cf): zero-width spaces and joiners, bidi marks and
# overrides, the byte order mark, soft hyphens. Scraped pages are full of them; they never
# belong in a name.
# (Unicode 14's category Cf, written out: computing it costs every command 80 ms at start-up;
# tests/test_textnorm.py checks the list against the running Python's unicodedata)
_INVISIBLE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                        "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                        "\U000e0020-\U000e007f]")


def strip_invisible(text: str) -> str:
    """``text`` without format characters (zero-width, bidi controls, BOM, soft hyphen)."""
    return _INVISIBLE.sub("", text)


def to_simplified(text: str) -> str:
    """Traditional to simplified, keeping the length so offsets survive."""
    out = _T2S.convert(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(c) == 1 else o for o, c in ((o, _T2S.convert(o)) for o in text))


def _translate(text: str) -> str:
    """``text.translate(_FOLD)``, several times faster on Chinese text.

    ``str.translate`` looks up every character of a non-ASCII string in the
    table; a report holds only a few distinct foldable characters (，：（）“”),
    so find which and replace each once. No replacement is itself foldable,
    so the order of the replacements does not matter.
    """
    for ch in set(_FOLDABLE.findall(text)):
        text = text.replace(ch, _FOLD_CHARS[ch])
    return text


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; return it with ``index`` where ``index[i]``
    is the offset in ``text`` of folded character ``i`` (plus a final entry
    equal to ``len(text)`` so an exclusive end maps too).

    Every fold is one character for one, except what is dropped: spaces where
    a Chinese character stands on either side (PDF extraction and web editors
    put them inside words: 领导 小组), and format characters anywhere
    (zero-width spaces, bidi marks, a stray BOM: scraped pages are full of
    them, and no name may hold one).
    """
    folded, drops = _folded_and_drops(text)
    if not drops:
        return folded, list(range(len(folded) + 1))
    index, pos = [], 0
    for s, e in drops:
        index.extend(range(pos, s))
        pos = e
    index.extend(range(pos, len(folded) + 1))
    return _without(folded, drops), index


def fold_text(text: str) -> str:
    """``fold_with_map(text)[0]`` without the index, which costs most of the time on a whole
    report (not memoised: texts do not recur)."""
    folded, drops = _folded_and_drops(text)
    return _without(folded, drops) if drops else folded


def _without(folded: str, drops: list[tuple[int, int]]) -> str:
    """``folded`` less the spans ``drops`` (in order)."""
    parts, pos = [], 0
    for s, e in drops:
        parts.append(folded[pos:s])
        pos = e
    parts.append(folded[pos:])
    return "".join(parts)


def _folded_and_drops(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text folded character for character, and the spans of it to drop (in order)."""
    folded = _translate(to_simplified(text))
    n = len(folded)
    drops = []
    for m in _SPACE_RUN.finditer(folded):
        s, e = m.span()
        if (s > 0 and HAS_CJK.match(folded, s - 1)) or (e < n and HAS_CJK.match(folded, e)):
            drops.append((s, e))
    if _INVISIBLE.search(folded):
        drops = _merged(drops + [m.span() for m in _INVISIBLE.finditer(folded)])
    return folded, drops


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and joined where they touch or overlap."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """The folded form alone, for labels and lookups (cached: labels recur)."""
    return fold_text(text)


_KEY_DROP = re.compile(r"[\s\"'《》〈〉<>()（）\[\]【】、,，.。:：;；!！?？·\-_/]+")


@lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """A loose identity key: folded, without quotes, brackets and punctuation.

    Two surface forms with the same key name the same thing.
    """
    return _KEY_DROP.sub("", fold(text)).lower()


def key_of_folded(folded: str) -> str:
    """``key`` of a whole folded text (not memoised: texts do not recur), so that the key of
    any piece of it is a piece of this."""
    return _KEY_DROP.sub("", folded).lower()


_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")


def strip_quotes(text: str) -> str:
    """Drop quotation marks and title brackets, keep everything else."""
    return _QUOTES.sub("", text)
