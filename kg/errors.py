"""Typed errors; only the CLI turns them into messages and exit codes.

    KgError
    ├── InputError      a report file cannot be read (one file; the batch goes on)
    ├── VocabularyError a SKOS vocabulary file is malformed
    ├── GraphError      a graph or build folder cannot be opened
    ├── NameNotFound    a name the user typed is no node of the graph
    ├── AmbiguousName   … or names several where one is needed
    └── QueryError      a SPARQL query is malformed or refused
        ├── LimitError  … or stopped by a limit (time, memory)
        └── RunError    … or failed while it ran (a SERVICE call, the engine)
"""

from __future__ import annotations


class KgError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(KgError):
    """One input file could not be turned into text."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class VocabularyError(KgError):
    """A vocabulary file could not be loaded."""


class GraphError(KgError):
    """A graph file or build folder could not be opened."""


class NameNotFound(KgError):
    """No concept or body of the graph has the name the user typed."""


class AmbiguousName(KgError):
    """A name the user typed matches several concepts or bodies where one is needed."""

    def __init__(self, message: str, choices: list[str]) -> None:
        super().__init__(message)
        self.choices = choices


class QueryError(KgError):
    """A query could not be parsed or is not allowed."""


class LimitError(QueryError):
    """The query was stopped by a limit: it ran out of time or of memory."""


class RunError(QueryError):
    """The query failed while it ran: a SERVICE call, or the query engine itself."""
