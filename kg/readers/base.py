"""What every format reader shares: the registry, the limits, the failure type and small text helpers.

A reader is a function from a file's bytes and the limits to (text, encoding
name), registered for its suffixes with ``@reader("html", ".html", ".htm")``,
like spaCy's component factories: a new format is one module and one
decorator. The limits hold before memory is spent: a 375 KB .docx may unpack
to 120 MB of XML, a 16 MB PDF may have 100,000 pages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

MB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """What one input may take; each has its command-line flag, named in the refusal."""

    max_bytes: int = 50 * MB  # the file as it is on disk (--max-bytes)
    max_unpacked: int = 32 * MB  # a .docx's XML parts unpacked (--max-unpacked, in MB)
    max_parts: int = 5000  # a .docx's parts
    max_pages: int = 2000  # a PDF's pages (--max-pages)
    max_chars: int = 3_000_000  # the text a file gives, in characters (--max-chars)


Reader = Callable[[bytes, ReadLimits], "tuple[str, str]"]

READERS: dict[str, Reader] = {}  # format -> reader
SUFFIXES: dict[str, str] = {}  # file suffix -> format


def reader(fmt: str, *suffixes: str) -> Callable[[Reader], Reader]:
    """Register a reader of format ``fmt`` for the files with these suffixes."""

    def register(fn: Reader) -> Reader:
        READERS[fmt] = fn
        for suffix in suffixes:
            SUFFIXES[suffix] = fmt
        return fn

    return register


class Unreadable(Exception):
    """Raised by a format reader; the caller adds the path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RawFile:
    """A file's bytes as read, hashed once: the cache is keyed by the hash before any parsing."""

    path: Path
    data: bytes
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes) -> "RawFile":
        return cls(Path(path), data, hashlib.sha256(data).hexdigest())


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def short(exc: BaseException) -> str:
    """An exception's first line, lowercased and cut, as part of a one-line reason."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return msg[:120].lower()
