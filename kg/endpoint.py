"""The HTTP side of ``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a store.

It speaks what Oxigraph's ``serve-read-only`` speaks at ``/query`` — GET
``?query=``, POST ``application/sparql-query`` or a form, ``default-graph-uri``,
``named-graph-uri`` and ``union-default-graph``, the same content negotiation
and defaults — and refuses ``/update`` with 403. Unlike it, each query runs in
a child process (:mod:`kg.sandbox`) that is killed on the deadline, past its
memory cap, or as soon as the client hangs up; SERVICE is refused (no
federation through this machine); and only requests addressed to
``localhost``, ``127.0.0.1`` or ``[::1]`` are answered unless the endpoint
is public, so a web page whose name was rebound to 127.0.0.1 gets a 403.
"""

from __future__ import annotations

import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import __version__
from .errors import GraphError, QueryError
from .http_answer import Dataset, stream_answer
from .errors import LimitError, RunError
from .sandbox import ClientGone, Limits
from .sparql_tokens import network_keyword

__all__ = ["Endpoint", "LOOPBACK_HOSTS", "host_allowed"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
MAX_BODY = 1 << 20  # bytes of query a request may send
IDLE = 30.0  # seconds a connection may sit silent
_HOLD = 64 * 1024  # bytes held back so that a failure early on still gets its own status
_FORM = "application/x-www-form-urlencoded"
_SPARQL = "application/sparql-query"


def host_allowed(host: str | None) -> bool:
    """Whether a Host header names this machine's loopback: localhost, 127.0.0.1 or [::1], any port."""
    if host is None:
        return True  # HTTP/1.0 without Host: no browser sends that, so no rebinding either
    name = host.strip().lower()
    if name.startswith("["):
        name = name[: name.find("]") + 1]
    else:
        name = name.partition(":")[0]
    return name in LOOPBACK_HOSTS


class Endpoint(ThreadingHTTPServer):
    """The server: one thread a connection, one child process a query, ``slots`` queries at once."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: str | Path, *, limits: Limits, public: bool = False,
                 slots: int = 2) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.store = str(store)
        self.limits = limits
        self.public = public
        self.slots = threading.BoundedSemaphore(slots)
        self.running: set = set()  # live query processes, killed on close
        super().__init__(address, _Handler)

    def close(self) -> None:
        """Stop serving, close the socket and kill every query still running."""
        self.shutdown()
        self.server_close()
        for process in list(self.running):
            if process.is_alive():
                process.kill()
            process.join(5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"fazhi-kg/{__version__}"
    sys_version = ""
    timeout = IDLE
    server: Endpoint

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._route()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # no access log; refusals and stopped queries are written by _fail

    def _route(self) -> None:
        body = self._body()
        if body is None:
            return
        if not self.server.public and (len(self.headers.get_all("Host") or []) > 1
                                       or not host_allowed(self.headers.get("Host"))):
            self._fail(403, f"Host {self.headers.get('Host')!r} is not served here: only "
                            f"{', '.join(LOOPBACK_HOSTS)} (kg serve --public answers any)")
            return
        path, _, query_string = self.path.partition("?")
        if path == "/update":
            self._fail(403, "The server is read-only")
            return
        if path != "/query" or self.command not in ("GET", "POST"):
            self._fail(404, f"{self.command} {path} is not supported by this server")
            return
        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        if self.command == "POST":
            media = (self.headers.get("Content-Type") or "").partition(";")[0].strip().lower()
            if media == _FORM:
                params = {**params, **urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)}
            elif media == _SPARQL:
                params["query"] = [body.decode("utf-8", "replace")]
            else:
                self._fail(415, f"No supported content Content-Type given: {media or 'none'}")
                return
        texts = params.get("query", [])
        if len(texts) != 1:
            self._fail(400, "give exactly one query parameter")
            return
        text = texts[0]
        keyword = network_keyword(text)
        if keyword is not None:
            self._fail(403, f"{keyword} refused: this endpoint does not call other hosts")
            return
        dataset = Dataset(tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])),
                          "union-default-graph" in params)
        self._answer(text, dataset)

    def _body(self) -> bytes | None:
        """The request's body (b"" for none); None once a 411 or 413 has been sent."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._fail(411, "send the query with a Content-Length")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._fail(413, f"a request body of at most {MAX_BODY} bytes")
            return None
        return self.rfile.read(length) if length else b""

    def _answer(self, text: str, dataset: Dataset) -> None:
        limits = self.server.limits
        if not self.server.slots.acquire(timeout=limits.timeout if limits.timeout is not None else -1):
            self._fail(503, "too many queries at once: try again later")
            return
        stream = stream_answer(self.server.store, text, accept=self.headers.get("Accept"), dataset=dataset,
                               limits=limits, watch=self.connection, running=self.server.running)
        held: list[bytes] = []
        content_type = "application/octet-stream"
        started = False
        try:
            for kind, payload in stream:
                if kind == "type":
                    content_type = payload
                    continue
                if not started:
                    held.append(payload)
                    if sum(map(len, held)) < _HOLD:
                        continue
                    self._start(content_type)
                    started = True
                    payload = b"".join(held)
                self._chunk(payload)
            if started:
                self.wfile.write(b"0\r\n\r\n")
            else:
                self._send(200, content_type, b"".join(held))
        except ClientGone:
            self.close_connection = True
        except (LimitError, RunError, QueryError, GraphError, LookupError) as exc:
            if started:  # the status went out: a cut chunked body tells the client it is incomplete
                self.close_connection = True
                self._note(str(exc))
                return
            status = (503 if isinstance(exc, LimitError) else 500 if isinstance(exc, (RunError, GraphError))
                      else 406 if isinstance(exc, LookupError) else 400)
            self._fail(status, str(exc))
        except OSError:  # the client went away while we wrote
            self.close_connection = True
        finally:
            stream.close()  # kills the child if it still runs
            self.server.slots.release()

    def _start(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, status: int, message: str) -> None:
        if status >= 500 or status == 403:
            self._note(message)
        self._send(status, "text/plain; charset=utf-8", message.encode("utf-8"))

    def _note(self, message: str) -> None:
        try:
            sys.stderr.write(f"{self.command} {self.path.partition('?')[0]} from {self.client_address[0]}: "
                             f"{message}\n")
        except (OSError, ValueError):
            pass
