"""kg.readers: formats, encodings, bad input and folder walking.

Every fixture is generated into tmp_path (see fixtures_ingest.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import fixtures_ingest as F  # noqa: E402

from kg.errors import InputError  # noqa: E402
from kg.readers import DEFAULT_MAX_BYTES, SUFFIXES, decode_text, find_inputs  # noqa: E402
from kg.readers import read as read_document  # noqa: E402
from kg.readers.pdf import _pdf_text  # noqa: E402


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def reason(path: Path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_document(path, **kwargs)
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: {info.value.reason}"
    return info.value.reason


# ---------------------------------------------------------------------------
# API constants


def test_suffixes_and_limit():
    assert SUFFIXES == {
        ".txt": "txt",
        ".html": "html",
        ".htm": "html",
        ".shtml": "html",
        ".docx": "docx",
        ".pdf": "pdf",
    }
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


# ---------------------------------------------------------------------------
# Plain text


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (F.REPORT.encode("utf-8"), F.REPORT, "utf-8"),
        (F.REPORT.encode("utf-8-sig"), F.REPORT, "utf-8-sig"),
        (F.REPORT.encode("utf-16"), F.REPORT, "utf-16"),  # with BOM
        (F.REPORT.encode("utf-16-be").join([b"\xfe\xff", b""]), F.REPORT, "utf-16"),
        (F.REPORT.encode("gb18030"), F.REPORT, "gb18030"),
        (F.REPORT_TRADITIONAL.encode("big5"), F.REPORT_TRADITIONAL, "big5"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gb18030", "big5"],
)
def test_txt_encodings(tmp_path, data, text, encoding):
    path = write(tmp_path, "report.txt", data)
    doc = read_document(path)
    assert doc.text == text
    assert doc.encoding == encoding
    assert doc.format == "txt"
    assert doc.source == "report.txt"
    assert doc.path == str(path)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert "\ufeff" not in doc.text


def test_short_gbk_text_is_read_as_gb18030():
    # The detector ranks Korean cp949 first for a few GBK characters.
    assert decode_text("岔河镇人民政府".encode("gbk")) == ("岔河镇人民政府", "gb18030")


def test_gb18030_only_characters():
    text = "岔河镇𠀀人民政府依法行政，“三所联动”。"  # U+20000 is not in GBK
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


def test_txt_line_endings_normalised(tmp_path):
    crlf = F.REPORT.replace("\n", "\r\n")
    assert read_document(write(tmp_path, "crlf.txt", crlf.encode())).text == F.REPORT
    cr = F.REPORT.replace("\n", "\r")
    assert read_document(write(tmp_path, "cr.txt", cr.encode("gb18030"))).text == F.REPORT
    mixed = "甲\r\n乙\r丙\n丁"
    assert read_document(write(tmp_path, "mixed.txt", mixed.encode())).text == "甲\n乙\n丙\n丁"


def test_txt_text_otherwise_untouched(tmp_path):
    text = "　　2023年 ，岔河镇  开展ＡＢＣ培训\t3次。  \n\n（一）…\n"
    doc = read_document(write(tmp_path, "spaces.txt", text.encode()))
    assert doc.text == text


def test_decode_text_returns_bom_free_text():
    assert decode_text("\ufeff法治".encode("utf-8")) == ("法治", "utf-8-sig")
    assert decode_text("法治".encode("utf-16")) == ("法治", "utf-16")


# ---------------------------------------------------------------------------
# HTML


def test_html_government_page_keeps_article_drops_chrome(tmp_path):
    data = F.cms_page("gb2312").encode("gb18030")
    doc = read_document(write(tmp_path, "page.html", data))
    assert doc.format == "html"
    assert doc.encoding == "gb18030"
    assert doc.text.split("\n") == [
        F.PAGE_TITLE,
        "索引号：014126001/2024-00012",
        "发布机构：岔河镇人民政府",
        "成文日期：2024-01-12",
        "发布日期：2024-01-15",
        f"标题：{F.PAGE_TITLE}",
        "来源：岔河镇人民政府",
        "发布时间：2024-01-15 09:30",
        *F.BODY_PARAGRAPHS,
    ]
    for chrome in (
        "您现在的位置", "首页", "政务公开", "政民互动", "字体", "[大]", "打印本页",
        "关闭窗口", "分享到", "微信", "siteName", "欢迎访问", "font-family", "样式",
        "请输入关键词", "搜索", "相关信息", "依法行政工作会议", "网站标识码", "ICP",
        "主办", "网站地图", "浏览次数", "\t",
    ):
        assert chrome not in doc.text, chrome


def test_html_utf8_meta_charset(tmp_path):
    data = F.cms_page("utf-8").encode("utf-8")
    doc = read_document(write(tmp_path, "page.htm", data))
    assert doc.encoding == "utf-8"
    assert doc.text.split("\n")[0] == F.PAGE_TITLE
    assert F.PARAGRAPH in doc.text.split("\n")


def test_html_html5_meta_charset_and_shtml(tmp_path):
    page = (
        '<!doctype html><html><head><meta charset="GBK"><title>报告 - 岔河镇</title></head>'
        f"<body><article><h1>{F.PAGE_TITLE}</h1><p>{F.PARAGRAPH}</p>"
        "<p>第二段<br>换行后的文字，依法行政。</p></article></body></html>"
    )
    doc = read_document(write(tmp_path, "page.shtml", page.encode("gb18030")))
    assert doc.encoding == "gb18030"
    assert doc.text == f"{F.PAGE_TITLE}\n{F.PARAGRAPH}\n第二段\n换行后的文字，依法行政。"


def test_html_without_declared_charset_is_detected(tmp_path):
    page = F.cms_page("gb2312").replace(
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', ""
    )
    assert "charset" not in page
    doc = read_document(write(tmp_path, "nodecl.html", page.encode("gb18030")))
    assert doc.encoding == "gb18030"
    assert F.PARAGRAPH in doc.text


def test_html_mislabelled_utf8_falls_back_to_detection(tmp_path):
    page = F.cms_page("utf-8")  # says utf-8, bytes are GB18030
    doc = read_document(write(tmp_path, "wrong.html", page.encode("gb18030")))
    assert doc.encoding == "gb18030"
    assert F.PARAGRAPH in doc.text


def test_html_title_from_head_when_no_heading(tmp_path):
    page = (
        '<html><head><meta charset="utf-8"><title>岔河镇法治政府建设报告_如东县人民政府</title></head>'
        f"<body><div class='content'><p>{F.PARAGRAPH}</p></div></body></html>"
    )
    doc = read_document(write(tmp_path, "t.html", page.encode()))
    assert doc.text == f"岔河镇法治政府建设报告\n{F.PARAGRAPH}"


def test_html_old_layout_table_with_br_paragraphs(tmp_path):
    # Old CMS pages: layout tables and <br>-separated text in a cell.
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
        f"<title>{F.PAGE_TITLE}</title></head><body>"
        "<table><tr><td><a href='/'>首页</a> | <a href='/x'>政务公开</a> | <a href='/y'>政民互动</a></td></tr></table>"
        "<table><tr><td class='left'><a href='/1'>通知公告</a><br><a href='/2'>工作动态</a></td>"
        f"<td><b>{F.PAGE_TITLE}</b><br>发布时间：2024-01-15&nbsp;&nbsp;【打印】【关闭】<br>"
        f"　　{F.PARAGRAPH}<br>　　（一）深化“三所联动”。全年调处矛盾纠纷136件。</td></tr></table>"
        "</body></html>"
    )
    doc = read_document(write(tmp_path, "old.htm", page.encode("gb18030")))
    assert doc.text.split("\n") == [
        F.PAGE_TITLE,
        "发布时间：2024-01-15",
        F.PARAGRAPH,
        "（一）深化“三所联动”。全年调处矛盾纠纷136件。",
    ]


def test_html_site_name_heading_unlabelled_date_and_body_table(tmp_path):
    page = f"""<html><head><meta charset="utf-8">
<title>{F.PAGE_TITLE}_如东县人民政府</title><meta name="SiteName" content="如东县人民政府"></head>
<body><div class="header"><h1>如东县人民政府</h1></div>
<div class="print-area"><div class="con"><h2>{F.PAGE_TITLE}</h2>
<div class="time">2024-01-15 来源：岔河镇 点击数：35</div>
<div class="text"><div>{F.PARAGRAPH}</div><div>一、主要工作</div><div>（一）健全机制，开展培训。</div>
<table border="1"><tr><td>机构</td><td>调解数</td></tr><tr><td>司法所</td><td>86</td></tr></table>
<p>附件：<a href="/f.docx">2023年度法治政府建设情况统计表.docx</a></p></div></div></div>
<div class="links"><a href="#">国务院</a><a href="#">江苏省人民政府</a></div>
</body></html>"""
    doc = read_document(write(tmp_path, "p.html", page.encode()))
    assert doc.text.split("\n") == [
        F.PAGE_TITLE,
        "来源：岔河镇",
        "2024-01-15",
        F.PARAGRAPH,
        "一、主要工作",
        "（一）健全机制，开展培训。",
        "机构\t调解数",
        "司法所\t86",
        "附件：2023年度法治政府建设情况统计表.docx",
    ]


def test_html_binary_junk_is_rejected(tmp_path):
    import random

    rng = random.Random(3)
    junk = bytes(rng.randrange(128, 256) for _ in range(2048))
    assert reason(write(tmp_path, "junk.html", junk)).startswith("not text")


def test_html_without_text_is_rejected(tmp_path):
    page = b"<html><head><script>var a = '\xe6\xb3\x95';</script></head><body> </body></html>"
    assert reason(write(tmp_path, "blank.html", page)) == "no text in page"


# ---------------------------------------------------------------------------
# DOCX


def test_docx_paragraphs_and_table_in_order(tmp_path):
    path = tmp_path / "report.docx"
    F.write_docx(path)
    doc = read_document(path)
    assert doc.format == "docx"
    assert doc.encoding == "n/a"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.text.split("\n") == [
        F.TITLE,
        F.HEADING,
        F.PARAGRAPH,
        "机构\t职责\t案件数",
        "司法所\t人民调解\t86",
        "派出所\t治安调解\t50",
        "二、存在问题",
    ]


def test_docx_tracked_insertions_kept_deletions_dropped(tmp_path):
    import docx
    from docx.oxml import parse_xml

    path = tmp_path / "tracked.docx"
    d = docx.Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p = parse_xml(
        f"<w:p {w}><w:r><w:t>健全</w:t></w:r>"
        '<w:ins w:id="1" w:author="a"><w:r><w:t>“三所联动”</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>旧的</w:delText></w:r></w:del>'
        "<w:r><w:t>调解机制</w:t></w:r></w:p>"
    )
    d.element.body.insert(0, p)
    d.save(path)
    assert read_document(path).text == "健全“三所联动”调解机制"


# ---------------------------------------------------------------------------
# PDF


@pytest.mark.parametrize("per_glyph", [False, True], ids=["text-runs", "per-glyph"])
def test_pdf_cid_font_text_with_wrapped_lines_joined(tmp_path, per_glyph):
    assert F.PDF_LINES[1].endswith("依法治镇委员") and F.PDF_LINES[2].startswith("会")
    path = tmp_path / "report.pdf"
    F.write_pdf(path, per_glyph=per_glyph)
    doc = read_document(path)
    assert doc.format == "pdf"
    assert doc.encoding == "n/a"
    # Headings stay on their own lines, the wrapped paragraph is one line,
    # the page number at the foot is gone.
    assert doc.text == f"{F.TITLE}\n{F.HEADING}\n{F.PARAGRAPH}\n一、主要工作"


def test_pdf_scan_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    F.write_scanned_pdf(path)
    assert reason(path) == "no text layer (scanned?)"


FULL = "岔河镇坚持以习近平法治思想为指导深入贯彻落实党中央国务院决策部署调整依法治镇委员"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # mid-word wrap at the margin is joined
        ([FULL, "会组成人员。"], [FULL + "会组成人员。"]),
        # wrap after inner punctuation is joined
        ([FULL[:-1] + "，", "健全机制。"], [FULL[:-1] + "，健全机制。"]),
        # a sentence end is a paragraph end
        ([FULL[:-1] + "。", "健全机制。"], [FULL[:-1] + "。", "健全机制。"]),
        ([FULL[:-1] + "：", "健全机制。"], [FULL[:-1] + "：", "健全机制。"]),
        # a short line is a heading
        (["一、主要工作", "健全机制。", FULL], ["一、主要工作", "健全机制。", FULL]),
        (["如东县岔河镇人民政府", "2023年度法治政府工作报告", FULL], None),
        # the next line opens a list item
        ([FULL, "（二）深化三所联动。"], [FULL, "（二）深化三所联动。"]),
        ([FULL, "2.深化三所联动。"], [FULL, "2.深化三所联动。"]),
        # a CJK-to-digit wrap is joined
        ([FULL, "12次。"], [FULL + "12次。"]),
        # spaces extraction put between CJK characters go
        (["依 法 治 镇 委 员 会 ， 2023 年"], ["依法治镇委员会，2023年"]),
        # English keeps its spaces
        (["ABC test 2023"], ["ABC test 2023"]),
    ],
)
def test_pdf_line_joining(lines, expected):
    if expected is None:
        expected = lines
    assert _pdf_text([lines]).split("\n") == expected


def test_pdf_join_across_pages_without_page_number():
    end = FULL[:-1] + "。"
    pages = [[end, FULL, "— 1 —"], ["2", "会组成人员。"]]
    assert _pdf_text(pages) == end + "\n" + FULL + "会组成人员。"


# ---------------------------------------------------------------------------
# Bad input


def test_empty_and_blank_files(tmp_path):
    for name, data in [
        ("empty.txt", b""),
        ("blank.txt", b"  \r\n\t\n "),
        ("bom-only.txt", b"\xef\xbb\xbf"),
        ("blank16.txt", "\u3000 \n".encode("utf-16")),
        ("empty.html", b""),
        ("empty.docx", b""),
        ("empty.pdf", b""),
    ]:
        assert reason(write(tmp_path, name, data)) == "empty file", name


def test_random_bytes_are_not_text(tmp_path):
    import random

    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(4096))
    assert b"\x00" in junk
    assert reason(write(tmp_path, "junk.txt", junk)).startswith("not text")
    no_nul = bytes(b for b in junk if b)
    assert reason(write(tmp_path, "junk2.txt", no_nul)).startswith("not text")
    small = bytes(rng.randrange(1, 256) for _ in range(64))
    assert reason(write(tmp_path, "junk3.txt", small)).startswith("not text")


def test_control_characters_are_not_text(tmp_path):
    data = "岔河镇\x01\x02人民政府".encode()
    assert reason(write(tmp_path, "ctl.txt", data)) == "not text: control character U+0001"
    with pytest.raises(ValueError, match="not text"):
        decode_text(b"abc\x00def")


def test_bad_docx(tmp_path):
    good = tmp_path / "good.docx"
    F.write_docx(good)
    data = good.read_bytes()
    assert reason(write(tmp_path, "trunc.docx", data[: len(data) // 2])).startswith("corrupt docx: ")
    assert reason(write(tmp_path, "zip.docx", F.docx_bytes_of_other_zip())) == "not a Word document"
    assert reason(write(tmp_path, "text.docx", "岔河镇".encode())) == "not a Word document"
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert reason(write(tmp_path, "old.docx", legacy)).startswith("not a Word document: legacy .doc")


def test_bad_pdf(tmp_path):
    good = tmp_path / "good.pdf"
    F.write_pdf(good)
    data = good.read_bytes()
    assert reason(write(tmp_path, "trunc.pdf", data[: len(data) // 2])).startswith("corrupt pdf: ")
    garbage = b"%PDF-1.4\n" + bytes(range(256)) * 8
    assert reason(write(tmp_path, "garbage.pdf", garbage)).startswith("corrupt pdf: ")
    assert reason(write(tmp_path, "text.pdf", "岔河镇".encode())) == "corrupt pdf: no pdf header"


def test_too_large(tmp_path):
    path = write(tmp_path, "big.txt", F.REPORT.encode())
    size = path.stat().st_size
    assert reason(path, max_bytes=100) == f"too large: {size} bytes > limit 100 (--max-bytes)"
    assert read_document(path, max_bytes=size).text == F.REPORT


def test_permission_denied(tmp_path):
    path = write(tmp_path, "secret.txt", F.REPORT.encode())
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod does not stop reading")
        assert reason(path) == "cannot read: permission denied"
    finally:
        path.chmod(0o644)


def test_unknown_extension_and_directory(tmp_path):
    assert reason(write(tmp_path, "notes.md", b"# x")) == "unsupported file type: .md"
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    assert reason(folder) == "cannot read: is a directory"


def test_missing_file(tmp_path):
    assert reason(tmp_path / "nope.txt") == "no such file or directory"


# ---------------------------------------------------------------------------
# find_inputs


def test_find_inputs_walks_sorts_and_skips(tmp_path):
    for name in [
        "b/report2.TXT",
        "a/deep/er/report.pdf",
        "a/page.shtml",
        "a/notes.md",
        "c.docx",
        "image.png",
        ".hidden.txt",
        "a/.cache/x.txt",
        ".git/objects/y.html",
    ]:
        write(tmp_path, name, b"x")
    files, skipped, failed = find_inputs([tmp_path])
    assert failed == []
    assert files == [
        tmp_path / "a/deep/er/report.pdf",
        tmp_path / "a/page.shtml",
        tmp_path / "b/report2.TXT",
        tmp_path / "c.docx",
    ]
    assert skipped == [(tmp_path / "a/notes.md", "unknown file type"), (tmp_path / "image.png", "unknown file type")]


def test_find_inputs_files_strings_and_duplicates(tmp_path):
    a = write(tmp_path, "x/a.txt", b"x")
    b = write(tmp_path, "b.html", b"x")
    c = write(tmp_path, "c.csv", b"x")
    files, skipped, _ = find_inputs([str(b), a, tmp_path / "x", c])
    assert files == [b, a]  # sorted, a given twice
    assert skipped == [(c, "unknown file type")]


def test_find_inputs_missing_path(tmp_path):
    missing = tmp_path / "absent"
    with pytest.raises(InputError) as info:
        find_inputs([tmp_path, missing])
    assert info.value.reason == "no such file or directory"
    assert info.value.path == str(missing)


def test_find_then_read_a_folder(tmp_path):
    write(tmp_path, "r/utf8.txt", F.REPORT.encode())
    write(tmp_path, "r/gb.txt", F.REPORT.encode("gb18030"))
    files, skipped, failed = find_inputs([tmp_path / "r"])
    assert skipped == [] and failed == []
    assert [read_document(p).text for p in files] == [F.REPORT, F.REPORT]
