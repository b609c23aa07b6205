#!/usr/bin/env python
"""Benchmark: the task list pages (the office's all-tasks list, a district's list, a department's 我的任务)
against hand-written SQL returning the same page of tasks.

Run on demand (`.venv/bin/python bench/tasks.py`); not part of the test suite. It builds a throw-away
database like bench/project_list.py (a temporary SQLite file by default, or --database-url
postgres://…/NAME_with_bench, created and dropped), fills it with bulk inserts — N projects (default
20,000) with the 11 tasks of the 新开工 template each (220,000 tasks) — and times, per case, the page
through Django's test Client (middleware, session, form, gate, paginator, working-day countdowns,
template), the page's own queries replayed bare, and a hand-written COUNT + page SELECT with the same
joins, filters and order. The raw SQL is asserted to return the tasks the page shows.
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

import project_list as base  # noqa: E402
from _harness import Row, emit, interleave, paired  # noqa: E402  (the throw-away database and the machine description)

TODAY = dt.date(2026, 11, 20)
PAGE_SIZE = 50
DISTRICTS, DEPARTMENTS, OWNERS = 15, 25, 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="postgres://…/NAME or sqlite:////path (name must contain 'bench')"
    )
    parser.add_argument(
        "--projects", type=int, default=20_000, help="projects, 11 tasks each (default 20000)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    return parser.parse_args()


def build(projects: int) -> int:
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from keyprojects.orgs.models import Organisation, User
    from keyprojects.projects.models import Project, Sector
    from keyprojects.tasks.models import Task, TaskTemplate
    from keyprojects.tasks.services import template_deadlines

    rng = random.Random(4)
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
        sector = Sector.objects.get_or_create(name="基础设施")[0]  # seeded by the migrations
        password = make_password(None)
        staff = User.objects.create(
            username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=password
        )
        User.objects.create(
            username="district", role=User.Role.DISTRICT, organisation=districts[1], password=password
        )
        User.objects.create(
            username="department", role=User.Role.DEPARTMENT, organisation=departments[1], password=password
        )
        rows = Project.objects.bulk_create(
            [
                Project(
                    name=f"基准项目{i:05d}",
                    owner=owners[i % OWNERS],
                    district=districts[i % DISTRICTS],
                    sector=sector,
                    total_investment=rng.randint(1, 500) * 10_000_000,
                    start_year=2026,
                    end_year=2028,
                )
                for i in range(projects)
            ],
            batch_size=2000,
        )
        through = Project.departments.through
        through.objects.bulk_create(
            [
                through(project_id=p.pk, organisation_id=departments[i % DEPARTMENTS].pk)
                for i, p in enumerate(rows)
            ],
            batch_size=5000,
        )
        template = TaskTemplate.objects.get(category="new_start")
        items = list(template.items.all())
        by_month = {
            m: template_deadlines(template=template, planned_start=dt.date(2026, m, 1), items=items)
            for m in range(1, 13)
        }
        tasks = []
        for i, project in enumerate(rows):
            deadlines = by_month[i % 12 + 1]
            for item in items:
                unit = {
                    "owner": project.owner_id,
                    "district": project.district_id,
                    "department": departments[i % DEPARTMENTS].pk,
                }.get(item.responsible, office.pk)
                deadline = deadlines[item]
                done = deadline < TODAY and rng.random() < 0.7
                tasks.append(
                    Task(
                        project_id=project.pk,
                        title=item.title,
                        responsible_unit_id=unit,
                        deadline=deadline,
                        status=Task.Status.DONE if done else Task.Status.TODO,
                        completed_date=deadline if done else None,
                        source=Task.Source.TEMPLATE,
                        created_by=staff,
                    )
                )
            if len(tasks) >= 20_000:
                Task.objects.bulk_create(tasks, batch_size=5000)
                tasks = []
        Task.objects.bulk_create(tasks, batch_size=5000)
    return Task.objects.count()


TASK_SQL = """
SELECT t.id FROM tasks_task t
JOIN projects_project p ON p.id = t.project_id
WHERE {where}
ORDER BY t.deadline ASC, t.id ASC
LIMIT %s OFFSET %s
"""
COUNT_SQL = "SELECT COUNT(*) FROM tasks_task t JOIN projects_project p ON p.id = t.project_id WHERE {where}"


class Case:
    def __init__(self, name, username, path, where, params, page=1):
        self.name, self.username, self.path, self.where, self.params, self.page = (
            name,
            username,
            path,
            where,
            params,
            page,
        )


def cases(users):
    district = users["district"].organisation_id
    department = users["department"].organisation_id
    dept_projects = "SELECT project_id FROM projects_project_departments WHERE organisation_id = %s"
    open_overdue = "t.status IN ('todo', 'doing') AND t.deadline < %s"
    return [
        Case("office, overdue, p3", "staff", "/tasks/?status=overdue&page=3", open_overdue, [TODAY], page=3),
        Case(
            "district, all, p2",
            "district",
            "/tasks/?page=2",
            "(p.district_id = %s OR t.responsible_unit_id = %s)",
            [district, district],
            page=2,
        ),
        Case(
            "department, 我的任务",
            "department",
            "/tasks/mine/",
            f"(t.project_id IN ({dept_projects}) OR t.responsible_unit_id = %s)"
            " AND t.responsible_unit_id = %s",
            [department, department, department],
        ),
    ]


def run_raw(connection, case):
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL.format(where=case.where), case.params)
        (count,) = cursor.fetchone()
        offset = (min(case.page, max(1, -(-count // PAGE_SIZE))) - 1) * PAGE_SIZE
        cursor.execute(TASK_SQL.format(where=case.where), [*case.params, PAGE_SIZE, offset])
        return count, [r[0] for r in cursor.fetchall()]


def page_ids(html):
    return [int(x) for x in re.findall(r'<tr id="task-(\d+)"', html)]


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

    from keyprojects.orgs.models import User

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            n = build(args.projects)
            print(
                f"setup     migrate {migrated - start:.1f} s · {args.projects:,} projects, {n:,} tasks "
                f"{time.perf_counter() - migrated:.1f} s"
            )
        base.describe(connection)
        print(f"runs      {args.repeat} timed after {args.warmup} warm-ups per case; today {TODAY}\n")
        users = {u.username: u for u in User.objects.all()}
        results = []
        with time_machine.travel(dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC), tick=True):
            for case in cases(users):
                client = Client()
                client.force_login(users[case.username])
                captured = []

                def capture(execute, sql, params, many, context, captured=captured):
                    captured.append((sql, params, many))
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(capture):
                    response = client.get(case.path)
                assert response.status_code == 200
                n_queries = len(captured)
                selects = [
                    (sql, params)
                    for sql, params, many in captured
                    if not many and sql.lstrip()[:6] == "SELECT"
                ]
                shown = page_ids(response.content.decode())
                count, expected = run_raw(connection, case)
                assert shown == expected, f"{case.name}: page {shown[:5]}… != raw {expected[:5]}…"
                assert shown, f"{case.name}: empty page"

                def page(client=client, case=case):
                    response = client.get(case.path)
                    assert response.status_code == 200
                    return response

                def replay(selects=selects):
                    with connection.cursor() as cursor:
                        for sql, params in selects:
                            cursor.execute(sql, params)
                            cursor.fetchall()

                fns = {"page": page, "replay": replay, "raw": lambda case=case: run_raw(connection, case)}

                def check(results, case=case):
                    shown = page_ids(results["page"].content.decode())
                    assert shown == results["raw"][1], f"{case.name}: page and raw SQL differ"

                samples = interleave(fns, repeat=args.repeat, warmup=args.warmup, check=check)
                results.append((case, count, samples, n_queries))
        header = (
            f"{'case':<24} {'tasks':>7} {'page ms':>8} {'its SQL':>8} {'raw SQL':>8} {'page/raw':>9} "
            f"{'queries':>8}"
        )
        print(header)
        print("-" * len(header))
        for case, count, s, nq in results:
            page_med, own, raw = (statistics.median(s[k]) for k in ("page", "replay", "raw"))
            print(
                f"{case.name:<24} {count:>7,} {page_med * 1000:8.2f} {own * 1000:8.2f} {raw * 1000:8.2f} "
                f"{page_med / raw:8.1f}× {nq:8d}"
            )
        for case, _count, s, nq in results:
            emit(
                Row(
                    f"task list {case.name}: page / raw SQL",
                    "—",
                    None,
                    paired(s["page"], s["raw"]),
                    f"{statistics.median(s['page']) * 1000:.1f} ms vs "
                    f"{statistics.median(s['raw']) * 1000:.2f} ms, "
                    f"{nq} queries",
                )
            )
    finally:
        keep = args.keep or args.reuse
        base.drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}")


if __name__ == "__main__":
    main()
