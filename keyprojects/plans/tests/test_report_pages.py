"""The owner's to-do, the reviewer's queue, the office's overview and its Excel list."""

import datetime as dt
import re
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.plans.models import AnnualEntry, Batch, Category, MonthLock
from keyprojects.plans.report_selectors import month_deadline
from keyprojects.plans.tests.report_world import TODAY, TZ, Status, make_report, reports_world
from keyprojects.projects.models import Project
from keyprojects.test import make_project


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


def test_it_lists_what_the_owner_owes_returned_first_with_working_days_left(world):
    entry = world.entry_a
    for month in range(1, 9):
        make_report(entry, month, "10", status=Status.APPROVED, by=world.owner)
    make_report(entry, 9, "10", status=Status.RETURNED, by=world.owner, return_reason="请补充现场照片")
    make_report(entry, 10, "10", status=Status.DRAFT)
    MonthLock.objects.create(annual_list=world.annual_list, month=8)

    response = _client(world.owner).get(reverse("report_todo"))

    items = list(response.context["page"])
    assert [(i.entry, i.month) for i in items] == [(entry, 9), (entry, 10)]
    assert items[0].returned
    html = response.content.decode()
    assert "请补充现场照片" in html
    assert html.index("修改重报") < html.index("继续填报")
    # October's deadline, 6 November, passed 10 working days before Friday 20 November.
    assert items[1].deadline == dt.date(2026, 11, 6)
    assert "逾期 10 个工作日" in html
    assert world.project_b.name not in html  # owner B's project is not owner A's business
    assert reverse("report_fill", args=[entry.pk, 9]) in html


def test_it_sums_up_what_the_owner_owes_in_one_sentence_in_each_language(world):
    entry = world.entry_a
    for month in range(1, 9):
        make_report(entry, month, "10", status=Status.APPROVED, by=world.owner)
    make_report(entry, 9, "10", status=Status.RETURNED, by=world.owner, return_reason="请补充现场照片")
    client = _client(world.owner)

    def summary():
        html = client.get(reverse("report_todo")).content.decode()
        return " ".join(re.search(r'id="todo-summary">(.*?)</p>', html, re.S).group(1).split())

    assert summary().startswith("共 2 项待报，其中退回 1 项，逾期 2 项。")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert summary().startswith("2 reports pending, 1 returned, 2 overdue. ")


def test_it_counts_the_working_days_left_before_a_deadline(world):
    for month in range(1, 10):
        make_report(world.entry_a, month, "1", by=world.owner)
    with time_machine.travel(dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ), tick=False):
        html = _client(world.owner).get(reverse("report_todo")).content.decode()
    assert "剩余 3 个工作日" in html  # 4, 5, 6 November


def test_it_counts_locked_months_still_owed_apart(world):
    MonthLock.objects.bulk_create(MonthLock(annual_list=world.annual_list, month=m) for m in range(1, 10))
    response = _client(world.owner).get(reverse("report_todo"))
    assert [i.month for i in response.context["page"]] == [10]
    assert "另有 9 个月份已锁定但未报送" in response.content.decode()


def test_it_owes_nothing_before_the_batch_was_published(world):
    Batch.objects.filter(pk=world.batch.pk).update(published_at=dt.datetime(2026, 9, 15, 9, 0, tzinfo=TZ))
    response = _client(world.owner).get(reverse("report_todo"))
    assert [i.month for i in response.context["page"]] == [9, 10]
    Batch.objects.filter(pk=world.batch.pk).update(status=Batch.Status.DRAFT)
    assert list(_client(world.owner).get(reverse("report_todo")).context["page"]) == []


def test_it_shows_reviewers_their_queue_newest_month_first(world):
    late = make_report(world.entry_a, 10, "10", by=world.owner)
    early = make_report(
        world.entry_a, 9, "20", by=world.owner, submitted_at=dt.datetime(2026, 10, 9, 9, 0, tzinfo=TZ)
    )
    make_report(world.entry_b, 10, "30", by=world.owner_b_user)
    make_report(world.entry_a, 8, "5", status=Status.APPROVED, by=world.owner)

    page = _client(world.district).get(reverse("report_queue")).context["page"]
    assert [r.pk for r in page] == [late.pk, early.pk]
    assert [r.ytd for r in page] == [50_000 + 200_000 + 100_000, 50_000 + 200_000]  # 万 × 10,000
    staff_page = _client(world.staff).get(reverse("report_queue")).context["page"]
    assert len(staff_page) == 3
    department_page = _client(world.department_user).get(reverse("report_queue")).context["page"]
    assert {r.entry for r in department_page} == {world.entry_a}


@pytest.fixture
def overview(world):
    """Ten entries in district A and two in B for October: approved, awaiting, returned, drafts, none,
    one handed in after the deadline."""
    entries = [world.entry_a]
    for i in range(9):
        project = make_project(
            name=f"青秀区测试项目{i}", owner=world.owner_a, district=world.district_a, sector=world.sector
        )
        Project.objects.filter(pk=project.pk).update(contact=f"=联系人{i}", phone="+86 771 000")
        entries.append(
            AnnualEntry.objects.create(
                annual_list=world.annual_list,
                batch=world.batch,
                project=project,
                category=Category.CONTINUING,
                planned_investment=10_000_000,
            )
        )
    deadline = month_deadline(world.annual_list, 10)
    late_at = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(9, 0), tzinfo=TZ)
    on_time = dt.datetime.combine(deadline, dt.time(23, 59), tzinfo=TZ)
    states = [Status.APPROVED, Status.APPROVED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT]
    for entry, state in zip(entries, states, strict=False):
        make_report(entry, 10, "1", status=state, by=world.owner, submitted_at=on_time)
    make_report(entries[5], 10, "1", status=Status.SUBMITTED, by=world.owner, submitted_at=late_at)
    make_report(world.entry_b, 10, "1", status=Status.APPROVED, by=world.owner_b_user, submitted_at=on_time)
    # An entry of an unpublished batch is not expected.
    draft_batch = Batch.objects.create(annual_list=world.annual_list, number=2, name="第二批")
    AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=draft_batch,
        project=make_project(
            name="未发布", owner=world.owner_a, district=world.district_a, sector=world.sector
        ),
        category=Category.PREPARATORY,
    )
    return entries


def test_it_sums_up_each_districts_reports_for_the_month(world, overview):
    response = _client(world.staff).get(reverse("report_status"), {"year": 2026, "month": 10})
    status = response.context["status"]
    rows = {r["district"]: r for r in status["rows"]}
    a = rows["青秀区"]
    assert (
        a["expected"],
        a["handed_in"],
        a["approved"],
        a["awaiting"],
        a["returned"],
        a["missing"],
        a["late"],
    ) == (
        10,
        4,
        2,
        2,
        1,
        5,
        1,
    )
    assert str(a["rate"]) == "40.0"
    b = rows["西乡塘区"]
    assert (b["expected"], b["handed_in"], b["missing"]) == (1, 1, 0)
    assert status["totals"]["expected"] == 11
    assert status["deadline"] == dt.date(2026, 11, 6)

    missing = {e.project.name: e.state for e in response.context["missing"]}
    assert missing == {
        "青秀区测试项目2": "returned",
        "青秀区测试项目3": "missing",  # a draft is not handed in
        "青秀区测试项目4": "late",
        **{f"青秀区测试项目{i}": "missing" for i in range(5, 9)},
    }
    html = response.content.decode()
    assert 'id="chart-report-status"' in html and 'id="report-status-data"' in html


def test_it_shows_a_district_only_its_own(world, overview):
    response = _client(world.district).get(reverse("report_status"), {"year": 2026, "month": 10})
    assert [r["district"] for r in response.context["status"]["rows"]] == ["青秀区"]
    filtered = _client(world.staff).get(
        reverse("report_status"), {"year": 2026, "month": 10, "district": world.district_b.pk}
    )
    assert filtered.context["missing"] == []


def test_it_exports_the_missing_and_late_list_with_user_text_as_text(world, overview):
    response = _client(world.staff).get(reverse("report_status_export"), {"year": 2026, "month": 10})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report-missing-2026-10.xlsx"'
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    body, total = rows[:-1], rows[-1]
    assert len(body) == 7
    assert total[2] == "合计：7 个"
    first = body[0]
    assert first[5] == "=联系人2" and first[6] == "+86 771 000"
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert {r[7] for r in body} == {"未报送", "已退回未重报", "逾期报送"}


def test_it_opens_the_overview_on_the_last_month_that_ended(world, overview):
    response = _client(world.leader).get(reverse("report_status"))
    assert (response.context["annual_list"], response.context["month"]) == (world.annual_list, 10)


def test_it_shows_an_entrys_twelve_months_with_links_to_fill_in(world):
    make_report(world.entry_a, 1, "10", status=Status.APPROVED, by=world.owner)
    make_report(world.entry_a, 2, "-4", by=world.owner)
    MonthLock.objects.create(annual_list=world.annual_list, month=3)
    response = _client(world.owner).get(reverse("report_entry", args=[world.entry_a.pk]))
    months = response.context["months"]
    assert [m["ytd"] for m in months[:3]] == [100_000, 60_000, 60_000]
    assert [m["due"] for m in months] == [True] * 10 + [False] * 2
    html = response.content.decode()
    assert reverse("report_fill", args=[world.entry_a.pk, 4]) in html
    assert reverse("report_fill", args=[world.entry_a.pk, 3]) not in html  # locked
    assert reverse("report_fill", args=[world.entry_a.pk, 12]) not in html  # not begun
    assert world.project_a.get_absolute_url() in html
    leader = _client(world.leader).get(reverse("report_entry", args=[world.entry_a.pk])).content.decode()
    assert reverse("report_fill", args=[world.entry_a.pk, 4]) not in leader
