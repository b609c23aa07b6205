"""The dispatch meeting pages as the office uses them: schedule, see the gathered agenda, add a problem,
record a decision that becomes a task, and follow it on the meeting page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from keyprojects.coordination.models import AgendaItem, DispatchMeeting, Problem
from keyprojects.coordination.tests.support import raise_problem
from keyprojects.tasks.models import Task


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


@pytest.fixture
def world(cast):
    cast.high = raise_problem(cast, title="地铁站用地未交付")
    Problem.objects.filter(pk=cast.high.pk).update(level=3)
    cast.low = raise_problem(cast, title="环评批复待办")
    return cast


def _schedule(client, world):
    client.force_login(world.staff)
    response = client.post(
        reverse("meeting_create"),
        {"title": "第11次调度会", "date": "2026-11-20", "place": "市政府", "chair": world.leader.pk},
    )
    return DispatchMeeting.objects.get(), response


def test_it_schedules_a_meeting_with_its_agenda_gathered(client, world):
    meeting, response = _schedule(client, world)
    assert response.url == reverse("meeting_detail", args=[meeting.pk])
    html = client.get(response.url).content.decode()
    assert "地铁站用地未交付" in html and "环评批复待办" not in html
    assert "邕重点办纪〔2026〕1号" in html


def test_it_tells_the_office_a_meeting_cannot_be_held_before_its_date(client, world):
    meeting, _response = _schedule(client, world)
    response = client.post(reverse("meeting_held", args=[meeting.pk]), follow=True)
    assert "会议日期为2026-11-20，尚未到来，不能标记为已召开。" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == DispatchMeeting.Status.PLANNED


def test_it_adds_a_problem_the_office_picks(client, world):
    meeting, _response = _schedule(client, world)
    url = reverse("agenda_add", args=[meeting.pk])
    assert "环评批复待办" in client.get(url, {"q": "环评"}).content.decode()
    client.post(url, {"problem": world.low.pk})
    assert meeting.agenda.filter(problem=world.low).exists()
    response = client.post(url, {"problem": world.low.pk})
    assert "已在本次会议议题中" in response.content.decode()


def test_it_records_a_decision_as_a_task_and_shows_its_countdown(client, world):
    meeting, _response = _schedule(client, world)
    item = AgendaItem.objects.get(problem=world.high)
    response = client.post(
        reverse("agenda_decide", args=[item.pk]),
        {
            "decision": "青秀区 11 月底前交地。",
            "kind": "task",
            "responsible_unit": world.district_a.pk,
            "deadline": "2026-11-30",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.source == "meeting"
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "剩余 10 个工作日" in html and "青秀区 11 月底前交地。" in html


def test_it_shows_a_missing_deadline_on_the_decision_form(client, world):
    _schedule(client, world)
    item = AgendaItem.objects.get(problem=world.high)
    response = client.post(
        reverse("agenda_decide", args=[item.pk]),
        {"decision": "抓紧", "kind": "task", "responsible_unit": world.district_a.pk},
    )
    assert "交办任务须指定完成时限。" in response.content.decode()
    assert not Task.objects.exists()


def test_it_keeps_the_meeting_page_query_count_fixed(client, world, django_assert_max_num_queries):
    meeting, _response = _schedule(client, world)
    url = reverse("meeting_detail", args=[meeting.pk])
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for i in range(15):
        problem = raise_problem(world, title=f"问题{i}")
        AgendaItem.objects.create(meeting=meeting, problem=problem, order=10 + i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "问题14" in client.get(url).content.decode()
