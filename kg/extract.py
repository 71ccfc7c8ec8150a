"""Text -> issuer, year, dates and concept mentions, with offsets.

Everything is found on a folded copy of the text (``textnorm``) and mapped
back, so a traditional-script page, full-width punctuation or a PDF's stray
spaces change nothing but the surface form.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import jieba

from . import patterns as P
from .divisions import SELF_REFERENCE, normalise_name, parse_chain
from .lexicon import LAW_PREFIX, Entry, Lexicon
from .model import Division, Document, Extraction, Issuer, Mention
from .textnorm import CJK_CLASS, HAS_CJK, fold_with_map, strip_quotes

HEADER_CHARS = 3000
WEAK_CHARS = 1500  # where a name in running text still counts as evidence of the issuer
SIGNATURE_CHARS = 300  # the end of a report, where it signs with its full name
TOKEN_CACHE = 20_000
LEVEL_WORD = {"镇": "township", "乡": "township", "街道": "subdistrict", "街": "subdistrict",
              "县": "county", "旗": "county", "区": "district", "市": "city"}

# Runs of Chinese characters (``textnorm.CJK_CLASS``), matched on a reversed slice to find the run
# that ends at a position without walking back one character at a time.
_CJK_RUN = re.compile(f"[{CJK_CLASS}]*")
_NAME_RUN = re.compile(f"[{CJK_CLASS}+]*")
# a county-level name where it starts a phrase and heads an organ; matched by _county_organ_names
_COUNTY_ORGAN = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,12}?(?:县|区|旗|市))(?=委|人民政府|政府|司法局|依法治|全面依法治)")
_COUNTY_ORGAN_SUFFIX = re.compile(r"[县区旗市](?=委|人民政府|政府|司法局|依法治|全面依法治)")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]*")
_PROGRAMME_TITLE = re.compile(r"纲要.*20\d\d|20\d\d.*纲要|实施纲要|改革纲要|普法规划")
_NUMBERED = re.compile(r"[\d·.]+")
_DATE_LIKE = re.compile(r"[\d·.\s]+")
_CLAUSE_MARK = re.compile(r"[，,。；;！!？?]")
_YEAR_DASH = re.compile(r"(?<=\d)\s*-\s*(?=\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_TITLE_YEAR = re.compile(r"(?<![\d-])(20\d\d)\s*年")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_AFTER_YEAR = re.compile(r"[,，]|以来|来|是")
_LINE_PUNCT = re.compile(r"[，,。；;]")
_REPORT_END = re.compile(r"报告$|总结$|情况$")
_CONTINUATION_END = re.compile(r"(?:报告|情况|总结)$")
_TITLE_END = re.compile(r"(?:报告|总结)$")
_NON_CJK_HEAD = re.compile(r"^[^\u4e00-\u9fff]+")
_PARTY_HEAD = re.compile(r"^(?:中共|中国共产党)")
CACHE_LIMIT = 20_000  # entries per memo below; cleared when full, like the token cache


def _run_before(text: str, end: int, limit: int, run: re.Pattern = _CJK_RUN) -> str:
    """The run of ``run``'s characters (at most ``limit``; Chinese ones by default) that ends at ``end``."""
    seg = text[max(0, end - limit):end]
    return seg[len(seg) - run.match(seg[::-1]).end():]


def _subject_matches(header: str) -> list[re.Match]:
    """``P.SUBJECT.finditer(header)``'s matches (spans and all), found several times faster.

    SUBJECT's first branch, ``^``, holds only at 0: match that there, then
    look for the break-character branches after it.
    """
    first = P.SUBJECT_AT_START.match(header)
    rest = P.SUBJECT_AFTER_BREAK.finditer(header, first.end() if first else 0)
    return [first, *rest] if first else list(rest)


def _county_organ_names(folded: str) -> list[str]:
    """``m.group(1)`` for each match of ``_COUNTY_ORGAN`` in ``folded``, found from the suffixes.

    ``_COUNTY_ORGAN`` is tried at every position of the text; its matches
    start a run of Chinese characters and end at the first organ suffix
    (县委, 区政府 …) 2-12 characters into that run, one per run. So look for
    the suffixes and walk back to the start of their run.
    """
    names: list[str] = []
    last_start = -1
    for m in _COUNTY_ORGAN_SUFFIX.finditer(folded):
        at = m.start()
        run = len(_run_before(folded, at, 13, _HAN_RUN))
        start = at - run  # the run's start, unless the run is longer than 13
        if 2 <= run <= 12 and start != last_start:
            names.append(folded[start:at + 1])
            last_start = start
    return names


def _remember(cache: dict, key, value):
    """Store ``value`` in a bounded memo and return it."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


class _Candidate(NamedTuple):
    """A span a matcher proposes (a named tuple: a report makes thousands, and a frozen
    dataclass is several times slower to build; equality and hashing are the same, by fields)."""

    start: int  # in folded text
    end: int
    kind: str
    label: str
    priority: int  # lower wins among equally long spans
    source: str


class Extractor:
    """Turns documents into extractions; holds the lexicon and a private tokenizer."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._tokenizer: jieba.Tokenizer | None = None
        self._token_cache: dict[str, tuple[str, ...]] = {}
        # Memos of pure functions of short strings (the lexicon and jieba's dictionary never
        # change under an extractor): the same names and phrases recur across reports.
        self._before_cache: dict[tuple[str, int], str] = {}
        self._chain_cache: dict[str, tuple[Division, ...]] = {}
        self._checked_cache: dict[str, tuple[Division, ...]] = {}
        self._name_ok_cache: dict[str, bool] = {}
        self._county_cache: dict[str, Division | None] = {}
        self._resolve_cache: dict[tuple[str, str], tuple[str, str]] = {}
        self._pattern_name_cache: dict[tuple[str, bool], str | None] = {}
        self._pattern_label_cache: dict[tuple[str, str], tuple[str, str] | None] = {}

    # ------------------------------------------------------------------ public
    def extract(self, doc: Document) -> Extraction:
        """Everything one report says about itself and what it names."""
        folded, index = fold_with_map(doc.text)
        lines = _lines(folded)
        title, title_pos = _title(lines)
        issuer, names = self._issuer(folded, lines, title_pos)
        year = _year(folded, title, title_pos)
        issued = _issued(folded)
        mentions = self._mentions(doc.text, folded, index, names)
        return Extraction(doc, title, issuer, year, issued, tuple(mentions))

    # ------------------------------------------------------------------ tokens
    def _tokens(self, text: str) -> tuple[str, ...]:
        """jieba's words for a short window (cached: the same phrases recur across reports)."""
        cached = self._token_cache.get(text)
        if cached is None:
            if self._tokenizer is None:
                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.setLogLevel(logging.WARNING)
                self._tokenizer = jieba.Tokenizer()
                self._tokenizer.initialize()
            if len(self._token_cache) >= TOKEN_CACHE:
                self._token_cache.clear()
            cached = self._token_cache[text] = tuple(self._tokenizer.lcut(text, HMM=False))
        return cached

    def _name_before(self, folded: str, pos: int, *, max_chars: int = 14) -> str:
        """The run of name-like words that ends at ``pos`` (possibly empty).

        The window is the run of Chinese characters and ``+`` (at most
        ``max_chars + 4``) before ``pos``; the answer depends on it alone, so
        it is memoised by window.
        """
        window = _run_before(folded, pos, max_chars + 4, _NAME_RUN)
        if not window:
            return ""
        found = self._before_cache.get((window, max_chars))
        if found is not None:
            return found
        tokens = self._tokens(window)
        kept: list[str] = []
        for tok in reversed(tokens):
            if tok in P.BOUNDARY_TOKENS or sum(map(len, kept)) + len(tok) > max_chars:
                break
            kept.append(tok)
        return _remember(self._before_cache, (window, max_chars), "".join(reversed(kept)))

    # ------------------------------------------------------------------ issuer
    def _issuer(self, folded: str, lines: list[tuple[int, str]], title_pos: int) -> tuple[Issuer, set[str]]:
        header = folded[:HEADER_CHARS]
        chains: list[tuple[float, tuple[Division, ...]]] = []

        def add(weight: float, chain: tuple[Division, ...], *, checked: bool = False) -> None:
            if not checked:
                chain = self._checked(chain)
            if chain:
                chains.append((weight, chain))

        for pos, line in lines[:25]:
            near_title = title_pos >= 0 and 0 <= title_pos - pos <= 120
            weight = 6.0 if pos == title_pos else 4.0 if near_title else 0.0
            if weight:
                add(weight, _chain_at_line_start(line))
        for m in P.PUBLISHER.finditer(header):
            add(3.0, parse_chain(m.group(1)))
        # official names (…镇人民政府, …街道办事处) head a report or sign it at the end
        for m in itertools.chain(P.OFFICE_TAIL.finditer(folded, 0, WEAK_CHARS),
                                 P.OFFICE_TAIL.finditer(folded, max(WEAK_CHARS, len(folded) - SIGNATURE_CHARS))):
            add(3.0, self._checked_chain_ending_at(folded, m.start()), checked=True)
        for m in _subject_matches(header):
            chain = parse_chain(header[m.end(): m.end() + 30])
            if chain and chain[-1].level in ("township", "subdistrict", "county", "district"):
                add(2.0, chain)
        for m in P.REPORT_HEAD.finditer(header):
            add(3.0, parse_chain(m.group(1)))
        if not any(c[-1].level in ("township", "subdistrict") for _, c in chains):
            for m in P.DIVISION_END.finditer(header, 0, WEAK_CHARS):  # any name in running text, weakly
                add(0.5, self._checked_chain_ending_at(folded, m.end()), checked=True)

        self_level = Counter(LEVEL_WORD[m.group(1)] for m in SELF_REFERENCE.finditer(folded))
        own_level = self_level.most_common(1)[0][0] if self_level else None
        above = {LEVEL_WORD[m.group(1)] for m in P.LED_BY.finditer(header)}
        scores: Counter[str] = Counter()
        level_of: dict[str, str] = {}
        for weight, chain in chains:
            body = chain[-1]
            scores[body.name] += weight
            level_of.setdefault(body.name, body.level)
        for name in list(scores):
            scores[name] += min(folded.count(name), 20) * 0.25
            if own_level and level_of[name] == own_level:
                scores[name] += 4.0
            if level_of[name] in above:  # led by 区委、区政府: not the 区 itself
                scores[name] -= 5.0
        if not scores:
            return Issuer(None), set()
        best = max(sorted(scores), key=lambda n: scores[n])
        body = Division(_preferred_form(folded, best, level_of[best]), level_of[best])
        uppers: dict[str, Division] = {}
        for _, chain in sorted(chains, key=lambda c: -c[0]):
            if chain[-1].name == best:
                for d in chain[:-1]:
                    slot = "county" if d.level in ("county", "district") else d.level
                    uppers.setdefault(slot, d)
        if "county" not in uppers and body.level in ("township", "subdistrict"):
            upper = self._county_from_text(folded)
            if upper is not None:  # a 市 right above a town may be either level: keep it where it fits
                uppers.setdefault("county" if upper.level in ("county", "district") else "city", upper)
        issuer = Issuer(body, uppers.get("county"), uppers.get("city"), uppers.get("province"))
        names = {d.name for d in (issuer.body, issuer.county, issuer.city, issuer.province) if d}
        names |= {best}
        return issuer, names

    def _checked(self, chain: tuple[Division, ...]) -> tuple[Division, ...]:
        """A chain as the issuer vote counts it: offices normalised, () unless every name is name-like."""
        chain = tuple(normalise_name(d) for d in chain)
        return chain if chain and self._valid_chain(chain) else ()

    def _checked_chain_ending_at(self, folded: str, end: int) -> tuple[Division, ...]:
        """``_checked(_chain_ending_at(folded, end))``, memoised by the same window."""
        window = _run_before(folded, end, 24)
        if len(window) < 2:
            return ()
        found = self._checked_cache.get(window)
        if found is None:
            found = _remember(self._checked_cache, window, self._checked(self._chain_ending_at(folded, end)))
        return found

    def _valid_chain(self, chain: tuple[Division, ...]) -> bool:
        """No name in the chain holds a word that cannot be part of a place name (现将本镇, 认真贯彻区)."""
        for d in chain:
            ok = self._name_ok_cache.get(d.name)
            if ok is None:
                ok = _remember(self._name_ok_cache, d.name, self._name_like(self._tokens(d.name)))
            if not ok:
                return False
        return True

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
        window = _run_before(folded, end, 24)
        if len(window) < 2:
            return ()
        found = self._chain_cache.get(window)
        if found is None:
            found = _remember(self._chain_cache, window, self._chain_in_window(window))
        return found

    def _chain_in_window(self, window: str) -> tuple[Division, ...]:
        tokens = self._tokens(window)
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
            if best_score is None or score > best_score:
                best, best_score = chain, score
        return best

    def _county_from_text(self, folded: str) -> Division | None:
        """The county, district or city whose organs the report names most (县委, 区人民政府,
        a site header such as 宁乡市人民政府门户网站)."""
        counts: Counter[Division] = Counter()
        # only where the name starts a phrase: mid-sentence, 贯彻区委 is not a 贯彻区
        for name in _county_organ_names(folded):
            division = self._county_cache.get(name, False)
            if division is False:
                division = _remember(self._county_cache, name, self._county_named(name))
            if division is not None:
                counts[division] += 1
        counts = Counter({d: n for d, n in counts.items() if n >= 2 or folded.count(d.name + "人民政府")})
        if not counts:
            return None
        return max(sorted(counts, key=lambda d: d.name), key=lambda d: counts[d])

    def _county_named(self, name: str) -> Division | None:
        """The county, district or city ``name`` is, all of it, if it is one."""
        chain = parse_chain(name)
        if any(t in P.BOUNDARY_TOKENS for t in self._tokens(name)):
            return None
        if chain and sum(len(d.name) for d in chain) == len(name) and chain[-1].level in ("county", "district", "city"):
            return normalise_name(chain[-1])
        return None

    # ------------------------------------------------------------------ mentions
    def _mentions(self, text: str, folded: str, index: list[int], own_names: set[str]) -> list[Mention]:
        lexical = self._lexicon_candidates(folded)
        cands = lexical + self._title_candidates(folded)
        cands += self._quote_candidates(folded)
        cands += self._suffix_candidates(folded, own_names)
        chosen = _select(cands, len(folded))
        chosen = sorted(chosen + _nested(chosen, lexical), key=lambda c: (c.start, c.end))
        chosen = _merge_variants(chosen, own_names)
        spans = _sentences(text)
        starts = [s for s, _ in spans]
        out = []
        sentences: dict[int, str] = {}  # a sentence often holds several mentions
        for c in chosen:
            if c.kind == "formula":
                continue
            s, e = index[c.start], index[c.end - 1] + 1
            k = bisect.bisect_right(starts, s) - 1
            sentence = sentences.get(k)
            if sentence is None:
                ss, se = spans[k] if k >= 0 else (0, len(text))
                sentence = sentences[k] = text[ss:se].strip()
            out.append(Mention(s, e, text[s:e], c.kind, c.label, sentence, c.source))
        return out

    def _resolve(self, label: str, kind: str) -> tuple[str, str]:
        """A pattern's label and kind, or the vocabulary's where it knows the name (memoised)."""
        found = self._resolve_cache.get((label, kind))
        if found is None:
            entry: Entry | None = self.lexicon.lookup(label)
            found = (entry.label, entry.kind) if entry is not None else (canonical_label(label, kind), kind)
            _remember(self._resolve_cache, (label, kind), found)
        return found

    def _lexicon_candidates(self, folded: str) -> list[_Candidate]:
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
        self._tokens("")  # make sure the dictionary is loaded
        freq = self._tokenizer.FREQ
        after = folded[end - 1:end + 1]
        before = folded[start - 1:start + 1] if start > 0 else ""
        return (len(after) == 2 and freq.get(after, 0) > 0) or (len(before) == 2 and freq.get(before, 0) > 0)

    def _title_candidates(self, folded: str) -> list[_Candidate]:
        out = []
        for m in P.TITLE.finditer(folded):
            inner = strip_quotes(m.group(1)).strip()
            if not HAS_CJK.search(inner):
                continue
            kind = "programme" if _PROGRAMME_TITLE.search(inner) and "学习纲要" not in inner else "law"
            label, found = self._resolve(inner.removeprefix(LAW_PREFIX), kind)
            if found == "formula":  # a doctrine in 《》 is a book: a law-kind document
                found = "law"
            out.append(_Candidate(m.start(), m.end(), found, label, 0, "pattern"))
        return out

    def _quote_candidates(self, folded: str) -> list[_Candidate]:
        out = []
        for m in P.QUOTED.finditer(folded):
            inner = m.group(1).strip()
            if not HAS_CJK.search(inner) and not _NUMBERED.fullmatch(inner):
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
        if _DATE_LIKE.fullmatch(inner):  # “12·4”国家宪法日: the date names the day
            tail_entry = self.lexicon.lookup(tail) if tail else None
            return (tail_entry.label, tail_entry.kind) if tail_entry else None
        if len(inner) > 24 or (_CLAUSE_MARK.search(inner) and not tail):
            return None
        if tail:
            if tail.endswith(P.INSTITUTION_TAILS):
                label, kind = self._resolve(tail, "institution")
                return (label, kind) if kind != "formula" else None
            kind = "programme" if tail.endswith(P.PROGRAMME_TAILS) else "mechanism"
            content = P.GENERIC_TAIL.sub("", tail)
            if entry is not None and entry.kind != "formula":
                return entry.label, entry.kind
            if entry is not None or _numeric_short(inner):
                if len(content) < 2 and entry is not None:
                    return None
                return self._resolve(inner + content, kind)
            return self._resolve(inner, kind)
        if entry is not None:
            return None if entry.kind == "formula" else (entry.label, entry.kind)
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

    def _suffix_candidates(self, folded: str, own_names: set[str]) -> list[_Candidate]:
        out = []
        owns = _own_order(own_names)
        for regex, kind in ((P.INSTITUTION_SUFFIX, "institution"), (P.MECHANISM_SUFFIX, "mechanism"),
                            (P.PROGRAMME_SUFFIX, "programme")):
            institution = kind == "institution"
            for m in regex.finditer(folded):
                name = self._pattern_name(self._name_before(folded, m.start()), institution)
                if name is None:
                    continue
                full = name + m.group(0)
                start = m.start() - len(name)
                label = _strip_own_in_order(full, owns) if institution else _strip_place(full)
                found = self._pattern_label(label, kind)
                if found is None:
                    continue
                out.append(_Candidate(start, m.end(), found[1], found[0], 3, "pattern"))
        return out

    def _pattern_name(self, name: str, institution: bool) -> str | None:
        """The name found before a suffix as the candidate keeps it, or None when it is none (memoised)."""
        key = (name, institution)
        if key in self._pattern_name_cache:
            return self._pattern_name_cache[key]
        if not institution:  # 全面依法治镇委员会 keeps its 全面; 全面落实X制度 does not
            name = P.LEADING_VERB.sub("", name)
        if len(name) < 2 or (not institution and len(name) <= 4 and _generic(self._tokens(name))):
            return _remember(self._pattern_name_cache, key, None)
        return _remember(self._pattern_name_cache, key, name)

    def _pattern_label(self, label: str, kind: str) -> tuple[str, str] | None:
        """The (label, kind) a name found by its suffix resolves to, or None when it is dropped (memoised)."""
        key = (label, kind)
        if key in self._pattern_label_cache:
            return self._pattern_label_cache[key]
        found = None
        if not (len(label) < 3 or (kind == "institution" and P.PARTY_COMMITTEE.search(label))):
            found = self._resolve(label, kind)
            if found[1] == "formula":
                found = None
        return _remember(self._pattern_label_cache, key, found)


# ---------------------------------------------------------------------- helpers

def canonical_label(text: str, kind: str) -> str:
    """One spelling per concept: no quotes, no 中华人民共和国 on laws, full-width brackets, em-dash year ranges."""
    label = strip_quotes(text).strip()
    if kind == "law":
        label = label.removeprefix(LAW_PREFIX)
    label = label.replace("(", "（").replace(")", "）")
    label = _YEAR_DASH.sub("—", label)
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


def _generic(tokens: tuple[str, ...]) -> bool:
    return all(t in P.GENERIC_WORDS or len(t) == 1 for t in tokens)


def _own_order(own_names: set[str]) -> tuple[str, ...]:
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
    outer = [c for c in chosen if c.source == "pattern" or c.kind == "formula"]
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
            if c.end <= o.end and o.label != c.label:
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


def _merge_variants(chosen: list[_Candidate], own_names: set[str]) -> list[_Candidate]:
    """One report's spellings of one thing become one concept: 镇依法治镇委员会 and
    全面依法治镇委员会, 长冈乡重大行政决策合法性审查制度 and 重大行政决策合法性审查.
    The vocabulary's label wins, else the most frequent, then the shortest."""
    groups: dict[str, list[_Candidate]] = {}
    owns = _own_order(own_names)
    cores: dict[str, str] = {}  # labels recur within a report
    for c in chosen:
        if c.kind != "formula":
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


def _lines(folded: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for raw in folded.split("\n"):
        stripped = raw.strip()
        if stripped:
            out.append((pos + raw.index(stripped[0]), stripped))
        pos += len(raw) + 1
    return out


def _title(lines: list[tuple[int, str]]) -> tuple[str, int]:
    """The report's title line (joined with a short continuation line) and its offset."""
    for i, (pos, line) in enumerate(lines[:30]):
        if len(line) <= 70 and P.TITLE_WORDS.search(line) and not P.NOT_TITLE.match(line):
            if not _LINE_PUNCT.search(line) or _REPORT_END.search(line):
                title = P.FIELD_LABEL.sub("", line)
                if i + 1 < len(lines) and len(lines[i + 1][1]) <= 12 and _CONTINUATION_END.search(lines[i + 1][1]) \
                        and not _TITLE_END.search(line):
                    title += lines[i + 1][1]
                return title, pos
    return "", -1


def _chain_at_line_start(line: str) -> tuple[Division, ...]:
    line = _NON_CJK_HEAD.sub("", line)
    line = _PARTY_HEAD.sub("", line)
    return parse_chain(line[:40])


def _preferred_form(folded: str, name: str, level: str) -> str:
    """环市街 or 环市街道: the form the report uses most for itself."""
    if level != "subdistrict":
        return name
    short = name[:-1] if name.endswith("街道") else name
    long_ = short + "道"
    n_long = folded.count(long_)
    n_short = folded.count(short) - n_long
    return long_ if n_long >= n_short else short


def _year(folded: str, title: str, title_pos: int) -> int | None:
    header = folded[:HEADER_CHARS]
    masked = P.YEAR_RANGE.sub(lambda m: "#" * len(m.group(0)), header)
    masked = P.LABELLED_DATE.sub(lambda m: "#" * len(m.group(0)), masked)
    masked = P.DATE_CN.sub(lambda m: "#" * len(m.group(0)), masked)
    if "-" in masked:  # (the substitution is slow to find nothing)
        masked = _ISO_DATE.sub(lambda m: "#" * len(m.group(0)), masked)
    scores: Counter[int] = Counter()
    for m in _TITLE_YEAR.finditer(title):
        scores[int(m.group(1))] += 10
    # the 《…》 spans (they do not overlap): a year inside one names a document
    books = [m.span() for m in _BOOK_TITLE.finditer(masked)]
    book_starts = [s for s, _ in books]
    for m in P.YEAR.finditer(masked):
        y = int(m.group(1))
        k = bisect.bisect_right(book_starts, m.start()) - 1
        if k >= 0 and m.start() < books[k][1]:
            scores[y] += 0.5
            continue
        w = 1.0
        if m.group(2):
            w += 3
        before = masked[max(0, m.start() - 2):m.start()]
        after = masked[m.end():m.end() + 3]
        if before.strip() == "" or before[-1:] in "\n。；;" or _AFTER_YEAR.match(after):
            w += 2
        sentence_head = masked[max(0, m.start() - 40):m.start()]
        if "现将" in sentence_head[sentence_head.rfind("。") + 1:]:
            w += 6
        scores[y] += w
    if not scores:
        return None
    return max(sorted(scores), key=lambda y: scores[y])


def _issued(folded: str) -> str | None:
    m = P.LABELLED_DATE.search(folded[:HEADER_CHARS])
    if not m:
        tail = folded[-200:]
        found = list(P.DATE_CN.finditer(tail))
        m = found[-1] if found else None
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups()[:3])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
