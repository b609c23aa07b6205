"""Working days on the Chinese calendar: statutory holidays off, make-up workdays (调休) on.

The `chinesecalendar` package knows the years the State Council has published; the office's
CalendarOverride table adds later years and corrects single days. A year known to neither is
an error, never a guess: a wrong deadline is worse than none.
"""

import datetime as dt

import chinese_calendar
from chinese_calendar import constants as cc
from django.utils.translation import gettext as _

PACKAGE_YEARS = frozenset(d.year for d in cc.holidays) | frozenset(d.year for d in cc.workdays)


class CalendarYearUnknown(ValueError):
    def __init__(self, year):
        self.year = year
        super().__init__(
            _(
                "{year} 年的节假日安排尚未录入，无法计算工作日。请在“节假日调整”中录入该年的放假和调休安排。"
            ).format(year=year)
        )


class WorkCalendar:
    """The working-day calendar for a set of years, loaded with one query."""

    def __init__(self, overrides: dict[dt.date, bool]):
        self.overrides = overrides
        self.override_years = {d.year for d in overrides}

    @classmethod
    def for_years(cls, years):
        from keyprojects.lib.models import CalendarOverride

        years = set(years)
        rows = CalendarOverride.objects.filter(date__year__in=years).values_list("date", "is_workday")
        return cls(dict(rows))

    @classmethod
    def from_year(cls, year: int, *, forward: bool):
        """Every override from YEAR onward (FORWARD) or up to YEAR: for a walk whose end is not known yet."""
        from keyprojects.lib.models import CalendarOverride

        lookup = "date__year__gte" if forward else "date__year__lte"
        rows = CalendarOverride.objects.filter(**{lookup: year}).values_list("date", "is_workday")
        return cls(dict(rows))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year in self.override_years:
            return day.weekday() < 5
        raise CalendarYearUnknown(day.year)

    def add(self, start: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        day, left = start, abs(n)
        while left:
            day += dt.timedelta(days=step)
            if self.is_workday(day):
                left -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def _calendar(*days):
    return WorkCalendar.for_years(range(min(days).year, max(days).year + 1))


def is_workday(day: dt.date) -> bool:
    return _calendar(day).is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date N working days after START (before it when N is negative); START itself never counts."""
    # The walk may run years past START (a long N, or holidays entered for a whole year), so load every
    # override in its direction: one query, and no year whose rows exist is ever taken as unknown.
    return WorkCalendar.from_year(start.year, forward=n >= 0).add(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (START, END]: how many remain from START until a deadline END.

    Negative when END is before START, so an overdue deadline gives minus the days overdue.
    """
    return _calendar(start, end).between(start, end)
