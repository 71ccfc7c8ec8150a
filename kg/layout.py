"""The build folder: the names of its files, and how they are written.

Every output is written beside its target and renamed over it, so a reader
(or a build killed at any instant) sees the old file or the new one, never
half of one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from pathlib import Path
from typing import BinaryIO, TextIO

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


_in_kernel = hasattr(os, "copy_file_range")  # Linux; False once it fails between two files


def copy_range(src: int, dst: int, offset: int, length: int) -> None:
    """``length`` bytes of file ``src`` from ``offset`` to file ``dst`` at its position (both
    descriptors), in the kernel where it can: never through Python's memory."""
    global _in_kernel
    while length > 0:
        n = 0
        if _in_kernel:
            try:
                n = os.copy_file_range(src, dst, length, offset)
            except OSError:  # not between these two file systems: copy through here
                _in_kernel = False
        if not _in_kernel:
            n = os.write(dst, os.pread(src, min(length, 1 << 20), offset))
        if n <= 0:
            raise OSError(f"{length} bytes short of the span's end")
        offset += n
        length -= n


class Splicer:
    """Text written to a file, with spans of another file (``source``) copied in between as
    bytes: a page's unchanged parts come from the page before without being decoded and
    encoded again, and spans that follow each other are copied at once."""

    def __init__(self, fh: TextIO, source: Path | None = None) -> None:
        self.fh = fh
        self.source = source
        self._src: BinaryIO | None = None
        self._pending: list[int] | None = None  # [offset, length] of the span to copy next

    def write(self, text: str) -> None:
        if self._pending:
            self._copy()
        self.fh.write(text)

    def splice(self, offset: int, length: int) -> None:
        held = self._pending
        if held and held[0] + held[1] == offset:
            held[1] += length
            return
        if held:
            self._copy()
        self._pending = [offset, length]

    def flush(self) -> None:
        if self._pending:
            self._copy()
        self.fh.flush()

    def close(self) -> None:
        if self._src is not None:
            self._src.close()
            self._src = None

    def _copy(self) -> None:
        offset, length = self._pending
        self._pending = None
        if self._src is None:
            self._src = open(self.source, "rb", buffering=0)
        self.fh.flush()  # what was written goes first; the copy moves the descriptor past it
        copy_range(self._src.fileno(), self.fh.fileno(), offset, length)


class AtomicWriter:
    """A text file written beside its target and renamed over it on commit;
    abandoned (removed) on any error, so the target is always whole."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable  # flushed to the disk before the rename (see write_atomic)
        fd, self.tmp = _open_temp(self.path)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def commit(self) -> None:
        if self.fh.closed:  # committed already
            return
        self.fh.flush()
        if self.durable:
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


# ---------------------------------------------------------------------- the last build

def _state_file() -> Path:
    """Where ``kg build`` notes the folder it built last (the user's state directory)."""
    home = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(home) / "fazhi-kg" / "last-build"


def note_last_build(folder: Path) -> None:
    """Remember ``folder`` as the one the query commands answer from by default."""
    try:
        write_atomic(_state_file(), str(Path(folder).resolve()) + "\n", durable=False)
    except OSError:
        pass  # a read-only home: the query commands fall back to outputs/


def last_build() -> Path | None:
    """The folder ``kg build`` built last, if it is still a build folder."""
    try:
        folder = Path(_state_file().read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return folder if (folder / MANIFEST).exists() else None


# ---------------------------------------------------------------------- generations

# A build folder holds generations: each build writes a new one beside the current and, when
# it is whole, flips the one ``current`` link to it. Every output name at the top is a link
# through ``current``, so a reader (or a SIGKILL at any instant) sees one whole generation.
BUILD_MARK = ".fzkg-build"  # in every build folder: an input walk never reads one as reports
LOCK = ".lock"  # held (flock) by the build writing the folder; holds its pid
BUILDING = ".building"  # present while a build runs: a build that finds it sweeps what a killed one left
CURRENT = "current"
GENERATIONS = ".generations"
TOP = (*GRAPH_FILES, MANIFEST, STORE, TEXTS, *PAGE_FILES)  # the names linked at the top


class FolderBusy(Exception):
    """Another build holds the folder's lock."""


class BuildFolder:
    """A build folder: its lock, its generations and the ``current`` link the readers follow."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()  # compared with the resolved ``current``: a relative root never matches
        self._lock_fh = None
        self._sweeper: threading.Thread | None = None

    @property
    def generations(self) -> Path:
        return self.root / GENERATIONS

    def current(self) -> Path | None:
        """The generation the folder shows now (the folder itself for one an older kg wrote)."""
        link = self.root / CURRENT
        if link.is_symlink():
            target = link.resolve()
            return target if target.is_dir() else None
        return self.root if (self.root / MANIFEST).is_file() else None

    def lock(self) -> None:
        """Take the folder for this build, or FolderBusy naming the build that has it."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / LOCK, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            raise FolderBusy(f"{self.root}: another build (pid {holder}) is writing this folder") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._lock_fh = fh
        (self.root / BUILD_MARK).touch()

    def unlock(self) -> None:
        if self._sweeper is not None:
            self._sweeper.join()
            self._sweeper = None
        if self._lock_fh is not None:
            self._lock_fh.close()  # closing releases the flock
            self._lock_fh = None

    def begin(self) -> tuple[Path, bool]:
        """A new, empty generation to write; and whether the last build was killed (its
        ``BUILDING`` mark is still there), so the caller sweeps what it left."""
        killed = (self.root / BUILDING).exists()
        (self.root / BUILDING).touch()
        self.sweep()
        self.generations.mkdir(exist_ok=True)
        numbers = [int(p.name) for p in self.generations.iterdir() if p.name.isdigit()]
        gen = self.generations / str(max(numbers, default=0) + 1)
        gen.mkdir()
        return gen, killed

    def keep(self, gen: Path, names) -> None:
        """Link files of the current generation into ``gen`` unchanged (they stand as they were)."""
        current = self.current()
        for name in names:
            if current is not None and (current / name).is_file():
                os.link(current / name, gen / name)

    def publish(self, gen: Path) -> None:
        """Make ``gen`` the folder's content at once: flip ``current``; link the top names through it."""
        if (self.root / CURRENT).is_symlink() is False and self.current() == self.root:
            self._adopt_legacy()
        tmp = self.root / f".{CURRENT}.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(gen, self.root), tmp)
        os.replace(tmp, self.root / CURRENT)  # the one atomic step
        for name in TOP:
            top = self.root / name
            if os.path.islink(top) and os.readlink(top) == os.path.join(CURRENT, name):
                continue
            if top.is_dir() and not top.is_symlink():
                continue  # an older kg's folder, moved aside by _adopt_legacy
            link = self.root / f".{name}.{os.getpid()}.link"
            link.unlink(missing_ok=True)
            os.symlink(os.path.join(CURRENT, name), link)
            os.replace(link, top)

    def _adopt_legacy(self) -> None:
        """An older kg's folder (outputs at the top): its store and texts move into a generation
        of their own, so the top names can become links."""
        self.generations.mkdir(exist_ok=True)
        legacy = self.generations / "0"
        legacy.mkdir(exist_ok=True)
        for name in (STORE, TEXTS):
            if (self.root / name).is_dir() and not (self.root / name).is_symlink():
                os.replace(self.root / name, legacy / name)

    def discard(self, gen: Path) -> None:
        """A generation that will never be current (the build failed or was stopped)."""
        shutil.rmtree(gen, ignore_errors=True)

    def finish(self) -> None:
        (self.root / BUILDING).unlink(missing_ok=True)

    def sweep(self) -> None:
        """Remove the generations other than the current one (a reader of the one before had a
        build's time to finish) and the temporary files killed builds left at the top.

        A generation is thousands of files: they are moved aside at once and deleted in a
        thread while the build goes on (``unlock`` waits for it)."""
        current = self.current()
        stale = []
        if self.generations.is_dir():
            for i, gen in enumerate(sorted(self.generations.iterdir())):
                if gen == current:
                    continue
                if gen.name.isdigit():
                    aside = self.generations / f".swept-{os.getpid()}-{i}"
                    gen.rename(aside)
                    gen = aside
                stale.append(gen)
        if stale:
            self._sweeper = threading.Thread(target=lambda: [shutil.rmtree(d, ignore_errors=True) for d in stale],
                                             name="generation-sweeper", daemon=True)
            self._sweeper.start()
        for stray in self.root.glob(".*.tmp"):
            stray.unlink(missing_ok=True)
        for stray in self.root.glob(".*.link"):
            stray.unlink(missing_ok=True)
