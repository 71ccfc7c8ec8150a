"""A report's body -> one entry of the national gazetteer, by what the text says, or none.

The extractor gives the body as the report names it (岔河镇) and the divisions
the text states above it (如东县). The gazetteer lists every entry that name
could be (城关镇 alone names 99 towns). The evidence that narrows them, in
order of strength:

1. ``stated``: the divisions the text states with the body (江津区四屏镇,
   中共X县Y镇委员会, a site header) leave one entry;
2. ``unique``: the name has one entry and nothing stated contradicts it;
3. ``villages``: the villages and communities the text names belong to one
   entry's list (a town's report names its 村 and 社区);
4. ``context``: the county, city or province names the text uses elsewhere
   (在X县委的领导下, 《X市…办法》) point to one entry.

Otherwise the body stays as written (``ambiguous``: kept apart from every
namesake, one node per report; ``not-found``: a renamed or new division, or
one the text places where the gazetteer has no such name). Nothing is ever
forced onto a neighbour.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..gazetteer import Gazetteer, Region, Town, full_names
from ..kinds import TOWN_LEVELS
from ..model import Body, Division, Place, Placement

# a village name this short is too common to tell towns apart (新村, 中心村 …)
_MIN_VILLAGE = 3
# how strongly each kind of context counts: a county the text names beats its city or province
_CONTEXT_WEIGHT = {"county": 3, "district": 3, "zone": 3, "city": 2, "province": 1}


class Resolver:
    """Places bodies in the gazetteer; one per process (the gazetteer is read once)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def place(self, body: Body, folded: str, report_key: str) -> Placement:
        """Where ``body`` sits, judged on the report's folded text; ``report_key`` names an
        ambiguous body apart from its namesakes."""
        own = body.division
        if own is None:
            return self._unnamed(body, report_key)
        candidates = self.gazetteer.named(own.name, own.level)
        stated = [d for d in (body.province, body.city, body.county) if d is not None]
        if not candidates:
            return _as_written(body, "not-found", f"{own.name}: not in the national gazetteer")
        narrowed = candidates
        for upper in stated:
            fits = self._fitting(narrowed, upper)
            if not fits:
                return _as_written(body, "not-found", f"the gazetteer has no {own.name} in {upper.name}")
            narrowed = fits
        if len(narrowed) == 1:
            how = "stated" if stated and len(candidates) > 1 else "unique"
            return self._resolved(own, stated, narrowed[0], how)
        villages = self._by_villages(narrowed, folded) if own.level in TOWN_LEVELS else None
        if villages is not None:
            return self._resolved(own, stated, villages, "villages")
        context = self._by_context(narrowed, folded)
        if context is not None:
            return self._resolved(own, stated, context, "context")
        note = f"{len(narrowed)} entries named {own.name}" + (f" in {stated[-1].name}" if stated else "")
        if stated:  # the stated upper tells it apart from namesakes elsewhere, as written
            return _as_written(body, "ambiguous", note)
        return Placement((Place(("ambiguous", own.name, report_key), own.name, own.level),), "ambiguous", note)

    # ------------------------------------------------------------------ evidence

    def _regions(self, upper: Division) -> set[Region]:
        """The regions a division the text states above the body may be, at any level."""
        regions: set[Region] = set()
        for level in ("county", "city", "province"):
            regions.update(self.gazetteer.named(upper.name, level))
        return regions

    def _fitting(self, candidates: tuple, upper: Division) -> tuple:
        """The candidates with ``upper`` (as the text writes it) somewhere above them."""
        regions = self._regions(upper)
        return tuple(c for c in candidates if regions & set(self.gazetteer.chain(c)[:-1]))

    def _by_villages(self, candidates: tuple, folded: str) -> Town | None:
        """The one candidate town whose own villages the text names (two at least, or more than
        any other candidate's), counting only village names no other candidate has."""
        lists = {c: {v for v in self.gazetteer.villages(c) if len(v) >= _MIN_VILLAGE} for c in candidates}
        shared = Counter(v for names in lists.values() for v in names)
        found = {c: sum(1 for v in names if shared[v] == 1 and v in folded) for c, names in lists.items()}
        return _clear_winner(found, least=2)

    def _by_context(self, candidates: tuple, folded: str) -> Region | Town | None:
        """The one candidate whose county, city or province the text names: by the full name,
        or, half as strongly, a city's or province's short name (西宁, 青海)."""
        found = {}
        for c in candidates:
            score = 0.0
            for region in self.gazetteer.chain(c)[:-1]:
                hits = sum(folded.count(name) for name in full_names(region))
                if region.level in ("city", "province"):
                    hits += sum(folded.count(s) for s in region.short if len(s) >= 2) / 2
                score += _CONTEXT_WEIGHT.get(region.level, 1) * min(hits, 5)
            found[c] = score
        return _clear_winner(found, least=1)

    # ------------------------------------------------------------------ the chain

    def _unnamed(self, body: Body, report_key: str) -> Placement:
        """A body the report never names, where it says what it is (我镇): a node of that level of
        its own, under the county it states where the gazetteer has one of that name."""
        if not body.level:
            return Placement(resolution="none", note=body.note)
        me = Place(("unnamed", report_key), "", body.level, written=False)
        counties = self.gazetteer.named(body.county.name, body.county.level) if body.county else ()
        if len(counties) == 1:
            above = self._resolved(body.county, [], counties[0], "unique").chain
            above = above[:-1] + (replace(above[-1], written=True),)
        else:
            above = _as_written(Body(body.county), "none", "").chain if body.county else ()
        return Placement(above + (me,), "unnamed", body.note)

    def _resolved(self, own: Division, stated: list[Division], entry: Region | Town, how: str) -> Placement:
        """The gazetteer's chain down to ``entry``. The body keeps the name the report uses, and
        so does a division above it that the text states (屏边县 for 屏边苗族自治县); the note
        says where the gazetteer's name differs beyond 街/街道 (罗云镇, listed as 罗云乡)."""
        written = {}
        for upper in stated:
            for region in self._regions(upper):
                written.setdefault(region, upper.name)
        chain = []
        for item in self.gazetteer.chain(entry):
            if isinstance(item, Town):
                key = (item.county.code, item.name)
                chain.append(Place(key, own.name, _level(item), official=_differs(item.name, own.name)))
            else:
                name = own.name if item is entry else written.get(item, item.name)
                chain.append(Place((item.code,), name, _level(item), item.code, _differs(item.name, name),
                                   item.lat, item.lon, item.approximate, written=item is entry or item in written))
        official = entry.name
        renamed = _town_form(official) != _town_form(own.name) and own.name not in full_names_of(entry)
        return Placement(tuple(chain), how, f"the gazetteer lists it as {official}" if renamed else "")


def _as_written(body: Body, how: str, note: str) -> Placement:
    """The body and the divisions the text states above it, under the names it writes: each
    place's IRI is its name under the nearest stated division above it."""
    chain = body.chain()
    places = tuple(Place((chain[i - 1].name, d.name) if i > 0 and d.level != "province" else (d.name,),
                         d.name, d.level) for i, d in enumerate(chain))
    return Placement(places, how, note)


def _clear_winner(scores: dict, *, least: int):
    """The one key with the top score, if it reaches ``least`` and no other key ties it."""
    if not scores:
        return None
    ranked = sorted(scores.values(), reverse=True)
    top = ranked[0]
    if top < least or (len(ranked) > 1 and ranked[1] == top):
        return None
    return next(k for k, v in scores.items() if v == top)


def full_names_of(entry: Region | Town) -> tuple[str, ...]:
    return full_names(entry) if isinstance(entry, Region) else (entry.name,)


def _town_form(name: str) -> str:
    """环市街道 and 环市街 alike: the forms a report may write for one sub-district."""
    return name[:-1] if name.endswith("街道") else name


def _level(item: Region | Town) -> str:
    """The kg.kinds level of a gazetteer entry (a development zone counts as a district, a
    farm or like unit as a township)."""
    return {"zone": "district", "other": "township"}.get(item.level, item.level)


def _differs(official: str, name: str) -> str | None:
    return official if official != name else None

