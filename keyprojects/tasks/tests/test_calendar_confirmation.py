"""Deadlines on a provisional year (2027, which the calendar package does not know): accepted and shown
暂定; confirming the year's official schedule recomputes the open ones counted through it — tasks
given as N working days, problems' level deadlines from the ladder — each change in its history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.calendars.services import calendar_year_confirm
from keyprojects.coordination.models import Problem
from keyprojects.coordination.selectors import levels
from keyprojects.lib.tests.notices import schedule_2027
from keyprojects.tasks import services
from keyprojects.tasks.models import Task

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 6, 10, 0, tzinfo=TZ), tick=False):
        yield


def _task(cast, title, **kwargs):
    return services.task_create(
        by=cast.staff, project=cast.project_a, title=title, responsible_unit=cast.department, **kwargs
    )


def _problem(cast, title, since, deadline):
    return Problem.objects.create(
        project=cast.project_a,
        category=Problem.Category.APPROVAL,
        title=title,
        description=title,
        source=Problem.Source.OFFICE,
        raised_by=cast.staff,
        raised_by_org=cast.office,
        lead_unit=cast.department,
        status=Problem.Status.HANDLING,
        level=1,
        level_since=since,
        level_deadline=deadline,
    )


def _confirm(cast):
    holidays, workdays = schedule_2027()
    return calendar_year_confirm(year=2027, holidays=holidays, workdays=workdays, by=cast.admin)


def test_it_accepts_a_deadline_in_a_provisional_year(cast):
    # Provisional 2027: Mon 1 Feb → Tue 2, Wed 3, Thu 4, [Fri 5 – Wed 10 off by rule], Thu 11, Fri 12.
    task = _task(cast, "施工许可", start_date=D(2027, 2, 1), deadline_workdays=5)
    assert task.deadline == D(2027, 2, 12)
    assert _task(cast, "开工", deadline=D(2027, 3, 1)).deadline == D(2027, 3, 1)


def test_it_recomputes_the_open_deadlines_on_the_confirmed_schedule_and_counts_them(cast):
    level_days = levels()[1].deadline_workdays
    assert level_days == 5
    moved_a = _task(cast, "可研批复", start_date=D(2027, 2, 1), deadline_workdays=5)
    # Mon 25 Jan + 10: Jan 26–29 (4), Feb 1–4 (8), Feb 11, 12 (10); officially Sun 31 Jan is worked
    # and Feb 5–13 are off: Jan 26–29 (4), Jan 31 (5), Feb 1–4 (9), Mon Feb 15 (10).
    moved_b = _task(cast, "用地批复", start_date=D(2027, 1, 25), deadline_workdays=10)
    same = _task(cast, "环评", start_date=D(2026, 12, 28), deadline_workdays=5)  # Jan 5 either way
    fixed = _task(cast, "节能审查", deadline=D(2027, 2, 12))
    done = _task(cast, "初步设计", start_date=D(2027, 2, 1), deadline_workdays=5)
    Task.objects.filter(pk=done.pk).update(status=Task.Status.DONE, completed_date=D(2026, 12, 6))
    ladder = _problem(cast, "征地补偿", D(2027, 2, 1), D(2027, 2, 12))  # the ladder's 5 working days
    by_hand = _problem(cast, "管线迁改", D(2027, 2, 1), D(2027, 2, 10))  # set by the office
    assert (moved_a.deadline, moved_b.deadline, same.deadline) == (
        D(2027, 2, 12),
        D(2027, 2, 12),
        D(2027, 1, 5),
    )

    result = _confirm(cast)

    counts = dict(result.recomputed)
    assert counts["任务完成时限"] == 2
    assert counts["问题层级办理时限"] == 1
    assert result.total == 3
    deadlines = dict(Task.objects.values_list("title", "deadline"))
    assert deadlines == {
        "可研批复": D(2027, 2, 16),
        "用地批复": D(2027, 2, 15),
        "环评": D(2027, 1, 5),
        "节能审查": D(2027, 2, 12),
        "初步设计": D(2027, 2, 12),
    }
    ladder.refresh_from_db()
    by_hand.refresh_from_db()
    assert ladder.level_deadline == D(2027, 2, 16)
    assert by_hand.level_deadline == D(2027, 2, 10)
    # Each change is in its record's history, by the person who confirmed.
    entry = AuditEntry.objects.filter(model="tasks.Task", object_id=str(moved_a.pk)).latest("id")
    assert entry.user == cast.admin
    assert entry.changes == {"完成时限": ["2027-02-12", "2027-02-16"]}
    assert entry.project_id == cast.project_a.pk
    entry = AuditEntry.objects.get(model="coordination.Problem", object_id=str(ladder.pk))
    assert entry.changes == {"本层级办理时限": ["2027-02-12", "2027-02-16"]}
    assert not AuditEntry.objects.filter(model="coordination.Problem", object_id=str(by_hand.pk)).exists()
    moved_a.refresh_from_db()
    assert moved_a.version == 2  # an edit form opened before the change is refused, not silently lost
    fixed.refresh_from_db()
    assert fixed.version == 1

    # Confirming the same schedule again changes nothing more.
    assert _confirm(cast).total == 0


def test_it_marks_a_provisional_deadline_until_the_year_is_confirmed(client, cast):
    task = _task(cast, "施工许可", start_date=D(2027, 2, 1), deadline_workdays=5)
    known = _task(cast, "可研批复", deadline=D(2026, 12, 30))
    client.force_login(cast.staff)
    body = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "kp-provisional" in body and "暂定" in body
    assert "kp-provisional" not in client.get(reverse("task_detail", args=[known.pk])).content.decode()
    listing = client.get(reverse("task_project", args=[cast.project_a.pk])).content.decode()
    assert listing.count("kp-provisional") == 1

    _confirm(cast)

    body = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "kp-provisional" not in body
    assert "2027-02-16" in body
