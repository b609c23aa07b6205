#!/usr/bin/env python
"""Benchmark: the OC4IDS download and the global search against the bare SQL they run.

Run on demand (`.venv/bin/python bench/open_data.py [--database-url postgres://…/kp_bench_open_data]`);
not part of the test suite. Like bench/project_list.py (whose throw-away database helpers it uses) it
creates a database, migrates it, loads the demo city (--projects, default 5,000), publishes every
project (scope "all", 谋划储备 included, every field group on) and times, interleaved:

  download   GET /open-data/oc4ids.json through Django's test Client (the whole package, streamed);
  its SQL    the download's own queries replayed bare (cursor.execute + fetchall): the floor, since the
             package needs exactly those rows;
  search     GET /search/quick/?q=… (the header dropdown) as the office and as a district user;
  its SQL    the dropdown's own queries replayed bare.

It prints medians, the query count (which must not grow with the data) and the ratio to the SQL.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import project_list as base  # noqa: E402
from _harness import Row, emit, interleave, paired  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as bench/project_list.py (the name must contain 'bench')")
    parser.add_argument("--projects", type=int, default=5_000, help="demo projects to load (default 5000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed downloads (default 5)")
    parser.add_argument("--search-repeat", type=int, default=30, help="timed searches per case (default 30)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs per case first (default 1)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    return parser.parse_args()


class Case:
    def __init__(self, name, username, url):
        self.name, self.username, self.url, self.headers = name, username, url, {}


def capture(connection, client, case):
    captured = []

    def wrapper(execute, sql, params, many, context):
        captured.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(case.url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (case.url, response.status_code)
    selects = [(sql, params) for sql, params, many in captured if not many and sql.lstrip()[:6] == "SELECT"]
    return selects, len(captured), body


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import json

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from keyprojects.demo.loader import load_demo
    from keyprojects.orgs.models import User
    from keyprojects.reports.models import PublicDataSetting

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            load_demo(projects=args.projects)
            print(
                f"setup     migrate + load_demo(projects={args.projects:,}) "
                f"{time.perf_counter() - start:.1f} s"
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        groups = {f.name: True for f in PublicDataSetting._meta.fields if f.name.startswith("publish_")}
        PublicDataSetting.objects.update_or_create(
            pk=1, defaults={"scope": "all", "include_reserve": True, **groups}
        )
        base.describe(connection)

        district = User.objects.filter(role="district").order_by("id").first().username
        cases = [
            (Case("download (all)", "staff", "/open-data/oc4ids.json"), args.repeat),
            (Case("search nnsgd office", "staff", "/search/quick/?q=nnsgd"), args.search_repeat),
            (Case("search 南宁 office", "staff", "/search/quick/?q=%E5%8D%97%E5%AE%81"), args.search_repeat),
            (Case("search nn district", district, "/search/quick/?q=nn"), args.search_repeat),
        ]
        print(f"\n{'case':<22} {'size':>10} {'page ms':>9} {'its SQL':>9} {'page/SQL':>9} {'queries':>8}")
        rows = []
        for case, repeat in cases:
            client = Client()
            client.force_login(User.objects.get(username=case.username))
            selects, n_queries, body = capture(connection, client, case)  # cold: pinyin table, caches
            selects, n_queries, body = capture(connection, client, case)
            if case.url.endswith(".json"):
                size = f"{len(json.loads(body)['projects'])} proj"
            else:
                size = f"{len(body) // 1024} KiB"
            # The baseline is the page's own queries replayed: the same rows by construction.
            samples = interleave(
                {
                    "page": lambda c=client, u=case.url: _get(c, u),
                    "sql": lambda q=selects: base.replay(connection, q),
                },
                repeat=repeat,
                warmup=args.warmup,
            )
            page, sql = samples["page"], samples["sql"]
            pm, sm = statistics.median(page), statistics.median(sql)
            print(
                f"{case.name:<22} {size:>10} {pm * 1000:9.1f} {sm * 1000:9.1f} {pm / sm:8.1f}× {n_queries:8d}"
            )
            rows.append(
                Row(
                    f"open data {case.name}: page / its SQL",
                    "—",
                    None,
                    paired(page, sql),
                    f"{n_queries} queries",
                )
            )
        print(
            "\npage ms: median server time through the test Client (whole response consumed);\n"
            "its SQL: the same queries replayed bare; queries: per request, session and user included."
        )
        for row in rows:
            emit(row)
    finally:
        keep = args.keep or args.reuse
        base.drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}")


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


if __name__ == "__main__":
    main()
