"""Who wrote the report (the body) and where it sits: the divisions above it that the text states.

Every place the text names is a candidate, weighted by where it stands
(the title line, the line beside it, a 发布机构 field, an official name
heading or signing the report, the subject of its opening sentence, a
"现将…" line, and weakly any name in the first paragraphs); the name with the
highest score is the body, and the chains it came in give its county, city
and province. A report that calls itself 我镇 or 全区 favours that level; one
led by 区委、区政府 is below that level.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..kinds import COUNTY_LEVELS, TOWN_LEVELS
from ..model import Body, Division
from . import patterns as P
from .dates import HEADER_CHARS
from .divisions import normalise_name, parse_chain
from .tokens import Tokens, remember, run_before

WEAK_CHARS = 1500  # where a name in running text still counts as evidence of the body
SIGNATURE_CHARS = 300  # the end of a report, where it signs with its full name
LEVEL_WORD = {"镇": "township", "乡": "township", "街道": "subdistrict", "街": "subdistrict",
              "县": "county", "旗": "county", "区": "district", "市": "city"}


@dataclass(frozen=True)
class Weights:
    """How much each kind of evidence counts for a name being the body."""

    title: float = 6.0  # the name opens the title line
    near_title: float = 4.0  # ... or a line up to 120 characters above it
    publisher: float = 3.0  # a 发布机构 / 来源 field
    office: float = 3.0  # an official name (…镇人民政府) heading or signing the report
    subject: float = 2.0  # the subject of an opening sentence: "2023年，岔河镇坚持…"
    report_head: float = 3.0  # "现将岔河镇2023年…报告如下"
    weak: float = 0.5  # any name in the first paragraphs (only when no town-level name is found otherwise)
    organ: float = 1.5  # a county-level name heading an organ (荔湾区委), in a report that calls itself 我区
    per_use: float = 0.25  # each time the text uses the name ...
    uses_counted: int = 20  # ... up to this many times
    own_level: float = 4.0  # the name's level is the one the report calls itself (我镇, 全区)
    led_by: float = -5.0  # "在区委、区政府的领导下": the writer sits below that level


def _subject_matches(header: str) -> list[re.Match]:
    """Where the header names its subject: at the very start, or after a line or sentence break.

    One pattern ``(?:^|[\\n。；;])…`` would be tried at every position; the
    start is matched alone, then the break-character pattern is searched for.
    """
    first = P.SUBJECT_AT_START.match(header)
    rest = P.SUBJECT_AFTER_BREAK.finditer(header, first.end() if first else 0)
    return [first, *rest] if first else list(rest)


def _county_organ_names(folded: str) -> list[str]:
    """County-level names that start a run of Chinese characters and head an organ (县委, 区政府 …).

    One per run: the first organ suffix 2-12 characters into it. Found from
    the suffixes, walking back to the start of their run (a pattern that
    starts at every position is several times slower).
    """
    names: list[str] = []
    last_start = -1
    for m in P.COUNTY_ORGAN_SUFFIX.finditer(folded):
        at = m.start()
        run = len(run_before(folded, at, 13, P.CJK_RUN))
        start = at - run  # the run's start, unless the run is longer than 13
        if 2 <= run <= 12 and start != last_start:
            names.append(folded[start:at + 1])
            last_start = start
    return names



# where the report names itself (its title, 发布机构, heading or signature, the subject of an
# opening sentence): a name found only elsewhere must be a division the gazetteer knows, or it
# is a phrase that happens to end in a level word (现将我镇, 据悉街道)
SELF_NAMING = frozenset({"title", "near_title", "publisher", "office", "subject"})


class BodyFinder:
    """Finds the body of a report; memoises what depends on short windows alone.

    ``known(division)`` says whether a name is a real division (the national
    gazetteer); without it every name-like candidate counts.
    """

    def __init__(self, tokens: Tokens, weights: Weights = Weights(),
                 known: Callable[[Division], bool] | None = None) -> None:
        self.tokens = tokens
        self.weights = weights
        self.known = known
        self._chain_cache: dict[str, tuple[Division, ...]] = {}
        self._checked_cache: dict[str, tuple[Division, ...]] = {}
        self._name_ok_cache: dict[str, bool] = {}
        self._county_cache: dict[str, Division | None] = {}

    def find(self, folded: str, lines: list[tuple[int, str]], title_pos: int) -> tuple[Body, set[str]]:
        """The body, and the names it goes by in the text (its own and its upper divisions')."""
        w = self.weights
        header = folded[:HEADER_CHARS]
        chains: list[tuple[float, tuple[Division, ...], str]] = []  # (weight, chain, where it was found)

        def add(weight: float, chain: tuple[Division, ...], source: str, *, checked: bool = False) -> None:
            if not checked:
                chain = self._checked(chain)
            if chain:
                chains.append((weight, chain, source))

        for pos, line in lines[:25]:
            near_title = title_pos >= 0 and 0 <= title_pos - pos <= 120
            if pos == title_pos:
                add(w.title, _chain_at_line_start(line), "title")
            elif near_title:
                add(w.near_title, _chain_at_line_start(line), "near_title")
        for m in P.PUBLISHER.finditer(header):
            add(w.publisher, parse_chain(m.group(1)), "publisher")
        # official names (…镇人民政府, …街道办事处) head a report or sign it at the end
        for m in itertools.chain(P.OFFICE_TAIL.finditer(folded, 0, WEAK_CHARS),
                                 P.OFFICE_TAIL.finditer(folded, max(WEAK_CHARS, len(folded) - SIGNATURE_CHARS))):
            add(w.office, self._checked_chain_ending_at(folded, m.start()), "office", checked=True)
        for m in _subject_matches(header):
            chain = _chain_named_at(header[m.end(): m.end() + 30])
            if chain and chain[-1].level in TOWN_LEVELS + COUNTY_LEVELS:
                add(w.subject, chain, "subject")
        for m in P.REPORT_HEAD.finditer(header):
            add(w.report_head, parse_chain(m.group(1)), "report_head")
        if not any(c[-1].level in TOWN_LEVELS and self._real(c[-1]) for _, c, _ in chains):
            for m in P.DIVISION_END.finditer(header, 0, WEAK_CHARS):  # any name in running text, weakly
                add(w.weak, self._checked_chain_ending_at(folded, m.end()), "weak", checked=True)

        # a zone run with a division it names in brackets (开发区(黄梅街道)) is that division
        # wherever the report names the zone alone (2023年，开发区坚持…)
        zones = ({m.group(1): m.group(2) for m in P.ZONE_WITH_DIVISION.finditer(header)}
                 if P.ZONE_HINT.search(header) else {})
        if zones:
            chains = [(weight, _as_division(chain, zones), source) for weight, chain, source in chains]
        self_level = Counter(LEVEL_WORD[m.group(1)] for m in P.SELF_REFERENCE.finditer(folded))
        own_level = self_level.most_common(1)[0][0] if self_level else None
        if own_level in COUNTY_LEVELS:  # 我区 … 荔湾区委、区政府: the organs are its own
            for name in _county_organ_names(header):
                division = self._county_named_cached(name)
                if division is not None:
                    add(w.organ, (division,), "organ")
        above = {LEVEL_WORD[m.group(1)] for m in P.LED_BY.finditer(header)}
        scores: Counter[str] = Counter()
        level_of: dict[str, str] = {}
        self_named: set[str] = set()
        for weight, chain, source in chains:
            last = chain[-1]
            scores[last.name] += weight
            level_of.setdefault(last.name, last.level)
            if source in SELF_NAMING:
                self_named.add(last.name)
        for name in list(scores):
            scores[name] += min(folded.count(name), w.uses_counted) * w.per_use
            if own_level and level_of[name] == own_level:
                scores[name] += w.own_level
            if level_of[name] in above:  # led by 区委、区政府: not the 区 itself
                scores[name] += w.led_by
        ranked = sorted(sorted(scores), key=lambda n: -scores[n])
        best = next((n for n in ranked if n in self_named or self._real(Division(n, level_of[n]))), None)
        county = None
        if (best is not None and own_level in TOWN_LEVELS and level_of[best] in COUNTY_LEVELS
                and best not in self_named):  # 我镇 … 云安区: the county of a town that gives no name
            ranked, best, county = [best], None, Division(best, level_of[best])
        if best is None:  # nameless: what it calls itself (我镇) and the county whose organs it names
            note = ("no name of a division the report gives itself or the gazetteer knows"
                    + (f" (found only {'、'.join(ranked[:3])})" if ranked else ""))
            if county is None and own_level in TOWN_LEVELS:
                county = self._county_from_text(folded)
            county = county if county is not None and county.level in COUNTY_LEVELS else None
            return Body(None, county, note=note, level=own_level or ""), set()
        own = Division(_preferred_form(folded, best, level_of[best]), level_of[best])
        uppers: dict[str, Division] = {}
        for _, chain, _ in sorted(chains, key=lambda c: -c[0]):
            if chain[-1].name == best:
                for d in chain[:-1]:
                    slot = "county" if d.level in COUNTY_LEVELS else d.level
                    uppers.setdefault(slot, d)
        if "county" not in uppers and own.level in TOWN_LEVELS:
            upper = self._county_from_text(folded)
            if upper is not None:  # a 市 right above a town may be either level: keep it where it fits
                uppers.setdefault("county" if upper.level in COUNTY_LEVELS else "city", upper)
        body = Body(own, uppers.get("county"), uppers.get("city"), uppers.get("province"))
        return body, {d.name for d in body.chain()} | {best}

    def _real(self, division: Division) -> bool:
        """Whether the gazetteer knows this division (every name counts without a gazetteer)."""
        return self.known is None or self.known(division)

    def _checked(self, chain: tuple[Division, ...]) -> tuple[Division, ...]:
        """A chain as the vote for the body counts it: offices normalised, () unless every name is name-like."""
        chain = tuple(normalise_name(d) for d in chain)
        return chain if chain and self._valid_chain(chain) else ()

    def _checked_chain_ending_at(self, folded: str, end: int) -> tuple[Division, ...]:
        """``_checked(_chain_ending_at(folded, end))``, memoised by the same window."""
        window = run_before(folded, end, 24)
        if len(window) < 2:
            return ()
        found = self._checked_cache.get(window)
        if found is None:
            found = remember(self._checked_cache, window, self._checked(self._chain_ending_at(folded, end)))
        return found

    def _valid_chain(self, chain: tuple[Division, ...]) -> bool:
        """No name in the chain holds a word that cannot be part of a place name (现将本镇, 认真贯彻区)."""
        for d in chain:
            ok = self._name_ok_cache.get(d.name)
            if ok is None:
                ok = remember(self._name_ok_cache, d.name, self._name_ok(d.name))
            if not ok:
                return False
        return True

    def _name_ok(self, name: str) -> bool:
        """``_name_like`` of jieba's words for ``name``; jieba is asked only when a boundary word
        or a leading particle could be one of them (most names hold neither)."""
        if name[0] not in P.NAME_STOP_CHARS and not P.BOUNDARY_WORD.search(name):
            return True
        return self._name_like(self.tokens(name))

    @staticmethod
    def _name_like(tokens: tuple[str, ...]) -> bool:
        """Tokens that can make a place name: no verb or function word, not led by a particle."""
        if not tokens or tokens[0] in P.NAME_STOP_CHARS:
            return False
        return not any(len(t) > 1 and t in P.BOUNDARY_TOKENS for t in tokens)

    def _chain_ending_at(self, folded: str, end: int) -> tuple[Division, ...]:
        """The best division chain that ends right before ``end``, starting at a word boundary.

        More levels win; then names of ordinary length (a 2-3 character name
        plus its suffix), so 发布机构原州区 loses to 原州区.

        The window is the run of (at most 24) Chinese characters before
        ``end``; the answer depends on it alone, so it is memoised by window.
        """
        window = run_before(folded, end, 24)
        if len(window) < 2:
            return ()
        found = self._chain_cache.get(window)
        if found is None:
            found = remember(self._chain_cache, window, self._chain_in_window(window))
        return found

    def _chain_in_window(self, window: str) -> tuple[Division, ...]:
        tokens = self.tokens(window)
        offsets = [0]
        for tok in tokens:
            offsets.append(offsets[-1] + len(tok))
        best: tuple[Division, ...] = ()
        best_score: tuple[int, int] | None = None
        for i, off in enumerate(offsets[:-1]):
            if not self._name_like(tokens[i:]):
                continue
            chain = parse_chain(window[off:])
            if not chain or sum(len(d.name) for d in chain) != len(window) - off:
                continue
            excess = sum(max(0, len(d.name) - 5) for d in chain if "自治" not in d.name)
            score = (len(chain), -excess)
            if best_score is None or score >= best_score:  # a tie: the later start (现将|北京市 …)
                best, best_score = chain, score
        return best

    def _county_from_text(self, folded: str) -> Division | None:
        """The county, district or city whose organs the report names most (县委, 区人民政府,
        a site header such as 宁乡市人民政府门户网站)."""
        counts: Counter[Division] = Counter()
        # only where the name starts a phrase: mid-sentence, 贯彻区委 is not a 贯彻区
        for name in _county_organ_names(folded):
            division = self._county_named_cached(name)
            if division is not None:
                counts[division] += 1
        counts = Counter({d: n for d, n in counts.items() if n >= 2 or folded.count(d.name + "人民政府")})
        if not counts:
            return None
        return max(sorted(counts, key=lambda d: d.name), key=lambda d: counts[d])

    def _county_named_cached(self, name: str) -> Division | None:
        """``_county_named``, memoised."""
        division = self._county_cache.get(name, False)
        if division is False:
            division = remember(self._county_cache, name, self._county_named(name))
        return division

    def _county_named(self, name: str) -> Division | None:
        """The county, district or city ``name`` is, all of it, if it is one."""
        chain = parse_chain(name)
        if any(t in P.BOUNDARY_TOKENS for t in self.tokens(name)):
            return None
        if chain and sum(len(d.name) for d in chain) == len(name) and chain[-1].level in ("county", "district", "city"):
            return normalise_name(chain[-1])
        return None


def _chain_at_line_start(line: str) -> tuple[Division, ...]:
    """The chain a line opens with; a government named between two levels is skipped
    (广州市海珠区人民政府南华西街道办事处关于…)."""
    line = P.NON_CJK_HEAD.sub("", line)
    line = P.PARTY_HEAD.sub("", line)
    return _chain_named_at(P.GOVERNMENT_BETWEEN.sub("", line[:48])[:40])


def _as_division(chain: tuple[Division, ...], zones: dict[str, str]) -> tuple[Division, ...]:
    """A chain ending in a zone the report runs with a division, as that division's."""
    for zone, division in zones.items():
        if zone.endswith(chain[-1].name):
            return parse_chain(division) or chain
    return chain


def _chain_named_at(text: str) -> tuple[Division, ...]:
    """The chain a text opens with; for a zone run with a town or sub-district
    (开发区(黄梅街道)坚持…), that division's."""
    zone = P.ZONE_WITH_DIVISION.match(text)
    return parse_chain(zone.group(2) if zone else text)


def _preferred_form(folded: str, name: str, level: str) -> str:
    """环市街 or 环市街道: the form the report uses most for itself."""
    if level != "subdistrict":
        return name
    short = name[:-1] if name.endswith("街道") else name
    long_ = short + "道"
    n_long = folded.count(long_)
    n_short = folded.count(short) - n_long
    return long_ if n_long >= n_short else short

