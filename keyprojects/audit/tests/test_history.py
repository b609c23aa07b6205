"""The change history as a project page shows it: field labels, never bare field names, and times in
Beijing time to the minute."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import snapshot
from keyprojects.coordination import services
from keyprojects.coordination.tests.support import raise_problem
from keyprojects.plans.models import MonthlyReport


@pytest.fixture(autouse=True)
def _now():
    # 02:30:15.123456 UTC is 10:30 in Beijing.
    with time_machine.travel(dt.datetime(2026, 11, 16, 2, 30, 15, 123456, tzinfo=dt.UTC), tick=False):
        yield


def _history(client, cast) -> str:
    client.force_login(cast.staff)
    page = client.get(reverse("project_detail", args=[cast.project_a.pk])).content.decode()
    return page[page.index('id="history"') :]


def test_it_names_a_relation_by_its_label_not_its_field_name(client, cast):
    problem = raise_problem(cast, title="用地预审迟迟未批复")
    services.instruction_create(
        problem=problem,
        leader=cast.leader,
        text="请市发改委加快办理。",
        reply_unit=cast.department,
        reply_deadline=dt.date(2026, 11, 30),
    )

    entry = AuditEntry.objects.get(model="coordination.Instruction")
    assert entry.changes["问题"] == ["", "用地预审迟迟未批复"]
    history = _history(client, cast)
    assert "问题：（空） → 用地预审迟迟未批复" in history
    assert "problem：" not in history


def test_it_shows_a_time_in_beijing_time_to_the_minute(client, cast):
    problem = raise_problem(cast)
    services.problem_resolve(problem=problem, by=cast.department_user, note="已取得批复。")

    history = _history(client, cast)
    assert "办结时间：（空） → 2026-11-16 10:30<" in history
    assert "02:30:15" not in history and "+00:00" not in history


def test_it_keeps_two_unlabelled_relations_to_one_model_apart(cast):
    report = MonthlyReport(submitted_by=cast.owner, reviewed_by=cast.district)
    values = snapshot(report, fields=["submitted_by", "reviewed_by"])
    assert sorted(values.values()) == sorted([str(cast.owner), str(cast.district)])


def test_it_rewrites_history_written_with_bare_names_and_utc_times(client, cast):
    problem = raise_problem(cast, title="用地预审迟迟未批复")
    AuditEntry.objects.create(
        model="coordination.Instruction",
        object_id="1",
        object_repr="请加快办理。",
        action=AuditEntry.Action.CREATE,
        project=cast.project_a,
        changes={"problem": ["", problem.title], "回复时间": ["", "2026-11-16 02:30:15.123456+00:00"]},
    )
    migration = importlib.import_module("keyprojects.audit.migrations.0003_readable_history")

    migration.relabel(apps, None)

    history = _history(client, cast)
    assert "问题：（空） → 用地预审迟迟未批复" in history
    assert "回复时间：（空） → 2026-11-16 10:30<" in history
