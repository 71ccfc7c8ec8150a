#!/usr/bin/env python3
"""Measure the build against its yardsticks, and the queries, at growing sizes in one run.

Usage: python benchmarks/scale.py [--sizes 10000 50000] [--work /tmp/fzkg-scale] [--jobs N]

For each size: generates the corpus with benchmarks/synth.py (kept between
runs) and prints, as a table with one column per size:

- ``jieba.lcut`` over the corpus text on one core (timed on the first
  --jieba-mb MB, scaled to the whole: its speed does not depend on size);
- Oxigraph's own ``bulk_load`` of the build's graph.nt into an empty store;
- a cold ``kg build`` (all cores), its ratios to both, and its peak RSS
  (the whole process tree, sampled from /proc);
- re-runs on the same folder: nothing changed; a vocabulary edit that adds
  one concept (--vocab); one that adds an altLabel to a bundled concept; and
  1% more reports -- each with how many reports it loaded again and its ratio
  to the cold build;
- "which towns use X": the whole ``kg towns`` command (process start
  included) and the query alone for a popular and a rare X, and a GROUP BY.

The two edits name phrases the synthetic reports hold (they are made from
examples/reports): 社区调解工作室, a concept the vocabulary lacks, and
贵和工作室, a named mediation studio, as an altLabel of 个人调解工作室.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
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


def run_build(corpus: Path | list[Path], out: Path, jobs: int | None, vocab: list[Path] = ()) -> tuple[float, int, str]:
    """(seconds, peak RSS bytes of the tree, the build's summary line)."""
    inputs = [str(c) for c in (corpus if isinstance(corpus, list) else [corpus])]
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "build", *inputs, "--out", str(out)]
    for path in vocab:
        cmd += ["--vocab", str(path)]
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


EDITS = {  # name -> a SKOS file's body, each edit on top of the ones before
    "concept added": '<https://w3id.org/fzkg/id/concept/社区调解工作室> a skos:Concept , fz:Institution ;'
                     ' skos:prefLabel "社区调解工作室"@zh .',
    "altLabel added": '<https://w3id.org/fzkg/id/concept/个人调解工作室> skos:altLabel "贵和工作室"@zh .',
}
PREFIXES = ("@prefix fz: <https://w3id.org/fzkg/ontology#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")


def median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def jieba_seconds(corpus: Path, sample_bytes: int) -> tuple[float, float]:
    """(seconds jieba.lcut takes over the whole corpus on one core, MB it was timed on)."""
    import jieba

    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    tok.initialize()
    texts, size, total = [], 0, 0
    for path in sorted(corpus.rglob("*.txt")):
        n = path.stat().st_size
        total += n
        if size < sample_bytes:
            texts.append(path.read_text(encoding="utf-8"))
            size += n
    start = time.perf_counter()
    for text in texts:
        tok.lcut(text)
    return (time.perf_counter() - start) * total / size, size / 1e6


def bulk_load_seconds(graph_nt: Path, work: Path) -> float:
    """Oxigraph's own bulk load of a build's triples into an empty store."""
    import pyoxigraph as ox

    target = work / "bulk-load"
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    store = ox.Store(str(target))
    store.bulk_load(path=str(graph_nt), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    seconds = time.perf_counter() - start
    del store
    shutil.rmtree(target, ignore_errors=True)
    return seconds


def _reloaded(line: str) -> str:
    """How many reports a re-run loaded again and how many bodies it folded, from its summary line."""
    m = re.search(r"store updated, (\d+) reports loaded", line)
    pages = re.search(r"pages: (\d+) of (\d+) bodies folded again", line)
    return (f"{m.group(1) if m else 'all'} reports loaded again, "
            + (f"{int(pages.group(1)):,} of {int(pages.group(2)):,} bodies folded" if pages else "all bodies folded"))


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(n: int, args, synth) -> dict[str, str]:
    from kg.query import GraphStore

    corpus = args.work / f"corpus-{n}"
    if not (corpus / "manifest.tsv").is_file():
        synth.generate(n, corpus)
    mb = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6
    out = args.work / f"build-{n}"
    shutil.rmtree(out, ignore_errors=True)  # a cold build, as a new user's first one
    cold, peak, line = run_build(corpus, out, args.jobs)
    print(f"  {n}: {line}", file=sys.stderr, flush=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    jieba_s, sample_mb = jieba_seconds(corpus, args.jieba_mb << 20)
    load_s = bulk_load_seconds((out / "graph.nt").resolve(), args.work)
    row = {"MB of text": f"{mb:.0f}", "jieba.lcut, one core (s)": f"{jieba_s:.1f} (timed on {sample_mb:.0f} MB)",
           "Oxigraph bulk_load of graph.nt (s)": f"{load_s:.1f}", "cold kg build (s)": f"{cold:.1f}",
           "cold build / jieba (x faster)": f"{jieba_s / cold:.2f}", "cold build / bulk load": f"{cold / load_s:.2f}",
           "peak RSS, cold (MB)": f"{peak / 1e6:.0f}", "triples": str(manifest["triples"]),
           "store (MB)": f"{dir_bytes(out / 'store') / 1e6:.0f}"}
    towns_cmd = [sys.executable, "-c", "from kg.cli import main; main()", "towns", POPULAR, "--graph", str(out)]
    row["kg towns X, whole command (ms)"] = f"{median_ms(lambda: subprocess.run(towns_cmd, capture_output=True, check=True)):.0f}"
    store = GraphStore.open(out)
    rare = store.query(RARE).rows[0][0]
    for label, x in (("popular", POPULAR), ("rare", rare)):
        towns = len(store.towns(x).rows)
        row[f"towns query, {label} X (ms)"] = f"{median_ms(lambda: store.towns(x)):.1f} ({towns} towns)"
    row["GROUP BY towns per mechanism (ms)"] = f"{median_ms(lambda: store.query(TOWNS_PER_MECHANISM)):.0f}"
    del store
    seconds, _, _ = run_build(corpus, out, args.jobs)
    row["re-run, nothing changed (s)"] = f"{seconds:.1f} ({seconds / cold:.2f} of cold)"
    vocab: list[Path] = []
    for name, body in EDITS.items():
        path = args.work / f"edit-{len(vocab)}.ttl"
        path.write_text(PREFIXES + body + "\n", encoding="utf-8")
        vocab.append(path)
        seconds, rss, line = run_build(corpus, out, args.jobs, vocab)
        row[f"vocabulary edit, {name} (s)"] = (f"{seconds:.1f} ({seconds / cold:.2f} of cold;"
                                                f" {_reloaded(line)})")
        row[f"peak RSS, {name} (MB)"] = f"{rss / 1e6:.0f}"
    extra = args.work / f"extra-{n}"
    if not (extra / "manifest.tsv").is_file():
        synth.generate(max(1, n // 100), extra, seed=n + 1)
    seconds, _, line = run_build([corpus, extra], out, args.jobs, vocab)
    row["re-run, 1% more reports (s)"] = f"{seconds:.1f} ({seconds / cold:.2f} of cold; {_reloaded(line)})"
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/fzkg-scale"))
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--jieba-mb", type=int, default=40, help="MB of text jieba is timed on")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    synth = _synth()
    rows = {n: measure(n, args, synth) for n in args.sizes}
    print(f"| {os.cpu_count()} cores | " + " | ".join(f"{n:,} reports" for n in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for metric in rows[args.sizes[0]]:
        print(f"| {metric} | " + " | ".join(rows[n][metric] for n in args.sizes) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
