"""The .txt reader: decoded (UTF-8, UTF-8/16 BOM, GB18030, Big5), line endings normalised
to ``\\n`` and nothing else changed."""

from __future__ import annotations

from .base import ReadLimits, Unreadable, normalise_newlines, reader
from .decode import decode_text


@reader("txt", ".txt")
def read_txt(data: bytes, limits: ReadLimits) -> tuple[str, str]:
    try:
        text, encoding = decode_text(data)
    except ValueError as exc:
        raise Unreadable(str(exc)) from None
    return normalise_newlines(text), encoding
