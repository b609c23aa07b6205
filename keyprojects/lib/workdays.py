"""Working days on the Chinese calendar: statutory holidays off, make-up workdays (调休) on.

A year is official when the `chinesecalendar` package knows it (the State Council's notices it carries)
or when the office has entered and confirmed its notice (CalendarYear). Any other year is provisional:
weekends plus the statutory holidays computed by rule (the `holidays` package), no make-up days. The
calendar never refuses a date; a deadline on a provisional day is shown 暂定 instead, and is recomputed
when the year's schedule is confirmed (the hooks registered with on_calendar_confirmed).
CalendarOverride rows correct single days over all of these, and never make a year official.
"""

import datetime as dt
import functools

import holidays as holiday_rules
from chinese_calendar import constants as cc
from django.db.models import IntegerField, Value

from keyprojects.lib.hooks import Hook
from keyprojects.lib.models import CalendarOverride, CalendarYear, CalendarYearDay

PACKAGE_HOLIDAYS = frozenset(cc.holidays)
PACKAGE_WORKDAYS = frozenset(cc.workdays)
PACKAGE_YEARS = frozenset(d.year for d in PACKAGE_HOLIDAYS) | frozenset(d.year for d in PACKAGE_WORKDAYS)

# The statutory holidays an entered schedule must cover, each by its main day as the rule computes
# it: (Chinese name, the `holidays` package's English name).
STATUTORY = (
    ("元旦", "New Year's Day"),
    ("春节", "Chinese New Year (Spring Festival)"),
    ("清明节", "Tomb-Sweeping Day"),
    ("劳动节", "Labor Day"),
    ("端午节", "Dragon Boat Festival"),
    ("中秋节", "Mid-Autumn Festival"),
    ("国庆节", "National Day"),
)
# The rule's "Day off (substituted from …)" entries come with make-up working days it does not list;
# a provisional year has neither.
_SUBSTITUTED = "Day off"


@functools.cache
def _rule_table(year: int) -> dict[dt.date, str]:
    if not 1 <= year <= 9998:
        return {}
    table = holiday_rules.China(years=year, language="en_US")
    return {day: name for day, name in sorted(table.items()) if not name.startswith(_SUBSTITUTED)}


def rule_holidays(year: int) -> dict[dt.date, str]:
    """YEAR's statutory holidays by rule, {date: English name}: the provisional calendar's days off
    besides weekends (observed days of festivals falling on a weekend included)."""
    return dict(_rule_table(year))


@functools.cache
def _rule_days_off(year: int) -> frozenset[dt.date]:
    return frozenset(_rule_table(year))


def statutory_main_days(year: int) -> dict[str, dt.date]:
    """{Chinese name: main day} of each statutory holiday of YEAR by rule (春节 is 正月初一)."""
    main = {}
    for day, names in _rule_table(year).items():
        for name in names.split("; "):
            for chinese, english in STATUTORY:
                if name == english and chinese not in main:
                    main[chinese] = day
    return {chinese: main[chinese] for chinese, _english in STATUTORY if chinese in main}


def is_package_year(year: int) -> bool:
    return year in PACKAGE_YEARS


class WorkCalendar:
    """The working-day calendar, loaded with one query: CalendarOverride rows and the days of the
    confirmed CalendarYears, over the package and the provisional rule."""

    def __init__(self, overrides: dict[dt.date, bool], confirmed_years=()):
        # Entered days of confirmed years and the override table's single days, the latter winning.
        self.overrides = overrides
        self.confirmed_years = frozenset(confirmed_years)

    @classmethod
    def _load(cls, override_filter: dict, day_filter: dict):
        # One query: the override rows (year 0) and the confirmed schedules' days (their year).
        overrides = (
            CalendarOverride.objects.filter(**override_filter)
            .annotate(source=Value(0, output_field=IntegerField()))
            .order_by()
            .values_list("date", "is_workday", "source")
        )
        days = (
            CalendarYearDay.objects.filter(calendar_year__status=CalendarYear.Status.CONFIRMED, **day_filter)
            .order_by()
            .values_list("date", "is_workday", "calendar_year__year")
        )
        entered, corrected, confirmed = {}, {}, set()
        for day, is_workday, source in overrides.union(days, all=True):
            if source:
                entered[day] = is_workday
                confirmed.add(source)
            else:
                corrected[day] = is_workday
        calendar = cls({**entered, **corrected})
        # Set after construction so that subclasses keep their one-argument constructor.
        calendar.confirmed_years = frozenset(confirmed)
        return calendar

    @classmethod
    def for_years(cls, years):
        years = list(set(years))
        return cls._load({"date__year__in": years}, {"date__year__in": years})

    @classmethod
    def from_year(cls, year: int, *, forward: bool):
        """Every entry from YEAR onward (FORWARD) or up to YEAR: for a walk whose end is not known yet."""
        lookup = "date__year__gte" if forward else "date__year__lte"
        return cls._load({lookup: year}, {lookup: year})

    @classmethod
    def load(cls):
        """The whole calendar: every override and every confirmed schedule (a few dozen rows a year)."""
        return cls._load({}, {})

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            # chinese_calendar.is_workday, without its range check on every call.
            return day in PACKAGE_WORKDAYS or (day.weekday() < 5 and day not in PACKAGE_HOLIDAYS)
        if day.weekday() >= 5:
            return False
        if day.year in self.confirmed_years:
            return True
        return day not in _rule_days_off(day.year)

    def is_official_year(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.confirmed_years

    def is_provisional(self, day: dt.date) -> bool:
        """DAY lies in a year whose schedule is neither in the package nor confirmed by the office."""
        return not self.is_official_year(day.year)

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

    def month_counts(self, year: int) -> list[int]:
        """Working days in each month of YEAR."""
        counts = [0] * 12
        day = dt.date(year, 1, 1)
        while day.year == year:
            counts[day.month - 1] += self.is_workday(day)
            day += dt.timedelta(days=1)
        return counts


def _calendar(*days):
    return WorkCalendar.for_years(range(min(days).year, max(days).year + 1))


def is_workday(day: dt.date) -> bool:
    return _calendar(day).is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date N working days after START (before it when N is negative); START itself never counts."""
    # The walk may run years past START (a long N, or holidays entered for a whole year), so load every
    # entry in its direction: one query, and no year entered is ever missed.
    return WorkCalendar.from_year(start.year, forward=n >= 0).add(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (START, END]: how many remain from START until a deadline END.

    Negative when END is before START, so an overdue deadline gives minus the days overdue.
    """
    return _calendar(start, end).between(start, end)


def official_years() -> frozenset[int]:
    """The years whose schedule is official: the package's and the office's confirmed ones (one query)."""
    confirmed = CalendarYear.objects.filter(status=CalendarYear.Status.CONFIRMED).values_list(
        "year", flat=True
    )
    return PACKAGE_YEARS | frozenset(confirmed)


def is_provisional(day: dt.date, years: frozenset[int] | None = None) -> bool:
    """DAY falls in a provisional year (YEARS: official_years(), when the caller has it already)."""
    return day.year not in (official_years() if years is None else years)


def calendar_state_key() -> tuple:
    """Changes whenever the calendar does (an override or a confirmation): for caches of working days."""
    from django.db.models import Count, Max, Q

    overrides = CalendarOverride.objects.aggregate(
        n=Count("id"), last=Max("id"), workdays=Count("id", filter=Q(is_workday=True))
    )
    years = CalendarYear.objects.filter(status=CalendarYear.Status.CONFIRMED).aggregate(
        n=Count("id"), last=Max("confirmed_at")
    )
    return (*overrides.values(), *years.values())


# Hooks: what higher apps recompute when a year's official schedule is confirmed. lib knows no domain,
# so tasks, coordination and plans register theirs in AppConfig.ready.

calendar_confirmed = Hook("calendar_confirmed")


def on_calendar_confirmed(fn):
    """Register FN(*, year, before, after, by, today) -> [(label, count)], run in the confirming
    transaction: BEFORE and AFTER are the whole WorkCalendar either side of the confirmation. Each
    label is what was recomputed (translated), COUNT how many deadlines changed."""
    return calendar_confirmed.register(fn)


def calendar_confirmed_run(*, year: int, before: WorkCalendar, after: WorkCalendar, by, today) -> list:
    results = calendar_confirmed.send(year=year, before=before, after=after, by=by, today=today)
    return [row for rows in results for row in rows]
