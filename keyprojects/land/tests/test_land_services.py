"""The land ledger's rules: targets, cumulative monthly progress, completion, lag, and the one-click
征地拆迁 problem."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.coordination.models import Problem
from keyprojects.land import selectors, services
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.lib.locking import EditConflict

TODAY = dt.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


@pytest.fixture
def task(cast):
    return services.land_task_save(
        by=cast.staff,
        project=cast.project_a,
        responsible_unit=cast.district_a,
        land_to_acquire=Decimal("120.5"),
        households_to_relocate=40,
        area_to_demolish=Decimal("8000"),
        land_to_hand_over=Decimal("100"),
        start_date=dt.date(2026, 1, 1),
        target_date=dt.date(2026, 12, 31),
    )


def _record(cast, task, month, **figures):
    values = {"land_acquired": 0, "households_signed": 0, "area_demolished": 0, "land_handed_over": 0}
    values.update(figures)
    return services.land_progress_record(by=cast.district, land_task=task, year=2026, month=month, **values)


def test_it_creates_a_land_task_and_records_the_change(cast, task):
    assert task.project == cast.project_a and task.land_to_acquire == Decimal("120.5")
    assert AuditEntry.objects.filter(model="land.LandTask", object_id=str(task.pk)).exists()


def test_it_refuses_a_target_below_what_is_already_reported(cast, task):
    _record(cast, task, 5, land_acquired=60)
    with pytest.raises(ValidationError) as error:
        services.land_task_save(
            by=cast.staff,
            project=cast.project_a,
            responsible_unit=cast.district_a,
            land_to_acquire=50,
            expected_version=task.version,
        )
    assert "不能小于已报送的累计已征收土地（60）" in str(error.value)


def test_it_refuses_an_edit_made_on_an_old_version(cast, task):
    services.land_task_save(
        by=cast.staff,
        project=cast.project_a,
        responsible_unit=cast.district_a,
        land_to_acquire=130,
        expected_version=task.version,
    )
    with pytest.raises(EditConflict):
        services.land_task_save(
            by=cast.district,
            project=cast.project_a,
            responsible_unit=cast.district_a,
            land_to_acquire=140,
            expected_version=task.version,
        )
    assert LandTask.objects.get(pk=task.pk).land_to_acquire == 130


def test_it_refuses_a_target_date_before_the_start(cast):
    with pytest.raises(ValidationError) as error:
        services.land_task_save(
            by=cast.staff,
            project=cast.project_b,
            responsible_unit=cast.district_b,
            start_date=dt.date(2026, 6, 1),
            target_date=dt.date(2026, 5, 1),
        )
    assert "计划完成日期不能早于计划开始日期" in str(error.value)


def test_it_refuses_more_acquired_than_to_acquire(cast, task):
    with pytest.raises(ValidationError) as error:
        _record(cast, task, 6, land_acquired=Decimal("121"), households_signed=41)
    text = str(error.value)
    assert "累计已征收土地（121）不能超过需征收土地（120.5）" in text
    assert "累计已签约户数（41）不能超过需搬迁户数（40）" in text
    assert not LandProgress.objects.exists()


def test_it_refuses_a_decrease_without_a_note_and_accepts_it_with_one(cast, task):
    _record(cast, task, 5, land_acquired=60, households_signed=10)
    with pytest.raises(ValidationError) as error:
        _record(cast, task, 6, land_acquired=55, households_signed=12)
    assert "不能少于2026年5月的 60" in str(error.value)
    progress = _record(cast, task, 6, land_acquired=55, households_signed=12, note="5月误报 5 亩，更正")
    assert progress.land_acquired == 55 and progress.note == "5月误报 5 亩，更正"


def test_it_refuses_a_corrected_month_above_the_next_one_without_a_note(cast, task):
    _record(cast, task, 5, land_acquired=40)
    _record(cast, task, 7, land_acquired=50)
    with pytest.raises(ValidationError) as error:
        _record(cast, task, 6, land_acquired=55)
    assert "不能多于2026年7月的 50" in str(error.value)
    assert _record(cast, task, 6, land_acquired=45).land_acquired == 45


def test_it_refuses_a_future_month(cast, task):
    with pytest.raises(ValidationError) as error:
        _record(cast, task, 12, land_acquired=1)
    assert "不能填报未来月份" in str(error.value)


def test_it_corrects_a_month_in_place(cast, task):
    _record(cast, task, 5, land_acquired=40)
    _record(cast, task, 5, land_acquired=42)
    assert LandProgress.objects.get().land_acquired == 42


def test_it_computes_completion_from_the_latest_month(cast, task):
    _record(
        cast,
        task,
        9,
        land_acquired=Decimal("60.25"),
        households_signed=20,
        area_demolished=4000,
        land_handed_over=50,
    )
    _record(
        cast,
        task,
        10,
        land_acquired=Decimal("120.5"),
        households_signed=30,
        area_demolished=4000,
        land_handed_over=50,
    )
    [row] = selectors.land_ledger(user=cast.staff)
    assert (row.latest_year, row.latest_month) == (2026, 10)
    assert row.rates == {
        "land_acquired": Decimal("100.0"),
        "households_signed": Decimal("75.0"),
        "area_demolished": Decimal("50.0"),
        "land_handed_over": Decimal("50.0"),
    }
    assert row.overall == Decimal("68.8")


def test_it_flags_work_behind_time_progress_or_past_its_date(cast, task):
    _record(cast, task, 10, land_acquired=30, households_signed=10, area_demolished=2000, land_handed_over=25)
    [row] = selectors.land_ledger(user=cast.staff)
    # 319 of 364 days gone (87.6 %), about 25 % done.
    assert row.lagging and "落后序时进度" in row.lag_reason
    other = services.land_task_save(
        by=cast.staff,
        project=cast.project_b,
        responsible_unit=cast.district_b,
        land_to_acquire=10,
        target_date=dt.date(2026, 10, 31),
    )
    row_b = selectors.land_row_for_task(other)
    assert "已超过计划完成日期（2026-10-31）仍未完成" == row_b.lag_reason
    assert {r.task for r in selectors.land_ledger(user=cast.staff, lagging=True)} == {task, other}
    assert selectors.land_ledger(user=cast.staff, lagging=False) == []


def test_it_does_not_flag_finished_work(cast, task):
    _record(
        cast,
        task,
        10,
        land_acquired=Decimal("120.5"),
        households_signed=40,
        area_demolished=8000,
        land_handed_over=100,
    )
    [row] = selectors.land_ledger(user=cast.staff)
    assert row.overall == 100 and not row.lagging


def test_it_shows_each_role_only_its_projects(cast, task):
    services.land_task_save(by=cast.staff, project=cast.project_b, responsible_unit=cast.district_b)
    assert len(selectors.land_ledger(user=cast.leader)) == 2
    assert [r.task.project for r in selectors.land_ledger(user=cast.district)] == [cast.project_a]
    assert [r.task.project for r in selectors.land_ledger(user=cast.owner_b_user)] == [cast.project_b]
    assert selectors.land_ledger(user=cast.outsider) == []
    assert [r.task.project for r in selectors.land_ledger(user=cast.staff, district=cast.district_b.pk)] == [
        cast.project_b
    ]


def test_it_raises_a_land_problem_led_by_the_responsible_unit_with_the_figures(cast, task):
    _record(cast, task, 10, land_acquired=30, households_signed=10)
    row = selectors.land_row_for_task(task)
    title, description = selectors.land_problem_text(row)
    assert "截至2026年10月" in description and "需征收 120.5 亩，已征收 30 亩（24.9%）" in description
    problem = services.land_problem_raise(
        by=cast.district, land_task=task, title=title, description=description
    )
    assert problem.category == Problem.Category.LAND
    assert problem.source == Problem.Source.LAND
    assert problem.lead_unit == cast.district_a
    assert problem.project == cast.project_a
    assert problem.title == "南宁市轨道交通5号线二期工程征地拆迁工作滞后"
