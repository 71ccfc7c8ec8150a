"""One input through the stages, in a worker process: read, extract, render, cache.

Every per-file step runs inside one error handler, so whatever a single file
holds costs that file only: it becomes a failed record with a one-line
reason, and the batch goes on.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .. import graph as G
from .. import readers
from ..errors import InputError
from ..extract import Extractor, Lexicon
from ..extract.lexicon import VocabularyChange, text_key
from ..gazetteer import Gazetteer
from ..layout import read_span, write_atomic
from ..model import Document, Extraction, Placement
from ..readers import ReadLimits
from ..resolve import Resolver, concept_iri_for
from .cache import SECTIONS, Cache, CacheEntry
from .records import Record, Summary

_TEXT, _NTRIPLES, _KEY = SECTIONS.index("text"), SECTIONS.index("ntriples"), SECTIONS.index("key")
BIG = 2 << 20  # bytes of input above which a worker waits for the others' big inputs


class Worker:
    """One process's reader, extractor and renderer; built once per process."""

    def __init__(self, vocab: Sequence[str | Path], cache: Cache | None, limits: ReadLimits,
                 lexicon: Lexicon | None = None, texts: Path | None = None, previous: Path | None = None) -> None:
        self.vocab = tuple(str(v) for v in vocab)
        self.lexicon = lexicon or Lexicon.load(vocab)
        gazetteer = Gazetteer.load()
        self.extractor = Extractor(self.lexicon, gazetteer)
        self.resolver = Resolver(gazetteer)
        self.cache = cache
        self.limits = limits
        self.gate = None  # a semaphore the pool's workers share: one big input at a time
        self.texts = texts  # where the extracted text of each report is kept, if anywhere
        self.previous = previous  # the texts of the build before, linked where the same
        self._iris: dict[str, str] = {}
        self._changes: dict[str, VocabularyChange | None] = {}  # since each older vocabulary

    def concept_of(self, label: str) -> str:
        iri = self._iris.get(label)
        if iri is None:  # labels recur across reports: each is minted once per process
            iri = self._iris[label] = concept_iri_for(label, self.lexicon)
        return iri

    def run(self, path: Path) -> tuple[Summary, Extraction | None]:
        """The report's summary; and its extraction, unless its cache entry stood in for it."""
        record = Record(str(path), "ok", format=readers.SUFFIXES.get(path.suffix.lower()))
        try:
            return self._run(path, record)
        except InputError as exc:
            reason = exc.reason
        except ValueError as exc:  # an IRI that cannot be minted from the file's name
            reason = str(exc)
        record.status, record.reason, record.report = "failed", reason, None
        return Summary(record), None

    def _run(self, path: Path, record: Record) -> tuple[Summary, Extraction | None]:
        raw = readers.load(path, max_bytes=self.limits.max_bytes)
        record.sha256 = sha = raw.sha256
        key = G.report_key(path.name, sha)
        record.report = G.report_iri(path.name, sha)
        entry = self.cache.get(sha, key) if self.cache else None
        retired = None  # the block of an entry from another vocabulary, which this one would not make
        about = None  # that entry's text and what the report says about itself, which stand
        if entry is not None and not self._still_valid(entry):  # (read now: the new entry replaces it)
            retired = (entry.block, read_span(entry.spans[_NTRIPLES]).decode("utf-8"))
            about = self._about(raw, entry)
            entry = None
        if entry is not None:
            record.cached, record.encoding = True, entry.encoding
            record.warning, record.replaced = entry.warning, entry.replaced
            _note(record, entry.placement)
            self._keep_text(key, lambda: read_span(entry.spans[_TEXT]).decode("utf-8"))
            return Summary(record, path.name, entry.placement, entry.votes, entry.aliases, entry.triples,
                           blocks=entry.spans, size=len(raw.data), block=entry.block,
                           vocabulary=entry.vocabulary), None
        if self.gate is not None and len(raw.data) > BIG:
            with self.gate:  # two big inputs at once would double the peak: one waits
                summary, ex = self._extract(raw, record, key, about)
        else:
            summary, ex = self._extract(raw, record, key, about)
        if retired is not None and summary.block != retired[0]:  # the store may hold the old block:
            summary.retired = retired  # its triples, to delete as they are (cheaper than finding them)
        return summary, ex

    def _extract(self, raw: readers.RawFile, record: Record, key: str,
                 about: tuple[Extraction, Placement] | None = None) -> tuple[Summary, Extraction | None]:
        """Read, extract, place, render and cache one report; with ``about`` (an entry's, from
        another vocabulary), only find its mentions again: its text and place stand."""
        path, sha = raw.path, raw.sha256
        if about is None:
            doc = readers.parse(raw, self.limits)
            ex = self.extractor.extract(doc)
            placement = self.resolver.place(ex.body, ex.folded, key)
        else:
            ex = self.extractor.extract(about[0].document, about[0])
            doc, placement = ex.document, about[1]
        record.encoding, record.replaced = doc.encoding, doc.replaced
        record.warning = _unlike_a_report(ex, placement)
        _note(record, placement)
        self._keep_text(key, lambda: doc.text)
        votes = [(m.label, m.kind) for m in ex.mentions]
        aliases = sorted({(m.label, m.surface) for m in ex.mentions})
        if self.cache is None:
            return Summary(record, path.name, placement, votes, aliases, size=len(raw.data)), ex
        ttl, nt, triples = G.report_blocks(ex, G.body_iri(placement), self.concept_of)
        evidence = json.dumps(G.report_evidence(ex, self.concept_of), ensure_ascii=False)
        entry = self.cache.put(sha, key, doc.encoding, placement, votes, aliases, triples,
                               (ttl, nt, evidence, doc.text, text_key(ex.folded)), ex,
                               warning=record.warning, replaced=doc.replaced)
        return Summary(record, path.name, placement, votes, aliases, triples, blocks=entry.spans,
                       size=len(raw.data), block=entry.block, vocabulary=entry.vocabulary), ex

    def _still_valid(self, entry: CacheEntry) -> bool:
        """Whether an entry made with another vocabulary is what this one would make: its text
        holds none of the names the edit touched (no snapshot of that vocabulary: not known)."""
        if entry.vocabulary == self.cache.vocabulary:
            return True
        if entry.vocabulary not in self._changes:
            old = self.cache.vocabulary_of(entry.vocabulary)
            self._changes[entry.vocabulary] = self.lexicon.changes_since(old) if old is not None else None
        change = self._changes[entry.vocabulary]
        if change is None:
            return False
        return not change.touches(read_span(entry.spans[_KEY]).decode("utf-8"))

    def _about(self, raw: readers.RawFile, entry: CacheEntry) -> tuple[Extraction, Placement]:
        """An entry's text as its document, what the report says about itself and its place."""
        doc = Document(raw.path.name, str(raw.path), read_span(entry.spans[_TEXT]).decode("utf-8"), raw.sha256,
                       readers.format_of(raw.path), entry.encoding, entry.replaced)
        return entry.extraction_about(doc), entry.placement

    def _keep_text(self, key: str, text) -> None:
        """The report's text in ``texts/``: linked from the build before where it is there (the
        same key is the same content), else written (``text`` makes it)."""
        if self.texts is None:
            return
        name = f"{key}.txt"
        if self.previous is not None:
            try:
                os.link(self.previous / name, self.texts / name)
                return
            except FileExistsError:
                return
            except OSError:
                pass
        write_atomic(self.texts / name, text(), durable=False)


def _unlike_a_report(ex: Extraction, placement: Placement) -> str | None:
    """Why a file does not look like a rule-of-law report (a README, an English text …): at
    most one of a title, a body, a year and a concept found in it."""
    found = {"title": bool(ex.title), "body": placement.body is not None, "year": ex.year is not None,
             "concept": bool(ex.mentions)}
    if sum(found.values()) > 1:
        return None
    missing = [k for k, v in found.items() if not v]
    return "does not look like a rule-of-law report (no " + ", no ".join(missing) + ")"


def _note(record: Record, placement: Placement) -> None:
    """The body and how it was placed, for the manifest."""
    record.body = placement.body.name if placement.body and placement.body.name else None
    record.place = placement.resolution
    record.note = placement.note or None


_WORKER: Worker | None = None  # one per pool process, set by the initializer


def _init_worker(vocab: Sequence[str | Path], cache: Cache | None, limits: ReadLimits, texts: Path | None,
                 previous: Path | None, gate) -> None:
    global _WORKER
    _ignore_interrupts()
    _WORKER = Worker(vocab, cache, limits, texts=texts, previous=previous)
    _WORKER.gate = gate


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the pool, the workers stay quiet
    (no traceback from each of them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_pool(path: Path) -> Summary:
    assert _WORKER is not None
    return _WORKER.run(path)[0]


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


def run_all(files: list[Path], worker: Worker, jobs: int | None, progress,
            started: Callable[[], object] = lambda: None) -> Iterator[Summary]:
    """Summaries as the reports are done (in input order), so the caller can fold them as they come.

    ``started`` is called once the workers run: what the parent does beside them must not
    begin before they are forked (a fork copies a thread's half-done import as it stands)."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    wrap = progress or (lambda it, total: it)
    if jobs == 1 or len(files) < 4 * jobs:
        started()
        for p in wrap(files, len(files)):
            yield worker.run(p)[0]
        return
    ctx = _pool_context()
    global _WORKER
    worker.gate = ctx.Semaphore(1)
    if ctx.get_start_method() == "fork":  # children inherit the parent's lexicon; each loads jieba only if it extracts
        _WORKER = worker
        init, args = _ignore_interrupts, ()
    else:
        init, args = _init_worker, (worker.vocab, worker.cache, worker.limits, worker.texts, worker.previous,
                                    worker.gate)
    pool = ctx.Pool(jobs, initializer=init, initargs=args)
    started()
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
