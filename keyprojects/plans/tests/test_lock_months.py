"""Month locks: the statistics deadline is the Nth working day after month end on the Chinese calendar;
`manage.py lock_months` locks every month past it, idempotently; the office may lock by hand; after a
lock a report is refused with the date, and a correction is an adjustment with a reason."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.scheduler import JOBS
from keyprojects.plans import report_services as services
from keyprojects.plans.models import AnnualList, MonthLock, ReportAdjustment
from keyprojects.plans.report_selectors import month_deadline, report_totals
from keyprojects.plans.tests.report_world import TODAY, TZ, Status, make_report, reports_world, yuan


@pytest.fixture
def world(cast):
    return reports_world(cast)


def _locked(annual_list):
    return sorted(annual_list.locks.values_list("month", flat=True))


def test_it_counts_the_deadline_in_working_days_over_holidays(world):
    al = world.annual_list
    assert month_deadline(al, 10) == dt.date(2026, 11, 6)  # 5th working day after Sat 31 October
    assert month_deadline(al, 9) == dt.date(2026, 10, 13)  # National Day: 1–7 October off, 10 October worked
    assert month_deadline(al, 4) == dt.date(2026, 5, 11)  # Labour Day
    al.report_deadline_workdays = 3
    assert month_deadline(al, 10) == dt.date(2026, 11, 4)


def test_it_locks_every_month_past_its_deadline_and_nothing_twice(world):
    with time_machine.travel(dt.datetime(2026, 11, 6, 23, 0, tzinfo=TZ), tick=False):
        out = StringIO()
        call_command("lock_months", stdout=out)
    assert _locked(world.annual_list) == list(range(1, 10))  # 6 November is still October's deadline
    assert "已锁定 2026年9月" in out.getvalue()

    with time_machine.travel(dt.datetime(2026, 11, 7, 0, 5, tzinfo=TZ), tick=False):
        call_command("lock_months", stdout=StringIO())
        rows = list(MonthLock.objects.order_by("month").values_list("pk", "month", "locked_at"))
        audits = AuditEntry.objects.filter(model="plans.MonthLock").count()
        again = StringIO()
        call_command("lock_months", stdout=again)
    assert _locked(world.annual_list) == list(range(1, 11))
    assert list(MonthLock.objects.order_by("month").values_list("pk", "month", "locked_at")) == rows
    assert AuditEntry.objects.filter(model="plans.MonthLock").count() == audits == 10
    assert "没有需要锁定的月份" in again.getvalue()
    assert all(lock.locked_by is None for lock in MonthLock.objects.all())


def test_it_locks_a_month_whose_deadline_falls_in_a_provisional_year(world):
    # 2027 is not in the calendar package and not entered: December's deadline is counted on the
    # provisional calendar (1 January off by rule, then the weekend), never left open for good.
    AnnualList.objects.create(year=2027, title="2027年重点项目清单")
    assert month_deadline(world.annual_list, 12) == dt.date(2027, 1, 8)
    with time_machine.travel(dt.datetime(2027, 1, 20, 9, 0, tzinfo=TZ), tick=False):
        call_command("lock_months", stdout=StringIO())
    assert _locked(world.annual_list) == list(range(1, 13))


def test_it_runs_from_the_scheduler():
    assert ("lock_months", 3600) in JOBS


def test_it_lets_the_office_lock_an_ended_month_by_hand(world):
    staff = Client()
    staff.force_login(world.staff)
    with time_machine.travel(TODAY, tick=True):
        page = staff.get(reverse("report_locks"), {"year": 2026})
        assert page.status_code == 200
        assert "2026-11-06" in page.content.decode()

        response = staff.post(f"{reverse('report_locks')}?year=2026", {"month": 10}, follow=True)
        assert "2026年10月已锁定" in response.content.decode()
        lock = MonthLock.objects.get(month=10)
        assert lock.locked_by == world.staff

        refused = staff.post(f"{reverse('report_locks')}?year=2026", {"month": 11}, follow=True)
        assert "2026年11月尚未结束，不能锁定" in refused.content.decode()
        assert not MonthLock.objects.filter(month=11).exists()

        staff.post(f"{reverse('report_locks')}?year=2026", {"month": 10})
        assert MonthLock.objects.filter(month=10).count() == 1

    for user in (world.leader, world.district, world.owner):
        other = Client()
        other.force_login(user)
        assert other.post(reverse("report_locks"), {"month": 9}).status_code == 403
    assert not MonthLock.objects.filter(month=9).exists()


@pytest.fixture
def locked_report(world):
    with time_machine.travel(TODAY, tick=True):
        make_report(world.entry_b, 8, "300", status=Status.APPROVED, by=world.owner_b_user)
        report = make_report(world.entry_b, 9, "200", status=Status.APPROVED, by=world.owner_b_user)
        make_report(world.entry_b, 10, "-100", by=world.owner_b_user)
        call_command("lock_months", stdout=StringIO())
    return report


def test_it_refuses_the_owner_after_the_lock_and_takes_the_offices_adjustment(world, locked_report):
    # Sign in and ask inside one clock: a session begun on another day may have expired since.
    with time_machine.travel(TODAY, tick=True):
        owner = Client()
        owner.force_login(world.owner_b_user)
        staff = Client()
        staff.force_login(world.staff)
        url = reverse("report_adjust", args=[locked_report.pk])
        page = owner.get(reverse("report_fill", args=[world.entry_b.pk, 7]))
        assert "2026年7月已于2026-11-20锁定" in page.content.decode()

        assert owner.get(url).status_code == 403
        missing_reason = staff.post(url, {"new_amount": "250", "reason": ""})
        assert (
            "调整必须填写原因" in missing_reason.content.decode()
            or "字段是必填项" in missing_reason.content.decode()
        )

        response = staff.post(
            url, {"new_amount": "250", "reason": "统计局核定数据更正", "version": locked_report.version}
        )
        assert response.status_code == 302

        locked_report.refresh_from_db()
        assert locked_report.amount == yuan("250")
        adjustment = ReportAdjustment.objects.get()
        assert (adjustment.old_amount, adjustment.new_amount, adjustment.reason, adjustment.by) == (
            yuan("200"),
            yuan("250"),
            "统计局核定数据更正",
            world.staff,
        )
        assert report_totals(world.entry_b, 9).ytd == yuan("550")
        history = AuditEntry.objects.filter(
            model="plans.MonthlyReport", object_id=str(locked_report.pk)
        ).first()
        assert history.changes["当月完成投资（万元）"] == ["200", "250"]
        assert history.changes["调整原因"] == ["", "统计局核定数据更正"]
        detail = staff.get(reverse("report_detail", args=[locked_report.pk])).content.decode()
        assert "统计局核定数据更正" in detail and 'id="adjustments"' in detail


def test_it_keeps_the_money_rules_in_an_adjustment(world, locked_report):
    # September down to -301 would take 1–9月 below zero; and October's write-back of 100 after it.
    with pytest.raises(ValidationError, match="年度累计不能为负数"):
        services.report_adjust(report=locked_report, by=world.staff, new_amount=yuan("-250"), reason="更正")
    with pytest.raises(ValidationError, match="超过项目总投资"):
        services.report_adjust(report=locked_report, by=world.staff, new_amount=yuan("9000"), reason="更正")
    services.report_adjust(
        report=locked_report, by=world.staff, new_amount=yuan("9000"), reason="更正", explanation="总投资调增"
    )
    with pytest.raises(PermissionDenied):
        services.report_adjust(report=locked_report, by=world.owner_b_user, new_amount=1, reason="x")


def test_it_adjusts_only_locked_months(world):
    with time_machine.travel(TODAY, tick=True):
        report = make_report(world.entry_b, 10, "10")
        with pytest.raises(ValidationError, match="10月尚未锁定"):
            services.report_adjust(report=report, by=world.staff, new_amount=yuan("20"), reason="更正")
    assert not ReportAdjustment.objects.exists()
