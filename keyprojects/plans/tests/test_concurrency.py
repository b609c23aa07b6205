"""1,500 monthly reports submitted at once through the real HTTP server by 24 clients, each signed in
through the login form: every report stored exactly once with its own amount, none lost, no server
error and no "database is locked" — on SQLite (a file, so the server's threads write through their own
connections) and on PostgreSQL (DATABASE_URL).

150 entries × January–October: the months of one entry are spread over two clients of its owner, so
writers of the same entry meet (the entry row lock and the unique month constraint are exercised), and
100 reports are posted twice at once by both clients: one is stored, the other refused.
"""

import http.client
import random
import re
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
from keyprojects.plans.tests.report_world import TODAY, Status, reports_world
from keyprojects.projects.models import Project
from keyprojects.test import PASSWORD, make_cast

ENTRIES = 150
MONTHS = range(1, 11)
OWNERS = 12  # each with two users, one client each
CLIENTS = OWNERS * 2
DUPLICATES = 100
# A guard against lock stalls, not a speed test: ~35 s on SQLite, ~60 s on PostgreSQL on 2 busy cores.
TIME_LIMIT = 300


class Browser:
    """One person's client: a cookie jar, the login form and form posts over one kept-alive HTTP/1.1
    connection, as a browser does (plain http.client, no third-party client)."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}
        self.connection = None
        self.connections_opened = 0

    def request(self, method, path, fields=None):
        body = urlencode(fields) if fields is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.connections_opened += 1
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, response.headers.get("Location", ""), content

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def login(self, username):
        status, _location, html = self.request("GET", reverse("login"))
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, location, _html = self.request(
            "POST",
            reverse("login"),
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302 and "/login/" not in location, "login failed"
        assert "sessionid" in self.cookies

    def submit(self, entry_id, month, amount, progress):
        return self.request(
            "POST",
            reverse("report_fill", args=[entry_id, month]),
            {
                # The login rotated the CSRF cookie; the form token may be the cookie's secret itself.
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
                "amount": str(amount),
                "progress": progress,
                "problems": "",
                "explanation": "",
                "version": "",
                "action": "submit",
            },
        )


def amount_for(index, month) -> Decimal:
    """A different amount for every report (万元, four places), so a swapped or lost one shows."""
    return Decimal(100 + index) + Decimal(month) / 10_000


def build(world):
    """Twelve owners with two users each; 150 entries on the published list spread over them."""
    reports_world(world)
    owners = Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.OWNER, name=f"并发测试业主{i}") for i in range(OWNERS)
    )
    users = []
    for i, owner in enumerate(owners):
        for j in range(2):
            users.append(
                User.objects.create_user(
                    username=f"owner{i}-{j}",
                    password=PASSWORD,
                    organisation=owner,
                    role=User.Role.OWNER,
                    full_name=f"填报员{i}-{j}",
                )
            )
    projects = Project.objects.bulk_create(
        Project(
            name=f"并发测试项目{i}",
            owner=owners[i % OWNERS],
            district=(world.district_a, world.district_b)[i % 2],
            sector=world.sector,
            total_investment=5_000_000_000,
            start_year=2025,
            end_year=2028,
        )
        for i in range(ENTRIES)
    )
    entries = AnnualEntry.objects.bulk_create(
        AnnualEntry(
            annual_list=world.annual_list,
            batch=world.batch,
            project=p,
            category=Category.CONTINUING,
            planned_investment=200_000_000,
            completed_before_year=10_000_000,
        )
        for p in projects
    )
    return owners, users, entries


def plan(owners, users, entries):
    """For each client: its username and its (entry id, month, amount, progress) posts, shuffled so the
    months of one entry go to both of its owner's clients and arrive interleaved."""
    rng = random.Random(2026)
    tasks = {u.username: [] for u in users}
    expected = {}
    for index, entry in enumerate(entries):
        owner_index = index % OWNERS
        for month in MONTHS:
            task = (entry.pk, month, amount_for(index, month), f"{month}月形象进度-{index}")
            expected[(entry.pk, month)] = task
            tasks[f"owner{owner_index}-{(index + month) % 2}"].append(task)
    duplicated = rng.sample(sorted(expected), DUPLICATES)
    for key in duplicated:
        entry_id, month = key
        index = next(i for i, e in enumerate(entries) if e.pk == entry_id)
        tasks[f"owner{index % OWNERS}-{(index + month + 1) % 2}"].append(expected[key])
    for posts in tasks.values():
        rng.shuffle(posts)
    return tasks, expected, set(duplicated)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_stores_1500_concurrent_reports_exactly_once(live_server):
    world = make_cast()
    owners, users, entries = build(world)
    tasks, expected, duplicated = plan(owners, users, entries)
    assert len(expected) == ENTRIES * len(MONTHS) == 1500

    results = []  # (entry id, month, status, location, body)
    failures = []
    connections = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(username):
        browser = Browser(live_server.url)
        try:
            browser.login(username)
            start.wait(timeout=60)
            for entry_id, month, amount, progress in tasks[username]:
                status, location, body = browser.submit(entry_id, month, amount, progress)
                with lock:
                    results.append((entry_id, month, status, location, body))
        except Exception as error:  # a refused connection or a timeout is a failure too, not a crash
            with lock:
                failures.append(f"{username}: {error!r} {traceback.format_exc()[-600:]}")
            start.abort()
        finally:
            browser.close()
            connections.append(browser.connections_opened)

    with time_machine.travel(TODAY, tick=True):
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(client, tasks))
        seconds = time.monotonic() - began

    assert not failures, failures[:5]
    assert len(results) == 1500 + DUPLICATES
    errors = [(e, m, s) for e, m, s, _l, body in results if s >= 500 or "database is locked" in body]
    assert not errors, errors[:5]

    by_report = {}
    for entry_id, month, status, location, body in results:
        by_report.setdefault((entry_id, month), []).append((status, location, body))
    for key, answers in by_report.items():
        stored = [a for a in answers if a[0] == 302 and re.fullmatch(r"/plans/reports/\d+/", a[1])]
        assert len(stored) == 1, (key, [a[0] for a in answers])
        if key in duplicated:
            refused = [a for a in answers if a[0] == 200]
            assert len(refused) == 1 and ("不能再修改" in refused[0][2] or "其他人已修改" in refused[0][2]), (
                key
            )

    # Every report once, with its own amount and progress, handed in by one of its owner's people.
    stored = {
        (r.entry_id, r.month): r
        for r in MonthlyReport.objects.filter(entry__in=entries).select_related("submitted_by")
    }
    assert len(stored) == MonthlyReport.objects.count() == 1500
    owner_of = {e.pk: e.project.owner_id for e in AnnualEntry.objects.select_related("project")}
    for key, (_entry_id, _month, amount, progress) in expected.items():
        report = stored[key]
        assert report.amount == int(amount * 10_000), key
        assert (report.status, report.progress, report.version) == (Status.SUBMITTED, progress, 1), key
        assert report.submitted_by.organisation_id == owner_of[key[0]], key
    assert AuditEntry.objects.filter(model="plans.MonthlyReport", action="create").count() == 1500
    assert seconds < TIME_LIMIT, f"{seconds:.1f} s"
    print(
        f"\n1,500 reports (+{DUPLICATES} duplicates) by {CLIENTS} clients in {seconds:.1f} s "
        f"over {sum(connections)} connections"
    )
