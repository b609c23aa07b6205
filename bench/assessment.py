#!/usr/bin/env python
"""Benchmark: scoring a year (考核计分) for 20,000 projects, 15 districts and 25 departments, against
hand-written SQL aggregates that produce the same numbers.

Run on demand (`.venv/bin/python bench/assessment.py`); it is not part of the test suite. Like
bench/completion.py it builds a throw-away database (a temporary SQLite file, or the PostgreSQL database
named by --database-url, created and dropped), migrates it — which seeds the default schemes — and fills
it with bulk inserts: the 2027 list with an entry per project, 12 months of reports (some late, some
returned, a few cut back by an adjustment), two tasks and two preliminary items per project, a problem
per four projects (some escalated for running out of time), instructions, supervision letters,
rectification items and closed observation tours. Then, interleaved run by run, it times:

  engine   assessment_run(period=2027, dry_run=True): every district, department and project scored
           under the default yearly schemes (the measures, the curves, the ranking), nothing written;
  raw SQL  one hand-written GROUP BY per indicator and per bonus/deduction and kind of unit, returning
           the numerators, denominators and counts the engine scores from (the curves are a few
           thousand multiplications in Python, left out of the baseline).

It asserts that the raw SQL gives every unit the same figures as the engine, indicator by indicator,
so the baseline is honest. Then it times the write once (the scores created) and again (nothing to
change: the idempotent rerun), each in a transaction rolled back.
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import completion  # noqa: E402  (INSERT … SELECT with every column's default)
import project_list as base  # noqa: E402
from _harness import Row, emit, interleave, paired  # noqa: E402  (the throw-away database and the machine description)

YEAR = 2027
TODAY = dt.date(YEAR + 1, 2, 20)
DISTRICTS, DEPARTMENTS, OWNERS = 15, 25, 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME (created and dropped by the benchmark) or sqlite:////path; "
        "NAME / the file name must contain 'bench'. Default: a temporary SQLite file.",
    )
    parser.add_argument("--projects", type=int, default=20_000, help="projects (default 20000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs per case first (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (prints where)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=True (default False)")
    parser.add_argument("--profile", action="store_true", help="cProfile one engine run, top functions")
    return parser.parse_args()


# --------------------------------------------------------------------------------------------------
# Filling the database
# --------------------------------------------------------------------------------------------------


def _aware(day: dt.date, hour=10):
    from keyprojects.plans.report_selectors import local_midnight

    return local_midnight(day) + dt.timedelta(hours=hour)


def build(projects: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from keyprojects.coordination.models import Instruction, Problem, ProblemAction
    from keyprojects.lib.text import search_key
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, MonthlyReport, ReportAdjustment
    from keyprojects.projects.models import PrelimItem, Project, Sector, Stage
    from keyprojects.supervision.models import (
        Finding,
        Inspection,
        Letter,
        Rectification,
        Tour,
        TourCriterion,
        TourScore,
    )
    from keyprojects.tasks.models import Task

    rng = random.Random(2027)
    Kind = Organisation.Kind
    with transaction.atomic():
        office = Organisation.objects.create(kind=Kind.OFFICE, name="基准市重点项目建设办公室")
        districts = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.DISTRICT, name=f"第{i + 1:02d}区", sort=i) for i in range(DISTRICTS)]
        )
        departments = Organisation.objects.bulk_create(
            [
                Organisation(kind=Kind.DEPARTMENT, name=f"市第{i + 1:02d}局", sort=i)
                for i in range(DEPARTMENTS)
            ]
        )
        owners = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.OWNER, name=f"基准业主{i:03d}有限公司") for i in range(OWNERS)]
        )
        sector = Sector.objects.order_by("sort").first()
        password = make_password(None)
        staff = User.objects.create(
            username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=password
        )
        leader = User.objects.create(
            username="leader", role=User.Role.LEADER, organisation=office, password=password
        )
        jurors = [leader, staff]
        rows = []
        for i in range(projects):
            category = i % 10
            started = {1: dt.date(YEAR, rng.randint(1, 12), 15), 2: None}.get(category, dt.date(2025, 5, 1))
            completed = dt.date(YEAR, rng.randint(1, 12), 20) if category == 3 and i % 20 < 15 else None
            name = f"基准项目{i:05d}"
            rows.append(
                Project(
                    name=name,
                    owner=owners[i % OWNERS],
                    district=districts[(i * 7) % DISTRICTS],
                    sector=sector,
                    total_investment=rng.randint(2_000, 300_000) * 10_000,
                    start_year=2025,
                    end_year=2029,
                    stage=Stage.CONSTRUCTION if started else Stage.PRELIMINARY,
                    start_date=started,
                    completion_date=completed,
                    search_text=search_key(name),
                )
            )
        Project.objects.bulk_create(rows, batch_size=2000)
        Project.departments.through.objects.bulk_create(
            [
                Project.departments.through(
                    project_id=p.pk, organisation_id=departments[(p.pk * 3) % DEPARTMENTS].pk
                )
                for p in rows
            ],
            batch_size=5000,
        )
        annual_list = AnnualList.objects.create(year=YEAR, title=f"{YEAR}年基准清单")
        batch = Batch.objects.create(
            annual_list=annual_list,
            number=1,
            name="第一批",
            status=Batch.Status.PUBLISHED,
            published_at=_aware(dt.date(YEAR - 1, 12, 20)),
            published_by=staff,
        )
        late_batch = Batch.objects.create(
            annual_list=annual_list,
            number=2,
            name="第二批",
            status=Batch.Status.PUBLISHED,
            published_at=_aware(dt.date(YEAR, 6, 15)),
            published_by=staff,
        )
        categories = {0: "preparatory", 1: "new_start", 2: "new_start", 3: "completing"}
        entries = []
        for n, p in enumerate(rows):
            category = categories.get(n % 10, "continuing")
            plan = None if category == "preparatory" else p.total_investment // 4
            curve = [plan // 12] * 12 if plan and n % 10 == 5 else None
            entries.append(
                AnnualEntry(
                    annual_list=annual_list,
                    batch=late_batch if n % 40 == 7 else batch,
                    project=p,
                    category=category,
                    planned_investment=plan,
                    baseline_investment=plan,
                    completed_before_year=0,
                    planned_start_month=(n % 12) + 1 if category == "new_start" else None,
                    planned_completion_month=(n % 12) + 1 if category == "completing" else None,
                    monthly_plan=curve,
                )
            )
        AnnualEntry.objects.bulk_create(entries, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {AnnualEntry.departments.through._meta.db_table} (annualentry_id, "
                "organisation_id) "
                "SELECT e.id, pd.organisation_id FROM plans_annualentry e "
                "JOIN projects_project_departments pd ON pd.project_id = e.project_id"
            )
            adapt = connection.ops.adapt_datetimefield_value
            months = " UNION ALL ".join(
                f"SELECT {m} AS m, '{adapt(_aware(dt.date(YEAR + (m == 12), m % 12 + 1, 2)))}' AS early, "
                f"'{adapt(_aware(dt.date(YEAR + (m == 12), m % 12 + 1, 27)))}' AS late"
                for m in range(1, 13)
            )
            cast = "CAST({} AS timestamptz)" if connection.vendor == "postgresql" else "{}"
            completion._insert_select(
                cursor,
                MonthlyReport,
                {
                    "entry_id": "e.id",
                    "month": "mo.m",
                    "amount": "CASE WHEN e.category = 'preparatory' THEN 0 "
                    "ELSE e.planned_investment / 12 * (60 + (e.id * 7 + mo.m * 13) %% 61) / 100 END",
                    "status": "CASE WHEN (e.id + mo.m) %% 50 = 0 THEN 'returned' "
                    "WHEN (e.id * 3 + mo.m) %% 37 = 0 THEN 'draft' "
                    "WHEN (e.id + mo.m * 7) %% 9 = 0 THEN 'submitted' ELSE 'approved' END",
                    "return_reason": "CASE WHEN (e.id + mo.m) %% 25 = 0 THEN '金额有误' ELSE '' END",
                    "submitted_at": "CASE WHEN (e.id * 3 + mo.m) %% 37 = 0 THEN NULL "
                    f"WHEN (e.id + mo.m) %% 11 = 0 THEN {cast.format('mo.late')} ELSE "
                    f"{cast.format('mo.early')} END",
                },
                f"plans_annualentry e CROSS JOIN ({months}) mo",
            )
        reports = list(
            MonthlyReport.objects.filter(
                status="approved", entry_id__in=[e.pk for e in entries[::40]], month=3
            )
        )
        ReportAdjustment.objects.bulk_create(
            [
                ReportAdjustment(
                    report=r,
                    old_amount=r.amount + 10_000 * (1 if n % 3 else -1),
                    new_amount=r.amount,
                    reason="核减" if n % 3 else "补报",
                    by=staff,
                )
                for n, r in enumerate(reports)
            ]
        )
        tasks = []
        for n, p in enumerate(rows):
            for k in range(2):
                deadline = dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 13 + k * 170) % 420)
                state = (n + k) % 5
                done = {
                    0: deadline - dt.timedelta(days=2),
                    1: deadline + dt.timedelta(days=9),
                    2: deadline,
                }.get(state)
                tasks.append(
                    Task(
                        project=p,
                        title="基准任务",
                        responsible_unit=departments[(n + k) % DEPARTMENTS] if k == 0 else p.district,
                        deadline=deadline,
                        status="done" if done else ("cancelled" if state == 4 and n % 7 == 0 else "doing"),
                        completed_date=done,
                        prelim_kind="approval" if (n + k) % 3 == 0 else "",
                        created_by=staff,
                    )
                )
        Task.objects.bulk_create(tasks, batch_size=5000)
        kinds = ["eia", "tender", "land_grant", "energy"]
        PrelimItem.objects.bulk_create(
            [
                PrelimItem(
                    project=p,
                    kind=kinds[(n + k) % 4],
                    planned_date=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 11 + k * 97) % 400),
                    actual_date=None
                    if (n + k) % 4 == 0
                    else dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 11 + k * 97) % 400 + (n % 3) * 10 - 10),
                )
                for n, p in enumerate(rows)
                for k in range(2)
            ],
            batch_size=5000,
        )
        problems = []
        for n, p in enumerate(rows[::4]):
            lead = departments[n % DEPARTMENTS] if n % 2 else p.district
            state = n % 4
            problems.append(
                Problem(
                    project=p,
                    category="approval",
                    title=f"基准问题{n}",
                    description="基准",
                    source="office",
                    raised_by=staff,
                    raised_by_org=office,
                    lead_unit=lead,
                    status=["resolved", "handling", "closed", "handling"][state],
                    level=1 + n % 4,
                    level_since=dt.date(YEAR, 1, 1),
                    level_deadline=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 5) % 420),
                    resolved_at=_aware(dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 7) % 360))
                    if state in (0, 2)
                    else None,
                )
            )
        Problem.objects.bulk_create(problems, batch_size=2000)
        Problem.objects.update(created_at=_aware(dt.date(YEAR, 1, 2)))
        ProblemAction.objects.bulk_create(
            [
                ProblemAction(problem=pr, kind="auto_escalate", from_level=1, to_level=2)
                for pr in problems[::5]
            ]
        )
        ProblemAction.objects.update(at=_aware(dt.date(YEAR, 3, 1)))
        Instruction.objects.bulk_create(
            [
                Instruction(
                    problem=pr,
                    leader=leader,
                    text="请加快",
                    reply_unit=pr.lead_unit,
                    reply_deadline=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 3) % 365),
                    reply="已办" if n % 3 else "",
                    replied_at=_aware(dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 3) % 365 + n % 5 - 2))
                    if n % 3
                    else None,
                )
                for n, pr in enumerate(problems[::5])
            ]
        )
        units = districts + departments
        letters = []
        for n in range(projects // 20):
            issued = dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 7) % 365)
            deadline = issued + dt.timedelta(days=14)
            state = n % 4
            letters.append(
                Letter(
                    prefix="基准督",
                    year=YEAR,
                    sequence=n + 1,
                    unit=units[n % len(units)],
                    project=rows[n],
                    subject="督办",
                    requirement="按期办结",
                    deadline_workdays=10,
                    issued_on=issued,
                    deadline=deadline,
                    level_deadline=deadline,
                    status=["signed_off", "issued", "replied", "returned"][state],
                    replied_on=deadline - dt.timedelta(days=2) if state in (0, 2) else None,
                    signed_off_on=deadline if state == 0 else None,
                    issued_by=staff,
                )
            )
        Letter.objects.bulk_create(letters, batch_size=2000)
        inspection = Inspection.objects.create(title="基准督查", date=dt.date(YEAR, 3, 1), created_by=staff)
        findings = Finding.objects.bulk_create(
            [
                Finding(inspection=inspection, project=rows[n], description="问题", created_by=staff)
                for n in range(100)
            ]
        )
        Rectification.objects.bulk_create(
            [
                Rectification(
                    finding=findings[n % 100],
                    unit=units[n % len(units)],
                    requirement="整改",
                    deadline_workdays=10,
                    assigned_on=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 5) % 365),
                    deadline=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 5) % 365 + 14),
                    status=["signed_off", "open", "submitted", "returned"][n % 4],
                    submitted_on=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 5) % 365 + 10)
                    if n % 4 in (0, 2)
                    else None,
                    signed_off_on=dt.date(YEAR, 1, 1) + dt.timedelta(days=(n * 5) % 365 + 12)
                    if n % 4 == 0
                    else None,
                )
                for n in range(projects // 20)
            ],
            batch_size=2000,
        )
        scores = []
        for t in range(10):
            tour = Tour.objects.create(
                title=f"观摩{t}", date=dt.date(YEAR, t + 1, 10), status="closed", created_by=staff
            )
            criteria = TourCriterion.objects.bulk_create(
                [
                    TourCriterion(tour=tour, name="进度", max_points=60),
                    TourCriterion(tour=tour, name="质量", max_points=40),
                ]
            )
            for p in rows[t * 37 :: projects // 30 or 1][:30]:
                for juror in jurors:
                    for c in criteria:
                        scores.append(
                            TourScore(
                                tour=tour,
                                juror=juror,
                                project=p,
                                criterion=c,
                                points=Decimal(rng.randint(c.max_points // 2, c.max_points)),
                            )
                        )
        TourScore.objects.bulk_create(scores, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "reports": MonthlyReport.objects.count(),
        "tasks": len(tasks),
        "problems": len(problems),
        "letters": len(letters),
    }


# --------------------------------------------------------------------------------------------------
# The hand-written aggregates
# --------------------------------------------------------------------------------------------------

ENTRY_KEY = {"district": "p.district_id", "department": "ed.organisation_id", "project": "e.project_id"}


def _joins(kind: str) -> str:
    """What an entry is joined to (and, for departments, its responsible units), then the year's
    published entries as the condition."""
    dept = "JOIN plans_annualentry_departments ed ON ed.annualentry_id = e.id" if kind == "department" else ""
    return (
        "JOIN plans_annuallist l ON l.id = e.annual_list_id JOIN plans_batch b ON b.id = e.batch_id "
        f"JOIN projects_project p ON p.id = e.project_id {dept} "
        "WHERE l.year = %(year)s AND b.status = 'published'"
    )


def _problems(vendor) -> str:
    auto = (
        "EXISTS (SELECT 1 FROM coordination_problemaction a WHERE a.problem_id = pr.id "
        "AND a.kind = 'auto_escalate' AND a.at < %(end_bound)s)"
    )
    return (
        f"(SELECT pr.*, {auto} AS auto FROM coordination_problem pr WHERE pr.created_at < %(end_bound)s) pr"
    )


RESOLVED_IN = "(pr.resolved_at >= %(start_bound)s AND pr.resolved_at < %(end_bound)s)"
LATE_UNRESOLVED = (
    "((pr.resolved_at IS NULL OR pr.resolved_at >= %(end_bound)s) "
    "AND (pr.level_deadline <= %(end)s OR pr.auto))"
)


def queries(vendor: str, codes: dict, months) -> list:
    """(kind, code, shape, sql) for every indicator and bonus/deduction of CODES ({kind: set of codes}).
    SHAPE says how to read the rows: "rate" (key, denominator, numerator), "count" (key, n), and a few
    special ones."""
    curve = " + ".join(
        (
            "(e.monthly_plan ->> {i})::bigint"
            if vendor == "postgresql"
            else "CAST(json_extract(e.monthly_plan, '$[{i}]') AS INTEGER)"
        ).format(i=i)
        for i in range(12)
    )
    local_date = (
        "(i.replied_at AT TIME ZONE 'Asia/Shanghai')::date"
        if vendor == "postgresql"
        else "date(i.replied_at, '+8 hours')"
    )
    out = []
    for kind, wanted in codes.items():
        key, joins = ENTRY_KEY[kind], _joins(kind)
        entries = f"plans_annualentry e {joins}"
        reports = f"plans_monthlyreport r JOIN plans_annualentry e ON e.id = r.entry_id {joins}"
        adjusted = (
            "plans_reportadjustment a JOIN plans_monthlyreport r ON r.id = a.report_id "
            f"JOIN plans_annualentry e ON e.id = r.entry_id {joins}"
        )
        problem_key = "pr.project_id" if kind == "project" else "pr.lead_unit_id"
        task_key = "t.project_id" if kind == "project" else "t.responsible_unit_id"
        sql = {}
        if wanted & {"investment_plan", "investment_pace"}:
            sql["investment_entries"] = (
                "investment_entries",
                f"SELECT {key}, SUM(e.planned_investment), SUM(COALESCE({curve}, e.planned_investment * 12 "
                "/ 12, 0)) "
                f"FROM {entries} AND e.category <> 'preparatory' GROUP BY {key}",
            )
            sql["investment_reports"] = (
                "investment_reports",
                f"SELECT {key}, SUM(r.amount) FROM {reports} "
                "AND r.month <= 12 AND r.status IN ('submitted', 'approved') AND e.category <> 'preparatory' "
                f"GROUP BY {key}",
            )
        for code, category, done in (
            ("start_rate", "new_start", "p.start_date"),
            ("completion_rate", "completing", "p.completion_date"),
        ):
            if code in wanted:
                month_field = "planned_start_month" if category == "new_start" else "planned_completion_month"
                sql[code] = (
                    "rate",
                    f"SELECT {key}, COUNT(*), SUM(CASE WHEN {done} <= %(end)s THEN 1 ELSE 0 END) FROM "
                    f"{entries} "
                    f"AND e.category = '{category}' AND (e.{month_field} <= 12 OR e.{month_field} IS NULL) "
                    f"GROUP BY {key}",
                )
        if "prelim_on_time" in wanted:
            prelim_key = "i.project_id" if kind == "project" else "p.district_id"
            sql["prelim_on_time"] = (
                "rate",
                f"SELECT {prelim_key}, COUNT(*), SUM(CASE WHEN i.actual_date <= i.planned_date THEN 1 ELSE "
                "0 END) "
                "FROM projects_prelimitem i JOIN projects_project p ON p.id = i.project_id "
                f"WHERE i.project_id IN (SELECT e.project_id FROM plans_annualentry e {_joins('project')}) "
                f"AND i.planned_date >= %(start)s AND i.planned_date <= %(end)s GROUP BY {prelim_key}",
            )
        if "problem_on_time" in wanted:
            sql["problem_on_time"] = (
                "rate",
                f"SELECT {problem_key}, SUM(CASE WHEN {RESOLVED_IN} OR {LATE_UNRESOLVED} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN {RESOLVED_IN} AND NOT pr.auto THEN 1 ELSE 0 END) FROM {_problems(vendor)} "
                f"GROUP BY {problem_key}",
            )
        if "report_on_time" in wanted:
            expected = " + ".join(
                f"SUM(CASE WHEN b.published_at IS NULL OR b.published_at < %(m{m})s THEN 1 ELSE 0 END)"
                for m in months
            )
            on_time = " OR ".join(
                f"(r.month = {m} AND r.submitted_at < %(d{m})s AND (b.published_at IS NULL OR "
                f"b.published_at < %(m{m})s))"
                for m in months
            )
            sql["report_expected"] = (
                "report_expected",
                f"SELECT {key}, {expected} FROM {entries} GROUP BY {key}",
            )
            sql["report_on_time"] = (
                "report_on_time",
                f"SELECT {key}, COUNT(*) FROM {reports} "
                f"AND r.status IN ('submitted', 'approved') AND ({on_time}) GROUP BY {key}",
            )
        if "report_quality" in wanted:
            sql["quality_returned"] = (
                "quality",
                f"SELECT {key}, COUNT(*) FROM {reports} "
                "AND r.month BETWEEN 1 AND 12 AND r.return_reason <> '' GROUP BY " + key,
            )
            sql["quality_adjusted"] = (
                "quality",
                f"SELECT {key}, COUNT(*) FROM {adjusted} AND r.month BETWEEN 1 AND 12 GROUP BY {key}",
            )
        for code, approvals in (("task_on_time", False), ("approval_on_time", True)):
            if code in wanted:
                sql[code] = (
                    "rate",
                    f"SELECT {task_key}, COUNT(*), SUM(CASE WHEN t.status = 'done' AND t.completed_date <= "
                    "t.deadline "
                    "THEN 1 ELSE 0 END) FROM tasks_task t WHERE t.deadline >= %(start)s AND t.deadline <= "
                    "%(end)s "
                    f"AND t.status <> 'cancelled' AND t.prelim_kind {'<>' if approvals else '='} '' GROUP "
                    f"BY {task_key}",
                )
        if "instruction_on_time" in wanted:
            instruction_key = "pr.project_id" if kind == "project" else "i.reply_unit_id"
            sql["instruction_on_time"] = (
                "rate",
                f"SELECT {instruction_key}, COUNT(*), SUM(CASE WHEN {local_date} <= i.reply_deadline THEN 1 "
                "ELSE 0 END) "
                "FROM coordination_instruction i JOIN coordination_problem pr ON pr.id = i.problem_id "
                "WHERE i.reply_deadline >= %(start)s AND i.reply_deadline <= %(end)s GROUP BY "
                f"{instruction_key}",
            )
        if "letters_on_time" in wanted:
            answered = (
                "(l.status IN ('replied', 'signed_off') AND l.replied_on IS NOT NULL "
                "AND l.replied_on <= l.deadline)"
            )
            issued = "(l.issued_on >= %(start)s AND l.issued_on <= %(end)s)"
            sql["letters_on_time"] = (
                "rate_late",
                f"SELECT l.unit_id, SUM(CASE WHEN {issued} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN {issued} AND l.status = 'signed_off' AND l.replied_on <= l.deadline THEN 1 "
                "ELSE 0 END), "
                f"SUM(CASE WHEN l.deadline >= %(start)s AND l.deadline <= %(end)s AND l.deadline < %(today)s "
                f"AND NOT {answered} THEN 1 ELSE 0 END) FROM supervision_letter l GROUP BY l.unit_id",
            )
        if "rectification_on_time" in wanted:
            assigned = "(x.assigned_on >= %(start)s AND x.assigned_on <= %(end)s)"
            in_time = (
                "(x.status IN ('submitted', 'signed_off') AND x.submitted_on IS NOT NULL "
                "AND x.submitted_on <= x.deadline)"
            )
            fixed = "(x.status = 'signed_off' AND x.signed_off_on IS NOT NULL AND x.signed_off_on <= %(end)s)"
            sql["rectification_on_time"] = (
                "rate_late",
                f"SELECT x.unit_id, SUM(CASE WHEN {assigned} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN {assigned} AND x.status = 'signed_off' AND x.submitted_on <= x.deadline "
                "THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN x.deadline <= %(end)s AND x.deadline < %(today)s AND NOT {in_time} AND NOT "
                f"{fixed} "
                "THEN 1 ELSE 0 END) FROM supervision_rectification x GROUP BY x.unit_id",
            )
        if "tour_score" in wanted:
            sql["tour_score"] = (
                "tours",
                "SELECT s.tour_id, s.project_id, p.district_id, s.juror_id, SUM(s.points), COUNT(*), "
                "(SELECT COUNT(*) FROM supervision_tourcriterion c WHERE c.tour_id = s.tour_id), "
                "(SELECT SUM(c.max_points) FROM supervision_tourcriterion c WHERE c.tour_id = s.tour_id) "
                "FROM supervision_tourscore s JOIN supervision_tour t ON t.id = s.tour_id "
                "JOIN projects_project p ON p.id = s.project_id "
                "WHERE t.status = 'closed' AND t.date >= %(start)s AND t.date <= %(end)s "
                "GROUP BY s.tour_id, s.project_id, p.district_id, s.juror_id",
            )
        if "bonus_big_start" in wanted:
            sql["bonus_big_start"] = (
                "count",
                f"SELECT {key}, COUNT(*) FROM {entries} AND e.category = 'new_start' AND p.start_date >= "
                "%(start)s "
                f"AND p.start_date <= %(end)s AND p.total_investment >= %(big)s GROUP BY {key}",
            )
        if "bonus_completion" in wanted:
            sql["bonus_completion"] = (
                "count",
                f"SELECT {key}, COUNT(*) FROM {entries} AND e.category = 'completing' AND p.completion_date "
                ">= %(start)s "
                f"AND p.completion_date <= %(end)s GROUP BY {key}",
            )
        if "deduction_false_report" in wanted:
            sql["deduction_false_report"] = (
                "count",
                f"SELECT {key}, COUNT(*) FROM {adjusted} AND a.new_amount < a.old_amount "
                f"AND a.at >= %(start_bound)s AND a.at < %(end_bound)s GROUP BY {key}",
            )
        if "deduction_stalled_problem" in wanted:
            sql["deduction_stalled_problem"] = (
                "count",
                f"SELECT {problem_key}, COUNT(*) FROM {_problems(vendor)} WHERE {LATE_UNRESOLVED} AND "
                "pr.level >= 3 "
                f"AND pr.status IN ('open', 'handling') GROUP BY {problem_key}",
            )
        out += [(kind, name, shape, text) for name, (shape, text) in sql.items()]
    return out


def run_raw(connection, plan, params):
    with connection.cursor() as cursor:
        results = []
        for kind, name, shape, sql in plan:
            cursor.execute(sql, params)
            results.append((kind, name, shape, cursor.fetchall()))
    return results


def raw_measures(results, units) -> dict:
    """{(kind, code): {unit: (numerator, denominator, late) or count or value}} from the raw rows, read
    as the engine reads its own: rates as (done, due, late), counts, the tours' averages."""
    from keyprojects.supervision.selectors import tour_average

    out = defaultdict(dict)
    parts = defaultdict(lambda: defaultdict(dict))
    for kind, name, shape, rows in results:
        if shape == "rate":
            out[(kind, name)] = {
                k: (int(n or 0), int(d), int(d) - int(n or 0)) for k, d, n in rows if k is not None and d
            }
        elif shape == "rate_late":
            out[(kind, name)] = {
                k: (int(n or 0), int(d), int(late or 0)) for k, d, n, late in rows if k is not None and d
            }
        elif shape == "count":
            out[(kind, name)] = {k: int(n) for k, n in rows if k is not None and n}
        elif shape == "quality":
            for k, n in rows:
                if k is not None:
                    parts[(kind, "report_quality")][k][name] = int(n)
        elif shape in ("investment_entries", "investment_reports", "report_expected"):
            for row in rows:
                if row[0] is not None:
                    parts[(kind, shape)][row[0]] = row[1:]
        elif shape == "report_on_time":
            for k, n in rows:
                if k is not None:
                    parts[(kind, "report_done")][k] = int(n)
        elif shape == "tours":
            totals = defaultdict(list)
            for tour, project, district, _juror, points, n, needed, max_total in rows:
                if n == needed:
                    totals[(tour, project, district)].append((Decimal(str(points)), int(max_total)))
            by_project = defaultdict(list)
            for (_tour, project, district), values in totals.items():
                result = tour_average([v for v, _m in values], values[0][1])
                by_project[(project, district)].append(result)
            hundredth = Decimal("0.01")
            projects = {
                key: (sum(v, Decimal(0)) / len(v)).quantize(hundredth, rounding="ROUND_HALF_UP")
                for key, v in by_project.items()
            }
            if kind == "project":
                out[(kind, name)] = {p: v for (p, _d), v in projects.items()}
            else:
                per_district = defaultdict(list)
                for (_p, d), v in projects.items():
                    per_district[d].append(v)
                out[(kind, name)] = {
                    d: (sum(v, Decimal(0)) / len(v)).quantize(hundredth, rounding="ROUND_HALF_UP")
                    for d, v in per_district.items()
                }
    for kind in units:
        entries = parts.get((kind, "investment_entries"), {})
        reports = parts.get((kind, "investment_reports"), {})
        for code, index in (("investment_plan", 0), ("investment_pace", 1)):
            if entries:
                out[(kind, code)] = {
                    k: (int((reports.get(k) or (0,))[0] or 0), int(v[index]), 0)
                    for k, v in entries.items()
                    if v[index]
                }
        expected = parts.get((kind, "report_expected"), {})
        done = parts.get((kind, "report_done"), {})
        if expected:
            out[(kind, "report_on_time")] = {
                k: (done.get(k, 0), int(v[0]), int(v[0]) - done.get(k, 0))
                for k, v in expected.items()
                if v[0]
            }
        quality = parts.get((kind, "report_quality"))
        if quality:
            out[(kind, "report_quality")] = {k: sum(v.values()) for k, v in quality.items()}
    return out


def engine_measures(result) -> dict:
    """The same figures, read from the engine's score lines (units without anything due left out)."""
    out = defaultdict(dict)
    for kind, rows in result.rows.items():
        for row in rows:
            for line in row.lines:
                code = line["code"]
                if line["kind"] != "indicator":
                    if line["count"]:
                        out[(kind, code)][row.key] = line["count"]
                elif code == "tour_score":
                    if line["value"] is not None:
                        out[(kind, code)][row.key] = Decimal(line["value"])
                elif code == "report_quality":
                    if line["count"]:
                        out[(kind, code)][row.key] = line["count"]
                elif line["denominator"]:
                    out[(kind, code)][row.key] = (line["numerator"], line["denominator"], line["late"])
    return out


def params_for(connection):
    from keyprojects.assessment.indicators import Context, report_deadlines
    from keyprojects.assessment.periods import Period
    from keyprojects.lib.dates import next_month_start
    from keyprojects.plans.report_selectors import local_midnight

    period = Period.parse(str(YEAR))
    ctx = Context(period=period, unit_kind="district")
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "year": YEAR,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "today": (period.end + dt.timedelta(days=1)).isoformat(),
        "start_bound": adapt(ctx.start_bound),
        "end_bound": adapt(ctx.end_bound),
        "big": 100_000 * 10_000,
    }
    for month, deadline in report_deadlines(ctx).items():
        params[f"d{month}"] = adapt(deadline)
        params[f"m{month}"] = adapt(local_midnight(next_month_start(YEAR, month)))
    return period, params


def compare(engine: dict, raw: dict, units: dict, codes: dict) -> int:
    """Assert the figures equal, unit by unit; the raw SQL groups every responsible unit, so only the
    kind's own units are compared. Returns how many figures were."""
    keys = {(kind, code) for kind, wanted in codes.items() for code in wanted}
    checked = 0
    for key in sorted(keys):
        mine = engine.get(key, {})
        theirs = {u: v for u, v in raw.get(key, {}).items() if u in units[key[0]]}
        assert mine == theirs, (
            f"{key}: engine and raw SQL differ: "
            + str(
                {
                    u: (mine.get(u), theirs.get(u))
                    for u in set(mine) | set(theirs)
                    if mine.get(u) != theirs.get(u)
                }
            )[:2000]
        )
        checked += len(mine)
    return checked


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from keyprojects.assessment.services import assessment_run

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            counts = build(args.projects)
            built = time.perf_counter()
            print(
                f"setup     migrate {migrated - start:.1f} s · build {args.projects:,} projects, "
                f"{counts['reports']:,} reports, {counts['tasks']:,} tasks, {counts['problems']:,} problems, "
                f"{counts['letters']:,} letters {built - migrated:.1f} s"
            )
        base.describe(connection)
        period, params = params_for(connection)

        def engine():
            return assessment_run(period=period, today=TODAY, dry_run=True)

        with CaptureQueriesContext(connection) as captured:
            result = engine()
        codes = defaultdict(set)
        units = {}
        for kind, rows in result.rows.items():
            units[kind] = {row.key for row in rows}
            for line in rows[0].lines if rows else []:
                codes[kind].add(line["code"])
        plan = queries(connection.vendor, codes, period.months)
        engine_figures = engine_measures(result)
        raw_figures = raw_measures(run_raw(connection, plan, params), units)
        checked = compare(engine_figures, raw_figures, units, codes)
        print(
            f"scored    {period.label}: "
            + ", ".join(f"{len(n):,} {k}" for k, n in units.items())
            + f"; {checked:,} unit figures equal in engine and raw SQL"
        )
        print(f"queries   engine {len(captured)} · raw SQL {len(plan)}")
        print(f"runs      {args.repeat} timed after {args.warmup} warm-ups per case, interleaved\n")

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(engine)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)

        def check(results):
            compare(engine_measures(results["engine"]), raw_measures(results["raw"], units), units, codes)

        samples = interleave(
            {"engine": engine, "raw": lambda: run_raw(connection, plan, params)},
            repeat=args.repeat,
            warmup=args.warmup,
            check=check,
        )
        engine_med, raw_med = (statistics.median(samples[k]) for k in ("engine", "raw"))
        header = f"{'case':<34} {'median s':>9} {'max s':>7}"
        print(header)
        print("-" * len(header))
        print(f"{'engine (dry run, 3 kinds of unit)':<34} {engine_med:9.3f} {max(samples['engine']):7.3f}")
        print(f"{'raw SQL aggregates':<34} {raw_med:9.3f} {max(samples['raw']):7.3f}")
        print(f"engine / raw SQL: {engine_med / raw_med:.1f}×")
        emit(
            Row(
                "assessment scoring (dry run) / raw SQL aggregates",
                "—",
                None,
                paired(samples["engine"], samples["raw"]),
                f"{engine_med:.2f} s vs {raw_med:.2f} s",
            )
        )

        with transaction.atomic():
            first = base.timed(lambda: assessment_run(period=period, today=TODAY))
            again = base.timed(lambda: assessment_run(period=period, today=TODAY))
            transaction.set_rollback(True)
        print(f"\nwrite     first run (scores created) {first:.2f} s · rerun (nothing changes) {again:.2f} s")
    finally:
        keep = args.keep or args.reuse
        base.drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}  (rerun with --database-url {url} --reuse)")


if __name__ == "__main__":
    main()
