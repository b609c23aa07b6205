"""Excel export of a project list: exactly the rows of the filtered list, in the office's column layout."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.lib.money import yuan_to_wan
from keyprojects.lib.xlsx import table_row, table_sheet, table_total, xlsx_response

PROGRESS_EVERY = 500


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


def project_list_workbook(projects, *, progress=None):
    """The workbook of PROJECTS; PROGRESS(rows done), when given, is told every PROGRESS_EVERY rows."""
    wb, ws = table_sheet(
        sheet=_("项目清单"), title=_("重点项目清单"), columns=_columns(), note=_("单位：万元")
    )
    total = count = 0
    for row in project_rows(projects):
        table_row(ws, row)
        total += row[7]
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    table_total(ws, ["", _("合计：%(count)s 个") % {"count": count}, "", "", "", "", "", total])
    return wb


def project_list_filename() -> str:
    return f"projects-{timezone.localdate():%Y%m%d}.xlsx"


def project_list_xlsx(projects) -> HttpResponse:
    return xlsx_response(project_list_workbook(projects), project_list_filename())
