"""Automatic escalation (提级) on the Chinese working-day calendar, with frozen time."""

import datetime as dt

import time_machine
from django.core.management import call_command

from keyprojects.audit.models import AuditEntry
from keyprojects.coordination.models import EscalationLevel, Problem, ProblemAction
from keyprojects.coordination.services import problem_resolve, problems_escalate_due
from keyprojects.coordination.tests.support import day, raise_problem
from keyprojects.notifications.models import Notification

AUTO = ProblemAction.Kind.AUTO_ESCALATE


def _raised_on(cast, date, **extra):
    with time_machine.travel(dt.datetime.combine(date, dt.time(10)), tick=False):
        return raise_problem(cast, **extra)


def test_it_seeds_the_default_ladder(db):
    ladder = list(EscalationLevel.objects.values_list("level", "name", "deadline_workdays"))
    assert ladder == [
        (1, "责任单位办理", 5),
        (2, "市重点办协调", 5),
        (3, "联系市领导协调", 10),
        (4, "市政府常务会/市委研究", None),
    ]


def test_it_counts_the_first_level_in_working_days_across_national_day(cast):
    # Raised on Monday 28 September 2026: 29, 30 September, then 8, 9 and Saturday 10 October (a
    # make-up working day) after the National Day holiday.
    problem = _raised_on(cast, day("2026-09-28"))
    assert problem.level == 1
    assert problem.level_since == day("2026-09-28")
    assert problem.level_deadline == day("2026-10-10")


def test_it_escalates_a_problem_raised_before_national_day_on_the_first_working_day_after_its_deadline(cast):
    problem = _raised_on(cast, day("2026-09-28"))
    # Every day of the holiday, the make-up Saturday itself (the deadline) and the Sunday after it:
    # nothing happens.
    for date in [day("2026-09-30") + dt.timedelta(days=n) for n in range(12)]:
        assert problems_escalate_due(today=date)["escalated"] == 0, date
    problem.refresh_from_db()
    assert problem.level == 1

    result = problems_escalate_due(today=day("2026-10-12"))

    assert result["escalated"] == 1
    problem.refresh_from_db()
    assert problem.level == 2
    assert problem.level_since == day("2026-10-12")
    assert problem.level_deadline == day("2026-10-19")  # five working days for the office
    action = problem.actions.get(kind=AUTO)
    assert (action.from_level, action.to_level, action.by) == (1, 2, None)
    assert "2026-10-10" in action.note and "市重点办协调" in action.note


def test_it_notifies_the_new_level_when_it_escalates(cast):
    problem = _raised_on(cast, day("2026-09-28"))
    Notification.objects.all().delete()

    problems_escalate_due(today=day("2026-10-12"))

    recipients = set(
        Notification.objects.filter(kind="problem_escalated").values_list("recipient__username", flat=True)
    )
    # The office coordinates level 2; the lead unit hears about it too. The leader only from level 3.
    assert recipients == {"admin", "staff", "department"}
    note = Notification.objects.get(recipient=cast.staff)
    assert "市重点办协调" in note.title and problem.title in note.title
    assert note.url == problem.get_absolute_url()


def test_it_changes_nothing_when_the_job_runs_twice(cast):
    problems = [_raised_on(cast, day("2026-09-28"), title=f"问题{i}") for i in range(3)]
    first = problems_escalate_due(today=day("2026-10-12"))
    state = list(
        Problem.objects.order_by("pk").values_list("level", "level_since", "level_deadline", "version")
    )
    counts = (ProblemAction.objects.count(), AuditEntry.objects.count(), Notification.objects.count())

    second = problems_escalate_due(today=day("2026-10-12"))
    call_command("escalate_problems", today=day("2026-10-12"))

    assert first["escalated"] == 3 and second["escalated"] == 0
    assert (
        list(Problem.objects.order_by("pk").values_list("level", "level_since", "level_deadline", "version"))
        == state
    )
    assert (ProblemAction.objects.count(), AuditEntry.objects.count(), Notification.objects.count()) == counts
    assert len(problems) == 3


def test_it_climbs_one_level_per_passed_deadline_when_the_job_was_not_run(cast):
    problem = _raised_on(cast, day("2026-09-28"))

    result = problems_escalate_due(today=day("2026-10-27"))

    problem.refresh_from_db()
    # Level 1 ended 10 October, level 2 (from 12 October) on 19 October, level 3 runs ten working days
    # from 20 October.
    assert problem.level == 3
    assert problem.level_since == day("2026-10-20")
    assert problem.level_deadline == day("2026-11-03")
    steps = list(problem.actions.filter(kind=AUTO).values_list("from_level", "to_level"))
    assert steps == [(1, 2), (2, 3)]
    assert result == {"escalated": 1, "steps": 2, "today": day("2026-10-27")}
    # Level 3 is the liaison city leader's: the project's leader is told.
    assert Notification.objects.filter(recipient=cast.leader, kind="problem_escalated").exists()


def test_it_stops_at_the_top_level_which_has_no_time_limit(cast):
    problem = _raised_on(cast, day("2026-03-02"))

    problems_escalate_due(today=day("2026-11-20"))
    problems_escalate_due(today=day("2026-12-20"))

    problem.refresh_from_db()
    assert problem.level == 4
    assert problem.level_deadline is None
    assert problem.actions.filter(kind=AUTO).count() == 3


def test_it_never_escalates_a_problem_that_is_resolved(cast):
    problem = _raised_on(cast, day("2026-09-28"))
    with time_machine.travel(dt.datetime(2026, 10, 9, 10), tick=False):
        problem_resolve(problem=problem, by=cast.department_user, note="已取得批复。")

    assert problems_escalate_due(today=day("2026-10-30"))["escalated"] == 0
    problem.refresh_from_db()
    assert problem.level == 1


def test_it_marks_overdue_problems_with_working_days_overdue(cast, client):
    problem = _raised_on(cast, day("2026-09-28"))
    # Deadline Saturday 10 October (make-up day); on Thursday 15 October it is 4 working days late
    # (12, 13, 14, 15), the job not having run.
    client.force_login(cast.staff)
    with time_machine.travel(dt.datetime(2026, 10, 15, 10), tick=False):
        page = client.get("/problems/").content.decode()
        overdue = client.get("/problems/?overdue=on").content.decode()
    assert "逾期 4 个工作日" in page
    assert problem.title in overdue
