"""The scoping gate: which projects each role sees and may change."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from keyprojects.orgs.models import Organisation, User
from keyprojects.orgs.selectors import (
    can_create_project,
    can_edit_project,
    can_move_stage,
    get_project_for_user,
    organisations_for_choice,
    projects_visible_to,
)
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


def test_it_offers_a_district_user_only_its_own_district(world):
    districts = organisations_for_choice(world.district, Organisation.Kind.DISTRICT)
    assert list(districts) == [world.district_a]
    assert list(organisations_for_choice(world.owner, Organisation.Kind.OWNER)) == [world.owner_a]
    assert organisations_for_choice(world.staff, Organisation.Kind.DISTRICT).count() == 2
    assert not organisations_for_choice(world.leader, Organisation.Kind.OWNER).exists()


def test_it_offers_no_inactive_organisation(world):
    Organisation.objects.filter(pk=world.district_b.pk).update(is_active=False)
    assert list(organisations_for_choice(world.staff, Organisation.Kind.DISTRICT)) == [world.district_a]


# User.clean: a role belongs to one kind of organisation


def test_it_refuses_a_district_role_in_an_owner_organisation(world):
    user = User(username="wrong", role=User.Role.DISTRICT, organisation=world.owner_a)
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert caught.value.message_dict["role"] == ["角色“城区/县/开发区”不能属于“项目业主”类单位。"]


@pytest.mark.parametrize(
    ("role", "org", "ok"),
    [
        ("office_staff", "office", True),
        ("leader", "office", True),
        ("leader", "department", False),
        ("department", "department", True),
        ("department", "district_a", False),
        ("owner", "owner_a", True),
        ("owner", "office", False),
        ("office_admin", "district_a", False),
    ],
)
def test_it_checks_each_role_against_its_organisation_kind(world, role, org, ok):
    user = User(username="someone", role=role, organisation=getattr(world, org))
    if ok:
        user.clean()
    else:
        with pytest.raises(ValidationError) as caught:
            user.clean()
        assert "role" in caught.value.message_dict
