"""The task gate (tasks.access): which tasks each role sees, who manages them, who works on them, and
who may download their evidence.

The world, on top of the cast (project A in district A, owned by owner A, the department responsible;
project B in district B, owned by owner B):
  a1  on A, the department responsible
  a2  on A, owner A responsible
  b1  on B, the other department responsible (a department with no project of its own)
  b2  on B, district B responsible
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyprojects.tasks.access import (
    can_manage_tasks,
    can_work_on_task,
    get_evidence_for_user,
    get_task_for_user,
    tasks_visible_to,
)
from keyprojects.tasks.models import Task, TaskEvidence
from keyprojects.test import Role, make_user

PEOPLE = [
    "admin",
    "staff",
    "leader",
    "district",
    "district_b_user",
    "department_user",
    "eco",
    "owner",
    "owner_b_user",
    "outsider",
]


@pytest.fixture
def world(cast):
    cast.eco = make_user("eco", cast.other_department, Role.DEPARTMENT)

    def task(key, project, unit):
        return Task.objects.create(
            project=project,
            title=f"任务{key}",
            responsible_unit=unit,
            deadline=dt.date(2026, 6, 30),
            created_by=cast.staff,
        )

    cast.tasks = {
        "a1": task("a1", cast.project_a, cast.department),
        "a2": task("a2", cast.project_a, cast.owner_a),
        "b1": task("b1", cast.project_b, cast.other_department),
        "b2": task("b2", cast.project_b, cast.district_b),
    }
    cast.evidence_file = TaskEvidence.objects.create(
        task=cast.tasks["a1"],
        file="task-evidence/2026/06/approval.pdf",
        original_name="批复.pdf",
        uploaded_by=cast.staff,
    )
    cast.evidence_note = TaskEvidence.objects.create(
        task=cast.tasks["a1"], note="已电话确认", uploaded_by=cast.staff
    )
    return cast


def _visible(world, user):
    keys = {task.pk: key for key, task in world.tasks.items()}
    return {keys[pk] for pk in tasks_visible_to(user).values_list("pk", flat=True)}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"a1", "a2", "b1", "b2"}),
        ("staff", {"a1", "a2", "b1", "b2"}),
        ("leader", {"a1", "a2", "b1", "b2"}),
        ("district", {"a1", "a2"}),
        ("district_b_user", {"b1", "b2"}),
        ("department_user", {"a1", "a2"}),  # every task of the project it is responsible for
        ("eco", {"b1"}),  # no project, but the task it is responsible for
        ("owner", {"a1", "a2"}),
        ("owner_b_user", {"b1", "b2"}),
        ("outsider", set()),
    ],
)
def test_it_shows_each_role_its_tasks(world, username, expected):
    assert _visible(world, getattr(world, username)) == expected


def test_it_shows_an_inactive_user_or_a_visitor_no_task(world):
    world.staff.is_active = False
    world.staff.save()
    assert _visible(world, world.staff) == set()
    assert _visible(world, AnonymousUser()) == set()


@pytest.mark.parametrize(
    ("username", "manages"),
    [
        ("admin", {"a", "b"}),
        ("staff", {"a", "b"}),
        ("leader", set()),
        ("district", {"a"}),
        ("district_b_user", {"b"}),
        ("department_user", set()),
        ("owner", set()),
        ("outsider", set()),
    ],
)
def test_it_leaves_managing_tasks_to_the_office_and_the_district(world, username, manages):
    user = getattr(world, username)
    assert {k for k in "ab" if can_manage_tasks(user, getattr(world, f"project_{k}"))} == manages


@pytest.mark.parametrize(
    ("username", "works_on"),
    [
        ("admin", {"a1", "a2", "b1", "b2"}),
        ("staff", {"a1", "a2", "b1", "b2"}),
        ("leader", set()),  # leaders read
        ("district", {"a1", "a2"}),  # it manages project A's tasks
        ("district_b_user", {"b1", "b2"}),
        ("department_user", {"a1"}),  # only the task it is responsible for
        ("eco", {"b1"}),
        ("owner", {"a1", "a2"}),  # every task of its own project
        ("owner_b_user", {"b1", "b2"}),
        ("outsider", set()),
    ],
)
def test_it_lets_those_responsible_work_on_a_task(world, username, works_on):
    user = getattr(world, username)
    assert {key for key, task in world.tasks.items() if can_work_on_task(user, task)} == works_on


def test_it_hands_out_a_task_in_scope(world):
    task = get_task_for_user(world.eco, world.tasks["b1"].pk, action="work")
    assert task == world.tasks["b1"]
    assert task.project == world.project_b


@pytest.mark.parametrize(
    ("username", "key"),
    [
        ("district", "b1"),
        ("department_user", "b2"),
        ("eco", "a1"),
        ("owner_b_user", "a2"),
        ("outsider", "a1"),
    ],
)
@pytest.mark.parametrize("action", [None, "work", "manage"])
def test_it_answers_404_outside_the_scope_whatever_the_action(world, username, key, action):
    with pytest.raises(Http404):
        get_task_for_user(getattr(world, username), world.tasks[key].pk, action=action)


def test_it_answers_404_for_a_task_that_does_not_exist(world):
    with pytest.raises(Http404):
        get_task_for_user(world.admin, 987654)


@pytest.mark.parametrize(
    ("username", "key", "action"),
    [
        ("leader", "a1", "work"),
        ("leader", "a1", "manage"),
        ("department_user", "a2", "work"),  # sees it (its project) but is not responsible
        ("department_user", "a1", "manage"),
        ("eco", "b1", "manage"),
        ("owner", "a2", "manage"),
    ],
)
def test_it_answers_403_to_those_who_see_a_task_but_may_not_act(world, username, key, action):
    user = getattr(world, username)
    assert get_task_for_user(user, world.tasks[key].pk) == world.tasks[key]
    with pytest.raises(PermissionDenied):
        get_task_for_user(user, world.tasks[key].pk, action=action)


# Evidence


@pytest.mark.parametrize("username", ["staff", "leader", "district", "department_user", "owner"])
def test_it_hands_an_evidence_file_to_those_who_see_its_task(world, username):
    evidence = get_evidence_for_user(getattr(world, username), world.evidence_file.pk)
    assert evidence == world.evidence_file
    assert evidence.task == world.tasks["a1"]


@pytest.mark.parametrize("username", ["district_b_user", "eco", "owner_b_user", "outsider"])
def test_it_answers_404_for_evidence_of_a_task_out_of_sight(world, username):
    with pytest.raises(Http404):
        get_evidence_for_user(getattr(world, username), world.evidence_file.pk)


def test_it_has_no_file_to_hand_out_for_a_note(world):
    with pytest.raises(Http404):
        get_evidence_for_user(world.admin, world.evidence_note.pk)


def test_it_refuses_a_leader_adding_to_the_evidence(world):
    with pytest.raises(PermissionDenied):
        get_evidence_for_user(world.leader, world.evidence_file.pk, action="work")
    assert get_evidence_for_user(world.owner, world.evidence_file.pk, action="work") == world.evidence_file
