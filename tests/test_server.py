"""kg.server on loopback only: kg serve's endpoint, and kg publish into real Oxigraph processes;
every wait is bounded."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import server
from kg.errors import GraphError
from kg.server import free_port, publish, serve

ROOT = Path(__file__).resolve().parent.parent
TTL = """\
@prefix fz: <https://w3id.org/fzkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

<https://w3id.org/fzkg/id/place/如东县/岔河镇> rdf:type fz:Township ;
    rdfs:label "岔河镇"@zh .
<https://w3id.org/fzkg/id/report/岔河镇2023-1a2b3c4d> rdf:type fz:Report ;
    rdfs:label "岔河镇2023年法治政府建设年度报告"@zh ;
    fz:issuer <https://w3id.org/fzkg/id/place/如东县/岔河镇> ;
    fz:mentions <https://w3id.org/fzkg/id/concept/行政执法> .
<https://w3id.org/fzkg/id/concept/行政执法> rdf:type skos:Concept ;
    skos:prefLabel "行政执法"@zh .
"""
N_TRIPLES = 8
TOWNSHIP = "https://w3id.org/fzkg/id/place/如东县/岔河镇"
GRAPH = "https://w3id.org/fzkg/graph/测试"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def oxigraph() -> str:
    try:
        return server.oxigraph_binary()
    except GraphError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    """A build folder as `kg build` writes it: store/, graph.nt, graph.ttl."""
    out = tmp_path_factory.mktemp("build")
    store = ox.Store(str(out / "store"))
    store.bulk_load(TTL, format=ox.RdfFormat.TURTLE)
    store.flush()
    del store  # releases RocksDB's lock
    (out / "graph.ttl").write_text(TTL, encoding="utf-8")
    quads = ox.parse(TTL, format=ox.RdfFormat.TURTLE)
    (out / "graph.nt").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES))
    return out


def sparql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        url,
        data=query.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    with DIRECT.open(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def count(url: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = sparql(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")["results"]["bindings"]
    return int(rows[0]["n"]["value"])


def label(url: str, iri: str, graph: str | None = None) -> str | None:
    pattern = f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l"
    if graph:
        pattern = f"GRAPH <{graph}> {{ {pattern} }}"
    rows = sparql(url, f"SELECT ?l WHERE {{ {pattern} }}")["results"]["bindings"]
    return rows[0]["l"]["value"] if rows else None


def answers(url: str) -> bool:
    try:
        sparql(url, "ASK {}")
        return True
    except (urllib.error.URLError, OSError):
        return False


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def writable(oxigraph, tmp_path):
    """A real read-write `oxigraph serve` on a free loopback port; its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: proc.poll() is not None or answers(base + "/query"), 10):
            pytest.fail("oxigraph serve did not start within 10 s")
        assert proc.poll() is None, "oxigraph serve exited"
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# --------------------------------------------------------------------------- serve


SERVE_SCRIPT = """\
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
from kg.server import serve
sys.exit(serve(sys.argv[1], port=int(sys.argv[2]),
               on_ready=lambda url: print("READY", url, flush=True)))
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_serve_answers_refuses_updates_and_stops_on_a_signal(oxigraph, build_dir, signum, code):
    """Ctrl-C (SIGINT) gives 130, SIGTERM 143; neither leaves a child process running."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, str(build_dir), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    kids: list[int] = []
    try:
        try:
            ready = lines.get(timeout=20)
        except queue.Empty:
            pytest.fail("serve did not report ready within 20 s")
        url = f"http://127.0.0.1:{port}/query"
        assert ready.split() == ["READY", url]

        assert label(url, TOWNSHIP) == "岔河镇"
        assert count(url) == N_TRIPLES

        update = urllib.request.Request(
            f"http://127.0.0.1:{port}/update",
            data=b"INSERT DATA { <urn:x> <urn:y> <urn:z> }",
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            DIRECT.open(update, timeout=10)
        assert refused.value.code == 403
        assert count(url) == N_TRIPLES

        kids += children(proc.pid)
        assert kids, "the queries ran in no child process"

        proc.send_signal(signum)
        assert proc.wait(timeout=15) == code
        assert wait_until(lambda: not any(alive(k) for k in kids), 5), "a child outlived serve"
        assert not answers(url)
    finally:  # a failed assertion must not orphan the server either
        kids += [] if proc.poll() is not None else children(proc.pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        for pid in kids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()


def test_serve_in_a_thread_stops_on_event(oxigraph, build_dir):
    port = free_port()
    stop = threading.Event()
    urls: list[str] = []
    result: list[int] = []

    def run() -> None:
        result.append(serve(build_dir, port=port, on_ready=urls.append, stop=stop))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: urls or not thread.is_alive(), 15), "serve never got ready"
        assert urls == [f"http://127.0.0.1:{port}/query"]
        rows = sparql(urls[0], "SELECT ?l { ?c a <http://www.w3.org/2004/02/skos/core#Concept> ;"
                               " <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
        assert [r["l"]["value"] for r in rows["results"]["bindings"]] == ["行政执法"]
    finally:
        stop.set()
        thread.join(timeout=15)
    assert not thread.is_alive()
    assert result == [0]
    assert not answers(urls[0])


def test_serve_reports_a_busy_port(oxigraph, build_dir):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(GraphError, match="cannot listen") as err:
            serve(build_dir, port=port, on_ready=lambda url: pytest.fail("ready on a busy port"))
    assert "\n" not in str(err.value)


def test_serve_refuses_missing_store_and_remote_hosts(tmp_path, build_dir):
    with pytest.raises(GraphError, match=r"no store \(run kg build first\)"):
        serve(tmp_path)
    for host in ("0.0.0.0", "192.168.1.10", "example.org"):
        with pytest.raises(GraphError, match="non-loopback"):
            serve(build_dir, host=host)


def test_missing_binary_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphError, match="pip install oxigraph"):
        server.oxigraph_binary()


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", port))


# --------------------------------------------------------------------------- publish


def test_publish_named_and_default_graphs(writable, build_dir):
    store, query = writable + "/store", writable + "/query"

    assert publish(build_dir, store, graph_iri=GRAPH) == N_TRIPLES
    assert count(query, GRAPH) == N_TRIPLES
    assert label(query, TOWNSHIP, GRAPH) == "岔河镇"
    assert count(query) == 0  # nothing in the default graph yet

    assert publish(build_dir / "graph.nt", store) == N_TRIPLES
    assert count(query) == N_TRIPLES
    assert label(query, TOWNSHIP) == "岔河镇"

    # PUT again replaces (same count); the named graph is untouched
    assert publish(build_dir, store) == N_TRIPLES
    assert count(query) == N_TRIPLES
    assert count(query, GRAPH) == N_TRIPLES


def test_publish_appends_or_replaces_turtle(writable, build_dir, tmp_path):
    store, query = writable + "/store", writable + "/query"
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        '<https://w3id.org/fzkg/id/place/如东县> <http://www.w3.org/2000/01/rdf-schema#label> "如东县"@zh .\n',
        encoding="utf-8",
    )
    assert publish(build_dir / "graph.ttl", store, graph_iri=GRAPH) == N_TRIPLES
    assert publish(extra, store, graph_iri=GRAPH, replace=False) == 1
    assert count(query, GRAPH) == N_TRIPLES + 1
    assert label(query, "https://w3id.org/fzkg/id/place/如东县", GRAPH) == "如东县"
    assert publish(extra, store, graph_iri=GRAPH, replace=True) == 1
    assert count(query, GRAPH) == 1


def test_publish_reports_http_errors(writable, tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("this is not N-Triples\n", encoding="utf-8")
    with pytest.raises(GraphError, match=r"HTTP 400") as err:
        publish(bad, writable + "/store")
    message = str(err.value)
    assert "\n" not in message and writable in message
    with pytest.raises(GraphError, match=r"HTTP 404"):
        publish(bad, writable + "/no-such-path")


def test_publish_to_a_closed_port(build_dir):
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(GraphError, match="cannot connect") as err:
        publish(build_dir, endpoint, timeout=5)
    assert endpoint in str(err.value)


def test_publish_refuses_what_it_cannot_send(tmp_path):
    with pytest.raises(GraphError, match=r"no graph\.nt"):
        publish(tmp_path, "http://127.0.0.1:1/store")
    other = tmp_path / "g.rdf"
    other.write_text("<rdf:RDF/>", encoding="utf-8")
    with pytest.raises(GraphError, match="only .nt or .ttl"):
        publish(other, "http://127.0.0.1:1/store")
    nt = tmp_path / "g.nt"
    nt.write_text("", encoding="utf-8")
    with pytest.raises(GraphError, match="not an http"):
        publish(nt, "ftp://example.org/store")


def test_publish_request_shape(build_dir):
    """Method, query string, media type, length and Basic auth, seen by a recording server."""
    import http.server

    seen: list[dict] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def handle_one(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen.append({
                "method": self.command,
                "path": self.path,
                "type": self.headers["Content-Type"],
                "auth": self.headers.get("Authorization"),
                "chunked": self.headers.get("Transfer-Encoding"),
                "body": self.rfile.read(length),
            })
            self.send_response(204)
            self.end_headers()

        do_PUT = do_POST = do_HEAD = handle_one

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    httpd.timeout = 5
    port = httpd.server_address[1]
    thread = threading.Thread(target=lambda: [httpd.handle_request() for _ in range(4)], daemon=True)
    thread.start()
    try:
        base = f"http://me:s%40cret@127.0.0.1:{port}/ds/data"
        assert publish(build_dir / "graph.ttl", base, graph_iri=GRAPH, replace=False) == N_TRIPLES
        assert publish(build_dir, base) == N_TRIPLES
        thread.join(timeout=10)
    finally:
        httpd.server_close()
    head, ttl, head_again, nt = seen
    # a HEAD without credentials asks for the server's challenge; none came, so Basic it is
    assert head["method"] == head_again["method"] == "HEAD" and head["auth"] is None and head["body"] == b""
    assert ttl["method"] == "POST" and ttl["type"] == "text/turtle"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(ttl["path"]).query) == {"graph": [GRAPH]}
    assert ttl["body"] == (build_dir / "graph.ttl").read_bytes()
    assert nt["method"] == "PUT" and nt["type"] == "application/n-triples"
    assert nt["path"] == "/ds/data?default"
    assert nt["body"] == (build_dir / "graph.nt").read_bytes()
    assert nt["auth"] == "Basic bWU6c0BjcmV0" and nt["chunked"] is None  # me:s@cret, Content-Length


class DigestOnly:
    """A Graph Store endpoint that wants HTTP Digest (MD5, qop=auth), as Virtuoso's
    /sparql-graph-crud-auth does: a request without a valid answer gets 401 and the connection
    is closed at once, the body unread. Records the requests that got through."""

    REALM, NONCE = "SPARQL", "d27680fea22abd651a103984dbb36632"

    def __init__(self, user: str, password: str) -> None:
        import http.server

        self.received: list[tuple[str, bytes]] = []
        self.refused = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self) -> None:
                if not outer.valid(self.command, self.path, self.headers.get("Authorization"), user, password):
                    outer.refused += 1
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", f'Digest realm="{outer.REALM}", nonce="{outer.NONCE}", '
                                                         'opaque="5ebe22", stale="false", qop="auth", algorithm="MD5"')
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                outer.received.append((self.command, self.rfile.read(length)))
                self.send_response(201 if self.command != "HEAD" else 501)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST = do_HEAD = handle_one

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def valid(self, method: str, path: str, header: str | None, user: str, password: str) -> bool:
        import hashlib

        if not header or not header.startswith("Digest "):
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[len("Digest "):]))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{user}:{self.REALM}:{password}")
        ha2 = md5(f"{method}:{fields.get('uri')}")
        expected = md5(f"{ha1}:{self.NONCE}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        return fields.get("uri") == path and fields.get("response") == expected and fields.get("username") == user

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_publish_answers_a_digest_challenge(build_dir, tmp_path):
    server = DigestOnly("dba", "s3cret")
    try:
        base = f"http://127.0.0.1:{server.port}/sparql-graph-crud-auth"
        big = tmp_path / "big.nt"  # large enough that a refused stream breaks the pipe
        big.write_bytes((build_dir / "graph.nt").read_bytes() * 4000)
        assert publish(big, base.replace("//", "//dba:s3cret@"), graph_iri=GRAPH) == N_TRIPLES * 4000
        assert [m for m, _ in server.received] == ["HEAD", "PUT"]
        assert server.received[1][1] == big.read_bytes()
        with pytest.raises(GraphError) as wrong:
            publish(big, base.replace("//", "//dba:wrong@"), graph_iri=GRAPH)
        assert str(wrong.value) == f"{base}: the server refused the user name or password (HTTP 401)"
        with pytest.raises(GraphError) as none:
            publish(big, base, graph_iri=GRAPH)
        assert str(none.value).startswith(f"{base}: the server wants a user name and password (HTTP 401)")
    finally:
        server.close()


def test_publish_shows_the_servers_error_in_one_line(build_dir):
    """The error page's text, without its markup, on one line and capped; an IRI in it is kept."""
    import http.server

    page = ("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html>\n  <head>\n"
            "    <title>SPARQL Graph Protocol request failed</title>\n  </head>\n  <body>\n"
            "    <h1>HTTP/1.1 500 Request Failed</h1>\n    <h3>Error 22023</h3>\n"
            "<xmp>The PUT request for graph <urn:bad> is rejected: the submitted resource is of "
            "unsupported type &amp; size</xmp>" + "<p>more</p>" * 200 + "</body></html>\n").encode()

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500, "Request Failed")
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/store"
        with pytest.raises(GraphError) as err:
            publish(build_dir, url, timeout=10)
    finally:
        thread.join(timeout=10)
        httpd.server_close()
    message = str(err.value)
    assert message.startswith(f"{url}: PUT failed: HTTP 500 Request Failed: Error 22023 The PUT request for "
                              "graph <urn:bad> is rejected: the submitted resource is of unsupported type & size")
    assert "\n" not in message and "<p>" not in message and "DOCTYPE" not in message
    assert message.endswith("…") and len(message) < len(url) + 400
