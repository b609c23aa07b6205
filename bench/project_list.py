#!/usr/bin/env python
"""Benchmark: the filtered project list page against the raw SQL that returns the same page of rows.

Run on demand (`make bench`, or `.venv/bin/python bench/project_list.py`); it is not part of the test
suite. It builds its own throw-away database — a temporary SQLite file by default, or the PostgreSQL
database named by --database-url, which it creates and drops — migrates it, loads the demo city
(20,000 projects by default), then for each case times:

  page    GET through Django's test Client as a logged-in user (middleware, session, form, paginator,
          template: everything the server does for the request), N runs after warm-ups;
  raw SQL the hand-written COUNT + SELECT … LIMIT/OFFSET with the same joins, filters and order,
          through connection.cursor(): the floor the page cannot go below.

It asserts that the raw SQL returns the same project ids (and the same total) as the page shows, so the
baseline is honest. See bench/README.md.
"""

import argparse
import cProfile
import os
import platform
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 20  # keyprojects.projects.views.project_list: Paginator(projects, 20)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import EMPTY_PAGE, Row, emit, install_empty_page, interleave  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME (created and dropped by the benchmark) or sqlite:////path; "
        "NAME / the file name must contain 'bench'. Default: a temporary SQLite file.",
    )
    parser.add_argument("--projects", type=int, default=20_000, help="demo projects to load (default 20000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (prints where)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database already holds a demo city from a --keep run: "
        "skip create/migrate/load, and keep it",
    )
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=True (default False, as served)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="all",
        metavar="CASE",
        help="also cProfile the page requests of every case, or of the cases whose name contains CASE, "
        "and print the top functions",
    )
    parser.add_argument("--show-sql", action="store_true", help="print the queries each page runs")
    return parser.parse_args()


# --------------------------------------------------------------------------------------------------
# The throw-away database. Everything here runs BEFORE django.setup(), so settings pick it up.
# --------------------------------------------------------------------------------------------------


def _pg_admin_connect(url):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(("postgresql",) + parts[1:2] + ("/postgres",) + parts[3:])
    return psycopg.connect(admin, autocommit=True)


def _pg_name(url):
    return urlsplit(url).path.lstrip("/")


def _pg_drop(conn, name):
    import psycopg

    try:  # FORCE (PostgreSQL 13+) also ends a psql session someone left open on it
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.errors.SyntaxError:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def prepare_database(args) -> tuple[str, str]:
    """Point the environment at the benchmark database; return (DATABASE_URL, temp dir to remove)."""
    tmp = tempfile.mkdtemp(prefix="kp-bench-")
    try:
        return _prepare_database(args, tmp), tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _prepare_database(args, tmp) -> str:
    os.environ["KEYPROJECTS_DATA_DIR"] = tmp  # media etc. never land in the project's data/
    url = args.database_url
    if url is None:
        if args.reuse:
            sys.exit("--reuse needs --database-url (the temporary SQLite file is gone after a run)")
        url = f"sqlite:///{tmp}/bench.sqlite3"
        template = os.environ.get("KP_BENCH_SQLITE_TEMPLATE")
        if template:
            shutil.copyfile(template, f"{tmp}/bench.sqlite3")
    elif url.startswith(("postgres://", "postgresql://")):
        name = _pg_name(url)
        if "bench" not in name:
            sys.exit(f"refusing to create/drop PostgreSQL database {name!r}: its name must contain 'bench'")
        if not args.reuse:
            # bench/run_all.py migrates one template database for all the benches it runs.
            template = os.environ.get("KP_BENCH_PG_TEMPLATE") or "template0"
            with _pg_admin_connect(url) as conn:
                _pg_drop(conn, name)
                conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE "{template}"')
    elif url.startswith("sqlite:///"):
        path = Path(urlsplit(url).path)
        if "bench" not in path.name:
            sys.exit(f"refusing to use SQLite file {path}: its name must contain 'bench'")
        if args.reuse and not path.exists():
            sys.exit(f"--reuse: {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            template = os.environ.get("KP_BENCH_SQLITE_TEMPLATE")
            if template:  # a migrated file from bench/run_all.py: migrate then has nothing to do
                shutil.copyfile(template, path)
    else:
        sys.exit(f"unsupported --database-url {url!r}")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "true" if args.debug else "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"  # the test Client's host; no setup_test_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.pop("KEYPROJECTS_ENV", None)
    return url


def drop_database(url, tmp, keep):
    from django.db import connections

    connections.close_all()
    if url.startswith(("postgres://", "postgresql://")) and not keep:
        with _pg_admin_connect(url) as conn:
            _pg_drop(conn, _pg_name(url))
    if not (keep and url.startswith("sqlite:///" + tmp)):
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# The cases and their hand-written SQL.
# --------------------------------------------------------------------------------------------------

SORT_SQL = {  # keyprojects.projects.selectors.SORTS, written out
    "investment": "p.total_investment DESC, p.id ASC",
}

PAGE_SQL = """
SELECT p.id, p.name, p.code, p.total_investment, p.start_year, p.end_year, p.stage, p.leader_id,
       o.name, o.short_name, d.name, d.short_name, s.name, l.full_name, l.username
FROM projects_project p
JOIN orgs_organisation o ON o.id = p.owner_id
JOIN orgs_organisation d ON d.id = p.district_id
JOIN projects_sector s ON s.id = p.sector_id
LEFT JOIN orgs_user l ON l.id = p.leader_id
WHERE {where}
ORDER BY {order}
LIMIT %s OFFSET %s
"""
COUNT_SQL = "SELECT COUNT(*) FROM projects_project p WHERE {where}"


def like_contains(vendor):
    """`field__contains` and `field__icontains` as Django writes them for VENDOR."""
    if vendor == "postgresql":
        return "p.search_text LIKE %s", "UPPER(p.code::text) LIKE UPPER(%s)"
    # SQLite's LIKE is case-insensitive for ASCII: Django uses it for both.
    return r"p.search_text LIKE %s ESCAPE '\'", r"p.code LIKE %s ESCAPE '\'"


class Case:
    def __init__(self, name, username, params, where, where_params, htmx=False, sort="investment"):
        self.name, self.username, self.params = name, username, params
        self.where, self.where_params, self.sort = where, where_params, sort
        # htmx: the request the filter form sends on every change; the view returns the table only.
        self.headers = {"HX-Request": "true"} if htmx else {}

    @property
    def url(self):
        return "/projects/?" + urlencode(self.params)

    @property
    def page_number(self):
        return int(self.params.get("page", 1))


def build_cases(vendor):
    from keyprojects.lib.text import search_term
    from keyprojects.orgs.models import Organisation, User

    district_user = User.objects.select_related("organisation").get(username="district")
    district = district_user.organisation  # 青秀区, one of the two largest districts
    assert Organisation.objects.get(name="青秀区") == district
    q = "nnsgd"  # pinyin initials of 南宁市轨道…, the example the search box shows
    like = "%" + search_term(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    search_where = "({} OR {})".format(*like_contains(vendor))
    filtered = {"stage": "construction", "sort": "investment", "page": 2}
    in_district = ("p.district_id = %s AND p.stage = %s", [district.pk, "construction"])
    return [
        Case("staff filtered p2", "staff", {"district": district.pk, **filtered}, *in_district),
        Case("staff filtered p2 htmx", "staff", {"district": district.pk, **filtered}, *in_district, True),
        Case("staff search nnsgd", "staff", {"q": q}, search_where, [like, like]),
        # A district user's list is scoped to its district already; the form has no district field.
        Case("district filtered p2", "district", filtered, *in_district),
        Case(
            "district search nnsgd",
            "district",
            {"q": q},
            f"p.district_id = %s AND {search_where}",
            [district.pk, like, like],
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Measuring.
# --------------------------------------------------------------------------------------------------

TBODY = re.compile(r'<table[^>]*id="projects".*?<tbody>(.*?)</tbody>', re.S)
ROW_LINK = re.compile(r'href="/projects/(\d+)/"')  # one link to the project per table row
TOTAL = re.compile(r"共 ([\d,]+) 个项目")


def page_ids(html):
    body = TBODY.search(html)
    assert body, "no project table in the page"
    total = TOTAL.search(html)
    assert total, "no project count in the page"
    return [int(i) for i in ROW_LINK.findall(body.group(1))], int(total.group(1).replace(",", ""))


LEGEND = """
page ms  median (p90) server time per request: test Client, middleware, session, form, template
its SQL  median time to run the page's own queries again, bare (cursor.execute + fetchall)
raw SQL  median of the hand-written COUNT + page SELECT (same ids and total asserted)
empty    median of an authenticated empty page (base.html, no content): the framework's floor
page/raw page ms / raw SQL ms; (p-e)/raw: (page − empty) / raw, the median of the paired rounds;
         the four are interleaved, the order rotating, run by run"""


def ms(seconds):
    return seconds * 1000


def p90(samples):
    return statistics.quantiles(samples, n=10, method="inclusive")[-1]


def capture_sql(connection, client, case):
    """The SELECTs one request runs, as (sql, params), to replay without the ORM around them."""
    captured = []

    def wrapper(execute, sql, params, many, context):
        captured.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(case.url, headers=case.headers)
    assert response.status_code == 200
    return [(sql, params) for sql, params, many in captured if not many and sql.lstrip()[:6] == "SELECT"]


def replay(connection, captured):
    with connection.cursor() as cursor:
        for sql, params in captured:
            cursor.execute(sql, params)
            cursor.fetchall()


def run_raw(connection, case):
    where = case.where
    params = list(case.where_params)
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL.format(where=where), params)
        (count,) = cursor.fetchone()
        # Paginator.get_page: a page past the end shows the last page.
        last_page = max(1, -(-count // PAGE_SIZE))
        offset = (min(case.page_number, last_page) - 1) * PAGE_SIZE
        cursor.execute(PAGE_SQL.format(where=where, order=SORT_SQL[case.sort]), [*params, PAGE_SIZE, offset])
        rows = cursor.fetchall()
    return count, rows


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(client, case, connection, captured, warmup, repeat, empty_client):
    """Page, its own queries replayed, the raw SQL and the authenticated empty page, interleaved (the
    order rotating) so that a busy machine slows all four alike; the page's ids and total are checked
    against the raw SQL's in every round. Returns the four lists of seconds, paired by round."""

    def page():
        response = client.get(case.url, headers=case.headers)
        assert response.status_code == 200
        return response

    def empty():
        assert empty_client.get(EMPTY_PAGE).status_code == 200

    def check(results):
        ids, total = page_ids(results["page"].content.decode())
        count, rows = results["raw"]
        assert (ids, total) == ([row[0] for row in rows], count), f"{case.name}: page and raw SQL differ"

    samples = interleave(
        {
            "page": page,
            "replay": lambda: replay(connection, captured),
            "raw": lambda: run_raw(connection, case),
            "empty": empty,
        },
        repeat=repeat,
        warmup=warmup,
        check=check,
    )
    return samples["page"], samples["replay"], samples["raw"], samples["empty"]


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def describe(connection):
    import django

    from keyprojects.projects.models import Project

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"postgresql {cursor.fetchone()[0]} ({connection.settings_dict['HOST'] or 'socket'})"
    else:
        import sqlite3

        db = f"sqlite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    from django.conf import settings

    print(f"machine   {platform.node()} · {cpu_model()} · {os.cpu_count()} CPUs · {platform.platform()}")
    print(f"python    {platform.python_version()} · Django {django.get_version()} · DEBUG={settings.DEBUG}")
    print(f"database  {db}")
    print(f"projects  {Project.objects.count():,}")
    if hasattr(os, "getloadavg"):
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load avg  {load} (on {os.cpu_count()} CPUs; other work on the machine skews the figures)")


def main():
    args = parse_args()
    url, tmp = prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from keyprojects.orgs.models import User
    from keyprojects.projects.demo import load_projects_demo

    install_empty_page()

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            # Only the projects part: the rest of the city (a year of monthly reports, tasks, warnings)
            # took 160 s of make bench at 20,000 projects and changes none of the list's queries.
            with transaction.atomic():
                load_projects_demo(seed=2026, projects=args.projects, today=timezone.localdate())
            loaded = time.perf_counter()
            print(
                f"setup     migrate {migrated - start:.1f} s · "
                f"load_projects_demo(projects={args.projects:,}) {loaded - migrated:.1f} s"
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # as autovacuum would soon after a bulk load
        describe(connection)
        print(f"runs      {args.repeat} timed after {args.warmup} warm-ups per case; page size {PAGE_SIZE}\n")

        results = []
        profiles = {}
        for case in build_cases(connection.vendor):
            client = Client()
            client.force_login(User.objects.get(username=case.username))

            response = client.get(case.url, headers=case.headers)  # the first, cold request
            assert response.status_code == 200, (case.url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(case.url, headers=case.headers)
            n_queries = len(queries)  # now: the next request_started clears the connection's log
            ids, total = page_ids(response.content.decode())
            count, rows = run_raw(connection, case)
            raw_ids = [row[0] for row in rows]
            assert raw_ids == ids, f"{case.name}: raw SQL ids {raw_ids} != page ids {ids}"
            assert count == total, f"{case.name}: raw COUNT {count} != page total {total}"
            assert ids, f"{case.name}: empty page — the case measures nothing"
            if args.show_sql:
                print(f"-- {case.name}: {case.url}")
                for q in queries.captured_queries:
                    print(f"   {q['time']}s  {q['sql'][:400]}")
                print()

            captured = capture_sql(connection, client, case)
            # All of them SELECTs, so the replay is exactly the page's SQL.
            assert len(captured) == n_queries, (len(captured), n_queries)
            page, own_sql, raw, empty = measure(
                client, case, connection, captured, args.warmup, args.repeat, client
            )
            results.append((case, len(ids), total, page, own_sql, raw, empty, n_queries))

            if args.profile == "all" or (args.profile and args.profile in case.name):
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(case.url, headers=case.headers)
                profiler.disable()
                profiles[case.name] = profiler

        header = (
            f"{'case':<22} {'rows/total':>10} {'page ms':>8} {'p90 ms':>7} {'its SQL':>8} "
            f"{'raw SQL':>8} {'empty':>7} {'page/raw':>9} {'(p-e)/raw':>10} {'queries':>8}"
        )
        print(header)
        print("-" * len(header))
        rows = []
        for case, n, total, page, own_sql, raw, empty, nq in results:
            page_med, own_med, raw_med, empty_med = (
                statistics.median(x) for x in (page, own_sql, raw, empty)
            )
            above = [(p - e) / r for p, e, r in zip(page, empty, raw, strict=True)]
            print(
                f"{case.name:<22} {f'{n}/{total}':>10} {ms(page_med):8.2f} {ms(p90(page)):7.2f} "
                f"{ms(own_med):8.2f} {ms(raw_med):8.2f} {ms(empty_med):7.2f} {page_med / raw_med:8.1f}× "
                f"{statistics.median(above):9.1f}× {nq:8d}"
            )
            judged = "filtered p2" in case.name  # the issue's figure; the searches are shown
            rows.append(
                Row(
                    f"project list {case.name} (page − empty) / raw SQL",
                    "≤ 2×" if judged else "—",
                    2.0 if judged else None,
                    above,
                    f"{ms(page_med):.1f} ms page, {ms(empty_med):.1f} ms empty, {ms(raw_med):.2f} ms raw, "
                    f"{nq} queries",
                )
            )
        print(LEGEND)
        print()
        for row in rows:
            emit(row)

        for name, profiler in profiles.items():
            print(f"\n=== cProfile: {name}, {args.repeat} requests, by own time ===")
            pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(25)
            print(f"=== cProfile: {name}, by cumulative time ===")
            pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(40)
    finally:
        keep = args.keep or args.reuse
        drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}  (rerun with --database-url {url} --reuse)")


if __name__ == "__main__":
    main()
