"""Serve a build over HTTP, or publish it to someone else's triple store.

``serve`` answers SPARQL 1.1 queries at ``/query`` over a build folder's
``store/``, read-only (``/update`` is refused with 403), as Oxigraph's
``serve-read-only`` does; the HTTP side is :mod:`kg.endpoint`. Each query
runs in its own child process with a deadline and a memory cap and is killed
when its client hangs up; SERVICE is refused; only loopback Host headers are
answered unless the endpoint is public. (Oxigraph's own server, tried first,
keeps running an abandoned query, overruns ``--timeout-s`` on ORDER BY and
can abort the whole server when it times one out.)

``publish`` loads a build's ``graph.nt`` (or any .nt/.ttl file) into any
SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph ``/store``, Fuseki
``/ds/data``, GraphDB ``/repositories/R/rdf-graphs/service``, Virtuoso
``/sparql-graph-crud-auth``…) with one streamed HTTP PUT (replace) or POST
(append), with HTTP Basic or Digest authentication. Only the standard library
speaks HTTP.
"""

from __future__ import annotations

import base64
import html
import http.client
import ipaddress
import os
import re
import shutil
import signal
import socket
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
from .sandbox import Limits

__all__ = ["free_port", "oxigraph_binary", "publish", "redact", "serve"]

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


def redact(url: str) -> str:
    """A URL without the password its user part may carry."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@" + parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


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


# --------------------------------------------------------------------------- serve


def serve(
    build_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    on_ready: Callable[[str], None] | None = None,
    public: bool = False,
    limits: Limits = Limits(max_rows=None),
    stop: threading.Event | None = None,
) -> int:
    """Serve ``build_dir/store`` read-only as a SPARQL endpoint until stopped.

    Calls ``on_ready(url)`` with the query endpoint (``http://HOST:PORT/query``)
    once it listens. Returns 130 on Ctrl-C (KeyboardInterrupt), 143 on SIGTERM
    (caught while serving from the main thread), 0 when ``stop`` (an Event,
    for callers running this in a thread) is set; the queries still running
    are killed in every case. ``limits`` bound each query (``max_rows`` is not
    used). Binding anything but a loopback address, and answering requests
    whose Host header is not localhost, 127.0.0.1 or [::1], needs
    ``public=True``: the endpoint has no authentication.
    """
    from .endpoint import Endpoint

    build_dir = Path(build_dir)
    store = build_dir / STORE
    if not public and not _is_loopback(host):
        raise GraphError(
            f"{host}: refusing to serve on a non-loopback address (the endpoint has no "
            "authentication); allow it explicitly to serve beyond this machine"
        )
    if not store.is_dir():
        raise GraphError(f"{build_dir}: no store (run kg build first)")
    if not 0 < port < 65536:
        raise GraphError(f"{port}: not a TCP port")
    try:
        server = Endpoint((host.strip("[]"), port), store, limits=limits, public=public,
                          slots=max(2, os.cpu_count() or 2))
    except OSError as exc:
        raise GraphError(f"{_host_port(host, port)}: cannot listen: {exc.strerror or exc}") from None

    wildcard = host.strip("[]") in ("0.0.0.0", "::", "")
    poll_host = ("::1" if ":" in host else "127.0.0.1") if wildcard else host
    url = f"http://{_host_port(poll_host, port)}/query"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="kg-serve", daemon=True)
    previous = _catch_sigterm()
    try:
        thread.start()
        if on_ready is not None:
            on_ready(url)
        while not (stop is not None and stop.is_set()):
            time.sleep(0.2)  # Ctrl-C and SIGTERM arrive here, in the main thread
        return 0
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except _Terminated:
        return 128 + signal.SIGTERM
    finally:
        server.close()
        thread.join(timeout=5)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(Exception):
    """SIGTERM reached this process while it served."""


def _catch_sigterm():
    """In the main thread, turn SIGTERM into an exception so the queries are stopped too."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise _Terminated()

    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return None


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
    (``http://user:pass@host/…``) are sent the way the server asks for them:
    a HEAD without them first fetches its challenge, then HTTP Digest
    (Virtuoso's ``/sparql-graph-crud-auth``) or Basic. Returns the number of
    triples sent. An HTTP error carries the server's own message, as one line.
    """
    path = _graph_file(Path(build_dir_or_file))
    media_type = _MEDIA_TYPES[path.suffix.lower()]
    count = _count_triples(path)

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GraphError(f"{endpoint}: not an http(s) endpoint URL")
    credentials = None
    if parts.username is not None:
        credentials = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
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
    headers = {"Content-Type": media_type, "Content-Length": str(path.stat().st_size)}

    auth = _Credentials(*credentials, url) if credentials is not None else None
    if auth is not None:
        auth.ask(url, shown, timeout)
    for attempt in range(2):
        if auth is not None:
            headers["Authorization"] = auth.header(url, method)
        with path.open("rb") as body:  # opened again for a second attempt: a stream is read once
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    response.read()
                return count
            except urllib.error.HTTPError as exc:
                digest = _digest_challenge(exc.headers.get_all("WWW-Authenticate") or [])
                if exc.code == 401 and auth is not None and auth.challenge is None and digest and attempt == 0:
                    auth.challenge = digest  # asked for Digest only now: answer it once
                    continue
                raise GraphError(f"{shown}: {method} failed: {_http_error(exc)}") from None
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (BrokenPipeError, ConnectionResetError)):
                    raise _closed_early(exc.reason, url, shown, method, auth, timeout) from None
                raise GraphError(f"{shown}: cannot connect: {exc.reason}") from None
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise _closed_early(exc, url, shown, method, auth, timeout) from None
            except (OSError, http.client.HTTPException) as exc:
                raise GraphError(f"{shown}: {method} failed: {exc or type(exc).__name__}") from None
    raise AssertionError("unreachable")


def _closed_early(exc: OSError, url: str, shown: str, method: str, auth, timeout: float) -> GraphError:
    """The error for a server that hung up mid-body: most often it wanted credentials."""
    if auth is None and _head(url, None, shown, timeout)[0] == 401:
        return GraphError(f"{shown}: the server wants a user name and password (HTTP 401): "
                          "give them in the URL, http://user:password@host/…")
    return GraphError(f"{shown}: {method} failed: the server closed the connection while the graph was "
                      f"being sent ({exc.strerror or type(exc).__name__}; a size limit?)")


class _Credentials:
    """A user name and password, sent the way the endpoint asks: HTTP Digest or Basic."""

    def __init__(self, user: str, password: str, url: str) -> None:
        self.user, self.password = user, password
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, user, password)
        self._digest = urllib.request.HTTPDigestAuthHandler(passwords)  # counts the uses of a nonce
        self.challenge: str | None = None  # the Digest parameters, once the server asked for Digest

    def ask(self, url: str, shown: str, timeout: float) -> None:
        """HEAD without credentials for the server's challenge, then with them to check they are
        accepted, so that a large body is never streamed to be refused."""
        status, self.challenge = _head(url, None, shown, timeout)
        if status != 401:
            return  # no challenge to a HEAD: Basic, sent up front as before
        status, _ = _head(url, self.header(url, "HEAD"), shown, timeout)
        if status == 401:
            raise GraphError(f"{shown}: the server refused the user name or password (HTTP 401)")

    def header(self, url: str, method: str) -> str:
        """The Authorization header for one request."""
        if self.challenge is None:
            return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(self.challenge)))
        try:
            answer = self._digest.get_authorization(urllib.request.Request(url, method=method), fields)
        except (ValueError, KeyError, urllib.error.URLError) as exc:
            answer, why = None, str(exc)
        else:
            why = _one_line(self.challenge)[:120]
        if answer is None:
            raise GraphError(f"cannot answer the server's Digest challenge ({why})")
        return "Digest " + answer


def _head(url: str, authorization: str | None, shown: str, timeout: float) -> tuple[int | None, str | None]:
    """A HEAD request's status and Digest challenge (None for a server that cannot HEAD)."""
    request = urllib.request.Request(url, method="HEAD",
                                     headers={"Authorization": authorization} if authorization else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, _digest_challenge(exc.headers.get_all("WWW-Authenticate") or [])
    except urllib.error.URLError as exc:
        raise GraphError(f"{shown}: cannot connect: {exc.reason}") from None
    except (OSError, http.client.HTTPException):
        return None, None


def _digest_challenge(values: list[str]) -> str | None:
    for value in values:
        scheme, _, params = value.strip().partition(" ")
        if scheme.lower() == "digest":
            return params
    return None


_TAGS = re.compile(
    r"<!--.*?-->|<(script|style|title)\b[^>]*>.*?</\1\s*>|<![^>]*>|<\?[^>]*>|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>",
    re.S | re.I,
)
ERROR_TEXT = 300  # characters of a server's error message shown


def _http_error(exc: urllib.error.HTTPError) -> str:
    """``HTTP 500 Reason: the server's message``, its HTML tags dropped, on one line, capped."""
    try:
        raw = exc.read(64 * 1024)
    except (OSError, http.client.HTTPException):
        raw = b""
    reason = (exc.reason or "").strip() if isinstance(exc.reason, str) else ""
    head = f"HTTP {exc.code} {reason}".rstrip()
    detail = re.sub(rf"^HTTP/[\d.]+ {exc.code}\b(?: {re.escape(reason)})?\s*", "",
                    _plain_text(raw.decode("utf-8", "replace")))
    return f"{head}: {detail}" if detail and detail != reason else head


def _plain_text(text: str, limit: int = ERROR_TEXT) -> str:
    """Markup to one line of text: tags (not ``<urn:…>``-like IRIs) dropped, entities decoded,
    whitespace collapsed, at most ``limit`` characters."""
    text = " ".join(html.unescape(_TAGS.sub(" ", text)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
