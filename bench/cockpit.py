#!/usr/bin/env python
"""Benchmark: the cockpit (驾驶舱) against hand-written SQL of the same figures.

Run on demand (`.venv/bin/python bench/cockpit.py`); it is not part of the test suite. It builds the
same throw-away database as bench/completion.py — 20,000 projects, three annual lists 2024–2026 with an
entry per project, 36 months of reports (720,000 rows) — and adds what the cockpit shows beyond
completion: varied stages and completion dates, a funds need per project, a problem for every fourth
project and a red or yellow light on three in seven. Then, for the office (staff) and a district user, it
times:

  page     GET /cockpit/?year=2026&month=10 through Django's test Client as a logged-in user
           (middleware, session, selectors, template, chart data), N runs after warm-ups;
  its SQL  the page's own queries replayed bare (cursor.execute + fetchall);
  raw SQL  hand-written SQL for the same figures: completion by district (bench/completion.py's), the
           sector and category shares, the monthly curve this year and last, the plan curve, stages,
           funds, on-time completion, problems by category and level, warnings, and the reporting
           note's entries owed and reports handed in — each one aggregate, run in sequence.

It asserts, in every round, that the raw SQL gives every figure the page shows: district rates and
amounts, the curves, the list's entries by category and sector (count and plan), the funds secured
and needed, the on-time completions, the stage counts, the open and overdue problems and the problems
by category and level, the red and yellow lights and the projects carrying them, and what the
reporting note says ("该月尚有 N 个项目未报送", "该月已全部报送" or nothing).
"""

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import completion  # noqa: E402  (the 20,000-project, 36-month database)
import project_list as base  # noqa: E402  (the throw-away database and the machine description)
from _harness import Row, emit, interleave, paired  # noqa: E402

YEAR, MONTH = 2026, 10
TODAY = dt.date(2026, 11, 15)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME (created and dropped by the benchmark) or sqlite:////path; "
        "NAME / the file name must contain 'bench'. Default: a temporary SQLite file.",
    )
    parser.add_argument("--projects", type=int, default=20_000, help="projects (default 20000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (prints where)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=True (default False)")
    parser.add_argument("--show-sql", action="store_true", help="print the page's queries with their times")
    return parser.parse_args()


# --------------------------------------------------------------------------------------------------
# What the cockpit adds to the completion benchmark's database
# --------------------------------------------------------------------------------------------------


def build_more():
    from django.db import connection, transaction

    from keyprojects.alerts.models import ProjectWarning, WarningRule
    from keyprojects.coordination.models import Problem
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.projects.models import FactorNeed

    insert = completion._insert_select

    def day(iso):  # a date literal: PostgreSQL types a CASE of bare strings as text
        return f"DATE '{iso}'" if connection.vendor == "postgresql" else f"'{iso}'"

    staff = User.objects.get(username="staff")
    department = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).first()
    rules = list(WarningRule.objects.order_by("id")[:2]) or [
        WarningRule.objects.create(code="task"),
        WarningRule.objects.create(code="investment"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # 竣工投产 entries (id % 10 = 3) plan to complete in a month; most projects did, some late.
        cursor.execute(
            "UPDATE plans_annualentry SET planned_completion_month = project_id %% 12 + 1 "
            "WHERE category = 'completing'",
            [],
        )
        cursor.execute(
            "UPDATE projects_project SET stage = CASE WHEN id %% 10 = 3 THEN 'completed' "
            "WHEN id %% 10 = 4 AND id %% 3 = 0 THEN 'operating' "
            "WHEN id %% 10 = 0 THEN 'reserve' ELSE stage END",
            [],
        )
        cursor.execute(
            "UPDATE projects_project SET completion_date = CASE WHEN id %% 4 = 0 THEN %s ELSE %s END "
            "WHERE id %% 10 = 3",
            [dt.date(2026, 12, 20), dt.date(2026, 1, 10)],
        )
        insert(
            cursor,
            FactorNeed,
            {
                "project_id": "p.id",
                "kind": "'funds'",
                "fund_source": "'loan'",
                "need_yuan": "p.total_investment / 3",
                "secured_yuan": "p.total_investment / 5",
                "need_quantity": "NULL",
                "secured_quantity": "NULL",
            },
            "projects_project p",
        )
        categories = [c.value for c in Problem.Category]
        insert(
            cursor,
            Problem,
            {
                "project_id": "p.id",
                "category": "CASE p.id %% 6 "
                + " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(categories))
                + " END",
                "title": "'基准问题'",
                "description": "'—'",
                "source": "'office'",
                "raised_by_id": str(staff.pk),
                "raised_by_org_id": str(staff.organisation_id),
                "lead_unit_id": str(department.pk),
                "status": "CASE p.id %% 5 WHEN 0 THEN 'closed' WHEN 1 THEN 'handling' ELSE 'open' END",
                "level": "p.id %% 4 + 1",
                "level_since": day("2026-09-01"),
                "level_deadline": f"CASE WHEN p.id %% 7 < 3 THEN {day('2026-10-01')} "
                f"ELSE {day('2026-12-31')} END",
                "source_report_id": "NULL",
                "source_visit_id": "NULL",
                "resolved_at": "NULL",
                "closed_at": "NULL",
            },
            "projects_project p WHERE p.id %% 4 = 0",
        )
        insert(
            cursor,
            ProjectWarning,
            {
                "rule_id": f"CASE WHEN p.id %% 2 = 0 THEN {rules[0].pk} ELSE {rules[1].pk} END",
                "project_id": "p.id",
                "subject": "'project:' || CAST(p.id AS text)",
                "level": "CASE WHEN p.id %% 2 = 0 THEN 'red' ELSE 'yellow' END",
                "message": "'基准预警'",
                "figures": "'{}'",
                "url": "''",
                "level_since": "CURRENT_TIMESTAMP",
                "first_raised_at": "CURRENT_TIMESTAMP",
            },
            "projects_project p WHERE p.id %% 7 IN (0, 1, 2)",
        )
        cursor.execute("ANALYZE")
    return {
        "problems": Problem.objects.count(),
        "warnings": ProjectWarning.objects.count(),
        "needs": FactorNeed.objects.count(),
    }


# --------------------------------------------------------------------------------------------------
# The hand-written SQL
# --------------------------------------------------------------------------------------------------

CURVE_SQL = """
SELECT l.year, r.month, SUM(r.amount)
FROM plans_monthlyreport r
JOIN plans_annualentry e ON e.id = r.entry_id
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
WHERE l.year IN (%(year)s, %(last)s) AND (l.year = %(last)s OR r.month <= %(month)s)
    AND b.status = 'published' AND r.status IN ('submitted', 'approved')
    AND e.category <> 'preparatory' {scope}
GROUP BY l.year, r.month
"""
PLAN_SQL = """
SELECT {sums}
FROM plans_annualentry e
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
WHERE l.year = %(year)s AND b.status = 'published' AND e.category <> 'preparatory' {scope}
"""
SHARES_SQL = """
SELECT e.category, p.sector_id, COUNT(*),
    SUM(CASE WHEN e.category <> 'preparatory' THEN e.planned_investment END)
FROM plans_annualentry e
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
WHERE l.year = %(year)s AND b.status = 'published' {scope}
GROUP BY e.category, p.sector_id
"""
STAGES_SQL = "SELECT p.stage, COUNT(*) FROM projects_project p WHERE 1 = 1 {scope} GROUP BY p.stage"
FUNDS_SQL = """
SELECT SUM(f.need_yuan), SUM(f.secured_yuan), COUNT(DISTINCT f.project_id)
FROM projects_factorneed f
WHERE f.kind = 'funds' AND f.need_yuan IS NOT NULL AND f.project_id IN (
    SELECT e.project_id FROM plans_annualentry e
    JOIN plans_annuallist l ON l.id = e.annual_list_id
    JOIN plans_batch b ON b.id = e.batch_id
    JOIN projects_project p ON p.id = e.project_id
    WHERE l.year = %(year)s AND b.status = 'published' {scope})
"""
COMPLETING_SQL = """
SELECT COUNT(*),
    SUM(CASE WHEN COALESCE(e.planned_completion_month, 12) <= %(month)s THEN 1 ELSE 0 END),
    SUM(CASE WHEN COALESCE(e.planned_completion_month, 12) <= %(month)s AND (p.completion_date < %(jan1)s
        OR (p.completion_date >= %(jan1)s AND p.completion_date < %(next_jan1)s
            AND {month_of} <= COALESCE(e.planned_completion_month, 12))) THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.completion_date <= %(end)s THEN 1 ELSE 0 END)
FROM plans_annualentry e
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
WHERE l.year = %(year)s AND b.status = 'published' AND e.category = 'completing' {scope}
"""
PROBLEMS_SQL = """
SELECT pr.category, pr.level, COUNT(*),
    SUM(CASE WHEN pr.status = 'handling' AND pr.level_deadline < %(today)s THEN 1 ELSE 0 END)
FROM coordination_problem pr
JOIN projects_project p ON p.id = pr.project_id
WHERE pr.status IN ('open', 'handling') {problem_scope}
GROUP BY pr.category, pr.level
"""
WARNINGS_SQL = """
SELECT SUM(CASE WHEN w.level = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN w.level = 'yellow' THEN 1 ELSE 0 END),
    COUNT(DISTINCT CASE WHEN w.level = 'red' THEN w.project_id END),
    COUNT(DISTINCT CASE WHEN w.level = 'yellow' THEN w.project_id END)
FROM alerts_projectwarning w
JOIN projects_project p ON p.id = w.project_id
WHERE w.level IN ('red', 'yellow') {scope}
"""


def raw_statements(vendor, district_id=None):
    """(name, sql, params) of every hand-written aggregate, in the page's order."""
    scope = "AND p.district_id = %(district)s" if district_id else ""
    problem_scope = (
        "AND (p.district_id = %(district)s OR pr.lead_unit_id = %(district)s OR pr.id IN ("
        "SELECT problem_id FROM coordination_problem_co_units WHERE organisation_id = %(district)s))"
        if district_id
        else ""
    )
    if vendor == "postgresql":
        element = "(e.monthly_plan ->> {i})::bigint"
        month_of = "EXTRACT(MONTH FROM p.completion_date)"
    else:
        element = "CAST(json_extract(e.monthly_plan, '$[{i}]') AS INTEGER)"
        month_of = "CAST(strftime('%%m', p.completion_date) AS INTEGER)"
    # A curve is twelve amounts or none (plans services check it): sum each month's element over the
    # entries with one, and plan × m ÷ 12 over those without.
    sums = ", ".join(
        [f"SUM(CASE WHEN e.monthly_plan IS NOT NULL THEN {element.format(i=i)} END)" for i in range(12)]
        + [
            f"SUM(CASE WHEN e.monthly_plan IS NULL THEN e.planned_investment * {m} / 12 END)"
            for m in range(1, 13)
        ]
    )
    params = {
        "year": YEAR,
        "last": YEAR - 1,
        "month": MONTH,
        "end": dt.date(YEAR, MONTH, 31).isoformat(),
        "jan1": f"{YEAR}-01-01",
        "next_jan1": f"{YEAR + 1}-01-01",
        "today": TODAY.isoformat(),
    }
    if district_id:
        params["district"] = district_id
    return [
        ("district", completion.raw_sql(vendor, district_id), params),
        ("shares", SHARES_SQL.format(scope=scope), params),
        ("curve", CURVE_SQL.format(scope=scope), params),
        ("plan", PLAN_SQL.format(sums=sums, scope=scope), params),
        ("stages", STAGES_SQL.format(scope=scope), params),
        ("funds", FUNDS_SQL.format(scope=scope), params),
        ("completing", COMPLETING_SQL.format(scope=scope, month_of=month_of), params),
        ("problems", PROBLEMS_SQL.format(problem_scope=problem_scope), params),
        ("warnings", WARNINGS_SQL.format(scope=scope), params),
        *completion.note_statements(district_id, TODAY),
    ]


def raw_figures(raw):
    """The raw rows as the page shows them (the same rounding, applied to independently computed sums)."""
    from keyprojects.lib.money import yuan_to_wan

    districts = {
        key: {k: str(v) for k, v in figures.items() if k in ("plan", "ytd", "entries", "rate", "points")}
        for key, figures in completion.raw_figures(raw["district"]).items()
    }
    amounts = {(int(y), int(m)): int(a or 0) for y, m, a in raw["curve"]}

    def cumulative(year, through):
        total, out = 0, []
        for m in range(1, through + 1):
            total += amounts.get((year, m), 0)
            out.append(str(yuan_to_wan(total)))
        return out

    (sums,) = raw["plan"]
    plan, due = [], 0
    for m in range(1, 13):
        due += int(sums[m - 1] or 0)
        plan.append(due + int(sums[11 + m] or 0))
    from keyprojects.coordination.models import Problem
    from keyprojects.lib.money import format_yi
    from keyprojects.plans.models import Category
    from keyprojects.projects.models import Sector

    sector_names = dict(Sector.objects.values_list("pk", "name"))
    sectors, categories = {}, {}
    for category, sector_id, n, planned in raw["shares"]:
        for key, shares in ((sector_names[sector_id], sectors), (str(Category(category).label), categories)):
            so_far, planned_so_far = shares.get(key, (0, 0))
            shares[key] = (so_far + int(n), planned_so_far + int(planned or 0))
    ((need, secured, _funded),) = raw["funds"]
    ((_entries, completing_due, on_time, _completed),) = raw["completing"]
    levels = sorted({int(r[1]) for r in raw["problems"]} | {1, 2, 3, 4})
    by_category = {}
    for category, level, n, _overdue in raw["problems"]:
        label = str(Problem.Category(category).label)
        by_category.setdefault(label, [0] * len(levels))[levels.index(int(level))] += int(n)
    warnings = raw["warnings"][0]
    return {
        "entries": sum(e for e, _p in categories.values()),
        "categories": {k: (e, str(yuan_to_wan(y))) for k, (e, y) in categories.items()},
        "sectors": {k: (e, str(yuan_to_wan(y))) for k, (e, y) in sectors.items()},
        "funds": (format_yi(int(secured or 0)), format_yi(int(need or 0))) if need else None,
        "completing": (int(on_time or 0), int(completing_due or 0)) if completing_due else None,
        "problemLevels": {k: v for k, v in by_category.items() if any(v)},
        "redProjects": int(warnings[2] or 0),
        "yellowProjects": int(warnings[3] or 0),
        "districts": districts,
        "thisYear": cumulative(YEAR, MONTH),
        "lastYear": cumulative(YEAR - 1, 12),
        "plan": [str(yuan_to_wan(v)) for v in plan],
        "stages": {s: int(n) for s, n in raw["stages"]},
        "problems": sum(int(r[2]) for r in raw["problems"]),
        "overdue": sum(int(r[3] or 0) for r in raw["problems"]),
        "red": int(raw["warnings"][0][0] or 0),
        "yellow": int(raw["warnings"][0][1] or 0),
        "note": completion.raw_note(raw, TODAY),
    }


CHART = re.compile(r'<script id="cockpit-data" type="application/json">(.*?)</script>', re.S)
DISTRICT = re.compile(r"[?&]district=(\d+)")
OPEN = re.compile(r"未解决问题 (\d+) 个，其中超时 (\d+) 个")
ENTRIES = re.compile(r'id="kpi-entries">(\d+)<')
FUNDS = re.compile(r"到位 ([\d,.]+) / 需求 ([\d,.]+) 亿元")
COMPLETING = re.compile(r"按期竣工 (\d+) / 计划 (\d+) 项")
LIGHTS = re.compile(r'kp-light kp-(red|yellow)".*?kp-card-figure">(\d+)<', re.S)


def page_figures(html, stage_labels):
    data = json.loads(CHART.search(html).group(1))
    districts = {
        int(DISTRICT.search(r["link"]).group(1)): {
            k: None if r[k] is None else str(r[k]) for k in ("plan", "ytd", "entries", "rate", "points")
        }
        for r in data["districts"]
    }
    stages = dict(re.findall(r'kp-chip" href="[^"]*stage=(\w+)">[^<]* <b>(\d+)</b>', html))
    problems, overdue = OPEN.search(html).groups()
    lights = dict(LIGHTS.findall(html))
    funds = FUNDS.search(html)
    completing = COMPLETING.search(html)
    projects = dict(re.findall(r"(红灯|黄灯)（(\d+) 个项目）", html))
    return {
        "entries": int(ENTRIES.search(html).group(1)),
        "categories": {r["name"]: (r["entries"], r["plan"]) for r in data["categories"]},
        "sectors": {r["name"]: (r["entries"], r["plan"]) for r in data["sectors"]},
        "funds": funds.groups() if funds else None,
        "completing": tuple(int(x) for x in completing.groups()) if completing else None,
        "problemLevels": {r["name"]: r["values"] for r in data["problems"]["categories"] if any(r["values"])},
        "redProjects": int(projects["红灯"]),
        "yellowProjects": int(projects["黄灯"]),
        "districts": districts,
        "thisYear": data["curve"]["thisYear"],
        "lastYear": data["curve"]["lastYear"],
        "plan": data["curve"]["plan"],
        "stages": {s: int(n) for s, n in stages.items()},
        "problems": int(problems),
        "overdue": int(overdue),
        "red": int(lights["red"]),
        "yellow": int(lights["yellow"]),
        "note": completion.page_note(html),
    }


def _shown(figures):
    out = dict(figures)
    out["districts"] = {
        k: {f: (None if v in (None, "None") else v) for f, v in d.items()}
        for k, d in figures["districts"].items()
    }
    return out


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------


class Case:
    def __init__(self, name, username):
        self.name, self.username = name, username
        self.url = f"/cockpit/?year={YEAR}&month={MONTH}"
        self.headers = {}


CASES = [Case("staff (whole city)", "staff"), Case("district (one district)", "district")]
LEGEND = """
page ms  median (p90) server time per request: test Client, middleware, session, selectors, template
its SQL  median time to run the page's own queries again, bare (cursor.execute + fetchall)
raw SQL  median of the hand-written aggregates of the same figures, run one after another
page/raw page ms / raw SQL ms; the three are interleaved, run by run"""


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import time_machine
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from keyprojects.orgs.models import User

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            reports = completion.build(args.projects)
            more = build_more()
            built = time.perf_counter()
            print(
                f"setup     migrate {migrated - start:.1f} s · build {args.projects:,} projects × 3 lists, "
                f"{reports:,} reports, {more['problems']:,} problems, {more['warnings']:,} warnings, "
                f"{more['needs']:,} funds needs {built - migrated:.1f} s"
            )
        base.describe(connection)
        print(f"runs      {args.repeat} timed after {args.warmup} warm-ups per case; {YEAR} 1-{MONTH}月\n")

        results = []
        with time_machine.travel(dt.datetime(2026, 11, 15, 10, 0), tick=True):
            for case in CASES:
                user = User.objects.get(username=case.username)
                client = Client()
                client.force_login(user)
                assert client.get(case.url).status_code == 200
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(case.url)
                n_queries = len(queries.captured_queries)
                district_id = user.organisation_id if user.role == User.Role.DISTRICT else None
                statements = raw_statements(connection.vendor, district_id)
                shown = _shown(page_figures(response.content.decode(), None))
                expected = _shown(raw_figures(completion.run_statements(connection, statements)))
                for key in expected:
                    assert shown[key] == expected[key], (
                        f"{case.name} {key}: page {shown[key]} != raw {expected[key]}"
                    )
                assert shown["districts"] and shown["problems"] and shown["red"], f"measures nothing: {shown}"
                if args.show_sql:
                    print(f"-- {case.name}")
                    for q in queries.captured_queries:
                        print(f"   {q['time']}s  {q['sql'][:200]}")
                captured = completion.capture_sql(connection, client, case)
                page, own, raw = _measure(client, case, connection, captured, statements, args)
                results.append((case, page, own, raw, n_queries))

        header = (
            f"{'case':<24} {'page ms':>8} {'p90 ms':>7} {'its SQL':>8} {'raw SQL':>8} {'page/raw':>9} "
            f"{'queries':>8}"
        )
        print(header)
        print("-" * len(header))
        for case, page, own, raw, nq in results:
            page_med, own_med, raw_med = (statistics.median(x) for x in (page, own, raw))
            print(
                f"{case.name:<24} {base.ms(page_med):8.1f} {base.ms(base.p90(page)):7.1f} "
                f"{base.ms(own_med):8.1f} {base.ms(raw_med):8.1f} {page_med / raw_med:8.2f}× {nq:8d}"
            )
        print(LEGEND)
        for case, page, _own, raw, nq in results:
            emit(
                Row(
                    f"cockpit, {case.name}: page / raw SQL",
                    "≤ 1.5×",
                    1.5,
                    paired(page, raw),
                    f"{base.ms(statistics.median(page)):.1f} ms vs {base.ms(statistics.median(raw)):.1f} ms, "
                    f"{nq} queries",
                )
            )
    finally:
        keep = args.keep or args.reuse
        base.drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}  (rerun with --database-url {url} --reuse)")


def _measure(client, case, connection, captured, statements, args):
    """Page, its own queries replayed and the raw SQL, interleaved (the order rotating); every figure
    the page shows is compared with the raw SQL's in every round."""

    def check(results):
        shown = _shown(page_figures(results["page"].content.decode(), None))
        expected = _shown(raw_figures(results["raw"]))
        for key in expected:
            assert shown[key] == expected[key], f"{case.name} {key}: page {shown[key]} != raw {expected[key]}"

    samples = interleave(
        {
            "page": lambda: client.get(case.url),
            "own": lambda: base.replay(connection, captured),
            "raw": lambda: completion.run_statements(connection, statements),
        },
        repeat=args.repeat,
        warmup=args.warmup,
        check=check,
    )
    return samples["page"], samples["own"], samples["raw"]


if __name__ == "__main__":
    main()
