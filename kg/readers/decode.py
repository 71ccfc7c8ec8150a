"""Bytes of unknown encoding -> text: BOMs, strict UTF-8, then detection (charset-normalizer).

Shared by the .txt reader and the HTML reader (for pages whose declared
charset is missing or wrong).
"""

from __future__ import annotations

import codecs
import re


BOMS: tuple[tuple[bytes, str, str], ...] = (
    # (bom, codec that strips it, name reported); UTF-32 before UTF-16.
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Detected names -> the codec we decode with (a superset where one exists).
_CODEC_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5",
    "cp950": "cp950",
    "big5hkscs": "big5hkscs",
}
_CHINESE_CODECS = {"gb18030", "big5", "cp950", "big5hkscs"}
_MAX_CHAOS = 0.25  # charset-normalizer's mess ratio above which we call it junk
# Control characters a real text file may carry: tab, newlines, form feed,
# vertical tab. Anything else in C0/C1 means binary or a wrong decoding.
_BAD_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for the bytes of a .txt file.

    Tries a BOM, then strict UTF-8, then charset-normalizer (a detected
    gb2312/gbk is decoded as gb18030). Line endings are left as they are.
    Raises ``ValueError`` whose message is the reason when the bytes are
    not text.
    """
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise ValueError(f"not text: invalid {name} after its byte order mark") from None
            _check_controls(text)
            return text, name
    if b"\x00" in data:
        raise ValueError("not text: binary data (nul bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_controls(text)
        return text, "utf-8"
    kept = _utf8_despite(data)
    if kept is not None:
        return kept
    text, name = detect(data)
    _check_controls(text)
    return text, name


def _utf8_despite(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with its few bad bytes replaced (U+FFFD), where that is what the file is: one
    0xFF in a long UTF-8 report must not cost the report. None when there are many."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad > max(3, len(data) // 2000) or _BAD_CONTROL.search(text):
        return None
    return text, f"utf-8 ({bad} bad byte{'s' if bad != 1 else ''} replaced)"


def _check_controls(text: str) -> None:
    m = _BAD_CONTROL.search(text)
    if m:
        raise ValueError(f"not text: control character U+{ord(m.group()):04X}")


def codec_for(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name
    return _CODEC_ALIASES.get(canonical, canonical)


def detect(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes with the likeliest encoding, or raise ValueError."""
    from charset_normalizer import from_bytes

    matches = [
        m
        for m in from_bytes(data)
        # BOM-less UTF-16/32 "detections" of NUL-free bytes are junk.
        if not m.encoding.startswith(("utf_16", "utf_32"))
    ]
    if not matches:
        raise ValueError("not text: undecodable bytes")
    least_chaos = min(m.chaos for m in matches)
    if least_chaos > _MAX_CHAOS:
        raise ValueError("not text: undecodable bytes")
    # Our inputs are Chinese: on short texts the detector may rank Korean or
    # Japanese first at equal chaos, so prefer a Chinese codec when one fits
    # about as well, then the most coherent language, GB before Big5.
    close = [m for m in matches if m.chaos <= least_chaos + 0.05]
    chinese = [m for m in close if codec_for(m.encoding) in _CHINESE_CODECS]
    pool = chinese or close

    def rank(m) -> tuple:
        codec = codec_for(m.encoding)
        return (m.chaos, -m.coherence, 0 if codec == "gb18030" else 1)

    best = min(pool, key=rank)
    codec = codec_for(best.encoding)
    for candidate in dict.fromkeys([codec, "big5hkscs" if codec in ("big5", "cp950") else codec]):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValueError("not text: undecodable bytes")


