"""A build starts from the previous build's store: it must end with exactly the store, graph
and pages a build from nothing makes, and leave alone what did not change."""

from __future__ import annotations

import json
from pathlib import Path
import shutil

import pyoxigraph as ox
import pytest

from kg import build as B
from kg.build.store import StoreLoader
from kg.layout import PAGE_FILES as PAGES

from conftest import SAMPLES


def _quads(out) -> list[str]:
    store = ox.Store.read_only(str(out / "store"))
    return sorted(store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


def _outputs(out) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.nt", *PAGES)}


@pytest.fixture
def reports(tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(SAMPLES, folder)
    return folder


@pytest.fixture
def first(reports, tmp_path):
    out = tmp_path / "out"
    built = B.build([reports], out)
    assert built.store_update is None and built.compacted  # nothing to start from: filled, then compacted
    return out


def test_a_build_on_the_previous_store_equals_a_build_from_nothing(reports, first, tmp_path):
    files = sorted(reports.glob("*.txt"))
    files[0].unlink()  # gone
    text = files[1].read_text(encoding="utf-8")
    assert "法律明白人" in text
    files[1].write_text(text.replace("法律明白人", "网格法律诊所"), encoding="utf-8")  # changed
    text = files[4].read_text(encoding="utf-8")
    (reports / "new.txt").write_text(text.replace("网格法律诊所", "三所联动"), encoding="utf-8")  # new, same town

    again = B.build([reports], first)
    fresh = tmp_path / "fresh"
    B.build([reports], fresh)

    assert again.store_update == (2, 2)  # the changed report counts as deleted and loaded
    assert again.compacted  # 4 of 5 reports came or went
    quads = _quads(first)
    assert quads == _quads(fresh)
    assert not any("/report/" + files[0].stem in q for q in quads)
    assert _outputs(first) == _outputs(fresh)
    state = json.loads((first / "store" / StoreLoader.STATE).read_text(encoding="utf-8"))
    assert len(state["reports"]) == 5


def test_an_unchanged_rerun_keeps_the_store_graph_and_pages(reports, first):
    kept = ("graph.ttl", "graph.nt", *PAGES)
    before = {name: (first / name).stat().st_mtime_ns for name in kept}
    quads = _quads(first)
    outputs = _outputs(first)
    triples = json.loads((first / "manifest.json").read_text(encoding="utf-8"))["triples"]

    again = B.build([reports], first)

    assert again.store_update == (0, 0)
    assert again.triples == triples == len(quads)
    assert {name: (first / name).stat().st_mtime_ns for name in kept} == before  # not written again
    assert _quads(first) == quads
    assert _outputs(first) == outputs


def test_a_rerun_into_a_relative_folder_builds_on_the_previous_one(reports, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # --out given relative to the working folder, as a user types it
    assert B.build([reports], "rel").store_update is None
    store = (tmp_path / "rel" / "store").resolve()

    pages = {name: (tmp_path / "rel" / name).stat().st_mtime_ns for name in PAGES}

    assert B.build([reports], "rel").store_update == (0, 0)  # it was not swept away before the build
    assert (tmp_path / "rel" / "store").resolve() != store  # a new generation, made from the previous one
    assert {name: (tmp_path / "rel" / name).stat().st_mtime_ns for name in PAGES} == pages  # kept


@pytest.mark.parametrize("name", ["graph.nt", "network.html"])
@pytest.mark.parametrize("spoil", ["delete", "overwrite"])
def test_an_output_deleted_or_replaced_is_written_again(reports, first, name, spoil):
    path = first / name
    written = path.read_bytes()
    if spoil == "delete":
        path.unlink()
    else:  # as `kg viz -o outputs/network.html` would
        path.write_text("<html>one county</html>", encoding="utf-8")
    assert B.build([reports], first).store_update == (0, 0)
    assert path.read_bytes() == written


def test_pages_are_drawn_again_when_their_code_changed(reports, first, monkeypatch):
    before = {name: (first / name).stat().st_mtime_ns for name in PAGES}
    monkeypatch.setattr(B, "_drawing_code", lambda: "other code")

    assert B.build([reports], first).store_update == (0, 0)
    assert all((first / name).stat().st_mtime_ns != before[name] for name in PAGES)


@pytest.mark.parametrize("spoil", ["fingerprint", "garbage", "missing"])
def test_a_store_that_cannot_be_built_on_is_built_from_nothing(reports, first, spoil):
    state = first / "store" / StoreLoader.STATE
    quads = _quads(first)
    if spoil == "fingerprint":
        data = json.loads(state.read_text(encoding="utf-8"))
        data["fingerprint"] = "another extractor"
        state.write_text(json.dumps(data), encoding="utf-8")
    elif spoil == "garbage":
        state.write_text("{not json", encoding="utf-8")
    else:
        state.unlink()

    assert B.build([reports], first).store_update is None
    assert _quads(first) == quads
    assert state.is_file()


def test_rebuild_starts_from_nothing(reports, first):
    assert B.build([reports], first, rebuild=True).store_update is None


def test_builds_in_a_row_end_where_a_build_from_nothing_does(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    samples = sorted(SAMPLES.glob("*.txt"))
    for i in range(12):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        (folder / f"r{i:02d}.txt").write_text(f"{text}\n附件{i}。\n", encoding="utf-8")
    out = tmp_path / "out"
    B.build([folder], out, pages=False)
    (folder / "r00.txt").unlink()
    assert B.build([folder], out, pages=False).store_update == (0, 1)
    changed = folder / "r01.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("法律明白人", "三所联动"), encoding="utf-8")
    assert B.build([folder], out, pages=False).store_update == (1, 1)
    shutil.copy(samples[0], folder / "r99.txt")
    assert B.build([folder], out, pages=False).store_update == (1, 0)
    fresh = tmp_path / "fresh"
    B.build([folder], fresh, pages=False)
    assert _quads(out) == _quads(fresh)


def test_a_store_changed_by_an_update_is_built_again_from_nothing(reports, first, tmp_path):
    from kg.query import GraphStore

    GraphStore.open(first, writable=True).update(
        "INSERT DATA { <https://example.org/x> rdfs:label \"用户加的\"@zh }")
    assert not (first / "store" / StoreLoader.STATE).exists()

    assert B.build([reports], first).store_update is None
    fresh = tmp_path / "fresh"
    B.build([reports], fresh)
    assert _quads(first) == _quads(fresh)


_EDIT = """@prefix fz: <https://w3id.org/fzkg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/fzkg/id/concept/出庭应诉工作> a skos:Concept , fz:Mechanism ; skos:prefLabel "出庭应诉工作"@zh .
<https://w3id.org/fzkg/id/concept/法治政府建设示范创建> skos:altLabel "示范引导作用"@zh .
"""


def test_a_vocabulary_edit_extracts_again_only_the_reports_it_touches(reports, first, tmp_path):
    # a concept added (one report names it) and an altLabel added to a concept (another report)
    vocab = tmp_path / "mine.ttl"
    vocab.write_text(_EDIT, encoding="utf-8")
    touched = sorted(p.name for p in reports.glob("*.txt")
                     if any(name in p.read_text(encoding="utf-8") for name in ("出庭应诉工作", "示范引导作用")))
    assert 1 <= len(touched) < 5

    again = B.build([reports], first, vocab=[vocab])
    fresh = tmp_path / "fresh"
    B.build([reports], fresh, vocab=[vocab])

    assert sorted(Path(r.path).name for r in again.records if not r.cached) == touched
    assert again.store_update == (len(touched), 0)  # loaded again in place; none gone
    assert not again.compacted  # only the mentions the edit changed were swapped
    assert _quads(first) == _quads(fresh)
    assert _outputs(first) == _outputs(fresh)
    assert "出庭应诉工作" in (first / "graph.ttl").read_text(encoding="utf-8")

    # and back: the edit undone, the first vocabulary's entries serve again
    undone = B.build([reports], first)
    assert sorted(Path(r.path).name for r in undone.records if not r.cached) == touched
    B.build([reports], fresh, rebuild=True)
    assert _outputs(first) == _outputs(fresh) and _quads(first) == _quads(fresh)


def test_a_vocabulary_edit_finds_only_the_mentions_again(reports, first, tmp_path, monkeypatch):
    # what a report says about itself (its text, title, body, dates and place) does not depend
    # on the vocabulary: a report the edit touches is taken from its cache entry, not parsed,
    # and neither its body nor its place is looked for again
    from kg import readers
    from kg.extract.body import BodyFinder
    from kg.resolve import Resolver

    vocab = tmp_path / "mine.ttl"
    vocab.write_text(_EDIT, encoding="utf-8")

    def again_from_scratch(*args, **kwargs):
        raise AssertionError("a touched report was read and extracted from scratch")

    for target, name in ((readers, "parse"), (BodyFinder, "find"), (Resolver, "place")):
        monkeypatch.setattr(target, name, again_from_scratch)
    again = B.build([reports], first, vocab=[vocab], jobs=1)
    monkeypatch.undo()
    assert any(not r.cached for r in again.records)
    fresh = tmp_path / "fresh"
    B.build([reports], fresh, vocab=[vocab])
    assert _outputs(first) == _outputs(fresh)
    assert json.loads((first / "manifest.json").read_text(encoding="utf-8"))["files"] == \
        json.loads((fresh / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_an_edit_replaces_a_reports_changed_triples_whatever_its_sentences_hold(reports, first, tmp_path):
    # the store swaps only the triples an edit changed, line by line of N-Triples: a line
    # separator inside a sentence literal (U+2028 is kept as it is) must not cut a triple
    path = next(p for p in reports.glob("*.txt") if "出庭应诉工作" in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace("出庭应诉工作", "司法所\u2028出庭应诉工作"),
                    encoding="utf-8")
    B.build([reports], first, pages=False)
    assert "\u2028" in (first / "graph.nt").read_text(encoding="utf-8")
    vocab = tmp_path / "mine.ttl"
    vocab.write_text(_EDIT, encoding="utf-8")
    fresh = tmp_path / "fresh"

    touched = sum(any(name in p.read_text(encoding="utf-8") for name in ("出庭应诉工作", "示范引导作用"))
                  for p in reports.glob("*.txt"))

    for edit in ([vocab], []):  # the new mentions in, then out again
        assert B.build([reports], first, vocab=edit, pages=False).store_update == (touched, 0)
        B.build([reports], fresh, vocab=edit, pages=False, rebuild=True)
        assert _quads(first) == _quads(fresh)


def test_only_the_vocabularies_entries_were_made_with_are_kept(reports, first, tmp_path):
    snapshots = lambda: sorted(p.name for p in (first / "cache").glob("*/vocabulary/*.json"))
    assert len(snapshots()) == 1
    vocab = tmp_path / "mine.ttl"
    vocab.write_text(_EDIT, encoding="utf-8")
    B.build([reports], first, vocab=[vocab], pages=False)
    assert len(snapshots()) == 2  # the untouched reports' entries were made with the first
    B.build([reports], first, vocab=[vocab], pages=False, rebuild=True)
    assert len(snapshots()) == 1


def _synth():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("synth", Path(__file__).resolve().parent.parent / "benchmarks" / "synth.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = mod  # dataclasses look the module up by name
    spec.loader.exec_module(mod)
    return mod


_SCALE_EDITS = """@prefix fz: <https://w3id.org/fzkg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/fzkg/id/concept/社区调解工作室> a skos:Concept , fz:Institution ; skos:prefLabel "社区调解工作室"@zh .
<https://w3id.org/fzkg/id/concept/个人调解工作室> skos:altLabel "贵和工作室"@zh .
"""


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    _synth().generate(160, folder, seed=3, shard=1000)
    return folder


@pytest.mark.parametrize("extra", [32, 5, 1])  # keep in step with memo.EXTRA  # evidence candidates kept per concept: enough, cut, too few
def test_pages_of_a_build_that_folds_only_the_changed_bodies_equal_pages_drawn_anew(many, tmp_path, monkeypatch,
                                                                                     extra):
    from kg.pages import memo

    monkeypatch.setattr(memo, "EXTRA", extra)
    corpus = tmp_path / "reports"
    shutil.copytree(many, corpus)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    cold = B.build([corpus], out, pages=True)
    assert cold.pages_update[0] == cold.pages_update[1] == len(cold.records) - 1  # all folded; one body each
    vocab = tmp_path / "edits.ttl"
    vocab.write_text(_SCALE_EDITS, encoding="utf-8")

    again = B.build([corpus], out, vocab=[vocab])
    folded, bodies = again.pages_update
    if extra == 32:  # the default: the bodies whose reports name an edited concept; with fewer
        assert 0 < folded < bodies / 2  # candidates kept, a common concept's bodies fold again too
    B.build([corpus], fresh, vocab=[vocab])
    assert _outputs(out) == _outputs(fresh)

    # reports changed, gone and new; and towns.csv replaced by hand: the memo is not used then
    files = sorted(corpus.rglob("*.txt"))
    files[0].unlink()
    files[1].write_text(files[1].read_text(encoding="utf-8").replace("司法所", "人民调解委员会"), encoding="utf-8")
    (corpus / "new.txt").write_text(files[2].read_text(encoding="utf-8"), encoding="utf-8")
    again = B.build([corpus], out, vocab=[vocab])
    assert again.pages_update[0] < again.pages_update[1] or extra < 32
    B.build([corpus], fresh, vocab=[vocab], rebuild=True)
    assert _outputs(out) == _outputs(fresh)
    (out / "towns.csv").write_text("town\n", encoding="utf-8")
    assert B.build([corpus], out).pages_update[0] == again.pages_update[1]
    B.build([corpus], fresh, rebuild=True)
    assert _outputs(out) == _outputs(fresh)
