"""Problems and instructions that someone must act on reach them: assigned, resolution rejected,
instruction to reply to (and the reply, for the leader). Each message links to a page its recipient can
open (an instruction's to the instruction itself); no one outside the problem hears of it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from keyprojects.coordination import services
from keyprojects.coordination.tests.support import raise_problem
from keyprojects.notifications.models import Kind, Notification
from keyprojects.test import Role, make_user

OUTSIDE = {"owner_b", "district_b", "outsider"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 2, 10), tick=False):
        yield


def _heard(kind) -> dict:
    return {
        n.recipient.username: n for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


def _page(note):
    client = Client()
    client.force_login(note.recipient)
    return client.get(note.url)


def _assigned(cast):
    problem = raise_problem(cast)
    Notification.objects.all().delete()
    return services.problem_assign(problem=problem, by=cast.staff, lead_unit=cast.department)


def test_it_tells_the_units_a_problem_is_assigned_to_with_a_link_they_can_open(cast):
    co_handler = make_user("ecology", cast.other_department, Role.DEPARTMENT)
    problem = raise_problem(cast)
    Notification.objects.all().delete()

    services.problem_assign(
        problem=problem, by=cast.staff, lead_unit=cast.department, co_units=[cast.other_department]
    )

    heard = _heard(Kind.PROBLEM_ASSIGNED)
    assert set(heard) == {"department", co_handler.username}
    for note in heard.values():
        assert note.url == reverse("problem_detail", args=[problem.pk])
        assert _page(note).status_code == 200


def test_it_tells_the_handlers_their_resolution_was_rejected_with_a_link_they_can_open(cast):
    problem = _assigned(cast)
    problem = services.problem_resolve(problem=problem, by=cast.department_user, note="已出具用地预审意见")

    services.problem_reject_resolution(problem=problem, by=cast.owner, reason="意见书尚未送达业主")

    heard = _heard(Kind.PROBLEM_REJECTED)
    assert set(heard) == {"department", "admin", "staff"}
    assert not set(heard) & OUTSIDE
    for note in heard.values():
        assert note.body == "意见书尚未送达业主"
        assert _page(note).status_code == 200


def test_it_takes_the_unit_that_must_reply_to_the_instruction_itself(cast):
    problem = _assigned(cast)

    instruction = services.instruction_create(
        problem=problem,
        leader=cast.leader,
        text="请市发改委本周内协调办结",
        reply_unit=cast.department,
        reply_deadline=dt.date(2026, 11, 10),
    )

    heard = _heard(Kind.INSTRUCTION)
    assert set(heard) == {"department", "admin", "staff"}
    note = heard["department"]
    assert note.url == reverse("problem_detail", args=[problem.pk]) + f"#instruction-{instruction.pk}"
    page = _page(note).content.decode()
    assert f'id="instruction-{instruction.pk}"' in page
    assert reverse("instruction_reply", args=[instruction.pk]) in page  # the reply form is there
    assert all(_page(n).status_code == 200 for n in heard.values())


def test_it_takes_the_leader_to_the_reply(cast):
    problem = _assigned(cast)
    instruction = services.instruction_create(
        problem=problem,
        leader=cast.leader,
        text="请市发改委本周内协调办结",
        reply_unit=cast.department,
        reply_deadline=dt.date(2026, 11, 10),
    )

    services.instruction_reply(
        instruction=instruction, by=cast.department_user, text="已召开协调会，本周办结"
    )

    heard = _heard(Kind.INSTRUCTION_REPLY)
    assert set(heard) == {"leader", "admin", "staff"}
    note = heard["leader"]
    assert note.url.endswith(f"#instruction-{instruction.pk}")
    assert "已召开协调会，本周办结" in _page(note).content.decode()
