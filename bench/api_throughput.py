#!/usr/bin/env python
"""Benchmark: REST API list throughput under load, against the same server's trivial endpoint.

Run on demand (`.venv/bin/python bench/api_throughput.py`); it is not part of the test suite. Like
bench/project_list.py it builds a throw-away database (a temporary SQLite file by default, or the
PostgreSQL database named by --database-url, created and dropped), migrates it and fills it with bulk
inserts: 20,000 projects in 15 districts. Then it starts a real server — gunicorn, `--workers` processes
× `--threads` threads, the production WSGI app with DEBUG off — and drives it with `--clients`
concurrent HTTP clients (keep-alive sessions, API tokens) for `--seconds` per case:

  trivial   GET /bench/ping/: a DRF view with the same token authentication, permission and
            throttle classes as the API, returning {} — the floor of a request through the stack;
  list …    GET /api/projects/… : the office's first page (50 rows), a district's filtered and
            ordered page, a deep page, a search, and a page of 500 rows.

For each case: requests per second, median and p90 latency, errors, and req/s as a ratio of the
trivial endpoint's. Throttling is raised out of the way (KP_API_THROTTLE_*), as an office would for a
trusted integration; the client load generator runs on the same machine and competes for its cores.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import project_list as base  # noqa: E402  (the throw-away database and the machine description)
from _harness import MIN_REPEAT, Row, emit  # noqa: E402

DISTRICTS, OWNERS = 15, 500
SECTORS = ("产业", "基础设施", "社会民生", "生态环保")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as bench/project_list.py (name must contain 'bench')")
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per case (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    return parser.parse_args()


def build(projects: int) -> dict:
    """Reference rows, PROJECTS projects, and two API tokens (office, a district); returns the keys."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from keyprojects.api.services import api_token_create
    from keyprojects.lib.text import search_key
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.projects.models import Project, Sector, Stage

    rng = random.Random(20_000)
    Kind = Organisation.Kind
    with transaction.atomic():
        office = Organisation.objects.create(kind=Kind.OFFICE, name="基准市重点项目建设办公室")
        districts = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.DISTRICT, name=f"第{i + 1:02d}区", sort=i) for i in range(DISTRICTS)]
        )
        owners = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.OWNER, name=f"基准业主{i:03d}有限公司") for i in range(OWNERS)]
        )
        # The migrations seed the standard sectors.
        sectors = [
            Sector.objects.get_or_create(name=n, defaults={"sort": i})[0] for i, n in enumerate(SECTORS)
        ]
        staff = User.objects.create(
            username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=make_password(None)
        )
        rows = []
        for i in range(projects):
            owner = owners[i % OWNERS]
            name = f"基准项目{i:05d}"
            start_year = rng.choice((2022, 2023, 2024, 2025, 2026))
            rows.append(
                Project(
                    name=name,
                    code=None,
                    owner=owner,
                    district=districts[(i * 7) % DISTRICTS],
                    sector=sectors[i % len(sectors)],
                    total_investment=rng.randint(2_000, 500_000) * 10_000,
                    start_year=start_year,
                    end_year=start_year + rng.randint(1, 4),
                    stage=rng.choice((Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.CONSTRUCTION)),
                    search_text=search_key(name, "", owner.name, ""),
                )
            )
        Project.objects.bulk_create(rows, batch_size=2000)
        _t, office_key = api_token_create(organisation=office, name="基准 office", by=staff)
        _t, district_key = api_token_create(organisation=districts[1], name="基准 district", by=staff)
    return {"office": office_key, "district": district_key, "district_id": districts[1].pk}


# The server's settings: the real ones plus /bench/ping/, written into the benchmark's temporary
# directory (kept apart from bench/, so no script name there can shadow a module).
BENCH_SETTINGS = """
from keyprojects.settings import *  # noqa: F403

ROOT_URLCONF = "api_bench_urls"
"""
BENCH_URLS = """
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class Ping(APIView):
    # The API's authentication, permission and throttle classes (the defaults), and no work.
    def get(self, request):
        return Response({})


urlpatterns = [path("bench/ping/", Ping.as_view()), path("", include("keyprojects.urls"))]
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port, tmp):
    (Path(tmp) / "api_bench_settings.py").write_text(BENCH_SETTINGS)
    (Path(tmp) / "api_bench_urls.py").write_text(BENCH_URLS)
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "api_bench_settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "KP_API_THROTTLE_USER": "10000000/minute",
        "KP_API_THROTTLE_ANON": "10000000/minute",
        "KP_API_THROTTLE_WRITE": "10000000/minute",
        "LOG_LEVEL": "ERROR",
    }
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "keyprojects.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn did not start")
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not start listening within 60 s")


def load(url, headers, clients, seconds):
    """CLIENTS threads, each with a keep-alive session, GET URL for SECONDS: (latencies, errors, elapsed)."""
    import requests

    latencies, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client():
        session = requests.Session()
        session.headers.update(headers)
        mine, bad = [], 0
        start.wait()
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            try:
                response = session.get(url, timeout=30)
                ok = response.status_code == 200
                response.content  # noqa: B018  (read the whole body)
            except requests.RequestException:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for t in threads:
        t.join()
    return latencies, sum(errors), time.perf_counter() - began


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        if not args.reuse:
            t0 = time.perf_counter()
            call_command("migrate", verbosity=0)
            keys = build(args.projects)
            print(f"built {args.projects:,} projects in {time.perf_counter() - t0:.1f} s")
        else:
            sys.exit("--reuse is not supported: tokens are created with the data")
        base.describe(connection)
        connections.close_all()

        port = _free_port()
        server = start_server(args, port, tmp)
        root = f"http://127.0.0.1:{port}"
        deep = max(1, args.projects // 100)  # half way down the list
        office = {"Authorization": f"Bearer {keys['office']}"}
        district = {"Authorization": f"Bearer {keys['district']}"}
        cases = [
            ("trivial (DRF, token auth)", "/bench/ping/", office),
            ("list: office page 1 (50)", "/api/projects/", office),
            (
                "list: district filtered+ordered",
                f"/api/projects/?stage=construction&ordering=name&district={keys['district_id']}",
                district,
            ),
            (f"list: office page {deep} (50)", f"/api/projects/?page={deep}", office),
            (
                "list: office search q=基准项目01",
                "/api/projects/?q=%E5%9F%BA%E5%87%86%E9%A1%B9%E7%9B%AE01",
                office,
            ),
            ("list: office page of 500", "/api/projects/?page_size=500", office),
        ]
        try:
            import requests

            for _name, path, headers in cases:  # warm every worker's caches and connections
                for _ in range(args.workers * args.threads):
                    response = requests.get(root + path, headers=headers, timeout=30)
                    assert response.status_code == 200, (path, response.status_code, response.text[:300])
            print(
                f"gunicorn {args.workers} workers × {args.threads} threads (gthread), "
                f"{args.clients} clients, "
                f"{args.seconds:g} s per case, {args.projects:,} projects, load average "
                f"{os.getloadavg()[0]:.1f}"
            )
            # Each list case in slices of --seconds ÷ rounds, each paired with a slice of the trivial
            # endpoint run just before or after it (the order alternating): the ratio per pair.
            rounds = max(MIN_REPEAT, 5)
            slice_s = max(0.5, args.seconds / rounds)
            print(
                f"{'case':36} {'req/s':>8} {'median ms':>10} {'p90 ms':>8} {'errors':>7} {'÷ trivial':>10}  "
                f"({rounds} interleaved slices of {slice_s:g} s, paired with the trivial endpoint)"
            )
            trivial = cases[0]
            for name, path, headers in cases[1:]:
                ratios, latencies, errors, elapsed, trivial_rates = [], [], 0, 0.0, []
                for i in range(rounds):
                    pair = [(True, trivial[1], trivial[2]), (False, path, headers)]
                    rates = {}
                    for is_trivial, p, h in pair[i % 2 :] + pair[: i % 2]:
                        lat, err, secs = load(root + p, h, args.clients, slice_s)
                        rates[is_trivial] = len(lat) / secs
                        if not is_trivial:
                            latencies += lat
                            errors += err
                            elapsed += secs
                        else:
                            trivial_rates.append(len(lat) / secs)
                    ratios.append(rates[False] / rates[True])
                rate = len(latencies) / elapsed
                latencies.sort()
                p90 = latencies[int(len(latencies) * 0.9)] if latencies else float("nan")
                print(
                    f"{name:36} {rate:8.1f} {statistics.median(latencies) * 1000:10.1f} {p90 * 1000:8.1f} "
                    f"{errors:7d} {statistics.median(ratios):10.2f}"
                )
                assert errors == 0, f"{name}: {errors} failed requests"
                emit(
                    Row(
                        f"API {name}: req/s ÷ trivial endpoint's",
                        "—",
                        None,
                        ratios,
                        f"{rate:.0f} req/s vs {statistics.median(trivial_rates):.0f} req/s trivial",
                    )
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        base.drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    main()
