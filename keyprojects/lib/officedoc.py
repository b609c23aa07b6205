"""Official documents (公文) as Word files in the national layout, GB/T 9704-2012: the one writer of the
minutes, supervision letters and notices.

A4; top margin 37 mm, bottom 35 mm, binding side 28 mm, right 26 mm: a text block of 156 × 225 mm
(22 lines of 28 characters in 3号仿宋). Above the red rule: the optional 份号, 密级 and 紧急程度 lines,
the issuing authority's mark (发文机关标志) in red 小标宋, the document number (邕重点督〔2027〕15号).
The title in 2号 小标宋; body levels 一、 in 黑体, （一） in 楷体, 1. and （1） in 仿宋; tables; the
抄送/印发 block between rules; page numbers "— 1 —" in 4号 宋体, odd pages right and even pages left.
Servers lack the official fonts, so every run names its East-Asian font (w:eastAsia) and the reader's
machine uses its own. Every text passes through lib.text.xml_safe on its way in.
"""

import datetime as dt
from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from keyprojects.lib.numbers import cn_numeral
from keyprojects.lib.text import xml_safe

RED = RGBColor(0xFF, 0x00, 0x00)
# Point sizes of the Chinese size names.
SIZE_2, SIZE_3, SIZE_4, SIZE_HEADER = Pt(22), Pt(16), Pt(14), Pt(30)
XIAOBIAOSONG, FANGSONG, HEITI, KAITI, SONGTI = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
LATIN = "Times New Roman"
# 22 lines in a 225 mm text block.
LINE = Pt(28.95)
CHAR = SIZE_3  # one character of the body text: indents are counted in these
TEXT_WIDTH = Mm(156)
# The body's levels of headings: their fonts, and how each numbers its Nth heading.
LEVEL_FONTS = {1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}
ALIGN = WD_ALIGN_PARAGRAPH


def chinese_date(day: dt.date) -> str:
    """2027年3月5日: Arabic numerals, no leading zeros (as the standard writes dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(prefix: str, year: int, sequence: int) -> str:
    """e.g. 邕重点督〔2027〕15号: year in 〔〕, no 第, no leading zeros."""
    return f"{prefix}〔{year}〕{sequence}号"


def level_label(level: int, n: int) -> str:
    """The number of the Nth heading of LEVEL (1–4): 一、 （一） 1. （1）."""
    if level == 1:
        return f"{cn_numeral(n)}、"
    if level == 2:
        return f"（{cn_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"official documents have heading levels 1 to 4, not {level}")


# --------------------------------------------------------------------------------------------------
# Runs, paragraphs, rules
# --------------------------------------------------------------------------------------------------


def set_run_font(run, east_asian: str, size, *, bold=False, color=None, latin=LATIN):
    run.font.name = latin
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def add_run(paragraph, text: str, east_asian: str = FANGSONG, size=SIZE_3, **style):
    """TEXT appended to PARAGRAPH in the given font. Every text enters the document here, made XML-safe:
    a control character pasted from Word into a record would otherwise make python-docx refuse it."""
    run = paragraph.add_run(xml_safe(text))
    set_run_font(run, east_asian, size, **style)
    return run


def add_paragraph(
    doc_or_part,
    text="",
    *,
    font=FANGSONG,
    size=SIZE_3,
    bold=False,
    color=None,
    align=None,
    first_indent=None,
    right_indent=None,
    line=LINE,
    space_before=0,
):
    """A paragraph at the fixed line pitch of the text block."""
    p = doc_or_part.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    if first_indent is not None:
        fmt.first_line_indent = first_indent
    if right_indent is not None:
        fmt.right_indent = right_indent
    if text:
        add_run(p, text, font, size, bold=bold, color=color)
    return p


def add_border(paragraph, side: str, *, size_eighths: int, color="000000", space=1):
    """A rule on SIDE of PARAGRAPH, SIZE_EIGHTHS eighths of a point thick."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _page_number(footer, align):
    """ "— N —" in 4号 宋体, one character in from the outer edge."""
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    if align == ALIGN.RIGHT:
        fmt.right_indent = SIZE_4
    else:
        fmt.left_indent = SIZE_4
    add_run(p, "— ", SONGTI, SIZE_4, latin=SONGTI)
    run = p.add_run()
    set_run_font(run, SONGTI, SIZE_4, latin=SONGTI)
    for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == "1":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    add_run(p, " —", SONGTI, SIZE_4, latin=SONGTI)


def _setup(doc):
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The page number sits 7 mm below the text block.
    section.footer_distance = Mm(35 - 7 - 5)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, ALIGN.RIGHT)
    _page_number(section.even_page_footer, ALIGN.LEFT)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = SIZE_3
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), FANGSONG)


# --------------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------------


class OfficialDocument:
    """One official document, written top to bottom: header(), title(), the body (addressee(),
    paragraph(), heading(), table()), signature() or date_line(), closing(); then to_bytes()."""

    def __init__(self):
        self.doc = Document()
        _setup(self.doc)

    # The parts above the red rule (版头)

    def header(
        self, issuer: str, number: str = "", *, copy_no: str = "", secrecy: str = "", urgency: str = ""
    ):
        """份号, 密级 and 紧急程度 (each only when given) top left; the issuing authority's mark in red;
        the document number centred above the red rule."""
        if copy_no:
            add_paragraph(self.doc, copy_no)
        if secrecy:
            add_paragraph(self.doc, secrecy, font=HEITI)
        if urgency:
            add_paragraph(self.doc, urgency, font=HEITI)
        add_paragraph(
            self.doc, issuer, font=XIAOBIAOSONG, size=SIZE_HEADER, color=RED, align=ALIGN.CENTER, line=Pt(48)
        )
        add_paragraph(self.doc)
        numbered = add_paragraph(self.doc, number, align=ALIGN.CENTER)
        # The red rule, the width of the text block, about 4 mm below the document number.
        add_border(numbered, "bottom", size_eighths=18, color="FF0000", space=11)
        add_paragraph(self.doc)
        add_paragraph(self.doc)

    # The body (主体)

    def title(self, text: str):
        """The title in 2号 小标宋, centred, and the blank line under it."""
        add_paragraph(self.doc, text, font=XIAOBIAOSONG, size=SIZE_2, align=ALIGN.CENTER, line=Pt(36))
        add_paragraph(self.doc)

    def addressee(self, text: str):
        """主送机关: flush left, ending in a full-width colon."""
        return add_paragraph(self.doc, text if text.endswith("：") else text + "：")

    def paragraph(self, text: str = "", *, indent: bool = True, **style):
        """A body paragraph, indented two characters (INDENT False: flush left; STYLE: add_paragraph's)."""
        if indent:
            style.setdefault("first_indent", CHAR * 2)
        return add_paragraph(self.doc, text, **style)

    def blank(self):
        return add_paragraph(self.doc)

    def heading(self, level: int, text: str, *, number: int | None = None):
        """A heading of LEVEL (1–4) in its font, indented two characters; NUMBER prefixes its label
        (heading(1, "总体情况", number=2) → 二、总体情况)."""
        label = level_label(level, number) if number is not None else ""
        return add_paragraph(self.doc, label + text, font=LEVEL_FONTS[level], first_indent=CHAR * 2)

    def table(
        self, headers: list[str], rows: list[list], *, widths_mm: list[float] | None = None, size=SIZE_4
    ):
        """A table the width of the text block: the head row in 黑体, the cells in 仿宋, all centred
        vertically; cells are given as text (None is empty)."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = widths_mm or [156 / len(headers)] * len(headers)
        for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
            self._cell(cell, text, HEITI, size, width, align=ALIGN.CENTER)
        for values in rows:
            cells = table.add_row().cells
            for cell, value, width in zip(cells, values, widths, strict=True):
                self._cell(cell, "" if value is None else str(value), FANGSONG, size, width)
        # A table must not touch what follows: Word would join a next table to it.
        add_paragraph(self.doc)
        return table

    @staticmethod
    def _cell(cell, text, font, size, width_mm, align=None):
        cell.width = Mm(width_mm)
        p = cell.paragraphs[0]
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if align is not None:
            p.alignment = align
        for i, line in enumerate(xml_safe(text).split("\n")):
            if i:
                p = cell.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
            add_run(p, line, font, size)

    # The end (版记)

    def date_line(self, day: dt.date):
        """成文日期 in Arabic numerals, four characters in from the right."""
        return add_paragraph(self.doc, chinese_date(day), align=ALIGN.RIGHT, right_indent=CHAR * 4)

    def signature(self, issuer: str, day: dt.date):
        """The issuing authority's signature (署名) over the date, after two blank lines."""
        self.blank()
        self.blank()
        add_paragraph(self.doc, issuer, align=ALIGN.RIGHT, right_indent=CHAR * 4)
        self.date_line(day)

    def closing(self, *, issuer: str, issued: dt.date, copy_to: str = ""):
        """The 版记 in 4号 仿宋, one character in from each side: 抄送 (when COPY_TO) and 印发 (ISSUER
        left, the date of printing right), between a 0.35 mm outer rule above and below and a 0.25 mm
        inner rule between them."""
        self.blank()
        copied = None
        if copy_to:
            copied = add_paragraph(self.doc, copy_to, size=SIZE_4, line=Pt(24))
            copied.paragraph_format.left_indent = SIZE_4
            copied.paragraph_format.right_indent = SIZE_4
            add_border(copied, "top", size_eighths=8)  # outer rule 0.35 mm
            add_border(copied, "bottom", size_eighths=6)  # inner rule 0.25 mm
        printed = add_paragraph(self.doc, "", size=SIZE_4, line=Pt(24))
        printed.paragraph_format.left_indent = SIZE_4
        printed.paragraph_format.right_indent = SIZE_4
        tabs = printed.paragraph_format.tab_stops
        tabs.add_tab_stop(TEXT_WIDTH - SIZE_4 * 2, WD_TAB_ALIGNMENT.RIGHT)
        add_run(printed, issuer + "\t" + chinese_date(issued) + _("印发"), FANGSONG, SIZE_4)
        if copied is None:
            add_border(printed, "top", size_eighths=8)
        add_border(printed, "bottom", size_eighths=8)

    def to_bytes(self) -> bytes:
        out = BytesIO()
        self.doc.save(out)
        return out.getvalue()
