"""Hostile inputs and shared folders: one file costs that file at most, limits hold before memory
is spent, a folder is written by one build at a time and read as one whole generation."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixtures_ingest as F
from conftest import SAMPLES
from kg.build import build
from kg.cli import main
from kg.layout import BuildFolder
from kg.query import GraphStore
from kg.readers import ReadLimits


def manifest(out: Path) -> dict:
    return {Path(f["path"]).name: f for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}


# ---------------------------------------------------------------- what one file holds

@pytest.mark.parametrize("mark", ["\ufeff", "\u202e", "\u200b"])
def test_an_invisible_character_inside_a_quoted_name(tmp_path, mark):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(f"岔河镇人民政府2023年度法治政府建设工作报告\n建立“网格{mark}法律诊所”机制。\n",
                                           encoding="utf-8")
    result = build([tmp_path / "in"], tmp_path / "out", pages=False)
    assert not result.failed
    labels = {r["l"] for r in GraphStore.open(tmp_path / "out").select(
        "SELECT ?l WHERE { ?c a fz:Mechanism ; skos:prefLabel ?l }")}
    assert "网格法律诊所" in labels and not any(mark in label for label in labels)


def test_a_file_deleted_once_read_costs_nothing(tmp_path, monkeypatch):
    from kg import readers
    from kg.build import worker

    (tmp_path / "in").mkdir()
    gone = tmp_path / "in" / "gone.txt"
    gone.write_text(F.REPORT, encoding="utf-8")
    real = readers.load

    def load_then_delete(path, **kwargs):
        raw = real(path, **kwargs)
        Path(path).unlink()
        return raw

    monkeypatch.setattr(worker.readers, "load", load_then_delete)
    result = build([tmp_path / "in"], tmp_path / "out", pages=False, jobs=1)
    assert result.reports == 1 and result.bytes_read == len(F.REPORT.encode())


def test_one_bad_byte_in_a_utf8_file_is_replaced_not_fatal(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(F.REPORT.encode() + b"\xff" + "全年调解纠纷30件。\n".encode())
    build([tmp_path / "in"], tmp_path / "out", pages=False)
    entry = manifest(tmp_path / "out")["a.txt"]
    assert entry["status"] == "ok" and entry["replaced"] == 1 and entry["encoding"].startswith("utf-8")


def test_a_file_unlike_a_report_is_built_and_flagged(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "README.txt").write_text("This project builds a graph from reports.\nRun make.\n", encoding="utf-8")
    (tmp_path / "in" / "r.txt").write_text(F.REPORT, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'in' / 'README.txt'}: warning: does not look like a rule-of-law report" in result.output
    files = manifest(tmp_path / "out")
    assert files["README.txt"]["status"] == "ok" and "no title" in files["README.txt"]["warning"]
    assert files["r.txt"]["warning"] is None


# ---------------------------------------------------------------- limits before memory is spent

def _docx_of(paragraphs: int) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph(F.PARAGRAPH)
    buf = io.BytesIO()
    doc.save(buf)
    # grow document.xml by repeating one paragraph: it zips to almost nothing
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                body = data.decode()
                para = body[body.index("<w:p>"):body.index("</w:p>") + 6] if "<w:p>" in body else ""
                body = body.replace("</w:body>", para * paragraphs + "</w:body>")
                data = body.encode()
            dst.writestr(item, data)
    return out.getvalue()


def test_a_docx_that_unpacks_past_the_limit_is_refused_unpacked(tmp_path):
    bomb = _docx_of(20000)
    assert len(bomb) < 200_000
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bomb.docx").write_bytes(bomb)
    (tmp_path / "in" / "r.txt").write_text(F.REPORT, encoding="utf-8")
    result = build([tmp_path / "in"], tmp_path / "out", pages=False, limits=ReadLimits(max_unpacked=2 << 20))
    assert result.reports == 1
    reason = manifest(tmp_path / "out")["bomb.docx"]["reason"]
    assert reason.startswith("unpacks to ") and reason.endswith("> limit 2 MB (--max-unpacked)")


def test_a_pdf_with_too_many_pages_is_refused_before_they_are_read(tmp_path, monkeypatch):
    import pdfplumber.page
    from reportlab.pdfgen import canvas

    made = []  # pages parsed: none should be, refused or closed
    init = pdfplumber.page.Page.__init__
    monkeypatch.setattr(pdfplumber.page.Page, "__init__", lambda self, *a, **k: made.append(1) or init(self, *a, **k))

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for _ in range(5):
        pdf.drawString(72, 720, "page")
        pdf.showPage()
    pdf.save()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.pdf").write_bytes(buf.getvalue())
    build([tmp_path / "in"], tmp_path / "out", pages=False, limits=ReadLimits(max_pages=3), jobs=1)
    assert manifest(tmp_path / "out")["long.pdf"]["reason"] == "too many pages: 5 > limit 3 (--max-pages)"
    assert made == []


def test_a_text_too_long_is_refused_with_its_flag(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.txt").write_text(F.REPORT * 50, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q",
                                       "--max-chars", "1000"])
    assert result.exit_code == 1
    assert result.output.strip().endswith("characters of text > limit 1000 (--max-chars)")


# ---------------------------------------------------------------- what is read

def test_links_out_of_the_inputs_and_build_folders_are_never_read(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "r.txt").write_text(F.REPORT, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (inp / "passwd.txt").symlink_to(secret)
    (inp / "inside.txt").symlink_to(inp / "r.txt")  # a link within the inputs is fine (a duplicate)
    out = inp / "out"  # the output folder inside the input folder
    build([inp], out, pages=False)
    build([inp], out, pages=False)  # the second run must not read the first's texts back in
    files = manifest(out)
    assert files["passwd.txt"]["status"] == "skipped"
    assert files["passwd.txt"]["reason"] == "a link to a file outside the input folders"
    assert files["out"]["reason"] == "a build folder (not read as reports)"
    assert {files["inside.txt"]["status"], files["r.txt"]["status"]} == {"ok", "duplicate"}
    assert not any("root:x" in p.read_text(encoding="utf-8") for p in (out / "texts").iterdir())
    assert len([n for n, f in files.items() if f["status"] == "ok"]) == 1


def test_a_fifo_is_reported_not_waited_on(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "r.txt").write_text(F.REPORT, encoding="utf-8")
    os.mkfifo(inp / "pipe.txt")
    os.mkfifo(tmp_path / "named.txt")
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "build", str(inp), str(tmp_path / "named.txt"),
           "--out", str(tmp_path / "out"), "-q"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert sorted(done.stderr.strip().splitlines()) == [f"{inp / 'pipe.txt'}: not a regular file (a fifo)",
                                                        f"{tmp_path / 'named.txt'}: not a regular file (a fifo)"]


def test_an_unreadable_folder_is_reported(tmp_path, monkeypatch):
    import kg.readers.files as files

    inp = tmp_path / "in"
    (inp / "locked").mkdir(parents=True)
    (inp / "r.txt").write_text(F.REPORT, encoding="utf-8")
    real_walk = os.walk

    def walk(top, onerror=None, **kwargs):  # root opens any folder: the refusal is simulated
        for here, dirs, names in real_walk(top, onerror=onerror, **kwargs):
            if Path(here).name == "locked":
                onerror(PermissionError(13, "Permission denied", here))
                continue
            yield here, dirs, names

    monkeypatch.setattr(files.os, "walk", walk)
    result = build([inp], tmp_path / "out", pages=False)
    assert [(Path(r.path).name, r.reason) for r in result.failed] == [("locked", "cannot read folder: permission denied")]
    assert result.reports == 1


# ---------------------------------------------------------------- one build, one whole generation

def test_a_second_build_into_a_busy_folder_is_refused_in_one_line(tmp_path):
    out = tmp_path / "out"
    holder = BuildFolder(out)
    holder.lock()
    try:
        result = CliRunner().invoke(main, ["build", str(SAMPLES), "--out", str(out), "-q"])
    finally:
        holder.unlock()
    assert result.exit_code == 2
    assert result.output == f"Error: {out}: another build (pid {os.getpid()}) is writing this folder\n"
    assert CliRunner().invoke(main, ["build", str(SAMPLES), "--out", str(out), "-q"]).exit_code == 0


def _whole(out: Path) -> tuple[str, int]:
    """The generation the folder shows, checked whole: its manifest, graph and store agree."""
    gen = (out / "current").resolve()
    reports = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reports"]
    in_graph = (out / "graph.ttl").read_text(encoding="utf-8").count(" a fz:Report")
    state = json.loads((out / "store" / "fzkg-state.json").read_text(encoding="utf-8"))
    assert reports == in_graph == len(state["reports"]), (gen, reports, in_graph, len(state["reports"]))
    return gen.name, reports


def test_a_build_killed_at_any_moment_leaves_one_whole_generation(tmp_path):
    out = tmp_path / "out"
    build([SAMPLES], out)
    more = tmp_path / "more"
    more.mkdir()
    for i in range(40):
        (more / f"r{i}.txt").write_text(F.REPORT.replace("2023", str(2000 + i)) + f"第{i}份。\n", encoding="utf-8")
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "build", str(SAMPLES), str(more),
           "--out", str(out), "-q", "-j", "1"]
    seen = {_whole(out)}
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.add(_whole(out))  # old or new, never a mix
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    name, reports = _whole(out)
    assert reports == 45
    # what the killed builds left (their generations, temp files) is gone; one older generation
    # stays for readers that still had it open
    assert len(list((out / ".generations").iterdir())) <= 2
    assert not list(out.glob(".*.tmp")) and not (out / ".building").exists()
    assert not list((out / "cache").glob("*/*/*/.*.tmp"))


def test_ctrl_c_stops_the_whole_build_in_one_line(tmp_path):
    more = tmp_path / "in"
    more.mkdir()
    for i in range(300):
        (more / f"r{i}.txt").write_text(F.REPORT.replace("2023", str(1800 + i)) + f"第{i}份。\n" * 20,
                                        encoding="utf-8")
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "build", str(more), "--out", str(tmp_path / "out"),
           "-q", "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    marker = tmp_path / "out" / ".building"  # the build is under way (a cold start imports for seconds)
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # workers are extracting
    assert proc.poll() is None, "the build ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["interrupted: previous outputs left as they were"], err


# ---------------------------------------------------------------- which build answers

def test_the_query_commands_answer_from_the_last_build_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(SAMPLES), "--out", "mine", "-q"]).exit_code == 0
    result = runner.invoke(main, ["towns", "三所联动", "--format", "csv"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"(answering from {tmp_path / 'mine'}, the last build; --graph to choose)"
    assert lines[1:] == ["town,county,kind,concept", "长冈乡,兴国县,mechanism,三所联动"]
    explicit = runner.invoke(main, ["towns", "三所联动", "--graph", "mine", "--format", "csv"])
    assert explicit.output.splitlines()[0] == "town,county,kind,concept"
