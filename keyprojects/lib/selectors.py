"""Reads of the working-day calendar: each year's state (官方 / 暂定 / 草稿), a schedule's working days
by month for the preview, and whether the office must be reminded to enter next year's schedule."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from keyprojects.lib.models import CalendarOverride, CalendarYear
from keyprojects.lib.workdays import WorkCalendar, is_package_year

# From this day of a year the office is reminded that next year's schedule is not entered yet.
REMINDER_FROM = (11, 1)


@dataclass
class YearState:
    year: int
    state: str  # package, confirmed, draft, provisional
    calendar_year: CalendarYear | None = None

    @property
    def is_official(self) -> bool:
        return self.state in ("package", "confirmed")

    @property
    def label(self) -> str:
        return {
            "package": _("官方"),
            "confirmed": _("官方"),
            "draft": _("草稿"),
            "provisional": _("暂定"),
        }[self.state]

    @property
    def source(self) -> str:
        return {
            "package": _("日历组件内置的国务院通知"),
            "confirmed": _("重点办录入并确认"),
            "draft": _("已录入草稿，尚未确认；期限仍按暂定日历计算"),
            "provisional": _("未录入：周末及按规则推算的法定节假日，无调休"),
        }[self.state]

    @property
    def badge(self) -> str:
        return {
            "package": "text-bg-success",
            "confirmed": "text-bg-success",
            "draft": "text-bg-secondary",
            "provisional": "text-bg-warning",
        }[self.state]


def calendar_year_state(year: int, calendar_year: CalendarYear | None = None) -> YearState:
    if is_package_year(year):
        return YearState(year, "package", calendar_year)
    if calendar_year is None:
        return YearState(year, "provisional")
    return YearState(year, "confirmed" if calendar_year.is_confirmed else "draft", calendar_year)


def calendar_year_list(*, today: dt.date) -> list[YearState]:
    """Last year to three years ahead, and every year the office has entered, newest first."""
    entered = {cy.year: cy for cy in CalendarYear.objects.select_related("confirmed_by")}
    years = set(range(today.year - 1, today.year + 4)) | set(entered)
    return [calendar_year_state(y, entered.get(y)) for y in sorted(years, reverse=True)]


@dataclass
class MonthPreview:
    month: int
    workdays: int  # on the schedule shown (the package's, the entered one, or the rule's)
    provisional: int  # on the provisional rule alone
    holidays: int  # weekdays off
    makeup: int  # weekend days worked

    @property
    def difference(self) -> int:
        return self.workdays - self.provisional


def calendar_year_preview(*, year: int, holidays: dict | None = None, workdays: dict | None = None) -> dict:
    """YEAR's working days by month: on the schedule HOLIDAYS / WORKDAYS ({date: name}) as if it were
    confirmed (the package's for a package year, the provisional rule's when none is given), beside the
    provisional rule's. For the page's table and chart (the same rows)."""
    base = WorkCalendar.for_years([year])
    if is_package_year(year) or holidays is None:
        shown = base
    else:
        entered = {**{d: False for d in holidays}, **{d: True for d in workdays or {}}}
        # The office's single-day corrections still apply over the entered schedule.
        shown = WorkCalendar({**entered, **_overrides_of(year)}, confirmed_years={year})
    rule = WorkCalendar(_overrides_of(year))
    counts, rule_counts = shown.month_counts(year), rule.month_counts(year)
    months = []
    for m in range(12):
        first = dt.date(year, m + 1, 1)
        days = [
            first + dt.timedelta(days=i) for i in range(31) if (first + dt.timedelta(days=i)).month == m + 1
        ]
        months.append(
            MonthPreview(
                month=m + 1,
                workdays=counts[m],
                provisional=rule_counts[m],
                holidays=sum(1 for d in days if d.weekday() < 5 and not shown.is_workday(d)),
                makeup=sum(1 for d in days if d.weekday() >= 5 and shown.is_workday(d)),
            )
        )
    return {
        "months": months,
        "total": sum(counts),
        "provisional_total": sum(rule_counts),
        "chart": {
            "months": [_("%(m)s月") % {"m": m.month} for m in months],
            "series": [
                {"name": str(_("工作日")), "data": [m.workdays for m in months]},
                {"name": str(_("暂定日历工作日")), "data": [m.provisional for m in months]},
            ],
        },
    }


def _overrides_of(year: int) -> dict:
    return dict(CalendarOverride.objects.filter(date__year=year).values_list("date", "is_workday"))


def calendar_banner(*, user, today: dt.date, official: frozenset[int]) -> dict | None:
    """For office admins: the year whose schedule must be entered now — this year if it is still
    provisional, next year from 1 November until it is confirmed (or the package covers it)."""
    if getattr(user, "role", None) != "office_admin":
        return None
    if today.year not in official:
        return {"year": today.year, "current": True}
    if (today.month, today.day) >= REMINDER_FROM and today.year + 1 not in official:
        return {"year": today.year + 1, "current": False}
    return None
