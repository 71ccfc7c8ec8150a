"""Run a user's SPARQL query in a child process that can be stopped.

pyoxigraph has no timeout and no cancel: once a query is in Oxigraph's Rust
code it runs to the end, whatever Ctrl-C or a deadline says, and an ORDER BY
over a cartesian product takes gigabytes in seconds. So ``kg query`` and
``kg serve`` (:mod:`kg.http_answer`) run the user's query in a child process that opens the graph
itself (read-only), caps its own address space (RLIMIT_AS) and writes no
core file, and sends the answer back over a pipe as it comes. The parent
kills the child on the deadline, on Ctrl-C, when an HTTP client goes away,
or when it has all the rows it wants. The trusted named queries of
``kg towns`` and the rest stay in-process (:class:`kg.query.GraphStore`).

The child is forked where the platform can (the command line is one thread),
forked from a fork server where the caller has threads (``kg serve``), and
spawned elsewhere.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import GraphError, LimitError, QueryError, RunError
from .query import GraphStore, Result, is_update
from .sparql_tokens import network_keyword

__all__ = ["ClientGone", "LimitError", "Limits", "RunError", "context", "messages", "refusal", "run_query"]

MB = 1 << 20
DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MAX_MEMORY = 2048  # MB the query process may grow by
DEFAULT_MAX_ROWS = 100_000
_BATCH = 1000  # rows a message
CHUNK = 64 * 1024  # bytes a message; also what an HTTP answer holds back before its status goes out
_FLUSH = 0.2  # seconds a partial batch may wait
_REAP = 5.0  # seconds to wait for a killed child


@dataclass(frozen=True)
class Limits:
    """What one query may take: seconds of wall time, MB of memory, rows (or triples) handed back.
    None means no limit."""

    timeout: float | None = DEFAULT_TIMEOUT
    max_memory: int | None = DEFAULT_MAX_MEMORY
    max_rows: int | None = DEFAULT_MAX_ROWS


class ClientGone(Exception):
    """The HTTP client closed its connection while its query ran."""


# --------------------------------------------------------------------------- checks


def refusal(text: str, *, allow_service: bool = False, allow_update: bool = False) -> str | None:
    """Why a text is refused before it runs (an Update without ``allow_update``, SERVICE or
    LOAD without ``allow_service``), or None."""
    if not allow_update and is_update(text):
        return "SPARQL Update refused: pass --update to change the graph"
    keyword = network_keyword(text)
    if keyword is not None and not allow_service:
        return (f"{keyword} refused: the query would make the engine connect to another host"
                " (pass --allow-service to allow it)")
    return None


# --------------------------------------------------------------------------- kg query


def run_query(source: str | Path, text: str, *, vocab=(), limits: Limits = Limits(),
              allow_service: bool = False) -> tuple[Result, bool]:
    """Answer a query over a build folder or RDF file in a child process, within ``limits``.

    Returns the result and whether rows were cut at ``limits.max_rows``.
    Raises QueryError (syntax, refused), GraphError (no such graph),
    LimitError (time or memory) or RunError (it failed while running).
    """
    reason = refusal(text, allow_service=allow_service)
    if reason is not None:
        raise QueryError(reason)
    variables: tuple[str, ...] = ()
    rows: list = []
    boolean = None
    triples: list[str] = []
    cut = False
    args = (str(source), tuple(str(v) for v in vocab), text, limits.max_rows)
    uses_service = network_keyword(text) is not None
    for kind, payload in messages(context("fork"), _rows_child, args, limits, service=uses_service):
        if kind == "variables":
            variables = payload
        elif kind == "rows":
            rows += payload
        elif kind == "triples":
            triples += payload
        elif kind == "boolean":
            boolean = payload
        elif kind == "done":
            cut = payload
    if boolean is not None:
        return Result(boolean=boolean), False
    if triples:
        return Result(triples=tuple(sorted(triples))), cut
    return Result(variables, tuple(rows)), cut


def _rows_child(conn, source: str, vocab: tuple[str, ...], text: str, max_rows: int | None) -> None:
    store = GraphStore.open(source, vocab=vocab)
    answer = store.answer(text)
    if isinstance(answer, ox.QueryBoolean):
        conn.send(("boolean", bool(answer)))
        conn.send(("done", False))
        return
    if isinstance(answer, ox.QuerySolutions):
        conn.send(("variables", tuple(v.value for v in answer.variables)))
        kind = "rows"
        items = (tuple(None if term is None else term.value for term in solution) for solution in answer)
    else:
        kind = "triples"
        items = (f"{t.subject} {t.predicate} {t.object} ." for t in answer)
    batch: list = []
    sent = 0
    last = time.monotonic()
    for item in items:
        if max_rows is not None and sent + len(batch) >= max_rows:
            conn.send((kind, batch))
            conn.send(("done", True))
            return
        batch.append(item)
        if len(batch) >= _BATCH or time.monotonic() - last > _FLUSH:
            conn.send((kind, batch))
            sent += len(batch)
            batch = []
            last = time.monotonic()
    conn.send((kind, batch))
    conn.send(("done", False))


# --------------------------------------------------------------------------- the parent


def context(preferred: str):
    methods = multiprocessing.get_all_start_methods()
    if preferred == "forkserver" and "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def messages(context, target, args, limits: Limits, *, watch=None, running: set | None = None,
              service: bool = False) -> Iterator[tuple[str, object]]:
    """Start ``target(conn, *args)`` in a child and yield what it sends until ("done", …).

    The child is killed and reaped on the way out, whatever the way: the
    deadline, an error, Ctrl-C, the client gone, or the consumer closing
    this generator.
    """
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, writer, limits.max_memory, args), daemon=True,
                              name="kg-query")
    deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
    try:
        with _sigint_blocked():
            process.start()
        writer.close()
        if running is not None:
            running.add(process)
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise LimitError(f"query timed out after {limits.timeout:g} s")
            ready = multiprocessing.connection.wait([reader] + ([watch] if watch is not None else []), left)
            if watch is not None and watch in ready:
                if _closed(watch):
                    raise ClientGone()
                watch = None  # the client sent more (a pipelined request): stop watching
            if reader not in ready:
                continue
            try:
                kind, payload = reader.recv()
            except (EOFError, OSError):
                raise _death(process, limits, service) from None
            if kind == "error":
                raise _error(*payload, limits=limits, service=service)
            yield kind, payload
            if kind == "done":
                return
    finally:
        _stop(process)
        reader.close()
        if running is not None:
            running.discard(process)


def _closed(sock: socket.socket) -> bool:
    """Whether a readable socket is at end of file (the client closed it)."""
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _stop(process) -> None:
    """Kill a child that is still running and reap it."""
    if process.pid is None:  # never started
        return
    if process.is_alive():
        process.kill()
    process.join(_REAP)


@contextmanager
def _sigint_blocked():
    """Keep Ctrl-C from the new child until it has chosen to ignore it (the parent handles it)."""
    if not hasattr(signal, "pthread_sigmask") or sys.platform == "win32":
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _error(kind: str, message: str, *, limits: Limits, service: bool) -> Exception:
    if kind == "memory":
        return LimitError(_out_of_memory(limits))
    if kind == "query":
        return QueryError(message)
    if kind == "graph":
        return GraphError(message)
    if kind == "accept":
        return LookupError(message)
    if service:
        return RunError(f"SERVICE call failed: {message}")
    return RunError(f"query failed: {message}")


def _death(process, limits: Limits, service: bool) -> Exception:
    """The error to report for a child that ended without saying why."""
    process.join(_REAP)
    code = process.exitcode
    if code is not None and code < 0:
        signum = -code
        # Rust aborts when an allocation fails; a segfault or bus error can be the same wall
        if limits.max_memory is not None and signum in (signal.SIGABRT, signal.SIGSEGV, getattr(signal, "SIGBUS", 7)):
            return LimitError(_out_of_memory(limits))
        if signum == signal.SIGKILL:
            return LimitError("query was killed (out of memory?)")
        return RunError(f"the query engine crashed ({signal.Signals(signum).name})")
    return RunError(f"the query process ended unexpectedly (exit code {code})")


def _out_of_memory(limits: Limits) -> str:
    return f"query ran out of memory (limit {limits.max_memory} MB)"


# --------------------------------------------------------------------------- the child


def _child(target, conn, max_memory: int | None, args: tuple) -> None:
    """The child's side: confine itself, run ``target`` and report any failure as a message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    _silence_stderr()  # Rust's "memory allocation of N bytes failed" and panics are reported by the parent
    _limit_memory(max_memory)
    try:
        target(conn, *args)
    except MemoryError:
        _send(conn, ("error", ("memory", "")))
    except QueryError as exc:
        _send(conn, ("error", ("query", str(exc))))
    except GraphError as exc:
        _send(conn, ("error", ("graph", str(exc))))
    except LookupError as exc:
        _send(conn, ("error", ("accept", str(exc))))
    except OSError as exc:  # pyoxigraph's HTTP client (SERVICE) and the store report this way
        _send(conn, ("error", ("run", one_line(str(exc)) or type(exc).__name__)))
    except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
        _send(conn, ("error", ("run", f"{type(exc).__name__}: {one_line(str(exc))}")))
    finally:
        conn.close()


def _send(conn, message) -> None:
    try:
        conn.send(message)
    except (OSError, ValueError):
        pass  # the parent is gone


def _limit_memory(max_memory: int | None) -> None:
    """No core files; and the address space capped at what the process has now plus ``max_memory`` MB."""
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    if max_memory is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + max_memory * MB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _address_space() -> int:
    """Bytes of address space this process uses now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this child if its parent dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _silence_stderr() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def one_line(message: str) -> str:
    return " ".join(message.split())
