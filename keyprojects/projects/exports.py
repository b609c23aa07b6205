"""Excel export of a project list: exactly the rows of the filtered list, in the office's column layout."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from keyprojects.lib.money import yuan_to_wan
from keyprojects.lib.xlsx import text_cell, xlsx_response


def _columns():
    return [
        (_("序号"), 6),
        (_("项目名称"), 40),
        (_("项目代码"), 28),
        (_("项目业主"), 30),
        (_("所在城区"), 12),
        (_("行业领域"), 10),
        (_("阶段"), 9),
        (_("总投资（万元）"), 16),
        (_("建设起止年限"), 13),
        (_("联系市领导"), 10),
        (_("建设地点"), 24),
        (_("建设内容及规模"), 50),
    ]


def project_rows(projects):
    for number, p in enumerate(projects.iterator(chunk_size=2000), start=1):
        yield [
            number,
            p.name,
            p.code or "",
            p.owner.name,
            p.district.name,
            p.sector.name,
            p.get_stage_display(),
            yuan_to_wan(p.total_investment),
            p.years_label,
            str(p.leader) if p.leader else "",
            p.location,
            p.content,
        ]


def project_list_xlsx(projects) -> HttpResponse:
    columns = _columns()
    wb = Workbook()
    ws = wb.active
    ws.title = _("项目清单")
    last = get_column_letter(len(columns))
    ws.append([_("重点项目清单")])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([""] * (len(columns) - 1) + [_("单位：万元")])
    ws.append([c[0] for c in columns])
    thin = Side(style="thin")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    total, count = 0, 0
    for row in project_rows(projects):
        ws.append([text_cell(ws, v) for v in row])
        total += row[7]
        count += 1
    ws.append(["", _("合计：%(count)s 个") % {"count": count}, "", "", "", "", "", total])
    ws.cell(row=ws.max_row, column=2).font = Font(bold=True)
    for index, (_label, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C4"
    return xlsx_response(wb, f"projects-{timezone.localdate():%Y%m%d}.xlsx")
