"""jieba's words for short windows of text, and the bounded memos the extractor keeps.

The extractor asks for the words of the same short phrases (names before a
suffix, chains of divisions) again and again across reports: each answer is
a pure function of its window, so it is memoised, and every memo is capped
so a worker's memory stays flat over a big corpus.
"""

from __future__ import annotations

import logging
import re

import jieba

from . import patterns as P

CACHE_LIMIT = 20_000  # entries per memo; a full memo is cleared


def remember(cache: dict, key, value):
    """Store ``value`` in a bounded memo and return it."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def run_before(text: str, end: int, limit: int, run: re.Pattern = P.CJK_RUN) -> str:
    """The run of ``run``'s characters (at most ``limit``; Chinese ones by default) that ends at ``end``."""
    seg = text[max(0, end - limit):end]
    return seg[len(seg) - run.match(seg[::-1]).end():]


class Tokens:
    """A private jieba tokenizer (no global state), loaded on first use, with a memo."""

    def __init__(self) -> None:
        self._tokenizer: jieba.Tokenizer | None = None
        self._cache: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> tuple[str, ...]:
        """jieba's words for a short window, without HMM (so unknown names stay in pieces)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = remember(self._cache, text, tuple(self.tokenizer.lcut(text, HMM=False)))
        return cached

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            logging.getLogger("jieba").setLevel(logging.WARNING)
            jieba.setLogLevel(logging.WARNING)
            self._tokenizer = jieba.Tokenizer()
            self._tokenizer.initialize()
        return self._tokenizer

    def is_word(self, text: str) -> bool:
        """Whether jieba's dictionary knows ``text`` as a word."""
        return self.tokenizer.FREQ.get(text, 0) > 0
