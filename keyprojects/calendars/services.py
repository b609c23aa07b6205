"""Writes of the working-day calendar: the office enters a year's official holiday schedule (the State
Council's notice) as a draft, then confirms it; confirming recomputes the open deadlines that were
computed on the provisional calendar, through the hooks the higher apps registered."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record
from keyprojects.lib.models import CalendarYear, CalendarYearDay
from keyprojects.lib.notice import days_to_lines
from keyprojects.lib.workdays import (
    WorkCalendar,
    calendar_confirmed_run,
    is_package_year,
    statutory_main_days,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100
WEEKDAY_NAMES = "一二三四五六日"


def _weekday(day: dt.date) -> str:
    return "周" + WEEKDAY_NAMES[day.weekday()]


def calendar_year_problems(*, year: int, holidays: dict, workdays: dict) -> list[str]:
    """Why the schedule HOLIDAYS / WORKDAYS ({date: name}) cannot be YEAR's official one; [] when it can.

    Holidays lie inside the year; make-up days (调休上班) are Saturdays or Sundays of the year (or of
    the December before, where a 元旦 make-up day falls); no day is both; and each statutory holiday
    has at least its main day, as the rule computes it, among the holidays."""
    problems = []
    if is_package_year(year):
        problems.append(_("%(year)s 年的节假日安排已由日历包提供，无需录入。") % {"year": year})
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(_("年度应在 %(a)s 至 %(b)s 之间。") % {"a": FIRST_YEAR, "b": LAST_YEAR})
        return problems
    outside = sorted(d for d in holidays if d.year != year)
    if outside:
        problems.append(
            _("放假日期不在 %(year)s 年内：%(days)s。")
            % {"year": year, "days": "、".join(d.isoformat() for d in outside)}
        )
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        problems.append(
            _("调休上班日应为周六或周日，以下日期不是：%(days)s。")
            % {"days": "、".join(f"{d.isoformat()}（{_weekday(d)}）" for d in weekdays)}
        )
    far = sorted(d for d in workdays if d.year != year and not (d.year == year - 1 and d.month == 12))
    if far:
        problems.append(
            _("调休上班日不在 %(year)s 年内：%(days)s。")
            % {"year": year, "days": "、".join(d.isoformat() for d in far)}
        )
    both = sorted(set(holidays) & set(workdays))
    if both:
        problems.append(
            _("以下日期既是放假日又是调休上班日：%(days)s。")
            % {"days": "、".join(d.isoformat() for d in both)}
        )
    missing = [
        f"{name}（{day.month}月{day.day}日）"
        for name, day in statutory_main_days(year).items()
        if day not in holidays
    ]
    if missing:
        problems.append(
            _("缺少法定节假日：%(names)s。每个法定节日至少应包含其正日。") % {"names": "、".join(missing)}
        )
    return problems


def _write_days(calendar_year: CalendarYear, holidays: dict, workdays: dict) -> None:
    calendar_year.days.all().delete()
    CalendarYearDay.objects.bulk_create(
        [
            CalendarYearDay(calendar_year=calendar_year, date=d, is_workday=False, name=n)
            for d, n in holidays.items()
        ]
        + [
            CalendarYearDay(calendar_year=calendar_year, date=d, is_workday=True, name=n)
            for d, n in workdays.items()
        ]
    )


def _summary(calendar_year: CalendarYear) -> dict:
    """What the history shows of a year's schedule: its state and its days as the office enters them."""
    days = list(calendar_year.days.all()) if calendar_year.pk else []
    return {
        str(_("状态")): str(calendar_year.get_status_display()),
        str(_("放假")): days_to_lines({d.date: d.name for d in days if not d.is_workday}),
        str(_("调休上班")): days_to_lines({d.date: d.name for d in days if d.is_workday}),
    }


def _check_office(by) -> None:
    if not getattr(by, "is_office", False):
        raise PermissionDenied(_("只有重点办工作人员可以录入节假日安排。"))


def _locked_year(year: int) -> CalendarYear:
    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    return calendar_year


def _store(calendar_year: CalendarYear, *, holidays, workdays, source_text, by, **fields) -> None:
    """Write CALENDAR_YEAR's days, notice text and FIELDS, with one audit entry of its summary."""
    before = _summary(calendar_year)
    _write_days(calendar_year, holidays, workdays)
    calendar_year.source_text = source_text or calendar_year.source_text
    for name, value in fields.items():
        setattr(calendar_year, name, value)
    calendar_year.save()
    audit_record(
        by=by,
        instance=calendar_year,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=_summary(calendar_year),
    )


def calendar_year_save_draft(
    *, year: int, holidays: dict, workdays: dict, source_text: str = "", by
) -> CalendarYear:
    """Keep YEAR's schedule as a draft, to be checked and confirmed later; a draft changes no deadline.
    A confirmed year is changed only by confirming again."""
    _check_office(by)
    if is_package_year(year) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(calendar_year_problems(year=year, holidays={}, workdays={})[:1])
    with transaction.atomic():
        calendar_year = _locked_year(year)
        if calendar_year.is_confirmed:
            raise ValidationError(
                _("%(year)s 年的节假日安排已确认；如需更正，请修改后再次确认。") % {"year": year}
            )
        _store(calendar_year, holidays=holidays, workdays=workdays, source_text=source_text, by=by)
    return calendar_year


@dataclass
class Confirmed:
    calendar_year: CalendarYear
    recomputed: list[tuple[str, int]] = field(default_factory=list)  # (what, how many changed)

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.recomputed)


def calendar_year_confirm(
    *, year: int, holidays: dict, workdays: dict, source_text: str = "", by, today: dt.date | None = None
) -> Confirmed:
    """Make HOLIDAYS / WORKDAYS YEAR's official schedule, refusing an incomplete or inconsistent one
    with its reasons (calendar_year_problems). In the same transaction every open deadline computed
    on the calendar as it was is recomputed on the official one, each change in its history; the
    counts come back in Confirmed.recomputed. Confirming a confirmed year again corrects it."""
    _check_office(by)
    problems = calendar_year_problems(year=year, holidays=holidays, workdays=workdays)
    if problems:
        raise ValidationError(problems)
    today = today or timezone.localdate()
    with transaction.atomic():
        calendar_year = _locked_year(year)
        before = WorkCalendar.load()
        _store(
            calendar_year,
            holidays=holidays,
            workdays=workdays,
            source_text=source_text,
            by=by,
            status=CalendarYear.Status.CONFIRMED,
            confirmed_by=by,
            confirmed_at=timezone.now(),
        )
        after = WorkCalendar.load()
        recomputed = calendar_confirmed_run(year=year, before=before, after=after, by=by, today=today)
    return Confirmed(calendar_year=calendar_year, recomputed=recomputed)
