"""Builders for the ingest tests: every fixture is generated, none committed."""

from __future__ import annotations

import io
from pathlib import Path

TITLE = "如东县岔河镇人民政府"
HEADING = "2023年度法治政府工作报告"
PARAGRAPH = (
    "2023年，岔河镇坚持以习近平法治思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的"
    "决策部署，调整依法治镇委员会组成人员，健全司法所、派出所、律师事务所“三所联动”调解机制，"
    "组织学习《中华人民共和国民法典》，全面推进依法行政。"
)
REPORT = f"{TITLE}\n{HEADING}\n{PARAGRAPH}\n"

# The same report in traditional script, for Big5.
REPORT_TRADITIONAL = (
    "如東縣岔河鎮人民政府\n2023年度法治政府工作報告\n"
    "2023年，岔河鎮堅持以習近平法治思想為指導，深入貫徹落實黨中央、國務院關於法治政府建設的"
    "決策部署，調整依法治鎮委員會組成人員，健全司法所、派出所、律師事務所“三所聯動”調解機制，"
    "組織學習《中華人民共和國民法典》，全面推進依法行政。\n"
)

PAGE_TITLE = "岔河镇2023年度法治政府建设工作报告"
BODY_PARAGRAPHS = [
    PARAGRAPH,
    "一、主要工作",
    "（一）健全依法决策机制。严格落实重大行政决策程序，镇政府常务会议学法12次。",
    "（二）深化“三所联动”。全年调处矛盾纠纷136件，调解成功率98%。",
]


def cms_page(charset_label: str = "gb2312") -> str:
    """A county-site article page with the usual chrome around the article."""
    body = "\n".join(f'<p style="text-indent:2em">　　{p}</p>' for p in BODY_PARAGRAPHS)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset_label}" />
<title>{PAGE_TITLE}_如东县人民政府</title>
<meta name="SiteName" content="如东县人民政府">
<meta name="ArticleTitle" content="{PAGE_TITLE}">
<meta name="PubDate" content="2024-01-15 09:30">
<style type="text/css">.nav li {{ float:left; }} /* 样式：导航 */ body {{ font-family: "宋体"; }}</style>
<script type="text/javascript">
  var siteName = "如东县人民政府门户网站";
  document.write("欢迎访问如东县人民政府");
</script>
</head>
<body>
<div class="top"><div class="logo"><h1><a href="/"><img src="logo.png" alt="如东县人民政府"></a></h1></div>
<div class="search"><form action="/search"><input type="text" value="请输入关键词"><button>搜索</button></form></div></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zmhd/">政民互动</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/zjrd/">走进如东</a></li>
</ul></div>
<div class="main">
<div class="dqwz">您现在的位置: <a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/fzzf/">法治政府建设</a></div>
<table class="xxgk_table" width="100%">
<tr><td>索引号：</td><td>014126001/2024-00012</td><td>发布机构：</td><td>岔河镇人民政府</td></tr>
<tr><td>成文日期：</td><td>2024-01-12</td><td>发布日期：</td><td>2024-01-15</td></tr>
<tr><td>标　　题：</td><td colspan="3">{PAGE_TITLE}</td></tr>
</table>
<div class="article">
<h1 class="article-title">{PAGE_TITLE}</h1>
<div class="info">来源：岔河镇人民政府&nbsp;&nbsp;发布时间：2024-01-15 09:30&nbsp;&nbsp;字体:[<a href="#">大</a>][<a href="#">中</a>][<a href="#">小</a>]&nbsp;&nbsp;浏览次数：1024</div>
<div id="zoom" class="TRS_Editor">
{body}
</div>
<div class="tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
<div class="bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
</div>
</div>
<div class="sidebar"><h3>相关信息</h3><ul><li><a href="/a/1.html">岔河镇召开2024年度依法行政工作会议</a></li>
<li><a href="/a/2.html">如东县2023年度法治政府建设工作报告</a></li></ul></div>
<div class="footer"><p>主办：如东县人民政府办公室　承办：如东县大数据管理局</p>
<p>苏ICP备05012345号　网站标识码：3206230001　<a href="/map">网站地图</a></p></div>
</body>
</html>
"""


def write_docx(path: Path) -> None:
    """A report with paragraphs, a table between them and an empty paragraph."""
    import docx

    doc = docx.Document()
    doc.add_heading(TITLE, level=1)
    doc.add_paragraph(HEADING)
    doc.add_paragraph(PARAGRAPH)
    doc.add_paragraph("")
    table = doc.add_table(rows=3, cols=3)
    rows = [
        ("机构", "职责", "案件数"),
        ("司法所", "人民调解", "86"),
        ("派出所", "治安调解", "50"),
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    doc.add_paragraph("二、存在问题")
    doc.save(path)


def _cid_canvas(path: Path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path))


# The paragraph wrapped at a fixed number of characters, as a PDF lays it
# out; the second break falls inside 委员会 (…依法治镇委员 | 会组成人员…).
PDF_LINES = [
    PARAGRAPH[i : i + 29] for i in range(0, len(PARAGRAPH), 29)
]


def write_pdf(path: Path, *, per_glyph: bool = False) -> None:
    """A one-page report in reportlab's STSong-Light CID font.

    ``per_glyph`` draws every character at its own position, as some PDF
    printers do, instead of one text run per line.
    """
    c = _cid_canvas(path)
    size = 12
    y = 800
    for heading in (TITLE, HEADING):
        c.setFont("STSong-Light", 16)
        c.drawString(72, y, heading)
        y -= 28
    c.setFont("STSong-Light", size)
    for line in PDF_LINES:
        if per_glyph:
            x = 72
            for ch in line:
                c.drawString(x, y, ch)
                x += c.stringWidth(ch, "STSong-Light", size)
        else:
            c.drawString(72, y, line)
        y -= 18
    c.drawString(72, y - 10, "一、主要工作")
    c.drawCentredString(300, 40, "— 1 —")
    c.showPage()
    c.save()


def write_scanned_pdf(path: Path) -> None:
    """A page with only a drawn rectangle: no text layer."""
    c = _cid_canvas(path)
    c.rect(72, 400, 300, 200, fill=1)
    c.showPage()
    c.save()


def docx_bytes_of_other_zip() -> bytes:
    """A valid zip that is not a Word document."""
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a word file")
    return buf.getvalue()
