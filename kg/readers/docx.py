"""The .docx reader: paragraphs and table rows in document order (python-docx for the
package, the body XML walked directly so insertions, fields and content controls keep their
text and deletions lose theirs)."""

from __future__ import annotations

import io
import zipfile
from typing import Iterator

from .base import MB, ReadLimits, Unreadable, normalise_newlines, reader, short


@reader("docx", ".docx")
def read_docx(data: bytes, limits: ReadLimits) -> tuple[str, str]:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - dependency missing
        raise Unreadable("cannot read docx: python-docx is not installed") from None

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable("not a Word document: legacy .doc format (save as .docx)")
    if not data.startswith(b"PK"):
        raise Unreadable("not a Word document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_size(infos, limits)  # before anything is unpacked: a zip bomb costs nothing
            names = {i.filename for i in infos}
            bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise Unreadable(f"corrupt docx: {short(exc) or 'damaged zip'}") from None
    if bad is not None:
        raise Unreadable(f"corrupt docx: bad crc in {bad}")
    if "word/document.xml" not in names:
        raise Unreadable("not a Word document")
    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError) as exc:
        raise Unreadable(f"not a Word document: {short(exc)}") from None
    except Exception as exc:  # lxml XMLSyntaxError and kin: a damaged part
        raise Unreadable(f"corrupt docx: {short(exc)}") from None
    lines = [line for line in _docx_lines(doc.element.body) if line.strip()]
    return normalise_newlines("\n".join(lines)), "n/a"


def _check_size(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Refuse a package whose parts are too many or whose XML unpacks past the limit, by the
    sizes its directory declares (zipfile never unpacks more than a part declares)."""
    if len(infos) > limits.max_parts:
        raise Unreadable(f"too many parts: {len(infos)} > limit {limits.max_parts}")
    unpacked = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
    if unpacked > limits.max_unpacked:
        raise Unreadable(f"unpacks to {unpacked // MB} MB of XML > limit {limits.max_unpacked // MB} MB "
                         "(--max-unpacked)")


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

