"""The problem's life through the services: raise, assign, handle, resolve, confirm (销号), reject,
reopen, escalate by hand, instructions and replies; bad input refused in Chinese with nothing written."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.coordination import services
from keyprojects.coordination.models import Instruction, Problem, ProblemAction, ProblemAttachment
from keyprojects.coordination.tests.support import pdf, raise_problem
from keyprojects.lib.locking import EditConflict
from keyprojects.notifications.models import Notification

TODAY = dt.datetime(2026, 11, 2, 10)  # Monday
Kind = ProblemAction.Kind


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _written():
    return (
        Problem.objects.count(),
        ProblemAction.objects.count(),
        ProblemAttachment.objects.count(),
        Instruction.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _recipients(key_part):
    return set(
        Notification.objects.filter(key__contains=key_part).values_list("recipient__username", flat=True)
    )


def test_it_raises_a_problem_with_its_files_log_audit_and_notifications(cast):
    problem = raise_problem(cast, co_units=[cast.other_department], files=[pdf()])

    assert problem.status == Problem.Status.OPEN
    assert problem.source == Problem.Source.OWNER
    assert problem.raised_by_org == cast.owner_a
    # 待交办: no level clock until the office assigns it; the office's own limit is three working days.
    assert (problem.level_since, problem.level_deadline) == (None, None)
    assert problem.assign_deadline == dt.date(2026, 11, 5)
    assert list(problem.co_units.all()) == [cast.other_department]
    action = problem.actions.get()
    assert action.kind == Kind.RAISE
    assert [a.original_name for a in action.attachments.all()] == ["批复.pdf"]
    assert AuditEntry.objects.filter(model="coordination.Problem", action="create").count() == 1
    # The office (to assign it) and the lead unit hear about it; not the raiser.
    assert _recipients(f"problem:{problem.pk}:raise") == {"admin", "staff", "department"}


def test_it_takes_a_problem_from_raise_to_closed(cast):
    problem = raise_problem(cast)
    services.problem_assign(
        problem=problem,
        by=cast.staff,
        lead_unit=cast.department,
        co_units=[cast.other_department],
        deadline=dt.date(2026, 11, 20),
        expected_version=problem.version,
    )
    assert problem.status == Problem.Status.HANDLING
    assert problem.level_deadline == dt.date(2026, 11, 20)

    services.problem_progress(problem=problem, by=cast.department_user, note="已召开协调会。", files=[pdf()])
    services.problem_resolve(problem=problem, by=cast.department_user, note="已取得批复。")
    assert problem.status == Problem.Status.RESOLVED
    assert _recipients(f"problem:{problem.pk}:resolve") == {"owner", "admin", "staff"}

    services.problem_reject_resolution(problem=problem, by=cast.owner, reason="批复文件未送达。")
    assert problem.status == Problem.Status.HANDLING
    services.problem_resolve(problem=problem, by=cast.department_user, note="批复文件已送达。")
    services.problem_confirm(problem=problem, by=cast.owner)
    assert problem.status == Problem.Status.CLOSED
    assert problem.closed_at is not None

    services.problem_reopen(problem=problem, by=cast.owner, reason="批复被撤销。")
    assert problem.status == Problem.Status.HANDLING
    assert problem.closed_at is None
    kinds = list(problem.actions.values_list("kind", flat=True))
    assert kinds == [
        Kind.RAISE,
        Kind.ASSIGN,
        Kind.PROGRESS,
        Kind.RESOLVE,
        Kind.REJECT,
        Kind.RESOLVE,
        Kind.CLOSE,
        Kind.REOPEN,
    ]
    problem.refresh_from_db()
    assert problem.version == 7  # assign, progress (open → handling already done), resolve ×2 …


def test_it_escalates_and_deescalates_by_hand_with_a_reason(cast):
    problem = raise_problem(cast)
    services.problem_assign(problem=problem, by=cast.staff, lead_unit=cast.department)
    services.problem_escalate(problem=problem, by=cast.staff, reason="涉及多个部门。")
    services.problem_escalate(problem=problem, by=cast.staff, reason="需市领导协调。")
    assert problem.level == 3
    assert problem.level_deadline == dt.date(2026, 11, 16)  # ten working days from today
    # The liaison leader of project A is told at level 3.
    assert "leader" in _recipients(f"problem:{problem.pk}:level:")
    services.problem_deescalate(problem=problem, by=cast.staff, reason="已明确责任部门。")
    assert problem.level == 2


def test_it_escalates_a_problem_not_yet_assigned_without_starting_its_clock(cast):
    problem = raise_problem(cast)
    services.problem_escalate(problem=problem, by=cast.staff, reason="涉及多个部门。")
    assert (problem.status, problem.level, problem.level_since, problem.level_deadline) == (
        Problem.Status.OPEN,
        2,
        None,
        None,
    )
    # The clock of the level it is at starts when the office assigns it.
    services.problem_assign(problem=problem, by=cast.staff, lead_unit=cast.department)
    assert (problem.level_since, problem.level_deadline) == (dt.date(2026, 11, 2), dt.date(2026, 11, 9))


def test_it_starts_the_clock_when_a_unit_takes_a_waiting_problem_in_hand(cast):
    problem = raise_problem(cast)
    services.problem_progress(problem=problem, by=cast.department_user, note="已着手办理。")
    assert problem.status == Problem.Status.HANDLING
    assert (problem.level_since, problem.level_deadline) == (dt.date(2026, 11, 2), dt.date(2026, 11, 9))


def test_it_refuses_escalation_beyond_the_top_level_in_chinese(cast):
    problem = raise_problem(cast)
    for _n in range(3):
        services.problem_escalate(problem=problem, by=cast.staff, reason="提级")
    before = _written()
    with pytest.raises(ValidationError, match="已在最高层级"):
        services.problem_escalate(problem=problem, by=cast.staff, reason="再提级")
    assert _written() == before
    problem.refresh_from_db()
    assert problem.level == 4


def test_it_refuses_deescalation_below_the_first_level(cast):
    problem = raise_problem(cast)
    with pytest.raises(ValidationError, match="第一层级"):
        services.problem_deescalate(problem=problem, by=cast.staff, reason="降级")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"project": None}, "请选择问题所属的项目"),
        ({"lead_unit": None}, "请选择牵头单位"),
        ({"title": "  "}, "请填写问题概述"),
        ({"category": "weather"}, "请选择问题类别"),
        ({"deadline": dt.date(2026, 10, 30)}, "已经过去"),
    ],
)
def test_it_refuses_a_problem_with_bad_input_and_writes_nothing(cast, change, message):
    before = _written()
    args = {
        "by": cast.owner,
        "project": cast.project_a,
        "category": Problem.Category.LAND,
        "title": "征地补偿款未到位",
        "description": "涉及 32 户。",
        "lead_unit": cast.district_a,
        **change,
    }
    with pytest.raises(ValidationError, match=message):
        services.problem_raise(**args)
    assert _written() == before


def test_it_refuses_an_owner_as_lead_unit(cast):
    with pytest.raises(ValidationError, match="只有城区和市直部门"):
        raise_problem(cast, lead_unit=cast.owner_b)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "文件类型不允许"),
        ("批复.pdf", b"<html>not a pdf</html>", "内容与其扩展名不符"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_it_refuses_a_bad_attachment_and_writes_nothing(cast, name, content, message):
    before = _written()
    with pytest.raises(ValidationError, match=message):
        raise_problem(cast, files=[pdf(name, content)])
    assert _written() == before


def test_it_refuses_an_attachment_over_the_size_limit(cast, settings):
    settings.KP_ATTACHMENT_MAX_BYTES = 20
    with pytest.raises(ValidationError, match="超过"):
        raise_problem(cast, files=[pdf()])


def test_it_refuses_an_assignment_with_a_past_deadline(cast):
    problem = raise_problem(cast)
    before = _written()
    with pytest.raises(ValidationError, match="已经过去"):
        services.problem_assign(
            problem=problem, by=cast.staff, lead_unit=cast.department, deadline=dt.date(2026, 11, 1)
        )
    assert _written() == before


def test_it_refuses_an_edit_based_on_an_old_version(cast):
    problem = raise_problem(cast)
    seen = problem.version
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_assign(problem=problem, by=cast.staff, lead_unit=cast.department, expected_version=seen)
    with pytest.raises(EditConflict):
        services.problem_assign(
            problem=stale, by=cast.admin, lead_unit=cast.other_department, expected_version=seen
        )
    problem.refresh_from_db()
    assert problem.lead_unit == cast.department


def test_it_confirms_only_a_resolved_problem(cast):
    problem = raise_problem(cast)
    with pytest.raises(ValidationError, match="只有已办结待确认"):
        services.problem_confirm(problem=problem, by=cast.owner)


def test_it_requires_a_reason_to_reject_a_resolution(cast):
    problem = raise_problem(cast)
    services.problem_resolve(problem=problem, by=cast.department_user, note="已办结。")
    with pytest.raises(ValidationError, match="请填写退回理由"):
        services.problem_reject_resolution(problem=problem, by=cast.owner, reason=" ")
    problem.refresh_from_db()
    assert problem.status == Problem.Status.RESOLVED


def test_it_sends_an_instruction_to_a_handling_unit_and_takes_its_reply(cast):
    problem = raise_problem(cast)
    instruction = services.instruction_create(
        problem=problem,
        leader=cast.leader,
        text="请市发改委牵头，一周内解决。",
        reply_unit=cast.department,
        reply_deadline=dt.date(2026, 11, 9),
    )
    assert problem.actions.filter(kind=Kind.INSTRUCTION).exists()
    assert "department" in _recipients(f"instruction:{instruction.pk}")

    services.instruction_reply(instruction=instruction, by=cast.department_user, text="已于11月5日批复。")
    instruction.refresh_from_db()
    assert instruction.reply == "已于11月5日批复。"
    assert instruction.replied_by == cast.department_user
    assert _recipients(f"instruction:{instruction.pk}:reply") == {"leader", "admin", "staff"}
    with pytest.raises(ValidationError, match="已于"):
        services.instruction_reply(instruction=instruction, by=cast.department_user, text="再次回复")


def test_it_refuses_a_reply_from_a_unit_not_handling_the_problem(cast):
    problem = raise_problem(cast)
    instruction = services.instruction_create(
        problem=problem,
        leader=cast.leader,
        text="请抓紧办理。",
        reply_unit=cast.department,
        reply_deadline=dt.date(2026, 11, 9),
    )
    before = _written()
    for user in (cast.district, cast.owner, cast.staff):
        with pytest.raises(ValidationError, match="只有承办该问题的单位可以回复批示"):
            services.instruction_reply(instruction=instruction, by=user, text="代为回复")
    assert _written() == before
    instruction.refresh_from_db()
    assert instruction.replied_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reply_unit": "other_department"}, "没有承办该问题"),
        ({"reply_deadline": dt.date(2026, 11, 1)}, "已经过去"),
        ({"leader": "staff"}, "只有市领导"),
        ({"text": ""}, "请填写批示内容"),
    ],
)
def test_it_refuses_a_bad_instruction_and_writes_nothing(cast, change, message):
    problem = raise_problem(cast)
    before = _written()
    args = {
        "problem": problem,
        "leader": cast.leader,
        "text": "请抓紧办理。",
        "reply_unit": cast.department,
        "reply_deadline": dt.date(2026, 11, 9),
    }
    for key in ("reply_unit", "leader"):
        if key in change:
            change[key] = getattr(cast, change[key])
    with pytest.raises(ValidationError, match=message):
        services.instruction_create(**{**args, **change})
    assert _written() == before


def test_it_lets_a_co_handling_unit_reply_once_it_is_added(cast):
    problem = raise_problem(cast)
    services.problem_add_co_unit(problem=problem, by=cast.staff, unit=cast.district_a)
    instruction = services.instruction_create(
        problem=problem,
        leader=cast.leader,
        text="请青秀区配合。",
        reply_unit=cast.district_a,
        reply_deadline=dt.date(2026, 11, 9),
    )
    services.instruction_reply(instruction=instruction, by=cast.district, text="已配合完成征地。")
    assert problem.actions.filter(kind=Kind.REPLY, by_org=cast.district_a).exists()
    with pytest.raises(ValidationError, match="已在承办"):
        services.problem_add_co_unit(problem=problem, by=cast.staff, unit=cast.district_a)
