#!/usr/bin/env python
"""Benchmark: the problem ledger (问题台账) and the escalation job at 50,000 problems.

Run on demand (`.venv/bin/python bench/problems.py`); not part of the test suite. Like
bench/project_list.py it builds a throw-away database (a temporary SQLite file, or the PostgreSQL
database named by --database-url, created and dropped), migrates it and fills it with bulk inserts:
2,000 projects and N problems (50,000 by default; a third with a co-handling unit). Then:

ledger   GET /problems/ through Django's test Client for the office and a department, unfiltered and
         filtered (unresolved + overdue, sorted by deadline): median and p90 ms, the number of queries,
         and the same page's query count with 50 problems (it must not grow); against the hand-written
         COUNT + page SELECT with the same joins (asserted to return the same ids).
job      problems_escalate_due over N open problems whose level-1 time limit has passed (every one
         escalates: N AUTO_ESCALATE log entries, N audit entries, the notifications), inside a
         transaction rolled back after each run so every run starts alike; against ONE hand-written
         UPDATE that moves the same rows up a level (the floor: no log, no audit, no notice). Also the
         second run (nothing left to do), which must change nothing.
"""

import argparse
import datetime as dt
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import project_list as base  # noqa: E402  (the throw-away database and the machine description)

PROJECTS, DISTRICTS, DEPARTMENTS, OWNERS = 2_000, 15, 25, 300
TODAY = dt.date(2026, 11, 2)  # a Monday
PAGE_SIZE = 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="postgres://…/NAME or sqlite:////path (name must contain 'bench')"
    )
    parser.add_argument("--problems", type=int, default=50_000, help="problems (default 50000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed ledger requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument("--job-repeat", type=int, default=3, help="timed escalation runs (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=True (default False)")
    return parser.parse_args()


def build(n_problems: int):
    """Organisations, users, projects, then N_PROBLEMS problems: all at level 1, all open or handling,
    their level-1 deadlines spread over the last 30 days (every one past by TODAY)."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from keyprojects.coordination.models import Problem, ProblemAction
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.projects.models import Project, Sector

    rng = random.Random(50_000)
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
        sector = Sector.objects.create(name="基础设施")
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=password),
                User(username="leader", role=User.Role.LEADER, organisation=office, password=password),
                User(
                    username="department",
                    role=User.Role.DEPARTMENT,
                    organisation=departments[0],
                    password=password,
                ),
            ]
        )
        projects = Project.objects.bulk_create(
            [
                Project(
                    name=f"基准项目{i:05d}",
                    owner=owners[i % OWNERS],
                    district=districts[i % DISTRICTS],
                    sector=sector,
                    total_investment=10**9,
                    start_year=2025,
                    end_year=2027,
                    leader=users[1] if i % 3 == 0 else None,
                    search_text=f"基准项目{i:05d}",
                )
                for i in range(PROJECTS)
            ]
        )
        handlers = districts + departments
        rows = []
        for i in range(n_problems):
            deadline = TODAY - dt.timedelta(days=1 + rng.randint(0, 29))
            rows.append(
                Problem(
                    project=projects[i % PROJECTS],
                    category=Problem.Category.values[i % 6],
                    title=f"基准问题{i:06d}",
                    description="基准问题描述",
                    source=Problem.Source.OFFICE,
                    raised_by=users[0],
                    raised_by_org=office,
                    lead_unit=handlers[i % len(handlers)],
                    status=Problem.Status.HANDLING if i % 4 else Problem.Status.OPEN,
                    level=1,
                    level_since=deadline - dt.timedelta(days=7),
                    level_deadline=deadline,
                )
            )
        created = Problem.objects.bulk_create(rows, batch_size=2000)
        through = Problem.co_units.through
        through.objects.bulk_create(
            [
                through(problem_id=p.pk, organisation_id=departments[(i + 1) % DEPARTMENTS].pk)
                for i, p in enumerate(created)
                if i % 3 == 0
            ],
            batch_size=5000,
        )
        ProblemAction.objects.bulk_create(
            [ProblemAction(problem_id=p.pk, kind=ProblemAction.Kind.RAISE, by=users[0]) for p in created],
            batch_size=5000,
        )
    return len(created)


LEDGER_SQL = """
SELECT p.id, p.title, p.category, p.level, p.level_deadline, p.status, p.created_at,
       pr.name, d.name, d.short_name, l.name, l.short_name, r.name, r.short_name
FROM coordination_problem p
JOIN projects_project pr ON pr.id = p.project_id
JOIN orgs_organisation d ON d.id = pr.district_id
JOIN orgs_organisation l ON l.id = p.lead_unit_id
JOIN orgs_organisation r ON r.id = p.raised_by_org_id
WHERE {where}
ORDER BY {order}
LIMIT 20
"""
CO_SQL = """
SELECT t.problem_id, o.name, o.short_name FROM coordination_problem_co_units t
JOIN orgs_organisation o ON o.id = t.organisation_id WHERE t.problem_id IN ({ids})
"""


class Case:
    def __init__(self, name, username, query, where, params, order):
        self.name, self.username, self.query = name, username, query
        self.where, self.params, self.order = where, params, order

    @property
    def url(self):
        return f"/problems/?{self.query}" if self.query else "/problems/"


def cases(department_id):
    handles = (
        "(p.lead_unit_id = %s OR p.id IN (SELECT t.problem_id FROM coordination_problem_co_units t "
        "WHERE t.organisation_id = %s))"
    )
    overdue = "p.status IN ('open', 'handling') AND p.level_deadline < %s"
    by_deadline = "p.level_deadline ASC NULLS LAST, p.id ASC"
    return [
        Case("office, all", "staff", "", "1 = 1", [], "p.created_at DESC, p.id DESC"),
        Case(
            "office, overdue",
            "staff",
            "state=unresolved&overdue=on&sort=deadline",
            f"p.status IN ('open', 'handling') AND {overdue}",
            [TODAY.isoformat()],
            by_deadline,
        ),
        Case(
            "department, all",
            "department",
            "",
            handles,
            [department_id, department_id],
            "p.created_at DESC, p.id DESC",
        ),
        Case(
            "department, overdue",
            "department",
            "state=unresolved&overdue=on&sort=deadline",
            f"{handles} AND p.status IN ('open', 'handling') AND {overdue}",
            [department_id, department_id, TODAY.isoformat()],
            by_deadline,
        ),
    ]


def raw_ledger(connection, case):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM coordination_problem p WHERE {case.where}", case.params)
        count = cursor.fetchone()[0]
        cursor.execute(LEDGER_SQL.format(where=case.where, order=case.order), case.params)
        rows = cursor.fetchall()
        if rows:
            cursor.execute(CO_SQL.format(ids=", ".join(str(r[0]) for r in rows)))
            cursor.fetchall()
    return count, [r[0] for r in rows]


def page_ids(html):
    return [int(x) for x in re.findall(r'<tr id="problem-(\d+)"', html)]


class Counting:
    """Counts the queries run inside it (the request closes and reopens the connection, which a
    CaptureQueriesContext does not survive with DEBUG off)."""

    def __init__(self, connection):
        self.connection, self.n = connection, 0

    def _wrap(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = self.connection.execute_wrapper(self._wrap)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def escalation_sql(vendor):
    """One UPDATE moving every due row up one level: the floor the job is compared with."""
    return (
        "UPDATE coordination_problem SET level = level + 1, level_since = %s, level_deadline = %s, "
        "version = version + 1 WHERE status IN ('open', 'handling') AND level_deadline < %s AND level < 4"
    )


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import time_machine
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from keyprojects.coordination.models import Problem, ProblemAction
    from keyprojects.coordination.services import problems_escalate_due
    from keyprojects.orgs.models import User

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            n = build(args.problems)
            built = time.perf_counter() - migrated
            print(f"setup     migrate {migrated - start:.1f} s · build {n:,} problems {built:.1f} s")
        base.describe(connection)
        total = Problem.objects.count()
        print(f"problems  {total:,} (all open or handling, all past their level-1 time limit on {TODAY})\n")
        department_id = User.objects.get(username="department").organisation_id

        with time_machine.travel(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10), tick=True):
            # The query count with 50 problems, in a rolled-back copy with the rest deleted.
            small_counts = {}
            with transaction.atomic():
                keep = list(Problem.objects.order_by("pk").values_list("pk", flat=True)[:50])
                Problem.objects.exclude(pk__in=keep).delete()
                for case in cases(department_id):
                    client = Client()
                    client.force_login(User.objects.get(username=case.username))
                    client.get(case.url)
                    with Counting(connection) as q:
                        assert client.get(case.url).status_code == 200
                    small_counts[case.name] = q.n
                transaction.set_rollback(True)

            print(
                f"{'ledger case':<22} {'rows':>6} {'page ms':>8} {'p90 ms':>7} {'raw SQL':>8} "
                f"{'page/raw':>9} {'queries':>8} {'@50':>4}"
            )
            for case in cases(department_id):
                client = Client()
                client.force_login(User.objects.get(username=case.username))
                response = client.get(case.url)
                with Counting(connection) as q:
                    response = client.get(case.url)
                count, ids = raw_ledger(connection, case)
                assert page_ids(response.content.decode()) == ids, (
                    f"{case.name}: page ids differ from raw SQL"
                )
                page_t, raw_t = [], []
                for i in range(args.warmup + args.repeat):
                    t0 = time.perf_counter()
                    assert client.get(case.url).status_code == 200
                    t1 = time.perf_counter()
                    raw_ledger(connection, case)
                    t2 = time.perf_counter()
                    if i >= args.warmup:
                        page_t.append(t1 - t0)
                        raw_t.append(t2 - t1)
                pm, rm = statistics.median(page_t), statistics.median(raw_t)
                print(
                    f"{case.name:<22} {count:>6} {base.ms(pm):8.1f} {base.ms(base.p90(page_t)):7.1f} "
                    f"{base.ms(rm):8.1f} {pm / rm:8.1f}× {q.n:8d} {small_counts[case.name]:>4}"
                )
                assert q.n == small_counts[case.name], "the ledger's query count grows with the data"

        # The escalation job, each run rolled back so that every run escalates all N problems.
        job, raw, second = [], [], []
        for _i in range(args.job_repeat):
            with transaction.atomic():
                t0 = time.perf_counter()
                result = problems_escalate_due(today=TODAY)
                t1 = time.perf_counter()
                again = problems_escalate_due(today=TODAY)
                t2 = time.perf_counter()
                assert result["escalated"] == total and again["escalated"] == 0, (result, again)
                auto = ProblemAction.objects.filter(kind=ProblemAction.Kind.AUTO_ESCALATE).count()
                assert auto == result["steps"], (auto, result)
                job.append(t1 - t0)
                second.append(t2 - t1)
                transaction.set_rollback(True)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    t0 = time.perf_counter()
                    cursor.execute(
                        escalation_sql(connection.vendor), [TODAY, TODAY + dt.timedelta(days=7), TODAY]
                    )
                    moved = cursor.rowcount
                    raw.append(time.perf_counter() - t0)
                assert moved == total, moved
                transaction.set_rollback(True)
        jm, rm, sm = (statistics.median(x) for x in (job, raw, second))
        steps = result["steps"]
        print(
            f"\nescalation job over {total:,} due problems ({args.job_repeat} runs, each rolled back):\n"
            f"  problems_escalate_due  {jm:8.2f} s  (escalates {total:,}; writes {steps:,} log + "
            f"{total:,} audit rows, notices)\n"
            f"  one SQL UPDATE         {rm:8.2f} s  (same rows up a level; nothing else)\n"
            f"  ratio                  {jm / rm:8.1f}×\n"
            f"  second run             {base.ms(sm):8.1f} ms (nothing due: changes nothing)"
        )
    finally:
        base.drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    main()
