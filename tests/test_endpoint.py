"""kg serve's endpoint: Host checks, no federation, a deadline, and no work left behind by a client
that hangs up; Oxigraph's protocol behaviour kept. Loopback only; every wait is bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import ROOT
from kg.sandbox import Limits
from kg.server import free_port, serve

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FIRST = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1"


@pytest.fixture(scope="module")
def built(sample_build) -> Path:
    return sample_build[1]


def request(port: int, path: str, *, host: str | None = "127.0.0.1", method: str = "GET",
            headers: dict[str, str] | None = None, body: bytes = b"", timeout: float = 30) -> tuple[int, dict, bytes]:
    """One raw HTTP/1.1 exchange (the Host header exactly as given); status, headers, body."""
    lines = [f"{method} {path} HTTP/1.1"] + ([f"Host: {host}"] if host is not None else [])
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += [f"Content-Length: {len(body)}"] if body else []
    lines += ["Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall("\r\n".join(lines).encode("utf-8") + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    if fields.get("transfer-encoding") == "chunked":
        body_out = b""
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            body_out, rest = body_out + rest[:n], rest[n + 2:]
        rest = body_out
    return int(status_line.split()[1]), fields, rest


def query_path(text: str, **params: str) -> str:
    return "/query?" + urllib.parse.urlencode({"query": text, **params})


@pytest.fixture
def endpoint(built):
    """kg serve in a thread on a free port, 5 s a query; yields (port, stop)."""
    yield from _serving(built, public=False)


@pytest.fixture
def public_endpoint(built):
    yield from _serving(built, public=True)


def _serving(built: Path, *, public: bool):
    """Always on 127.0.0.1: public=True only stops the Host check here."""
    port = free_port()
    stop = threading.Event()
    urls: list[str] = []
    thread = threading.Thread(target=serve, args=(built,), daemon=True,
                              kwargs={"port": port, "on_ready": urls.append, "stop": stop, "public": public,
                                      "limits": Limits(timeout=5, max_memory=2048, max_rows=None)})
    thread.start()
    deadline = time.monotonic() + 15
    while not urls and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert urls, "serve never got ready"
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=15)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST:7878", None])
def test_loopback_host_headers_are_answered(endpoint, host):
    status, _, body = request(endpoint, query_path("ASK {}"), host=host, headers={"Accept": "text/csv"})
    assert (status, body) == (200, b"true")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:7878", "127.0.0.1.nip.io", "192.168.1.10",
                                  "localhost.evil.example"])
def test_other_host_headers_are_refused(endpoint, host):
    """A page whose name was rebound to 127.0.0.1 sends its own name: DNS rebinding gets a 403."""
    status, _, body = request(endpoint, query_path("ASK {}"), host=host)
    assert status in (403, 421)
    assert b"not served here" in body


def test_public_answers_any_host(public_endpoint):
    status, _, body = request(public_endpoint, query_path("ASK {}"), host="kg.example.org",
                              headers={"Accept": "text/csv"})
    assert (status, body) == (200, b"true")


def test_service_is_refused(endpoint):
    target = f"http://127.0.0.1:{free_port()}/sparql"
    for text in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ service silent <{target}> {{ ?s ?p ?o }} }}"):
        status, _, body = request(endpoint, query_path(text))
        assert status == 403 and body.startswith(b"SERVICE refused")
        status, _, body = request(endpoint, "/query", method="POST", body=text.encode(),
                                  headers={"Content-Type": "application/sparql-query"})
        assert status == 403


def test_a_query_past_its_deadline_gets_503(endpoint):
    start = time.monotonic()
    status, _, body = request(endpoint, query_path(ENDLESS))
    assert time.monotonic() - start < 15
    assert (status, body) == (503, b"query timed out after 5 s")
    status, _, _ = request(endpoint, query_path("ASK {}"))  # and the server still answers
    assert status == 200


@pytest.mark.parametrize(("accept", "kind", "expected"), [
    (None, "select", "application/sparql-results+json"),
    ("*/*", "select", "application/sparql-results+json"),
    ("text/csv", "select", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "select", "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml", "select", "application/sparql-results+xml"),
    ("text/html", "select", 406),
    (None, "construct", "application/n-quads"),
    ("text/turtle", "construct", "text/turtle"),
    ("application/json", "construct", "application/ld+json"),
    ("text/csv", "construct", 406),
])
def test_content_negotiation_as_oxigraph(endpoint, accept, kind, expected):
    text = FIRST if kind == "select" else "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    status, fields, _ = request(endpoint, query_path(text), headers={"Accept": accept} if accept else None)
    if isinstance(expected, int):
        assert status == expected
    else:
        assert (status, fields["content-type"]) == (200, expected)


def test_get_post_and_form_agree_and_update_is_refused(endpoint):
    csv = {"Accept": "text/csv"}
    got = request(endpoint, query_path(FIRST), headers=csv)
    posted = request(endpoint, "/query", method="POST", body=FIRST.encode(),
                     headers={**csv, "Content-Type": "application/sparql-query"})
    form = request(endpoint, "/query", method="POST", body=urllib.parse.urlencode({"query": FIRST}).encode(),
                   headers={**csv, "Content-Type": "application/x-www-form-urlencoded"})
    assert got[0] == 200 and got[2].startswith(b"s\r\nhttps://w3id.org/fzkg/id/")
    assert got[2] == posted[2] == form[2]
    update = request(endpoint, "/update", method="POST", body=b"update=DROP%20ALL",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert update[0] == 403
    assert request(endpoint, query_path("SELEC"))[0] == 400
    assert request(endpoint, "/nowhere")[0] == 404


def test_a_large_answer_streams_whole(endpoint, built):
    status, fields, body = request(endpoint, query_path("SELECT * WHERE { ?s ?p ?o }"),
                                   headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and fields.get("transfer-encoding") == "chunked"
    triples = sum(1 for line in (built / "graph.nt").read_bytes().splitlines() if line.strip())
    assert len(body.splitlines()) == triples + 1


# --------------------------------------------------------------------------- abandoned queries


SERVE = """\
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from kg.server import serve
sys.exit(serve(sys.argv[1], port=int(sys.argv[2]), on_ready=lambda url: print("READY", flush=True)))
"""


def tree(pid: int) -> set[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = {pid}, [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to measure CPU")
def test_queries_abandoned_by_their_clients_stop(built):
    """Two endless queries whose clients hang up after a second leave the server idle (the
    default deadline, 60 s, is far off)."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(built), str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        clients = []
        for _ in range(2):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(f"GET {query_path(ENDLESS)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            clients.append(sock)
        time.sleep(1.0)
        busy = cpu_seconds(tree(proc.pid))
        time.sleep(1.0)
        assert cpu_seconds(tree(proc.pid)) - busy > 0.5, "the queries did not run"
        for sock in clients:
            sock.close()
        time.sleep(3.0)  # time to notice
        before = cpu_seconds(tree(proc.pid))
        time.sleep(2.0)
        assert cpu_seconds(tree(proc.pid)) - before < 0.5, "abandoned queries still use the CPU"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
