"""The streaming build: the store is filled while reports are extracted, and the pages
read each report's evidence from the file its worker wrote. Both must give what the
graph itself gives."""

from __future__ import annotations

import json

import pytest

from kg import build as B
from kg import graph as G
from kg.build.cache import Cache
from kg.build.store import StoreLoader
from kg.pages import EvidenceFiles, as_source, write_pages
from kg.query import GraphStore

from conftest import SAMPLES

PAGES = ("network.html", "summary.html", "towns.csv", "graph.graphml")


def _evidence_files(out) -> dict[str, tuple[str, int, int]]:
    """report IRI -> where its evidence lies in the build's cache."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    folders = [d for d in (out / "cache").iterdir() if d.is_dir()]
    assert len(folders) == 1
    cache = Cache(folders[0].parent, folders[0].name)
    found = {}
    for f in manifest["files"]:
        if f["status"] == "ok":
            entry = cache.get(f["sha256"], G.report_key(f["path"].rsplit("/", 1)[-1], f["sha256"]))
            found[f["report"]] = entry.spans[2]
    return found


def _per_report(found: dict[str, list[list]]) -> dict[str, dict[str, tuple[int, str]]]:
    """A source's per_concept answer, each report's concepts in no particular order."""
    return {r: {c: (int(n), sentence) for c, n, sentence in items} for r, items in found.items()}


def test_evidence_files_say_what_the_store_says(sample_build):
    _, out = sample_build
    files = _evidence_files(out)
    store = as_source(GraphStore.open(out))
    reports = sorted(files)
    assert len(reports) == len(list(SAMPLES.glob("*.txt")))
    from_store = _per_report(store.per_concept(reports))  # the mentions grouped from the store
    from_files = _per_report(EvidenceFiles(store, files).per_concept(reports))  # as cached
    assert from_files == from_store
    assert sum(n for found in from_files.values() for n, _ in found.values()) == \
        json.loads((out / "manifest.json").read_text(encoding="utf-8"))["mentions"]


@pytest.mark.parametrize("backend", ["store", "file"])
def test_pages_from_evidence_files_equal_pages_from_the_graph(sample_build, tmp_path, backend):
    _, out = sample_build
    graph = GraphStore.open(out if backend == "store" else out / "graph.ttl")
    write_pages(graph, tmp_path)
    for name in PAGES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_a_failing_store_load_fails_the_build_and_keeps_the_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "out"
    B.build([SAMPLES], out, pages=False)
    before = {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.nt", "manifest.json")}
    towns = GraphStore.open(out).towns("三所联动").rows
    assert towns

    monkeypatch.setattr(StoreLoader, "CHUNK", 1)  # a load per report, so the failure comes mid-extraction
    real_send = StoreLoader._send

    def corrupt(self):
        self.parts = [p.replace(b" a fz:Report", b" a fz:Report ;;; <", 1) for p in self.parts]
        real_send(self)

    monkeypatch.setattr(StoreLoader, "_send", corrupt)
    with pytest.raises(SyntaxError):
        B.build([SAMPLES], out, pages=False, rebuild=True, jobs=1)
    assert {n: (out / n).read_bytes() for n in before} == before
    assert GraphStore.open(out).towns("三所联动").rows == towns
    assert not (out / ".store-new").exists()
    assert not list(out.glob(".*.tmp"))


def test_without_a_store_the_pages_come_from_the_finished_graph_file(sample_build, tmp_path):
    _, with_store = sample_build
    B.build([SAMPLES], tmp_path, store=False)
    assert not (tmp_path / "store").exists()
    for name in ("graph.ttl", *PAGES):
        assert (tmp_path / name).read_bytes() == (with_store / name).read_bytes(), name


def test_a_failure_while_the_pages_are_drawn_changes_no_output(tmp_path, monkeypatch):
    """Graph files, store and pages are swapped in together at the end, or not at all."""
    import kg.pages

    out = tmp_path / "out"
    B.build([SAMPLES], out)
    names = ("graph.ttl", "graph.nt", "manifest.json", *PAGES)
    before = {n: (out / n).read_bytes() for n in names}
    towns = GraphStore.open(out).towns("三所联动").rows
    changed = tmp_path / "in"
    changed.mkdir()
    (changed / "a.txt").write_text("岔河镇2024年度法治政府建设工作报告\n2024年，岔河镇落实“网格法律诊所”机制。",
                                   encoding="utf-8")

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.pages, "write_pages", broken)
    with pytest.raises(KeyboardInterrupt):
        B.build([changed], out)
    assert {n: (out / n).read_bytes() for n in names} == before
    assert GraphStore.open(out).towns("三所联动").rows == towns
    # the generation it was writing is gone; what is left is the folder's housekeeping (its
    # lock, its mark, the note that a build did not finish, the current generation)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".building", ".fzkg-build", ".generations", ".lock"]
    assert [g.name for g in (out / ".generations").iterdir()] == [(out / "current").resolve().name]


def test_the_graph_files_are_copied_span_by_span_in_order(tmp_path, monkeypatch):
    """The reports' blocks are appended by a child process (``kg.spancopy``), in the given order,
    through the kernel or, where it cannot, through the process."""
    from kg import layout, spancopy

    a, b = tmp_path / "a.report", tmp_path / "b.report"
    a.write_bytes("头部 turtle-a ntriples-a 尾".encode())
    b.write_bytes(b"x" * (3 << 20))  # longer than one read of the fallback
    lines = [json.dumps([str(b), [[1, 5, 3 << 19], [0, 1, 4]]]), json.dumps([str(a), [[0, 7, 8], [1, 16, 10]]])]
    for in_kernel in (True, False):
        monkeypatch.setattr(layout, "_in_kernel", in_kernel)
        outs = [tmp_path / f"out{i}-{in_kernel}" for i in (0, 1)]
        for out in outs:
            out.write_bytes(b"head ")
        with open(outs[0], "r+b", buffering=0) as o0, open(outs[1], "r+b", buffering=0) as o1:
            o0.seek(0, 2)
            o1.seek(0, 2)
            spancopy.copy_spans(lines, [o0, o1])
        assert outs[0].read_bytes() == b"head xxxx" + b"turtle-a"
        assert outs[1].read_bytes() == b"head " + b"x" * (3 << 19) + b"ntriples-a"


def test_a_graph_file_copy_that_fails_fails_the_build_with_the_reason(tmp_path):
    import threading

    from kg.build.graphfiles import write_tail
    from kg.build.records import Record, Summary
    from kg.layout import AtomicWriter

    gone = str(tmp_path / "gone.report")
    s = Summary(Record("a.txt", "ok"), blocks=((gone, 0, 10), (gone, 10, 10)))
    ttl, nt = AtomicWriter(tmp_path / "graph.ttl"), AtomicWriter(tmp_path / "graph.nt")
    with pytest.raises(OSError, match="copying the reports into the graph files failed: .*gone.report"):
        write_tail(ttl, nt, [s], threading.Event())
    cancelled = threading.Event()
    cancelled.set()
    write_tail(ttl, nt, [s], cancelled)  # a cancelled build stops copying, and says nothing
    ttl.abandon()
    nt.abandon()
    assert not list(tmp_path.iterdir())


def test_a_splicer_puts_text_and_the_page_befores_spans_in_order(tmp_path, monkeypatch):
    """Kept rows and edges are spliced from the page before as bytes; spans that follow each
    other in it go in one copy."""
    from kg import layout

    before = tmp_path / "before.csv"
    before.write_bytes("甲,1\n乙,2\n丙,3\n".encode())  # rows of 6 bytes each
    copies = []
    real = layout.copy_range
    monkeypatch.setattr(layout, "copy_range", lambda *a: copies.append(a[2:]) or real(*a))
    for in_kernel in (True, False):
        monkeypatch.setattr(layout, "_in_kernel", in_kernel)
        copies.clear()
        with open(tmp_path / "new.csv", "w", encoding="utf-8") as fh:
            out = layout.Splicer(fh, before)
            out.write("头\n")
            out.splice(0, 6)
            out.splice(6, 6)  # follows the span before: one copy of both
            out.write("新,9\n")
            out.splice(12, 6)
            out.flush()
            out.close()
        assert (tmp_path / "new.csv").read_text(encoding="utf-8") == "头\n甲,1\n乙,2\n新,9\n丙,3\n"
        assert copies == [(0, 12), (12, 6)]
