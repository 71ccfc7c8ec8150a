"""Finding the input files and reading their bytes (with a size limit)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from .base import SUFFIXES

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def find_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """(files to read, files skipped for an unknown extension).

    Folders are walked recursively, skipping dot-named files and folders;
    files named explicitly are taken as given. Both lists are sorted by path
    and free of duplicates. A path that does not exist raises
    ``InputError(path, 'no such file or directory')``.
    """
    found: set[Path] = set()
    skipped: set[Path] = set()

    def consider(p: Path) -> None:
        if p.suffix.lower() in SUFFIXES and not p.is_dir():
            found.add(p)
        else:
            skipped.add(p)

    for raw in paths:
        p = Path(raw)
        if not p.exists():  # also a dangling symlink
            raise InputError(str(raw), "no such file or directory")
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in filenames:
                    if name.startswith("."):
                        continue
                    child = Path(dirpath) / name
                    if child.is_file():  # not fifos, sockets or dangling links
                        consider(child)
        else:
            consider(p)
    return sorted(found), sorted(skipped)



def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, or InputError for a missing, unreadable or too large file."""
    where = str(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise InputError(where, f"too large: {size} bytes > limit {max_bytes}")
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
        raise InputError(where, f"too large: {len(data)} bytes > limit {max_bytes}")
    return data

