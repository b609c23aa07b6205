"""Excel exports of task lists: the same selector as the page, every row, with its countdown."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from keyprojects.lib.xlsx import text_cell, xlsx_response
from keyprojects.tasks.selectors import with_countdowns


def task_list_xlsx(tasks, *, title: str, filename: str):
    today = timezone.localdate()
    rows = with_countdowns(tasks, today=today)
    wb = Workbook()
    ws = wb.active
    ws.title = _("任务清单")
    headers = [
        _("序号"),
        _("项目名称"),
        _("所在城区"),
        _("任务名称"),
        _("工作要求"),
        _("责任单位"),
        _("责任人"),
        _("开始日期"),
        _("完成时限"),
        _("状态"),
        _("完成日期"),
        _("剩余/逾期（工作日）"),
    ]
    ws.append([text_cell(ws, title)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append([text_cell(ws, _("导出日期：%(date)s") % {"date": today.isoformat()})])
    ws.append([text_cell(ws, h) for h in headers])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, task in enumerate(rows, start=1):
        ws.append(
            [
                number,
                text_cell(ws, task.project.name),
                text_cell(ws, task.project.district.label),
                text_cell(ws, task.title),
                text_cell(ws, task.requirement),
                text_cell(ws, task.responsible_unit.label),
                text_cell(
                    ws,
                    task.responsible_person or (str(task.responsible_user) if task.responsible_user else ""),
                ),
                task.start_date,
                task.deadline,
                text_cell(ws, task.get_status_display()),
                task.completed_date,
                text_cell(ws, task.countdown.label),
            ]
        )
    for row in ws.iter_rows(min_row=4):
        for cell in (row[7], row[8], row[10]):
            cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJKL", (6, 36, 10, 28, 36, 20, 10, 12, 12, 10, 12, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    return xlsx_response(wb, filename)
