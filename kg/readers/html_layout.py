"""The layout of a government CMS page: which elements are chrome, where the article's
prose lies, and an element's text as lines in reading order (table cells kept apart)."""

from __future__ import annotations

import re

from ..textnorm import CJK

_IDEO = f"[{CJK}]"
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
CELL_SEP = "\x1f"  # a cell boundary inside a line until lines are finalised
HTML_SPACE = re.compile(r"[ \t\n\r\f\u00a0\u200b]+")


def is_inside(el, ancestor) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def classes(el) -> set[str]:
    tokens = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(t for t in re.split(r"[\s\-_]+", tokens) if t)


def is_chrome(el) -> bool:
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
    return bool(classes(el) & _CHROME_TOKENS)



def text_lines(el, *, drop_link_lines: bool = False) -> list[tuple[str, float]]:
    """The element's text as (line, link-text share) in reading order."""
    lines: list[tuple[str, float]] = []
    buf: list[str] = []
    linked = [0]  # chars of buf inside <a>

    def flush() -> None:
        raw = "".join(buf)
        buf.clear()
        n_link = linked[0]
        linked[0] = 0
        line = HTML_SPACE.sub(" ", raw)
        line = re.sub(rf"\s*{CELL_SEP}[\s{CELL_SEP}]*", CELL_SEP, line)
        line = line.strip(f" \u3000{CELL_SEP}")
        if line:
            share = min(1.0, n_link / max(1, len(squash(line))))
            lines.append((line, share))

    def add(s: str | None, in_link: bool) -> None:
        if s:
            buf.append(s)
            if in_link:
                linked[0] += len(squash(s))

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
            buf.append(CELL_SEP)
        add(node.text, in_link)
        for child in node:
            walk(child, in_link)
            add(child.tail, in_link)
        if block:
            flush()
        elif tag in _CELL_TAGS:
            buf.append(CELL_SEP)

    walk(el, False)
    flush()
    if drop_link_lines:
        lines = [(line, share) for line, share in lines if share < 0.8]
    return lines




def _block_weights(body) -> dict:
    """Weight of each element: CJK characters of prose (not links) in its subtree.

    Text is credited to its nearest block; a block counts as prose when it is
    mostly not link text and reads like sentences (Chinese punctuation, or at
    least 20 CJK characters).
    """
    own: dict = {}  # block -> [chars, link chars, cjk chars, has punctuation]

    def count(block, s: str | None, in_link: bool) -> None:
        s = squash(s)
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


def content_container(body):
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


