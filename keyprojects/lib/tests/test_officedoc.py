"""The official-document writer (GB/T 9704-2012): read back with python-docx, and laid out by LibreOffice."""

import datetime as dt
import os
import re
import shutil
import subprocess
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from keyprojects.lib.officedoc import OfficialDocument, document_number, level_label


def _letter(*, copy_to="抄送：市人民政府办公室。", paragraphs=3, rows=3) -> bytes:
    doc = OfficialDocument()
    doc.header(
        "测试市重点项目建设办公室", document_number("邕重点督", 2027, 15), copy_no="000012", secrecy="内部"
    )
    doc.title("关于加快推进轨道交通5号线建设的督办函")
    doc.addressee("青秀区人民政府")
    for n in range(1, paragraphs + 1):
        doc.paragraph(f"第{n}段正文\x07内容。")
    doc.heading(1, "督办事项", number=1)
    doc.heading(2, "问题情况", number=1)
    doc.heading(3, "征地进度", number=1)
    doc.heading(4, "尚未交地", number=1)
    doc.table(
        ["序号", "项目名称", "办理时限"], [[n, f"项目{n}\x01", "2027年3月5日"] for n in range(1, rows + 1)]
    )
    doc.signature("测试市重点项目建设办公室", dt.date(2027, 2, 26))
    doc.closing(issuer="测试市重点项目建设办公室", issued=dt.date(2027, 2, 26), copy_to=copy_to)
    return doc.to_bytes()


@pytest.fixture
def document():
    return Document(BytesIO(_letter()))


def _paragraph(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def _east_asian(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_it_numbers_documents_and_heading_levels_as_the_standard_writes_them():
    assert document_number("邕重点督", 2027, 15) == "邕重点督〔2027〕15号"
    assert [level_label(level, 11) for level in (1, 2, 3, 4)] == ["十一、", "（十一）", "11.", "（11）"]
    with pytest.raises(ValueError):
        level_label(5, 1)


def test_it_lays_out_an_a4_page_with_the_official_margins(document):
    s = document.sections[0]

    def mm(length):
        return round(length / 36000, 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.bottom_margin), mm(s.left_margin), mm(s.right_margin)) == (37, 35, 28, 26)


def test_it_puts_copy_number_secrecy_red_mark_and_number_above_the_red_rule(document):
    copy_no, secrecy, mark, _blank, number = document.paragraphs[:5]
    assert (copy_no.text, secrecy.text) == ("000012", "内部")
    assert _east_asian(secrecy.runs[0]) == "黑体"
    assert mark.text == "测试市重点项目建设办公室"
    assert mark.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert _east_asian(mark.runs[0]) == "方正小标宋简体"
    assert number.text == "邕重点督〔2027〕15号"
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"


def test_it_leaves_out_copy_number_and_secrecy_when_not_given():
    doc = OfficialDocument()
    doc.header("测试市重点项目建设办公室", "邕重点督〔2027〕1号")
    assert Document(BytesIO(doc.to_bytes())).paragraphs[0].text == "测试市重点项目建设办公室"


def test_it_sets_the_title_body_and_level_fonts(document):
    title = _paragraph(document, "关于加快推进轨道交通5号线建设的督办函")
    assert title.runs[0].font.size == Pt(22) and _east_asian(title.runs[0]) == "方正小标宋简体"
    assert _paragraph(document, "青秀区人民政府：").paragraph_format.first_line_indent is None
    body = _paragraph(document, "第1段正文内容。")  # the control character dropped
    assert body.runs[0].font.size == Pt(16) and _east_asian(body.runs[0]) == "仿宋_GB2312"
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters
    fonts = {p.text: _east_asian(p.runs[0]) for p in document.paragraphs if p.runs}
    assert fonts["一、督办事项"] == "黑体"
    assert fonts["（一）问题情况"] == "楷体_GB2312"
    assert fonts["1.征地进度"] == "仿宋_GB2312"
    assert fonts["（1）尚未交地"] == "仿宋_GB2312"


def test_it_writes_tables_with_a_black_head_row_and_safe_cells(document):
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "项目名称", "办理时限"]
    assert [c.text for c in table.rows[1].cells] == ["1", "项目1", "2027年3月5日"]
    assert _east_asian(table.rows[0].cells[0].paragraphs[0].runs[0]) == "黑体"
    assert _east_asian(table.rows[1].cells[1].paragraphs[0].runs[0]) == "仿宋_GB2312"


def test_it_signs_dates_and_closes_with_copy_to_and_printed_between_rules(document):
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("测试市重点项目建设办公室", 3) + 1] == "2027年2月26日"
    copied = _paragraph(document, "抄送：市人民政府办公室。")
    printed = next(p for p in document.paragraphs if p.text.startswith("测试市重点项目建设办公室\t"))
    assert printed.text == "测试市重点项目建设办公室\t2027年2月26日印发"
    assert {e.tag for e in copied._p.pPr.find(qn("w:pBdr"))} == {qn("w:top"), qn("w:bottom")}
    assert {e.tag for e in printed._p.pPr.find(qn("w:pBdr"))} == {qn("w:bottom")}


def test_it_rules_the_printed_line_above_too_when_nothing_is_copied():
    document = Document(BytesIO(_letter(copy_to="")))
    printed = next(p for p in document.paragraphs if p.text.endswith("印发"))
    assert {e.tag for e in printed._p.pPr.find(qn("w:pBdr"))} == {qn("w:top"), qn("w:bottom")}


def test_it_names_the_east_asian_font_on_every_run(document):
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [
        r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
    ]
    section = document.sections[0]
    runs += [r for p in section.footer.paragraphs + section.even_page_footer.paragraphs for r in p.runs]
    assert runs and all(_east_asian(r) for r in runs)


def test_it_numbers_pages_odd_right_even_left_with_a_page_field(document):
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —"
    assert (odd.alignment, even.alignment) == (2, 0)
    assert "PAGE" in odd._p.xml and "PAGE" in even._p.xml


def _pdf_pages(data: bytes, tmp_path) -> int:
    tmp_path.mkdir()
    source = tmp_path / "document.docx"
    source.write_bytes(data)
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    pdf = tmp_path / "document.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


# CI installs LibreOffice (.ci/run), so there a missing one fails instead of skipping.
@pytest.mark.skipif(
    not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice is not installed"
)
def test_it_fills_one_page_with_a_short_letter_and_more_with_a_long_one(tmp_path):
    short = OfficialDocument()
    short.header("测试市重点项目建设办公室", "邕重点督〔2027〕1号")
    short.title("关于加快推进项目建设的督办函")
    short.addressee("青秀区")
    short.paragraph("请于2027年3月5日前报送办理情况。")
    short.date_line(dt.date(2027, 2, 26))
    assert _pdf_pages(short.to_bytes(), tmp_path / "short") == 1
    # 22 lines to a page: sixty paragraphs cannot fit on two.
    assert _pdf_pages(_letter(paragraphs=60, rows=2), tmp_path / "long") >= 3
