"""The project gate (projects.access): which projects each role sees and may change, and the parts of a
project reached through it (factor needs)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyprojects.orgs.models import User
from keyprojects.projects.access import (
    can_create_project,
    can_edit_project,
    can_move_stage,
    get_factor_need_for_user,
    get_project_for_user,
    projects_visible_to,
)
from keyprojects.projects.models import FactorNeed
from keyprojects.test import make_project, make_user


@pytest.fixture
def world(cast):
    """Besides A (district A, owner A, the department responsible) and B (district B, owner B):
    C in district A owned by owner B with the other department responsible, D in district B owned by A."""
    cast.project_c = make_project(
        name="青秀区物流园", owner=cast.owner_b, district=cast.district_a, sector=cast.sector
    )
    cast.project_c.departments.add(cast.other_department)
    cast.project_d = make_project(
        name="西乡塘区轨道站点", owner=cast.owner_a, district=cast.district_b, sector=cast.sector
    )
    return cast


def _visible(user):
    return set(projects_visible_to(user).values_list("name", flat=True))


def _names(world, *keys):
    return {getattr(world, f"project_{k}").name for k in keys}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", "abcd"),
        ("staff", "abcd"),
        ("leader", "abcd"),
        ("district", "ac"),
        ("district_b_user", "bd"),
        ("department_user", "a"),
        ("owner", "ad"),
        ("owner_b_user", "bc"),
        ("outsider", ""),
    ],
)
def test_it_shows_each_role_its_own_projects(world, username, expected):
    assert _visible(getattr(world, username)) == _names(world, *expected)


def test_it_shows_a_department_the_projects_it_co_handles(world):
    world.project_b.departments.add(world.department)
    assert _visible(world.department_user) == _names(world, "a", "b")
    assert _visible(make_user("eco", world.other_department, User.Role.DEPARTMENT)) == _names(world, "c")


def test_it_lists_a_project_with_two_responsible_departments_once(world):
    world.project_a.departments.add(world.other_department)
    eco = make_user("eco", world.other_department, User.Role.DEPARTMENT)
    assert sorted(projects_visible_to(eco).values_list("name", flat=True)) == sorted(_names(world, "a", "c"))
    assert projects_visible_to(world.staff).count() == 4


def test_it_shows_an_inactive_user_nothing(world):
    for user in (world.staff, world.district, world.owner):
        user.is_active = False
        user.save()
        assert _visible(user) == set()


def test_it_shows_a_user_without_organisation_nothing(world):
    for role in User.Role.values:
        user = User.objects.create_user(username=f"orphan-{role}", password="x", role=role)
        assert _visible(user) == set(), role


def test_it_shows_a_user_without_role_nothing(world):
    user = User.objects.create_user(username="norole", password="x", organisation=world.office)
    assert _visible(user) == set()


def test_it_shows_an_anonymous_visitor_nothing(world):
    assert _visible(AnonymousUser()) == set()


# get_project_for_user


def test_it_returns_a_project_in_scope(world):
    assert get_project_for_user(world.district, world.project_c.pk) == world.project_c
    assert get_project_for_user(world.district, world.project_c.pk, write=True) == world.project_c


@pytest.mark.parametrize(
    ("username", "key"),
    [("district", "b"), ("department_user", "c"), ("owner", "c"), ("owner_b_user", "a"), ("outsider", "a")],
)
def test_it_answers_404_outside_the_scope(world, username, key):
    user, project = getattr(world, username), getattr(world, f"project_{key}")
    with pytest.raises(Http404):
        get_project_for_user(user, project.pk)
    with pytest.raises(Http404):
        get_project_for_user(user, project.pk, write=True)


def test_it_answers_404_for_a_project_that_does_not_exist(world):
    with pytest.raises(Http404):
        get_project_for_user(world.admin, 987654)


@pytest.mark.parametrize("username", ["leader", "department_user"])
def test_it_answers_403_to_a_read_only_role_asking_to_write(world, username):
    user = getattr(world, username)
    assert get_project_for_user(user, world.project_a.pk) == world.project_a
    with pytest.raises(PermissionDenied):
        get_project_for_user(user, world.project_a.pk, write=True)


@pytest.mark.parametrize(
    ("username", "editable"),
    [
        ("admin", "abcd"),
        ("staff", "abcd"),
        ("leader", ""),
        ("district", "ac"),
        ("department_user", ""),
        ("owner", "ad"),
        ("owner_b_user", "bc"),
        ("outsider", ""),
    ],
)
def test_it_lets_each_role_change_only_what_it_may(world, username, editable):
    user = getattr(world, username)
    for key in "abcd":
        project = getattr(world, f"project_{key}")
        assert can_edit_project(user, project) == (key in editable), (username, key)


def test_it_leaves_stage_moves_to_the_office_and_the_district(world):
    assert can_move_stage(world.staff, world.project_b)
    assert can_move_stage(world.district, world.project_c)
    assert not can_move_stage(world.district, world.project_b)
    assert not can_move_stage(world.owner, world.project_a)
    assert not can_move_stage(world.leader, world.project_a)
    assert not can_move_stage(world.department_user, world.project_a)


def test_it_lets_only_writing_roles_create_projects(world):
    assert {u.username for u in User.objects.all() if can_create_project(u)} == {
        "admin",
        "staff",
        "district",
        "district_b",
        "owner",
        "owner_b",
        "outsider",
    }
    assert not can_create_project(AnonymousUser())


# Factor needs go with their project


@pytest.fixture
def needs(world):
    return {
        key: FactorNeed.objects.create(project=getattr(world, f"project_{key}"), kind=FactorNeed.Kind.LAND)
        for key in "ac"
    }


def test_it_hands_out_a_factor_need_of_a_project_one_may_change(world, needs):
    need = get_factor_need_for_user(world.district, needs["c"].pk, project_pk=world.project_c.pk, write=True)
    assert need == needs["c"]
    assert need.project == world.project_c


def test_it_answers_404_for_a_factor_need_of_another_project(world, needs):
    # Need A through project C's address: both in district A's scope, but the need is not C's.
    with pytest.raises(Http404):
        get_factor_need_for_user(world.district, needs["a"].pk, project_pk=world.project_c.pk, write=True)


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("district_b_user", Http404),  # project A is out of its scope
        ("owner_b_user", Http404),
        ("leader", PermissionDenied),  # sees project A, does not change it
        ("department_user", PermissionDenied),
    ],
)
def test_it_refuses_a_factor_need_to_those_who_may_not_change_its_project(world, needs, username, error):
    with pytest.raises(error):
        get_factor_need_for_user(
            getattr(world, username), needs["a"].pk, project_pk=world.project_a.pk, write=True
        )
