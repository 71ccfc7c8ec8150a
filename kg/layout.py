"""The build folder: the names of its files, and how they are written.

Every output is written beside its target and renamed over it, so a reader
(or a build killed at any instant) sees the old file or the new one, never
half of one.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

GRAPH_TTL = "graph.ttl"
GRAPH_NT = "graph.nt"
GRAPH_FILES = (GRAPH_TTL, GRAPH_NT)
MANIFEST = "manifest.json"
STORE = "store"
STORE_STATE = "fzkg-state.json"  # in the store's folder: what the build put in the store
TEXTS = "texts"  # the plain text of each report, which every mention's offsets index
CACHE = "cache"
PAGE_FILES = ("network.html", "summary.html", "towns.csv", "graph.graphml")
NETWORK, SUMMARY, TOWNS_CSV, GRAPHML = PAGE_FILES
# where a build stages what it swaps in at the end
STORE_NEW, STORE_OLD, PAGES_NEW = ".store-new", ".store-old", ".pages-new"

Span = tuple[str, int, int]  # (file, byte offset, byte length): a section of a cache entry


def read_span(span: Span) -> bytes:
    """The bytes of a span (a few KB from one of thousands of files: unbuffered)."""
    path, offset, length = span
    with open(path, "rb", buffering=0) as fh:
        fh.seek(offset)
        return fh.read(length)


class AtomicWriter:
    """A text file written beside its target and renamed over it on commit;
    abandoned (removed) on any error, so the target is always whole."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        fd, self.tmp = _open_temp(self.path)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def write_span(self, span: Span) -> None:
        """Append a span of UTF-8 text as its bytes are, without decoding them."""
        self.fh.flush()
        self.fh.buffer.write(read_span(span))

    def commit(self) -> None:
        if self.fh.closed:  # committed already
            return
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abandon(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        Path(self.tmp).unlink(missing_ok=True)


def write_atomic(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write to a temporary file beside ``path``, then rename over it.

    ``durable`` also flushes it to the disk before the rename (outputs a user
    keeps); a cache entry, which a later build can always remake, skips that.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _open_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_streamed(path: Path, write) -> None:
    """A file written through ``write(fh)`` beside ``path`` and renamed over it when whole."""
    target = AtomicWriter(path)
    try:
        write(target.fh)
        target.commit()
    except BaseException:
        target.abandon()
        raise


_TEMP_IDS = itertools.count()


def _open_temp(path: Path) -> tuple[int, str]:
    """A new file beside ``path`` (``.NAME.PID-N.tmp``), with the mode ``open()`` would give.

    Cheaper than ``tempfile.mkstemp`` (no random names, no chmod), which
    counts when a build writes several cache files per report.
    """
    while True:
        tmp = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}-{next(_TEMP_IDS)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # left by a killed process that had our pid
            continue
