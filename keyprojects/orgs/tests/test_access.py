"""Roles and what belongs to no domain object: the role predicates on User, office-only actions, the
organisations a user may pick, and which kind of organisation each role belongs to.

Only the `cast` fixture (conftest.py) is used here, so that orgs imports no domain app, tests included.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.orgs.access import organisations_for_choice, require_office
from keyprojects.orgs.models import Organisation, User

Kind = Organisation.Kind
PEOPLE = ["admin", "staff", "leader", "district", "department_user", "owner", "outsider"]


@pytest.mark.parametrize(
    ("username", "office", "leader", "everything"),
    [
        ("admin", True, False, True),
        ("staff", True, False, True),
        ("leader", False, True, True),
        ("district", False, False, False),
        ("department_user", False, False, False),
        ("owner", False, False, False),
        ("outsider", False, False, False),
    ],
)
def test_it_names_each_role_once(cast, username, office, leader, everything):
    user = getattr(cast, username)
    assert (user.is_office, user.is_leader, user.sees_everything) == (office, leader, everything)


def test_it_gives_a_user_without_role_no_predicate(cast):
    user = User(username="norole", organisation=cast.office)
    assert (user.is_office, user.is_leader, user.sees_everything) == (False, False, False)


def test_it_queries_the_office_with_the_same_roles(cast):
    office = User.objects.filter(role__in=User.OFFICE_ROLES).values_list("username", flat=True)
    assert set(office) == {"admin", "staff"}
    everything = User.objects.filter(role__in=User.SEES_EVERYTHING_ROLES).values_list("username", flat=True)
    assert set(everything) == {"admin", "staff", "leader"}


@pytest.mark.parametrize("username", PEOPLE)
def test_it_leaves_office_actions_to_the_office(cast, username):
    user = getattr(cast, username)
    if username in ("admin", "staff"):
        require_office(user)
    else:
        with pytest.raises(PermissionDenied):
            require_office(user)


def test_it_refuses_an_office_action_to_a_visitor(db):
    with pytest.raises(PermissionDenied):
        require_office(AnonymousUser())


# organisations_for_choice


def _names(orgs):
    return set(orgs.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("username", "districts", "owners"),
    [
        ("staff", {"青秀区", "西乡塘区"}, "all"),
        ("district", {"青秀区"}, "all"),  # its own district, any owner
        ("owner", {"青秀区", "西乡塘区"}, {"南宁轨道交通集团有限责任公司"}),  # any district, itself
        ("leader", set(), set()),
        ("department_user", set(), set()),
    ],
)
def test_it_offers_each_role_the_organisations_it_may_pick(cast, username, districts, owners):
    user = getattr(cast, username)
    all_owners = {"南宁轨道交通集团有限责任公司", "广西西乡塘城市建设投资有限公司", "无项目的业主公司"}
    assert _names(organisations_for_choice(user, Kind.DISTRICT)) == districts
    assert _names(organisations_for_choice(user, Kind.OWNER)) == (all_owners if owners == "all" else owners)


def test_it_offers_no_department_or_office_outside_the_office(cast):
    for user in (cast.district, cast.owner):
        assert not organisations_for_choice(user, Kind.DEPARTMENT).exists()
        assert not organisations_for_choice(user, Kind.OFFICE).exists()
    assert _names(organisations_for_choice(cast.staff, Kind.DEPARTMENT)) == {
        "市发展和改革委员会",
        "市生态环境局",
    }


def test_it_offers_no_inactive_organisation(cast):
    Organisation.objects.filter(pk=cast.district_b.pk).update(is_active=False)
    assert list(organisations_for_choice(cast.staff, Kind.DISTRICT)) == [cast.district_a]


# User.clean: a role belongs to one kind of organisation


def test_it_refuses_a_district_role_in_an_owner_organisation(cast):
    user = User(username="wrong", role=User.Role.DISTRICT, organisation=cast.owner_a)
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
def test_it_checks_each_role_against_its_organisation_kind(cast, role, org, ok):
    user = User(username="someone", role=role, organisation=getattr(cast, org))
    if ok:
        user.clean()
    else:
        with pytest.raises(ValidationError) as caught:
            user.clean()
        assert "role" in caught.value.message_dict
