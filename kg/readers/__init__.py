"""Bytes on disk -> :class:`kg.model.Document` (plain text + metadata).

One module per format (``txt``, ``html``, ``docx``, ``pdf``), each registered
for its suffixes (``base.reader``); every later stage indexes the text a
reader returns by offset. ``load`` reads and hashes a file once (a build
looks its cache up by the hash before parsing anything); ``parse`` turns it
into a Document. Every failure is an :class:`kg.errors.InputError` with a
short lowercase reason; nothing else escapes.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Document
from . import docx, html, pdf, txt  # noqa: F401  (each registers its reader)
from .base import READERS, SUFFIXES, RawFile, ReadLimits, Unreadable
from .decode import decode_text
from .files import DEFAULT_MAX_BYTES, find_inputs, read_bytes

__all__ = ["DEFAULT_MAX_BYTES", "SUFFIXES", "RawFile", "ReadLimits", "decode_text", "find_inputs", "load", "parse",
           "read"]


def format_of(path: Path) -> str:
    """The format a file's suffix names, or InputError."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(str(path), f"unsupported file type: {path.suffix.lower() or '(none)'}")
    return fmt


def load(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawFile:
    """A file's bytes and their hash, or InputError for a missing, unreadable or too large file."""
    path = Path(path)
    return RawFile.of(path, read_bytes(path, max_bytes=max_bytes))


def parse(raw: RawFile, limits: ReadLimits = ReadLimits()) -> Document:
    """Turn a file's bytes into a Document, or InputError."""
    where = str(raw.path)
    fmt = format_of(raw.path)
    if not raw.data.strip():
        raise InputError(where, "empty file")
    try:
        text, encoding = READERS[fmt](raw.data, limits)
    except Unreadable as exc:
        raise InputError(where, exc.reason) from None
    if not text.strip():
        raise InputError(where, "empty file")
    if len(text) > limits.max_chars:
        raise InputError(where, f"too long: {len(text)} characters of text > limit {limits.max_chars} (--max-chars)")
    replaced = text.count("\ufffd") if "replaced" in encoding else 0
    return Document(source=raw.path.name, path=where, text=text, sha256=raw.sha256, format=fmt,
                    encoding=encoding, replaced=replaced)


def read(path: Path, *, max_bytes: int | None = None, limits: ReadLimits = ReadLimits()) -> Document:
    """Read one input file into a Document, or InputError naming the file and the reason."""
    path = Path(path)
    format_of(path)
    return parse(load(path, max_bytes=limits.max_bytes if max_bytes is None else max_bytes), limits)
