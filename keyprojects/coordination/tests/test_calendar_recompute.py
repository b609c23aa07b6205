"""Problems' clocks when a year's official holiday schedule is confirmed: the office's assignment limit
of a 待交办 problem and the ladder's level deadline move to the official calendar, each in the problem's
history; a deadline the office set by hand does not."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from keyprojects.audit.models import AuditEntry
from keyprojects.calendars.services import calendar_year_confirm
from keyprojects.coordination.models import Problem
from keyprojects.coordination.services import escalation_setting
from keyprojects.lib.tests.notices import schedule_2027

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def _problem(cast, title, **fields):
    return Problem.objects.create(
        project=cast.project_a,
        category=Problem.Category.LAND,
        title=title,
        description=title,
        source=Problem.Source.OFFICE,
        raised_by=cast.staff,
        raised_by_org=cast.office,
        lead_unit=cast.district_a,
        **fields,
    )


def test_it_moves_the_assignment_limit_and_the_level_deadline_to_the_official_calendar(cast):
    assert escalation_setting().assign_workdays == 3
    with time_machine.travel(dt.datetime(2027, 2, 3, 9, 0, tzinfo=TZ), tick=False):
        # Raised Wed 3 February: provisionally Thu 4, Thu 11, Fri 12 (5–10 off by rule).
        waiting = _problem(cast, "待交办", status=Problem.Status.OPEN, assign_deadline=D(2027, 2, 12))
        top = _problem(
            cast, "市政府常务会研究", status=Problem.Status.HANDLING, level=4, level_since=D(2027, 2, 1)
        )
        holidays, workdays = schedule_2027()
        result = calendar_year_confirm(year=2027, holidays=holidays, workdays=workdays, by=cast.staff)
    counts = dict(result.recomputed)
    assert counts["问题交办时限"] == 1
    assert counts["问题层级办理时限"] == 0
    waiting.refresh_from_db()
    top.refresh_from_db()
    assert waiting.assign_deadline == D(2027, 2, 16)  # officially Thu 4, Mon 15, Tue 16
    assert top.level_deadline is None and top.version == 1
    entry = AuditEntry.objects.get(model="coordination.Problem", object_id=str(waiting.pk))
    assert entry.changes == {"交办时限": ["2027-02-12", "2027-02-16"]}
    assert entry.user == cast.staff
