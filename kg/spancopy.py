"""Append spans of files to files, as a child process: ``python -m kg.spancopy OUT...``.

The build copies every report's Turtle and N-Triples blocks from its cache
entry to graph.ttl and graph.nt while the pages are drawn. In a thread, each
of those tens of thousands of small reads would wait for the GIL the pages'
Python holds; in a process of its own the copying runs beside them.

Standard input: one JSON line per source file, ``[path, [[out, offset,
length], ...]]``, ``out`` an index into the arguments. Each output is
appended to, in the order the lines give. Exit status 0 when all was copied.
"""

from __future__ import annotations

import json
import os
import sys
from typing import BinaryIO, Iterable

from .layout import copy_range


def copy_spans(lines: Iterable[str], outs: list[BinaryIO]) -> None:
    for line in lines:
        path, spans = json.loads(line)
        with open(path, "rb", buffering=0) as src:
            for out, offset, length in spans:
                copy_range(src.fileno(), outs[out].fileno(), offset, length)


def main() -> int:
    outs = [open(path, "r+b", buffering=0) for path in sys.argv[1:]]
    for fh in outs:
        fh.seek(0, os.SEEK_END)
    try:
        copy_spans(sys.stdin, outs)
    except (OSError, ValueError) as exc:
        print(f"spancopy: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
