"""The HTML reader: a government CMS page reduced to its title, the metadata lines a reader
uses (索引号, 发布机构, 发布时间, 来源 …) and the article body, one block per line; navigation,
scripts and page chrome are dropped (see ``html_layout``)."""

from __future__ import annotations

import codecs
import re

from ..textnorm import CJK
from .base import ReadLimits, Unreadable, reader
from .decode import BOMS, codec_for, detect
from .html_layout import (CELL_SEP, HTML_SPACE, classes, content_container, is_chrome, is_inside,
                          squash, text_lines)

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_DECL_CHARSET = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")

_META_LABELS = (
    "信息来源", "文章来源", "发布机构", "发文机关", "成文日期", "发布日期", "发布时间",
    "发文字号", "索引号", "来源", "标题", "文号",
)


def _label_pattern(label: str) -> str:
    # CMS tables space labels out to align them: 标　　题, 索 引 号.
    return r"\s*".join(map(re.escape, label))


_LABEL_ALT = "|".join(_label_pattern(label) for label in _META_LABELS)
_LABEL_CELL = re.compile(rf"(?:{_LABEL_ALT})\s*[:：]?")
_META_INLINE = re.compile(
    rf"(?:^|(?<=[\s{CELL_SEP}【\[（(|]))(?P<label>{_LABEL_ALT})\s*[:：]\s*"
    rf"(?P<value>.*?)"
    rf"(?=\s*(?:{_LABEL_ALT})\s*[:：]"  # the next label
    rf"|\s+[{CJK}]{{1,6}}\s*[:：]"  # any other short label: 浏览次数：
    rf"|{CELL_SEP}|[【\[]|\s*(?:字体|字号|打印|关闭|分享|收藏|浏览|点击|阅读)|$)"
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
_WORDY = re.compile(rf"[{CJK}A-Za-z0-9]")


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
    return codec_for(name)


def _decode_html(data: bytes) -> tuple[str, str]:
    for bom, codec, name in BOMS:
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
        return detect(data.replace(b"\x00", b""))
    except ValueError:
        pass
    if declared:  # a few bad bytes in an otherwise labelled page
        return data.decode(declared, errors="replace"), declared
    raise Unreadable("not text: undecodable bytes")


@reader("html", ".html", ".htm", ".shtml")
def read_html(data: bytes, limits: ReadLimits) -> tuple[str, str]:
    import lxml.etree
    import lxml.html

    text, encoding = _decode_html(data)
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise Unreadable("empty file")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise Unreadable(f"not html: {str(exc).lower() or 'unparsable'}") from None
    out = _html_to_text(root)
    if not out.strip():
        raise Unreadable("no text in page")
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
        if el is not body and el.getparent() is not None and is_chrome(el):
            el.drop_tree()

    metadata = _html_metadata(text_lines(body), metas)
    container = content_container(body)
    header = _header_lines(body, title_el, container, title)
    lines = text_lines(container, drop_link_lines=container is body)

    out = [title] if title else []
    out += [f"{label}：{value}" for label, value in metadata]
    out += header
    norm_title = squash(title)
    for i, (line, _) in enumerate(lines):
        if _is_chrome_line(line) or _is_metadata_line(line):
            continue  # metadata lines were emitted above
        if i < 5 and norm_title and squash(line) == norm_title:
            continue  # the heading repeated above the body
        out.append(line.replace(CELL_SEP, "\t"))
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
    if title_el is None or container is body or not is_inside(title_el, body):
        return []
    if is_inside(title_el, container) or is_inside(container, title_el):
        return []  # the heading is part of the body: nothing lies between
    import lxml.html

    start, end = lxml.html.Element("div"), lxml.html.Element("div")
    start.text, end.text = "\ue000", "\ue001"
    title_el.addnext(start)
    container.addprevious(end)
    try:
        lca = next(a for a in start.iterancestors() if is_inside(end, a))
        lines = [line for line, _ in text_lines(lca)]
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
        if len(line) > 150 or _is_chrome_line(line) or squash(line) == squash(title):
            continue
        rest = _META_INLINE.sub("", line) if _META_INLINE.search(line) else line
        rest = _CHROME_FRAGMENT.sub("", rest)
        rest = re.sub(r"(?:浏览|点击|阅读|访问)(?:次数|量|数)?\s*[:：]\s*\d*", "", rest)
        rest = HTML_SPACE.sub(" ", rest.replace(CELL_SEP, " ")).strip(" \u3000|｜")
        if _WORDY.search(rest):
            out.append(rest)
    return out




def _html_meta_tags(root) -> dict[str, str]:
    metas = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if name and content and name not in metas:
            metas[name] = content
    return metas


def _element_text(el) -> str:
    return HTML_SPACE.sub(" ", el.text_content()).strip(" \u3000")


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
    site_names = {squash(metas.get("sitename", ""))} | {squash(p) for p in parts[1:]}
    site_names.discard("")
    article_title = HTML_SPACE.sub(" ", metas.get("articletitle", "")).strip()
    refs = [squash(x) for x in (article_title, article_part) if x]

    candidates = []
    for xp in (".//h1", ".//h2", ".//h3"):
        candidates += root.findall(xp)
    candidates += [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag not in ("title", "meta", "html", "body")
        and "title" in classes(el)
    ]
    named = []
    for el in candidates:
        x = _element_text(el)
        sx = squash(x)
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
        return (article_part if len(squash(article_part)) >= 4 else head_title), None
    return "", None




def _is_metadata_line(line: str) -> bool:
    """A line made only of label/value pairs (and chrome such as 打印本页)."""
    if len(line) > 200:
        return False
    cells = line.split(CELL_SEP)
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
        label = squash(label)
        value = value.replace(CELL_SEP, " ").strip(" \u3000:：")
        if value and label not in found:
            found[label] = value

    for line, _ in lines:
        if len(line) > 300:
            continue
        cells = line.split(CELL_SEP)
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


