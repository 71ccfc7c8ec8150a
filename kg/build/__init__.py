"""Wire the stages for one build: readers -> extract -> resolve -> graph -> store, pages.

Reports are read, extracted and rendered to triples independently, in a
process pool (``worker``), each result cached on disk by content hash and
file name (``cache``); the parent keeps only small summaries (labels and
kinds, the body) and loads each report's triples into the store while the
pool works on the next ones (``store``). Then every concept gets its one
kind, the concepts and places complete the store, and the graph files are
streamed from the cache beside the pages (``graphfiles``), so memory grows
with the number of distinct concepts and bodies, not with the corpus. A file
that cannot be read costs that file only. A re-run builds on the previous
store: only the reports that changed are loaded or deleted, and unchanged
pages are kept.

Outputs in the build folder (``kg.layout``), each written atomically:
graph.ttl, graph.nt, manifest.json, texts/<report>.txt, store/ (Oxigraph),
network.html, summary.html, towns.csv, graph.graphml.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .. import graph as G
from ..extract import Lexicon
from ..layout import (CACHE, GRAPH_FILES, MANIFEST, PAGE_FILES, STORE, TEXTS, AtomicWriter, BuildFolder, Span,
                      write_atomic)
from ..model import Extraction
from ..pages.memo import MEMO, PagesMemo
from ..readers import DEFAULT_MAX_BYTES, ReadLimits, find_inputs
from ..resolve import resolve_concepts
from .cache import SECTIONS, Cache, fingerprint, prune, vocabulary_digest
from .graphfiles import KeptFile, write_head, write_tail
from .records import BuildResult, Record, Summary, manifest, mark_duplicates
from .store import StoreLoader
from .worker import Worker, run_all

__all__ = ["BuildResult", "Record", "build", "read_and_extract"]

_EVIDENCE = SECTIONS.index("evidence")


def read_and_extract(inputs: Sequence[str | Path], *, vocab: Sequence[str | Path] = (),
                     on_error: Callable[[Record], None] = lambda r: None,
                     limits: ReadLimits = ReadLimits()) -> tuple[Lexicon, list[Extraction], list[Record], list[Path]]:
    """Read and extract in this process, writing nothing: (lexicon, extractions, failed records, skipped)."""
    lexicon = Lexicon.load(vocab)
    files, skipped, unreadable = find_inputs(inputs)
    worker = Worker(vocab, None, limits, lexicon)
    extractions, failed = [], []  # nothing cached, nothing rendered: just the extractions
    for path, why in unreadable:
        failed.append(Record(str(path), "failed", reason=why))
        on_error(failed[-1])
    for path in files:
        summary, ex = worker.run(path)
        if ex is None:
            failed.append(summary.record)
            on_error(summary.record)
        else:
            extractions.append(ex)
    return lexicon, extractions, failed, [p for p, _ in skipped]


def build(inputs: Sequence[str | Path], out_dir: str | Path, *, vocab: Sequence[str | Path] = (),
          jobs: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES, limits: ReadLimits | None = None,
          on_error: Callable[[Record], None] = lambda r: None,
          progress: Callable[[Iterable, int], Iterable] | None = None,
          pages: bool = True, store: bool = True, rebuild: bool = False) -> BuildResult:
    """Build a graph, its store and its pages in ``out_dir`` from report files and folders.

    Extractions are cached in ``out_dir/cache`` (the graph is streamed from
    there too); ``rebuild`` empties the cache first.
    """
    started = clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    out = Path(out_dir)
    folder = BuildFolder(out)
    folder.lock()  # FolderBusy: another build is writing this folder
    try:
        limits = limits or ReadLimits(max_bytes=max_bytes)
        return _build(folder, inputs, vocab, jobs, limits, on_error, progress, pages, store, rebuild,
                      timings, lap, started)
    finally:
        folder.unlock()


def _build(folder: BuildFolder, inputs, vocab, jobs, limits, on_error, progress, pages, store, rebuild,
           timings, lap, started) -> BuildResult:
    """One build, the folder locked: into a new generation, made current only when whole."""
    out = folder.root
    files, unknown, unreadable = find_inputs(inputs, exclude=[out])
    lexicon = Lexicon.load(vocab)
    gen, killed = folder.begin()
    cache = Cache(out / CACHE, fingerprint(), vocabulary_digest(lexicon.entries))
    cleaner = prune(cache.root.parent, keep="" if rebuild else cache.root.name, sweep=killed)
    cache.remember(lexicon.entries)
    (gen / TEXTS).mkdir()
    previous = out / TEXTS if (out / TEXTS).is_dir() else None
    worker = Worker(vocab, cache, limits, lexicon, texts=gen / TEXTS, previous=previous)
    lap("load vocabulary")
    # fold each report's votes into the batch's tallies as it arrives, so what the parent keeps
    # per report is a few fields, not its mentions
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    shared: dict[str, str] = {}  # one string object per label, however many reports name it
    summaries = []
    # the reports' triples go to the store as they come, loaded in a thread beside the extraction
    loader = StoreLoader(out, gen, cache.root.name, cache.vocabulary, reuse=not rebuild,
                         pages=_drawing_code() if pages else None) if store else None
    try:
        for s in run_all(files, worker, jobs, progress, started=_import_drawing if pages else lambda: None):
            if s.record.status == "ok" and s.record.sha256 not in seen:  # a duplicate's votes are its twin's
                seen.add(s.record.sha256)
                for label, kind in s.votes:
                    tally[label][kind] += 1
                for label, surface in s.aliases:
                    forms[label].add(surface)
                if loader:
                    loader.add(s.record.report, s.block, s.blocks, s.retired)
            s.labels = frozenset(shared.setdefault(label, label) for label, _ in s.votes)
            s.mentions, s.votes, s.aliases, s.retired = len(s.votes), [], [], None
            summaries.append(s)
        lap("extract")
        records = ([s.record for s in summaries] + [Record(str(p), "skipped", reason=why) for p, why in unknown]
                   + [Record(str(p), "failed", reason=why) for p, why in unreadable])
        mark_duplicates(summaries)
        cache.forget_vocabularies({s.vocabulary for s in summaries})
        for r in records:
            if r.status in ("failed", "skipped", "duplicate") or r.warning:
                on_error(r)
        good = sorted((s for s in summaries if s.record.status == "ok"), key=lambda s: s.record.report or "")
        concepts = resolve_concepts(tally, forms, lexicon)
        del tally, forms
        result = BuildResult(sorted(records, key=lambda r: r.path), concepts, timings=timings)
        lap("resolve")
        result.reports = len(good)
        result.mentions = sum(s.mentions for s in good)
        result.bytes_read = sum(s.size for s in good)
        if loader and loader.graph_current():
            # the same reports as the previous build, so the same concepts and places: its graph
            # files and the store's head stand
            folder.keep(gen, GRAPH_FILES)
            ttl = nt = KeptFile()
            loader.keep_head()
            loader.finish()
            result.triples = loader.triples
        else:
            ttl, nt = write_head(gen, good, concepts, lexicon, result, loader)
            if loader:
                loader.triples = result.triples
    except BaseException:
        if loader:
            loader.abandon()
        folder.discard(gen)
        raise
    lap("graph and store")
    if loader and loader.reused:
        result.store_update = (loader.added, loader.removed)
    # the pages are a function of the store and the code that draws them: if neither changed, keep them
    draw = pages and not (loader and loader.pages_current)
    if pages and not draw:
        folder.keep(gen, (*PAGE_FILES, MEMO))
    # The pages need only the store and the cached evidence: the graph files are finished and
    # the store compacted beside them. The generation is made current when all are whole; a
    # failure or Ctrl-C before that leaves the previous one as it was.
    cancel = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        tail = pool.submit(write_tail, ttl, nt, good, cancel)
        compacted = pool.submit(loader.optimize) if loader else None
        try:
            if draw:
                if loader is None:  # the pages read the graph file: it must be whole first
                    tail.result()
                    ttl.commit()
                    nt.commit()
                evidence = {s.record.report: s.blocks[_EVIDENCE] for s in good if s.record.report}
                # the pages before, and what the pass made of each body then, save folding
                # again the bodies whose reports and concepts did not change
                memo = PagesMemo(loader.pages if loader else _drawing_code(),
                                 {s.record.report: s.block for s in good if s.record.report},
                                 None if rebuild else folder.current())
                _write_pages(gen, evidence, loader.store if loader else None, memo)
                result.pages_update = (memo.total - len(memo.kept), memo.total)
        except BaseException:
            cancel.set()
            raise
        finally:
            _settle(folder, gen, ttl, nt, tail, loader, compacted, result, cancel)
    cleaner.join()
    lap("pages, graph files, compaction" if pages else "graph files, compaction")
    result.seconds = time.perf_counter() - started
    return result


def _settle(folder: BuildFolder, gen: Path, ttl: AtomicWriter, nt: AtomicWriter, tail: Future,
            loader: StoreLoader | None, compacted: Future | None, result: BuildResult,
            cancel: threading.Event) -> None:
    """Wait for the graph files and the store, write the manifest, then make the generation
    current; if anything failed or the build was cancelled, discard it (the previous stays)."""
    try:
        tail.result()
        if compacted:
            result.compacted = compacted.result()
        if cancel.is_set():
            raise _Cancelled
        ttl.commit()
        nt.commit()
        if loader:
            loader.commit()
        write_atomic(gen / MANIFEST, json.dumps(manifest(result), ensure_ascii=False, indent=1) + "\n")
        folder.publish(gen)
        folder.finish()
    except BaseException as exc:
        cancel.set()
        ttl.abandon()
        nt.abandon()
        if loader:
            if compacted:
                wait([compacted])  # never delete a store RocksDB is still compacting
            loader.abandon()
        folder.discard(gen)
        if not isinstance(exc, _Cancelled):
            raise
        return
    result.outputs += [folder.root / name for name in (*GRAPH_FILES, MANIFEST, STORE, *PAGE_FILES)
                       if (gen / name).exists()]


class _Cancelled(Exception):
    """The build stopped before its outputs were swapped in."""


def _import_drawing() -> None:
    """Import what draws the pages (pyvis, which imports IPython, and jinja2: a third of a
    second) in a thread while the workers extract, not on the way to the pages."""
    def run() -> None:
        try:
            from ..pages import network, summary  # noqa: F401
        except Exception:  # noqa: BLE001 - the pages import them again, and say what is wrong
            pass

    threading.Thread(target=run, name="import-drawing", daemon=True).start()


def _drawing_code() -> str:
    """A hash of what the pages are drawn with: the package's files and the libraries' versions."""
    from importlib import metadata, resources

    h = hashlib.sha256(" ".join(metadata.version(d) for d in ("pyvis", "jinja2")).encode())
    package = resources.files("kg")
    for path in sorted(Path(str(package)).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(str(package)).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _write_pages(gen: Path, evidence: dict[str, Span], store=None, memo=None) -> None:
    """The network page, the printable summary, a spreadsheet and a Gephi file, into the
    generation: the store (else its graph file) answers the whole-graph questions, each
    report's cached evidence the per-mention ones."""
    from ..pages import EvidenceFiles, as_source, write_pages
    from ..query import GraphStore

    graph = GraphStore(store) if store is not None else GraphStore.open(gen)
    write_pages(EvidenceFiles(as_source(graph), evidence), gen, memo=memo)

