"""The problem ledger (问题台账) in Excel, in the office's column layout: exactly the filtered rows."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.coordination.selectors import ledger_calendar, levels, problem_clock
from keyprojects.lib.xlsx import table_rows, table_sheet, table_total, xlsx_response


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
    wb, ws = table_sheet(
        sheet=_("问题台账"),
        title=_("重点项目问题协调台账"),
        columns=_columns(),
        note=_("截至 %(date)s") % {"date": today.isoformat()},
    )
    count = table_rows(ws, problem_rows(problems, today=today))
    table_total(ws, ["", _("合计：%(count)s 个") % {"count": count}])
    return xlsx_response(wb, f"problems-{today:%Y%m%d}.xlsx")
