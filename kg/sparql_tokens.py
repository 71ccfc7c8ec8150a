"""SPARQL text as tokens: enough lexing to find keywords where the grammar has them.

A keyword such as SERVICE is only a keyword outside strings, IRIs (``<…>``),
comments, variables, language tags, blank-node labels and prefixed names
(``ex:SERVICE``, ``SERVICE:x``); a regex over the raw text cannot tell these
apart, the few token rules below can.
"""

from __future__ import annotations

import re
from typing import Iterator

__all__ = ["NETWORK_KEYWORDS", "keywords", "network_keyword", "unescape"]

# Keywords that make the query engine open a connection to another host.
NETWORK_KEYWORDS = ("SERVICE", "LOAD")

_PN = r"[^\W\d]|[\u00B7\u0300-\u036F\u203F-\u2040]"  # letters, and the few marks PN_CHARS adds
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
               |'(?:[^'\\\r\n]|\\.)*'?
               |"(?:[^"\\\r\n]|\\.)*"?)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<bnode>_:[\w.\-\u00B7\u0300-\u036F\u203F-\u2040]*)
    | (?P<pname>(?:(?:PN)[\w.\-\u00B7\u0300-\u036F\u203F-\u2040]*)?:(?:[\w.\-:%\u00B7\u0300-\u036F\u203F-\u2040]|\\.)*)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<other>.)
    """.replace("(?:PN)", f"(?:{_PN})"),
    re.VERBOSE | re.DOTALL,
)


# SPARQL undoes \uXXXX and \UXXXXXXXX anywhere in the text before parsing it (SPARQL 1.1, 19.2)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# `FILTER(1<2)SERVICE?x#>` then `{…}` on the next line lexes as one IRI here, but a parser that
# reads `<` as less-than sees SERVICE ?x and a comment: inside an IRI, a keyword followed by a
# variable and later a `#` is taken to be the keyword.
_HIDDEN = re.compile(r"(?<!\w)(SERVICE)[?$]\w+#", re.I)


def unescape(text: str) -> str:
    """The text with SPARQL's codepoint escapes replaced by the characters they stand for."""

    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _CODEPOINT.sub(char, text)


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) for each token; whitespace and comments are left out."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            yield kind, match.group()


def keywords(text: str) -> Iterator[str]:
    """The bare words of a SPARQL text (keywords, function names, ``a``), upper-cased, in order."""
    for kind, token in _tokens(unescape(text)):
        if kind == "word":
            yield token.upper()
        elif kind == "iri":
            yield from (hidden.upper() for hidden in _HIDDEN.findall(token))


def network_keyword(text: str) -> str | None:
    """The first keyword that makes the engine call out to another host (SERVICE, LOAD), or None."""
    for word in keywords(text):
        if word in NETWORK_KEYWORDS:
            return word
    return None
