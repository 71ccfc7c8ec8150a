"""What every format reader shares: the registry, the failure type and small text helpers.

A reader is a function from a file's bytes to (text, encoding name),
registered for its suffixes with ``@reader("html", ".html", ".htm")``, like
spaCy's component factories: a new format is one module and one decorator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

Reader = Callable[[bytes], "tuple[str, str]"]

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
