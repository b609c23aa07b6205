"""Excel list of the projects whose monthly report is missing or late, for the office to chase."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from keyprojects.lib.xlsx import text_cell, xlsx_response
from keyprojects.plans import report_selectors as selectors


def _columns():
    return [
        (_("序号"), 6),
        (_("城区"), 12),
        (_("项目名称"), 40),
        (_("项目代码"), 26),
        (_("建设单位"), 30),
        (_("联系人"), 12),
        (_("联系电话"), 16),
        (_("报送情况"), 14),
        (_("报送时间"), 18),
    ]


def missing_late_xlsx(entries, *, annual_list, month) -> HttpResponse:
    """ENTRIES (report_missing_late) as a sheet: title, 单位 row, header, one row each, 合计 row."""
    columns = _columns()
    wb = Workbook()
    ws = wb.active
    ws.title = _("未报逾期清单")
    last = get_column_letter(len(columns))
    ws.append(
        [
            _("%(year)s年%(month)s月重点项目月度报送未报及逾期清单")
            % {"year": annual_list.year, "month": month}
        ]
    )
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([_("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}])
    ws.append([c[0] for c in columns])
    thin = Side(style="thin")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    count = 0
    for number, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        project = entry.project
        submitted = entry.report_submitted_at
        row = [
            number,
            project.district.name,
            project.name,
            project.code or "",
            project.owner.name,
            project.contact or project.owner.contact,
            project.phone or project.owner.phone,
            selectors.state_label(selectors.missing_state(entry)),
            timezone.localtime(submitted).strftime("%Y-%m-%d %H:%M")
            if submitted and entry.report_status in selectors.COUNTED
            else "",
        ]
        ws.append([text_cell(ws, v) for v in row])
        count = number
    ws.append(["", "", text_cell(ws, _("合计：%(count)s 个") % {"count": count})])
    ws.cell(row=ws.max_row, column=3).font = Font(bold=True)
    for index, (_label, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "D4"
    return xlsx_response(wb, f"report-missing-{annual_list.year}-{month:02d}.xlsx")
