#!/usr/bin/env python3
"""Build the annotated dev sets and print score.py's table for each.

Usage: python benchmarks/quality.py [--shared ../shared] [--verbose]

Needs ../shared (the gold files and texts); prints a message and exits 0
where it is absent, so a clone of the project alone still runs it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.build import build

ROOT = Path(__file__).resolve().parent.parent
SETS = (("seeds", "seeds", "seeds.jsonl"), ("dev", "corpus/dev", "dev.jsonl"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--verbose", action="store_true", help="list misses and false positives")
    args = ap.parse_args(argv)
    score = args.shared / "gold" / "score.py"
    if not score.is_file():
        print(f"skipped: {score} not found (the annotated sets live in ../shared)")
        return 0
    for name, texts, gold in SETS:
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            result = build([args.shared / texts], out, pages=False)
            seconds = time.perf_counter() - t
            print(f"== {name}: {result.reports} reports built in {seconds:.1f} s")
            cmd = [sys.executable, str(score), "--gold", str(args.shared / "gold" / gold), "--graph", f"{out}/graph.ttl"]
            if args.verbose:
                cmd.append("--verbose")
            sys.stdout.flush()
            subprocess.run(cmd, check=True)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
