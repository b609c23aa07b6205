"""The to-do, the review queue and the overview cost the same number of queries for 20 entries as for
300: no query per entry, per report or per row."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyprojects.plans.models import AnnualEntry, Category, MonthLock, MonthlyReport
from keyprojects.plans.tests.report_world import TODAY, Status, reports_world
from keyprojects.projects.models import Project

# Deadlines read the working-day calendar once per month shown: at most 12 months, whatever the entries.
CEILING = 40
# A report POST: session and user, the entry and its gates, then in one transaction (savepoint and
# release here) the entry lock (PostgreSQL only), the gates again, the report, the money check, the
# report's write, its audit entry and the warning mark: 11 on SQLite, 12 on PostgreSQL. It was 30 with
# the lights refreshed after the commit and the session written, 13 with the report read before the
# transaction too.
REPORT_POST_QUERIES = 12


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


def add_entries(cast, count):
    """COUNT more entries of owner A in both districts (half with the department responsible), each with
    January–August approved, September awaiting review, October returned or a draft or nothing."""
    start = Project.objects.count()
    projects = Project.objects.bulk_create(
        Project(
            name=f"预算测试项目{i}",
            owner=cast.owner_a,
            district=cast.district_a if i % 3 else cast.district_b,
            sector=cast.sector,
            total_investment=10_000_000_000,
            start_year=2025,
            end_year=2028,
            contact=f"联系人{i}",
        )
        for i in range(start, start + count)
    )
    Project.departments.through.objects.bulk_create(
        Project.departments.through(project_id=p.pk, organisation_id=cast.department.pk)
        for p in projects[::2]
    )
    entries = AnnualEntry.objects.bulk_create(
        AnnualEntry(
            annual_list=cast.annual_list,
            batch=cast.batch,
            project=p,
            category=Category.CONTINUING,
            planned_investment=100_000_000,
            completed_before_year=0,
        )
        for p in projects
    )
    now = timezone.now()
    reports = []
    for i, entry in enumerate(entries):
        for month in range(1, 11):
            status = Status.APPROVED if month < 9 else Status.SUBMITTED
            if month == 10:
                status = (Status.RETURNED, Status.DRAFT, None)[i % 3]
                if status is None:
                    continue
            handed_in = status != Status.DRAFT
            reports.append(
                MonthlyReport(
                    entry=entry,
                    month=month,
                    amount=1_000_000 + month,
                    progress="施工中",
                    status=status,
                    submitted_by=cast.owner if handed_in else None,
                    submitted_at=now if handed_in else None,
                    return_reason="请核实" if status == Status.RETURNED else "",
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=1000)


PAGES = [
    ("owner", "report_todo", {}),
    ("owner", "report_todo", {"page": "2"}),
    ("staff", "report_todo", {}),
    ("district", "report_queue", {}),
    ("department_user", "report_queue", {"page": "2"}),
    ("staff", "report_queue", {}),
    ("district", "report_queue", {"status": "all", "page": "2"}),
    ("staff", "report_queue", {"period": "2026-09", "q": "预算", "status": "submitted"}),
    ("staff", "report_status", {"year": "2026", "month": "10"}),
    ("district", "report_status", {"year": "2026", "month": "9"}),
    ("leader", "report_status", {}),
    ("staff", "report_status_export", {"year": "2026", "month": "10"}),
]


def _counts(client, cast):
    counts = {}
    for username, name, params in PAGES:
        client.force_login(getattr(cast, username))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name), params)
        assert response.status_code == 200, (username, name)
        counts[(username, name, tuple(params.items()))] = len(queries)
    return counts


def test_it_costs_the_same_queries_for_20_and_300_entries(client, cast):
    reports_world(cast)
    MonthLock.objects.create(annual_list=cast.annual_list, month=9)  # the queue marks each locked row
    add_entries(cast, 18)
    few = _counts(client, cast)

    add_entries(cast, 280)
    assert AnnualEntry.objects.count() == 300
    many = _counts(client, cast)

    assert many == few
    assert max(many.values()) <= CEILING, many


def test_it_shows_the_report_page_with_queries_that_do_not_grow(client, cast):
    reports_world(cast)
    add_entries(cast, 2)
    report = MonthlyReport.objects.filter(month=9).first()
    client.force_login(cast.staff)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("report_detail", args=[report.pk]))
    for i in range(30):
        report.adjustments.create(old_amount=i, new_amount=i + 1, reason="更正", by=cast.staff)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("report_detail", args=[report.pk]))
    assert len(many) == len(few) <= CEILING


def _submit(client, entry, month, callbacks):
    """The owner hands in ENTRY's report for MONTH; the queries of the request and of whatever runs
    after its commit."""
    with callbacks(execute=True) as after_commit, CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("report_fill", args=[entry.pk, month]),
            {"amount": "12.5", "progress": "主体施工", "version": "", "action": "submit"},
        )
    assert response.status_code == 302, response.content[:300]
    return [q["sql"] for q in queries], after_commit


def test_it_submits_a_report_in_one_transaction_with_the_same_queries_for_1_and_50_projects(
    client, cast, django_capture_on_commit_callbacks
):
    from keyprojects.alerts.models import WarningDirty

    reports_world(cast)
    add_entries(cast, 1)
    client.force_login(cast.owner)
    first = AnnualEntry.objects.filter(project__name__startswith="预算测试").get()
    few, after = _submit(client, first, 11, django_capture_on_commit_callbacks)

    add_entries(cast, 49)
    last = AnnualEntry.objects.filter(project__name__startswith="预算测试").order_by("pk").last()
    many, _after = _submit(client, last, 11, django_capture_on_commit_callbacks)

    assert len(many) == len(few) <= REPORT_POST_QUERIES, "\n".join(many)
    # One write transaction (the test's own is the outer one, so it shows as one savepoint); the lights
    # are left to the scheduled job, and the session is not written.
    assert sum(sql.startswith("SAVEPOINT") for sql in many) == 1, "\n".join(many)
    assert after == []
    assert not [sql for sql in many if "django_session" in sql and not sql.startswith("SELECT")]
    assert set(WarningDirty.objects.values_list("project_id", flat=True)) == {
        first.project_id,
        last.project_id,
    }
