"""Bytes on disk -> :class:`kg.model.Document` (plain text + metadata).

One reader per format, each returning the text that every later stage
indexes by offset:

- ``.txt``: decoded (UTF-8, UTF-8/16 BOM, GB18030, Big5), line endings
  normalised to ``\\n`` and nothing else changed.
- ``.html``: a government CMS page reduced to its title, the metadata lines a
  reader uses (索引号, 发布机构, 发布时间, 来源 …) and the article body, one
  block per line; navigation, scripts and page chrome are dropped.
- ``.docx``: paragraphs and table rows in document order (python-docx).
- ``.pdf``: the text layer (pdfplumber), with lines wrapped mid-sentence
  joined again and spaces between CJK characters removed.

Every failure is an :class:`kg.errors.InputError` with a short lowercase
reason; nothing else escapes :func:`read_document`.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import statistics
import unicodedata
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.errors import InputError
from kg.model import Document

SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUFFIXES",
    "decode_text",
    "find_inputs",
    "parse_document",
    "read_bytes",
    "read_document",
]


# --------------------------------------------------------------------------
# Finding inputs


def find_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """(files to read, files skipped for an unknown extension).

    Folders are walked recursively, skipping dot-named files and folders;
    files named explicitly are taken as given. Both lists are sorted by path
    and free of duplicates. A path that does not exist raises
    ``InputError(path, 'no such file or directory')``.
    """
    found: set[Path] = set()
    skipped: set[Path] = set()

    def consider(p: Path) -> None:
        if p.suffix.lower() in SUFFIXES and not p.is_dir():
            found.add(p)
        else:
            skipped.add(p)

    for raw in paths:
        p = Path(raw)
        if not p.exists():  # also a dangling symlink
            raise InputError(str(raw), "no such file or directory")
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in filenames:
                    if name.startswith("."):
                        continue
                    child = Path(dirpath) / name
                    if child.is_file():  # not fifos, sockets or dangling links
                        consider(child)
        else:
            consider(p)
    return sorted(found), sorted(skipped)


# --------------------------------------------------------------------------
# Reading one file


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one input file into a Document.

    Raises ``InputError(str(path), reason)`` with a short lowercase reason
    for anything that cannot be turned into text.
    """
    path = Path(path)
    _format_of(path)
    return parse_document(path, read_bytes(path, max_bytes=max_bytes))


def _format_of(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(str(path), f"unsupported file type: {path.suffix.lower() or '(none)'}")
    return fmt


def parse_document(path: Path, data: bytes) -> Document:
    """Turn a file's bytes (already read, e.g. to hash them first) into a Document."""
    path = Path(path)
    where = str(path)
    fmt = _format_of(path)
    if not data.strip():
        raise InputError(where, "empty file")
    reader = _READERS[fmt]
    try:
        text, encoding = reader(data)
    except _Unreadable as exc:
        raise InputError(where, exc.reason) from None
    if not text.strip():
        raise InputError(where, "empty file")
    return Document(
        source=path.name,
        path=where,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        encoding=encoding,
    )


class _Unreadable(Exception):
    """Raised by a format reader; read_document adds the path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, or InputError for a missing, unreadable or too large file."""
    where = str(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise InputError(where, f"too large: {size} bytes > limit {max_bytes}")
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(where, "cannot read: permission denied") from None
    except IsADirectoryError:
        raise InputError(where, "cannot read: is a directory") from None
    except FileNotFoundError:
        raise InputError(where, "no such file or directory") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise InputError(where, f"cannot read: {reason}") from None
    if len(data) > max_bytes:  # grew while we read it
        raise InputError(where, f"too large: {len(data)} bytes > limit {max_bytes}")
    return data


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------
# Plain text and decoding

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # (bom, codec that strips it, name reported); UTF-32 before UTF-16.
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Detected names -> the codec we decode with (a superset where one exists).
_CODEC_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5",
    "cp950": "cp950",
    "big5hkscs": "big5hkscs",
}
_CHINESE_CODECS = {"gb18030", "big5", "cp950", "big5hkscs"}
_MAX_CHAOS = 0.25  # charset-normalizer's mess ratio above which we call it junk
# Control characters a real text file may carry: tab, newlines, form feed,
# vertical tab. Anything else in C0/C1 means binary or a wrong decoding.
_BAD_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for the bytes of a .txt file.

    Tries a BOM, then strict UTF-8, then charset-normalizer (a detected
    gb2312/gbk is decoded as gb18030). Line endings are left as they are.
    Raises ``ValueError`` whose message is the reason when the bytes are
    not text.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise ValueError(f"not text: invalid {name} after its byte order mark") from None
            _check_controls(text)
            return text, name
    if b"\x00" in data:
        raise ValueError("not text: binary data (nul bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_controls(text)
        return text, "utf-8"
    text, name = _detect(data)
    _check_controls(text)
    return text, name


def _check_controls(text: str) -> None:
    m = _BAD_CONTROL.search(text)
    if m:
        raise ValueError(f"not text: control character U+{ord(m.group()):04X}")


def _codec_for(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name
    return _CODEC_ALIASES.get(canonical, canonical)


def _detect(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes with the likeliest encoding, or raise ValueError."""
    from charset_normalizer import from_bytes

    matches = [
        m
        for m in from_bytes(data)
        # BOM-less UTF-16/32 "detections" of NUL-free bytes are junk.
        if not m.encoding.startswith(("utf_16", "utf_32"))
    ]
    if not matches:
        raise ValueError("not text: undecodable bytes")
    least_chaos = min(m.chaos for m in matches)
    if least_chaos > _MAX_CHAOS:
        raise ValueError("not text: undecodable bytes")
    # Our inputs are Chinese: on short texts the detector may rank Korean or
    # Japanese first at equal chaos, so prefer a Chinese codec when one fits
    # about as well, then the most coherent language, GB before Big5.
    close = [m for m in matches if m.chaos <= least_chaos + 0.05]
    chinese = [m for m in close if _codec_for(m.encoding) in _CHINESE_CODECS]
    pool = chinese or close

    def rank(m) -> tuple:
        codec = _codec_for(m.encoding)
        return (m.chaos, -m.coherence, 0 if codec == "gb18030" else 1)

    best = min(pool, key=rank)
    codec = _codec_for(best.encoding)
    for candidate in dict.fromkeys([codec, "big5hkscs" if codec in ("big5", "cp950") else codec]):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValueError("not text: undecodable bytes")


def _read_txt(data: bytes) -> tuple[str, str]:
    try:
        text, encoding = decode_text(data)
    except ValueError as exc:
        raise _Unreadable(str(exc)) from None
    return _normalise_newlines(text), encoding


# --------------------------------------------------------------------------
# HTML

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_DECL_CHARSET = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")

_SKIP_TAGS = frozenset(
    "script style noscript template iframe frame frameset object embed applet svg "
    "canvas select option optgroup button input textarea head map audio video "
    "math link meta base param source track".split()
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li main menu nav ol p pre section summary table tbody thead tfoot tr ul "
    "caption title".split()
)
_CELL_TAGS = frozenset(("td", "th"))
# Elements that are page chrome wherever they are.
_CHROME_TAGS = frozenset(("nav", "footer", "aside"))
# class/id tokens (split on - _ space) marking chrome in CMS templates.
_CHROME_TOKENS = frozenset(
    """nav navbar navigation menu menus submenu topmenu mainmenu breadcrumb breadcrumbs
    crumb crumbs footer foot copyright share bdshare sharebox toolbar
    sidebar dqwz wzdh location position fontsize ewm qrcode""".split()
)
_CELL_SEP = "\x1f"  # a cell boundary inside a line until lines are finalised
_HTML_SPACE = re.compile(r"[ \t\n\r\f\u00a0\u200b]+")

# Metadata labels as written on CMS pages (longest first so 信息来源 wins over 来源).
_META_LABELS = (
    "信息来源", "文章来源", "发布机构", "发文机关", "成文日期", "发布日期", "发布时间",
    "发文字号", "索引号", "来源", "标题", "文号",
)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_IDEO = f"[{_CJK}]"


def _label_pattern(label: str) -> str:
    # CMS tables space labels out to align them: 标　　题, 索 引 号.
    return r"\s*".join(map(re.escape, label))


_LABEL_ALT = "|".join(_label_pattern(label) for label in _META_LABELS)
_LABEL_CELL = re.compile(rf"(?:{_LABEL_ALT})\s*[:：]?")
_META_INLINE = re.compile(
    rf"(?:^|(?<=[\s{_CELL_SEP}【\[（(|]))(?P<label>{_LABEL_ALT})\s*[:：]\s*"
    rf"(?P<value>.*?)"
    rf"(?=\s*(?:{_LABEL_ALT})\s*[:：]"  # the next label
    rf"|\s+[{_CJK}]{{1,6}}\s*[:：]"  # any other short label: 浏览次数：
    rf"|{_CELL_SEP}|[【\[]|\s*(?:字体|字号|打印|关闭|分享|收藏|浏览|点击|阅读)|$)"
)
_CHROME_FRAGMENT = re.compile(
    r"[【\[]?\s*(?:字体|字号)\s*[:：]?\s*(?:[【\[]?\s*[大中小]\s*[】\]]?\s*){1,3}[】\]]?"
    r"|[【\[]?\s*(?:打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|收藏本页|收藏|"
    r"返回顶部|返回|保存本页|我要纠错|纠错|默认|视力保护色)\s*[】\]]?"
    r"|分享到\s*[:：]?"
)
_CHROME_LINE = re.compile(
    r"^\s*(?:您现在的位置|您的位置|您当前的位置|当前位置|现在的位置|所在位置|首页\s*[>»›＞]|"
    r"分享到|上一篇|下一篇|上一条|下一条|扫一扫|手机扫一扫|用手机扫描|相关链接|相关文章|相关新闻|"
    r"责任编辑)"
    r"|ICP备|网站标识码|公网安备|版权所有|Copyright|©"
)
_WORDY = re.compile(rf"[{_CJK}A-Za-z0-9]")


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _XML_DECL_CHARSET.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").strip().lower()
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return _codec_for(name)


def _decode_html(data: bytes) -> tuple[str, str]:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError:
                break
    declared = _declared_charset(data)
    tried = []
    if declared:
        tried.append(declared)
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # mislabelled page: detect instead
    if "utf-8" not in tried:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return _detect(data.replace(b"\x00", b""))
    except ValueError:
        pass
    if declared:  # a few bad bytes in an otherwise labelled page
        return data.decode(declared, errors="replace"), declared
    raise _Unreadable("not text: undecodable bytes")


def _read_html(data: bytes) -> tuple[str, str]:
    import lxml.etree
    import lxml.html

    text, encoding = _decode_html(data)
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise _Unreadable("empty file")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise _Unreadable(f"not html: {str(exc).lower() or 'unparsable'}") from None
    out = _html_to_text(root)
    if not out.strip():
        raise _Unreadable("no text in page")
    return out, encoding


def _html_to_text(root) -> str:
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.tag.lower() in ("script", "style", "noscript", "template"):
            el.drop_tree()
    metas = _html_meta_tags(root)
    title, title_el = _html_title(root, metas)
    body = root.find("body")
    if body is None:
        body = root
    for el in list(body.iter()):
        if el is not body and el.getparent() is not None and _is_chrome(el):
            el.drop_tree()

    metadata = _html_metadata(_lines(body), metas)
    container = _content_container(body)
    header = _header_lines(body, title_el, container, title)
    lines = _lines(container, drop_link_lines=container is body)

    out = [title] if title else []
    out += [f"{label}：{value}" for label, value in metadata]
    out += header
    norm_title = _squash(title)
    for i, (line, _) in enumerate(lines):
        if _is_chrome_line(line) or _is_metadata_line(line):
            continue  # metadata lines were emitted above
        if i < 5 and norm_title and _squash(line) == norm_title:
            continue  # the heading repeated above the body
        out.append(line.replace(_CELL_SEP, "\t"))
    return "\n".join(out)


def _is_chrome_line(line: str) -> bool:
    if _CHROME_LINE.search(line) and len(line) < 120:
        return True
    return not _WORDY.search(_CHROME_FRAGMENT.sub("", line))  # chrome or punctuation only


def _header_lines(body, title_el, container, title: str) -> list[str]:
    """Short lines between the title heading and the article body.

    They carry what the labelled metadata misses, typically an unlabelled
    date (``2024-01-15 来源：岔河镇`` gives ``2024-01-15``).
    """
    if title_el is None or container is body or not _is_inside(title_el, body):
        return []
    if _is_inside(title_el, container) or _is_inside(container, title_el):
        return []  # the heading is part of the body: nothing lies between
    import lxml.html

    start, end = lxml.html.Element("div"), lxml.html.Element("div")
    start.text, end.text = "\ue000", "\ue001"
    title_el.addnext(start)
    container.addprevious(end)
    try:
        lca = next(a for a in start.iterancestors() if _is_inside(end, a))
        lines = [line for line, _ in _lines(lca)]
    finally:
        start.drop_tree()
        end.drop_tree()
    if "\ue000" not in lines or "\ue001" not in lines:
        return []
    zone = lines[lines.index("\ue000") + 1 : lines.index("\ue001")]
    if len(zone) > 6:
        return []  # not a header block: the layout puts other things between
    out = []
    for line in zone:
        if len(line) > 150 or _is_chrome_line(line) or _squash(line) == _squash(title):
            continue
        rest = _META_INLINE.sub("", line) if _META_INLINE.search(line) else line
        rest = _CHROME_FRAGMENT.sub("", rest)
        rest = re.sub(r"(?:浏览|点击|阅读|访问)(?:次数|量|数)?\s*[:：]\s*\d*", "", rest)
        rest = _HTML_SPACE.sub(" ", rest.replace(_CELL_SEP, " ")).strip(" \u3000|｜")
        if _WORDY.search(rest):
            out.append(rest)
    return out


def _is_inside(el, ancestor) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def _classes(el) -> set[str]:
    tokens = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(t for t in re.split(r"[\s\-_]+", tokens) if t)


def _is_chrome(el) -> bool:
    if not isinstance(el.tag, str):
        return False
    tag = el.tag.lower()
    if tag in _SKIP_TAGS and tag not in ("head",):
        return True
    if tag in _CHROME_TAGS:
        return True
    if tag == "header":
        # An article's own <header> holds its title; a page header does not.
        return el.find(".//h1") is None and not any(
            a.tag == "article" for a in el.iterancestors()
        )
    return bool(_classes(el) & _CHROME_TOKENS)


def _html_meta_tags(root) -> dict[str, str]:
    metas = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if name and content and name not in metas:
            metas[name] = content
    return metas


def _element_text(el) -> str:
    return _HTML_SPACE.sub(" ", el.text_content()).strip(" \u3000")


_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|-{1,2}|–|—{1,2})\s*")


def _html_title(root, metas: dict[str, str]):
    """(title, its heading element or None): the article's title.

    A heading (h1–h3, or an element classed *title*) wins when the page's
    <title> or ArticleTitle meta confirms it; the site name, shown in an h1
    by many templates, never does.
    """
    head_title = ""
    t = root.find(".//title")
    if t is not None:
        head_title = _element_text(t)
    parts = [p for p in _TITLE_SEPARATORS.split(head_title) if p.strip()] or [""]
    article_part = parts[0].strip()
    site_names = {_squash(metas.get("sitename", ""))} | {_squash(p) for p in parts[1:]}
    site_names.discard("")
    article_title = _HTML_SPACE.sub(" ", metas.get("articletitle", "")).strip()
    refs = [_squash(x) for x in (article_title, article_part) if x]

    candidates = []
    for xp in (".//h1", ".//h2", ".//h3"):
        candidates += root.findall(xp)
    candidates += [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag not in ("title", "meta", "html", "body")
        and "title" in _classes(el)
    ]
    named = []
    for el in candidates:
        x = _element_text(el)
        sx = _squash(x)
        if len(sx) >= 4 and len(x) <= 200 and sx not in site_names:
            named.append((x, sx, el))
    for x, sx, el in named:  # a heading that <title>/ArticleTitle confirms
        if any(sx == r or (len(sx) >= 6 and (sx in r or r in sx)) for r in refs):
            return x, el
    if article_title:
        return article_title, None
    for x, _, el in named:
        if el.tag == "h1":
            return x, el
    if head_title:
        return (article_part if len(_squash(article_part)) >= 4 else head_title), None
    return "", None


def _lines(el, *, drop_link_lines: bool = False) -> list[tuple[str, float]]:
    """The element's text as (line, link-text share) in reading order."""
    lines: list[tuple[str, float]] = []
    buf: list[str] = []
    linked = [0]  # chars of buf inside <a>

    def flush() -> None:
        raw = "".join(buf)
        buf.clear()
        n_link = linked[0]
        linked[0] = 0
        line = _HTML_SPACE.sub(" ", raw)
        line = re.sub(rf"\s*{_CELL_SEP}[\s{_CELL_SEP}]*", _CELL_SEP, line)
        line = line.strip(f" \u3000{_CELL_SEP}")
        if line:
            share = min(1.0, n_link / max(1, len(_squash(line))))
            lines.append((line, share))

    def add(s: str | None, in_link: bool) -> None:
        if s:
            buf.append(s)
            if in_link:
                linked[0] += len(_squash(s))

    def walk(node, in_link: bool) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            return
        if tag == "br":
            flush()
            return
        in_link = in_link or tag == "a"
        if tag == "pre":
            flush()
            for part in node.text_content().splitlines():
                buf.append(part)
                flush()
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        elif tag in _CELL_TAGS:
            buf.append(_CELL_SEP)
        add(node.text, in_link)
        for child in node:
            walk(child, in_link)
            add(child.tail, in_link)
        if block:
            flush()
        elif tag in _CELL_TAGS:
            buf.append(_CELL_SEP)

    walk(el, False)
    flush()
    if drop_link_lines:
        lines = [(line, share) for line, share in lines if share < 0.8]
    return lines


def _is_metadata_line(line: str) -> bool:
    """A line made only of label/value pairs (and chrome such as 打印本页)."""
    if len(line) > 200:
        return False
    cells = line.split(_CELL_SEP)
    if len(cells) > 1 and any(_LABEL_CELL.fullmatch(c.strip()) for c in cells):
        return True  # a row of an information-disclosure table: 索引号 | 014… | 发布机构 | …
    if not _META_INLINE.search(line):
        return False
    rest = _META_INLINE.sub("", line)
    rest = _CHROME_FRAGMENT.sub("", rest)
    rest = re.sub(r"(?:浏览|点击|阅读|访问)(?:次数|量|数)?\s*[:：]?\s*\d*", "", rest)
    return not _WORDY.search(rest)


def _html_metadata(lines: list[tuple[str, float]], metas: dict[str, str]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}

    def put(label: str, value: str) -> None:
        label = _squash(label)
        value = value.replace(_CELL_SEP, " ").strip(" \u3000:：")
        if value and label not in found:
            found[label] = value

    for line, _ in lines:
        if len(line) > 300:
            continue
        cells = line.split(_CELL_SEP)
        i = 0
        while i < len(cells):
            cell = cells[i].strip()
            m = _LABEL_CELL.fullmatch(cell)
            if m and i + 1 < len(cells):
                if not _LABEL_CELL.fullmatch(cells[i + 1].strip()):
                    put(re.sub(r"[:：]", "", cell), cells[i + 1])
                    i += 2
                    continue
            for mm in _META_INLINE.finditer(cell):
                put(mm.group("label"), mm.group("value"))
            i += 1
    # The standard government-site <meta> tags, when the page shows nothing.
    if not ({"发布时间", "发布日期"} & found.keys()) and metas.get("pubdate"):
        found["发布时间"] = metas["pubdate"]
    if not ({"来源", "信息来源", "文章来源"} & found.keys()) and metas.get("contentsource"):
        found["来源"] = metas["contentsource"]
    return list(found.items())


def _block_weights(body) -> dict:
    """Weight of each element: CJK characters of prose (not links) in its subtree.

    Text is credited to its nearest block; a block counts as prose when it is
    mostly not link text and reads like sentences (Chinese punctuation, or at
    least 20 CJK characters).
    """
    own: dict = {}  # block -> [chars, link chars, cjk chars, has punctuation]

    def count(block, s: str | None, in_link: bool) -> None:
        s = _squash(s)
        if not s:
            return
        stats = own.setdefault(block, [0, 0, 0, False])
        stats[0] += len(s)
        stats[1] += len(s) if in_link else 0
        stats[2] += len(re.findall(_IDEO, s))
        stats[3] = stats[3] or bool(re.search("[，。；、]", s))

    def walk(node, block, in_link: bool) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            return
        inner = node if (tag in _BLOCK_TAGS or tag in _CELL_TAGS) else block
        inner_link = in_link or tag == "a"
        count(inner, node.text, inner_link)
        for child in node:
            walk(child, inner, inner_link)
            count(inner, child.tail, inner_link)

    walk(body, body, False)
    weights: dict = {}
    for block, (chars, link_chars, cjk, punct) in own.items():
        if link_chars / chars > 0.3 or not (punct or cjk >= 20):
            continue
        node = block
        while node is not None:
            weights[node] = weights.get(node, 0) + cjk
            if node is body:
                break
            node = node.getparent()
    return weights


_PARAGRAPH_TAGS = frozenset(
    "p li h1 h2 h3 h4 h5 h6 dt dd blockquote pre caption summary figcaption".split()
)


def _content_container(body):
    """The smallest element holding most (75%) of the page's prose.

    Descends from <body> while one child holds most of the weight, but never
    into a single paragraph: a long first paragraph must not hide the rest.
    """
    weights = _block_weights(body)
    if not weights.get(body, 0):
        return body
    node = body
    while True:
        children = [c for c in node if isinstance(c.tag, str) and weights.get(c, 0) > 0]
        if not children:
            return node
        best = max(children, key=lambda c: weights[c])
        if weights[best] < 0.75 * weights[node] or not _holds_paragraphs(best, weights):
            return node
        node = best


def _holds_paragraphs(el, weights: dict) -> bool:
    """Whether ``el`` is a container of paragraphs rather than one paragraph."""
    if el.tag.lower() in _PARAGRAPH_TAGS:
        return False
    if any(isinstance(c.tag, str) and weights.get(c, 0) > 0 for c in el):
        return True
    return el.find(".//br") is not None  # old CMS: paragraphs split by <br>


# --------------------------------------------------------------------------
# DOCX


def _read_docx(data: bytes) -> tuple[str, str]:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - dependency missing
        raise _Unreadable("cannot read docx: python-docx is not installed") from None

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _Unreadable("not a Word document: legacy .doc format (save as .docx)")
    if not data.startswith(b"PK"):
        raise _Unreadable("not a Word document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise _Unreadable(f"corrupt docx: {_short(exc) or 'damaged zip'}") from None
    if bad is not None:
        raise _Unreadable(f"corrupt docx: bad crc in {bad}")
    if "word/document.xml" not in names:
        raise _Unreadable("not a Word document")
    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError) as exc:
        raise _Unreadable(f"not a Word document: {_short(exc)}") from None
    except Exception as exc:  # lxml XMLSyntaxError and kin: a damaged part
        raise _Unreadable(f"corrupt docx: {_short(exc)}") from None
    lines = [line for line in _docx_lines(doc.element.body) if line.strip()]
    return _normalise_newlines("\n".join(lines)), "n/a"


_OOXML_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}


def _w(tag: str) -> str:
    """Clark name of a prefixed OOXML tag: 'w:p' -> '{…/main}p'."""
    prefix, local = tag.split(":")
    return f"{{{_OOXML_NS[prefix]}}}{local}"


def _docx_lines(container) -> Iterator[str]:
    """Paragraphs and table rows of a body/cell/sdt element, in order."""
    p, tbl, sdt = _w("w:p"), _w("w:tbl"), _w("w:sdt")
    for child in container.iterchildren():
        if child.tag == p:
            yield _docx_paragraph_text(child)
        elif child.tag == tbl:
            yield from _docx_table_rows(child)
        elif child.tag == sdt:
            content = child.find(_w("w:sdtContent"))
            if content is not None:
                yield from _docx_lines(content)
        elif child.tag in (_w("w:customXml"), _w("w:ins")):
            yield from _docx_lines(child)


def _docx_table_rows(tbl) -> Iterator[str]:
    tr, tc = _w("w:tr"), _w("w:tc")
    for row in tbl.iter(tr):
        if row.getparent() is None or _nearest(row, _w("w:tbl")) is not tbl:
            continue  # rows of nested tables are read inside their cell
        cells = []
        for cell in row.iter(tc):
            if _nearest(cell, tr) is not row:
                continue
            parts = [" ".join(x.split("\n")) for x in _docx_lines(cell)]
            text = " ".join(x.strip() for x in parts if x.strip())
            if text:
                cells.append(text)
        if cells:
            yield "\t".join(cells)


def _nearest(el, tag: str):
    for anc in el.iterancestors():
        if anc.tag == tag:
            return anc
    return None


_DOCX_SKIP = ("w:del", "w:moveFrom", "w:txbxContent", "mc:Fallback", "w:pPr", "w:rPr")


def _docx_paragraph_text(p) -> str:
    """Text of a paragraph's runs, including those inside insertions, smart
    tags, fields, hyperlinks and content controls; not deleted text."""
    r = _w("w:r")
    skip = {_w(t) for t in _DOCX_SKIP}
    parts = []
    for run in p.iter(r):
        if any(a.tag in skip for a in _ancestors_until(run, p)):
            continue
        parts.append(run.text)  # python-docx maps w:tab -> \t, w:br -> \n
    return "".join(parts)


def _ancestors_until(el, stop) -> Iterator:
    for anc in el.iterancestors():
        if anc is stop:
            return
        yield anc


# --------------------------------------------------------------------------
# PDF

# CJK punctuation that can sit inside a sentence (not its end).
_CJK_INNER_PUNCT = "，、“”‘’《》〈〉（）【】「」『』〔〕—…·／－"
_CJK_TERMINAL = "。；：！？!?;:"
_CJKISH = f"[{_CJK}{re.escape(_CJK_INNER_PUNCT)}{re.escape(_CJK_TERMINAL)}\u3000-\u303f\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(f"(?<={_CJKISH})[ \u3000\u00a0]+(?={_CJKISH})")
_SPACE_CJK_DIGIT = re.compile(f"(?<={_CJKISH})[ \u00a0](?=\\d)|(?<=\\d)[ \u00a0](?={_CJKISH})")
_LIST_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d+[、.．](?!\d)"
    r"|第[一二三四五六七八九十百零\d]+[章节条部分篇]|[①-⑳]|[•·●◆■▪]\s*)"
)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]*\s*\d{1,4}\s*[-—–－]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$"
)


def _read_pdf(data: bytes) -> tuple[str, str]:
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - dependency missing
        raise _Unreadable("cannot read pdf: pdfplumber is not installed") from None
    if b"%PDF-" not in data[:1024]:
        raise _Unreadable("corrupt pdf: no pdf header")
    pages: list[list[str]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise _Unreadable("corrupt pdf: no pages")
            for page in pdf.pages:
                text = page.extract_text(x_tolerance=1.5, y_tolerance=3) or ""
                pages.append(_normalise_newlines(text).split("\n"))
    except _Unreadable:
        raise
    except Exception as exc:  # pdfminer raises many types for broken files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise _Unreadable("encrypted pdf") from None
        raise _Unreadable(f"corrupt pdf: {_short(exc) or name.lower()}") from None
    if not any(line.strip() for lines in pages for line in lines):
        raise _Unreadable("no text layer (scanned?)")
    return _pdf_text(pages), "n/a"


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


def _short(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return msg[:120].lower()


_READERS: dict[str, Callable[[bytes], tuple[str, str]]] = {
    "txt": _read_txt,
    "html": _read_html,
    "docx": _read_docx,
    "pdf": _read_pdf,
}
