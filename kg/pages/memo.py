"""What the per-mention pass made of each body, kept beside the pages for the next build.

A vocabulary edit or a few new reports change the reports of few bodies, but
the pages count over all of them: folding every body again is most of an
edit's page time. So a build keeps, per body, what ``fold`` made of it (its
concepts with their counts and years, its card and network details) and where
its rows and edges lie in towns.csv and graph.graphml. The next build folds
again only the bodies whose inputs differ: a report of theirs changed (the
digest of its triples), they moved in the page, or a concept they name has
another kind, label, link or (for a card) other names. The others add what
was kept, and their rows and edges are copied from the files before.

A concept's evidence is its least few (source, sentence, year) over all its
bodies, which cannot be undone body by body: each concept keeps its least
``EXTRA`` candidates with their bodies; those of bodies folded again are
dropped and the new ones merged in. Where that leaves too few to be sure of
the least, every body naming the concept is folded again.

The memo is ``marshal`` data (plain values only, nothing executed when
read), in the generation beside the pages it describes, and used only when
those pages are still the ones it was made with (size and time) and the same
code draws them.
"""

from __future__ import annotations

import gc
import marshal
from array import array
from collections import defaultdict
from pathlib import Path

from .fold import BodyFold
from .records import EVIDENCE_CANDIDATES, BodyStats, ConceptStats, Named, Smallest

MEMO = ".pages-memo"  # in the generation, beside the pages
EXTRA = 32  # evidence candidates kept per concept (a concept shows the least EVIDENCE_CANDIDATES)
_FORMAT = 3


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class PagesMemo:
    """The memo of the pages before (if usable) and the one this pass writes."""

    def __init__(self, code: str, digests: dict[str, str], previous: Path | None = None) -> None:
        """``code``: what draws the pages; ``digests``: each report's triples digest (a report's
        evidence follows from its triples); ``previous``: the generation the pages before are in."""
        self.code, self.digests = code, digests
        self.before: dict = {}
        self._files: dict[str, Path] = {}  # the pages before, whose spans are kept
        if previous is not None:
            self.before = self._load(previous)
        self.codes = _Codes(self.before.get("codes"))
        self.kept: dict[str, list] = {}  # bodies not folded again: their entries before
        self._old_cands: dict[str, tuple[bool, list, tuple | None]] = {}  # per concept: cut, kept, last
        self.total = 0  # bodies in the pass
        self.signatures: tuple[dict, dict] = ({}, {})  # of the concepts, as ``plan`` found them
        self._keys: dict[str, list] = {}
        # what this pass writes
        self.bodies: dict[str, tuple] = {}
        self.cands: dict[str, Smallest] = {}  # per concept, the least new (source, sentence, year, body)
        self.csv_pos = 0
        self.edge_pos = 0
        self._edges_at: dict[str, tuple[int, int]] = {}
        self._rows_at: dict[str, tuple[int, int]] = {}

    def _load(self, previous: Path) -> dict:
        from ..layout import GRAPHML, TOWNS_CSV

        try:
            data = _read_frames(previous / MEMO)
            if (not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("code") != self.code
                    or data.get("csv") != _stamp(previous / TOWNS_CSV)
                    or data.get("graphml") != _stamp(previous / GRAPHML)):
                return {}
            self._files = {"csv": previous / TOWNS_CSV, "graphml": previous / GRAPHML}
            return data
        except (OSError, EOFError, ValueError, TypeError):
            return {}

    # ------------------------------------------------------------ before the pass

    def plan(self, bodies: dict[str, BodyStats], concepts: dict[str, ConceptStats]) -> None:
        """Which bodies need not be folded again (``kept``)."""
        self.total = len(bodies)
        self.signatures = basic, terms = _signatures(concepts)
        self._keys = {t.iri: self._key(t) for t in bodies.values()}
        if self.before.get("bodies"):
            try:
                self._plan(bodies, basic, terms)
            except (KeyError, IndexError, TypeError, ValueError):  # a memo not of this shape: fold all
                self.before, self.kept, self._old_cands = {}, {}, {}
                self.codes = _Codes()

    def _plan(self, bodies: dict[str, BodyStats], basic: dict, terms: dict) -> None:
        before = self.before["bodies"]
        old_basic, old_terms = self.before["basic"], self.before["terms"]
        # per concept number: whether a body naming it may be kept (absent now and before: yes)
        same_basic = [old_basic.get(c) == basic.get(c) for c in self.codes.concepts]
        same_terms = [old_terms.get(c) == terms.get(c) for c in self.codes.concepts]
        keys: dict[tuple, int] = defaultdict(int)
        for t in bodies.values():
            keys[(t.name, t.county, t.city, t.province)] += 1
        for t in bodies.values():
            held = before.get(t.iri)
            if (held is None or held[0] != self._keys[t.iri] or held[7] is None or held[1] is None
                    or keys[(t.name, t.county, t.city, t.province)] != 1):
                continue
            deps = _numbers(held[1])
            if not all(same_basic[i] for i in deps) or (t.named is not None and
                                                        not all(same_terms[i] for i in deps)):
                continue
            self.kept[t.iri] = held
        self._evidence_plan()

    def _evidence_plan(self) -> None:
        """Keep the kept candidates of each concept; where fewer than the shown least remain of
        a cut list, fold again every body naming that concept (until none is short): its
        candidates are then all new."""
        redo: set[str] = set()
        while True:
            self._old_cands = {}
            short = set()
            for c, (cut, items) in self.before["evidence"].items():
                if c in redo:
                    continue
                left = [x for x in items if x[3] in self.kept]
                if cut and len(left) < EVIDENCE_CANDIDATES:
                    short.add(c)
                self._old_cands[c] = (cut, left, items[-1] if cut else None)
            if not short:
                return
            redo |= short
            numbers = {self.codes.number(c) for c in short}
            for iri in [iri for iri, held in self.kept.items() if not numbers.isdisjoint(_numbers(held[2])[::4])]:
                del self.kept[iri]

    def _key(self, t: BodyStats) -> list:
        """What a body's fold depends on, besides the concepts it names."""
        return [t.name, t.county, t.city, t.province, t.named is not None, t.links is not None,
                [[r.iri, r.year, r.source, self.digests.get(r.iri, "")] for r in t.reports]]

    # ------------------------------------------------------------ during the pass

    def rows_span(self, iri: str) -> list[int]:
        """Where a kept body's towns.csv rows lie in the file before (offset, length)."""
        return self.before["bodies"][iri][7]

    def edges_span(self, iri: str) -> list[int]:
        """Where a kept body's GraphML edges lie in the file before."""
        return self.before["bodies"][iri][8]

    def source(self, name: str) -> Path | None:
        """The page before that kept spans come from: "csv" or "graphml"."""
        return self._files.get(name)

    def fold_of(self, held: list) -> BodyFold:
        """A kept body's fold, as the pass adds it."""
        _key, _deps, pairs, mentions, linked, links, named = held[:7]
        bf = BodyFold(self.codes.unpairs(pairs), [], mentions, linked)
        if links is not None:
            bf.links = {c: (_preds(p), y) for c, (p, y) in links.items()}
        if named is not None:
            bf.named = {c: Named(*values) for c, values in named.items()}
        return bf

    def keep(self, t: BodyStats, bf: BodyFold) -> None:
        """What the pass made of a body (folded or kept), for the next build."""
        held = self.before["bodies"][t.iri] if t.iri in self.kept else None
        size = held[8][1] if held is not None else len(bf.edges.encode("utf-8"))
        self._edges_at[t.iri] = (self.edge_pos, size)
        self.edge_pos += size
        if held is not None:  # as it was (its evidence candidates are among the kept ones)
            self.bodies[t.iri] = [self._keys[t.iri], *held[1:]]
            return
        links = None if bf.links is None else {c: [" ".join(sorted(p)), y] for c, (p, y) in bf.links.items()}
        named = None if bf.named is None else {c: [n.years, n.mentions, n.year, n.source, n.sentence, n.surface]
                                              for c, n in bf.named.items()}
        codes = self.codes
        deps = None if bf.deps is None else array("I", [codes.number(c) for c in bf.deps]).tobytes()
        self.bodies[t.iri] = [self._keys[t.iri], deps, codes.pairs(bf.pairs), bf.mentions, bf.linked, links, named,
                              None, None]
        size = max(EXTRA, EVIDENCE_CANDIDATES)
        for c, (source, sentence, year) in bf.cands:
            held = self.cands.get(c)
            if held is None:
                held = self.cands[c] = Smallest(size)
            candidate = (source, sentence, year, t.iri)
            if len(held.items) < size or candidate < held.items[-1]:
                held.add(candidate)
            else:
                held.count += 1

    def rows_written(self, group: list[BodyStats], text: str | None = None) -> None:
        """Where a run of bodies' rows went (``text``, or the kept ones spliced in)."""
        iri = group[0].iri
        size = self.before["bodies"][iri][7][1] if text is None else len(text.encode("utf-8"))
        if len(group) == 1:
            self._rows_at[iri] = (self.csv_pos, size)
        self.csv_pos += size

    # ------------------------------------------------------------ after the pass

    def evidence(self, concepts: dict[str, ConceptStats]) -> None:
        """Each concept's least evidence: the kept candidates and the new ones, merged. A list
        cut short (kept before, or new) is known only up to its last item: stop there."""
        self.evidence_out: dict[str, list] = {}
        for c, concept in concepts.items():
            cut, left, last = self._old_cands.get(c, (False, [], None))
            new = self.cands.get(c)
            merged = sorted([*left, *(new.items if new else ())])
            if new is not None and new.count > len(new.items):
                cut, last = True, new.items[-1] if last is None else min(last, new.items[-1])
            if cut:
                merged = [x for x in merged if x <= last]
            if not merged:
                continue
            concept.evidence.items = [x[:3] for x in merged[:EVIDENCE_CANDIDATES]]
            concept.evidence.count = len(merged)
            self.evidence_out[c] = [cut or len(merged) > EXTRA, merged[:EXTRA]]

    def save(self, gen: Path, graphml_edges_at: int) -> None:
        """Write the memo beside the pages (once they are committed: it holds their stamps)."""
        from ..layout import GRAPHML, TOWNS_CSV

        for iri, entry in self.bodies.items():
            entry[7] = list(self._rows_at[iri]) if iri in self._rows_at else None
            start, size = self._edges_at[iri]
            entry[8] = [graphml_edges_at + start, size]
        basic, terms = self.signatures
        head = {"format": _FORMAT, "code": self.code, "csv": _stamp(gen / TOWNS_CSV),
                "graphml": _stamp(gen / GRAPHML), "basic": basic, "terms": terms,
                "evidence": self.evidence_out, "codes": self.codes.dump()}
        _write_frames(gen / MEMO, head, self.bodies)


def _signatures(concepts: dict[str, ConceptStats]) -> tuple[dict, dict]:
    """Per concept, what a body's rows and edges take of it; and its names (a card marks them)."""
    basic = {c: [x.kind, x.label, sorted(x.preds), x.adopters is not None] for c, x in concepts.items()}
    terms = {c: list(x.terms) for c, x in concepts.items()}
    return basic, terms


_BODIES_PER_FRAME = 2000


def _write_frames(path: Path, head: dict, bodies: dict[str, list]) -> None:
    """The memo as frames (8-byte length, marshal data): the head, then the bodies a few
    thousand at a time, so that writing it never holds all of it twice (105 MB at 50,000)."""
    from ..layout import AtomicWriter

    out = AtomicWriter(path, durable=False)  # a memo a later build can do without
    try:
        fh = out.fh.buffer
        items = list(bodies.items())
        for part in [head, *(dict(items[i:i + _BODIES_PER_FRAME]) for i in range(0, len(items), _BODIES_PER_FRAME))]:
            data = marshal.dumps(part)
            fh.write(len(data).to_bytes(8, "little"))
            fh.write(data)
        out.commit()
    except BaseException:
        out.abandon()
        raise


def _read_frames(path: Path) -> dict:
    """The head, with the bodies of every frame after it under "bodies"."""
    gc.disable()  # a few hundred thousand small lists: a collection per thousand of them
    try:
        with open(path, "rb") as fh:  # marshal.load(file) reads object by object: read frames whole
            head = marshal.loads(fh.read(int.from_bytes(fh.read(8), "little")))
            bodies: dict[str, list] = {}
            while size := fh.read(8):
                bodies.update(marshal.loads(fh.read(int.from_bytes(size, "little"))))
    finally:
        gc.enable()
    if isinstance(head, dict):
        head["bodies"] = bodies
    return head


def _numbers(data: bytes) -> array:
    out = array("I")
    out.frombytes(data)
    return out


class _Codes:
    """Concept IRIs, years and runs of years by number, so that a body's pairs are kept as four
    numbers each (the bytes of an array): a tenth of the memory of tuples. Numbers are only
    added, so those of the bodies kept from the build before stay good."""

    def __init__(self, held: list | None = None) -> None:
        concepts, years, spans = held if held else ([], [""], [None])
        self.concepts: list[str] = list(concepts)
        self.years: list[str] = list(years)
        self.spans: list[tuple[str, ...] | None] = list(spans)  # 0: not linked
        self._of = [{v: i for i, v in enumerate(table)} for table in (self.concepts, self.years, self.spans)]

    def _number(self, table: int, value) -> int:
        of = self._of[table]
        i = of.get(value)
        if i is None:
            held = (self.concepts, self.years, self.spans)[table]
            i = of[value] = len(held)
            held.append(value)
        return i

    def number(self, concept: str) -> int:
        return self._number(0, concept)

    def pairs(self, pairs: list[tuple]) -> bytes:
        """(concept, mentions, first year, linked years or None) as numbers."""
        flat = array("I")
        for c, n, first, years in pairs:
            flat.extend((self._number(0, c), n, self._number(1, first), self._number(2, years)))
        return flat.tobytes()

    def unpairs(self, data: bytes) -> list[tuple]:
        flat = _numbers(data)
        concepts, years, spans = self.concepts, self.years, self.spans
        return [(concepts[flat[i]], flat[i + 1], years[flat[i + 2]], spans[flat[i + 3]])
                for i in range(0, len(flat), 4)]

    def dump(self) -> list:
        return [self.concepts, self.years, self.spans]


_PREDS: dict[str, frozenset[str]] = {}


def _preds(text: str) -> frozenset[str]:
    """Link predicates kept as one string, as one shared set each."""
    held = _PREDS.get(text)
    if held is None:
        held = _PREDS[text] = frozenset(text.split())
    return held
