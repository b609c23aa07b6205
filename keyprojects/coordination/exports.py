"""The problem ledger (问题台账) in Excel, in the office's column layout: exactly the filtered rows."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from keyprojects.coordination.selectors import ledger_calendar, problem_clock
from keyprojects.coordination.services import levels
from keyprojects.lib.xlsx import text_cell, xlsx_response


def _columns():
    return [
        (_("序号"), 6),
        (_("项目名称"), 34),
        (_("所在城区"), 10),
        (_("问题类别"), 10),
        (_("问题概述"), 28),
        (_("问题描述"), 50),
        (_("牵头单位"), 18),
        (_("协办单位"), 24),
        (_("当前层级"), 16),
        (_("办理时限"), 12),
        (_("时限情况"), 16),
        (_("状态"), 12),
        (_("办理情况"), 50),
        (_("提出单位"), 20),
        (_("提出时间"), 17),
        (_("销号时间"), 17),
    ]


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def problem_rows(problems, *, today):
    ladder = levels()
    calendar = ledger_calendar(today)
    for number, p in enumerate(problems.iterator(chunk_size=2000), start=1):
        clock = problem_clock(p, today=today, calendar=calendar)
        yield [
            number,
            p.project.name,
            p.project.district.name,
            p.get_category_display(),
            p.title,
            p.description,
            p.lead_unit.name,
            "、".join(u.name for u in p.co_units.all()),
            f"{p.level}. {ladder[p.level].name}" if p.level in ladder else str(p.level),
            # The level's time limit; for a problem still 待交办, the office's assignment limit.
            clock.deadline.isoformat() if clock and clock.deadline else "",
            clock.label if clock else "",
            p.get_status_display(),
            p.latest_note or "",
            p.raised_by_org.name,
            _when(p.created_at),
            _when(p.closed_at),
        ]


def problem_ledger_xlsx(problems, *, today) -> HttpResponse:
    columns = _columns()
    wb = Workbook()
    ws = wb.active
    ws.title = _("问题台账")
    last = get_column_letter(len(columns))
    ws.append([_("重点项目问题协调台账")])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([""] * (len(columns) - 1) + [_("截至 %(date)s") % {"date": today.isoformat()}])
    ws.append([c[0] for c in columns])
    thin = Side(style="thin")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    count = 0
    for row in problem_rows(problems, today=today):
        ws.append([text_cell(ws, v) for v in row])
        count += 1
    ws.append(["", _("合计：%(count)s 个") % {"count": count}])
    ws.cell(row=ws.max_row, column=2).font = Font(bold=True)
    for index, (_label, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C4"
    return xlsx_response(wb, f"problems-{today:%Y%m%d}.xlsx")
