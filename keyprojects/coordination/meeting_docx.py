"""A meeting's minutes (会议纪要) as a Word file in the national official-document layout (GB/T 9704-2012).

A4; top margin 37 mm, binding side 28 mm, text block 156 × 225 mm (22 lines of 28 characters in 3号
仿宋); a red header with the issuing authority's name and the document number above a red rule; the
title in 2号 小标宋; headings 一、 in 黑体 and （一） in 楷体; page numbers "— 1 —" in 4号 宋体, odd
pages right and even pages left. Servers lack the official fonts, so every run names its East-Asian
font (w:eastAsia) and the reader's machine uses its own.
"""

import datetime as dt
from io import BytesIO

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from keyprojects.coordination.models import AgendaItem, DispatchMeeting
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


def office_name() -> str:
    return getattr(settings, "KP_OFFICE_NAME", "") or "南宁市重点项目建设办公室"


def minutes_prefix() -> str:
    return getattr(settings, "KP_MINUTES_PREFIX", "") or "邕重点办纪"


def minutes_number(meeting: DispatchMeeting) -> int:
    """The meeting's sequence number among the year's meetings (by date, then creation)."""
    before = Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk)
    return DispatchMeeting.objects.filter(before, date__year=meeting.date.year).count() + 1


def document_number(meeting: DispatchMeeting) -> str:
    """e.g. 邕重点办纪〔2026〕3号: year in 〔〕, no 第, no leading zeros."""
    return f"{minutes_prefix()}〔{meeting.date.year}〕{minutes_number(meeting)}号"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --------------------------------------------------------------------------------------------------
# Low-level helpers
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


def _run(paragraph, text: str, east_asian: str, size, **style):
    """TEXT appended to PARAGRAPH in the given font. Every text enters the document here, made XML-safe:
    a control character pasted from Word into a problem would otherwise make python-docx refuse it."""
    run = paragraph.add_run(xml_safe(text))
    set_run_font(run, east_asian, size, **style)
    return run


def _paragraph(
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
        _run(p, text, font, size, bold=bold, color=color)
    return p


def _border(paragraph, side: str, *, size_eighths: int, color="000000", space=1):
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
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = SIZE_4
    else:
        fmt.left_indent = SIZE_4
    _run(p, "— ", SONGTI, SIZE_4, latin=SONGTI)
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
    _run(p, " —", SONGTI, SIZE_4, latin=SONGTI)


# --------------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------------


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
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = SIZE_3
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), FANGSONG)


def _header(doc, meeting):
    _paragraph(
        doc,
        office_name(),
        font=XIAOBIAOSONG,
        size=SIZE_HEADER,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=Pt(48),
    )
    _paragraph(doc)
    number = _paragraph(doc, document_number(meeting), align=WD_ALIGN_PARAGRAPH.CENTER)
    # The red rule, the width of the text block, about 4 mm below the document number.
    _border(number, "bottom", size_eighths=18, color="FF0000", space=11)
    _paragraph(doc)
    _paragraph(doc)


def _body(doc, meeting, items):
    if meeting.chair:
        # As documents name a leader: title then name (市委常委、常务副市长张三).
        chair = meeting.chair.title.strip() + (meeting.chair.full_name or meeting.chair.username)
    else:
        chair = _("市领导")
    place = meeting.place or _("市重点办")
    title = meeting.title if meeting.title.endswith(_("纪要")) else meeting.title + _("纪要")
    _paragraph(doc, title, font=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    _paragraph(doc)
    opening = _(
        "%(date)s，%(chair)s在%(place)s主持召开%(title)s，专题研究解决重点项目建设中的困难和问题。"
        "现将会议议定事项纪要如下："
    ) % {"date": chinese_date(meeting.date), "chair": chair, "place": place, "title": meeting.title}
    _paragraph(doc, opening, first_indent=CHAR * 2)
    for text in [t.strip() for t in (meeting.summary or "").splitlines() if t.strip()]:
        _paragraph(doc, text, first_indent=CHAR * 2)
    for number, item in enumerate(items, start=1):
        problem = item.problem
        heading = _("%(n)s、%(project)s：%(title)s") % {
            "n": cn_numeral(number),
            "project": problem.project.name,
            "title": problem.title,
        }
        _paragraph(doc, heading, font=HEITI, first_indent=CHAR * 2)
        _paragraph(doc, _("（一）问题情况"), font=KAITI, first_indent=CHAR * 2)
        _paragraph(
            doc,
            _("%(desc)s（牵头单位：%(unit)s；当前层级：第%(level)s级）")
            % {
                "desc": problem.description.strip().replace("\n", "；"),
                "unit": problem.lead_unit.name,
                "level": problem.level,
            },
            first_indent=CHAR * 2,
        )
        _paragraph(doc, _("（二）会议议定"), font=KAITI, first_indent=CHAR * 2)
        if item.decision_kind:
            text = item.decision
            if item.task_id:
                text += _("由%(unit)s负责落实，%(date)s前完成。") % {
                    "unit": item.task.responsible_unit.name,
                    "date": chinese_date(item.task.deadline),
                }
            elif item.instruction_id:
                text += _("请%(unit)s于%(date)s前将落实情况报%(leader)s。") % {
                    "unit": item.instruction.reply_unit.name,
                    "date": chinese_date(item.instruction.reply_deadline),
                    "leader": item.instruction.leader,
                }
        else:
            text = _("会议听取了情况汇报，待进一步研究。")
        _paragraph(doc, text, first_indent=CHAR * 2)
    if meeting.attendees.strip():
        _paragraph(doc)
        _paragraph(
            doc,
            _("参加会议：%(who)s") % {"who": meeting.attendees.strip().replace("\n", "，")},
            first_indent=CHAR * 2,
        )


def _closing(doc, meeting, issued: dt.date):
    _paragraph(doc)
    _paragraph(doc)
    # Date of issue in Arabic numerals, four characters in from the right.
    _paragraph(doc, chinese_date(issued), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=CHAR * 4)
    _paragraph(doc)
    copy_to = _paragraph(
        doc,
        _("抄送：市人民政府办公室，各城区、开发区，市直有关部门。"),
        size=SIZE_4,
        first_indent=None,
        line=Pt(24),
    )
    copy_to.paragraph_format.left_indent = SIZE_4
    copy_to.paragraph_format.right_indent = SIZE_4
    _border(copy_to, "top", size_eighths=8)  # outer rule 0.35 mm
    _border(copy_to, "bottom", size_eighths=6)  # inner rule 0.25 mm
    printed = _paragraph(doc, "", size=SIZE_4, line=Pt(24))
    printed.paragraph_format.left_indent = SIZE_4
    printed.paragraph_format.right_indent = SIZE_4
    tabs = printed.paragraph_format.tab_stops
    tabs.add_tab_stop(Mm(156) - SIZE_4 * 2, WD_TAB_ALIGNMENT.RIGHT)
    _run(printed, office_name() + "\t" + chinese_date(issued) + _("印发"), FANGSONG, SIZE_4)
    _border(printed, "bottom", size_eighths=8)


def minutes_docx(meeting: DispatchMeeting, *, issued: dt.date | None = None) -> bytes:
    """MEETING's minutes as .docx bytes: every agenda item with its decision and how it is carried out."""
    from django.utils import timezone

    items = list(
        AgendaItem.objects.filter(meeting=meeting).select_related(
            "problem__project",
            "problem__lead_unit",
            "task__responsible_unit",
            "instruction__reply_unit",
            "instruction__leader",
        )
    )
    doc = Document()
    _setup(doc)
    _header(doc, meeting)
    _body(doc, meeting, items)
    _closing(doc, meeting, issued or timezone.localdate())
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
