"""The reviewer's queue: newest month first, filtered by month, project and status; a locked month is
marked and offers only approval (a return there would be refused); several reports approved at once,
each through the same gate, service and audit as one alone."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.plans.models import MonthLock, MonthlyReport
from keyprojects.plans.tests.report_world import TODAY, TZ, Status, make_report, reports_world


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(cast):
    return reports_world(cast)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _row(html, report):
    start = html.index(f'id="report-row-{report.pk}"')
    return html[start : html.index("</tr>", start)]


def test_it_marks_a_locked_month_and_offers_only_approval_there(world):
    locked = make_report(world.entry_a, 8, "10", by=world.owner)
    open_ = make_report(world.entry_a, 9, "10", by=world.owner)
    MonthLock.objects.create(annual_list=world.annual_list, month=8)
    client = _client(world.district)

    html = client.get(reverse("report_queue")).content.decode()

    locked_row, open_row = _row(html, locked), _row(html, open_)
    assert "已锁定" in locked_row and "已锁定" not in open_row
    assert reverse("report_approve", args=[locked.pk]) in locked_row
    assert reverse("report_return", args=[locked.pk]) not in locked_row
    assert reverse("report_return", args=[open_.pk]) in open_row
    response = client.post(
        reverse("report_approve", args=[locked.pk]), {"version": locked.version}, HTTP_HX_REQUEST="true"
    )
    assert "已审核" in response.content.decode()
    locked.refresh_from_db()
    assert locked.status == Status.APPROVED


def test_it_filters_the_queue_by_month_project_and_status(world):
    september = make_report(world.entry_a, 9, "10", by=world.owner)
    october = make_report(world.entry_a, 10, "10", by=world.owner)
    approved = make_report(world.entry_a, 8, "10", status=Status.APPROVED, by=world.owner)
    returned = make_report(world.entry_b, 10, "10", status=Status.RETURNED, by=world.owner_b_user)
    other = make_report(world.entry_b, 9, "10", by=world.owner_b_user)
    client = _client(world.staff)

    def shown(**params):
        return [r.pk for r in client.get(reverse("report_queue"), params).context["page"]]

    # Newest month first; within a month, the latest handed in first.
    assert shown() == [october.pk, other.pk, september.pk]
    assert shown(period="2026-09") == [other.pk, september.pk]
    assert shown(q=world.project_b.name[:4]) == [other.pk]
    assert shown(project=world.project_a.pk) == [october.pk, september.pk]
    assert shown(status="approved") == [approved.pk]
    assert shown(status="returned") == [returned.pk]
    assert shown(status="all", period="2026-10") == [october.pk, returned.pk]
    page = client.get(reverse("report_queue"), {"period": "2026-09"}).content.decode()
    assert '<option value="2026-09" selected>2026年9月</option>' in page


def test_it_approves_the_ticked_reports_each_as_one_alone(world):
    locked = make_report(world.entry_a, 8, "10", by=world.owner)
    september = make_report(world.entry_a, 9, "10", by=world.owner)
    stale = make_report(world.entry_a, 10, "10", by=world.owner)
    elsewhere = make_report(world.entry_b, 10, "10", by=world.owner_b_user)
    MonthLock.objects.create(annual_list=world.annual_list, month=8)
    MonthlyReport.objects.filter(pk=stale.pk).update(version=stale.version + 1)  # someone else's edit
    client = _client(world.district)
    queue = reverse("report_queue") + "?period=2026-10"

    response = client.post(
        reverse("report_approve_batch"),
        {
            "report": [locked.pk, september.pk, stale.pk, elsewhere.pk],
            f"version-{locked.pk}": locked.version,
            f"version-{september.pk}": september.version,
            f"version-{stale.pk}": stale.version,
            "next": queue,
        },
    )

    assert response.status_code == 302 and response.url == queue
    statuses = dict(MonthlyReport.objects.values_list("pk", "status"))
    assert statuses[locked.pk] == statuses[september.pk] == Status.APPROVED
    assert statuses[stale.pk] == statuses[elsewhere.pk] == Status.SUBMITTED
    for report in (locked, september):
        entry = AuditEntry.objects.get(model="plans.MonthlyReport", object_id=str(report.pk))
        assert entry.user == world.district and entry.project == world.project_a
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[0] == "已审核通过 2 份报送。"
    assert any(str(stale.month) + "月 未通过" in t and "已被他人修改" in t for t in texts)
    assert "1 份报送不存在或您无权查看，未处理。" in texts


def test_it_refuses_the_batch_to_those_who_do_not_review(world):
    report = make_report(world.entry_a, 9, "10", by=world.owner)
    for user in (world.owner, world.leader):
        response = _client(user).post(reverse("report_approve_batch"), {"report": [report.pk]})
        assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_it_offers_the_batch_only_on_reports_awaiting_review(world):
    waiting = make_report(world.entry_a, 9, "10", by=world.owner)
    done = make_report(
        world.entry_a,
        8,
        "10",
        status=Status.APPROVED,
        by=world.owner,
        submitted_at=dt.datetime(2026, 9, 5, 9, 0, tzinfo=TZ),
    )
    client = _client(world.district)
    html = client.get(reverse("report_queue")).content.decode()
    assert f'name="report" value="{waiting.pk}"' in html and "通过所选报送" in html
    html = client.get(reverse("report_queue"), {"status": "approved"}).content.decode()
    assert f'name="report" value="{done.pk}"' not in html and "通过所选报送" not in html
