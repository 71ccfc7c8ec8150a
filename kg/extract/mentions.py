"""Text -> concept mentions: candidate spans from four generators, then one choice.

Each generator proposes spans over the folded text with the same signature,
``(folded, owns) -> candidates``: the vocabulary (Aho-Corasick), 《titles》,
quoted names with their tails, and unquoted names ending in an institution,
mechanism or programme word. The longest span wins (then the stronger
generator, then the earliest); vocabulary terms inside a span chosen by
pattern are kept too; one report's spellings of one thing become one
concept. Offsets are mapped back to the text as written.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from ..model import Mention
from ..textnorm import HAS_CJK, strip_quotes
from . import patterns as P
from .divisions import parse_chain
from .lexicon import FORMULA, LAW_PREFIX, Lexicon, VocabConcept
from .tokens import Tokens, remember, run_before


class _Candidate(NamedTuple):
    """A span a matcher proposes (a named tuple: a report makes thousands, and a frozen
    dataclass is several times slower to build; equality and hashing are the same, by fields)."""

    start: int  # in folded text
    end: int
    kind: str
    label: str
    priority: int  # lower wins among equally long spans
    source: str



def _joined_matches(folded: str) -> Iterator[re.Match]:
    """``P.JOINED.finditer(folded)``, tried only just before each "+": a match holds the first
    "+" 2-6 characters after its start (the pattern alone would be tried at every character)."""
    pos = 0
    while (plus := folded.find("+", pos)) >= 0:
        for start in range(max(pos, plus - 6), plus - 1):
            m = P.JOINED.match(folded, start)
            if m is not None:
                yield m
                pos = m.end()
                break
        else:
            pos = plus + 1


class MentionFinder:
    """Finds the concepts a report names; memoises what depends on short strings alone."""

    def __init__(self, lexicon: Lexicon, tokens: Tokens) -> None:
        self.lexicon = lexicon
        self.tokens = tokens
        # the lexicon and jieba's dictionary never change under a finder: the same names recur
        self._before_cache: dict[tuple[str, int], str] = {}
        self._resolve_cache: dict[tuple[str, str], tuple[str, str]] = {}
        self._pattern_name_cache: dict[tuple[str, bool], str | None] = {}
        self._pattern_label_cache: dict[tuple[str, str], tuple[str, str] | None] = {}

    def find(self, text: str, folded: str, index: list[int], own_names: Iterable[str]) -> list[Mention]:
        """The mentions of ``text`` (``folded`` is its folded copy, ``index`` maps folded offsets
        back); ``own_names`` are the body's names, dropped from the front of institutions."""
        owns = _own_order(own_names)
        lexical = self._lexicon_candidates(folded, owns)
        cands = lexical + self._title_candidates(folded, owns)
        cands += self._quote_candidates(folded, owns)
        cands += self._suffix_candidates(folded, owns)
        cands += self._rule_candidates(folded, owns)
        cands += self._joined_candidates(folded, owns)
        chosen = _select(cands, len(folded))
        chosen = sorted(chosen + _nested(chosen, lexical), key=lambda c: (c.start, c.end))
        chosen = _merge_variants(chosen, owns)
        spans = _sentences(text)
        starts = [s for s, _ in spans]
        out = []
        sentences: dict[int, str] = {}  # a sentence often holds several mentions
        for c in chosen:
            if c.kind == FORMULA:
                continue
            s, e = index[c.start], index[c.end - 1] + 1
            k = bisect.bisect_right(starts, s) - 1
            sentence = sentences.get(k)
            if sentence is None:
                ss, se = spans[k] if k >= 0 else (0, len(text))
                sentence = sentences[k] = text[ss:se].strip()
            out.append(Mention(s, e, text[s:e], c.kind, c.label, sentence, c.source))
        return out


    def _name_before(self, folded: str, pos: int, *, max_chars: int = 14) -> str:
        """The run of name-like words that ends at ``pos`` (possibly empty).

        The window is the run of Chinese characters and ``+`` (at most
        ``max_chars + 4``) before ``pos``; the answer depends on it alone, so
        it is memoised by window.
        """
        window = run_before(folded, pos, max_chars + 4, P.NAME_RUN)
        if not window:
            return ""
        found = self._before_cache.get((window, max_chars))
        if found is not None:
            return found
        tokens = self.tokens(window)
        kept: list[str] = []
        for tok in reversed(tokens):
            if tok in P.BOUNDARY_TOKENS or sum(map(len, kept)) + len(tok) > max_chars:
                break
            kept.append(tok)
        return remember(self._before_cache, (window, max_chars), "".join(reversed(kept)))

    def _resolve(self, label: str, kind: str) -> tuple[str, str]:
        """A pattern's label and kind, or the vocabulary's where it knows the name (memoised)."""
        found = self._resolve_cache.get((label, kind))
        if found is None:
            entry: VocabConcept | None = self.lexicon.lookup(label)
            found = (entry.label, entry.kind) if entry is not None else (canonical_label(label, kind), kind)
            remember(self._resolve_cache, (label, kind), found)
        return found

    def _lexicon_candidates(self, folded: str, owns: tuple[str, ...]) -> list[_Candidate]:
        # _splits_a_word is false for a label longer than 3 unless it is a law
        return [_Candidate(s, e, entry.kind, entry.label, 1, "lexicon") for s, e, entry in self.lexicon.find(folded)
                if (e - s > 3 and entry.kind != "law") or not self._splits_a_word(folded, s, e, entry.kind)]

    def _splits_a_word(self, folded: str, start: int, end: int, kind: str) -> bool:
        """A short label whose edge forms a word with the next or previous character
        (执法队|伍, 信访办|理, 阐|述法) is not the label; nor a law name glued to 律/规 (安全生产法|律法规)."""
        if kind == "law" and folded[end - 1] == "法" and folded[end:end + 1] in ("律", "规"):
            return True
        if end - start > 3:
            return False
        after = folded[end - 1:end + 1]
        before = folded[start - 1:start + 1] if start > 0 else ""
        return (len(after) == 2 and self.tokens.is_word(after)) or (len(before) == 2 and self.tokens.is_word(before))

    def _title_candidates(self, folded: str, owns: tuple[str, ...]) -> list[_Candidate]:
        out = []
        for m in P.TITLE.finditer(folded):
            inner = strip_quotes(m.group(1)).strip()
            if not HAS_CJK.search(inner):
                continue
            kind = "programme" if P.PROGRAMME_TITLE.search(inner) and "学习纲要" not in inner else "law"
            label, found = self._resolve(inner.removeprefix(LAW_PREFIX), kind)
            if found == FORMULA:  # a doctrine in 《》 is a book: a law-kind document
                found = "law"
            elif kind == "law" and found != "law" and P.DOCUMENT_TAIL.search(inner):
                # 《…清单》《…方案》 is the document, whatever the practice it is named after
                label, found = canonical_label(inner, "law"), "law"
            out.append(_Candidate(m.start(), m.end(), found, label, 0, "pattern"))
        return out

    def _quote_candidates(self, folded: str, owns: tuple[str, ...]) -> list[_Candidate]:
        out = []
        for m in P.QUOTED.finditer(folded):
            inner = m.group(1).strip()
            if not HAS_CJK.search(inner) and not P.NUMBERED.fullmatch(inner):
                continue
            tail_m = P.QUOTE_TAIL.match(folded, m.end())
            tail = tail_m.group(0) if tail_m else ""
            end = tail_m.end() if tail_m else m.end()
            found = self._classify_quoted(folded, m.start(), inner, tail)
            if found is None:
                continue
            label, kind = found
            out.append(_Candidate(m.start(), end, kind, label, 2, "pattern"))
        return out

    def _classify_quoted(self, folded: str, start: int, inner: str, tail: str) -> tuple[str, str] | None:
        entry = self.lexicon.lookup(inner)
        if P.DATE_LIKE.fullmatch(inner):  # “12·4”国家宪法日: the date names the day
            tail_entry = self.lexicon.lookup(tail) if tail else None
            return (tail_entry.label, tail_entry.kind) if tail_entry else None
        if len(inner) > 24 or (P.CLAUSE_MARK.search(inner) and not tail):
            return None
        if tail:
            if tail.endswith(P.INSTITUTION_TAILS):
                label, kind = self._resolve(tail, "institution")
                return (label, kind) if kind != FORMULA else None
            kind = "programme" if tail.endswith(P.PROGRAMME_TAILS) else "mechanism"
            content = P.GENERIC_TAIL.sub("", tail)
            if entry is not None and entry.kind != FORMULA:
                return entry.label, entry.kind
            if entry is not None or _numeric_short(inner):
                if len(content) < 2 and entry is not None:
                    return None
                return self._resolve(inner + content, kind)
            return self._resolve(inner, kind)
        if entry is not None:
            return None if entry.kind == FORMULA else (entry.label, entry.kind)
        if P.DOCUMENT_TAIL.search(inner) and len(inner) >= 6 and "、" not in inner:
            return self._resolve(inner, "law")
        if P.SLOGAN_WORDS.search(inner):
            return None
        before = folded[max(0, start - 6):start]
        if inner.endswith(P.PROGRAMME_TAILS) or P.PROGRAMME_VERB.search(before):
            return self._resolve(inner, "programme")
        if inner.endswith(P.MECHANISM_TAILS) or P.METHOD_VERB.search(before) or _method_shape(inner):
            return self._resolve(inner, "mechanism")
        return None

    def _suffix_candidates(self, folded: str, owns: tuple[str, ...]) -> list[_Candidate]:
        out = []
        for words, kind in ((P.INSTITUTION_SUFFIX, "institution"), (P.MECHANISM_SUFFIX, "mechanism"),
                            (P.PROGRAMME_SUFFIX, "programme")):
            institution = kind == "institution"
            for at, end, suffix in words.finditer(folded):
                name = self._pattern_name(self._name_before(folded, at), institution)
                if name is None:
                    continue
                full = name + suffix
                start = at - len(name)
                label = _strip_own_in_order(full, owns) if institution else _strip_place(full)
                found = self._pattern_label(label, kind)
                if found is None:
                    continue
                out.append(_Candidate(start, end, found[1], found[0], 3, "pattern"))
        return out

    def _rule_candidates(self, folded: str, owns: tuple[str, ...]) -> list[_Candidate]:
        """Named rules of service or responsibility written bare: 首问负责制, 限时办结制, 路长制. The
        name may be short and made of common words (首问, 路): the tail alone makes it a name."""
        out = []
        for m in P.RULE.finditer(folded):
            name = P.LEADING_VERB.sub("", self._name_before(folded, m.start(), max_chars=6))
            if not name or name in P.BOUNDARY_TOKENS or _generic_institution(self.tokens(name)):
                continue  # 领导负责制 says who, not which rule
            found = self._pattern_label(name + m.group(0), "mechanism")
            if found is not None:
                out.append(_Candidate(m.start() - len(name), m.end(), found[1], found[0], 3, "pattern"))
        return out

    def _joined_candidates(self, folded: str, owns: tuple[str, ...]) -> list[_Candidate]:
        """Methods named by joined parts, unquoted, where the text says it is one (a 模式/机制 tail, or
        推行/建立/探索 … before it): 党建+法治+网格治理模式, 推行互联网+监管. Bare joined words are
        as often a list of kinds (实地+书面)."""
        out = []
        for m in _joined_matches(folded):
            plus = folded.index("+", m.start())
            first = self._name_before(folded, plus, max_chars=6)
            if len(first) < 2:
                continue
            start = plus - len(first)
            if not m.group("tail") and not P.METHOD_VERB.search(folded[max(0, start - 4):start]):
                continue
            label = P.GENERIC_TAIL.sub("", folded[start:m.end()])
            found = self._pattern_label(label, "mechanism")
            if found is not None:
                out.append(_Candidate(start, m.end(), found[1], found[0], 3, "pattern"))
        return out

    def _pattern_name(self, name: str, institution: bool) -> str | None:
        """The name found before a suffix as the candidate keeps it, or None when it is none (memoised)."""
        key = (name, institution)
        if key in self._pattern_name_cache:
            return self._pattern_name_cache[key]
        if not institution:  # 全面依法治镇委员会 keeps its 全面; 全面落实X制度 does not
            name = P.LEADING_VERB.sub("", name)
        tokens = self.tokens(name) if len(name) >= 2 else ()
        # a name of common words alone names nothing: 工作|领导小组, 常态化学习|机制, 工作新|机制
        if (len(name) < 2 or (not institution and _generic(name, tokens))
                or (institution and _generic_institution(tokens))
                or (not institution and name.endswith("新"))):
            return remember(self._pattern_name_cache, key, None)
        return remember(self._pattern_name_cache, key, name)

    def _pattern_label(self, label: str, kind: str) -> tuple[str, str] | None:
        """The (label, kind) a name found by its suffix resolves to, or None when it is dropped (memoised)."""
        key = (label, kind)
        if key in self._pattern_label_cache:
            return self._pattern_label_cache[key]
        found = None
        if not (len(label) < 3 or (kind == "institution" and P.PARTY_COMMITTEE.search(label))):
            found = self._resolve(label, kind)
            if found[1] == FORMULA:
                found = None
        return remember(self._pattern_label_cache, key, found)


# ---------------------------------------------------------------------- helpers


# ---------------------------------------------------------------------- helpers

def canonical_label(text: str, kind: str) -> str:
    """One spelling per concept: no quotes, no 中华人民共和国 on laws, full-width brackets, em-dash year ranges."""
    label = strip_quotes(text).strip()
    if kind == "law":
        label = label.removeprefix(LAW_PREFIX)
    label = label.replace("(", "（").replace(")", "）")
    label = P.YEAR_DASH.sub("—", label)
    return label


def _numeric_short(inner: str) -> bool:
    return len(inner) <= 3 and inner[0] in "一二三四五六七八九十两双百千万0123456789"


def _method_shape(inner: str) -> bool:
    if "、" in inner:
        return inner.count("、") == 1 and all(2 <= len(p) <= 6 for p in inner.split("、"))
    numerals = sum(c in "一二三四五六七八九十两双百千万" for c in inner)
    if inner[0] in "一二三四五六七八九十两双百千万" and not P.METHOD_SUFFIX.search(inner):
        # 三重一大, 三官一律一员 pair numbers with nouns; 十四五, 四种形态, 一盘棋 are slogans
        return 2 <= numerals < len(inner) - 1 and "+" not in inner[:1]
    return bool(P.METHOD_SHAPE.search(inner)) and len(inner) >= 3


def _generic(name: str, tokens: tuple[str, ...]) -> bool:
    """A name made of common words alone (by jieba's words, or the words' own spellings)."""
    return all(t in P.GENERIC_WORDS or len(t) == 1 for t in tokens) or len(P.GENERIC_RUN.sub("", name)) <= 1


def _generic_institution(tokens: tuple[str, ...]) -> bool:
    """An institution named only by words every body uses (工作领导小组, 相关委员会)."""
    return all(t in P.GENERIC_ORGAN_WORDS for t in tokens)


def _own_order(own_names: Iterable[str]) -> tuple[str, ...]:
    """The order _strip_own tries a report's own names in: longest first (sorted once per report)."""
    return tuple(sorted(own_names, key=len, reverse=True))


def _strip_own_in_order(name: str, owns: tuple[str, ...]) -> str:
    """半坡镇执法队 -> 执法队; but 城中区委… is that place's party committee, and stays."""
    for own in owns:
        rest = name[len(own):]
        if name.startswith(own) and len(rest) >= 2 and not rest.startswith(("委", "党", "政府", "人民政府")):
            name = rest
            break
    return _drop_self_prefix(name)


@lru_cache(maxsize=1 << 16)
def _drop_self_prefix(name: str) -> str:
    """镇执法队 -> 执法队 (memoised: labels recur across reports)."""
    return P.SELF_PREFIX.sub("", name)


def _nested(chosen: list[_Candidate], lexical: list[_Candidate]) -> list[_Candidate]:
    """Vocabulary institutions and mechanisms inside a longer span chosen by pattern: the
    枫桥经验 of 《深化“枫桥经验”重庆实践十项行动实施方案》, the 综治中心 of 综治中心一体联动机制."""
    outer = [c for c in chosen if c.source == "pattern" or c.kind == FORMULA]
    if not outer:
        return []
    # chosen spans do not overlap and come sorted, so the only one that can hold a
    # (non-empty) vocabulary span is the last that starts at or before it
    outer_starts = [o.start for o in outer]
    chosen_set = set(chosen)
    out = []
    for c in lexical:
        if c.kind not in ("institution", "mechanism") or c in chosen_set:
            continue
        k = bisect.bisect_right(outer_starts, c.start) - 1
        if k >= 0:
            o = outer[k]
            # (not the tail of a longer name of its own kind: 综合执法中队 holds 执法中队; nor the
            # function an institution is named after: 合法性审查中心 is no use of 合法性审查)
            # nor a title's whole name: 《领导干部应知应会法律法规清单》 is the document
            if (c.end <= o.end and o.label != c.label and not (c.kind == o.kind and c.end == o.end)
                    and not (c.kind == "mechanism" and o.kind == "institution")
                    and not (c.start == o.start + 1 and c.end == o.end - 1)):
                out.append(c)
    return out


def _core_in_order(label: str, owns: tuple[str, ...]) -> str:
    """What is left of a name without its writer's place, the organ it hangs under, and a 制度/机制 tail."""
    return _core_of_stripped(_strip_own_in_order(label, owns))


@lru_cache(maxsize=1 << 16)
def _core_of_stripped(name: str) -> str:
    core = P.QUALIFIER.sub("", name)
    trimmed = P.SYSTEM_TAIL.sub("", core)
    return trimmed if len(trimmed) >= 3 else core


def _merge_variants(chosen: list[_Candidate], owns: tuple[str, ...]) -> list[_Candidate]:
    """One report's spellings of one thing become one concept: 镇依法治镇委员会 and
    全面依法治镇委员会, 长冈乡重大行政决策合法性审查制度 and 重大行政决策合法性审查.
    The vocabulary's label wins, else the most frequent, then the shortest."""
    groups: dict[str, list[_Candidate]] = {}
    cores: dict[str, str] = {}  # labels recur within a report
    for c in chosen:
        if c.kind != FORMULA:
            core = cores.get(c.label)
            if core is None:
                core = cores[c.label] = _core_in_order(c.label, owns)
            groups.setdefault(core, []).append(c)
    rename: dict[str, tuple[str, str]] = {}
    for members in groups.values():
        labels = {c.label for c in members}
        if len(labels) < 2:
            continue
        counts = Counter(c.label for c in members)
        best = min(members, key=lambda c: (c.source != "lexicon", -counts[c.label], len(c.label), c.label))
        for label in labels:
            rename[label] = (best.label, best.kind)
    if not rename:
        return chosen
    return [c if c.label not in rename else c._replace(label=rename[c.label][0], kind=rename[c.label][1])
            for c in chosen]


@lru_cache(maxsize=1 << 16)
def _strip_place(label: str) -> str:
    """长冈乡重大行政决策合法性审查制度 -> 重大行政决策合法性审查制度: a mechanism is named the
    same in every place that runs it."""
    chain = parse_chain(label)
    cut = sum(len(d.name) for d in chain)
    return label[cut:] if chain and len(label) - cut >= 4 else label


def _select(cands: list[_Candidate], length: int) -> list[_Candidate]:
    """Longest first, then the stronger source, then earliest; no overlaps."""
    taken = bytearray(length)
    chosen = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.priority, c.start)):
        if c.end <= c.start or taken.find(1, c.start, c.end) >= 0:
            continue
        taken[c.start:c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    return sorted(chosen, key=lambda c: (c.start, c.end))


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans over the original text."""
    # matches are never empty, so each ends after the previous one: one span per match
    ends = [m.end() for m in P.SENTENCE_END.finditer(text)]
    spans = list(zip([0, *ends], ends))
    start = ends[-1] if ends else 0
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]

