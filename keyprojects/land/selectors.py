"""Reads of the land ledger (its access gate is land.access).

Completion: each figure's latest cumulative value ÷ its target (a target of 0 does not count); the
overall rate (综合完成率) is the mean of the figures that have a target. A land task is lagging (滞后)
when its planned completion date has passed before it was complete, or when its overall rate is
LAG_POINTS or more percentage points behind time progress (days elapsed between its planned start and
completion dates ÷ days planned).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.land.access import land_tasks_visible_to
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.lib.numbers import percent

LAG_POINTS = 20
ONE_PLACE = Decimal("0.1")
# (done, target) pairs, in the order of the ledger's columns.
PAIRS = (
    ("land_acquired", "land_to_acquire"),
    ("households_signed", "households_to_relocate"),
    ("area_demolished", "area_to_demolish"),
    ("land_handed_over", "land_to_hand_over"),
)


# --------------------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    task: LandTask
    latest_year: int | None = None
    latest_month: int | None = None
    done: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    overall: Decimal | None = None
    time_progress: Decimal | None = None
    lag_reason: str = ""

    @property
    def lagging(self) -> bool:
        return bool(self.lag_reason)

    @property
    def latest_period(self) -> str:
        if self.latest_year is None:
            return ""
        return _("%(y)s年%(m)s月") % {"y": self.latest_year, "m": self.latest_month}


def _time_progress(task: LandTask, today: dt.date) -> Decimal | None:
    if not task.start_date or not task.target_date or task.target_date <= task.start_date:
        return None
    elapsed = min(max((today - task.start_date).days, 0), (task.target_date - task.start_date).days)
    return percent(elapsed, (task.target_date - task.start_date).days)


def overall_rate(task, done: dict) -> Decimal | None:
    rates = [
        percent(min(Decimal(done.get(d) or 0), Decimal(getattr(task, t))), getattr(task, t)) for d, t in PAIRS
    ]
    rates = [r for r in rates if r is not None]
    if not rates:
        return None
    return (sum(rates) / len(rates)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def ledger_row(task: LandTask, done: dict, today: dt.date) -> LedgerRow:
    row = LedgerRow(task=task, done=done)
    row.rates = {d: percent(done.get(d), getattr(task, t)) for d, t in PAIRS}
    row.overall = overall_rate(task, done)
    row.time_progress = _time_progress(task, today)
    complete = row.overall is None or row.overall >= 100
    if not complete and task.target_date and task.target_date < today:
        row.lag_reason = _("已超过计划完成日期（%(date)s）仍未完成") % {"date": task.target_date.isoformat()}
    elif not complete and row.time_progress is not None and row.overall <= row.time_progress - LAG_POINTS:
        row.lag_reason = _("综合完成率 %(rate)s%% 落后序时进度 %(time)s%%") % {
            "rate": row.overall,
            "time": row.time_progress,
        }
    return row


def land_ledger(
    *, user, district=None, lagging=None, unit=None, today: dt.date | None = None
) -> list[LedgerRow]:
    """The ledger rows USER may see (two queries, whatever the number of tasks): each task with its latest
    month's cumulative figures, rates and lag. DISTRICT / UNIT narrow by id; LAGGING True keeps the
    lagging ones only, False the others."""
    today = today or timezone.localdate()
    # One correlated subquery (answered by the (task, year, month) unique index) finds each task's
    # latest month; a second query reads those rows. Two queries, whatever the number of tasks.
    latest = (
        LandProgress.objects.filter(land_task=OuterRef("pk")).order_by("-year", "-month").values("id")[:1]
    )
    tasks = (
        land_tasks_visible_to(user)
        .select_related("project__district", "project__owner", "responsible_unit")
        .annotate(latest_id=Subquery(latest))
        .order_by("project__district__sort", "project__district__name", "project__name", "id")
    )
    if district:
        tasks = tasks.filter(project__district_id=district)
    if unit:
        tasks = tasks.filter(responsible_unit_id=unit)
    # A subquery, not a list of ids: no bound-parameter limit however many tasks there are.
    latest_rows = LandProgress.objects.filter(id__in=tasks.order_by().values("latest_id"))
    progress = {p["id"]: p for p in latest_rows.values("id", "year", "month", *(d for d, _t in PAIRS))}
    rows = []
    for task in tasks:
        latest_row = progress.get(task.latest_id) or {}
        done = {d: latest_row.get(d) for d, _t in PAIRS}
        row = ledger_row(task, done, today)
        row.latest_year, row.latest_month = latest_row.get("year"), latest_row.get("month")
        if lagging is None or row.lagging == lagging:
            rows.append(row)
    return rows


@dataclass
class DistrictTotal:
    name: str
    tasks: int = 0
    lagging: int = 0
    targets: dict = field(default_factory=lambda: {t: Decimal(0) for _d, t in PAIRS})
    done: dict = field(default_factory=lambda: {d: Decimal(0) for d, _t in PAIRS})

    @property
    def rates(self) -> dict:
        return {d: percent(self.done[d], self.targets[t]) for d, t in PAIRS}


def land_totals(rows: list[LedgerRow]) -> tuple[list[DistrictTotal], DistrictTotal]:
    """Per district and overall sums of the ledger ROWS (the chart beside the table)."""
    by_district: dict = {}
    total = DistrictTotal(name=_("合计"))
    for row in rows:
        district = row.task.project.district
        name = district.name if district else _("未定城区")
        group = by_district.setdefault(name, DistrictTotal(name=name))
        for target in (group, total):
            target.tasks += 1
            target.lagging += row.lagging
            for d, t in PAIRS:
                target.targets[t] += Decimal(getattr(row.task, t))
                target.done[d] += min(Decimal(row.done.get(d) or 0), Decimal(getattr(row.task, t)))
    return list(by_district.values()), total


def land_progress_series(task: LandTask) -> list[dict]:
    """PROJECT's months, oldest first, with each figure's rate (the per-project chart)."""
    series = []
    for p in task.progress.select_related("reported_by").order_by("year", "month"):
        series.append(
            {
                "progress": p,
                "label": f"{p.year}-{p.month:02d}",
                "rates": {d: percent(getattr(p, d), getattr(task, t)) for d, t in PAIRS},
            }
        )
    return series


def land_problem_text(row: LedgerRow) -> tuple[str, str]:
    """The title and description a 征地拆迁 problem raised from the ledger starts with: the figures."""
    task = row.task

    def fig(value):
        value = Decimal(value or 0)
        return str(int(value)) if value == value.to_integral() else f"{value.normalize():f}"

    lines = [
        _("截至%(period)s，该项目征地拆迁进展如下：")
        % {"period": row.latest_period or _("目前（尚无月度进展）")},
        _("土地征收：需征收 %(t)s 亩，已征收 %(d)s 亩（%(r)s）；")
        % {
            "t": fig(task.land_to_acquire),
            "d": fig(row.done.get("land_acquired")),
            "r": _rate(row.rates["land_acquired"]),
        },
        _("房屋搬迁：需搬迁 %(t)s 户，已签约 %(d)s 户（%(r)s）；")
        % {
            "t": task.households_to_relocate,
            "d": fig(row.done.get("households_signed")),
            "r": _rate(row.rates["households_signed"]),
        },
        _("房屋拆除：需拆除 %(t)s ㎡，已拆除 %(d)s ㎡（%(r)s）；")
        % {
            "t": fig(task.area_to_demolish),
            "d": fig(row.done.get("area_demolished")),
            "r": _rate(row.rates["area_demolished"]),
        },
        _("用地交付：需交付 %(t)s 亩，已交付 %(d)s 亩（%(r)s）。")
        % {
            "t": fig(task.land_to_hand_over),
            "d": fig(row.done.get("land_handed_over")),
            "r": _rate(row.rates["land_handed_over"]),
        },
    ]
    if row.overall is not None:
        lines.append(_("综合完成率 %(rate)s%%。") % {"rate": row.overall})
    if task.target_date:
        lines.append(_("计划完成日期：%(date)s。") % {"date": task.target_date.isoformat()})
    if row.lag_reason:
        lines.append(_("滞后情况：%(reason)s。") % {"reason": row.lag_reason})
    title = _("%(project)s征地拆迁工作滞后") % {"project": task.project.name}
    return title[:200], "\n".join(lines)


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def land_row_for_task(task: LandTask, today: dt.date | None = None) -> LedgerRow:
    today = today or timezone.localdate()
    latest = task.progress.order_by("-year", "-month").first()
    done = {d: getattr(latest, d) if latest else None for d, _t in PAIRS}
    row = ledger_row(task, done, today)
    if latest:
        row.latest_year, row.latest_month = latest.year, latest.month
    return row
