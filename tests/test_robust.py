"""Real inputs, bad inputs, nothing lost: formats, errors, manifest, cache, kills, injection."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixtures_ingest as F
from conftest import SAMPLES
from kg.build import build
from kg.cli import main
from kg.query import GraphStore

CONCEPTS = """SELECT ?label ?cls WHERE { ?c fz:mentionOf|^fz:mentionOf ?x . ?m fz:mentionOf ?c . ?c skos:prefLabel ?label ; a ?cls .
  FILTER(?cls != skos:Concept) }"""
ISSUER = "SELECT ?town ?year WHERE { ?r fz:issuedBy/rdfs:label ?town ; fz:year ?year }"


def facts(out: Path) -> tuple[set, set]:
    store = GraphStore.open(out)
    concepts = {(r["label"], r["cls"]) for r in store.select(
        "SELECT DISTINCT ?label ?cls WHERE { ?m fz:mentionOf ?c . ?c skos:prefLabel ?label ; a ?cls . FILTER(?cls != skos:Concept) }")}
    issuer = {(r["town"], r["year"]) for r in store.select(ISSUER)}
    return concepts, issuer


def html_page(text: str) -> bytes:
    lines = text.strip().split("\n")
    body = "".join(f"<p>{line}</p>" for line in lines[2:])
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{lines[1]}</title><style>p {{ color: #333 }}</style><script>var nav = "首页 政务公开";</script></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>
<div class="article"><h1>{lines[0]}</h1><p>{lines[1]}</p>{body}</div>
<div class="footer">字体:[大][中][小] 打印本页 关闭窗口</div></body></html>"""
    return page.encode("gb18030")


def write_docx(path: Path, text: str) -> None:
    import docx

    doc = docx.Document()
    for line in text.strip().split("\n"):
        doc.add_paragraph(line)
    doc.save(path)


@pytest.fixture(scope="module")
def utf8_facts(tmp_path_factory):
    d = tmp_path_factory.mktemp("utf8")
    (d / "in").mkdir()
    (d / "in" / "r.txt").write_text(F.REPORT + "一、主要工作\n", encoding="utf-8")
    build([d / "in"], d / "out", pages=False)
    concepts, issuer = facts(d / "out")
    assert ("三所联动", "https://w3id.org/fzkg/ontology#Mechanism") in concepts
    assert ("民法典", "https://w3id.org/fzkg/ontology#Law") in concepts
    assert issuer == {("岔河镇", "2023")}
    return concepts, issuer


@pytest.mark.parametrize("fmt", ["gb18030", "big5", "utf-16", "utf-8-sig", "html", "docx", "pdf"])
def test_every_format_gives_the_concepts_of_the_utf8_text(fmt, utf8_facts, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    text = F.REPORT + "一、主要工作\n"
    if fmt == "big5":
        (inp / "r.txt").write_bytes((F.REPORT_TRADITIONAL + "一、主要工作\n").encode("big5"))
    elif fmt in ("gb18030", "utf-16", "utf-8-sig"):
        (inp / "r.txt").write_bytes(text.encode(fmt))
    elif fmt == "html":
        (inp / "r.html").write_bytes(html_page(text))
    elif fmt == "docx":
        write_docx(inp / "r.docx", text)
    else:
        F.write_pdf(inp / "r.pdf")
    result = build([inp], tmp_path / "out", pages=False)
    assert [r.status for r in result.records] == ["ok"]
    assert facts(tmp_path / "out") == utf8_facts
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][0]
    assert entry["format"] == {"html": "html", "docx": "docx", "pdf": "pdf"}.get(fmt, "txt")
    if fmt in ("gb18030", "big5"):
        assert entry["encoding"] == fmt
    # every offset indexes the text kept in texts/
    key = entry["report"].rsplit("/", 1)[-1]
    kept = (tmp_path / "out" / "texts" / f"{key}.txt").read_text(encoding="utf-8")
    rows = GraphStore.open(tmp_path / "out").select(
        "SELECT ?s ?e ?f WHERE { ?m fz:charStart ?s ; fz:charEnd ?e ; fz:surfaceForm ?f }")
    assert rows and all(kept[int(r["s"]):int(r["e"])] == r["f"] for r in rows)


@pytest.fixture
def bad_batch(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(F.REPORT, encoding="utf-8")
    (d / "copy.txt").write_text(F.REPORT, encoding="utf-8")  # the same content twice
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("  \n\n", encoding="utf-8")
    (d / "random.txt").write_bytes(bytes(range(256)) * 8)
    full = d / "truncated.docx"
    F.write_docx(full)
    full.write_bytes(full.read_bytes()[:700])
    (d / "notword.docx").write_bytes(F.docx_bytes_of_other_zip())
    (d / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf")
    F.write_scanned_pdf(d / "scan.pdf")
    (d / "big.txt").write_text(F.REPORT * 400, encoding="utf-8")
    (d / "notes.xlsx").write_bytes(b"PK")
    return d


EXPECTED_REASONS = {
    "empty.txt": "empty file",
    "blank.txt": "empty file",
    "scan.pdf": "no text layer (scanned?)",
    "big.txt": "too large",
    "random.txt": "not text",
    "truncated.docx": "docx",
    "notword.docx": "not a word document",
    "corrupt.pdf": "pdf",
}


def test_bad_inputs_cost_only_themselves(bad_batch, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(bad_batch), "--out", str(out), "--max-bytes", "100000", "-j", "1"])
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.startswith(str(bad_batch))]
    for name, reason in EXPECTED_REASONS.items():
        mine = [l for l in lines if l.startswith(f"{bad_batch / name}: ")]
        assert len(mine) == 1, (name, lines)
        assert reason in mine[0].lower(), mine
    assert any(l == f"{bad_batch / 'notes.xlsx'}: skipped (unknown file type)" for l in lines)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {Path(f["path"]).name: f for f in manifest["files"]}
    assert set(status) == {p.name for p in bad_batch.iterdir()}
    assert status["copy.txt"]["status"] == "ok" and status["good.txt"]["status"] == "duplicate"
    assert status["good.txt"]["reason"] == f"same content as {bad_batch / 'copy.txt'}"
    assert status["notes.xlsx"]["status"] == "skipped"
    assert all(status[n]["status"] == "failed" for n in EXPECTED_REASONS)
    assert status["copy.txt"]["sha256"] and status["copy.txt"]["report"].startswith("https://w3id.org/fzkg/id/report/")
    assert manifest["status"] == {"ok": 1, "duplicate": 1, "skipped": 1, "failed": len(EXPECTED_REASONS)}
    assert facts(out)[1] == {("岔河镇", "2023")}  # the good report is built once


def test_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["build", str(SAMPLES), "--out", str(tmp_path / "a"), "-q"])
    assert ok.exit_code == 0 and ok.output == ""
    usage = runner.invoke(main, ["build", "--jobs", "0", str(SAMPLES)])
    assert usage.exit_code == 2


def test_cache_reextracts_only_what_changed(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for p in sorted(SAMPLES.glob("*.txt")):
        (inp / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "out"
    first = build([inp], out, pages=False)
    assert not any(r.cached for r in first.records)
    graph = (out / "graph.ttl").read_bytes()
    again = build([inp], out, pages=False)
    assert all(r.cached for r in again.records)
    assert (out / "graph.ttl").read_bytes() == graph
    changed = sorted(inp.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n严格落实“三所联动”调解机制。\n", encoding="utf-8")
    third = build([inp], out, pages=False)
    assert [Path(r.path).name for r in third.records if not r.cached] == [changed.name]
    assert (out / "graph.ttl").read_bytes() != graph
    vocab = tmp_path / "mine.ttl"
    vocab.write_text("@prefix fz: <https://w3id.org/fzkg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                     "<https://w3id.org/fzkg/id/concept/老杨说法> a skos:Concept , fz:Mechanism ; skos:prefLabel \"老杨说法\"@zh .\n",
                     encoding="utf-8")
    fourth = build([inp], out, pages=False, vocab=[vocab])
    assert all(r.cached for r in fourth.records)  # no report names the new concept


def _corpus(tmp_path: Path, n: int) -> Path:
    inp = tmp_path / "corpus"
    inp.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    for i in range(n):
        (inp / f"r{i:04d}.txt").write_text(texts[i % len(texts)] + f"\n第{i}号。\n", encoding="utf-8")
    return inp


def _kg(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import main; main()", *args]


def test_a_killed_build_leaves_the_previous_outputs_whole(tmp_path):
    inp = _corpus(tmp_path, 120)
    out = tmp_path / "out"
    subprocess.run(_kg("build", str(inp), "--out", str(out), "-q"), check=True)
    names = ("graph.ttl", "network.html", "manifest.json")
    before = {n: (out / n).read_bytes() for n in names}
    (inp / "r0000.txt").write_text("岔河镇2024年度法治政府建设工作报告\n2024年，岔河镇落实“三所联动”调解机制。", encoding="utf-8")
    for delay in (0.5, 1.5, 3.0):
        proc = subprocess.Popen(_kg("build", str(inp), "--out", str(out), "-q", "--rebuild"))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for n in names:
            data = (out / n).read_bytes()
            assert data == before[n] or n != "graph.ttl" or data.endswith(b".\n"), n
        # whatever the moment, each file is the old one or a whole new one
        json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert (out / "network.html").read_bytes().rstrip().endswith(b"</html>")
        GraphStore.open(out / "graph.ttl")
        before = {n: (out / n).read_bytes() for n in names}


def test_ctrl_c_stops_with_130_and_keeps_outputs(tmp_path):
    inp = _corpus(tmp_path, 200)
    out = tmp_path / "out"
    subprocess.run(_kg("build", str(SAMPLES), "--out", str(out), "-q"), check=True)
    before = {n: (out / n).read_bytes() for n in ("graph.ttl", "network.html", "manifest.json")}
    proc = subprocess.Popen(_kg("build", str(inp), "--out", str(out), "-q", "-j", "2"), stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert {n: (out / n).read_bytes() for n in before} == before
    assert not list(out.glob(".*.tmp"))


def test_markup_in_reports_never_becomes_markup(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    evil = ("岔河镇2023年度法治政府建设工作报告\n2023年，岔河镇印发《<img src=x onerror=alert(1)>管理办法》"
            "和《<script>alert(1)</script>实施方案》，推行“<b>说法</b>评理”平台。\n")
    (inp / '<img src=x onerror=alert("x")>.txt').write_text(evil, encoding="utf-8")
    out = tmp_path / "out"
    build([inp], out)
    page = (out / "network.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<script>alert" not in page and "<b>说法" not in page
    labels = {r["l"] for r in GraphStore.open(out).select("SELECT ?l WHERE { ?c a fz:Law ; skos:prefLabel ?l }")}
    assert "<img src=x onerror=alert（1）>管理办法" in labels  # kept as text (brackets made full-width)


def test_names_are_bound_never_pasted(tmp_path):
    build([SAMPLES], tmp_path, pages=False)
    store = GraphStore.open(tmp_path)
    for evil in ('三所联动" } ; DROP ALL ; #', "三所联动' } UNION { ?s ?p ?o } #", "\\\" ) } #"):
        assert store.towns(evil).rows == ()
        assert store.concepts_of(evil).rows == ()
    assert store.towns("三所联动").rows  # and the store is untouched


def test_updates_need_the_flag(tmp_path):
    ttl = tmp_path / "g.ttl"
    ttl.write_text('<https://w3id.org/fzkg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n', encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(main, ["query", "DELETE WHERE { ?s ?p ?o }", "--graph", str(ttl)])
    assert refused.exit_code == 2 and "pass --update" in refused.output
    done = runner.invoke(main, ["query", "--update", "INSERT DATA { <https://w3id.org/fzkg/id/y> rdfs:label \"y\" }",
                                "--graph", str(ttl)])
    assert done.exit_code == 0, done.output
    count = runner.invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--graph", str(ttl), "--format", "csv"])
    assert count.output == "n\n2\n"


def test_an_unreadable_file_is_one_line_and_the_batch_goes_on(tmp_path, monkeypatch):
    """Root reads a chmod-000 file anyway, so the refusal the OS would give is simulated."""
    import builtins

    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "good.txt").write_text(F.REPORT, encoding="utf-8")
    locked = inp / "locked.txt"
    locked.write_text(F.REPORT + "另一份。", encoding="utf-8")
    real_open = builtins.open

    def guarded_open(path, *args, **kwargs):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("kg.readers.files.open", guarded_open, raising=False)
    result = CliRunner().invoke(main, ["build", str(inp), "--out", str(tmp_path / "out"), "-q", "-j", "1"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"{locked}: cannot read: permission denied"]
    assert facts(tmp_path / "out")[1] == {("岔河镇", "2023")}


@pytest.mark.parametrize("mark", ["\u200b", "\u202e", "\ufeff"])
def test_an_invisible_character_in_a_file_name_costs_nothing(tmp_path, mark):
    # scraped names carry zero-width spaces and bidi controls: they are dropped from the
    # report's IRI and text file, and the report is built like its twin without them
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / f"岔河{mark}镇.txt").write_text(F.REPORT, encoding="utf-8")
    (tmp_path / "in" / "plain.txt").write_text(F.REPORT + "另一份。\n", encoding="utf-8")
    result = build([tmp_path / "in"], tmp_path / "out", pages=False)
    assert not result.failed and result.reports == 2
    texts = sorted(p.name for p in (tmp_path / "out" / "texts").iterdir())
    assert len(texts) == 2 and texts[0].startswith("plain-") and texts[1].startswith("岔河镇-")
    sources = {r["s"] for r in GraphStore.open(tmp_path / "out").select("SELECT ?s WHERE { ?r dct:source ?s }")}
    assert f"岔河{mark}镇.txt" in sources  # dct:source keeps the name as it is


def test_a_file_whose_name_cannot_make_an_iri_costs_that_file_only(tmp_path, monkeypatch):
    from kg import graph as G

    def refuse(source, sha256):
        if source.startswith("bad"):
            raise ValueError(f"cannot mint an IRI from {source!r}")
        return G._mint("report", G.report_key(source, sha256))

    monkeypatch.setattr(G, "report_iri", refuse)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.txt").write_text(F.REPORT, encoding="utf-8")
    (tmp_path / "in" / "good.txt").write_text(F.REPORT + "另一份。\n", encoding="utf-8")
    result = build([tmp_path / "in"], tmp_path / "out", pages=False, jobs=1)
    assert result.reports == 1
    assert [(Path(r.path).name, r.reason) for r in result.failed] == [("bad.txt", "cannot mint an IRI from 'bad.txt'")]
