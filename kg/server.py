"""Serve a build over HTTP, or publish it to someone else's triple store.

``serve`` runs Oxigraph's own SPARQL server (the ``oxigraph`` binary of the
``oxigraph`` PyPI package), read-only over a build folder's ``store/``:

    oxigraph serve-read-only --location DIR/store --bind HOST:PORT

It answers SPARQL 1.1 queries at ``/query`` and refuses ``/update`` (403).

``publish`` loads a build's ``graph.nt`` (or any .nt/.ttl file) into any
SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph ``/store``, Fuseki
``/ds/data``, GraphDB ``/repositories/R/rdf-graphs/service``, Virtuoso
``/sparql-graph-crud``…) with one streamed HTTP PUT (replace) or POST (append).
Only the standard library speaks HTTP.
"""

from __future__ import annotations

import base64
import collections
import http.client
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .errors import GraphError
from .layout import GRAPH_NT, GRAPH_TTL, STORE

__all__ = ["free_port", "oxigraph_binary", "publish", "serve"]

READY_TIMEOUT = 10.0  # seconds the server has to answer its first query
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
_ASK = "ASK {}"
_MEDIA_TYPES = {".nt": "application/n-triples", ".ttl": "text/turtle"}


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary: beside this Python first, then on PATH."""
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    here = Path(sys.executable).parent / name
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise GraphError("the oxigraph server is not installed: pip install oxigraph")


def _one_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_port(host: str, port: int) -> str:
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _error_line(lines: collections.deque) -> str:
    """The line of the server's stderr that says what went wrong."""
    text = [line.strip() for line in lines if line.strip()]
    for line in text:
        if line.startswith("Error"):
            return line
    return text[-1] if text else "no message"


# --------------------------------------------------------------------------- serve


def serve(
    build_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    on_ready: Callable[[str], None] | None = None,
    allow_remote: bool = False,
    stop: threading.Event | None = None,
    ready_timeout: float = READY_TIMEOUT,
) -> int:
    """Serve ``build_dir/store`` read-only as a SPARQL endpoint until stopped.

    Calls ``on_ready(url)`` with the query endpoint (``http://HOST:PORT/query``)
    once the server answers. Returns the server's exit code, 130 on Ctrl-C
    (KeyboardInterrupt), 143 on SIGTERM (caught while serving from the main
    thread), 0 when ``stop`` (an Event, for callers running this in a thread)
    is set; the server process is stopped and reaped in every case. Binding
    anything but a loopback address needs ``allow_remote=True``: the endpoint
    has no authentication.
    """
    build_dir = Path(build_dir)
    store = build_dir / STORE
    if not allow_remote and not _is_loopback(host):
        raise GraphError(
            f"{host}: refusing to serve on a non-loopback address (the endpoint has no "
            "authentication); allow it explicitly to serve beyond this machine"
        )
    if not store.is_dir():
        raise GraphError(f"{build_dir}: no store (run kg build first)")
    if not 0 < port < 65536:
        raise GraphError(f"{port}: not a TCP port")
    binary = oxigraph_binary()

    wildcard = host.strip("[]") in ("0.0.0.0", "::", "")
    poll_host = ("::1" if ":" in host else "127.0.0.1") if wildcard else host
    url = f"http://{_host_port(poll_host, port)}/query"
    cmd = [binary, "serve-read-only", "--location", str(store), "--bind", _host_port(host, port)]
    env = dict(os.environ, RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")

    tail: collections.deque[str] = collections.deque(maxlen=50)
    ready = threading.Event()
    previous = _catch_sigterm()
    try:
        return _run(cmd, env, binary, url, on_ready, stop, ready_timeout, tail, ready)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(Exception):
    """SIGTERM reached this process while it served."""


def _catch_sigterm():
    """In the main thread, turn SIGTERM into an exception so the server is stopped too."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise _Terminated()

    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return None


def _run(cmd, env, binary, url, on_ready, stop, ready_timeout, tail, ready) -> int:
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=env, text=True, encoding="utf-8", errors="replace",
        )
    except OSError as exc:
        raise GraphError(f"{binary}: cannot start the oxigraph server: {exc}") from None

    def drain() -> None:
        # keep the pipe empty; once the server is up, its messages are the user's
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line)
            if ready.is_set():
                try:
                    sys.stderr.write(line)
                except (OSError, ValueError):
                    pass

    reader = threading.Thread(target=drain, name="oxigraph-stderr", daemon=True)
    reader.start()
    try:
        _wait_ready(proc, url, ready_timeout, stop, tail, reader)
        ready.set()
        if on_ready is not None:
            on_ready(url)
        while True:
            if stop is not None and stop.is_set():
                _terminate(proc)
                return 0
            try:
                code = proc.wait(timeout=0.2 if stop is not None else None)
            except subprocess.TimeoutExpired:
                continue
            # a terminal's Ctrl-C reaches the whole process group: the server may go first
            return 128 + signal.SIGINT if code == -signal.SIGINT else code
    except KeyboardInterrupt:
        _terminate(proc)
        return 128 + signal.SIGINT
    except _Terminated:
        _terminate(proc)
        return 128 + signal.SIGTERM
    finally:
        _terminate(proc)
        reader.join(timeout=1.0)


def _wait_ready(proc, url, timeout, stop, tail, reader) -> None:
    """Poll the endpoint with a tiny ASK until it answers, the process dies or time runs out."""
    ask = url + "?" + urllib.parse.urlencode({"query": _ASK})
    request = urllib.request.Request(ask, headers={"Accept": "application/sparql-results+json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            reader.join(timeout=1.0)  # let the last stderr lines arrive
            raise GraphError(
                f"the oxigraph server exited with code {proc.returncode}: {_error_line(tail)}"
            )
        if stop is not None and stop.is_set():
            return
        try:
            with opener.open(request, timeout=1.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise GraphError(f"the oxigraph server did not answer at {url} within {timeout:g} s")
        time.sleep(0.05)


def _terminate(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it lingers; always reaps the process."""
    if proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
    except KeyboardInterrupt:  # a second Ctrl-C while stopping: stop now
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
        raise


# --------------------------------------------------------------------------- publish


def publish(
    build_dir_or_file: str | Path,
    endpoint: str,
    *,
    graph_iri: str | None = None,
    replace: bool = True,
    timeout: float = 300,
) -> int:
    """Send a build (its ``graph.nt``) or an .nt/.ttl file to a Graph Store Protocol endpoint.

    PUT (``replace=True``: the graph's old content goes) or POST (append) to
    ``endpoint?graph=IRI``, or ``endpoint?default`` without ``graph_iri``. The
    file is streamed, never read whole. Credentials in the URL
    (``http://user:pass@host/…``) are sent as HTTP Basic authentication.
    Returns the number of triples sent.
    """
    path = _graph_file(Path(build_dir_or_file))
    media_type = _MEDIA_TYPES[path.suffix.lower()]
    count = _count_triples(path)

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GraphError(f"{endpoint}: not an http(s) endpoint URL")
    headers = {"Content-Type": media_type, "Content-Length": str(path.stat().st_size)}
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port is not None:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    shown = urllib.parse.urlunsplit(parts)  # never shows a password
    target = (
        f"graph={urllib.parse.quote(graph_iri, safe='')}" if graph_iri is not None else "default"
    )
    query = f"{parts.query}&{target}" if parts.query else target
    url = urllib.parse.urlunsplit(parts._replace(query=query, fragment=""))
    method = "PUT" if replace else "POST"

    with path.open("rb") as body:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            try:
                detail = _one_line(exc.read(4096).decode("utf-8", "replace"))
            except OSError:
                detail = ""
            reason = detail or exc.reason or ""
            raise GraphError(f"{shown}: {method} failed: HTTP {exc.code} {reason}".rstrip()) from None
        except urllib.error.URLError as exc:
            raise GraphError(f"{shown}: cannot connect: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise GraphError(f"{shown}: {method} failed: {exc or type(exc).__name__}") from None
    return count


def _graph_file(path: Path) -> Path:
    """The file to send: a build folder's graph.nt (else graph.ttl), or the file given."""
    if path.is_dir():
        for name in (GRAPH_NT, GRAPH_TTL):
            if (path / name).is_file():
                return path / name
        raise GraphError(f"{path}: no graph.nt (run kg build first)")
    if not path.is_file():
        raise GraphError(f"{path}: no such file")
    if path.suffix.lower() not in _MEDIA_TYPES:
        raise GraphError(f"{path}: cannot publish {path.suffix!r} files (only .nt or .ttl)")
    return path


def _count_triples(path: Path) -> int:
    """Triples in the file: lines of N-Triples, or a streaming parse of Turtle."""
    try:
        if path.suffix.lower() == ".nt":
            with path.open("rb") as f:
                return sum(1 for line in f if line.strip() and not line.lstrip().startswith(b"#"))
        import pyoxigraph as ox

        return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise GraphError(f"{path}: cannot read graph: {_one_line(str(exc))}") from None
    except OSError as exc:
        raise GraphError(f"{path}: cannot read: {exc.strerror or exc}") from None
