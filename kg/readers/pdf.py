"""The .pdf reader: the text layer (pdfplumber), with lines wrapped mid-sentence joined
again and spaces between CJK characters removed."""

from __future__ import annotations

from contextlib import contextmanager
import io
import re
import statistics
import unicodedata

from ..textnorm import CJK
from .base import ReadLimits, Unreadable, normalise_newlines, reader, short

_IDEO = f"[{CJK}]"
# CJK punctuation that can sit inside a sentence (not its end).
_CJK_INNER_PUNCT = "，、“”‘’《》〈〉（）【】「」『』〔〕—…·／－"
_CJK_TERMINAL = "。；：！？!?;:"
_CJKISH = f"[{CJK}{re.escape(_CJK_INNER_PUNCT)}{re.escape(_CJK_TERMINAL)}\u3000-\u303f\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(f"(?<={_CJKISH})[ \u3000\u00a0]+(?={_CJKISH})")
_SPACE_CJK_DIGIT = re.compile(f"(?<={_CJKISH})[ \u00a0](?=\\d)|(?<=\\d)[ \u00a0](?={_CJKISH})")
_LIST_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d+[、.．](?!\d)"
    r"|第[一二三四五六七八九十百零\d]+[章节条部分篇]|[①-⑳]|[•·●◆■▪]\s*)"
)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]*\s*\d{1,4}\s*[-—–－]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$"
)


@contextmanager
def _opened(pdfplumber, data: bytes):
    """pdfplumber's document, closed without parsing its pages if none was read: its own close()
    walks them all, which for a PDF refused for its page count is the very cost refused."""
    pdf = pdfplumber.open(io.BytesIO(data))
    try:
        yield pdf
    finally:
        if hasattr(pdf, "_pages"):
            pdf.close()
        else:
            pdf.flush_cache()


@reader("pdf", ".pdf")
def read_pdf(data: bytes, limits: ReadLimits) -> tuple[str, str]:
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - dependency missing
        raise Unreadable("cannot read pdf: pdfplumber is not installed") from None
    if b"%PDF-" not in data[:1024]:
        raise Unreadable("corrupt pdf: no pdf header")
    pages: list[list[str]] = []
    chars = 0
    try:
        with _opened(pdfplumber, data) as pdf:
            count = _page_count(pdf)
            if count > limits.max_pages:
                raise Unreadable(f"too many pages: {count} > limit {limits.max_pages} (--max-pages)")
            if not pdf.pages:
                raise Unreadable("corrupt pdf: no pages")
            for page in pdf.pages:
                text = page.extract_text(x_tolerance=1.5, y_tolerance=3) or ""
                page.close()  # its characters and layout go now: a page at a time is held, not all
                chars += len(text)
                if chars > limits.max_chars:
                    raise Unreadable(f"too long: over {limits.max_chars} characters of text (--max-chars)")
                pages.append(normalise_newlines(text).split("\n"))
    except Unreadable:
        raise
    except Exception as exc:  # pdfminer raises many types for broken files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise Unreadable("encrypted pdf") from None
        raise Unreadable(f"corrupt pdf: {short(exc) or name.lower()}") from None
    if not any(line.strip() for lines in pages for line in lines):
        raise Unreadable("no text layer (scanned?)")
    return _pdf_text(pages), "n/a"


def _page_count(pdf) -> int:
    """The pages the document's catalog declares (read before any page is parsed)."""
    try:
        count = pdf.doc.catalog["Pages"].resolve()["Count"]
        return int(count.resolve() if hasattr(count, "resolve") else count)
    except Exception:  # a damaged catalog: count them as they come
        return 0


def _pdf_text(pages: list[list[str]]) -> str:
    """Clean the lines of each page and join lines wrapped mid-sentence."""
    cleaned: list[list[str]] = []
    for lines in pages:
        lines = [_clean_pdf_line(x) for x in lines]
        lines = [x for x in lines if x]
        # Page numbers at the foot (or head) of a page would block joining.
        while lines and _PAGE_NUMBER.match(lines[-1]):
            lines.pop()
        while lines and _PAGE_NUMBER.match(lines[0]):
            lines.pop(0)
        cleaned.append(lines)
    flat = [x for lines in cleaned for x in lines]
    if not flat:
        return ""
    widths = [_width(x) for x in flat]
    full = 0.85 * _percentile(widths, 0.75)
    out = [flat[0]]
    for line in flat[1:]:
        prev = out[-1]
        if _wrapped(prev, line, full):
            out[-1] = prev + line
        else:
            out.append(line)
    return "\n".join(out)


def _clean_pdf_line(line: str) -> str:
    line = _SPACE_BETWEEN_CJK.sub("", line)
    line = _SPACE_CJK_DIGIT.sub("", line)
    return line.strip(" \u3000\u00a0\t")


def _width(line: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in line)


def _percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _wrapped(prev: str, line: str, full: float) -> bool:
    """Whether ``line`` continues ``prev`` that the PDF wrapped at its margin."""
    last, first = prev[-1], line[0]
    if last in _CJK_TERMINAL:
        return False
    if not (re.match(_IDEO, last) or last in _CJK_INNER_PUNCT):
        return False
    if not (re.match(_IDEO, first) or first in _CJK_INNER_PUNCT or first in _CJK_TERMINAL or first.isdigit()):
        return False
    if _LIST_MARKER.match(line):
        return False  # the next item starts
    # A line that stops short of the margin is a heading or a paragraph end.
    return _width(prev) >= full

