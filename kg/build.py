"""Wire the stages for one build: ingest -> extract -> resolve -> graph -> viz.

The runner is the only code that knows the order of stages; each stage is a
plain function over the dataclasses of ``kg.model``. A file that cannot be
read costs that file only: its error is reported and the batch goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import graph as G
from .errors import InputError
from .extract import Extractor
from .ingest import find_inputs, read_document
from .lexicon import Lexicon
from .model import Extraction
from .query import GraphStore
from .resolve import Concept, resolve


@dataclass
class BuildResult:
    """What a build read, made and wrote."""

    extractions: list[Extraction]
    concepts: dict[str, Concept]
    failed: list[InputError] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    triples: int = 0
    outputs: list[Path] = field(default_factory=list)


def extract_all(paths: Iterable[Path], extractor: Extractor,
                on_error: Callable[[InputError], None] = lambda e: None) -> tuple[list[Extraction], list[InputError]]:
    """Read and extract every file; a file that fails is reported and left out."""
    extractions, failed = [], []
    for path in paths:
        try:
            doc = read_document(path)
        except InputError as exc:
            failed.append(exc)
            on_error(exc)
            continue
        extractions.append(extractor.extract(doc))
    return extractions, failed


def read_and_extract(inputs: Sequence[str | Path], *, vocab: Sequence[str | Path] = (),
                     on_error: Callable[[InputError], None] = lambda e: None
                     ) -> tuple[Lexicon, list[Extraction], list[InputError], list[Path]]:
    """Ingest and extract without writing anything: (lexicon, extractions, failures, skipped)."""
    lexicon = Lexicon.load(vocab)
    files, skipped = find_inputs(inputs)
    extractions, failed = extract_all(files, Extractor(lexicon), on_error)
    return lexicon, extractions, failed, skipped


def build(inputs: Sequence[str | Path], out_dir: str | Path, *, vocab: Sequence[str | Path] = (),
          on_error: Callable[[InputError], None] = lambda e: None, network: bool = True) -> BuildResult:
    """Build ``graph.ttl`` (and ``network.html``) in ``out_dir`` from report files and folders."""
    out = Path(out_dir)
    lexicon, extractions, failed, skipped = read_and_extract(inputs, vocab=vocab, on_error=on_error)
    # the same input in any order gives the same graph
    extractions.sort(key=lambda ex: (ex.document.source, ex.document.sha256))
    extractions, concepts = resolve(extractions, lexicon)
    triples = set(G.triples(extractions, concepts))
    ttl = G.turtle(triples)
    result = BuildResult(extractions, concepts, failed, skipped, len(triples))
    G.write_atomic(out / "graph.ttl", ttl)
    result.outputs.append(out / "graph.ttl")
    if network:
        from .viz import network_html  # pyvis is only needed here

        store = GraphStore.open(out / "graph.ttl")
        G.write_atomic(out / "network.html", network_html(store.select))
        result.outputs.append(out / "network.html")
    return result
