"""Properties of the scoring engine over random small cities (hypothesis): every score within its
bounds; a unit's score never depends on another unit's records (only its rank may); recomputing a
period changes nothing."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyprojects.assessment import services
from keyprojects.assessment.indicators import BONUS
from keyprojects.assessment.models import UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.assessment.tests.world import (
    NOW,
    TODAY,
    YEAR,
    at,
    entry,
    problem,
    report,
    seed_schemes,
    task,
    year_list,
)
from keyprojects.coordination.models import Problem, ProblemAction
from keyprojects.plans.models import Category, MonthlyReport, ReportAdjustment
from keyprojects.projects.models import Project
from keyprojects.test import make_project

Q1 = Period.parse("2027Q1")
NAMES = itertools.count()

reports = st.lists(
    st.tuples(st.integers(0, 800), st.sampled_from(["on_time", "late", "missing", "returned", "draft"])),
    min_size=3,
    max_size=3,
)
entries = st.lists(
    st.tuples(
        st.sampled_from(list(Category.values)),
        st.integers(1, 3000),  # plan, 万元
        reports,
        st.integers(1, 12),  # planned start / completion month
        st.sampled_from([None, dt.date(2027, 2, 1), dt.date(2027, 5, 1)]),  # started / completed
        st.integers(0, 2),  # downward adjustments
    ),
    max_size=3,
)
tasks = st.lists(
    st.tuples(
        st.integers(0, 120), st.sampled_from(["on_time", "late", "open"]), st.booleans(), st.booleans()
    ),
    max_size=4,
)
problems = st.lists(
    st.tuples(
        st.sampled_from(["on_time", "late_open", "escalated", "not_due"]), st.integers(1, 4), st.booleans()
    ),
    max_size=3,
)
unit_records = st.fixed_dictionaries({"entries": entries, "tasks": tasks, "problems": problems})


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def base(cast):
    seed_schemes()
    cast.batch = year_list(cast)
    return cast


def build(cast, district, department, records):
    """RECORDS (drawn by hypothesis) for DISTRICT and DEPARTMENT: entries and reports of projects in the
    district (the department responsible for them), tasks and problems of both."""
    owner = cast.owner
    for category, plan, months, planned, happened, cuts in records["entries"]:
        project = Project.objects.create(
            name=f"随机项目{next(NAMES)}",
            owner=cast.owner_a,
            district=district,
            sector=cast.sector,
            total_investment=plan * 50 * 10_000,
            start_year=2026,
            end_year=2028,
            start_date=happened if category == Category.NEW_START else None,
            completion_date=happened if category == Category.COMPLETING else None,
        )
        e = entry(
            cast.batch,
            project,
            category,
            plan,
            planned_start_month=planned if category == Category.NEW_START else None,
            planned_completion_month=planned if category == Category.COMPLETING else None,
        )
        e.departments.add(department)
        for month, (wan, state) in enumerate(months, start=1):
            if state == "missing":
                continue
            submitted = at(YEAR, month + 1, 2) if state != "late" else at(YEAR, month + 1, 27)
            status = {"returned": MonthlyReport.Status.RETURNED, "draft": MonthlyReport.Status.DRAFT}.get(
                state, MonthlyReport.Status.SUBMITTED
            )
            r = report(
                e,
                month,
                wan,
                submitted,
                by=owner,
                status=status,
                return_reason="退回" if state == "returned" else "",
            )
            for _n in range(cuts if month == 1 else 0):
                ReportAdjustment.objects.create(
                    report=r, old_amount=r.amount + 1, new_amount=r.amount, reason="核减", by=cast.staff
                )
    project = make_project(
        name=f"任务项目{next(NAMES)}", owner=cast.owner_a, district=district, sector=cast.sector
    )
    for day, state, approval, of_department in records["tasks"]:
        deadline = dt.date(2027, 1, 1) + dt.timedelta(days=day)
        done = {"on_time": deadline, "late": deadline + dt.timedelta(days=5), "open": None}[state]
        unit = department if of_department else district
        task(cast, project, unit, "随机任务", deadline, done=done, prelim_kind="approval" if approval else "")
    for state, level, of_department in records["problems"]:
        lead = department if of_department else district
        created = at(YEAR, 1, 10)
        if state == "on_time":
            problem(
                cast,
                project,
                lead,
                "按时",
                created=created,
                status=Problem.Status.RESOLVED,
                resolved_at=at(YEAR, 2, 1),
                level=level,
            )
        elif state == "late_open":
            problem(
                cast, project, lead, "超时", created=created, level=level, level_deadline=dt.date(2027, 3, 1)
            )
        elif state == "escalated":
            p = problem(
                cast, project, lead, "提级", created=created, level=level, level_deadline=dt.date(2027, 6, 1)
            )
            ProblemAction.objects.create(
                problem=p, kind=ProblemAction.Kind.AUTO_ESCALATE, from_level=level - 1, to_level=level
            )
            ProblemAction.objects.filter(problem=p).update(at=at(YEAR, 2, 1))
        else:
            problem(
                cast,
                project,
                lead,
                "未到期",
                created=created,
                level=level,
                level_deadline=dt.date(2027, 6, 1),
            )


def anchor(cast):
    """One report of the quarter, so that no example is a period without data."""
    project = make_project(
        name=f"基准项目{next(NAMES)}", owner=cast.owner_a, district=cast.district_b, sector=cast.sector
    )
    report(entry(cast.batch, project, Category.CONTINUING, 100), 1, 0, at(YEAR, 2, 2), by=cast.owner)


def scores(cast) -> dict:
    result = services.assessment_run(period=Q1, today=TODAY, dry_run=True)
    return {(kind, row.key): row for kind, rows in result.rows.items() for row in rows}


def own(row) -> tuple:
    """Everything of a score but its rank."""
    return (
        row.base,
        row.bonus,
        row.deduction,
        row.total,
        row.met_target,
        row.tie_value,
        row.late_items,
        row.lines,
    )


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(mine=unit_records, theirs=unit_records)
def test_scores_stay_within_their_bounds(base, mine, theirs):
    sid = transaction.savepoint()
    try:
        anchor(base)
        build(base, base.district_a, base.department, mine)
        build(base, base.district_b, base.other_department, theirs)
        for row in scores(base).values():
            version = row.version
            assert Decimal(0) <= row.total <= version.total + version.bonus_cap
            caps = {a.code: a.cap for a in version.adjustments.all()}
            for line in row.lines:
                pts = Decimal(line["points"])
                if line["kind"] == "indicator":
                    assert Decimal(0) <= pts <= Decimal(line["weight"])
                else:
                    assert Decimal(0) <= pts <= caps[line["code"]]
            assert row.bonus <= version.bonus_cap
            assert row.base == sum(
                (Decimal(x["points"]) for x in row.lines if x["kind"] == "indicator"), Decimal(0)
            )
            assert row.total == max(Decimal(0), row.base + row.bonus - row.deduction)
            assert sum(Decimal(x["points"]) for x in row.lines if x["kind"] == BONUS) >= row.bonus
    finally:
        transaction.savepoint_rollback(sid)


@SETTINGS
@given(mine=unit_records, theirs=unit_records, others=unit_records)
def test_a_units_score_never_depends_on_another_units_records(base, mine, theirs, others):
    sid = transaction.savepoint()
    try:
        anchor(base)
        build(base, base.district_a, base.department, mine)
        before_theirs = transaction.savepoint()
        build(base, base.district_b, base.other_department, theirs)
        first = scores(base)
        transaction.savepoint_rollback(before_theirs)
        build(base, base.district_b, base.other_department, others)
        second = scores(base)
        for key in ((UnitKind.DISTRICT, base.district_a.pk), (UnitKind.DEPARTMENT, base.department.pk)):
            assert own(first[key]) == own(second[key])
    finally:
        transaction.savepoint_rollback(sid)


@SETTINGS
@given(mine=unit_records, theirs=unit_records)
def test_recomputing_a_period_changes_nothing(base, mine, theirs):
    sid = transaction.savepoint()
    try:
        anchor(base)
        build(base, base.district_a, base.department, mine)
        build(base, base.district_b, base.other_department, theirs)
        first = services.assessment_run(period=Q1, today=TODAY)
        again = services.assessment_run(period=Q1, today=TODAY + dt.timedelta(days=40))
        assert again.unchanged and again.run.revision == first.run.revision == 1
    finally:
        transaction.savepoint_rollback(sid)
