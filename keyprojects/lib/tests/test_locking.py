"""Optimistic locking with the version column."""

import pytest
from django import forms
from django.db import transaction
from django.http import QueryDict

from keyprojects.lib.locking import EditConflict, save_versioned, show_conflict, stored_version
from keyprojects.projects.models import Project


@pytest.mark.django_db
def test_it_bumps_the_version_when_it_matches(cast):
    project = Project.objects.get(pk=cast.project_a.pk)
    assert project.version == 1
    project.name = "南宁市轨道交通5号线二期工程（调整）"
    with transaction.atomic():
        save_versioned(project, expected_version=1)
    assert project.version == 2
    stored = Project.objects.get(pk=project.pk)
    assert stored.version == 2
    assert stored.name == "南宁市轨道交通5号线二期工程（调整）"
    with transaction.atomic():
        save_versioned(stored, expected_version=2)
    assert Project.objects.get(pk=project.pk).version == 3


@pytest.mark.django_db
def test_it_raises_edit_conflict_when_the_version_moved(cast):
    mine = Project.objects.get(pk=cast.project_a.pk)
    theirs = Project.objects.get(pk=cast.project_a.pk)
    theirs.name = "他人修改的名称"
    with transaction.atomic():
        save_versioned(theirs, expected_version=1)

    mine.name = "我的修改"
    with pytest.raises(EditConflict) as caught, transaction.atomic():
        save_versioned(mine, expected_version=1)
    assert "其他人已修改" in str(caught.value.message)

    stored = Project.objects.get(pk=cast.project_a.pk)
    assert stored.name == "他人修改的名称"
    assert stored.version == 2
    assert mine.version == 1  # the refused instance is not bumped


@pytest.mark.django_db
def test_it_raises_edit_conflict_for_a_version_from_the_future(cast):
    with pytest.raises(EditConflict), transaction.atomic():
        save_versioned(cast.project_a, expected_version=5)
    assert Project.objects.get(pk=cast.project_a.pk).version == 1


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction(cast):
    project = Project.objects.get(pk=cast.project_a.pk)
    project.name = "事务外的修改"
    with pytest.raises(AssertionError, match="inside a transaction"):
        save_versioned(project, expected_version=1)
    stored = Project.objects.get(pk=project.pk)
    assert stored.version == 1
    assert stored.name == "南宁市轨道交通5号线二期工程"


def test_it_raises_edit_conflict_when_someone_else_deleted_the_row(cast):
    from keyprojects.projects.models import FactorNeed

    need = FactorNeed.objects.create(project=cast.project_a, kind="land", need_quantity=5)
    stale = FactorNeed.objects.get(pk=need.pk)
    need.delete()
    stale.need_quantity = 8
    with pytest.raises(EditConflict), transaction.atomic():
        save_versioned(stale, expected_version=1)
    assert not FactorNeed.objects.filter(pk=stale.pk).exists()


@pytest.mark.django_db
def test_it_reads_the_stored_version_and_none_for_a_deleted_row(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(version=7)
    assert stored_version(Project, pk=cast.project_a.pk) == 7
    assert stored_version(Project, pk=cast.project_a.pk + 10_000) is None


class VersionedForm(forms.Form):
    name = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_it_keeps_the_input_and_carries_the_stored_version_after_a_conflict():
    form = VersionedForm(QueryDict("name=我的修改&version=1"))
    assert form.is_valid()
    show_conflict(form, EditConflict(), 3)
    assert form.non_field_errors() == [str(EditConflict.message)]
    assert form.data["name"] == "我的修改"
    assert form.data["version"] == 3
    assert 'value="3"' in str(form["version"])
    assert 'value="我的修改"' in str(form["name"])
