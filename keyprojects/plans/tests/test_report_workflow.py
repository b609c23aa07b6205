"""The monthly report as people use it: draft, submit, return with a reason, fix, resubmit, approve;
totals derived, never typed; every step in the history; every refusal with its reason and nothing
written."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.locking import EditConflict
from keyprojects.plans import report_services as services
from keyprojects.plans.models import Batch, MonthLock, MonthlyReport
from keyprojects.plans.report_selectors import report_totals
from keyprojects.plans.tests.report_world import (
    TODAY,
    TZ,
    Status,
    fill_url,
    form_errors,
    make_report,
    post_report,
    reports_world,
    yuan,
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(cast):
    return reports_world(cast)


@pytest.fixture
def owner(client, world):
    client.force_login(world.owner)
    return client


@pytest.fixture
def owner_b(world):
    client = Client()
    client.force_login(world.owner_b_user)
    return client


@pytest.fixture
def district(world):
    client = Client()
    client.force_login(world.district)
    return client


def _audit(report):
    return list(
        AuditEntry.objects.filter(model="plans.MonthlyReport", object_id=str(report.pk)).order_by("at", "id")
    )


def test_it_takes_a_report_from_draft_to_approved_with_every_step_in_the_history(world, owner, district):
    entry = world.entry_a
    saved = post_report(owner, entry, 10, "1234.5678", action="save", progress="")
    assert saved.status_code == 302
    report = MonthlyReport.objects.get(entry=entry, month=10)
    assert (report.status, report.amount, report.version) == (Status.DRAFT, 12_345_678, 1)
    assert saved["Location"] == reverse("report_detail", args=[report.pk])

    submitted = post_report(owner, entry, 10, "1500", version=report.version, progress="桩基施工完成 60%")
    assert submitted.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.amount, report.submitted_by) == (Status.SUBMITTED, 15_000_000, world.owner)

    returned = district.post(
        reverse("report_return", args=[report.pk]),
        {"reason": "金额与形象进度不符", "version": report.version},
    )
    assert returned.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.reviewed_by) == (
        Status.RETURNED,
        "金额与形象进度不符",
        world.district,
    )

    page = owner.get(fill_url(entry, 10))
    assert "金额与形象进度不符" in page.content.decode()
    post_report(owner, entry, 10, "1400", version=report.version, progress="桩基施工完成 55%")
    report.refresh_from_db()
    assert (report.status, report.amount) == (Status.SUBMITTED, 14_000_000)

    assert (
        district.post(reverse("report_approve", args=[report.pk]), {"version": report.version}).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == Status.APPROVED

    history = _audit(report)
    status_steps = [h.changes.get("状态") for h in history]
    assert status_steps == [
        ["", "草稿"],
        ["草稿", "已报送"],
        ["已报送", "已退回"],
        ["已退回", "已报送"],
        ["已报送", "已审核"],
    ]
    assert [h.user for h in history] == [
        world.owner,
        world.owner,
        world.district,
        world.owner,
        world.district,
    ]
    assert all(h.project_id == world.project_a.pk for h in history)
    assert history[2].changes["退回原因"] == ["", "金额与形象进度不符"]
    assert history[3].changes["当月完成投资（万元）"] == ["1,500", "1,400"]

    detail = owner.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "金额与形象进度不符" in detail and "已审核" in detail


def test_it_derives_year_to_date_and_since_start_totals_from_the_reports_that_count(world):
    entry = world.entry_b  # 5,000 万 planned, 2,000 万 completed before the year, 8,000 万 in total
    make_report(entry, 1, "100")
    make_report(entry, 2, "250.5", status=Status.APPROVED)
    make_report(entry, 3, "999", status=Status.DRAFT)  # does not count
    make_report(entry, 4, "-50")  # a write-back
    make_report(entry, 5, "777", status=Status.RETURNED)  # does not count

    totals = report_totals(entry, 4)
    assert totals.ytd == yuan("300.5")
    assert totals.since_start == yuan("2300.5")
    assert str(totals.percent_of_plan) == "6.0"  # 300.5 / 5,000
    # The form's preview: as if this month's report counted with the amount being typed.
    assert report_totals(entry, 3, amount=yuan("49.5")).ytd == yuan("400")


def test_it_shows_the_totals_as_the_owner_types(world, owner_b):
    make_report(world.entry_b, 1, "100")
    url = reverse("report_preview", args=[world.entry_b.pk, 2])
    html = owner_b.get(url, {"amount": "23.4567"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="totals-ytd">123.4567<' in html
    assert 'id="totals-since">2,123.4567<' in html
    assert 'id="totals-percent">2.5%<' in html

    assert "最多保留 4 位小数" in owner_b.get(url, {"amount": "1.23456"}).content.decode()
    assert "年度累计不能为负数" in owner_b.get(url, {"amount": "-100.0001"}).content.decode()


REFUSALS = {
    "negative year to date": ("-100.0001", {}, "年度累计不能为负数"),
    "over total investment without explanation": ("6000.0001", {}, "超过项目总投资"),
    "more than 4 decimals": ("12.34567", {}, "最多保留 4 位小数"),
    "no physical progress on submit": ("10", {"progress": " "}, "必须填写形象进度"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_it_refuses_a_bad_report_with_the_reason_and_writes_nothing(world, owner_b, case):
    make_report(world.entry_b, 1, "100")
    before = (MonthlyReport.objects.count(), AuditEntry.objects.count())
    amount, fields, reason = REFUSALS[case]

    response = post_report(owner_b, world.entry_b, 2, amount, **fields)

    assert response.status_code == 200
    assert any(reason in e for e in form_errors(response)), form_errors(response)
    assert reason in response.content.decode()
    assert (MonthlyReport.objects.count(), AuditEntry.objects.count()) == before


def test_it_takes_a_since_start_total_over_the_total_investment_with_an_explanation(world, owner_b):
    response = post_report(owner_b, world.entry_b, 1, "6000.0001", explanation="总投资调增，已报发改委审批")
    assert response.status_code == 302
    assert MonthlyReport.objects.get(entry=world.entry_b, month=1).explanation == "总投资调增，已报发改委审批"


def test_it_accepts_a_write_back_that_keeps_the_year_to_date_total_at_zero_or_more(world, owner_b):
    make_report(world.entry_b, 1, "100")
    assert post_report(owner_b, world.entry_b, 2, "-100").status_code == 302
    # And a later write-back may not take a month that counts below zero either.
    assert post_report(owner_b, world.entry_b, 3, "-0.0001").status_code == 200


def test_it_refuses_to_change_an_earlier_month_so_that_a_later_total_falls_below_zero(world, owner_b):
    make_report(world.entry_b, 1, "100", status=Status.RETURNED)
    make_report(world.entry_b, 2, "50")
    make_report(world.entry_b, 3, "-120")  # counted: 1–3月 would be 30 once January counts again
    report = MonthlyReport.objects.get(entry=world.entry_b, month=1)
    response = post_report(owner_b, world.entry_b, 1, "60", version=report.version)
    assert "1-3月累计完成投资为 -10 万元" in " ".join(form_errors(response))


def test_it_refuses_a_locked_month_with_the_date_it_was_locked(world, owner):
    MonthLock.objects.create(annual_list=world.annual_list, month=9)
    MonthLock.objects.filter(month=9).update(locked_at=dt.datetime(2026, 10, 14, 0, 30, tzinfo=TZ))
    page = owner.get(fill_url(world.entry_a, 9))
    assert "2026年9月已于2026-10-14锁定" in page.content.decode()
    assert "<fieldset disabled>" in page.content.decode()

    response = post_report(owner, world.entry_a, 9, "10")
    assert "2026年9月已于2026-10-14锁定" in " ".join(form_errors(response))
    assert not MonthlyReport.objects.filter(month=9).exists()


def test_it_refuses_a_month_in_the_future(world, owner):
    response = post_report(owner, world.entry_a, 12, "10")
    assert "2026年12月尚未开始，不能填报" in " ".join(form_errors(response))
    assert not MonthlyReport.objects.exists()


def test_it_takes_the_current_month_before_it_ends(world, owner):
    assert post_report(owner, world.entry_a, 11, "10").status_code == 302


def test_it_refuses_an_entry_whose_batch_is_not_published(world, owner):
    Batch.objects.filter(pk=world.batch.pk).update(status=Batch.Status.DRAFT)
    # The owner does not even see an entry of an unpublished batch; the office sees it and is refused.
    assert post_report(owner, world.entry_a, 10, "10").status_code == 404
    staff = Client()
    staff.force_login(world.staff)
    response = post_report(staff, world.entry_a, 10, "10")
    assert "不在已发布的年度清单上" in " ".join(form_errors(response))
    assert not MonthlyReport.objects.exists()


def test_it_refuses_to_change_a_report_once_handed_in(world, owner):
    report = make_report(world.entry_a, 10, "10", by=world.owner)
    assert owner.get(fill_url(world.entry_a, 10))["Location"] == reverse("report_detail", args=[report.pk])
    response = post_report(owner, world.entry_a, 10, "99", version=report.version)
    assert "10月报送已提交，正在等待审核" in " ".join(form_errors(response))
    report.refresh_from_db()
    assert report.amount == yuan("10")


def test_it_refuses_the_later_of_two_edits_and_keeps_the_input(world, owner):
    report = make_report(world.entry_a, 10, "10", status=Status.DRAFT)
    other = Client()
    other.force_login(world.staff)  # the office fills in on the owner's behalf at the same time
    assert (
        post_report(other, world.entry_a, 10, "20", action="save", version=report.version).status_code == 302
    )

    refused = post_report(owner, world.entry_a, 10, "30.5", action="save", version=report.version)

    html = refused.content.decode()
    assert "其他人已修改" in html
    assert 'value="30.5"' in html and 'id="conflict"' in html
    report.refresh_from_db()
    assert (report.amount, report.version) == (yuan("20"), 2)
    assert f'name="version" value="{report.version}"' in html  # the next save is a deliberate one


def test_it_refuses_a_second_first_save_of_the_same_month(world, owner):
    assert post_report(owner, world.entry_a, 10, "10", action="save").status_code == 302
    refused = post_report(owner, world.entry_a, 10, "11", action="save")  # opened before the first save
    assert "其他人已修改" in refused.content.decode()
    assert MonthlyReport.objects.get(entry=world.entry_a, month=10).amount == yuan("10")


def test_it_requires_a_reason_to_return_a_report(world, district):
    report = make_report(world.entry_a, 10, "10", by=world.owner)
    response = district.post(reverse("report_return", args=[report.pk]), {"reason": "  "}, follow=True)
    assert "退回时必须填写退回原因" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.monthly_report_return(report=report, by=world.district, reason="")


def test_it_reviews_only_submitted_reports(world):
    report = make_report(world.entry_a, 10, "10", status=Status.DRAFT)
    with pytest.raises(ValidationError, match="只有已报送的报送可以审核"):
        services.monthly_report_approve(report=report, by=world.district)


def test_it_refuses_a_review_made_on_an_outdated_version(world):
    report = make_report(world.entry_a, 10, "10", by=world.owner)
    with pytest.raises(EditConflict):
        services.monthly_report_approve(report=report, by=world.district, expected_version=report.version + 1)


def test_it_lets_the_responsible_department_review_but_not_another_district(world):
    report = make_report(world.entry_a, 10, "10", by=world.owner)
    department, other_district = Client(), Client()
    department.force_login(world.department_user)
    other_district.force_login(world.district_b_user)
    assert other_district.post(reverse("report_approve", args=[report.pk])).status_code == 404
    assert department.post(reverse("report_approve", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (Status.APPROVED, world.department_user)


def test_it_swaps_the_queue_row_when_a_reviewer_returns_a_report(world, district):
    report = make_report(world.entry_a, 10, "10", by=world.owner)
    url = reverse("report_return", args=[report.pk])

    missing = district.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 200
    assert "退回时必须填写退回原因" in missing.content.decode()
    assert missing.content.decode().lstrip().startswith(f'<tr id="report-row-{report.pk}"')

    done = district.post(url, {"reason": "照片缺失", "version": report.version}, HTTP_HX_REQUEST="true")
    html = done.content.decode()
    assert "已退回" in html and "照片缺失" in html and "hx-post" not in html
    report.refresh_from_db()
    assert report.status == Status.RETURNED


def test_it_lets_the_office_report_on_an_owners_behalf(world):
    client = Client()
    client.force_login(world.staff)
    assert post_report(client, world.entry_b, 10, "12").status_code == 302
    report = MonthlyReport.objects.get(entry=world.entry_b, month=10)
    assert report.submitted_by == world.staff


def test_it_keeps_returned_reports_out_of_locked_months(world, district):
    report = make_report(world.entry_a, 9, "10", by=world.owner)
    MonthLock.objects.create(annual_list=world.annual_list, month=9)
    response = district.post(
        reverse("report_return", args=[report.pk]),
        {"reason": "请核实", "version": report.version},
        follow=True,
    )
    assert "锁定，不能退回" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    # Approving changes no figure: still allowed.
    district.post(reverse("report_approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == Status.APPROVED
