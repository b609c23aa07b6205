#!/usr/bin/env python
"""Two app servers and one worker against one PostgreSQL, under a mixed load; prints what it measured.

    .venv/bin/python scripts/cluster.py                 # the mixed load
    .venv/bin/python scripts/cluster.py --pg-restart    # … with PostgreSQL restarted in the middle
    .venv/bin/python scripts/cluster.py --brute-force   # 11 wrong passwords for one account, both servers

It (re)creates the database kp_cluster on --pg (default postgres://postgres@127.0.0.1:5432), migrates it,
loads the demo city and adds one owner login per owner organisation that has monthly reports to hand in.
Then it starts two gunicorn servers (ports --port and --port+1, DEBUG off, as scripts/run.sh does) and
the worker (`manage.py db_worker`, else `manage.py run_scheduler`; --worker-cmd overrides), all sharing
one data directory (the uploads) and the database. Every client first logs in through the real login form
(CSRF cookie and token; timed apart), then for --duration seconds sends its requests to the two servers in
turn, so every session crosses servers:

  owners   open the month's report form and submit it, one project after another, until none is left;
  readers  office staff and leaders reading the project list and the cockpit.

--pg-restart restarts PostgreSQL a third of the way in, then reports the failed requests (each should be
our Chinese error page, never a traceback), when the failures stopped, and a fresh login and pages served
afterwards with nothing restarted. --brute-force sends 11 wrong passwords for one account alternately to
the two servers and the right one after, and prints each answer.

Afterwards it checks the database: every report answered with its redirect is stored with what was sent,
none is half-written (status, amount and progress all from one submission or none), and prints requests,
errors, throughput and p50/p95/p99 per kind and per server. Everything it started is stopped at the end.
Run as root for --pg-restart (`pg_ctlcluster <version> main restart`).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
GUNICORN = str(ROOT / ".venv/bin/gunicorn")
PASSWORD = "Cluster-2026-load"
DEMO_PASSWORD = "demo2026"
ERROR_PAGE = 'id="error-page"'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--db", default="kp_cluster", help="database name (dropped and created)")
    parser.add_argument("--port", type=int, default=8701, help="first server's port; the second is +1")
    parser.add_argument("--projects", type=int, default=300, help="demo projects (default 300)")
    parser.add_argument("--owners", type=int, default=12, help="owner clients (default 12)")
    parser.add_argument("--readers", type=int, default=6, help="reader clients (default 6)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs (path printed)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument(
        "--worker-cmd", default="auto", help='worker command, e.g. "db_worker" (default auto)'
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists (faster)")
    parser.add_argument("--pg-restart", action="store_true", help="restart PostgreSQL a third of the way in")
    parser.add_argument("--brute-force", action="store_true", help="11 wrong logins for one account")
    return parser.parse_args()


# Set-up ----------------------------------------------------------------------------------------------


def run(args_, env, **kw):
    return subprocess.run(args_, env=env, cwd=ROOT, check=True, **kw)


def database_exists(args) -> bool:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone())


def create_database(args, env):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    began = time.perf_counter()
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "load_demo", "--projects", str(args.projects)], env, stdout=subprocess.DEVNULL)
    print(f"database {args.db}: migrated and demo loaded in {time.perf_counter() - began:.0f} s")


def prepare(args):
    """One owner login per owner organisation with reports to hand in (the most first); the reports
    each may submit now; the reader logins. Runs Django in this process, on the cluster's database."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from keyprojects.orgs.models import User
    from keyprojects.plans.models import AnnualEntry, MonthlyReport
    from keyprojects.plans.report_selectors import is_editable
    from keyprojects.plans.report_services import report_refusal

    today = timezone.localdate()
    reports = {
        (r.entry_id, r.month): r for r in MonthlyReport.objects.filter(entry__annual_list__year=today.year)
    }
    work = defaultdict(list)
    entries = AnnualEntry.objects.filter(annual_list__year=today.year).select_related(
        "annual_list", "project"
    )
    for entry in entries:
        for month in range(1, today.month + 1):
            if (
                is_editable(reports.get((entry.pk, month)))
                and report_refusal(entry=entry, month=month) is None
            ):
                work[entry.project.owner_id].append((entry.pk, month))
    owners = sorted(work, key=lambda org: -len(work[org]))[: args.owners]
    password = make_password(PASSWORD)
    users = [
        User.objects.update_or_create(
            username=f"cluster-{i}",
            defaults={
                "organisation_id": org,
                "role": User.Role.OWNER,
                "password": password,
                "is_active": True,
            },
        )[0]
        for i, org in enumerate(owners)
    ]
    owner_clients = [{"username": u.username, "tasks": work[u.organisation_id]} for u in users]
    readers = ["staff", "leader"]
    reader_clients = [{"username": readers[i % len(readers)]} for i in range(args.readers)]
    return owner_clients, reader_clients


def reports_now(tasks):
    """{(entry, month): (status, amount in yuan, progress)} as stored."""
    from django.db import close_old_connections

    from keyprojects.plans.models import MonthlyReport

    close_old_connections()
    wanted = set(tasks)
    rows = MonthlyReport.objects.filter(entry_id__in={e for e, _m in wanted}).values_list(
        "entry_id", "month", "status", "amount", "progress"
    )
    return {(e, m): (s, a, p) for e, m, s, a, p in rows if (e, m) in wanted}


def worker_command(args, env) -> list[str]:
    if args.worker_cmd != "auto":
        return [PY, "manage.py", *args.worker_cmd.split()]
    for command in ("db_worker", "run_scheduler"):
        probe = subprocess.run([PY, "manage.py", "help", command], env=env, cwd=ROOT, capture_output=True)
        if probe.returncode == 0:
            return [PY, "manage.py", command]
    raise SystemExit("neither db_worker nor run_scheduler is a command here")


def start(args, env, tmp) -> dict:
    procs = {}
    for i in range(2):
        port = args.port + i
        log = open(tmp / f"server-{port}.log", "w")  # noqa: SIM115 (closed with the process)
        procs[f"server {i + 1}"] = subprocess.Popen(
            [
                GUNICORN,
                "keyprojects.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={args.workers}",
                f"--threads={args.threads}",
                "--log-level=warning",
                "--graceful-timeout=5",
                "--timeout=120",  # a loaded machine is slow, not hung
                "--keep-alive=75",  # as behind nginx: clients' idle connections stay open
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = worker_command(args, env)
    log = open(tmp / "worker.log", "w")  # noqa: SIM115
    procs["worker"] = subprocess.Popen(worker, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    print(f"worker: {' '.join(worker[1:])}")
    deadline = time.time() + 60
    for i in range(2):
        while True:
            try:
                status, _h, _b = raw_get(args.port + i, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit(f"server {i + 1} did not answer /healthz; see {tmp}")
            time.sleep(0.3)
    # Each worker's first request imports the URL configuration and the views: not part of the figures.
    warm = [
        threading.Thread(target=raw_get, args=(args.port + i % 2, "/login/")) for i in range(4 * args.workers)
    ]
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    return procs


def stop(procs):
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def raw_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# Clients ---------------------------------------------------------------------------------------------


class Browser:
    """One user's browser: cookies, a keep-alive connection per server, requests to the servers in turn;
    every request is recorded as (kind, server, status, seconds, body-or-error)."""

    def __init__(self, ports, log, lock):
        self.ports, self.log, self.lock = ports, log, lock
        self.cookies, self.conns, self.turn = {}, {}, secrets.randbelow(len(ports))

    def request(self, kind, method, path, form=None, server=None):
        if server is None:
            server, self.turn = self.turn, (self.turn + 1) % len(self.ports)
        port = self.ports[server]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        try:
            conn = self.conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=90)
            self.conns[port] = conn
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            status = response.status
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            location = response.headers.get("Location", "")
        except (OSError, http.client.HTTPException) as error:
            self.conns.pop(port, None)
            status, content, location = 0, repr(error).encode(), ""
        elapsed = time.perf_counter() - began
        with self.lock:
            self.log.append(
                (
                    kind,
                    server + 1,
                    status,
                    elapsed,
                    time.time(),
                    content if status >= 500 or not status else b"",
                )
            )
        return status, content.decode("utf-8", "replace"), location

    def login(self, username, password, server=None):
        status, page, _loc = self.request("login_form", "GET", "/login/", server=server)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            return status, page, ""
        form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        return self.request("login", "POST", "/login/", form, server=server)


def hidden_fields(page) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="hidden"' in tag:
            name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
    return fields


def amount_for(entry, month) -> Decimal:
    return Decimal(entry % 9000 + month) + Decimal(entry % 97) / 100


def owner_client(c, ports, log, lock, ready, stop_at, sent):
    browser = Browser(ports, log, lock)
    logged_in = browser.login(c["username"], PASSWORD)[0] == 302
    ready.wait()
    if not logged_in:
        return
    for entry, month in c["tasks"]:
        if time.time() >= stop_at[0]:
            return
        path = f"/plans/reports/entry/{entry}/{month}/"
        status, page, _loc = browser.request("report_form", "GET", path)
        if status != 200:
            continue
        form = hidden_fields(page)
        form.update(
            amount=str(amount_for(entry, month)),
            progress=f"集群压测：{entry}-{month}",
            problems="",
            explanation="压测数据：如超过项目总投资，系按合同变更调整。",  # the over-total rule asks for one
            action="submit",
        )
        sent[(entry, month)] = "sending"
        status, page, location = browser.request("report_submit", "POST", path, form)
        if status == 302 and "/plans/reports/" in location:
            sent[(entry, month)] = "stored"
        else:
            sent[(entry, month)] = f"HTTP {status} {summarise(page, location)}"


def reader_client(c, ports, log, lock, ready, stop_at):
    browser = Browser(ports, log, lock)
    logged_in = browser.login(c["username"], DEMO_PASSWORD)[0] == 302
    ready.wait()
    while logged_in and time.time() < stop_at[0]:
        browser.request("project_list", "GET", "/projects/")
        browser.request("cockpit", "GET", "/cockpit/")


def pg_restart(log_lines):
    versions = sorted(os.listdir("/etc/postgresql"))
    version = versions[-1]
    began = time.time()
    done = subprocess.run(["pg_ctlcluster", version, "main", "restart"], capture_output=True, text=True)
    log_lines.append((began, time.time(), done.returncode, (done.stdout + done.stderr).strip()))


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def report(log, elapsed):
    """Per kind and server; ELAPSED None: the logins before the timed load (no rate)."""
    heads = f"{'requests':>10}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(f"\n{'kind':<14}{'server':>7}{heads}")
    groups = defaultdict(list)
    for kind, server, status, seconds, _t, _b in log:
        groups[(kind, server)].append((status, seconds))
        groups[(kind, "all")].append((status, seconds))
    for (kind, server), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        ok = [s for st, s in rows if 0 < st < 500]
        errors = len(rows) - len(ok)
        rate = f"{len(rows) / elapsed:>8.1f}" if elapsed else f"{'':>8}"
        ms = "".join(f"{percentile(ok, p) * 1000:>9.0f}" for p in (0.5, 0.95, 0.99))
        print(f"{kind:<14}{server!s:>7}{len(rows):>10}{errors:>8}{rate}{ms}")
    total = len(log)
    if elapsed:
        print(f"total: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s")
    first = {}
    for kind, server, status, _s, _t, body in log:
        if (status >= 500 or status == 0) and kind not in first:
            first[kind] = (server, status, body)
    for kind, (server, status, body) in first.items():
        text = re.sub(
            r"\s+",
            " ",
            re.sub(
                r"<(style|script)[^>]*>.*?</\1>|<[^>]+>", " ", body.decode("utf-8", "replace"), flags=re.S
            ),
        )
        print(f"first failure of {kind}: server {server}, HTTP {status}: {text.strip()[:160]}")


def check_reports(owners, sent):
    """Every submission answered with its redirect stored as sent; none half-written."""
    tasks = [(e, m) for c in owners for e, m in c["tasks"]]
    stored = reports_now(tasks)
    figures = {"acknowledged": 0, "acknowledged and stored": 0, "failed, stored whole": 0}
    figures.update({"failed, not stored": 0, "half-written": 0, "lost": 0})
    refusals = set()
    for key, outcome in sent.items():
        entry, month = key
        want = ("submitted", int(amount_for(entry, month) * 10_000), f"集群压测：{entry}-{month}")
        row = stored.get(key)
        whole = row == want
        ours = row is not None and (row[1] == want[1] or row[2] == want[2])
        if outcome == "stored":
            figures["acknowledged"] += 1
            figures["acknowledged and stored" if whole else "lost"] += 1
        elif outcome.startswith("HTTP 200"):
            figures.setdefault("refused by the form", 0)
            figures["refused by the form"] += 1
            refusals.add(outcome)
        elif whole:
            figures["failed, stored whole"] += 1
        elif ours:
            figures["half-written"] += 1
        else:
            figures["failed, not stored"] += 1
    print("reports: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    for reason in sorted(refusals)[:3]:
        print(f"  refused: {reason}")
    return figures


def check_outage(log, restarts):
    """During and after the restart: the error pages, and when the system answered again by itself."""
    if not restarts:
        return
    began, ended, code, output = restarts[0]
    print(f"\nPostgreSQL restart: exit {code}, took {ended - began:.1f} s {output[-200:]}")
    failed = [(k, s, st, t, b) for k, s, st, _sec, t, b in log if st >= 500 or st == 0]
    chinese = sum(
        1 for *_x, st, _t, b in failed if st >= 500 and ERROR_PAGE.encode() in b and "系统".encode() in b
    )
    traceback = sum(1 for *_x, b in failed if b"Traceback" in b)
    dropped = sum(1 for *_x, st, _t, _b in failed if st == 0)
    print(
        f"failed requests: {len(failed)} (5xx with the Chinese error page {chinese}, "
        f"with a traceback {traceback}, connection errors {dropped})"
    )
    if failed:
        last_failure = max(t for *_x, t, _b in failed)
        first_failure = min(t for *_x, t, _b in failed)
        print(f"failures from {first_failure - began:+.1f} s to {last_failure - began:+.1f} s of the restart")
        later = [(st, t) for _k, _s, st, _sec, t, _b in log if t > last_failure]
        bad = sum(1 for st, _t in later if st >= 500 or st == 0)
        print(f"after the last failure: {len(later)} requests, {bad} failed")
    codes = defaultdict(int)
    for _k, _s, st, *_r in failed:
        codes[st] += 1
    print("failure statuses: " + ", ".join(f"{k}×{v}" for k, v in sorted(codes.items())))


def brute_force(ports, lock):
    """11 wrong passwords for one account, alternating servers; then the right one."""
    log = []
    browser = Browser(ports, log, lock)
    print("\nbrute force against 'district' (alternating servers):")
    for attempt in range(1, 12):
        browser.cookies.clear()
        status, page, location = browser.login("district", f"wrong-{attempt}", server=attempt % 2)
        print(
            f"  attempt {attempt:>2} on server {attempt % 2 + 1}: HTTP {status} {summarise(page, location)}"
        )
    browser.cookies.clear()
    status, page, location = browser.login("district", DEMO_PASSWORD, server=0)
    print(f"  right password afterwards: HTTP {status} {summarise(page, location)}")


def summarise(page, location):
    if location:
        return f"→ {location}"
    for pattern in (
        r'class="alert[^"]*"[^>]*>(.*?)</',
        r'class="invalid-feedback[^"]*"[^>]*>(.*?)</',
        r"<h1[^>]*>(.*?)</h1>",
    ):
        found = re.search(pattern, page, re.S)
        if found:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()[:80]
    return ""


def main():
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kp-cluster-"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.pg}/{args.db}",
        KEYPROJECTS_DATA_DIR=str(tmp / "data"),  # one directory for both servers: the shared uploads
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONN_MAX_AGE="60",
    )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    sys.path.insert(0, str(ROOT))
    if args.reuse and database_exists(args):
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    else:
        create_database(args, env)
    owners, readers = prepare(args)
    print(
        f"clients: {len(owners)} owners with {sum(len(c['tasks']) for c in owners)} reports to submit, "
        f"{len(readers)} readers; servers on ports {args.port} and {args.port + 1}"
    )
    procs = start(args, env, tmp)
    ports = [args.port, args.port + 1]
    lock = threading.Lock()
    try:
        if args.brute_force:
            brute_force(ports, lock)
            # Unlock again, so that a later run on this database (--reuse) can log in.
            subprocess.run([PY, "manage.py", "axes_reset"], env=env, cwd=ROOT, capture_output=True)
            return
        log, sent, restarts = [], {}, []
        ready = threading.Barrier(len(owners) + len(readers) + 1)
        stop_at = [time.time() + 3600]
        owner_threads = [
            threading.Thread(target=owner_client, args=(c, ports, log, lock, ready, stop_at, sent))
            for c in owners
        ]
        reader_threads = [
            threading.Thread(target=reader_client, args=(c, ports, log, lock, ready, stop_at))
            for c in readers
        ]
        for t in owner_threads + reader_threads:
            t.start()
        ready.wait()  # every client has logged in (each through the real form); the load starts now
        logins = len(log)
        began = time.time()
        stop_at[0] = began + args.duration
        if args.pg_restart:
            time.sleep(args.duration / 3)
            pg_restart(restarts)
        for t in owner_threads + reader_threads:
            t.join()
        elapsed = time.time() - began
        if args.pg_restart:
            # By itself: the same servers, untouched, must answer a fresh login and a page.
            probe = Browser(ports, log, lock)
            status, _p, _l = probe.login("staff", DEMO_PASSWORD)
            pages = [probe.request("after", "GET", "/cockpit/")[0] for _ in range(4)]
            print(f"after the restart, no intervention: login HTTP {status}, cockpit on both servers {pages}")
        report(log[:logins], None)
        report(log[logins:], elapsed)
        check_reports(owners, sent)
        check_outage(log, restarts)
        alive = procs["worker"].poll() is None
        last = "" if alive else (tmp / "worker.log").read_text(errors="replace").strip().splitlines()[-1:]
        print(f"worker alive at the end: {alive} {''.join(last)[:160]}")
    finally:
        stop(procs)
        if args.keep_logs:
            print(f"logs: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
