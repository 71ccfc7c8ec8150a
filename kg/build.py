"""Wire the stages for one build: ingest -> extract -> resolve -> graph -> store, pages.

Reports are read and extracted independently, in a process pool, each
result cached on disk by content hash; the parent keeps only small summaries
(labels and kinds, the issuer). Then every concept gets its one kind, and the
graph streams to disk report by report, so memory grows with the number of
distinct concepts and bodies, not with the corpus. A file that cannot be read
costs that file only.

Outputs in the build folder, each written atomically:
graph.ttl, graph.nt, manifest.json, texts/<report>.txt, store/ (Oxigraph),
network.html, summary.html, towns.csv, graph.graphml.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import graph as G
from .cache import Cache, fingerprint
from .errors import InputError
from .extract import Extractor
from .ingest import DEFAULT_MAX_BYTES, SUFFIXES, find_inputs, parse_document, read_bytes
from .lexicon import Lexicon
from .model import KINDS, Extraction, Issuer
from .resolve import Concept, resolve_concepts


@dataclass
class Record:
    """One input, as the manifest lists it."""

    path: str
    status: str  # ok | failed | skipped | duplicate
    sha256: str | None = None
    format: str | None = None
    encoding: str | None = None
    reason: str | None = None
    report: str | None = None  # the report's IRI
    cached: bool = False


@dataclass
class Summary:
    """What the parent keeps of one extracted report."""

    record: Record
    source: str = ""
    issuer: Issuer = field(default_factory=lambda: Issuer(None))
    votes: list[tuple[str, str]] = field(default_factory=list)  # (label, kind), one per mention
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (label, surface form)
    chars: int = 0


@dataclass
class BuildResult:
    """What a build read, made and wrote."""

    records: list[Record]
    concepts: dict[str, Concept]
    reports: int = 0
    mentions: int = 0
    triples: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[Record]:
        return [r for r in self.records if r.status == "failed"]

    @property
    def skipped(self) -> list[Record]:
        return [r for r in self.records if r.status == "skipped"]


# ---------------------------------------------------------------------- the worker side

class _Worker:
    """One process's reader and extractor; built once per process."""

    def __init__(self, vocab: Sequence[str | Path], cache: Cache | None, max_bytes: int,
                 lexicon: Lexicon | None = None) -> None:
        self.extractor = Extractor(lexicon or Lexicon.load(vocab))
        self.cache = cache
        self.max_bytes = max_bytes

    def run(self, path: Path) -> tuple[Summary, Extraction | None]:
        record = Record(str(path), "ok", format=SUFFIXES.get(path.suffix.lower()))
        try:
            data = read_bytes(path, max_bytes=self.max_bytes)
            record.sha256 = G.content_hash(data)
            ex = self.cache.get(record.sha256, path.name, str(path)) if self.cache else None
            if ex is not None:
                record.cached = True
            else:
                ex = self.extractor.extract(parse_document(path, data))
                if self.cache:
                    self.cache.put(ex)
        except InputError as exc:
            record.status, record.reason = "failed", exc.reason
            return Summary(record), None
        record.encoding = ex.document.encoding
        record.report = G.report_iri(ex.document.source, ex.document.sha256)
        summary = Summary(record, ex.document.source, ex.issuer,
                          [(m.label, m.kind) for m in ex.mentions],
                          sorted({(m.label, m.surface) for m in ex.mentions}), len(ex.document.text))
        return summary, ex


_WORKER: _Worker | None = None  # one per pool process, set by the initializer


def _init_worker(vocab: Sequence[str | Path], cache: Cache | None, max_bytes: int) -> None:
    global _WORKER
    _WORKER = _Worker(vocab, cache, max_bytes)


def _run_in_pool(path: Path) -> Summary:
    assert _WORKER is not None
    return _WORKER.run(path)[0]


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


# ---------------------------------------------------------------------- the build

def read_and_extract(inputs: Sequence[str | Path], *, vocab: Sequence[str | Path] = (),
                     on_error: Callable[[InputError], None] = lambda e: None,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Lexicon, list[Extraction], list[InputError], list[Path]]:
    """Ingest and extract in this process, writing nothing: (lexicon, extractions, failures, skipped)."""
    lexicon = Lexicon.load(vocab)
    files, skipped = find_inputs(inputs)
    worker = _Worker(vocab, None, max_bytes, lexicon)
    extractions, failed = [], []
    for path in files:
        summary, ex = worker.run(path)
        if ex is None:
            err = InputError(summary.record.path, summary.record.reason or "failed")
            failed.append(err)
            on_error(err)
        else:
            extractions.append(ex)
    return lexicon, extractions, failed, skipped


def build(inputs: Sequence[str | Path], out_dir: str | Path, *, vocab: Sequence[str | Path] = (),
          jobs: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
          on_error: Callable[[Record], None] = lambda r: None,
          progress: Callable[[Iterable, int], Iterable] | None = None,
          pages: bool = True, store: bool = True, rebuild: bool = False) -> BuildResult:
    """Build a graph, its store and its pages in ``out_dir`` from report files and folders.

    Extractions are cached in ``out_dir/cache`` (the graph is streamed from
    there too); ``rebuild`` empties the cache first.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files, unknown = find_inputs(inputs)
    lexicon = Lexicon.load(vocab)
    cache = Cache(out / "cache", fingerprint(vocab))
    _prune(cache.root.parent, keep="" if rebuild else cache.root.name)
    summaries = _extract(files, vocab, cache, max_bytes, lexicon, jobs, progress)
    records = [s.record for s in summaries] + [Record(str(p), "skipped", reason="unknown file type") for p in unknown]
    _mark_duplicates(summaries)
    for r in records:
        if r.status in ("failed", "skipped", "duplicate"):
            on_error(r)
    good = sorted((s for s in summaries if s.record.status == "ok"), key=lambda s: s.record.report or "")
    concepts = resolve_concepts(((label, kind) for s in good for label, kind in s.votes),
                                ((label, alias) for s in good for label, alias in s.aliases), lexicon)
    result = BuildResult(sorted(records, key=lambda r: r.path), concepts)
    result.reports = len(good)
    result.mentions = sum(len(s.votes) for s in good)
    result.bytes_read = sum(Path(s.record.path).stat().st_size for s in good)
    _write_graph(out, good, concepts, cache, result)
    G.write_atomic(out / "manifest.json", json.dumps(_manifest(result), ensure_ascii=False, indent=1) + "\n")
    result.outputs.append(out / "manifest.json")
    if store:
        _load_store(out)
        result.outputs.append(out / "store")
    if pages:
        _write_pages(out, result)
    result.seconds = time.perf_counter() - started
    return result


def _extract(files: list[Path], vocab, cache: Cache, max_bytes: int, lexicon: Lexicon, jobs: int | None,
             progress) -> list[Summary]:
    jobs = max(1, jobs or os.cpu_count() or 1)
    wrap = progress or (lambda it, total: it)
    if jobs == 1 or len(files) < 4 * jobs:
        worker = _Worker(vocab, cache, max_bytes, lexicon)
        return [worker.run(p)[0] for p in wrap(files, len(files))]
    ctx = _pool_context()
    global _WORKER
    if ctx.get_start_method() == "fork":  # children inherit the parent's lexicon and tokenizer
        _WORKER = _Worker(vocab, cache, max_bytes, lexicon)
        _WORKER.extractor._tokens("")
        init, args = None, ()
    else:
        init, args = _init_worker, (tuple(map(str, vocab)), cache, max_bytes)
    pool = ctx.Pool(jobs, initializer=init, initargs=args)
    try:
        out = list(wrap(pool.imap(_run_in_pool, files, chunksize=max(1, min(64, len(files) // (jobs * 8)))),
                        len(files)))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _WORKER = None
    return out


def _mark_duplicates(summaries: list[Summary]) -> None:
    first: dict[str, str] = {}
    for s in sorted(summaries, key=lambda s: s.record.path):
        r = s.record
        if r.status != "ok" or r.sha256 is None:
            continue
        if r.sha256 in first:
            r.status, r.reason = "duplicate", f"same content as {first[r.sha256]}"
        else:
            first[r.sha256] = r.path


def _write_graph(out: Path, good: list[Summary], concepts: dict[str, Concept], cache: Cache,
                 result: BuildResult) -> None:
    """Stream graph.ttl and graph.nt: concepts, then places, then one block per report."""
    concept_of = {label: c.iri or G.concept_iri(label) for label, c in concepts.items()}
    kind_of = {label: c.kind for label, c in concepts.items()}
    places: dict[str, set[G.Triple]] = defaultdict(set)
    reports_ttl = G.AtomicWriter(out / ".reports.ttl")
    reports_nt = G.AtomicWriter(out / ".reports.nt")
    ttl = nt = None
    texts = out / "texts"
    keep_texts: set[str] = set()
    try:
        for s in good:
            ex = cache.get(s.record.sha256 or "", s.source, s.record.path)
            if ex is None:
                raise RuntimeError(f"{s.record.path}: its extraction vanished from {cache.root} during the build")
            triples = G.report_triples(ex, concept_of)
            body, place = G.place_triples(ex.issuer)
            for t in place:
                places[t[0]].add(t)
            if body:
                _, links = G.body_links(ex, concept_of, kind_of)
                places[body].update((body, p, o) for p, o in links)
            reports_ttl.write(G.turtle_block(triples))
            reports_nt.write(G.ntriples_block(triples))
            result.triples += len(set(triples))
            name = G.report_key(ex.document.source, ex.document.sha256) + ".txt"
            keep_texts.add(name)
            if not (texts / name).is_file():
                G.write_atomic(texts / name, ex.document.text)
        fixed: list[G.Triple] = []
        for label in sorted(concepts):
            c = concepts[label]
            fixed += G.concept_triples(label, c.kind, c.alt_labels, c.iri)
        for triples in places.values():
            fixed += triples
        result.triples += len(set(fixed))
        ttl, nt = G.AtomicWriter(out / "graph.ttl"), G.AtomicWriter(out / "graph.nt")
        ttl.write(G.turtle_prefixes())
        ttl.write(G.turtle_block(fixed))
        nt.write(G.ntriples_block(fixed))
        for writer, part in ((ttl, reports_ttl), (nt, reports_nt)):
            part.fh.flush()
            with open(part.tmp, encoding="utf-8") as fh:
                shutil.copyfileobj(fh, writer.fh, 1 << 20)
        ttl.commit()
        nt.commit()
    except BaseException:
        for w in (ttl, nt):
            if w is not None:
                w.abandon()
        raise
    finally:
        reports_ttl.abandon()
        reports_nt.abandon()
    for stale in texts.glob("*.txt") if texts.is_dir() else ():
        if stale.name not in keep_texts:
            stale.unlink()
    result.outputs += [out / "graph.ttl", out / "graph.nt"]


def _write_pages(out: Path, result: BuildResult) -> None:
    """The network page, the printable summary, a spreadsheet and a Gephi file."""
    from .query import GraphStore
    from .summary import graphml, summary_html, towns_csv
    from .viz import network_html  # pyvis is only needed here

    select = GraphStore.open(out).select
    for name, make in (("network.html", network_html), ("summary.html", summary_html), ("towns.csv", towns_csv),
                       ("graph.graphml", graphml)):
        G.write_atomic(out / name, make(select))
        result.outputs.append(out / name)


def _load_store(out: Path) -> None:
    """Bulk-load graph.nt into a fresh on-disk Oxigraph store, then swap it in."""
    import pyoxigraph as ox

    new, old, live = out / ".store-new", out / ".store-old", out / "store"
    for d in (new, old):
        shutil.rmtree(d, ignore_errors=True)
    st = ox.Store(str(new))
    st.bulk_load(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    st.flush()
    del st
    if live.exists():
        live.rename(old)
    new.rename(live)
    shutil.rmtree(old, ignore_errors=True)


def _prune(root: Path, keep: str) -> None:
    """Drop cache entries of other extractor versions."""
    if root.is_dir():
        for d in root.iterdir():
            if d.is_dir() and d.name != keep:
                shutil.rmtree(d, ignore_errors=True)


def _manifest(result: BuildResult) -> dict:
    counts = Counter(r.status for r in result.records)
    return {
        "inputs": len(result.records),
        "status": {k: counts.get(k, 0) for k in ("ok", "duplicate", "skipped", "failed")},
        "reports": result.reports,
        "mentions": result.mentions,
        "concepts": len(result.concepts),
        "triples": result.triples,
        # whether an entry came from the cache is left out: a warm re-run writes the same bytes
        "files": [{k: v for k, v in asdict(r).items() if k != "cached"} for r in result.records],
    }
