"""Excel export of the land ledger: exactly the rows of the filtered ledger page."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.lib.xlsx import table_box, table_row, table_sheet, xlsx_response


def _columns():
    return [
        (_("序号"), 6),
        (_("项目名称"), 40),
        (_("所在城区"), 12),
        (_("责任单位"), 22),
        (_("需征收土地（亩）"), 12),
        (_("累计已征收（亩）"), 12),
        (_("征收完成率（%）"), 10),
        (_("需搬迁户数（户）"), 10),
        (_("累计已签约（户）"), 10),
        (_("签约率（%）"), 10),
        (_("需拆除面积（㎡）"), 12),
        (_("累计已拆除（㎡）"), 12),
        (_("拆除完成率（%）"), 10),
        (_("需交付用地（亩）"), 12),
        (_("累计已交付（亩）"), 12),
        (_("交付率（%）"), 10),
        (_("综合完成率（%）"), 10),
        (_("计划完成日期"), 12),
        (_("最新进展月份"), 12),
        (_("滞后情况"), 36),
    ]


def _n(value):
    return None if value is None else float(value) if value % 1 else int(value)


def land_ledger_xlsx(rows) -> HttpResponse:
    wb, ws = table_sheet(
        sheet=_("征地拆迁台账"),
        title=_("重点项目征地拆迁工作台账"),
        columns=_columns(),
        note=_("截至 %(date)s") % {"date": timezone.localdate().isoformat()},
    )
    for number, row in enumerate(rows, start=1):
        t = row.task
        values = [
            number,
            t.project.name,
            t.project.district.name if t.project.district else "",
            t.responsible_unit.name,
        ]
        for d, target in (
            ("land_acquired", "land_to_acquire"),
            ("households_signed", "households_to_relocate"),
            ("area_demolished", "area_to_demolish"),
            ("land_handed_over", "land_to_hand_over"),
        ):
            values += [_n(getattr(t, target)), _n(row.done.get(d)), _n(row.rates.get(d))]
        values += [
            _n(row.overall),
            t.target_date.isoformat() if t.target_date else "",
            row.latest_period,
            row.lag_reason,
        ]
        table_row(ws, values)
    table_box(ws)
    ws.append([_("注：完成率为最新月份累计数 ÷ 任务数；综合完成率为各有任务数指标完成率的平均值。")])
    return xlsx_response(wb, "land-ledger.xlsx")
