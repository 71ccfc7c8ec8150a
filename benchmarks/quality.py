#!/usr/bin/env python3
"""Build the annotated reports and score them: the seeds, the whole dev set, and the dev set
cut into a part to tune on and a part held out, in three rotations.

Usage: python benchmarks/quality.py [--shared ../shared] [--verbose] [--rotations 0 1 2]

A rule that helps the tuning part and not the held-out part fits the files it
was written against: the held-out figures are the ones to trust. Rotation r
holds out the dev reports whose position in id order is r or r+3 modulo 7
(25 of 85); each part is built on its own, so "which towns use X" counts
only that part's towns.

Needs ../shared (the gold files and texts); prints a message and exits 0
where it is absent, so a clone of the project alone still runs it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.build import build

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("institution", "mechanism", "programme", "law", "role")


def held_out(ids: list[str], rotation: int) -> set[str]:
    """The dev ids rotation ``rotation`` keeps out of tuning."""
    return {i for k, i in enumerate(sorted(ids)) if k % 7 in (rotation, rotation + 3)}


def score(shared: Path, gold: list[dict], files: list[Path], verbose: bool = False) -> dict:
    """Build ``files`` and score them against ``gold`` with ../shared/gold/score.py."""
    with tempfile.TemporaryDirectory() as work:
        gold_file = Path(work) / "gold.jsonl"
        gold_file.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in gold), encoding="utf-8")
        build(files, Path(work) / "out", pages=False)
        cmd = [sys.executable, str(shared / "gold" / "score.py"), "--gold", str(gold_file),
               "--graph", str(Path(work) / "out" / "graph.ttl")]
        if verbose:
            subprocess.run(cmd + ["--verbose"], check=True)
        return json.loads(subprocess.run(cmd + ["--json"], capture_output=True, text=True, check=True).stdout)


def row(name: str, s: dict) -> str:
    kinds = "  ".join(f"{s['per_kind'][k]['f1']:.3f}" for k in KINDS)
    m, t = s["micro"], s["town_query"]
    return (f"{name:<22}{s['reports']:>4}  {m['p']:.3f} {m['r']:.3f} {m['f1']:.3f}  {kinds}  "
            f"{t['p']:.3f} {t['r']:.3f}  {s['issuer_name_acc']:.3f} {s['issuer_level_acc']:.3f} "
            f"{s['county_acc'] if s['county_acc'] is not None else '-'}")


HEADER = (f"{'set':<22}{'n':>4}  micro P/R/F1       " + "  ".join(f"{k[:5]:<5}" for k in KINDS)
          + "  towns P/R    issuer name/level/county")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--verbose", action="store_true", help="list misses and false positives of the whole dev set")
    ap.add_argument("--rotations", type=int, nargs="*", default=[0, 1, 2], choices=range(4))
    args = ap.parse_args(argv)
    gold_dir = args.shared / "gold"
    if not (gold_dir / "score.py").is_file():
        print(f"skipped: {gold_dir / 'score.py'} not found (the annotated sets live in ../shared)")
        return 0
    seeds = [json.loads(line) for line in (gold_dir / "seeds.jsonl").read_text(encoding="utf-8").splitlines() if line]
    dev = [json.loads(line) for line in (gold_dir / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    texts = args.shared / "corpus" / "dev"
    started = time.perf_counter()
    print(HEADER)
    print(row("seeds", score(args.shared, seeds, [args.shared / "seeds"])), flush=True)
    print(row("dev (all)", score(args.shared, dev, [texts], args.verbose)), flush=True)
    for r in args.rotations:
        out = held_out([d["id"] for d in dev], r)
        for name, part in ((f"rotation {r}: tune", [d for d in dev if d["id"] not in out]),
                           (f"rotation {r}: held out", [d for d in dev if d["id"] in out])):
            print(row(name, score(args.shared, part, [texts / d["file"] for d in part])), flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
