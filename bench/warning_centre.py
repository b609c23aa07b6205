#!/usr/bin/env python
"""Benchmark: recomputing every warning of 20,000 projects against one hand-written SQL pass.

Run on demand (`.venv/bin/python bench/warning_centre.py`); not part of the test suite. It builds the same
throw-away database as bench/completion.py (20,000 projects, three annual lists with an entry per
project, 36 months of reports) and adds what the other rules read: five tasks and three preliminary
items per project, a fund need per project, some completed industrial projects. "Today" is
2026-11-20. Then it times:

  recompute   warnings_recompute_all(now=…) — the scheduled job — once from empty (it creates every
              warning) and then N runs in the steady state (nothing changed: it reads every rule and
              every current warning, compares, writes nothing);
  raw SQL     one hand-written statement (UNION ALL of one SELECT per rule) returning the same
              (subject, level) rows for the seven rules that read tables directly (the combined rule is
              derived from two of them in Python, the operating rule reads a handful of rows); its rows
              must equal the engine's, so the baseline is honest;
  page        GET /warnings/ (the warning centre) as office staff: query count and median time.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import completion as comp  # noqa: E402  (the 20,000-project city)
import project_list as base  # noqa: E402  (the throw-away database and the machine description)

TODAY = dt.date(2026, 11, 20)
TASKS_PER_PROJECT = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as bench/completion.py (name must contain 'bench')")
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed steady-state runs (default 7)")
    parser.add_argument("--page-repeat", type=int, default=10, help="timed page loads (default 10)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument(
        "--page-only", action="store_true", help="with --reuse: time the page only (warnings already there)"
    )
    return parser.parse_args()


def add_rule_rows():
    """Tasks, preliminary items, fund needs and a few completed industrial projects, by INSERT … SELECT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from keyprojects.orgs.models import Organisation, User
    from keyprojects.plans.models import Batch
    from keyprojects.projects.models import FactorNeed, PrelimItem, Project
    from keyprojects.tasks.models import Task

    staff = User.objects.get(username="staff")
    department = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).order_by("pk").first()
    published = timezone.make_aware(dt.datetime(2025, 12, 20))
    with transaction.atomic(), connection.cursor() as cursor:
        Batch.objects.update(published_at=published)  # every 2026 month is owed
        five = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(TASKS_PER_PROJECT))
        # Deadlines from 60 days before to 40 days after today; one task in three done.
        base_day = (TODAY - dt.date(1970, 1, 1)).days
        deadline = (
            f"DATE('1970-01-01', '+' || ({base_day} - 60 + (p.id * 7 + n.k * 23) % 100) || ' days')"
            if connection.vendor == "sqlite"
            else f"DATE '1970-01-01' + ({base_day} - 60 + (p.id * 7 + n.k * 23) %% 100)"
        )
        if connection.vendor == "sqlite":
            deadline = deadline.replace("%", "%%")
        comp._insert_select(
            cursor,
            Task,
            {
                "project_id": "p.id",
                "title": "'基准任务'",
                "requirement": "''",
                "responsible_unit_id": str(department.pk),
                "responsible_person": "''",
                "deadline": deadline,
                "status": "CASE WHEN (p.id + n.k) %% 3 = 0 THEN 'done' "
                "WHEN n.k = 1 THEN 'doing' ELSE 'todo' END",
                "source": "'manual'",
                "prelim_kind": "''",
                "created_by_id": str(staff.pk),
            },
            f"projects_project p CROSS JOIN ({five}) n",
        )
        kinds = " UNION ALL ".join(
            f"SELECT '{kind}' AS kind, {i} AS i" for i, kind in enumerate(("eia", "energy", "tender"))
        )
        planned = (
            f"DATE('1970-01-01', '+' || ({base_day} - 90 + (p.id * 11 + q.i * 31) %% 120) || ' days')"
            if connection.vendor == "sqlite"
            else f"DATE '1970-01-01' + ({base_day} - 90 + (p.id * 11 + q.i * 31) %% 120)"
        )
        comp._insert_select(
            cursor,
            PrelimItem,
            {
                "project_id": "p.id",
                "kind": "q.kind",
                "planned_date": planned,
                "actual_date": f"CASE WHEN (p.id + q.i) %% 2 = 0 THEN {planned} END",
                "document_no": "''",
                "note": "''",
            },
            f"projects_project p CROSS JOIN ({kinds}) q",
        )
        comp._insert_select(
            cursor,
            FactorNeed,
            {
                "project_id": "p.id",
                "kind": "'funds'",
                "fund_source": "'special_bond'",
                "need_yuan": "p.total_investment / 4",
                "secured_yuan": "p.total_investment / 4 * ((p.id * 13) %% 100) / 100",
                "note": "''",
            },
            "projects_project p",
        )
        # One project in fifty: completed in 2025, industrial sector (name contains 产业).
        done = Project.objects.filter(sector__name="产业", start_date__isnull=False).order_by("pk")[::50]
        Project.objects.filter(pk__in=[p.pk for p in done]).update(
            stage="completed", completion_date=dt.date(2025, 9, 15)
        )
        # Nine projects in ten that started are registered in the statistics.
        cursor.execute(
            "UPDATE projects_project SET statistics_registered = %s, statistics_date = start_date "
            "WHERE start_date IS NOT NULL AND id %% 10 <> 3",
            [True],
        )
        cursor.execute("ANALYZE")


RAW_SQL = """
SELECT 'task', 'task:' || t.id, CASE WHEN t.deadline < %(today)s THEN 'red' ELSE 'yellow' END
FROM tasks_task t JOIN projects_project p ON p.id = t.project_id
WHERE t.status IN ('todo', 'doing') AND t.deadline <= %(task_bound)s AND p.stage <> 'cancelled'
UNION ALL
SELECT 'prelim', 'prelim:' || i.id, CASE WHEN i.planned_date < %(prelim_red)s THEN 'red' ELSE 'yellow' END
FROM projects_prelimitem i JOIN projects_project p ON p.id = i.project_id
WHERE i.actual_date IS NULL AND i.planned_date < %(today)s AND p.stage <> 'cancelled'
UNION ALL
SELECT 'start', 'entry:' || e.id,
    CASE WHEN %(month)s - e.planned_start_month >= 3 THEN 'red' ELSE 'yellow' END
FROM plans_annualentry e JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id JOIN projects_project p ON p.id = e.project_id
WHERE l.year = %(year)s AND b.status = 'published' AND p.stage <> 'cancelled' AND e.category = 'new_start'
    AND e.planned_start_month < %(month)s AND (p.start_date IS NULL OR p.start_date > %(today)s)
UNION ALL
SELECT 'investment', 'entry:' || x.id,
    CASE WHEN (x.due - x.ytd) * 1000 > x.plan * 300 THEN 'red' ELSE 'yellow' END
FROM (
    SELECT e.id, e.planned_investment AS plan, COALESCE(r.amount, 0) AS ytd,
        COALESCE({curve}, e.planned_investment * %(due)s / 12) AS due
    FROM plans_annualentry e JOIN plans_annuallist l ON l.id = e.annual_list_id
    JOIN plans_batch b ON b.id = e.batch_id JOIN projects_project p ON p.id = e.project_id
    LEFT JOIN (
        SELECT entry_id, SUM(amount) AS amount FROM plans_monthlyreport
        WHERE month <= %(due)s AND status IN ('submitted', 'approved') GROUP BY entry_id
    ) r ON r.entry_id = e.id
    WHERE l.year = %(year)s AND b.status = 'published' AND p.stage <> 'cancelled'
        AND e.category <> 'preparatory' AND e.planned_investment > 0
) x
WHERE (x.due - x.ytd) * 1000 >= x.plan * 100
UNION ALL
SELECT 'reporting', 'entry:' || e.id,
    CASE WHEN %(due)s - COALESCE(r.n, 0) >= 2 THEN 'red' ELSE 'yellow' END
FROM plans_annualentry e JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id JOIN projects_project p ON p.id = e.project_id
LEFT JOIN (
    SELECT entry_id, COUNT(*) AS n FROM plans_monthlyreport
    WHERE month <= %(due)s AND status IN ('submitted', 'approved') GROUP BY entry_id
) r ON r.entry_id = e.id
WHERE l.year = %(year)s AND b.status = 'published' AND p.stage <> 'cancelled' AND COALESCE(r.n, 0) < %(due)s
UNION ALL
SELECT 'statistics', 'project:' || p.id, CASE WHEN p.start_date <= %(stat_red)s THEN 'red' ELSE 'yellow' END
FROM projects_project p
WHERE p.statistics_registered = %(false)s AND p.start_date IS NOT NULL AND p.start_date <= %(stat_yellow)s
    AND p.stage IN ('construction', 'completed', 'operating')
UNION ALL
SELECT 'funds', 'project:' || f.project_id, 'yellow'
FROM projects_factorneed f JOIN projects_project p ON p.id = f.project_id
WHERE f.kind = 'funds' AND p.stage NOT IN ('cancelled', 'completed', 'operating')
GROUP BY f.project_id
HAVING COALESCE(SUM(f.need_yuan), 0) > 0
    AND COALESCE(SUM(f.secured_yuan), 0) * 1000 < COALESCE(SUM(f.need_yuan), 0) * 600
"""
RAW_RULES = ("task", "prelim", "start", "investment", "reporting", "statistics", "funds")


def raw_sql(vendor, due):
    if vendor == "postgresql":
        element = "(e.monthly_plan ->> {i})::bigint"
    else:
        element = "CAST(json_extract(e.monthly_plan, '$[{i}]') AS INTEGER)"
    return RAW_SQL.replace("{curve}", " + ".join(element.format(i=i) for i in range(due)))


def raw_params(due, task_bound):
    from keyprojects.alerts.rules import add_months

    return {
        "today": TODAY,
        "year": TODAY.year,
        "month": TODAY.month,
        "due": due,
        "task_bound": task_bound,
        "prelim_red": TODAY - dt.timedelta(days=30),
        "stat_yellow": add_months(TODAY, -1),
        "stat_red": add_months(TODAY, -2),
        "false": False,
    }


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms"


def time_page(args, connection):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from keyprojects.orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    for path in ("/warnings/", "/warnings/?rule=task&level=red", "/warnings/?category=new_start"):
        assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured)  # now: the next request_started clears the connection's log
        page = []
        for _ in range(args.page_repeat):
            start = time.perf_counter()
            client.get(path)
            page.append(time.perf_counter() - start)
        print(f"page      GET {path}: {queries} queries, median {ms(statistics.median(page))}")


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from keyprojects.alerts.models import ProjectWarning, WarningChange
    from keyprojects.alerts.rules import Context
    from keyprojects.alerts.services import warnings_recompute_all

    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(8, 0)))
    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            reports = comp.build(args.projects)
            add_rule_rows()
            print(
                f"setup     {args.projects:,} projects, {reports:,} reports, tasks, items, needs: "
                f"{time.perf_counter() - start:.1f} s"
            )
        base.describe(connection)

        if args.page_only:
            time_page(args, connection)
            return
        ProjectWarning.objects.all().delete()
        start = time.perf_counter()
        first = warnings_recompute_all(now=now)
        cold = time.perf_counter() - start
        print(
            f"first     {ms(cold)} — created {first['created']:,} warnings "
            f"({WarningChange.objects.count():,} history rows)"
        )

        samples, queries = [], 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                counts = warnings_recompute_all(now=now)
                samples.append(time.perf_counter() - start)
            queries = len(captured)
            assert counts == {"created": 0, "changed": 0, "green": 0}, counts
        steady = statistics.median(samples)

        ctx = Context(TODAY)
        due = ctx.due_month()
        task_bound = ctx.add_workdays(TODAY, 3)
        sql, params = raw_sql(connection.vendor, due), raw_params(due, task_bound)
        raw_samples, rows = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            raw_samples.append(time.perf_counter() - start)
        raw = statistics.median(raw_samples)
        engine = set(
            ProjectWarning.objects.filter(rule__code__in=RAW_RULES, level__in=("yellow", "red")).values_list(
                "rule__code", "subject", "level"
            )
        )
        assert set(rows) == engine, (len(rows), len(engine), sorted(set(rows) ^ engine)[:10])
        by_rule = {}
        for code, _subject, level in rows:
            by_rule.setdefault(code, [0, 0])[level == "red"] += 1
        print("rows      " + ", ".join(f"{c} {y:,}/{r:,}" for c, (y, r) in by_rule.items()) + " (yellow/red)")
        print(f"recompute median {ms(steady)} over {args.repeat} runs, {queries} queries (steady state)")
        print(f"raw SQL   median {ms(raw)} — {len(rows):,} rows, equal to the engine's")
        print(f"ratio     {steady / raw:.1f}× one SQL pass (first run from empty: {cold / raw:.1f}×)")

        time_page(args, connection)
    finally:
        base.drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    main()
