#!/usr/bin/env python3
"""Build synthetic corpora of growing size and measure the build and the queries.

Usage: python benchmarks/scale.py [--sizes 1000 10000 50000] [--work /tmp/fzkg-scale] [--jobs N]

For each size: generates the corpus with benchmarks/synth.py (kept between
runs), runs `kg build` in a subprocess, and prints one table row: build
seconds, MB/s, peak RSS of the whole process tree, triples, store size, the
median latency of "which towns use X" (the whole `kg towns` command, process
start included, and the query alone, for a popular and a rare X) and of a
GROUP BY "towns per mechanism", next to `jieba.lcut` throughput on the same text measured in
the same run (one core, the baseline the issue compares with). Then two
re-runs on the same folder: with nothing changed, and with 1% more reports
(a separate synthetic batch, kept beside the corpus).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOWNS_PER_MECHANISM = """
SELECT ?mechanism ?towns WHERE {
  { SELECT ?m (COUNT(?town) AS ?towns) WHERE { ?town fz:usesMechanism ?m } GROUP BY ?m }
  ?m skos:prefLabel ?mechanism }
ORDER BY DESC(?towns) ?mechanism LIMIT 20"""
POPULAR = "三所联动"  # named in about a third of the synthetic reports
RARE = """SELECT ?label WHERE { { SELECT ?m (COUNT(?t) AS ?n) WHERE { ?t fz:usesMechanism ?m } GROUP BY ?m }
  FILTER(?n >= 3) ?m skos:prefLabel ?label } ORDER BY ?n ?label LIMIT 1"""


def _synth():
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, pages = int(fields[1]), int(fields[21])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run_build(corpus: Path | list[Path], out: Path, jobs: int | None) -> tuple[float, int, str]:
    """(seconds, peak RSS bytes of the tree, the build's summary line)."""
    inputs = [str(c) for c in (corpus if isinstance(corpus, list) else [corpus])]
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "build", *inputs, "--out", str(out)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"kg build failed ({proc.returncode}):\n{err}")
    return seconds, peak, err.strip().splitlines()[-1] if err.strip() else ""


def median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def jieba_mb_per_s(corpus: Path, limit_bytes: int = 30_000_000) -> float:
    """jieba.lcut over (up to ``limit_bytes`` of) the same reports, on one core."""
    import jieba

    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    tok.initialize()
    texts, size = [], 0
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        size += len(text.encode("utf-8"))
        if size >= limit_bytes:
            break
    start = time.perf_counter()
    for text in texts:
        tok.lcut(text)
    return size / 1e6 / (time.perf_counter() - start)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/fzkg-scale"))
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args(argv)
    from kg.query import GraphStore

    synth = _synth()
    header = ("reports", "MB", "build s", "MB/s", "jieba MB/s", "x jieba", "peak RSS MB", "triples", "store MB",
              "towns X cmd ms", "towns X query ms (towns)", "rare X query ms (towns)", "GROUP BY ms",
              "re-run s: unchanged", "re-run s: +1% reports")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for n in args.sizes:
        corpus = args.work / f"corpus-{n}"
        if not (corpus / "manifest.tsv").is_file():
            synth.generate(n, corpus)
        mb = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6
        out = args.work / f"build-{n}"
        shutil.rmtree(out, ignore_errors=True)  # a cold build, as a new user's first one
        seconds, peak, line = run_build(corpus, out, args.jobs)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        jieba_speed = jieba_mb_per_s(corpus)
        towns_cmd = [sys.executable, "-c", "from kg.cli import main; main()", "towns", POPULAR, "--graph", str(out)]
        cmd_ms = median_ms(lambda: subprocess.run(towns_cmd, capture_output=True, check=True))
        store = GraphStore.open(out)
        rare = store.query(RARE).rows[0][0]
        popular_ms = median_ms(lambda: store.towns(POPULAR))
        rare_ms = median_ms(lambda: store.towns(rare))
        group_ms = median_ms(lambda: store.query(TOWNS_PER_MECHANISM))
        n_popular, n_rare = len(store.towns(POPULAR).rows), len(store.towns(rare).rows)
        del store
        unchanged, _, _ = run_build(corpus, out, args.jobs)
        extra = args.work / f"extra-{n}"
        if not (extra / "manifest.tsv").is_file():
            synth.generate(max(1, n // 100), extra, seed=n + 1)
        grown, _, _ = run_build([corpus, extra], out, args.jobs)
        row = (n, f"{mb:.0f}", f"{seconds:.1f}", f"{mb / seconds:.2f}", f"{jieba_speed:.2f}",
               f"{mb / seconds / jieba_speed:.1f}", f"{peak / 1e6:.0f}", manifest["triples"],
               f"{dir_bytes(out / 'store') / 1e6:.0f}", f"{cmd_ms:.0f}", f"{popular_ms:.1f} ({n_popular})",
               f"{rare_ms:.1f} ({n_rare})", f"{group_ms:.0f}", f"{unchanged:.1f}", f"{grown:.1f}")
        print("| " + " | ".join(map(str, row)) + " |", flush=True)
        print(f"  ({line})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
