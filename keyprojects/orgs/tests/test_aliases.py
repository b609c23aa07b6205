"""Aliases: the other names an organisation goes by. No two organisations may share a name — by name,
alias or key — and each change is kept in the history."""

import pytest
from django.core.exceptions import ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import Organisation, OrganisationAlias
from keyprojects.orgs.names import name_taken_by, resolve_organisation
from keyprojects.orgs.services import organisation_alias_add, organisation_alias_remove

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(cast):
    return Organisation.objects.create(kind="department", name="市住房和城乡建设局")


def _error(excinfo):
    return " ".join(excinfo.value.message_dict["name"])


def test_it_keeps_an_alias_that_the_next_import_matches_by_itself(cast, housing):
    alias = organisation_alias_add(by=cast.staff, organisation=housing, name=" 市住建局 ")

    assert (alias.name, alias.organisation, alias.created_by) == ("市住建局", housing, cast.staff)
    result = resolve_organisation("市住建局", "department")
    assert (result.found, result.via) == (housing, "alias")


def test_it_records_adding_and_removing_an_alias_in_the_history(cast, housing):
    alias = organisation_alias_add(by=cast.staff, organisation=housing, name="市住建局")
    organisation_alias_remove(by=cast.admin, alias=alias)

    entries = AuditEntry.objects.filter(model="orgs.OrganisationAlias").order_by("id")
    assert [(e.action, e.user, e.object_repr) for e in entries] == [
        ("create", cast.staff, "市住建局"),
        ("delete", cast.admin, "市住建局"),
    ]
    assert entries[0].changes == {"单位": ["", "市住房和城乡建设局"], "别名": ["", "市住建局"]}
    assert not OrganisationAlias.objects.exists()


def test_it_refuses_another_organisations_name(cast, housing):
    with pytest.raises(ValidationError) as excinfo:
        organisation_alias_add(by=cast.staff, organisation=housing, name="市发展和改革委员会")

    assert "市发展和改革委员会" in _error(excinfo)
    assert "两个单位不能同名" in _error(excinfo)
    assert not OrganisationAlias.objects.exists()


def test_it_refuses_a_name_with_the_key_of_another_organisations_name(cast, housing):
    with pytest.raises(ValidationError) as excinfo:
        organisation_alias_add(by=cast.staff, organisation=housing, name="南宁市发展改革委")

    assert "“南宁市发展改革委”已是单位“市发展和改革委员会”（市直部门）的名称或别名" in _error(excinfo)


def test_it_refuses_another_organisations_alias_or_its_key(cast, housing):
    organisation_alias_add(by=cast.staff, organisation=cast.department, name="市发改委")

    for name in ("市发改委", "南宁市发改委", "市 发改委"):
        with pytest.raises(ValidationError) as excinfo:
            organisation_alias_add(by=cast.staff, organisation=housing, name=name)
        assert "市发展和改革委员会" in _error(excinfo)
    assert OrganisationAlias.objects.count() == 1


def test_it_refuses_a_district_name_as_a_departments_alias(cast, housing):
    with pytest.raises(ValidationError) as excinfo:
        organisation_alias_add(by=cast.staff, organisation=housing, name="南宁市青秀区")

    assert "青秀区" in _error(excinfo)
    assert "城区/县/开发区" in _error(excinfo)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "请填写别名"),
        ("  （）", "请填写别名"),
        ("市" * 101, "不能超过 100 个字"),
        ("市住房和城乡建设局", "就是该单位的名称"),
    ],
)
def test_it_refuses_a_name_that_is_no_alias(cast, housing, name, message):
    with pytest.raises(ValidationError) as excinfo:
        organisation_alias_add(by=cast.staff, organisation=housing, name=name)

    assert message in _error(excinfo)


def test_it_refuses_the_same_alias_twice(cast, housing):
    organisation_alias_add(by=cast.staff, organisation=housing, name="市住建局")

    with pytest.raises(ValidationError) as excinfo:
        organisation_alias_add(by=cast.staff, organisation=housing, name="市住建局")

    assert "已是该单位的别名" in _error(excinfo)


def test_it_allows_two_aliases_of_one_organisation_with_one_key(cast, housing):
    organisation_alias_add(by=cast.staff, organisation=housing, name="市住建局")
    organisation_alias_add(by=cast.staff, organisation=housing, name="南宁市住建局")

    assert OrganisationAlias.objects.filter(organisation=housing).count() == 2


def test_it_names_who_has_a_name_already(cast, housing):
    organisation_alias_add(by=cast.staff, organisation=housing, name="市住建局")

    assert name_taken_by("市住建局") == housing
    assert name_taken_by("市住建局", exclude=housing) is None
    assert name_taken_by("市发展改革委") == cast.department
    assert name_taken_by("市交通运输局") is None
