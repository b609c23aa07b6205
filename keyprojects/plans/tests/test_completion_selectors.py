"""Completion against plan: the figures, their definitions, their scope and their query count."""

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.plans.completion_selectors import (
    completion_breakdown,
    completion_totals,
    latest_reported_month,
)
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.test import make_project

WAN = 10_000
YI = 100_000_000
Status = MonthlyReport.Status


@pytest.fixture
def world(cast):
    return plans_cast(cast)


def report(entry, month, wan, status=Status.APPROVED):
    return MonthlyReport.objects.create(entry=entry, month=month, amount=wan * WAN, status=status)


def test_it_sums_submitted_and_approved_reports_through_the_month(world):
    report(world.entry_a, 1, 1000)
    report(world.entry_a, 2, 2000, Status.SUBMITTED)
    report(world.entry_a, 3, 4000, Status.DRAFT)
    report(world.entry_a, 4, 8000, Status.RETURNED)
    report(world.entry_a, 5, 16000)  # after the month asked for
    report(world.entry_b, 2, 500)
    totals = completion_totals(user=world.staff, year=2026, month=4)
    assert totals.ytd == (1000 + 2000 + 500) * WAN
    assert totals.plan == 12 * YI + 5000 * WAN
    assert totals.entries == 2


def test_it_says_the_rate_time_progress_and_points_with_one_decimal(world):
    # 12.5 亿 plan; 1-10月 12.1437 亿 = 97.1496% → 97.1; time progress 83.3333 → 83.3;
    # ahead by 13.8163 → 13.8 points, from the exact figures (97.1 − 83.3 would say 13.8 too, not always).
    report(world.entry_a, 10, 121437)
    totals = completion_totals(user=world.staff, year=2026, month=10)
    assert totals.rate == Decimal("97.1")
    assert totals.time_progress == Decimal("83.3")
    assert totals.points == Decimal("13.8")
    assert isinstance(totals.rate, Decimal)


def test_it_rounds_half_up_and_reports_behind_as_negative_points(world):
    # 5.08125 亿 of 12.5 亿 is 40.65% exactly: half up gives 40.7 (half even would give 40.6);
    # June's time progress is 50.0, so it is 9.35 points behind: −9.4.
    MonthlyReport.objects.create(entry=world.entry_a, month=6, amount=508_125_000, status=Status.APPROVED)
    totals = completion_totals(user=world.staff, year=2026, month=6)
    assert totals.rate == Decimal("40.7")
    assert totals.time_progress == Decimal("50.0")
    assert totals.points == Decimal("-9.4")


def test_it_counts_preparatory_entries_but_leaves_them_out_of_the_plan(world):
    project = make_project(
        name="预备项目", owner=world.owner_a, district=world.district_a, sector=world.sector, start_year=2027
    )
    prep = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.batch,
        project=project,
        category=Category.PREPARATORY,
        planned_investment=3 * YI,  # a figure typed anyway: still no plan
    )
    report(prep, 1, 100)
    totals = completion_totals(user=world.staff, year=2026, month=3)
    assert totals.entries == 3
    assert totals.preparatory == 1
    assert totals.plan == 12 * YI + 5000 * WAN
    assert totals.ytd == 0


def test_it_leaves_out_entries_of_unpublished_batches(world):
    draft = Batch.objects.create(annual_list=world.annual_list, number=2, name="第二批")
    project = make_project(
        name="草稿批次项目", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    entry = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=draft,
        project=project,
        category=Category.CONTINUING,
        planned_investment=YI,
    )
    report(entry, 1, 100)
    totals = completion_totals(user=world.staff, year=2026, month=3)
    assert totals.entries == 2
    assert totals.ytd == 0


def test_it_follows_the_monthly_curve_where_an_entry_has_one(world):
    # entry_a: 12 亿 with everything planned in the second half; entry_b: 5,000 万 split evenly.
    curve = [0] * 6 + [2 * YI] * 6
    AnnualEntry.objects.filter(pk=world.entry_a.pk).update(monthly_plan=curve)
    totals = completion_totals(user=world.staff, year=2026, month=7)
    assert totals.plan_through == 2 * YI + 5000 * WAN * 7 // 12
    world.entry_a.refresh_from_db()
    world.entry_b.refresh_from_db()
    assert totals.plan_through == world.entry_a.planned_through(7) + world.entry_b.planned_through(7)
    assert totals.time_progress == Decimal("18.3")  # (2 亿 + 2,916.6666 万) ÷ 12.5 亿
    # Without curves it is month ÷ 12.
    AnnualEntry.objects.update(monthly_plan=None)
    assert completion_totals(user=world.staff, year=2026, month=7).time_progress == Decimal("58.3")
    AnnualEntry.objects.update(monthly_plan=[])
    assert completion_totals(user=world.staff, year=2026, month=7).time_progress == Decimal("58.3")


def test_it_compares_with_last_years_list_over_the_same_months(world):
    last = AnnualList.objects.create(year=2025, title="2025年清单")
    batch = Batch.objects.create(annual_list=last, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    old = AnnualEntry.objects.create(
        annual_list=last,
        batch=batch,
        project=world.project_b,
        category=Category.NEW_START,
        planned_investment=YI,
    )
    report(old, 2, 4000)
    report(old, 3, 9999)  # after the months compared
    report(world.entry_b, 1, 5000)
    totals = completion_totals(user=world.staff, year=2026, month=2)
    assert totals.ytd_last_year == 4000 * WAN
    rows, total = completion_breakdown(user=world.staff, year=2026, month=2, by="category")
    assert [r.label for r in rows] == ["新开工", "续建"]  # last year's 新开工 group has no entry this year
    assert total == totals
    assert totals.growth == Decimal("25.0")
    assert totals.entries == 2  # last year's entries are not this year's
    assert completion_totals(user=world.staff, year=2027, month=2).growth is None


def test_it_measures_the_start_rate_with_early_and_late_starts_apart(world):
    def new_start(name, planned_month, start_date):
        project = make_project(
            name=name,
            owner=world.owner_a,
            district=world.district_a,
            sector=world.sector,
            start_date=start_date,
        )
        return AnnualEntry.objects.create(
            annual_list=world.annual_list,
            batch=world.batch,
            project=project,
            category=Category.NEW_START,
            planned_investment=YI,
            planned_start_month=planned_month,
        )

    # entry_a: planned for March, not started.
    new_start("按期开工", 4, dt.date(2026, 4, 30))
    new_start("提前开工", 9, dt.date(2026, 5, 2))
    new_start("五月底后开工", 2, dt.date(2026, 6, 1))
    new_start("未定月份", None, None)
    totals = completion_totals(user=world.staff, year=2026, month=5)
    assert totals.new_starts == 5
    assert totals.planned_starts == 3  # March (entry_a), April, February
    assert totals.started == 2
    assert totals.started_on_plan == 1
    assert totals.started_early == 1
    assert totals.not_started == 2
    assert totals.start_rate == Decimal("66.7")
    december = completion_totals(user=world.staff, year=2026, month=12)
    assert december.planned_starts == 5  # no planned month counts as December


@pytest.mark.parametrize(
    ("who", "entries"),
    [("staff", 2), ("leader", 2), ("district", 1), ("department", 1), ("owner", 1), ("outsider", 0)],
)
def test_it_counts_only_what_the_user_may_see(world, who, entries):
    report(world.entry_a, 1, 100)
    report(world.entry_b, 1, 10)
    user = {"staff": world.staff, "leader": world.leader, "district": world.district}.get(who) or {
        "department": world.department_user,
        "owner": world.owner,
        "outsider": world.outsider,
    }.get(who)
    totals = completion_totals(user=user, year=2026, month=1)
    assert totals.entries == entries
    if who in ("district", "department", "owner"):
        assert totals.ytd == 100 * WAN
        assert totals.plan == 12 * YI
    rows, total = completion_breakdown(user=user, year=2026, month=1, by="district")
    assert sum(r.entries for r in rows) == entries
    assert total == completion_totals(user=user, year=2026, month=1)


def test_it_breaks_down_by_each_dimension_with_links_to_the_list(world):
    report(world.entry_a, 1, 100)
    report(world.entry_b, 1, 10)
    by = {
        slug: completion_breakdown(user=world.staff, year=2026, month=1, by=slug)[0]
        for slug in ("district", "sector", "category", "department", "leader", "over_yi")
    }
    district = {r.label: r for r in by["district"]}
    assert district["青秀区"].ytd == 100 * WAN
    assert district["青秀区"].link == {"year": 2026, "district": world.district_a.pk}
    assert district["西乡塘区"].plan == 5000 * WAN
    assert [r.label for r in by["category"]] == ["新开工", "续建"]
    assert by["category"][0].link == {"year": 2026, "category": "new_start"}
    assert [r.label for r in by["sector"]] == ["基础设施"]
    departments = {r.label: r for r in by["department"]}
    assert departments["市发展和改革委员会"].link["department"] == world.department.pk
    assert departments["未明确责任单位"].link == {}
    leaders = [r.label for r in by["leader"]]
    assert leaders == [world.leader.full_name, "未明确联系市领导"]
    assert [(r.label, r.link) for r in by["over_yi"]] == [
        ("青秀区", {"year": 2026, "district": world.district_a.pk, "over_yi": 1})
    ]
    _rows, total = completion_breakdown(user=world.staff, year=2026, month=1, by="district")
    assert (total.entries, total.ytd) == (2, 110 * WAN)


def test_it_totals_departments_without_counting_an_entry_twice(world):
    world.project_b.departments.add(world.department, world.other_department)
    world.entry_b.departments.add(world.department, world.other_department)
    rows, total = completion_breakdown(user=world.staff, year=2026, month=1, by="department")
    assert sum(r.entries for r in rows) == 3
    assert total.entries == 2


def test_it_runs_one_query_per_breakdown(world, django_assert_num_queries):
    report(world.entry_a, 1, 100)
    for slug in ("district", "sector", "category", "leader", "over_yi", "department"):
        with django_assert_num_queries(2 if slug == "department" else 1):
            completion_breakdown(user=world.staff, year=2026, month=10, by=slug)
    with django_assert_num_queries(1):
        completion_totals(user=world.district, year=2026, month=10)


# The month the pages open on


def _publish(batch, day):
    batch.published_at = dt.datetime.combine(day, dt.time(16), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    batch.save()


def test_it_opens_on_the_latest_month_with_reports_in_and_counts_the_missing(world):
    _publish(world.batch, dt.date(2025, 12, 26))
    for month in range(1, 11):
        report(world.entry_a, month, 100)
        report(world.entry_b, month, 100)
    today = dt.date(2026, 12, 3)  # November's reports are due by 7 December

    reported = latest_reported_month(user=world.staff, today=today)
    assert (reported.year, reported.month) == (2026, 10)
    assert reported.reporting.missing == 0
    assert reported.of(2026, 11).expected == 2 and reported.of(2026, 11).handed_in == 0

    report(world.entry_b, 11, 100, Status.DRAFT)  # a draft is not handed in
    assert latest_reported_month(user=world.staff, today=today).month == 10

    report(world.entry_a, 11, 100, Status.SUBMITTED)  # one of two: the month's reports are in
    reported = latest_reported_month(user=world.staff, today=today)
    assert (reported.year, reported.month) == (2026, 11)
    state = reported.reporting
    assert (state.expected, state.handed_in, state.missing) == (2, 1, 1)


def test_it_counts_in_the_users_scope(world):
    _publish(world.batch, dt.date(2025, 12, 26))
    report(world.entry_a, 10, 100)
    report(world.entry_b, 10, 100)
    report(world.entry_b, 11, 100)
    today = dt.date(2026, 12, 10)
    # The city: November has one of two reports in; district A's own project has not reported it.
    assert latest_reported_month(user=world.staff, today=today).reporting.missing == 1
    district = latest_reported_month(user=world.district, today=today)
    assert (district.year, district.month) == (2026, 10)
    assert (district.of(2026, 11).expected, district.of(2026, 11).handed_in) == (1, 0)


def test_it_opens_a_new_year_on_last_december_until_its_first_reports(world):
    _publish(world.batch, dt.date(2025, 12, 26))
    report(world.entry_a, 12, 100)
    new = AnnualList.objects.create(year=2027, title="2027年清单")
    batch = Batch.objects.create(annual_list=new, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    _publish(batch, dt.date(2026, 12, 26))
    entry = AnnualEntry.objects.create(
        annual_list=new,
        batch=batch,
        project=world.project_a,
        category=Category.CONTINUING,
        planned_investment=YI,
    )
    reported = latest_reported_month(user=world.staff, today=dt.date(2027, 1, 6))
    assert (reported.year, reported.month) == (2026, 12)
    assert reported.years == [2027, 2026]
    assert reported.reporting.missing == 1  # entry_b has not reported December yet

    report(entry, 1, 100)
    assert latest_reported_month(user=world.staff, today=dt.date(2027, 2, 3)).year == 2027


def test_it_falls_back_to_the_last_month_due_without_any_report(world):
    reported = latest_reported_month(user=world.staff, today=dt.date(2026, 12, 7))
    assert (reported.year, reported.month) == (2026, 11)
    assert reported.years == [2026]


def test_it_finds_the_month_in_one_query(world, django_assert_num_queries):
    _publish(world.batch, dt.date(2025, 12, 26))
    for month in range(1, 11):
        report(world.entry_a, month, 100)
    with django_assert_num_queries(1):
        latest_reported_month(user=world.district, today=dt.date(2026, 12, 7))
