"""Excel list of the projects whose monthly report is missing or late, for the office to chase."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.lib.xlsx import table_row, table_sheet, table_total, xlsx_response
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
    period = {"year": annual_list.year, "month": month}
    wb, ws = table_sheet(
        sheet=_("未报逾期清单"),
        title=_("%(year)s年%(month)s月重点项目月度报送未报及逾期清单") % period,
        columns=_columns(),
        note=_("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        note_left=True,
        freeze="D4",
    )
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
        table_row(ws, row)
        count = number
    table_total(ws, ["", "", _("合计：%(count)s 个") % {"count": count}])
    return xlsx_response(wb, f"report-missing-{annual_list.year}-{month:02d}.xlsx")
