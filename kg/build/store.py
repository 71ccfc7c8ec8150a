"""The build's Oxigraph store: filled in bounded chunks by threads beside the extraction,
built on from the previous build's store, swapped in whole at the end."""

from __future__ import annotations

import hashlib
import json
import queue
import shutil
import threading
from pathlib import Path
from typing import Sequence

from .. import graph as G
from .. import queries
from ..layout import GRAPH_FILES, PAGE_FILES, STORE, STORE_STATE, Span, read_span, write_atomic


class StoreLoader:
    """An on-disk Oxigraph store filled in bounded chunks by threads, swapped in whole at the end.

    One bulk load of a big graph holds it all in memory (1.6 GB for 4 million
    triples); chunks of 16 MB keep the build's memory flat. One load runs on
    one core; two at once (each writes its own sorted files, which RocksDB
    ingests) take a third less time. Oxigraph releases the GIL while it
    loads, so the loading overlaps the extraction (what it costs is in the
    README's Scale section). Turtle parses faster than the same triples as N-Triples, and the graph
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
    STATE = STORE_STATE  # in the store's folder, so it is swapped in with the store
    BATCH = 1000  # subjects per delete
    COMPACT_SHARE = 10  # a build on a previous store compacts it when 1 in this many reports came or went
    SHAPE = {"reports": dict, "heads": dict, "triples": int}  # in a state this build can start from

    def __init__(self, out: Path, gen: Path, fingerprint: str, vocabulary: str, reuse: bool = True,
                 pages: str | None = None) -> None:
        import pyoxigraph as ox

        self._ox = ox
        # the previous store is the folder's (through its current generation); the new one is
        # written in this build's generation, which the build makes current when it is whole
        self.out, self.gen = out, gen
        self.new, self.live = gen / STORE, out / STORE
        self.fingerprint = fingerprint
        self.vocabulary = vocabulary  # the lexicon's digest: the concepts' blocks depend on it
        previous = self._copy_previous() if reuse else None
        self.base_reports: dict[str, str] = previous["reports"] if previous else {}  # report -> block digest
        self.vocabulary_before = previous.get("vocabulary") if previous else None
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
        self.swapped = 0  # of them, reports whose changed triples alone were swapped (an edit's)
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
                and self.vocabulary_before == self.vocabulary and self.graph_before == self._stamps(self.out, GRAPH_FILES))

    def keep_head(self) -> None:
        """Keep the previous build's concepts and places as they are."""
        self.heads = self.base_heads

    @property
    def pages_current(self) -> bool:
        """Whether the pages beside the previous store are what this build would draw: the
        store is unchanged, the same code drew them, and nobody replaced one since."""
        before = self.pages_before if isinstance(self.pages_before, dict) else {}
        return (self.reused and not self.touched and self.pages is not None and before.get("code") == self.pages
                and before.get("files") == self._stamps(self.out, PAGE_FILES))

    @staticmethod
    def _stamps(folder: Path, names: Sequence[str]) -> dict[str, list[int]] | None:
        """Size and time of the files of a folder (None if one is missing): a file linked into
        the next generation unchanged keeps both."""
        found = {}
        for name in names:
            try:
                st = (folder / name).stat()
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

    def add(self, report: str, block: str, spans: Sequence[Span], retired: tuple[str, str] | None = None) -> None:
        """A report's block (``block`` its digest; ``spans`` its Turtle and N-Triples in the
        cache), loaded unless the store has it already: a report of the same content whose
        block a vocabulary edit left as it was. ``retired``: the digest and N-Triples of the
        block it had before the edit."""
        self.reports[report] = block
        held = self.base_reports.get(report)
        if held == block:
            return
        self.added += 1
        if held is None:
            self._feed(read_span(spans[0]))
        elif retired is not None and retired[0] == held:  # an edit changed some of its mentions
            self.swapped += 1
            self._swap(retired[1], read_span(spans[1]).decode("utf-8"))
        else:
            self._delete(queries.text("delete_reports"), [G.iri(report)])
            self._feed(read_span(spans[0]))

    def _swap(self, old: str, new: str) -> None:
        """Replace triples by the difference alone (``old`` and ``new`` as N-Triples): an edit
        changes a few mentions of a report, or a few links of a body, and leaves the rest;
        deleting and loading all of them costs far more. One line of N-Triples is one triple
        (split at "\n" only: a literal may hold U+2028), and N-Triples is Turtle. A triple
        written another way in ``old`` is deleted and loaded again: the same in the end."""
        before, after = set(old.split("\n")), set(new.split("\n"))
        gone, come = sorted(before - after - {""}), sorted(after - before - {""})
        if gone:
            self.touched = True
            self.store.update("DELETE DATA {\n" + "\n".join(gone) + "\n}")
        if come:
            self._feed(("\n".join(come) + "\n").encode("utf-8"))

    def head(self, subject: str, turtle: str, ntriples: str) -> None:
        """A concept's or place's block, in Turtle and as N-Triples (they come after every report)."""
        data = turtle.encode("utf-8")
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        self.heads[subject] = digest
        held = self.base_heads.get(subject)
        if held == digest:
            return
        if held is None:
            self._feed(data)
            return
        self.changed.append((subject, ntriples))
        if len(self.changed) >= self.BATCH:
            self._replace_changed()

    def _replace_changed(self) -> None:
        """The changed subjects' triples swapped for the difference from what the store holds
        of them (the previous build's: no report and no other subject writes them)."""
        if not self.changed:
            return
        query = queries.text("triples_of_subjects").replace("@VALUES@", " ".join(s for s, _ in self.changed))
        held = self.store.query(query).serialize(format=self._ox.RdfFormat.N_TRIPLES).decode("utf-8")
        self._swap(held, "".join(nt for _, nt in self.changed))
        self.changed = []

    def _delete(self, update: str, terms: list[str]) -> None:
        """Run ``update`` on the IRIs (N-Triples terms; its ``@VALUES@``), a batch at a time."""
        for i in range(0, len(terms), self.BATCH):
            self.touched = True
            self.store.update(update.replace("@VALUES@", " ".join(terms[i:i + self.BATCH])))

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
        self._delete(queries.text("delete_subjects"), sorted(self.base_heads.keys() - self.heads.keys()))
        self._delete(queries.text("delete_reports"), [G.iri(r) for r in self._gone()])
        self._send()
        self._stop_threads()
        if self.error is not None:
            raise self.error
        self.store.flush()

    def optimize(self) -> bool:
        """Compact the store if this build filled it or loaded much of it: many loads leave
        many overlapping files, and a lookup reads each, so a store filled in chunks answers
        "which towns use X" several times slower uncompacted (README, Scale). A few reports
        more, or an edit's swapped mentions, cost a lookup a few percent (RocksDB's own
        background compaction takes care of them) and a compaction of the whole store
        seconds. Runs in RocksDB's threads beside the pages; the store can be read meanwhile.
        Whether it compacted."""
        whole = self.added - self.swapped + self.removed  # reports loaded or deleted whole
        if self.touched and (not self.reused or whole * self.COMPACT_SHARE >= max(len(self.reports), 1)):
            self.store.optimize()
            return True
        return False

    def commit(self) -> None:
        """Close the finished store and write its state beside it: what it holds, and which
        graph files and pages (by size and time, and the pages' code) its generation holds."""
        self.store.flush()
        self.store = None
        state = {"fingerprint": self.fingerprint, "vocabulary": self.vocabulary, "oxigraph": self._ox.__version__,
                 "reports": self.reports,
                 "heads": self.heads, "triples": self.triples, "graph": self._stamps(self.gen, GRAPH_FILES),
                 "pages": {"code": self.pages, "files": self._stamps(self.gen, PAGE_FILES)} if self.pages else None}
        write_atomic(self.new / self.STATE, json.dumps(state, ensure_ascii=False, sort_keys=True))

    def abandon(self) -> None:
        if any(thread.is_alive() for thread in self.threads):
            self.error = self.error or RuntimeError("abandoned")
            self._stop_threads()
        self.store = None
        shutil.rmtree(self.new, ignore_errors=True)


