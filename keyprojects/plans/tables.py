"""Official tables: the monthly progress table (投资完成情况表) in the layout offices exchange, as .xlsx.

Sheet 1 lists every entry the user may see, grouped by category then sector with counts and subtotals,
a 合计 row under the header and a notes row at the end; sheet 2 sums up by district with the same
selector as the completion page. Money is numeric 万元 (exact Decimal, to the yuan), percentages numeric
with a % format. The workbook is written in openpyxl's streaming mode, so a 20,000-row table takes
seconds and little memory. User text is always a text cell: a project named "=HYPERLINK(…)" stays text.
"""

import tempfile
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import FileResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from keyprojects.lib.money import YUAN_PER_WAN
from keyprojects.lib.numbers import cn_numeral
from keyprojects.lib.xlsx import XLSX, clean_text
from keyprojects.orgs.models import Organisation
from keyprojects.plans.access import entries_visible_to
from keyprojects.plans.completion_selectors import completion_breakdown, ytd_expression
from keyprojects.plans.models import Batch, Category, MonthlyReport

WAN_FORMAT = "#,##0.00"  # shown to two places; the value itself is exact to the yuan (four)
PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = "+0.0;-0.0;0.0"
CATEGORY_ORDER = list(Category)
FONT = "宋体"  # the readers' machines have it; LibreOffice substitutes a CJK font where they do not


def city_name() -> str:
    """The city in the tables' titles: settings.KP_CITY_NAME, else the office's name without its
    suffix (南宁市重点项目建设办公室 → 南宁市)."""
    configured = settings.KP_CITY_NAME
    if configured:
        return configured
    office = Organisation.objects.filter(kind=Organisation.Kind.OFFICE).order_by("sort", "id").first()
    if office is None:
        return ""
    name = office.name
    for suffix in ("重点项目建设办公室", "重大项目建设办公室", "重点办"):
        name = name.removesuffix(suffix)
    return name


def wan(yuan):
    if yuan is None:
        return None
    return (Decimal(int(yuan)) / YUAN_PER_WAN).quantize(Decimal("0.0001"))


def ratio(numerator, denominator):
    """A fraction for a % cell (0.9723 shows as 97.2%), or None without a base."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"))


# --------------------------------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------------------------------


def progress_table_entries(*, user, year: int, month: int):
    """The table's rows: USER's entries of YEAR in published batches, with year-to-date completion
    through MONTH and the latest counted report's progress and problems, in the table's order."""
    latest = MonthlyReport.objects.filter(
        entry=OuterRef("pk"), month__lte=month, status__in=MonthlyReport.COUNTED
    ).order_by("-month")
    category_order = Case(
        *(When(category=c.value, then=Value(i)) for i, c in enumerate(CATEGORY_ORDER)),
        output_field=IntegerField(),
    )
    return (
        entries_visible_to(user)
        .filter(annual_list__year=year, batch__status=Batch.Status.PUBLISHED)
        .annotate(
            ytd=ytd_expression(month),
            latest_progress=Subquery(latest.values("progress")[:1]),
            latest_problems=Subquery(latest.values("problems")[:1]),
            category_order=category_order,
        )
        .order_by(
            "category_order", "project__sector__sort", "project__sector__name", "-planned_investment", "id"
        )
        .values_list(
            "category",
            "project__sector__name",
            "project__name",
            "project__owner__name",
            "project__start_year",
            "project__end_year",
            "project__total_investment",
            "planned_investment",
            "goal",
            "ytd",
            "completed_before_year",
            "latest_progress",
            "latest_problems",
        )
    )


class _Sums:
    __slots__ = ("count", "total", "plan", "ytd", "ytd_planned", "cumulative")

    def __init__(self):
        self.count = self.total = self.plan = self.ytd = self.ytd_planned = self.cumulative = 0

    def add(self, row):
        self.count += 1
        self.total += row.total
        self.plan += row.plan or 0
        self.ytd += row.ytd
        if row.plan is not None:
            self.ytd_planned += row.ytd
        self.cumulative += row.cumulative


class _Row:
    __slots__ = (
        "category",
        "sector",
        "name",
        "owner",
        "years",
        "total",
        "plan",
        "goal",
        "ytd",
        "cumulative",
        "progress",
        "problems",
    )

    def __init__(self, values):
        (category, sector, name, owner, start, end, total, plan, goal, ytd, before, progress, problems) = (
            values
        )
        self.category, self.sector, self.name, self.owner = category, sector, name, owner
        self.years = str(start) if start == end else f"{start}-{end}"
        self.total = total or 0
        # 预备 has no plan, whatever was typed: as on the completion page.
        self.plan = None if category == Category.PREPARATORY else plan
        self.goal = goal
        self.ytd = ytd or 0
        self.cumulative = (before or 0) + self.ytd
        self.progress, self.problems = progress or "", problems or ""


# --------------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------------


def _columns(month):
    period = _("1月") if month == 1 else _("1-%(month)s月") % {"month": month}
    return [
        (_("序号"), 6),
        (_("项目名称"), 36),
        (_("建设单位"), 26),
        (_("建设起止年限"), 11),
        (_("总投资"), 14),
        (_("年计划投资"), 14),
        (_("年计划形象进度"), 34),
        (_("%(period)s完成投资") % {"period": period}, 14),
        (_("占年计划%"), 9),
        (_("开工至今累计完成投资"), 14),
        (_("形象进度"), 34),
        (_("存在问题"), 30),
    ]


def _styles(wb):
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name=FONT, size=10)
    bold = Font(name=FONT, size=10, bold=True)
    wrap_left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    shaded = PatternFill("solid", fgColor="F2F2F2")
    specs = {
        "kp_title": dict(
            font=Font(name="黑体", size=18), alignment=Alignment(horizontal="center", vertical="center")
        ),
        "kp_meta": dict(
            font=Font(name=FONT, size=11), alignment=Alignment(horizontal="left", vertical="center")
        ),
        "kp_unit": dict(
            font=Font(name=FONT, size=11), alignment=Alignment(horizontal="right", vertical="center")
        ),
        "kp_header": dict(font=Font(name="黑体", size=10), alignment=centre, border=border, fill=shaded),
        "kp_text": dict(font=font, alignment=wrap_left, border=border),
        "kp_centre": dict(font=font, alignment=centre, border=border),
        "kp_money": dict(font=font, alignment=right, border=border, number_format=WAN_FORMAT),
        "kp_percent": dict(font=font, alignment=right, border=border, number_format=PERCENT_FORMAT),
        "kp_points": dict(font=font, alignment=right, border=border, number_format=POINTS_FORMAT),
        "kp_count": dict(font=font, alignment=right, border=border, number_format="0"),
        "kp_sum_text": dict(font=bold, alignment=wrap_left, border=border, fill=shaded),
        "kp_sum_money": dict(
            font=bold, alignment=right, border=border, fill=shaded, number_format=WAN_FORMAT
        ),
        "kp_sum_percent": dict(
            font=bold, alignment=right, border=border, fill=shaded, number_format=PERCENT_FORMAT
        ),
        "kp_sum_points": dict(
            font=bold, alignment=right, border=border, fill=shaded, number_format=POINTS_FORMAT
        ),
        "kp_sum_count": dict(font=bold, alignment=right, border=border, fill=shaded, number_format="0"),
        "kp_section": dict(font=bold, alignment=wrap_left, border=border),
        "kp_section_money": dict(font=bold, alignment=right, border=border, number_format=WAN_FORMAT),
        "kp_section_percent": dict(font=bold, alignment=right, border=border, number_format=PERCENT_FORMAT),
        "kp_note": dict(font=Font(name=FONT, size=10), alignment=Alignment(wrap_text=True, vertical="top")),
    }
    for name, spec in specs.items():
        wb.add_named_style(NamedStyle(name=name, **spec))
    wb.kp_style_arrays = {}


LINE_HEIGHT = 13.5  # points per line of 10-point text
WRAPPED = (1, 2, 6, 10, 11)  # 0-based columns of sheet 1 whose text wraps


def _lines(text: str, width: float) -> int:
    """Lines TEXT takes in a column WIDTH characters wide. Spreadsheets do not grow a row to fit
    wrapped text written by a program (LibreOffice does not, Excel only on edit), so rows get their
    height from this estimate. A CJK character is about two widths of "0"; UTF-8 gives it 3 bytes."""
    usable = max(1.0, width - 1.5)
    lines = 0
    for part in text.split("\n"):
        wide = (len(part.encode()) - len(part)) // 2
        units = wide * 2 + (len(part) - wide) * 1.1
        lines += max(1, -(-int(units) // int(usable)))
    return lines


def _cell(ws, value, style):
    """A cell with a named style. Text is always text: openpyxl takes a string beginning with "=" for
    a formula, and "+", "-" or "@" may be read as one when the file is edited; control characters the
    format forbids (openpyxl would refuse the file) are dropped, Word's \\v becomes a line break."""
    if isinstance(value, str):
        value = clean_text(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    # The style's array, looked up once per workbook: assigning a named style by name searches the
    # workbook's list every time, which on a 20,000-row table cost seconds.
    styles = ws.parent.kp_style_arrays
    array = styles.get(style)
    if array is None:
        probe = WriteOnlyCell(ws)
        probe.style = style
        array = styles[style] = probe._style
    cell._style = array
    return cell


def _setup_sheet(ws, widths, *, title_rows):
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _title_rows(ws, *, title, reporter, period_note, width):
    last = get_column_letter(width)
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[2].height = 22
    ws.append([_cell(ws, title, "kp_title")])
    ws.merged_cells.add(f"A1:{last}1")
    row = [_cell(ws, _("报送单位：%(unit)s") % {"unit": reporter}, "kp_meta")]
    middle = width // 2
    row += [None] * (middle - 2) + [_cell(ws, period_note, "kp_meta")]
    row += [None] * (width - middle - 1) + [_cell(ws, _("单位：万元"), "kp_unit")]
    ws.append(row)
    ws.merged_cells.add(f"A2:{get_column_letter(middle - 1)}2")


def _texts(row):
    return (row.name, row.owner, row.goal, row.progress, row.problems)


def _sum_cells(ws, label, sums, *, style, number=""):
    text, money, percent = (
        ("kp_sum_text", "kp_sum_money", "kp_sum_percent")
        if style == "sum"
        else ("kp_section", "kp_section_money", "kp_section_percent")
    )
    plan = sums.plan if sums.plan else None
    return [
        _cell(ws, number, text),
        _cell(ws, label, text),
        _cell(ws, "", text),
        _cell(ws, "", text),
        _cell(ws, wan(sums.total), money),
        _cell(ws, wan(plan), money),
        _cell(ws, "", text),
        _cell(ws, wan(sums.ytd), money),
        _cell(ws, ratio(sums.ytd_planned, plan), percent),
        _cell(ws, wan(sums.cumulative), money),
        _cell(ws, "", text),
        _cell(ws, "", text),
    ]


def _progress_sheet(ws, *, rows, year, month, city, reporter):
    columns = _columns(month)
    width = len(columns)
    widths = [w for _label, w in columns]
    period = _("1月") if month == 1 else _("1-%(month)s月") % {"month": month}
    _setup_sheet(ws, widths, title_rows="3:3")
    ws.freeze_panes = "C5"  # title, unit line, header and 合计 stay; so do 序号 and 项目名称
    _title_rows(
        ws,
        title=_("%(year)s年%(city)s重点项目%(period)s投资完成情况表")
        % {"year": year, "city": city, "period": period},
        reporter=reporter,
        period_note=_("统计截至：%(year)s年%(month)s月") % {"year": year, "month": month},
        width=width,
    )
    ws.row_dimensions[3].height = 42
    ws.append([_cell(ws, label, "kp_header") for label, _w in columns])

    # Sums first: the 合计 row comes right under the header, the section rows before their rows.
    total = _Sums()
    by_category = defaultdict(_Sums)
    by_sector = defaultdict(_Sums)
    for row in rows:
        total.add(row)
        by_category[row.category].add(row)
        by_sector[(row.category, row.sector)].add(row)
    ws.append(_sum_cells(ws, _("合计（%(n)s项）") % {"n": total.count}, total, style="sum"))
    written = 4  # rows so far: streaming rows take their height from row_dimensions as they are written

    number, category_n, sector_n = 0, 0, 0
    current_category = current_sector = object()
    for row in rows:
        if row.category != current_category:
            current_category, current_sector = row.category, object()
            category_n, sector_n = category_n + 1, 0
            label = _("%(n)s、%(category)s项目（%(count)s项）") % {
                "n": cn_numeral(category_n),
                "category": Category(row.category).label,
                "count": by_category[row.category].count,
            }
            written += 1
            ws.append(_sum_cells(ws, label, by_category[row.category], style="section"))
        if row.sector != current_sector:
            current_sector = row.sector
            sector_n += 1
            label = _("（%(n)s）%(sector)s项目（%(count)s项）") % {
                "n": cn_numeral(sector_n),
                "sector": row.sector,
                "count": by_sector[(row.category, row.sector)].count,
            }
            written += 1
            ws.append(_sum_cells(ws, label, by_sector[(row.category, row.sector)], style="section"))
        number += 1
        written += 1
        lines = max(_lines(text, widths[i]) for i, text in zip(WRAPPED, _texts(row), strict=True))
        if lines > 1:
            ws.row_dimensions[written].height = lines * LINE_HEIGHT + 3
        ws.append(
            [
                _cell(ws, number, "kp_centre"),
                _cell(ws, row.name, "kp_text"),
                _cell(ws, row.owner, "kp_text"),
                _cell(ws, row.years, "kp_centre"),
                _cell(ws, wan(row.total), "kp_money"),
                _cell(ws, wan(row.plan), "kp_money"),
                _cell(ws, row.goal, "kp_text"),
                _cell(ws, wan(row.ytd), "kp_money"),
                _cell(ws, ratio(row.ytd, row.plan), "kp_percent"),
                _cell(ws, wan(row.cumulative), "kp_money"),
                _cell(ws, row.progress, "kp_text"),
                _cell(ws, row.problems, "kp_text"),
            ]
        )
    notes = _(
        "注：1. 本表数据来源于项目业主月度报送，%(period)s完成投资计入已报送和已审核的报送；"
        "2. 占年计划%% = %(period)s完成投资 ÷ 年计划投资，预备项目无年度计划投资，不计算占年计划比例；"
        "3. 开工至今累计完成投资 = 截至上年底累计完成投资 + 本年%(period)s完成投资；"
        "4. 形象进度、存在问题取截至%(month)s月最近一次报送内容。"
    ) % {"period": period, "month": month}
    note_row = written + 1
    ws.row_dimensions[note_row].height = 48
    ws.merged_cells.add(f"A{note_row}:{get_column_letter(width)}{note_row}")
    ws.append([_cell(ws, notes, "kp_note")])


def _district_sheet(ws, *, user, year, month, city, reporter):
    period = _("1月") if month == 1 else _("1-%(month)s月") % {"month": month}
    columns = [
        (_("序号"), 6),
        (_("城区（县、开发区）"), 22),
        (_("项目数"), 8),
        (_("年计划投资"), 16),
        (_("%(period)s完成投资") % {"period": period}, 16),
        (_("占年计划%"), 10),
        (_("序时进度%"), 10),
        (_("快慢（百分点）"), 12),
        (_("同比增长%"), 10),
        (_("计划开工（项）"), 12),
        (_("已开工（项）"), 12),
        (_("开工率%"), 10),
    ]
    width = len(columns)
    _setup_sheet(ws, [w for _label, w in columns], title_rows="3:3")
    ws.freeze_panes = "C5"
    _title_rows(
        ws,
        title=_("%(year)s年%(city)s重点项目%(period)s投资完成情况（按城区）")
        % {"year": year, "city": city, "period": period},
        reporter=reporter,
        period_note=_("统计截至：%(year)s年%(month)s月") % {"year": year, "month": month},
        width=width,
    )
    ws.row_dimensions[3].height = 36
    ws.append([_cell(ws, label, "kp_header") for label, _w in columns])
    rows, total = completion_breakdown(user=user, year=year, month=month, by="district")

    def line(number, row, summed):
        s = "kp_sum_" if summed else "kp_"

        def pct(value):  # the page's one-decimal percentage as a fraction for the % format
            return None if value is None else value / 100

        return [
            _cell(ws, number, f"{s}text" if summed else "kp_centre"),
            _cell(ws, row.label, f"{s}text"),
            _cell(ws, row.entries, f"{s}count"),
            _cell(ws, wan(row.plan), f"{s}money"),
            _cell(ws, wan(row.ytd), f"{s}money"),
            _cell(ws, ratio(row.ytd, row.plan), f"{s}percent"),
            _cell(
                ws, ratio(row.plan_through, row.plan) if row.plan else pct(row.time_progress), f"{s}percent"
            ),
            _cell(ws, row.points, f"{s}points"),
            _cell(ws, pct(row.growth), f"{s}percent"),
            _cell(ws, row.planned_starts, f"{s}count"),
            _cell(ws, row.started, f"{s}count"),
            _cell(ws, ratio(row.started, row.planned_starts), f"{s}percent"),
        ]

    ws.append(line("", total, True))
    for number, row in enumerate(rows, start=1):
        ws.append(line(number, row, False))
    note_row = 4 + len(rows) + 1
    ws.row_dimensions[note_row].height = 48
    ws.merged_cells.add(f"A{note_row}:{get_column_letter(width)}{note_row}")
    ws.append(
        [
            _cell(
                ws,
                _(
                    "注：序时进度 = 截至%(month)s月的分月计划 ÷ 年计划投资（未设分月计划的项目按月份 ÷ 12）；"
                    "快慢 = 占年计划%% − 序时进度%%；"
                    "同比 = 与上年度清单项目同期（%(period)s）累计完成投资相比；"
                    "开工率 = 已开工的新开工项目数 ÷ 计划%(period)s开工的新开工项目数。"
                )
                % {"month": month, "period": period},
                "kp_note",
            )
        ]
    )


def progress_table_workbook(*, user, year: int, month: int, file):
    """Write the progress table of YEAR through MONTH, as USER may see it, to FILE (a path or a binary
    file object)."""
    rows = [
        _Row(values) for values in progress_table_entries(user=user, year=year, month=month).iterator(2000)
    ]
    city = city_name()
    reporter = user.organisation.name if user.organisation_id else ""
    wb = Workbook(write_only=True)
    _styles(wb)
    sheet = wb.create_sheet(_("投资完成情况表"))
    _progress_sheet(sheet, rows=rows, year=year, month=month, city=city, reporter=reporter)
    summary = wb.create_sheet(_("按城区汇总"))
    _district_sheet(summary, user=user, year=year, month=month, city=city, reporter=reporter)
    wb.save(file)
    return len(rows)


def progress_table_response(*, user, year: int, month: int) -> FileResponse:
    """The progress table as a download. Written to a temporary file first, then streamed."""
    handle = tempfile.TemporaryFile()
    progress_table_workbook(user=user, year=year, month=month, file=handle)
    handle.seek(0)
    period = "1" if month == 1 else f"1-{month}"
    filename = f"{year}年重点项目{period}月投资完成情况表.xlsx"
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
