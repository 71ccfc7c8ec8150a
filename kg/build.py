"""Wire the stages for one build: ingest -> extract -> resolve -> graph -> store, pages.

Reports are read, extracted and rendered to triples independently, in a
process pool, each result cached on disk by content hash and file name; the
parent keeps only small summaries (labels and kinds, the issuer) and loads
each report's triples into the store while the pool works on the next ones.
Then every concept gets its one kind, the concepts and places complete the
store, and the graph files are streamed from the cache beside the pages, so
memory grows with the number of distinct concepts and bodies, not with the
corpus. A file that cannot be read costs that file only. A re-run builds on
the previous store: only the reports that changed are loaded or deleted, and
unchanged pages are kept.

Outputs in the build folder, each written atomically:
graph.ttl, graph.nt, manifest.json, texts/<report>.txt, store/ (Oxigraph),
network.html, summary.html, towns.csv, graph.graphml.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import shutil
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import graph as G
from .cache import Cache, fingerprint
from .errors import InputError
from .extract import Extractor
from .ingest import DEFAULT_MAX_BYTES, SUFFIXES, find_inputs, parse_document, read_bytes
from .lexicon import Lexicon
from .model import Extraction, Issuer
from .pages import FILES as PAGE_FILES
from .resolve import Concept, concept_iri_for, resolve_concepts

GRAPH_FILES = ("graph.ttl", "graph.nt")


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
    triples: int = 0  # in the report's own block (the report and its mentions)
    mentions: int = 0
    labels: frozenset[str] = frozenset()  # the concepts it names (votes and aliases are folded away)
    blocks: tuple[G.Span, ...] = ()  # where its rendered Turtle, N-Triples and evidence lie in the cache


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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    store_update: tuple[int, int] | None = None  # (reports loaded, deleted) if the previous store was built on
    outputs: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[Record]:
        return [r for r in self.records if r.status == "failed"]

    @property
    def skipped(self) -> list[Record]:
        return [r for r in self.records if r.status == "skipped"]


# ---------------------------------------------------------------------- the worker side

class _Worker:
    """One process's reader, extractor and renderer; built once per process."""

    def __init__(self, vocab: Sequence[str | Path], cache: Cache | None, max_bytes: int,
                 lexicon: Lexicon | None = None, texts: Path | None = None) -> None:
        self.vocab = tuple(str(v) for v in vocab)
        self.lexicon = lexicon or Lexicon.load(vocab)
        self.extractor = Extractor(self.lexicon)
        self.cache = cache
        self.max_bytes = max_bytes
        self.texts = texts  # where the extracted text of each report is kept, if anywhere
        self._iris: dict[str, str] = {}

    def concept_of(self, label: str) -> str:
        iri = self._iris.get(label)
        if iri is None:  # labels recur across reports: each is minted once per process
            iri = self._iris[label] = concept_iri_for(label, self.lexicon)
        return iri

    def run(self, path: Path) -> tuple[Summary, Extraction | None]:
        """The report's summary; and its extraction, unless its cache entry stood in for it."""
        record = Record(str(path), "ok", format=SUFFIXES.get(path.suffix.lower()))
        try:
            data = read_bytes(path, max_bytes=self.max_bytes)
            record.sha256 = sha = hashlib.sha256(data).hexdigest()
            key = G.report_key(path.name, sha)
            entry = self.cache.get(sha, key) if self.cache else None
            doc = ex = None
            if entry is None:
                doc = parse_document(path, data)
                ex = self.extractor.extract(doc)
            if self.texts is not None and not (self.texts / f"{key}.txt").is_file():
                doc = doc or parse_document(path, data)
                G.write_atomic(self.texts / f"{key}.txt", doc.text, durable=False)
        except InputError as exc:
            record.status, record.reason = "failed", exc.reason
            return Summary(record), None
        record.report = G.report_iri(path.name, sha)
        if ex is not None:
            votes = [(m.label, m.kind) for m in ex.mentions]
            aliases = sorted({(m.label, m.surface) for m in ex.mentions})
            if self.cache:
                ttl, nt, triples = G.report_blocks(ex, self.concept_of)
                evidence = json.dumps(G.report_evidence(ex, self.concept_of), ensure_ascii=False)
                entry = self.cache.put(sha, key, ex.document.encoding, ex.issuer, votes, aliases, triples,
                                       (ttl, nt, evidence))
            else:
                record.encoding = ex.document.encoding
                return Summary(record, path.name, ex.issuer, votes, aliases), ex
        record.cached = ex is None
        record.encoding = entry.encoding
        return Summary(record, path.name, entry.issuer, entry.votes, entry.aliases, entry.triples,
                       blocks=entry.spans), ex


_WORKER: _Worker | None = None  # one per pool process, set by the initializer


def _init_worker(vocab: Sequence[str | Path], cache: Cache | None, max_bytes: int, texts: Path | None) -> None:
    global _WORKER
    _WORKER = _Worker(vocab, cache, max_bytes, texts=texts)


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
    extractions, failed = [], []  # nothing cached, nothing rendered: just the extractions
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
    started = clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files, unknown = find_inputs(inputs)
    lexicon = Lexicon.load(vocab)
    cache = Cache(out / "cache", fingerprint(vocab))
    cleaner = _prune(cache.root.parent, keep="" if rebuild else cache.root.name)
    worker = _Worker(vocab, cache, max_bytes, lexicon, texts=out / "texts")
    lap("load vocabulary")
    # fold each report's votes into the batch's tallies as it arrives, so what the parent keeps
    # per report is a few fields, not its mentions
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    shared: dict[str, str] = {}  # one string object per label, however many reports name it
    summaries = []
    # the reports' triples go to the store as they come, loaded in a thread beside the extraction
    loader = _StoreLoader(out, cache.root.name, reuse=not rebuild, pages=_drawing_code() if pages else None) \
        if store else None
    try:
        for s in _extract(files, worker, jobs, progress):
            if s.record.status == "ok" and s.record.sha256 not in seen:  # a duplicate's votes are its twin's
                seen.add(s.record.sha256)
                for label, kind in s.votes:
                    tally[label][kind] += 1
                for label, surface in s.aliases:
                    forms[label].add(surface)
                if loader:
                    loader.add(s.record.report, s.record.sha256, s.blocks[0])
            s.labels = frozenset(shared.setdefault(label, label) for label, _ in s.votes)
            s.mentions, s.votes, s.aliases = len(s.votes), [], []
            summaries.append(s)
        lap("extract")
        records = [s.record for s in summaries] + [Record(str(p), "skipped", reason="unknown file type")
                                                   for p in unknown]
        _mark_duplicates(summaries)
        for r in records:
            if r.status in ("failed", "skipped", "duplicate"):
                on_error(r)
        good = sorted((s for s in summaries if s.record.status == "ok"), key=lambda s: s.record.report or "")
        concepts = resolve_concepts(tally, forms, lexicon)
        del tally, forms
        result = BuildResult(sorted(records, key=lambda r: r.path), concepts, timings=timings)
        lap("resolve")
        result.reports = len(good)
        result.mentions = sum(s.mentions for s in good)
        result.bytes_read = sum(Path(s.record.path).stat().st_size for s in good)
        if loader and loader.graph_current():
            # the same reports as the previous build, so the same concepts and places: its graph
            # files and the store's head stand
            ttl = nt = _KeptFile()
            loader.keep_head()
            loader.finish()
            result.triples = loader.triples
        else:
            ttl, nt = _write_graph_head(out, good, concepts, lexicon, result, loader)
            if loader:
                loader.triples = result.triples
    except BaseException:
        if loader:
            loader.abandon()
        raise
    lap("graph and store")
    if loader and loader.reused:
        result.store_update = (loader.added, loader.removed)
    # the pages are a function of the store and the code that draws them: if neither changed, keep them
    draw = pages and not (loader and loader.pages_current)
    if pages and not draw:
        result.outputs += [out / f for f in PAGE_FILES]
    # The pages need only the store and the cached evidence: the graph files are finished and
    # the store compacted beside them. All are swapped in together at the end; a failure or
    # Ctrl-C before that leaves the previous outputs as they were.
    cancel = threading.Event()
    staged = out / ".pages-new"  # the pages wait here to be swapped in with the graph and the store
    shutil.rmtree(staged, ignore_errors=True)
    with ThreadPoolExecutor(2) as pool:
        tail = pool.submit(_write_graph_tail, ttl, nt, good, cancel)
        compacted = pool.submit(loader.optimize) if loader else None
        try:
            if draw:
                if loader is None:  # the pages read the graph file: it must be whole first
                    tail.result()
                    ttl.commit()
                    nt.commit()
                evidence = {s.record.report: s.blocks[2] for s in good if s.record.report}
                _write_pages(staged, out, evidence, loader.store if loader else None)
        except BaseException:
            cancel.set()
            raise
        finally:
            _settle(out, staged, good, ttl, nt, tail, loader, compacted, result, cancel)
    G.write_atomic(out / "manifest.json", json.dumps(_manifest(result), ensure_ascii=False, indent=1) + "\n")
    result.outputs.append(out / "manifest.json")
    lap("pages, graph files, compaction" if pages else "graph files, compaction")
    cleaner.join()
    result.seconds = time.perf_counter() - started
    return result


def _settle(out: Path, staged: Path, good: list[Summary], ttl: G.AtomicWriter, nt: G.AtomicWriter,
            tail: Future, loader: "_StoreLoader | None", compacted: Future | None, result: BuildResult,
            cancel: threading.Event) -> None:
    """Wait for the graph files and the store, then swap them in with the staged pages; if
    anything failed or the build was cancelled, drop them all (the previous outputs stay)."""
    try:
        tail.result()
        if compacted:
            compacted.result()
        if cancel.is_set():
            raise _Cancelled
        ttl.commit()
        nt.commit()
        # the pages before the store: a store that says its pages are current must never be
        # swapped in without them
        for page in sorted(staged.iterdir()) if staged.is_dir() else ():
            os.replace(page, out / page.name)
            result.outputs.append(out / page.name)
        if loader:
            loader.commit()
            result.outputs.append(out / "store")
    except BaseException as exc:
        cancel.set()
        ttl.abandon()
        nt.abandon()
        if loader:
            if compacted:
                wait([compacted])  # never delete a store RocksDB is still compacting
            loader.abandon()
        if not isinstance(exc, _Cancelled):
            raise
        return
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    result.outputs += [out / f for f in GRAPH_FILES]
    keep = {G.report_key(s.source, s.record.sha256 or "") + ".txt" for s in good}
    texts = out / "texts"
    for stale in texts.glob("*.txt") if texts.is_dir() else ():
        if stale.name not in keep:
            stale.unlink()


class _KeptFile:
    """In place of a graph file's writer when the file in the build folder stands as it is."""

    def write(self, text: str) -> None:
        pass

    def write_span(self, span: G.Span) -> None:
        pass

    def commit(self) -> None:
        pass

    def abandon(self) -> None:
        pass


class _Cancelled(Exception):
    """The build stopped before its outputs were swapped in."""


def _extract(files: list[Path], worker: _Worker, jobs: int | None, progress) -> Iterator[Summary]:
    """Summaries as the reports are done (in input order), so the caller can fold them as they come."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    wrap = progress or (lambda it, total: it)
    if jobs == 1 or len(files) < 4 * jobs:
        for p in wrap(files, len(files)):
            yield worker.run(p)[0]
        return
    ctx = _pool_context()
    global _WORKER
    if ctx.get_start_method() == "fork":  # children inherit the parent's lexicon; each loads jieba only if it extracts
        _WORKER = worker
        init, args = None, ()
    else:
        init, args = _init_worker, (worker.vocab, worker.cache, worker.max_bytes, worker.texts)
    pool = ctx.Pool(jobs, initializer=init, initargs=args)
    try:
        yield from wrap(pool.imap(_run_in_pool, files, chunksize=max(1, min(64, len(files) // (jobs * 8)))),
                        len(files))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _WORKER = None


def _mark_duplicates(summaries: list[Summary]) -> None:
    """The same content twice: the first in input order is built (its triples are the ones
    already in the store), the others are listed as its duplicates."""
    first: dict[str, str] = {}
    for s in summaries:
        r = s.record
        if r.status != "ok" or r.sha256 is None:
            continue
        if r.sha256 in first:
            r.status, r.reason = "duplicate", f"same content as {first[r.sha256]}"
        else:
            first[r.sha256] = r.path


def _write_graph_head(out: Path, good: list[Summary], concepts: dict[str, Concept], lexicon: Lexicon,
                      result: BuildResult, store: "_StoreLoader | None") -> tuple[G.AtomicWriter, G.AtomicWriter]:
    """graph.ttl and graph.nt, opened and begun with the concepts and places, which also go to
    the store (the reports are in it already) to finish it; ``_write_graph_tail`` adds the
    reports to the files."""
    kind_of = {label: c.kind for label, c in concepts.items()}
    # a place's triples come from its chain (small) and from the labels its reports name,
    # gathered here as shared label strings and turned into triples one place at a time
    place_triples: dict[str, set[G.Triple]] = defaultdict(set)
    named: dict[str, set[str]] = defaultdict(set)
    for s in good:
        body, place = G.place_triples(s.issuer)
        for t in place:
            place_triples[t[0]].add(t)
        if body:
            named[body] |= s.labels
        s.labels = frozenset()  # read here only: the pages that follow need the memory more
    concept_of = {label: concept_iri_for(label, lexicon) for label in concepts}
    blocks: list[tuple[str, Callable[[], list[G.Triple]]]] = [
        (G.iri(concept_of[label]), lambda label=label: G.concept_triples(
            label, concepts[label].kind, concepts[label].alt_labels, concepts[label].iri))
        for label in concepts]
    blocks += [(body, lambda body=body: [*place_triples[body],
                                         *G.body_links(body, named.get(body, ()), concept_of.__getitem__, kind_of)])
               for body in place_triples]
    blocks.sort(key=lambda b: b[0])  # subjects in N-Triples order, as one sorted block would have them
    ttl, nt = (G.AtomicWriter(out / f) for f in GRAPH_FILES)
    try:
        ttl.write(G.turtle_prefixes())
        fixed = 0
        for subject, make in blocks:
            triples = make()
            fixed += len(set(triples))
            text = G.turtle_block(triples)
            ttl.write(text)
            nt.write(G.ntriples_block(triples))
            if store:
                store.head(subject, text)
        if store:
            store.finish()
    except BaseException:
        ttl.abandon()
        nt.abandon()
        raise
    result.triples = fixed + sum(s.triples for s in good)
    return ttl, nt


def _write_graph_tail(ttl: G.AtomicWriter, nt: G.AtomicWriter, good: list[Summary],
                      cancel: threading.Event) -> None:
    """Every report's blocks from the cache, in report order (stopping if the build is
    cancelled). Mostly file copying, so it runs in a thread beside the pages."""
    for s in good:
        if cancel.is_set():
            return
        ttl.write_span(s.blocks[0])
        nt.write_span(s.blocks[1])


def _drawing_code() -> str:
    """A hash of what the pages are drawn with: the package's files and the libraries' versions."""
    from importlib import metadata, resources

    h = hashlib.sha256(" ".join(metadata.version(d) for d in ("pyvis", "jinja2")).encode())
    package = resources.files("kg")
    for path in sorted(Path(str(package)).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(str(package)).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _write_pages(pages_dir: Path, out: Path, evidence: dict[str, G.Span], store=None) -> None:
    """The network page, the printable summary, a spreadsheet and a Gephi file, into
    ``pages_dir``: the store (else the build's graph file) answers the whole-graph questions,
    each report's cached evidence the per-mention ones."""
    from .pages import EvidenceFiles, as_source, write_pages
    from .query import GraphStore

    graph = GraphStore(store) if store is not None else GraphStore.open(out)
    write_pages(EvidenceFiles(as_source(graph), evidence), pages_dir)


class _StoreLoader:
    """An on-disk Oxigraph store filled in bounded chunks by threads, swapped in whole at the end.

    One bulk load of a big graph holds it all in memory (1.6 GB for 4 million
    triples); chunks of 16 MB keep the build's memory flat. One load runs on
    one core; two at once (each writes its own sorted files, which RocksDB
    ingests) take a third less time. Oxigraph releases the GIL while it
    loads, so the loading overlaps the extraction. It costs about 6 µs of
    CPU per triple (Oxigraph's own `oxigraph load` costs the same): on a big
    build, as much as the extraction.
    Turtle parses faster than the same triples as N-Triples, and the graph
    was validated where its IRIs were minted, so the lenient parser is safe.

    Filling a store from nothing is most of a re-run's time, so a build
    starts from a copy of the previous store when one made by the same
    extractor is there (a RocksDB checkpoint: hard links, milliseconds). A
    report's triples depend only on its file and the extractor, so a report
    already in the store is left as it is; the reports gone are deleted, the
    new ones loaded, and of the concepts and places (which depend on the
    whole batch) only the subjects whose block changed are replaced. What
    the store holds is written beside it (``STATE``) for the next build.
    """

    CHUNK = 16 << 20  # bytes of Turtle per bulk load
    THREADS = 2  # loads at once: one load is single-threaded, and chunks load independently
    STATE = G.STORE_STATE  # in the store's folder, so it is swapped in with the store
    BATCH = 1000  # subjects per delete
    SHAPE = {"reports": dict, "heads": dict, "triples": int}  # in a state this build can start from

    def __init__(self, out: Path, fingerprint: str, reuse: bool = True, pages: str | None = None) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.new, self.old, self.live = out / ".store-new", out / ".store-old", out / "store"
        for d in (self.new, self.old):
            shutil.rmtree(d, ignore_errors=True)
        self.fingerprint = fingerprint
        previous = self._copy_previous() if reuse else None
        self.base_reports: dict[str, str] = previous["reports"] if previous else {}  # report -> sha256
        self.base_heads: dict[str, str] = previous["heads"] if previous else {}  # subject -> digest
        self.reused = previous is not None
        self.pages = pages  # the code that draws the pages beside this store, if there are any
        self.pages_before = previous.get("pages") if previous else None
        self.graph_before = previous.get("graph") if previous else None
        self.triples: int = previous["triples"] if previous else 0  # in the whole graph
        self.touched = False  # whether this build changed anything in the copy of the previous store
        self.store = ox.Store(str(self.new))
        self.reports: dict[str, str] = {}
        self.heads: dict[str, str] = {}
        self.changed: list[tuple[str, bytes]] = []  # head subjects to delete, then load again
        self.added = 0  # reports loaded by this build
        self.prefixes = G.turtle_prefixes().encode("utf-8")
        self.parts: list[bytes] = []
        self.size = 0
        self.error: BaseException | None = None
        self.todo: queue.Queue[bytes | None] = queue.Queue(maxsize=self.THREADS)  # waiting chunks: bounds the memory
        self.threads = [threading.Thread(target=self._run, name=f"store-loader-{i}", daemon=True)
                        for i in range(self.THREADS)]
        for thread in self.threads:
            thread.start()

    def _copy_previous(self) -> dict | None:
        """The previous store's state, once the store is copied to ``new``; None if it cannot
        be built on (none there, another extractor or Oxigraph made it, or it will not open)."""
        try:
            state = json.loads((self.live / self.STATE).read_text(encoding="utf-8"))
            if (state.get("fingerprint") != self.fingerprint or state.get("oxigraph") != self._ox.__version__
                    or any(not isinstance(state.get(k), t) for k, t in self.SHAPE.items())):
                return None
            self._ox.Store.read_only(str(self.live)).backup(str(self.new))
            return state
        except Exception:  # any failure here only means starting from an empty store
            shutil.rmtree(self.new, ignore_errors=True)
            return None

    def graph_current(self) -> bool:
        """Whether the graph files beside the previous store are what this build would write
        (called once every report is added): the same reports, and nobody replaced a file since."""
        return (self.reused and not self.touched and self.reports == self.base_reports
                and self.graph_before == self._stamps(GRAPH_FILES))

    def keep_head(self) -> None:
        """Keep the previous build's concepts and places as they are."""
        self.heads = self.base_heads

    @property
    def pages_current(self) -> bool:
        """Whether the pages beside the previous store are what this build would draw: the
        store is unchanged, the same code drew them, and nobody replaced one since."""
        before = self.pages_before if isinstance(self.pages_before, dict) else {}
        return (self.reused and not self.touched and self.pages is not None and before.get("code") == self.pages
                and before.get("files") == self._stamps(PAGE_FILES))

    def _stamps(self, names: Sequence[str]) -> dict[str, list[int]] | None:
        """Size and time of the build folder's files (None if one is missing)."""
        found = {}
        for name in names:
            try:
                st = (self.live.parent / name).stat()
            except OSError:
                return None
            found[name] = [st.st_size, st.st_mtime_ns]
        return found

    def _gone(self) -> list[str]:
        """Reports in the previous store that this build does not have."""
        return sorted(self.base_reports.keys() - self.reports.keys())

    @property
    def removed(self) -> int:
        return len(self._gone())

    def add(self, report: str, sha256: str, turtle: G.Span) -> None:
        """A report's block, read from the cache unless the store has it already."""
        self.reports[report] = sha256
        held = self.base_reports.get(report)
        if held == sha256:
            return
        if held is not None:  # same file name and hash prefix, other content: out with the old
            self._delete(_DELETE_REPORTS, [G.iri(report)])
        self.added += 1
        self._feed(G.read_span(turtle))

    def head(self, subject: str, turtle: str) -> None:
        """A concept's or place's block (they come after every report)."""
        data = turtle.encode("utf-8")
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        self.heads[subject] = digest
        held = self.base_heads.get(subject)
        if held == digest:
            return
        if held is None:
            self._feed(data)
            return
        self.changed.append((subject, data))
        if len(self.changed) >= self.BATCH:
            self._replace_changed()

    def _replace_changed(self) -> None:
        self._delete(_DELETE_SUBJECTS, [s for s, _ in self.changed])
        for _, data in self.changed:
            self._feed(data)
        self.changed = []

    def _delete(self, update: str, terms: list[str]) -> None:
        """Run ``update`` on the IRIs (N-Triples terms), a batch at a time."""
        for i in range(0, len(terms), self.BATCH):
            self.touched = True
            values = " ".join(terms[i:i + self.BATCH])
            self.store.update(update % {"v": values})

    def _feed(self, turtle: bytes) -> None:
        """Turtle (UTF-8) that uses only the prefixes of ``graph.turtle_prefixes``."""
        self.touched = True
        self.parts.append(turtle)
        self.size += len(turtle)
        if self.size >= self.CHUNK:
            self._send()

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        if self.parts:
            self.todo.put(b"".join([self.prefixes, *self.parts]))
            self.parts, self.size = [], 0

    def _run(self) -> None:
        while (data := self.todo.get()) is not None:
            if self.error is None:  # after a failure, drain without loading so feed() never blocks
                try:
                    self.store.bulk_load(input=data, format=self._ox.RdfFormat.TURTLE, lenient=True)
                except BaseException as exc:  # re-raised in the building thread
                    self.error = exc

    def _stop_threads(self) -> None:
        for thread in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()

    def finish(self) -> None:
        """Load what is left and delete what is gone: ``store`` is then complete, for reading
        (it is not swapped in yet)."""
        self._replace_changed()
        self._delete(_DELETE_SUBJECTS, sorted(self.base_heads.keys() - self.heads.keys()))
        self._delete(_DELETE_REPORTS, [G.iri(r) for r in self._gone()])
        self._send()
        self._stop_threads()
        if self.error is not None:
            raise self.error
        self.store.flush()

    def optimize(self) -> None:
        """Compact the store, if this build changed it. Many small loads leave many
        overlapping files, and a lookup reads each: compacting once makes "which towns use X"
        3-4x faster on a big build, and a store built on with 1% more reports answers it 25%
        slower until compacted. Runs in RocksDB's threads beside the pages, which a changed
        store redraws, so it costs little time; the store can be read meanwhile."""
        if self.touched:
            self.store.optimize()

    def commit(self) -> None:
        """Swap the finished store in for the previous one, with its state: what it holds,
        and which graph files and pages (by size and time, and the pages' code) were swapped
        in beside it just before."""
        self.store.flush()
        self.store = None
        state = {"fingerprint": self.fingerprint, "oxigraph": self._ox.__version__, "reports": self.reports,
                 "heads": self.heads, "triples": self.triples, "graph": self._stamps(GRAPH_FILES),
                 "pages": {"code": self.pages, "files": self._stamps(PAGE_FILES)} if self.pages else None}
        G.write_atomic(self.new / self.STATE, json.dumps(state, ensure_ascii=False, sort_keys=True))
        if self.live.exists():
            self.live.rename(self.old)
        self.new.rename(self.live)
        shutil.rmtree(self.old, ignore_errors=True)

    def abandon(self) -> None:
        if any(thread.is_alive() for thread in self.threads):
            self.error = self.error or RuntimeError("abandoned")
            self._stop_threads()
        self.store = None
        shutil.rmtree(self.new, ignore_errors=True)


# the triples of the subjects, or of the reports and their mentions, listed in %(v)s
_DELETE_SUBJECTS = "DELETE { ?s ?p ?o } WHERE { VALUES ?s { %(v)s } ?s ?p ?o }"
_DELETE_REPORTS = ("PREFIX fz: <https://w3id.org/fzkg/ontology#> DELETE { ?s ?p ?o } WHERE {"
                   " { VALUES ?r { %(v)s } ?s fz:inReport ?r } UNION { VALUES ?s { %(v)s } } ?s ?p ?o }")


def _prune(root: Path, keep: str) -> threading.Thread:
    """Drop cache entries of other extractor versions, in a thread that the caller joins.

    A big cache is tens of thousands of files: they are moved aside at once
    (so the build never reads them) and deleted while the build goes on. A
    folder a killed build left half deleted is one more stale folder.
    """
    stale = []
    if root.is_dir():
        for i, d in enumerate(sorted(root.iterdir())):
            if d.is_dir() and d.name != keep:
                aside = root / f".stale-{os.getpid()}-{i}"
                d.rename(aside)
                stale.append(aside)
    cleaner = threading.Thread(target=lambda: [shutil.rmtree(d, ignore_errors=True) for d in stale],
                               name="cache-cleaner", daemon=True)
    cleaner.start()
    return cleaner


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
