"""Dispatch meetings through their services: the agenda gathers itself, decisions become tracked tasks
and instructions and enter the problem's log; bad input refused in Chinese."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.coordination import meeting_selectors, meeting_services
from keyprojects.coordination.access import meetings_visible_to
from keyprojects.coordination.models import AgendaItem, DispatchMeeting, Instruction, Problem, ProblemAction
from keyprojects.coordination.tests.support import raise_problem
from keyprojects.notifications.models import Notification
from keyprojects.tasks.models import Task


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


def _at_level(problem, level):
    Problem.objects.filter(pk=problem.pk).update(level=level)
    problem.refresh_from_db()
    return problem


@pytest.fixture
def world(cast):
    cast.high = _at_level(raise_problem(cast, title="地铁站用地未交付"), 3)
    cast.top = _at_level(
        raise_problem(
            cast,
            user=cast.owner_b_user,
            project=cast.project_b,
            lead_unit=cast.district_b,
            title="资金缺口 2 亿元",
        ),
        4,
    )
    cast.low = raise_problem(cast, title="环评批复待办")
    cast.closed = _at_level(raise_problem(cast, title="已销号的问题"), 3)
    Problem.objects.filter(pk=cast.closed.pk).update(status=Problem.Status.CLOSED)
    cast.closed.refresh_from_db()
    return cast


def _meeting(world, **extra):
    return meeting_services.meeting_create(
        by=world.staff,
        title="2026年第11次重点项目调度会",
        date=dt.date(2026, 11, 20),
        place="市政府 3 楼会议室",
        chair=world.leader,
        attendees="市发改委、青秀区、西乡塘区",
        **extra,
    )


def test_it_gathers_every_unresolved_problem_at_level_three_or_above(world):
    meeting = _meeting(world)
    agenda = list(meeting.agenda.values_list("problem__title", flat=True))
    assert agenda == ["资金缺口 2 亿元", "地铁站用地未交付"]  # level 4 first


def test_it_adds_the_problems_the_office_chooses_and_gathers_new_ones_once(world):
    meeting = _meeting(world, problems=[world.low])
    assert meeting.agenda.count() == 3
    assert meeting_services.agenda_gather(meeting=meeting) == 0
    newer = _at_level(raise_problem(world, title="管线迁改受阻"), 3)
    assert meeting_services.agenda_gather(meeting=meeting) == 1
    assert meeting.agenda.filter(problem=newer).exists()
    with pytest.raises(ValidationError) as error:
        meeting_services.agenda_add(by=world.staff, meeting=meeting, problem=world.low)
    assert "已在本次会议议题中" in str(error.value)
    with pytest.raises(ValidationError) as error:
        meeting_services.agenda_add(by=world.staff, meeting=meeting, problem=world.closed)
    assert "已办结或销号" in str(error.value)


def test_it_notifies_the_chair(world):
    meeting = _meeting(world)
    note = Notification.objects.get(key=f"meeting:{meeting.pk}:scheduled")
    assert note.recipient == world.leader and "2026年第11次重点项目调度会" in note.title


def test_it_refuses_a_chair_who_is_not_a_leader_and_anyone_outside_the_office(world):
    with pytest.raises(ValidationError) as error:
        meeting_services.meeting_create(
            by=world.staff, title="调度会", date=dt.date(2026, 11, 20), chair=world.staff
        )
    assert "主持领导须为市领导账号" in str(error.value)
    with pytest.raises(PermissionDenied):
        meeting_services.meeting_create(by=world.district, title="调度会", date=dt.date(2026, 11, 20))
    assert not DispatchMeeting.objects.exists()


def test_it_turns_a_decision_into_a_meeting_task_and_logs_it(world):
    meeting = _meeting(world)
    item = meeting.agenda.get(problem=world.high)
    meeting_services.agenda_decide(
        by=world.staff,
        item=item,
        decision="青秀区 11 月底前完成地铁站地块清表交地。",
        kind=AgendaItem.Decision.TASK,
        responsible_unit=world.district_a,
        deadline=dt.date(2026, 11, 30),
    )
    item.refresh_from_db()
    task = item.task
    assert task.source == Task.Source.MEETING and task.project == world.project_a
    assert task.responsible_unit == world.district_a and task.deadline == dt.date(2026, 11, 30)
    assert task.requirement == "青秀区 11 月底前完成地铁站地块清表交地。"
    log = world.high.actions.get(kind=ProblemAction.Kind.MEETING)
    assert "2026年第11次重点项目调度会（2026-11-20）议定" in log.note and "交办青秀区" in log.note
    with pytest.raises(ValidationError) as error:
        meeting_services.agenda_decide(by=world.staff, item=item, decision="再议", kind="note")
    assert "该议题已议定" in str(error.value)


def test_it_turns_a_decision_into_the_chairs_instruction(world):
    meeting = _meeting(world)
    item = meeting.agenda.get(problem=world.top)
    meeting_services.agenda_decide(
        by=world.staff,
        item=item,
        decision="请西乡塘区统筹专项债资金，12 月 10 日前报送方案。",
        kind=AgendaItem.Decision.INSTRUCTION,
        reply_deadline=dt.date(2026, 12, 10),
    )
    instruction = Instruction.objects.get()
    assert instruction.leader == world.leader and instruction.reply_unit == world.district_b
    assert AgendaItem.objects.get(pk=item.pk).instruction == instruction
    assert world.top.actions.filter(kind=ProblemAction.Kind.MEETING).count() == 1


def test_it_refuses_a_task_decision_without_unit_or_deadline(world):
    meeting = _meeting(world)
    item = meeting.agenda.get(problem=world.high)
    with pytest.raises(ValidationError) as error:
        meeting_services.agenda_decide(by=world.staff, item=item, decision="抓紧办理", kind="task")
    assert error.value.message_dict == {
        "responsible_unit": ["交办任务须指定责任单位。"],
        "deadline": ["交办任务须指定完成时限。"],
    }
    assert not Task.objects.exists() and not ProblemAction.objects.filter(kind="meeting").exists()


def test_it_shows_the_live_state_of_each_decision(world):
    meeting = _meeting(world)
    item = meeting.agenda.get(problem=world.high)
    meeting_services.agenda_decide(
        by=world.staff,
        item=item,
        decision="限期交地",
        kind="task",
        responsible_unit=world.district_a,
        deadline=dt.date(2026, 11, 20),
    )
    meeting_services.agenda_decide(
        by=world.staff,
        item=meeting.agenda.get(problem=world.top),
        decision="研究资金方案",
        kind="instruction",
        reply_deadline=dt.date(2026, 11, 30),
    )
    items = {i.problem_id: i for i in meeting_selectors.meeting_agenda(meeting=meeting, user=world.staff)}
    assert items[world.high.pk].follow_up.countdown == "剩余 4 个工作日"
    assert items[world.top.pk].follow_up.status == "待回复"
    with time_machine.travel(dt.datetime(2026, 11, 24, 10), tick=False):
        items = {i.problem_id: i for i in meeting_selectors.meeting_agenda(meeting=meeting, user=world.staff)}
    assert items[world.high.pk].follow_up.countdown == "逾期 2 个工作日"
    assert items[world.high.pk].follow_up.level == "red"


def test_it_shows_others_only_the_agenda_items_they_may_see(world):
    meeting = _meeting(world)
    titles = [
        i.problem.title for i in meeting_selectors.meeting_agenda(meeting=meeting, user=world.department_user)
    ]
    assert titles == ["地铁站用地未交付"]
    assert meetings_visible_to(world.outsider).count() == 0


def test_it_fixes_the_agenda_once_the_meeting_is_held(world):
    meeting = _meeting(world)
    with time_machine.travel(dt.datetime(2026, 11, 20, 16), tick=False):
        meeting_services.meeting_mark_held(by=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting_services.agenda_gather(meeting=meeting) == 0
    with pytest.raises(ValidationError) as error:
        meeting_services.agenda_add(by=world.staff, meeting=meeting, problem=world.low)
    assert "会议已召开" in str(error.value)


def test_it_refuses_to_mark_a_meeting_held_before_its_date(world):
    meeting = _meeting(world)  # on 2026-11-20; today is 2026-11-16
    with pytest.raises(ValidationError) as error:
        meeting_services.meeting_mark_held(by=world.staff, meeting=meeting)
    assert "会议日期为2026-11-20，尚未到来，不能标记为已召开。" in error.value.messages
    meeting.refresh_from_db()
    assert meeting.status == DispatchMeeting.Status.PLANNED

    # On the day it can be, and then its date cannot move into the future.
    with time_machine.travel(dt.datetime(2026, 11, 20, 9), tick=False):
        meeting = meeting_services.meeting_mark_held(by=world.staff, meeting=meeting)
        assert meeting.status == DispatchMeeting.Status.HELD
        with pytest.raises(ValidationError) as error:
            meeting_services.meeting_update(
                by=world.staff,
                meeting=meeting,
                expected_version=meeting.version,
                title=meeting.title,
                date=dt.date(2026, 11, 27),
            )
        assert "尚未到来" in str(error.value)
