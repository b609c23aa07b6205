"""The coordination gates (coordination.access): which problems, files, instructions, meetings, agenda
items and service visits each role sees, and what each may do on a problem.

The world, on top of the cast (project A in district A, owned by owner A, the department responsible;
project B in district B, owned by owner B; "eco" is a user of the other department):
  p1  on A, raised by owner A, led by the department
  p2  on B, raised by district B, led by the other department, the department co-handling
  p3  on B, raised by the department, led by district B
  p4  on A, raised by the office, led by district A
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyprojects.coordination.access import (
    agenda_items_visible_to,
    can_raise_problem,
    get_agenda_item_for_user,
    get_instruction_for_user,
    get_meeting_for_user,
    get_problem_attachment_for_user,
    get_problem_for_user,
    get_visit_for_user,
    instructions_visible_to,
    meetings_visible_to,
    problem_rights,
    problems_visible_to,
    require_leader_pages,
    visits_visible_to,
)
from keyprojects.coordination.models import (
    AgendaItem,
    DispatchMeeting,
    Instruction,
    Problem,
    ProblemAttachment,
    ServiceVisit,
)
from keyprojects.test import Role, make_user

EVERYONE = ("p1", "p2", "p3", "p4")


@pytest.fixture
def world(cast):
    cast.eco = make_user("eco", cast.other_department, Role.DEPARTMENT)

    def problem(key, project, raiser, lead, co_units=()):
        p = Problem.objects.create(
            project=project,
            category=Problem.Category.APPROVAL,
            title=f"问题{key}",
            description="说明",
            source=Problem.Source.OWNER,
            raised_by=raiser,
            raised_by_org=raiser.organisation,
            lead_unit=lead,
        )
        p.co_units.set(co_units)
        return p

    cast.problems = {
        "p1": problem("p1", cast.project_a, cast.owner, cast.department),
        "p2": problem("p2", cast.project_b, cast.district_b_user, cast.other_department, [cast.department]),
        "p3": problem("p3", cast.project_b, cast.department_user, cast.district_b),
        "p4": problem("p4", cast.project_a, cast.staff, cast.district_a),
    }
    return cast


def _keys(world, queryset):
    names = {p.pk: key for key, p in world.problems.items()}
    return {names[pk] for pk in queryset.values_list("pk", flat=True)}


# Which problems


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", set(EVERYONE)),
        ("staff", set(EVERYONE)),
        ("leader", set(EVERYONE)),
        ("district", {"p1", "p4"}),  # its projects'
        ("district_b_user", {"p2", "p3"}),
        ("department_user", {"p1", "p2", "p3"}),  # leads, co-handles, raised; not p4 on its own project
        ("eco", {"p2"}),
        ("owner", {"p1", "p4"}),  # its project's
        ("owner_b_user", {"p2", "p3"}),
        ("outsider", set()),
    ],
)
def test_it_shows_each_role_its_problems(world, username, expected):
    assert _keys(world, problems_visible_to(getattr(world, username))) == expected


def test_it_shows_an_inactive_user_or_a_visitor_no_problem(world):
    world.district.is_active = False
    world.district.save()
    assert _keys(world, problems_visible_to(world.district)) == set()
    assert _keys(world, problems_visible_to(AnonymousUser())) == set()


# What each may do on the problems it sees


@pytest.mark.parametrize(
    ("username", "coordinate", "handle", "confirm", "instruct"),
    [
        ("admin", EVERYONE, EVERYONE, EVERYONE, ()),
        ("staff", EVERYONE, EVERYONE, EVERYONE, ()),
        ("leader", (), (), ("p4",), EVERYONE),  # p4 was raised by the office, the leaders' organisation too
        ("district", (), ("p4",), (), ()),
        ("district_b_user", (), ("p3",), ("p2",), ()),
        ("department_user", (), ("p1", "p2"), ("p3",), ()),
        ("eco", (), ("p2",), (), ()),
        ("owner", (), (), ("p1",), ()),
        ("owner_b_user", (), (), (), ()),
    ],
)
def test_it_gives_each_role_its_rights_on_a_problem(world, username, coordinate, handle, confirm, instruct):
    user = getattr(world, username)
    rights = {
        key: problem_rights(user, world.problems[key]) for key in _keys(world, problems_visible_to(user))
    }
    for action, expected in [
        ("coordinate", coordinate),
        ("handle", handle),
        ("confirm", confirm),
        ("instruct", instruct),
    ]:
        assert {key for key, r in rights.items() if r[action]} == set(expected), action


def test_it_tells_the_handling_units_apart_from_the_office(world):
    # The office may handle every problem, but only a leading or co-handling unit replies to a leader.
    assert problem_rights(world.staff, world.problems["p2"])["handles"] is False
    assert problem_rights(world.eco, world.problems["p2"])["handles"] is True
    assert problem_rights(world.department_user, world.problems["p2"])["handles"] is True
    assert problem_rights(world.district_b_user, world.problems["p2"])["handles"] is False


@pytest.mark.parametrize(
    ("username", "key", "action"),
    [
        ("staff", "p1", "coordinate"),
        ("department_user", "p2", "handle"),
        ("district_b_user", "p2", "confirm"),
        ("leader", "p3", "instruct"),
        ("owner", "p4", None),
    ],
)
def test_it_hands_out_a_problem_to_those_allowed(world, username, key, action):
    assert (
        get_problem_for_user(getattr(world, username), world.problems[key].pk, action=action)
        == (world.problems[key])
    )


@pytest.mark.parametrize(
    ("username", "key", "action"),
    [
        ("leader", "p1", "handle"),
        ("leader", "p1", "coordinate"),
        ("department_user", "p3", "handle"),  # raised it, does not handle it
        ("department_user", "p1", "coordinate"),
        ("district", "p1", "confirm"),
        ("owner", "p1", "handle"),
        ("staff", "p1", "instruct"),
    ],
)
def test_it_answers_403_to_those_who_see_a_problem_but_may_not_act(world, username, key, action):
    user = getattr(world, username)
    assert get_problem_for_user(user, world.problems[key].pk) == world.problems[key]
    with pytest.raises(PermissionDenied):
        get_problem_for_user(user, world.problems[key].pk, action=action)


@pytest.mark.parametrize(
    ("username", "key"),
    [("district", "p2"), ("eco", "p1"), ("department_user", "p4"), ("owner", "p2"), ("outsider", "p1")],
)
@pytest.mark.parametrize("action", [None, "handle", "confirm"])
def test_it_answers_404_outside_the_scope_whatever_the_action(world, username, key, action):
    with pytest.raises(Http404):
        get_problem_for_user(getattr(world, username), world.problems[key].pk, action=action)


def test_it_answers_404_for_a_problem_that_does_not_exist(world):
    with pytest.raises(Http404):
        get_problem_for_user(world.admin, 987654)


@pytest.mark.parametrize(
    ("username", "may_raise_on"),
    [
        ("staff", {"a", "b"}),
        ("leader", set()),  # leaders instruct instead
        ("district", {"a"}),
        ("department_user", {"a"}),
        ("eco", set()),
        ("owner", {"a"}),
        ("owner_b_user", {"b"}),
        ("outsider", set()),
    ],
)
def test_it_lets_those_who_see_a_project_raise_a_problem_except_leaders(world, username, may_raise_on):
    user = getattr(world, username)
    assert {k for k in "ab" if can_raise_problem(user, getattr(world, f"project_{k}"))} == may_raise_on


# Files and instructions go with their problem


def test_it_hands_a_problem_file_only_to_those_who_see_the_problem(world):
    attachment = ProblemAttachment.objects.create(
        problem=world.problems["p1"],
        file="problem-files/2026/06/photo.pdf",
        original_name="现场.pdf",
        uploaded_by=world.owner,
    )
    for user in (world.staff, world.leader, world.district, world.department_user, world.owner):
        assert get_problem_attachment_for_user(user, attachment.pk).problem == world.problems["p1"]
    for user in (world.district_b_user, world.eco, world.owner_b_user, world.outsider):
        with pytest.raises(Http404):
            get_problem_attachment_for_user(user, attachment.pk)
    with pytest.raises(Http404):
        get_problem_attachment_for_user(world.admin, attachment.pk + 1)


@pytest.fixture
def instructions(world):
    def instruction(key, unit):
        return Instruction.objects.create(
            problem=world.problems[key],
            leader=world.leader,
            text=f"请尽快解决{key}",
            reply_unit=unit,
            reply_deadline=dt.date(2026, 7, 10),
        )

    return {"p1": instruction("p1", world.department), "p2": instruction("p2", world.other_department)}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("leader", {"p1", "p2"}),
        ("district", {"p1"}),
        ("department_user", {"p1", "p2"}),
        ("eco", {"p2"}),
        ("owner_b_user", {"p2"}),
        ("outsider", set()),
    ],
)
def test_it_shows_instructions_on_the_problems_one_sees(world, instructions, username, expected):
    seen = set(instructions_visible_to(getattr(world, username)).values_list("pk", flat=True))
    assert seen == {instructions[key].pk for key in expected}


def test_it_lets_only_a_handling_unit_reply_to_an_instruction(world, instructions):
    pk = instructions["p2"].pk
    for user in (world.eco, world.department_user):  # leads, co-handles
        assert get_instruction_for_user(user, pk, action="reply").problem == world.problems["p2"]
    for user in (world.staff, world.leader, world.district_b_user, world.owner_b_user):  # see, do not handle
        assert get_instruction_for_user(user, pk) == instructions["p2"]
        with pytest.raises(PermissionDenied):
            get_instruction_for_user(user, pk, action="reply")
    for user in (world.district, world.owner, world.outsider):
        with pytest.raises(Http404):
            get_instruction_for_user(user, pk, action="reply")


# Dispatch meetings


@pytest.fixture
def meetings(world):
    def meeting(title, keys):
        m = DispatchMeeting.objects.create(title=title, date=dt.date(2026, 6, 1), created_by=world.staff)
        for key in keys:
            AgendaItem.objects.create(meeting=m, problem=world.problems[key])
        return m

    return {"m1": meeting("六月调度会", ["p1", "p2"]), "m2": meeting("专题调度会", ["p3"])}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("staff", {"m1", "m2"}),
        ("leader", {"m1", "m2"}),
        ("district", {"m1"}),  # sees p1 on m1's agenda
        ("district_b_user", {"m1", "m2"}),
        ("eco", {"m1"}),
        ("owner", {"m1"}),
        ("outsider", set()),
    ],
)
def test_it_shows_a_meeting_to_those_who_see_a_problem_on_its_agenda(world, meetings, username, expected):
    seen = set(meetings_visible_to(getattr(world, username)).values_list("pk", flat=True))
    assert seen == {meetings[key].pk for key in expected}


def test_it_shows_only_the_agenda_items_one_may_see(world, meetings):
    seen = agenda_items_visible_to(world.district).values_list("meeting__title", "problem__title")
    assert set(seen) == {("六月调度会", "问题p1")}
    assert agenda_items_visible_to(world.staff).count() == 3


def test_it_leaves_changing_a_meeting_to_the_office(world, meetings):
    assert get_meeting_for_user(world.staff, meetings["m1"].pk, write=True) == meetings["m1"]
    for user in (world.leader, world.district):
        assert get_meeting_for_user(user, meetings["m1"].pk) == meetings["m1"]
        with pytest.raises(PermissionDenied):
            get_meeting_for_user(user, meetings["m1"].pk, write=True)
    with pytest.raises(Http404):
        get_meeting_for_user(world.district, meetings["m2"].pk)


def test_it_leaves_recording_a_decision_to_the_office(world, meetings):
    item_p1, item_p2 = meetings["m1"].agenda.order_by("problem__title")
    assert get_agenda_item_for_user(world.admin, item_p2.pk) == item_p2
    with pytest.raises(PermissionDenied):
        get_agenda_item_for_user(world.district, item_p1.pk)
    with pytest.raises(Http404):
        get_agenda_item_for_user(world.district, item_p2.pk)  # on a meeting it sees, about p2 it does not


# Leader pages and service visits


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("admin", True),
        ("staff", True),
        ("leader", True),
        ("district", False),
        ("department_user", False),
        ("owner", False),
    ],
)
def test_it_opens_the_leader_pages_to_the_office_and_leaders(world, username, allowed):
    user = getattr(world, username)
    if allowed:
        require_leader_pages(user)
    else:
        with pytest.raises(PermissionDenied):
            require_leader_pages(user)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("staff", {"v_a", "v_owner_b", "v_b"}),
        ("leader", {"v_a", "v_owner_b", "v_b"}),
        ("district", {"v_a"}),
        ("district_b_user", {"v_b"}),
        ("department_user", {"v_a"}),
        ("owner", {"v_a"}),
        ("owner_b_user", {"v_owner_b", "v_b"}),  # a visit to the enterprise itself, and to its project
        ("outsider", set()),
    ],
)
def test_it_shows_each_role_its_service_visits(world, username, expected):
    def visit(place, **where):
        return ServiceVisit.objects.create(
            date=dt.date(2026, 5, 20), place=place, leader=world.leader, created_by=world.staff, **where
        )

    visits = {
        "v_a": visit("5号线工地", project=world.project_a),
        "v_owner_b": visit("西乡塘城投", enterprise=world.owner_b),
        "v_b": visit("老旧小区", project=world.project_b),
    }
    user = getattr(world, username)
    assert set(visits_visible_to(user).values_list("pk", flat=True)) == {visits[k].pk for k in expected}
    for key, v in visits.items():
        if key in expected:
            assert get_visit_for_user(user, v.pk) == v
        else:
            with pytest.raises(Http404):
                get_visit_for_user(user, v.pk)
