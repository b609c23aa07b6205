#!/usr/bin/env python
"""Benchmark: deadline day — N monthly reports fired at once at a real gunicorn, against the same
server's trivial authenticated page, in the same run.

Run on demand (`.venv/bin/python bench/deadline_day.py`); it is not part of the test suite. Like
bench/project_list.py it builds a throw-away database (a temporary SQLite file by default, or the
PostgreSQL database named by --database-url or DATABASE_URL, created and dropped; its name must contain
'bench'), migrates it and creates N owners, each with one user and one project on the year's published
list. Every user gets a session up front (written straight to the session table, not timed), so the
clients post as signed-in browsers do: session cookie, CSRF cookie and token.

Then it starts gunicorn as scripts/run.sh does (`--workers 2 --threads 4`, gthread, DEBUG off; --servers
of them on their own ports, sharing the database, the clients spread over them) and,
for each of --rounds rounds (a different month each round), fires:

  reports   all N report forms (`POST /plans/reports/<entry>/<month>/`, action=submit) at once from
            --clients concurrent keep-alive clients — every owner hands in that month's report;
  trivial   the same number of `GET /bench/ping/`: a view behind login_required that returns "ok",
            through the same middleware (session, CSRF, auth, messages) — the floor of a request.

The two sides alternate (which goes first alternates too), so a busy machine slows them alike. After
each round it checks the database: every report stored exactly once with its own amount (lost,
duplicated), every POST answered by the redirect to its report. It prints the throughput of both sides,
their ratio per round (median and min–max; goal ≥ 0.5), the POSTs' p50/p95/p99 latency (from sending
a request to its full answer), and the queries one report POST makes. Whatever the submissions left
for the warning centre to do off the request path (`refresh_dirty_warnings`) is run and timed at the
end, so the work moved out of the request is shown too.
"""

import argparse
import http.client
import os
import queue
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import project_list as base  # noqa: E402  (the throw-away database and the machine description)

try:
    from _harness import Row, emit  # noqa: E402  (make bench's summary row)
except ImportError:  # pragma: no cover
    Row = emit = None

GOAL = 0.5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="as bench/project_list.py (name must contain 'bench'); default DATABASE_URL, else SQLite",
    )
    small = os.environ.get("KP_BENCH_SIZE") == "small"  # make bench: under its time per bench
    parser.add_argument(
        "--reports",
        "-n",
        type=int,
        default=500 if small else 1500,
        help="owners × projects = reports per round",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds, one month each (default 5)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="gunicorn servers on their own ports, the clients spread over them (default 1)",
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    args.reuse = False
    if args.database_url and args.database_url.startswith("postgres") and "bench" not in args.database_url:
        # DATABASE_URL names the developer's database; the bench makes its own beside it.
        args.database_url = args.database_url.rsplit("/", 1)[0] + "/kp_bench_deadline_day"
    return args


def report_year(rounds: int):
    """The year whose months 1..ROUNDS have all begun: this one, or last year early in the year."""
    from django.utils import timezone

    today = timezone.localdate()
    return today.year if today.month >= rounds else today.year - 1


def build(n: int, year: int) -> list[dict]:
    """N owners, each with one user, one project and its entry on YEAR's published list; a session per
    user. Returns [{entry, session, csrf}] in user order."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from keyprojects.orgs.models import Organisation, User
    from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category
    from keyprojects.projects.models import Project, Sector, Stage
    from keyprojects.security.models import UserSession
    from keyprojects.security.services import SESSION_KNOWN, SESSION_SEEN, SESSION_START

    Kind = Organisation.Kind
    with transaction.atomic():
        office = Organisation.objects.create(kind=Kind.OFFICE, name="基准市重点项目建设办公室")
        districts = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.DISTRICT, name=f"第{i + 1:02d}区", sort=i) for i in range(10)]
        )
        staff = User.objects.create(
            username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=make_password(None)
        )
        owners = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.OWNER, name=f"报送业主{i:05d}有限公司") for i in range(n)]
        )
        password = make_password(secrets.token_urlsafe(12))  # one hash for all: hashing N is not the point
        users = User.objects.bulk_create(
            [
                User(
                    username=f"owner{i:05d}",
                    password=password,
                    organisation=owner,
                    role=User.Role.OWNER,
                    full_name=f"填报员{i:05d}",
                )
                for i, owner in enumerate(owners)
            ]
        )
        sector = Sector.objects.order_by("pk").first()
        projects = Project.objects.bulk_create(
            [
                Project(
                    name=f"报送项目{i:05d}",
                    owner=owner,
                    district=districts[i % len(districts)],
                    sector=sector,
                    total_investment=5_000_000_000,
                    start_year=year - 1,
                    end_year=year + 2,
                    stage=Stage.CONSTRUCTION,
                )
                for i, owner in enumerate(owners)
            ],
            batch_size=1000,
        )
        annual_list = AnnualList.objects.create(year=year, title=f"{year}年重点项目清单")
        batch = Batch.objects.create(
            annual_list=annual_list,
            number=1,
            name="第一批",
            status=Batch.Status.PUBLISHED,
            published_at=timezone.make_aware(dt.datetime(year - 1, 12, 20, 9, 0)),
            published_by=staff,
        )
        entries = AnnualEntry.objects.bulk_create(
            [
                AnnualEntry(
                    annual_list=annual_list,
                    batch=batch,
                    project=p,
                    category=Category.CONTINUING,
                    planned_investment=200_000_000,
                    baseline_investment=200_000_000,
                    completed_before_year=10_000_000,
                )
                for p in projects
            ],
            batch_size=1000,
        )
        users = list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))
        store = SessionStore()
        expire = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        now = int(timezone.now().timestamp())
        clients, sessions, held = [], [], []
        for user, entry in zip(users, entries, strict=True):
            key = secrets.token_hex(16)
            # As a login leaves it (security.services.session_open): the clocks started, the session
            # known. Without them every first request would write its session, the posts' round first.
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                SESSION_START: now,
                SESSION_SEEN: now,
                SESSION_KNOWN: key,
            }
            sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
            held.append(UserSession(user=user, session_key=key))
            # The CSRF cookie may hold the bare 32-character secret, and the form token be that secret.
            clients.append({"entry": entry.pk, "session": key, "csrf": secrets.token_hex(16)})
        Session.objects.bulk_create(sessions, batch_size=1000)
        UserSession.objects.bulk_create(held, batch_size=1000)
    return clients


# The server's settings: the real ones plus /bench/ping/, written into the benchmark's temporary
# directory (kept apart from bench/, so no script name there can shadow a module).
BENCH_SETTINGS = """
from keyprojects.settings import *  # noqa: F403

ROOT_URLCONF = "deadline_bench_urls"
"""
BENCH_URLS = """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def ping(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/ping/", ping), path("", include("keyprojects.urls"))]
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port, tmp):
    (Path(tmp) / "deadline_bench_settings.py").write_text(BENCH_SETTINGS)
    (Path(tmp) / "deadline_bench_urls.py").write_text(BENCH_URLS)
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "deadline_bench_settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "1" if args.debug else "0",
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
        "--backlog",
        "4096",
        "--timeout",
        "120",
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


def amount_for(index: int, month: int) -> Decimal:
    """A different amount (万元, four places) for every report, so a swapped or lost one shows."""
    return Decimal(100 + index) + Decimal(month) / 10_000


class Connection:
    """One client's kept-alive HTTP/1.1 connection (plain http.client, as bench clients should cost
    little next to the server)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, cookies, body=None):
        headers = {"Cookie": cookies}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
            except (ConnectionError, http.client.HTTPException):
                # The server closed a kept-alive connection between requests: open another, once.
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, response.headers.get("Location", ""), content

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def fire(ports, requests_, clients):
    """Send every (method, path, cookies, body) of REQUESTS_ from CLIENTS threads at once, client n to
    server PORTS[n % len(PORTS)]; returns ([(index, status, location, latency)], elapsed seconds)."""
    work = queue.SimpleQueue()
    for item in enumerate(requests_):
        work.put(item)
    results, lock = [], threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(port):
        conn, mine = Connection(port), []
        start.wait()
        while True:
            try:
                index, (method, path, cookies, body) = work.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            try:
                status, location, _content = conn.request(method, path, cookies, body)
            except Exception as error:  # noqa: BLE001  (a refused or timed-out request is a failure)
                status, location = 0, repr(error)
            mine.append((index, status, location, time.perf_counter() - t0))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(ports[n % len(ports)],)) for n in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - began


def report_requests(clients, month):
    from django.urls import reverse

    out = []
    for index, c in enumerate(clients):
        body = urlencode(
            {
                "csrfmiddlewaretoken": c["csrf"],
                "amount": str(amount_for(index, month)),
                "progress": f"{month}月形象进度-{index}",
                "problems": "",
                "explanation": "",
                "version": "",
                "action": "submit",
            }
        )
        out.append(("POST", reverse("report_fill", args=[c["entry"], month]), cookie(c), body))
    return out


def cookie(c) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={c['session']}; {settings.CSRF_COOKIE_NAME}={c['csrf']}"


def check_round(clients, month, results) -> dict:
    """Lost and duplicated reports of MONTH in the database, and POSTs not answered by the redirect to
    their report."""
    import re
    from collections import Counter

    from keyprojects.plans.models import MonthlyReport

    rows = list(
        MonthlyReport.objects.filter(month=month, entry__annual_list__year=YEAR[0]).values_list(
            "entry_id", "amount", "status", "version"
        )
    )
    per_entry = Counter(entry_id for entry_id, *_ in rows)
    stored = {entry_id: (amount, status, version) for entry_id, amount, status, version in rows}
    lost = wrong = 0
    for index, c in enumerate(clients):
        row = stored.get(c["entry"])
        if row is None:
            lost += 1
        elif row != (int(amount_for(index, month) * 10_000), MonthlyReport.Status.SUBMITTED, 1):
            wrong += 1
    duplicated = sum(n - 1 for n in per_entry.values() if n > 1)
    bad = [
        (s, loc) for _i, s, loc, _t in results if s != 302 or not re.fullmatch(r"/plans/reports/\d+/", loc)
    ]
    return {"lost": lost, "duplicated": duplicated, "wrong": wrong, "bad": bad}


YEAR = [0]


def post_queries(probe, month) -> int:
    """The queries of one report POST (with whatever runs after its commit), through Django's test
    client, by the PROBE owner whom the rounds leave out."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(enforce_csrf_checks=True)
    client.cookies.load(cookie(probe))
    data = {
        "csrfmiddlewaretoken": probe["csrf"],
        "amount": "1",
        "progress": "查询计数",
        "version": "",
        "action": "submit",
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("report_fill", args=[probe["entry"], month]), data)
    assert response.status_code == 302, (response.status_code, response.content[:500])
    return len(queries)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def main():
    args = parse_args()
    # The sessions are signed here and read by the server: one key for both.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    url, tmp = base.prepare_database(args)
    try:
        import django

        django.setup()
        from django.core.management import call_command, get_commands
        from django.db import connection, connections

        from keyprojects.plans.models import MonthlyReport

        if args.rounds > 12:
            sys.exit("--rounds: at most 12 (one month each)")
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        YEAR[0] = year = report_year(args.rounds)
        clients = build(args.reports + 1, year)
        probe = clients.pop()  # posts once, alone, to count the queries
        took = time.perf_counter() - t0
        print(f"built {args.reports:,} owners × projects, {year} list, sessions in {took:.1f} s")
        base.describe(connection)
        queries = post_queries(probe, 1)
        connections.close_all()

        ports = [_free_port() for _ in range(args.servers)]
        servers = [start_server(args, port, tmp) for port in ports]
        try:
            ping = [("GET", "/bench/ping/", cookie(c), None) for c in clients]
            # Warm every worker and thread: imports, connections, caches.
            warm = args.workers * args.threads * args.servers
            results, _s = fire(ports, ping[: warm * 4], warm)
            assert all(s == 200 for _i, s, _l, _t in results), sorted({s for _i, s, _l, _t in results})
            print(
                f"{args.servers} × gunicorn {args.workers} workers × {args.threads} threads (gthread), "
                f"{args.clients} clients, {args.reports:,} reports a round × {args.rounds} rounds, "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            print(f"queries of one report POST: {queries}")
            print(
                f"{'round':>5} {'month':>5} {'reports/s':>10} {'trivial/s':>10} {'ratio':>6} "
                f"{'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'lost':>5} {'dup':>4} {'bad':>4}"
            )
            ratios, post_lat, totals = [], [], {"lost": 0, "duplicated": 0, "wrong": 0, "bad": 0}
            post_n = post_s = ping_n = ping_s = 0
            for r in range(args.rounds):
                month = r + 1
                posts = report_requests(clients, month)
                sides = ["posts", "ping"] if r % 2 == 0 else ["ping", "posts"]
                for side in sides:
                    if side == "posts":
                        p_results, p_elapsed = fire(ports, posts, args.clients)
                    else:
                        t_results, t_elapsed = fire(ports, ping, args.clients)
                t_bad = sum(1 for _i, s, _l, _t in t_results if s != 200)
                check = check_round(clients, month, p_results)
                rate_p, rate_t = len(p_results) / p_elapsed, len(t_results) / t_elapsed
                ratios.append(rate_p / rate_t)
                lat = sorted(t for _i, _s, _l, t in p_results)
                post_lat.extend(lat)
                post_n, post_s = post_n + len(p_results), post_s + p_elapsed
                ping_n, ping_s = ping_n + len(t_results), ping_s + t_elapsed
                for key in totals:
                    totals[key] += len(check[key]) if key == "bad" else check[key]
                totals["bad"] += t_bad
                print(
                    f"{r + 1:5d} {month:5d} {rate_p:10.1f} {rate_t:10.1f} {rate_p / rate_t:6.2f} "
                    f"{percentile(lat, 0.5):7.2f} {percentile(lat, 0.95):7.2f} {percentile(lat, 0.99):7.2f} "
                    f"{check['lost']:5d} {check['duplicated']:4d} {len(check['bad']) + t_bad:4d}"
                )
                if check["bad"]:
                    print(f"      e.g. {check['bad'][:3]}")
            post_lat.sort()
            ratio = statistics.median(ratios)
            print(
                f"\ndeadline day: {post_n:,} reports, lost {totals['lost']}, "
                f"duplicated {totals['duplicated']}, wrong amount {totals['wrong']}, "
                f"bad answers {totals['bad']}"
            )
            print(
                f"throughput: reports {post_n / post_s:.1f} req/s, trivial {ping_n / ping_s:.1f} req/s; "
                f"ratio median {ratio:.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}) — goal ≥ {GOAL} "
                f"{'✓' if ratio >= GOAL else '✗'}"
            )
            print(
                f"report POST latency: p50 {percentile(post_lat, 0.5):.2f} s, "
                f"p95 {percentile(post_lat, 0.95):.2f} s, p99 {percentile(post_lat, 0.99):.2f} s; "
                f"{queries} queries each"
            )
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
        assert MonthlyReport.objects.count() == args.reports * args.rounds + 1, MonthlyReport.objects.count()
        if "refresh_dirty_warnings" in get_commands():
            t0 = time.perf_counter()
            call_command("refresh_dirty_warnings", verbosity=0)
            took = time.perf_counter() - t0
            print(f"deferred warnings refresh (refresh_dirty_warnings, off the request path): {took:.1f} s")
        if emit is not None:
            emit(
                Row(
                    figure=f"deadline day: {args.reports:,} report POSTs at once ÷ trivial page (req/s)",
                    goal=f"≥ {GOAL}×",
                    limit=GOAL,
                    at_least=True,
                    ratios=ratios,
                    detail=f"lost {totals['lost']}, duplicated {totals['duplicated']}; p50 "
                    f"{percentile(post_lat, 0.5):.2f} s, p95 {percentile(post_lat, 0.95):.2f} s, p99 "
                    f"{percentile(post_lat, 0.99):.2f} s; {queries} queries",
                )
            )
        if totals["lost"] or totals["duplicated"] or totals["wrong"]:
            sys.exit("reports lost, duplicated or wrong")
    finally:
        base.drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    main()
