"""kg query under limits: a deadline, a memory cap, a row cap, Ctrl-C and SERVICE.

The slow queries are cartesian products of the sample build (about 4,000
triples): a three-way COUNT never ends, an ORDER BY over a two-way product
takes gigabytes. Each test bounds its own wait generously; none times the
code tightly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kg.cli import main
from kg.query import GraphStore
from kg.server import free_port

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HUGE_SORT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
KG = [sys.executable, "-c", "from kg.cli import main; main()"]


@pytest.fixture(scope="module")
def built(sample_build) -> str:
    return str(sample_build[1])


def kg(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([*KG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env=env, cwd=cwd)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def finish(proc: subprocess.Popen, within: float) -> tuple[int, str, str, set[int]]:
    """Wait for ``proc`` at most ``within`` s, noting its children; kill everything left after."""
    seen: set[int] = set()
    deadline = time.monotonic() + within
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            seen |= descendants(proc.pid)
            time.sleep(0.05)
        if proc.poll() is None:
            pytest.fail(f"kg query still running after {within} s")
        out, err = proc.communicate(timeout=5)
        return proc.returncode, out, err, seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for pid in seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def gone(pids: set[int]) -> bool:
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(p) for p in pids)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the child process")
def test_timeout_stops_the_engine(built):
    start = time.monotonic()
    code, out, err, children = finish(kg("query", ENDLESS, "--graph", built, "--timeout", "1"), within=30)
    assert time.monotonic() - start < 15
    assert (code, out, err) == (3, "", "Error: query timed out after 1 s\n")
    assert children, "the query did not run in a child process"
    assert gone(children), "the query's process outlived kg query"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the child process")
def test_ctrl_c_stops_the_engine_with_130(built):
    proc = kg("query", ENDLESS, "--graph", built)
    children: set[int] = set()
    deadline = time.monotonic() + 20
    while not children and proc.poll() is None and time.monotonic() < deadline:
        children = descendants(proc.pid)
        time.sleep(0.05)
    time.sleep(0.5)  # the child is past its start and in the engine
    proc.send_signal(signal.SIGINT)
    code, out, err, seen = finish(proc, within=15)
    assert (code, out, err) == (130, "", "interrupted: query stopped\n")
    assert gone(children | seen)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_memory_cap_is_one_line_without_a_core_file(built, tmp_path):
    code, out, err, children = finish(kg("query", HUGE_SORT, "--graph", built, "--max-memory", "300",
                                         cwd=tmp_path), within=60)
    assert (code, out, err) == (3, "", "Error: query ran out of memory (limit 300 MB)\n")
    assert list(tmp_path.iterdir()) == []  # no core file
    assert gone(children)


def test_row_cap_says_rows_were_cut(built):
    result = CliRunner().invoke(main, ["query", "SELECT ?s WHERE { ?s a skos:Concept } ORDER BY ?s",
                                       "--graph", built, "--format", "csv", "--max-rows", "2"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3  # the header and two rows
    assert result.stderr == "only the first 2 rows are shown (--max-rows 2)\n"
    whole = CliRunner().invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a skos:Concept }",
                                      "--graph", built, "--format", "csv", "--max-rows", "2"])
    assert whole.stderr == "" and whole.exit_code == 0


def test_service_is_refused_unless_allowed(built):
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    text = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    refused = CliRunner().invoke(main, ["query", text, "--graph", built])
    assert refused.exit_code == 2
    assert refused.output == ("Error: SERVICE refused: the query would make the engine connect to another "
                              "host (pass --allow-service to allow it)\n")
    allowed = CliRunner().invoke(main, ["query", text, "--graph", built, "--allow-service"])
    assert allowed.exit_code == 1
    assert allowed.output.startswith("Error: SERVICE call failed: ")
    assert len(allowed.output.splitlines()) == 1 and "Traceback" not in allowed.output


def test_a_service_inside_a_string_is_not_refused(built):
    result = CliRunner().invoke(main, ["query", 'SELECT ("SERVICE <http://x/>" AS ?s) WHERE {}', "--graph", built,
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "s\nSERVICE <http://x/>\n"


def test_updates_still_need_update_and_load_needs_allow_service(built, tmp_path):
    graph = tmp_path / "g.nt"
    graph.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["query", "DELETE DATA { <urn:a> <urn:b> <urn:c> }", "--graph", str(graph)]).exit_code == 2
    load = runner.invoke(main, ["query", "--update", f"LOAD <http://127.0.0.1:{free_port()}/x>", "--graph", str(graph)])
    assert load.exit_code == 2 and load.output.startswith("Error: LOAD refused")
    done = runner.invoke(main, ["query", "--update", "DELETE DATA { <urn:a> <urn:b> <urn:c> }", "--graph", str(graph)])
    assert done.exit_code == 0 and graph.read_text(encoding="utf-8").strip() == ""


def test_the_library_still_queries_in_process(built):
    store = GraphStore.open(built)
    assert store.query("SELECT (COUNT(*) AS ?n) WHERE { ?r a fz:Report }").rows == (("5",),)
    assert {r[0] for r in store.towns("三所联动").rows} == {"长冈乡"}
