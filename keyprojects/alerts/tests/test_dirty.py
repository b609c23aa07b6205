"""Lights that monthly reports move are refreshed off the request path: a report marks its project,
the scheduled refresh_dirty_warnings recomputes each marked project once and clears the marks it
handled, except those made again while it ran."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from keyprojects.alerts import services
from keyprojects.alerts.models import Level, ProjectWarning, WarningDirty
from keyprojects.alerts.services import warnings_recompute_all
from keyprojects.lib.scheduler import JOBS
from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.report_services import monthly_report_save
from keyprojects.plans.tests.cast import plans_cast

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(cast):
    plans_cast(cast)
    cast.batch.published_at = dt.datetime(2025, 12, 20, tzinfo=SHANGHAI)
    cast.batch.save()
    # Project B reported January–August: its reporting light is red (September and October missing).
    for month in range(1, 9):
        MonthlyReport.objects.create(entry=cast.entry_b, month=month, amount=1_000_000, status="approved")
    warnings_recompute_all()
    return cast


def reporting_light(world):
    return ProjectWarning.objects.get(rule__code="reporting", project=world.project_b).level


def submit(world, month):
    monthly_report_save(
        entry=world.entry_b,
        month=month,
        by=world.owner_b_user,
        amount=1_000_000,
        progress="施工中",
        submit=True,
    )


def test_it_refreshes_a_project_once_for_many_reports_and_clears_its_mark(world, monkeypatch):
    assert reporting_light(world) == Level.RED
    submit(world, 9)
    submit(world, 10)
    assert list(WarningDirty.objects.values_list("project_id", flat=True)) == [world.project_b.pk]
    assert reporting_light(world) == Level.RED  # nothing recomputed on the request path

    refreshed = []
    original = services.warnings_refresh
    monkeypatch.setattr(
        services, "warnings_refresh", lambda **kw: refreshed.append(kw["project_ids"]) or original(**kw)
    )
    call_command("refresh_dirty_warnings", stdout=io.StringIO())

    assert refreshed == [[world.project_b.pk]]
    assert reporting_light(world) == Level.GREEN
    assert not WarningDirty.objects.exists()
    call_command("refresh_dirty_warnings", stdout=io.StringIO())  # nothing marked: nothing done
    assert refreshed == [[world.project_b.pk]]


def test_it_keeps_a_mark_made_again_while_the_job_ran(world, monkeypatch):
    submit(world, 9)
    original = services.warnings_refresh

    def refresh_while_a_report_comes_in(**kw):
        result = original(**kw)
        with time_machine.travel(TODAY + dt.timedelta(seconds=5), tick=False):
            submit(world, 10)  # committed after the recompute read the reports
        return result

    monkeypatch.setattr(services, "warnings_refresh", refresh_while_a_report_comes_in)
    call_command("refresh_dirty_warnings", stdout=io.StringIO())
    assert reporting_light(world) == Level.YELLOW  # September seen, October not yet
    assert WarningDirty.objects.get().since == TODAY + dt.timedelta(seconds=5)

    monkeypatch.setattr(services, "warnings_refresh", original)
    call_command("refresh_dirty_warnings", stdout=io.StringIO())
    assert reporting_light(world) == Level.GREEN
    assert not WarningDirty.objects.exists()


def test_it_runs_every_minute():
    assert ("refresh_dirty_warnings", 60) in JOBS
