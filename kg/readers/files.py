"""Finding the input files and reading their bytes (with a size limit).

A folder is walked without following links out of the folders given (a link
to /etc/passwd is listed as skipped, never read), without entering a build
folder (the output folder of this or another build, which a build marks), and
with every folder it cannot open and every file that is no regular file (a
FIFO, a socket) reported, never waited on or passed over in silence.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from ..layout import BUILD_MARK
from .base import SUFFIXES

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def find_inputs(paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()
                ) -> tuple[list[Path], list[tuple[Path, str]], list[tuple[Path, str]]]:
    """(files to read, files skipped with why, paths that failed with why).

    Folders are walked recursively, skipping dot-named files and folders,
    build folders and the folders in ``exclude`` (the build's own output);
    files named explicitly are taken as given, links included. The lists
    are sorted by path and free of duplicates. A path that does not exist
    raises ``InputError(path, 'no such file or directory')``.
    """
    found: set[Path] = set()
    skipped: dict[Path, str] = {}
    failed: dict[Path, str] = {}
    roots = [Path(p) for p in paths]
    for raw in roots:
        if not raw.exists():  # also a dangling symlink
            raise InputError(str(raw), "no such file or directory")
    inside = [Path(os.path.realpath(p)) for p in roots if p.is_dir()]
    excluded = {Path(os.path.realpath(p)) for p in exclude}

    def consider(p: Path, named: bool) -> None:
        try:
            st = os.stat(p)  # follows a link: what it points at
        except OSError as exc:
            failed[p] = f"cannot read: {(exc.strerror or type(exc).__name__).lower()}"
            return
        if not stat.S_ISREG(st.st_mode):
            kind = "a fifo" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else \
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a folder"
            failed[p] = f"not a regular file ({kind})"
        elif not named and p.is_symlink() and not _within(Path(os.path.realpath(p)), inside):
            skipped[p] = "a link to a file outside the input folders"
        elif p.suffix.lower() in SUFFIXES:
            found.add(p)
        else:
            skipped[p] = "unknown file type"

    for root in roots:
        if not root.is_dir():
            consider(root, named=True)
            continue

        def unreadable(exc: OSError) -> None:
            failed[Path(exc.filename)] = f"cannot read folder: {(exc.strerror or 'error').lower()}"

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            here = Path(dirpath)
            keep = []
            for d in sorted(dirnames):
                child = here / d
                if d.startswith("."):
                    continue
                if child.is_symlink():
                    skipped[child] = "a link to a folder (not followed)"
                elif Path(os.path.realpath(child)) in excluded or (child / BUILD_MARK).exists():
                    skipped[child] = "a build folder (not read as reports)"
                else:
                    keep.append(d)
            dirnames[:] = keep
            for name in filenames:
                if not name.startswith("."):
                    consider(here / name, named=False)
    return sorted(found), sorted(skipped.items()), sorted(failed.items())


def _no_wait(path: str, flags: int) -> int:
    """Open without blocking: a FIFO that appeared since the walk opens at once instead of
    waiting for a writer (and is then refused as no regular file)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _within(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, or InputError for a missing, unreadable, irregular or too large file."""
    where = str(path)
    try:
        with open(path, "rb", opener=_no_wait) as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError(where, "not a regular file")
            if st.st_size > max_bytes:
                raise InputError(where, f"too large: {st.st_size} bytes > limit {max_bytes} (--max-bytes)")
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(where, "cannot read: permission denied") from None
    except IsADirectoryError:
        raise InputError(where, "cannot read: is a directory") from None
    except FileNotFoundError:
        raise InputError(where, "no such file or directory") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise InputError(where, f"cannot read: {reason}") from None
    if len(data) > max_bytes:  # grew while we read it
        raise InputError(where, f"too large: {len(data)} bytes > limit {max_bytes} (--max-bytes)")
    return data
