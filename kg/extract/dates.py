"""The report's title, the year it covers and the date it was issued.

All found in the folded text's header (its first ``HEADER_CHARS``
characters), where a report states them.
"""

from __future__ import annotations

import bisect
from collections import Counter

from . import patterns as P

HEADER_CHARS = 3000  # where title, year and body are looked for


def line_spans(folded: str) -> list[tuple[int, str]]:
    """The non-blank lines, stripped, with the offset of their first character."""
    out, pos = [], 0
    for raw in folded.split("\n"):
        stripped = raw.strip()
        if stripped:
            out.append((pos + raw.index(stripped[0]), stripped))
        pos += len(raw) + 1
    return out


def find_title(lines: list[tuple[int, str]]) -> tuple[str, int]:
    """The report's title line (joined with a short continuation line) and its offset."""
    for i, (pos, line) in enumerate(lines[:30]):
        if len(line) <= 70 and P.TITLE_WORDS.search(line) and not P.NOT_TITLE.match(line):
            if not P.LINE_PUNCT.search(line) or P.REPORT_END.search(line):
                title = P.FIELD_LABEL.sub("", line)
                if i + 1 < len(lines) and len(lines[i + 1][1]) <= 12 and P.CONTINUATION_END.search(lines[i + 1][1]) \
                        and not P.TITLE_END.search(line):
                    title += lines[i + 1][1]
                return title, pos
    return "", -1


def find_year(folded: str, title: str, title_pos: int) -> int | None:
    """The year covered: years in the title weigh most, then "20XX年度" and years that open a sentence."""
    header = folded[:HEADER_CHARS]
    masked = P.YEAR_RANGE.sub(lambda m: "#" * len(m.group(0)), header)
    masked = P.LABELLED_DATE.sub(lambda m: "#" * len(m.group(0)), masked)
    masked = P.DATE_CN.sub(lambda m: "#" * len(m.group(0)), masked)
    if "-" in masked:  # (the substitution is slow to find nothing)
        masked = P.ISO_DATE.sub(lambda m: "#" * len(m.group(0)), masked)
    scores: Counter[int] = Counter()
    for m in P.TITLE_YEAR.finditer(title):
        scores[int(m.group(1))] += 10
    # the 《…》 spans (they do not overlap): a year inside one names a document
    books = [m.span() for m in P.BOOK_TITLE.finditer(masked)]
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
        if before.strip() == "" or before[-1:] in "\n。；;" or P.AFTER_YEAR.match(after):
            w += 2
        sentence_head = masked[max(0, m.start() - 40):m.start()]
        if "现将" in sentence_head[sentence_head.rfind("。") + 1:]:
            w += 6
        scores[y] += w
    if not scores:
        return None
    return max(sorted(scores), key=lambda y: scores[y])


def find_issued(folded: str) -> str | None:
    """The labelled publication date in the header, else the last date of the signature."""
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

