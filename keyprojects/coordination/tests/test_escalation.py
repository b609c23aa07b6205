"""Automatic escalation (提级) as offices run it, on the Chinese working-day calendar, with frozen time.

The level clock starts when the office assigns a problem (交办), not when it is raised; a run moves an
overdue problem up exactly one level and the new level's clock starts that day."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count

from keyprojects.audit.models import AuditEntry
from keyprojects.coordination import services
from keyprojects.coordination.models import EscalationLevel, Problem, ProblemAction
from keyprojects.coordination.services import problem_assign, problem_resolve, problems_escalate_due
from keyprojects.coordination.tests.support import day, raise_problem
from keyprojects.lib.workdays import add_workdays
from keyprojects.notifications.models import Notification

AUTO = ProblemAction.Kind.AUTO_ESCALATE


def _at(date):
    return time_machine.travel(dt.datetime.combine(date, dt.time(10)), tick=False)


def _raised_on(cast, date, **extra):
    """Raised by owner A: 待交办, no level clock yet."""
    with _at(date):
        return raise_problem(cast, **extra)


def _assigned_on(cast, date, **extra):
    """Raised by owner A and assigned by the office the same day: level 1's clock starts that day."""
    with _at(date):
        problem = raise_problem(cast, **extra)
        return problem_assign(problem=problem, by=cast.staff, lead_unit=problem.lead_unit)


def _days(first, last):
    date = first
    while date <= last:
        yield date
        date += dt.timedelta(days=1)


def _state(problem):
    problem.refresh_from_db()
    return problem.level, problem.level_since, problem.level_deadline


def test_it_seeds_the_default_ladder(db):
    ladder = list(EscalationLevel.objects.values_list("level", "name", "deadline_workdays"))
    assert ladder == [
        (1, "责任单位办理", 5),
        (2, "市重点办协调", 5),
        (3, "联系市领导协调", 10),
        (4, "市政府常务会/市委研究", None),
    ]


def test_it_counts_the_first_level_in_working_days_across_national_day(cast):
    # Assigned on Monday 28 September 2026: 29, 30 September, then 8, 9 and Saturday 10 October (a
    # make-up working day) after the National Day holiday.
    problem = _assigned_on(cast, day("2026-09-28"))
    assert problem.status == Problem.Status.HANDLING
    assert problem.level == 1
    assert problem.level_since == day("2026-09-28")
    assert problem.level_deadline == day("2026-10-10")


def test_it_starts_no_level_clock_until_the_office_assigns_the_problem(cast):
    problem = _raised_on(cast, day("2026-09-28"))
    assert problem.status == Problem.Status.OPEN
    assert (problem.level, problem.level_since, problem.level_deadline) == (1, None, None)
    # The office's own limit instead: three working days (29, 30 September, 8 October).
    assert problem.assign_deadline == day("2026-10-08")

    with _at(day("2026-10-09")):
        problem_assign(problem=problem, by=cast.staff, lead_unit=cast.department)

    # Level 1's five working days run from the assignment: 10 (make-up Saturday), 12, 13, 14, 15.
    assert _state(problem) == (1, day("2026-10-09"), day("2026-10-15"))
    assert "2026-10-15" in problem.actions.get(kind=ProblemAction.Kind.ASSIGN).note


def test_it_starts_the_clock_at_once_when_the_office_raises_a_problem_naming_the_lead_unit(cast):
    with _at(day("2026-09-28")):
        problem = raise_problem(cast, user=cast.staff)
    assert problem.status == Problem.Status.HANDLING
    assert (problem.level_since, problem.level_deadline, problem.assign_deadline) == (
        day("2026-09-28"),
        day("2026-10-10"),
        None,
    )
    notice = Notification.objects.get(recipient=cast.department_user)
    assert notice.title == f"问题交办：{problem.title}"


def test_it_never_escalates_a_problem_raised_but_not_assigned(cast):
    problem = _raised_on(cast, day("2026-09-28"))

    for date in _days(day("2026-09-28"), day("2026-12-31")):
        assert problems_escalate_due(today=date) == {
            "escalated": 0,
            "steps": 0,
            "failed": 0,
            "levels": {},
            "today": date,
        }, date

    problem.refresh_from_db()
    assert (problem.status, problem.level, problem.level_deadline) == (Problem.Status.OPEN, 1, None)
    assert not problem.actions.filter(kind=AUTO).exists()
    assert not Notification.objects.filter(kind="problem_escalated").exists()


def test_it_shows_a_problem_not_assigned_in_time_as_a_warning_for_the_office(cast, client):
    problem = _raised_on(cast, day("2026-09-28"))
    # Logged in on each day: a session ends after 12 hours.
    with _at(day("2026-10-08")):  # the last day of the office's three working days
        client.force_login(cast.staff)
        on_time = client.get("/problems/?assign_overdue=on").content.decode()
    with _at(day("2026-10-12")):  # 9, 10 (make-up Saturday) and 12 October past it
        client.force_login(cast.staff)
        late = client.get("/problems/?assign_overdue=on").content.decode()
        overdue = client.get("/problems/?overdue=on").content.decode()
        ledger = client.get("/problems/")
        problems_escalate_due()

    assert problem.title not in on_time
    assert problem.title in late
    assert "待交办超时 3 个工作日" in late
    # A warning, not an escalation: not 超时 on the ledger, still at level 1.
    assert problem.title not in overdue
    assert ledger.context["counts"] == {"overdue": 0, "assign_overdue": 1}
    assert "待交办超时 1 个" in ledger.content.decode()
    assert _state(problem) == (1, None, None)


def test_it_escalates_on_the_first_working_day_after_the_deadline_starting_the_new_clock_that_day(cast):
    problem = _assigned_on(cast, day("2026-09-28"))
    # Every day of the holiday, the make-up Saturday itself (the deadline) and the Sunday after it:
    # nothing happens.
    for date in _days(day("2026-09-30"), day("2026-10-11")):
        assert problems_escalate_due(today=date)["escalated"] == 0, date
    problem.refresh_from_db()
    assert problem.level == 1

    result = problems_escalate_due(today=day("2026-10-12"))

    assert result == {
        "escalated": 1,
        "steps": 1,
        "failed": 0,
        "levels": {2: 1},
        "today": day("2026-10-12"),
    }
    assert _state(problem) == (2, day("2026-10-12"), day("2026-10-19"))  # five working days for the office
    action = problem.actions.get(kind=AUTO)
    assert (action.from_level, action.to_level, action.by) == (1, 2, None)
    assert "2026-10-10" in action.note and "市重点办协调" in action.note


def test_it_notifies_the_new_level_when_it_escalates(cast):
    problem = _assigned_on(cast, day("2026-09-28"))
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
    problems = [_assigned_on(cast, day("2026-09-28"), title=f"问题{i}") for i in range(3)]
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


def test_it_moves_a_problem_overdue_by_40_working_days_one_level_per_run(cast):
    problem = _assigned_on(cast, day("2026-06-01"))
    deadline = problem.level_deadline
    first_run = add_workdays(deadline, 40)  # 40 working days past level 1's limit

    moves = []
    for date in _days(first_run, first_run + dt.timedelta(days=60)):
        before = _state(problem)
        problems_escalate_due(today=date)
        problems_escalate_due(today=date)  # a second run the same day changes nothing
        after = _state(problem)
        if after != before:
            assert after[0] == before[0] + 1, (date, before, after)  # one level per run, never more
            assert after[1] == date  # the new level's clock starts on the run's day
            moves.append((date, *after))

    # Level 2 from the first run, with the office's full five working days; level 3 on the first
    # working day after those, with the leader's ten; then the top, which has no limit.
    level_2 = first_run
    level_3 = add_workdays(add_workdays(level_2, 5), 1)
    level_4 = add_workdays(add_workdays(level_3, 10), 1)
    assert moves == [
        (level_2, 2, level_2, add_workdays(level_2, 5)),
        (level_3, 3, level_3, add_workdays(level_3, 10)),
        (level_4, 4, level_4, None),
    ]
    steps = list(problem.actions.filter(kind=AUTO).values_list("from_level", "to_level"))
    assert steps == [(1, 2), (2, 3), (3, 4)]
    audits = AuditEntry.objects.filter(model="coordination.Problem", object_id=str(problem.pk), user=None)
    assert audits.count() == 3
    # Level 3 is the liaison city leader's: the project's leader was told then.
    assert Notification.objects.filter(
        recipient=cast.leader, kind="problem_escalated", key__contains=":auto:3:"
    ).exists()


def test_it_gives_each_overdue_problem_one_level_after_a_months_outage(cast):
    # Three problems in hand at levels 1, 2 and 3, the last run on 28 September; the server is then off
    # until 12 November, long past every deadline.
    with _at(day("2026-09-28")):
        problems = [raise_problem(cast, user=cast.staff, title=f"问题{level}") for level in (1, 2, 3)]
        for problem in problems[1:]:
            services.problem_escalate(problem=problem, by=cast.staff, reason="需协调")
        services.problem_escalate(problem=problems[2], by=cast.staff, reason="需市领导协调")
    assert [p.level for p in problems] == [1, 2, 3]
    Notification.objects.all().delete()
    audits = AuditEntry.objects.count()

    with _at(day("2026-11-12")):
        call_command("escalate_problems")
        call_command("escalate_problems")  # the scheduler runs it again an hour later: nothing more

    states = [_state(p) for p in problems]
    assert states == [
        (2, day("2026-11-12"), day("2026-11-19")),
        (3, day("2026-11-12"), day("2026-11-26")),
        (4, day("2026-11-12"), None),
    ]
    assert [list(p.actions.filter(kind=AUTO).values_list("from_level", "to_level")) for p in problems] == [
        [(1, 2)],
        [(2, 3)],
        [(3, 4)],
    ]
    assert AuditEntry.objects.count() == audits + 3
    # Each new level is told, once: the lead unit and the office (a digest of all three), the liaison
    # leader of the two now at levels 3 and 4.
    messages = dict(
        Notification.objects.filter(kind="problem_escalated")
        .values_list("recipient__username")
        .annotate(n=Count("id"))
    )
    assert messages == {"admin": 1, "staff": 1, "department": 1, "leader": 1}
    assert Notification.objects.get(recipient=cast.leader).title == "2 个问题超时未办结，已自动提级"

    # The next day nothing moves: every new level has its full time.
    assert problems_escalate_due(today=day("2026-11-13"))["escalated"] == 0


def test_it_never_escalates_a_problem_that_is_resolved(cast):
    problem = _assigned_on(cast, day("2026-09-28"))
    with _at(day("2026-10-09")):
        problem_resolve(problem=problem, by=cast.department_user, note="已取得批复。")

    assert problems_escalate_due(today=day("2026-10-30"))["escalated"] == 0
    problem.refresh_from_db()
    assert problem.level == 1


def test_it_leaves_what_it_cannot_handle_for_the_next_run_and_moves_the_others(cast, monkeypatch, capsys):
    with _at(day("2026-09-28")):
        stuck, moving = (raise_problem(cast, user=cast.staff, title=t) for t in ("卡住的问题", "正常的问题"))
        services.problem_escalate(problem=stuck, by=cast.staff, reason="需协调")
    real = services._escalate_group

    def failing(level, *args, **kwargs):
        if level == 2:
            raise RuntimeError("a record the job cannot handle")
        return real(level, *args, **kwargs)

    monkeypatch.setattr(services, "_escalate_group", failing)
    call_command("escalate_problems", today=day("2026-10-12"))

    out = capsys.readouterr().out
    assert "1 个问题超时自动提级一级" in out and "1 个问题未能提级" in out
    assert _state(moving)[0] == 2
    assert _state(stuck)[0] == 2 and not stuck.actions.filter(kind=AUTO).exists()

    # Everything due fails: the run itself fails.
    with pytest.raises(CommandError, match="1 个问题未能提级"):
        call_command("escalate_problems", today=day("2026-10-13"))

    # Retried next run, once the cause is gone.
    monkeypatch.setattr(services, "_escalate_group", real)
    assert problems_escalate_due(today=day("2026-10-14"))["escalated"] == 1
    assert _state(stuck) == (3, day("2026-10-14"), add_workdays(day("2026-10-14"), 10))


def test_it_marks_overdue_problems_with_working_days_overdue(cast, client):
    problem = _assigned_on(cast, day("2026-09-28"))
    # Deadline Saturday 10 October (make-up day); on Thursday 15 October it is 4 working days late
    # (12, 13, 14, 15), the job not having run.
    client.force_login(cast.staff)
    with _at(day("2026-10-15")):
        page = client.get("/problems/").content.decode()
        overdue = client.get("/problems/?overdue=on").content.decode()
    assert "逾期 4 个工作日" in page
    assert problem.title in overdue
