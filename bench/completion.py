#!/usr/bin/env python
"""Benchmark: the completion-by-district page against the hand-written SQL aggregate of the same figures.

Run on demand (`.venv/bin/python bench/completion.py`); it is not part of the test suite. Like
bench/project_list.py it builds a throw-away database — a temporary SQLite file by default, or the
PostgreSQL database named by --database-url, created and dropped — migrates it, and fills it directly
with bulk inserts (not the demo: 20,000 projects, three annual lists 2024–2026 with an entry per project
each, 36 months of reports: 720,000 rows, in seconds). Then for each case it times:

  page     GET /plans/completion/?year=2026&month=10&by=district through Django's test Client as a
           logged-in user (middleware, session, selectors, template, chart data), N runs after warm-ups;
  its SQL  the page's own queries replayed bare (cursor.execute + fetchall);
  raw SQL  one hand-written aggregate (a derived table of year-to-date sums joined to the entries,
           grouped by district) returning the same figures, and for a full page the two counts behind
           its reporting note (entries owed, reports handed in, from the page's month on).

It asserts that the raw SQL gives the same figures as the page shows (plan, completion, rates, time
progress, points, growth, start rate per district, and what the reporting note says), so the
baseline is honest. It also times the
official progress table download (completion_table) for the whole city: ~20,000 rows.
"""

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import project_list as base  # noqa: E402
from _harness import Row, emit, interleave, paired  # noqa: E402  (the throw-away database and the machine description)

YEAR, MONTH = 2026, 10
YEARS = (2024, 2025, 2026)
DISTRICTS, DEPARTMENTS, OWNERS, LEADERS = 15, 25, 500, 6
SECTORS = ("产业", "基础设施", "社会民生", "生态环保")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME (created and dropped by the benchmark) or sqlite:////path; "
        "NAME / the file name must contain 'bench'. Default: a temporary SQLite file.",
    )
    parser.add_argument("--projects", type=int, default=20_000, help="projects (default 20000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument(
        "--table-repeat", type=int, default=3, help="timed table downloads (default 3, 0: none)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (prints where)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=True (default False)")
    parser.add_argument("--show-sql", action="store_true", help="print the page's queries and the plans")
    return parser.parse_args()


# --------------------------------------------------------------------------------------------------
# Filling the database: the ORM for the few hundred reference rows and the projects, INSERT … SELECT
# for the entries and the reports.
# --------------------------------------------------------------------------------------------------


def _insert_select(cursor, model, values: dict, select_from: str):
    """INSERT INTO MODEL's table (every concrete column) SELECT … FROM SELECT_FROM: VALUES maps column →
    SQL expression (a literal % written %%); a column missing from VALUES gets its field's default as a
    parameter, or the time for auto_now fields — so a column another migration adds with a default does
    not break the benchmark."""
    from django.db import connection

    columns, expressions, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            expressions.append(values[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("CURRENT_TIMESTAMP")
        else:
            expressions.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {select_from}"
    )
    cursor.execute(sql, defaults)


def build(projects: int):
    import datetime as dt
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from keyprojects.lib.text import search_key
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, MonthlyReport
    from keyprojects.projects.models import Project, Sector, Stage

    rng = random.Random(20_000)
    Kind = Organisation.Kind
    pg = connection.vendor == "postgresql"
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
            [
                Organisation(
                    kind=Kind.OWNER, name=f"基准业主{i:03d}有限公司", district=districts[i % DISTRICTS]
                )
                for i in range(OWNERS)
            ]
        )
        # The migrations seed the standard sectors.
        sectors = [
            Sector.objects.get_or_create(name=n, defaults={"sort": i})[0] for i, n in enumerate(SECTORS)
        ]
        password = make_password(None)
        leaders = User.objects.bulk_create(
            [
                User(username=f"leader{i}", role=User.Role.LEADER, organisation=office, password=password)
                for i in range(LEADERS)
            ]
        )
        User.objects.bulk_create(
            [
                User(username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=password),
                User(
                    username="district", role=User.Role.DISTRICT, organisation=districts[1], password=password
                ),
            ]
        )
        rows = []
        for i in range(projects):
            started = i % 10 not in (0, 1)  # 预备 and half the 新开工 have not started
            start_year = rng.choice((2021, 2022, 2023, 2024, 2025, 2026)) if started else 2027
            start = dt.date(start_year, rng.randint(1, 12), rng.randint(1, 28)) if started else None
            owner = owners[i % OWNERS]
            name = f"基准项目{i:05d}"
            rows.append(
                Project(
                    name=name,
                    owner=owner,
                    district=districts[(i * 7) % DISTRICTS],
                    sector=sectors[i % len(sectors)],
                    total_investment=rng.randint(2_000, 500_000) * 10_000,
                    start_year=start_year,
                    end_year=start_year + rng.randint(1, 4),
                    stage=Stage.CONSTRUCTION if started else Stage.PRELIMINARY,
                    start_date=start,
                    leader=leaders[i % LEADERS] if i % 3 == 0 else None,
                    search_text=search_key(name, "", owner.name, ""),
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

        now = timezone.now()
        staff = User.objects.get(username="staff")
        with connection.cursor() as cursor:
            for year in YEARS:
                annual_list = AnnualList.objects.create(year=year, title=f"{year}年基准清单")
                batch = Batch.objects.create(
                    annual_list=annual_list,
                    number=1,
                    name="第一批",
                    status=Batch.Status.PUBLISHED,
                    published_at=now,
                    published_by=staff,
                )
                plan = "CASE WHEN p.id %% 10 = 0 THEN NULL ELSE p.total_investment / 4 END"
                curve = ("CAST('[' || {parts} || ']' AS jsonb)" if pg else "'[' || {parts} || ']'").format(
                    parts=" || ',' || ".join(["CAST(p.total_investment / 48 AS text)"] * 12)
                )
                _insert_select(
                    cursor,
                    AnnualEntry,
                    {
                        "annual_list_id": str(annual_list.pk),
                        "batch_id": str(batch.pk),
                        "project_id": "p.id",
                        "category": "CASE p.id %% 10 WHEN 0 THEN 'preparatory' WHEN 1 THEN 'new_start' "
                        "WHEN 2 THEN 'new_start' WHEN 3 THEN 'completing' ELSE 'continuing' END",
                        "planned_investment": plan,
                        "baseline_investment": plan,
                        "completed_before_year": "p.total_investment / 5",
                        "planned_start_month": "CASE WHEN p.id %% 10 IN (1, 2) THEN p.id %% 12 + 1 END",
                        "leader_id": "p.leader_id",
                        # One entry in ten plans by month: the curve path of 序时进度 is measured too.
                        "monthly_plan": f"CASE WHEN p.id %% 10 = 5 THEN {curve} END",
                    },
                    "projects_project p",
                )
            links = AnnualEntry.departments.through._meta.db_table
            cursor.execute(
                f"INSERT INTO {links} (annualentry_id, organisation_id) "
                "SELECT e.id, pd.organisation_id FROM plans_annualentry e "
                "JOIN projects_project_departments pd ON pd.project_id = e.project_id"
            )
            months = " UNION ALL ".join(f"SELECT {m} AS m" for m in range(1, 13))
            _insert_select(
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
                },
                f"plans_annualentry e CROSS JOIN ({months}) mo",
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum (PostgreSQL) or a maintained SQLite file would have
    return MonthlyReport.objects.count()


# --------------------------------------------------------------------------------------------------
# The hand-written aggregate
# --------------------------------------------------------------------------------------------------

RAW_SQL = """
WITH ytd AS (
    SELECT r.entry_id, SUM(r.amount) AS amount
    FROM plans_monthlyreport r
    JOIN plans_annualentry re ON re.id = r.entry_id
    JOIN plans_annuallist rl ON rl.id = re.annual_list_id
    JOIN projects_project rp ON rp.id = re.project_id
    WHERE rl.year IN (%(year)s, %(last)s) AND r.month <= %(month)s AND r.status IN ('submitted', 'approved')
        AND re.category <> 'preparatory' {scope_reports}
    GROUP BY r.entry_id
)
SELECT p.district_id,
    SUM(CASE WHEN l.year = %(year)s THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.year = %(year)s AND e.category = 'preparatory' THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.year = %(year)s AND e.category <> 'preparatory' THEN e.planned_investment END),
    SUM(CASE WHEN l.year = %(year)s AND e.category <> 'preparatory'
        THEN COALESCE({curve}, e.planned_investment * %(month)s / 12) END),
    SUM(CASE WHEN l.year = %(year)s AND e.category <> 'preparatory' THEN COALESCE(ytd.amount, 0) END),
    SUM(CASE WHEN l.year = %(last)s AND e.category <> 'preparatory' THEN COALESCE(ytd.amount, 0) END),
    SUM(CASE WHEN l.year = %(year)s AND e.category = 'new_start' THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.year = %(year)s AND e.category = 'new_start' AND e.planned_start_month <= %(month)s
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.year = %(year)s AND e.category = 'new_start' AND p.start_date <= %(end)s
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.year = %(year)s AND e.category = 'new_start' AND p.start_date <= %(end)s
        AND e.planned_start_month <= %(month)s THEN 1 ELSE 0 END)
FROM plans_annualentry e
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
LEFT JOIN ytd ON ytd.entry_id = e.id
WHERE l.year IN (%(year)s, %(last)s) AND b.status = 'published' {scope}
GROUP BY p.district_id
"""
FIELDS = (
    "entries",
    "preparatory",
    "plan",
    "plan_through",
    "ytd",
    "ytd_last_year",
    "new_starts",
    "planned_starts",
    "started",
    "started_on_plan",
)


def raw_sql(vendor, district_id=None):
    if vendor == "postgresql":
        element = "(e.monthly_plan ->> {i})::bigint"
    else:
        element = "CAST(json_extract(e.monthly_plan, '$[{i}]') AS INTEGER)"
    curve = " + ".join(element.format(i=i) for i in range(MONTH))
    scope = "AND p.district_id = %(district)s" if district_id else ""
    scope_reports = "AND rp.district_id = %(district)s" if district_id else ""
    return (
        RAW_SQL.replace("{curve}", curve).replace("{scope}", scope).replace("{scope_reports}", scope_reports)
    )


def run_raw(connection, sql, district_id=None):
    import datetime as dt

    params = {"year": YEAR, "last": YEAR - 1, "month": MONTH, "end": dt.date(YEAR, MONTH, 31).isoformat()}
    if district_id:
        params["district"] = district_id
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The reporting note above the figures ("数据截至2026年10月，该月尚有 N 个项目未报送。"): the entries that
# owe a month's report (of batches published before the month ended) and the counted reports of each
# month from the page's on, grouped by their batch's publication.
NOTE_ENTRIES_SQL = """
SELECT b.published_at, COUNT(*)
FROM plans_annualentry e
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
WHERE l.year = %(year)s AND b.status = 'published' {scope}
GROUP BY b.published_at
"""
NOTE_REPORTS_SQL = """
SELECT r.month, b.published_at, COUNT(*)
FROM plans_monthlyreport r
JOIN plans_annualentry e ON e.id = r.entry_id
JOIN plans_annuallist l ON l.id = e.annual_list_id
JOIN plans_batch b ON b.id = e.batch_id
JOIN projects_project p ON p.id = e.project_id
WHERE l.year = %(year)s AND r.month >= %(month)s AND r.month <= %(last_month)s
    AND r.status IN ('submitted', 'approved') AND b.status = 'published' {scope}
GROUP BY r.month, b.published_at
"""


def note_months(today) -> range:
    """The ended months from the page's on that the note weighs: none when YEAR is neither this year's
    nor last year's list. (A later year's months would weigh too; the bench builds no list after YEAR.)"""
    if YEAR == today.year:
        return range(MONTH, today.month)
    if YEAR == today.year - 1:
        return range(MONTH, 13)
    return range(0)


def note_statements(district_id, today):
    months = note_months(today)
    if not months:
        return []
    scope = "AND p.district_id = %(district)s" if district_id else ""
    params = {"year": YEAR, "month": MONTH, "last_month": months[-1], "district": district_id}
    return [
        ("note_entries", NOTE_ENTRIES_SQL.format(scope=scope), params),
        ("note_reports", NOTE_REPORTS_SQL.format(scope=scope), params),
    ]


def run_statements(connection, statements):
    """{name: rows} of (name, sql, params) STATEMENTS run in order (the note's here, the cockpit's all)."""
    out = {}
    with connection.cursor() as cursor:
        for name, sql, params in statements:
            cursor.execute(sql, params)
            out[name] = cursor.fetchall()
    return out


def raw_note(rows, today):
    """What the note says, from the rows of note_statements: ("missing", n), ("complete",) or None."""
    import datetime as dt
    import zoneinfo

    from django.utils.dateparse import parse_datetime

    months = note_months(today)
    if not months:
        return None

    def moment(at):
        at = parse_datetime(at) if isinstance(at, str) else at
        return at.replace(tzinfo=dt.UTC) if at is not None and at.tzinfo is None else at

    entries = [(moment(at), n) for at, n in rows["note_entries"]]
    reports = [(m, moment(at), n) for m, at, n in rows["note_reports"]]
    china = zoneinfo.ZoneInfo("Asia/Shanghai")
    state = {}
    for month in months:
        ended = dt.datetime(YEAR + month // 12, month % 12 + 1, 1, tzinfo=china)
        owed = sum(n for at, n in entries if at is None or at < ended)
        handed = sum(n for m, at, n in reports if m == month and (at is None or at < ended))
        counted = sum(n for m, _at, n in reports if m == month)
        state[month] = (owed, handed, counted)
    owed, handed, _counted = state[MONTH]
    if owed > handed:
        return ("missing", owed - handed)
    latest_in = max((m for m, (o, h, c) in state.items() if c and 2 * h >= o), default=None)
    return ("complete",) if latest_in == MONTH else None


NOTE = re.compile(r'id="reporting-note">.*?</i>\s*(.*?)</p>', re.S)


def page_note(html):
    match = NOTE.search(html)
    if not match:
        return None
    text = match.group(1)
    missing = re.search(r"该月尚有 (\d+) 个项目未报送", text)
    if missing:
        return ("missing", int(missing.group(1)))
    assert f"数据截至{YEAR}年{MONTH}月，该月已全部报送" in text, text
    return ("complete",)


def raw_figures(rows):
    """The raw SQL's rows as the page shows them, keyed by district id: the same rounding (the
    CompletionRow properties) applied to independently computed sums."""
    from keyprojects.lib.money import yuan_to_wan
    from keyprojects.plans.completion_selectors import CompletionRow

    out = {}
    for district_id, *sums in rows:
        row = CompletionRow(month=MONTH, **{f: int(v or 0) for f, v in zip(FIELDS, sums, strict=True)})
        if not row.entries:
            continue
        out[district_id] = _shown(
            {
                "plan": str(yuan_to_wan(row.plan)),
                "ytd": str(yuan_to_wan(row.ytd)),
                "entries": row.entries,
                "rate": row.rate,
                "timeProgress": row.time_progress,
                "points": row.points,
                "growth": row.growth,
                "startRate": row.start_rate,
                "started": row.started,
                "plannedStarts": row.planned_starts,
            }
        )
    return out


def _shown(figures):
    return {k: (None if v is None else str(v)) for k, v in figures.items()}


CHART = re.compile(r'<script id="completion-data" type="application/json">(.*?)</script>', re.S)
DISTRICT = re.compile(r"[?&]district=(\d+)")


def page_figures(html):
    match = CHART.search(html)
    assert match, "no chart data in the page"
    data = json.loads(match.group(1))
    out = {}
    for row in data["rows"]:
        district_id = int(DISTRICT.search(row["link"]).group(1))
        out[district_id] = _shown(
            {
                k: row[k]
                for k in (
                    "plan",
                    "ytd",
                    "entries",
                    "rate",
                    "timeProgress",
                    "points",
                    "growth",
                    "startRate",
                    "started",
                    "plannedStarts",
                )
            }
        )
    return out


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------


class Case:
    def __init__(self, name, username, htmx=False):
        self.name, self.username, self.htmx = name, username, htmx
        self.url = f"/plans/completion/?year={YEAR}&month={MONTH}&by=district"
        self.headers = {"HX-Request": "true"} if htmx else {}


CASES = [
    Case("staff by district", "staff"),
    Case("staff by district htmx", "staff", htmx=True),
    Case("district by district", "district"),
]
LEGEND = """
page ms  median (p90) server time per request: test Client, middleware, session, selectors, template
its SQL  median time to run the page's own queries again, bare (cursor.execute + fetchall)
raw SQL  median of the hand-written aggregate (same figures asserted, district by district)
page/raw page ms / raw SQL ms; the three are interleaved, run by run"""


def capture_sql(connection, client, case):
    """The SELECTs one request runs, as (sql, params), to replay bare. A UNION is a SELECT too,
    though PostgreSQL's starts with a parenthesis."""
    captured = []

    def wrapper(execute, sql, params, many, context):
        captured.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(case.url, headers=case.headers)
    assert response.status_code == 200
    return [(sql, params) for sql, params, many in captured if not many and sql.lstrip("( ")[:6] == "SELECT"]


def measure(client, case, connection, captured, sql, district_id, args):
    """Page, its own queries replayed, and the raw SQL, interleaved so that a busy machine slows all
    three alike; returns the three lists of seconds. A full page's raw SQL also weighs its reporting
    note; the htmx table shows none."""
    from django.utils import timezone

    today = timezone.localdate()
    notes = [] if case.htmx else note_statements(district_id, today)

    def check(results):
        html = results["page"].content.decode()
        rows, note = results["raw"]
        assert page_figures(html) == raw_figures(rows), f"{case.name}: page and raw SQL differ"
        if not case.htmx:
            assert page_note(html) == raw_note(note, today), f"{case.name}: {page_note(html)} != {note}"

    samples = interleave(
        {
            "page": lambda: client.get(case.url, headers=case.headers),
            "own": lambda: base.replay(connection, captured),
            "raw": lambda: (run_raw(connection, sql, district_id), run_statements(connection, notes)),
        },
        repeat=args.repeat,
        warmup=args.warmup,
        check=check,
    )
    return samples["page"], samples["own"], samples["raw"]


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from keyprojects.orgs.models import User

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            reports = build(args.projects)
            built = time.perf_counter()
            print(
                f"setup     migrate {migrated - start:.1f} s · build {args.projects:,} projects × 3 lists, "
                f"{reports:,} reports {built - migrated:.1f} s"
            )
        base.describe(connection)
        print(f"runs      {args.repeat} timed after {args.warmup} warm-ups per case; {YEAR} 1-{MONTH}月\n")

        results = []
        for case in CASES:
            user = User.objects.get(username=case.username)
            client = Client()
            client.force_login(user)
            response = client.get(case.url, headers=case.headers)
            assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as queries:
                response = client.get(case.url, headers=case.headers)
            n_queries = len(queries)
            shown = page_figures(response.content.decode())
            district_id = user.organisation_id if user.role == User.Role.DISTRICT else None
            sql = raw_sql(connection.vendor, district_id)
            expected = raw_figures(run_raw(connection, sql, district_id))
            assert shown == expected, f"{case.name}: page {shown} != raw SQL {expected}"
            assert shown, f"{case.name}: no district on the page — the case measures nothing"
            if not case.htmx:
                today = timezone.localdate()
                note = raw_note(run_statements(connection, note_statements(district_id, today)), today)
                assert page_note(response.content.decode()) == note, f"{case.name}: note != {note}"
                print(f"{case.name}: reporting note {note}")
            if args.show_sql:
                print(f"-- {case.name}: {case.url}")
                for q in queries.captured_queries:
                    print(f"   {q['time']}s  {q['sql'][:3000]}\n")
                explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
                for q in queries.captured_queries:
                    if "plans_annualentry" in q["sql"]:
                        with connection.cursor() as cursor:
                            cursor.execute(explain + q["sql"])
                            for line in cursor.fetchall():
                                print("   ", line)
                print()

            captured = capture_sql(connection, client, case)
            page, own, raw = measure(client, case, connection, captured, sql, district_id, args)
            results.append((case, len(shown), page, own, raw, n_queries))

        header = (
            f"{'case':<24} {'rows':>5} {'page ms':>8} {'p90 ms':>7} {'its SQL':>8} {'raw SQL':>8} "
            f"{'page/raw':>9} {'queries':>8}"
        )
        print(header)
        print("-" * len(header))
        for case, n, page, own, raw, nq in results:
            page_med, own_med, raw_med = (statistics.median(x) for x in (page, own, raw))
            print(
                f"{case.name:<24} {n:>5} {base.ms(page_med):8.2f} {base.ms(base.p90(page)):7.2f} "
                f"{base.ms(own_med):8.2f} {base.ms(raw_med):8.2f} {page_med / raw_med:8.1f}× {nq:8d}"
            )
        print(LEGEND)
        for case, _n, page, _own, raw, nq in results:
            if not case.htmx:
                emit(
                    Row(
                        f"completion by district, {case.name.split()[0]} user: page / raw SQL",
                        "≤ 1.5×",
                        1.5,
                        paired(page, raw),
                        f"{base.ms(statistics.median(page)):.1f} ms vs "
                        f"{base.ms(statistics.median(raw)):.1f} ms, "
                        f"{nq} queries",
                    )
                )

        if args.table_repeat:
            client = Client()
            client.force_login(User.objects.get(username="staff"))
            times, size = [], 0
            for _ in range(args.table_repeat):
                start = time.perf_counter()
                response = client.get(f"/plans/completion/table.xlsx?year={YEAR}&month={MONTH}")
                body = b"".join(response.streaming_content)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200
                size = len(body)
            print(
                f"\nprogress table (staff, {args.projects:,} rows): median {statistics.median(times):.2f} s, "
                f"max {max(times):.2f} s over {len(times)} downloads, {size / 1e6:.1f} MB"
            )
    finally:
        keep = args.keep or args.reuse
        base.drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}  (rerun with --database-url {url} --reuse)")


if __name__ == "__main__":
    main()
