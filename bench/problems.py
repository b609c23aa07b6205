#!/usr/bin/env python
"""Benchmark: the problem ledger (问题台账) and the escalation job at 20,000 projects, 50,000 problems.

Run on demand (`.venv/bin/python bench/problems.py`); not part of the test suite. Like
bench/project_list.py it builds a throw-away database (a temporary SQLite file, or the PostgreSQL
database named by --database-url, created and dropped), migrates it and fills it with bulk inserts:
--projects projects (20,000 by default) and --problems problems over them (50,000 by default; a third
with a co-handling unit; a quarter 待交办, the rest in hand at levels 1–3, every level clock run out),
two users with an e-mail address in each district and department, a group robot for each, a few
channel preferences (e-mail off, robots muted), office staff and six liaison leaders. Then:

ledger   GET /problems/ through Django's test Client for the office and a department, unfiltered and
         filtered (unresolved + overdue, sorted by deadline): median and p90 ms, the number of queries,
         and the same page's query count with 50 problems (it must not grow); against hand-written SQL
         for every figure the page shows: the COUNT, the page SELECT with the same joins, the co-handling
         units and the two warning badges (超时, 待交办超时), asserted equal to what the page shows.
job      problems_escalate_due over the problems in hand whose level's time limit has passed (every
         one moves up exactly one level, its new clock starting today: an AUTO_ESCALATE log entry and an
         audit entry each, the UPDATE, and the notices of _notify_escalated — inbox rows, e-mail and
         group-robot outbox rows; the 待交办 quarter never escalates); against a hand-written SQL pass
         doing the same work with a fixed number of statements whatever the number of problems: the due
         rows into a temporary table, INSERT … SELECT of the log rows and of the audit rows, the
         recipients' groups (unit, office from level 2, liaison leader from level 3; one message per
         problem or a digest) and INSERT … SELECT of the inbox rows, the e-mail rows (preferences
         honoured) and the robot rows (muted units skipped), then one UPDATE. The script counts what
         each wrote per table and asserts the same rows (problem states, log, audit, inbox, outbox).
         Job and SQL runs alternate (after --job-warmup untimed pairs), each inside a transaction rolled
         back, so every run starts alike. Also the job's second run (nothing left to do), which must
         change nothing.
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
from _harness import EMPTY_PAGE, MIN_REPEAT, Row, emit, install_empty_page, interleave, paired  # noqa: E402

DISTRICTS, DEPARTMENTS, OWNERS, LEADERS = 15, 25, 300, 6
TODAY = dt.date(2026, 11, 2)  # a Monday
PAGE_SIZE = 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="postgres://…/NAME or sqlite:////path (name must contain 'bench')"
    )
    parser.add_argument("--projects", type=int, default=20_000, help="projects (default 20000)")
    parser.add_argument("--problems", type=int, default=50_000, help="problems (default 50000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed ledger requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument(
        "--job-repeat", type=int, default=5, help="timed escalation runs, job and SQL each (default 5)"
    )
    parser.add_argument("--job-warmup", type=int, default=1, help="untimed job + SQL pairs first (default 1)")
    parser.add_argument("--skip-ledger", action="store_true", help="time the escalation job only")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=True (default False)")
    return parser.parse_args()


def build(n_problems: int, n_projects: int):
    """Organisations, users, N_PROJECTS projects, then N_PROBLEMS problems: a quarter 待交办 (past the
    office's assignment limit), the rest in hand at levels 1–3 with their level's deadline spread over
    the last 30 days (every one past by TODAY); the users, robots and preferences the notices go to."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from keyprojects.coordination.models import Problem, ProblemAction
    from keyprojects.notifications.models import ChannelPreference, WebhookEndpoint
    from keyprojects.notifications.models import Kind as NoticeKind
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
        sector = Sector.objects.get_or_create(name="基础设施")[0]  # seeded by the migrations
        password = make_password(None)
        Role = User.Role
        users = User.objects.bulk_create(
            [
                User(
                    username="staff",
                    role=Role.OFFICE_STAFF,
                    organisation=office,
                    password=password,
                    email="staff@bench.invalid",
                ),
                User(username="admin", role=Role.OFFICE_ADMIN, organisation=office, password=password),
                User(
                    username="department",
                    role=Role.DEPARTMENT,
                    organisation=departments[0],
                    password=password,
                    email="department@bench.invalid",
                ),
            ]
        )
        leaders = User.objects.bulk_create(
            [
                User(
                    username=f"leader{i}",
                    role=Role.LEADER,
                    organisation=office,
                    password=password,
                    email=f"leader{i}@bench.invalid",
                )
                for i in range(LEADERS)
            ]
        )
        handlers = districts + departments
        # Two people with an e-mail address in each handling unit (one more in departments[0]).
        unit_users = User.objects.bulk_create(
            [
                User(
                    username=f"unit{org.pk}{k}",
                    role=Role.DISTRICT if org.kind == Kind.DISTRICT else Role.DEPARTMENT,
                    organisation=org,
                    password=password,
                    email=f"unit{org.pk}{k}@bench.invalid",
                )
                for org in handlers
                for k in "ab"
            ]
        )
        # A group robot for each handling unit; the people of departments[1] mute theirs for
        # escalations, every second person of a district takes no e-mail for them.
        channels = [c for c in WebhookEndpoint._meta.get_field("channel").choices]
        WebhookEndpoint.objects.bulk_create(
            [
                WebhookEndpoint(
                    organisation=org,
                    channel=channels[i % len(channels)][0],
                    name=f"{org.name}群",
                    url=f"https://hooks.bench.invalid/{org.pk}",
                )
                for i, org in enumerate(handlers)
            ]
        )
        ChannelPreference.objects.bulk_create(
            [
                ChannelPreference(user=u, kind=NoticeKind.PROBLEM_ESCALATED, email=True, webhook=False)
                for u in unit_users
                if u.organisation_id == departments[1].pk
            ]
            + [
                ChannelPreference(user=u, kind=NoticeKind.PROBLEM_ESCALATED, email=False, webhook=True)
                for u in unit_users
                if u.organisation.kind == Kind.DISTRICT and u.username.endswith("b")
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
                    leader=leaders[(i // 3) % LEADERS] if i % 3 == 0 else None,
                    search_text=f"基准项目{i:05d}",
                )
                for i in range(n_projects)
            ],
            batch_size=2000,
        )
        rows = []
        for i in range(n_problems):
            deadline = TODAY - dt.timedelta(days=1 + rng.randint(0, 29))
            waiting = not i % 4  # 待交办: no level clock, only the office's assignment limit
            rows.append(
                Problem(
                    project=projects[(i * 7) % n_projects],
                    category=Problem.Category.values[i % 6],
                    title=f"基准问题{i:06d}",
                    description="基准问题描述",
                    source=Problem.Source.OFFICE,
                    raised_by=users[0],
                    raised_by_org=office,
                    lead_unit=handlers[(i + i // len(handlers)) % len(handlers)],
                    status=Problem.Status.OPEN if waiting else Problem.Status.HANDLING,
                    # In hand: levels 1–3 (every one can still move up); 待交办: level 1.
                    level=1 if waiting else 1 + (i // 4) % 3,
                    level_since=None if waiting else deadline - dt.timedelta(days=7),
                    level_deadline=None if waiting else deadline,
                    assign_deadline=deadline if waiting else None,
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
    def __init__(self, name, username, query, where, params, order, scope, scope_params):
        self.name, self.username, self.query = name, username, query
        self.where, self.params, self.order = where, params, order
        # The viewer's whole scope, over which the page's two warning badges count.
        self.scope, self.scope_params = scope, scope_params

    @property
    def url(self):
        return f"/problems/?{self.query}" if self.query else "/problems/"


def cases(department_id):
    # A department sees what it raised, leads or co-handles: the ids from each one's own index.
    handles = (
        "p.id IN (SELECT id FROM coordination_problem WHERE raised_by_org_id = %s "
        "UNION ALL SELECT id FROM coordination_problem WHERE lead_unit_id = %s "
        "UNION ALL SELECT problem_id FROM coordination_problem_co_units WHERE organisation_id = %s)"
    )
    mine = [department_id] * 3
    overdue = "p.status = 'handling' AND p.level_deadline < %s"
    by_deadline = "p.level_deadline ASC NULLS LAST, p.id ASC"
    today = [TODAY.isoformat()]
    return [
        Case("office, all", "staff", "", "1 = 1", [], "p.created_at DESC, p.id DESC", None, []),
        Case(
            "office, overdue",
            "staff",
            "state=unresolved&overdue=on&sort=deadline",
            f"p.status IN ('open', 'handling') AND {overdue}",
            today,
            by_deadline,
            None,
            [],
        ),
        Case(
            "department, all", "department", "", handles, mine, "p.created_at DESC, p.id DESC", handles, mine
        ),
        Case(
            "department, overdue",
            "department",
            "state=unresolved&overdue=on&sort=deadline",
            f"{handles} AND p.status IN ('open', 'handling') AND {overdue}",
            [*mine, *today],
            by_deadline,
            handles,
            mine,
        ),
    ]


OVERDUE = "p.status = 'handling' AND p.level_deadline < %s"
ASSIGN_OVERDUE = "p.status = 'open' AND p.assign_deadline < %s"


def raw_ledger(connection, case):
    """(total, the page's ids, (超时, 待交办超时)): every figure the page shows."""
    today = TODAY.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM coordination_problem p WHERE {case.where}", case.params)
        count = cursor.fetchone()[0]
        cursor.execute(LEDGER_SQL.format(where=case.where, order=case.order), case.params)
        rows = cursor.fetchall()
        if rows:
            cursor.execute(CO_SQL.format(ids=", ".join(str(r[0]) for r in rows)))
            cursor.fetchall()
        if case.scope is None:  # the whole city: a range of each (status, deadline) index
            warnings = []
            for condition in (OVERDUE, ASSIGN_OVERDUE):
                cursor.execute(f"SELECT COUNT(*) FROM coordination_problem p WHERE {condition}", [today])
                warnings.append(cursor.fetchone()[0])
            warnings = tuple(warnings)
        else:  # one pass over the unit's own problems
            cursor.execute(
                f"SELECT SUM(CASE WHEN {OVERDUE} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN {ASSIGN_OVERDUE} THEN 1 ELSE 0 END) "
                f"FROM coordination_problem p WHERE {case.scope}",
                [today, today, *case.scope_params],
            )
            warnings = tuple(n or 0 for n in cursor.fetchone())
    return count, [r[0] for r in rows], warnings


def page_ids(html):
    return [int(x) for x in re.findall(r'<tr id="problem-(\d+)"', html)]


def _number(pattern, html, missing=None):
    found = re.search(pattern, html)
    if found is None and missing is not None:
        return missing
    assert found, f"the page shows no {pattern!r}"
    return int(found.group(1).replace(",", ""))


def page_figures(html):
    """What the page shows, in raw_ledger's shape."""
    return (
        _number(r"共 ([\d,]+) 个问题", html),
        page_ids(html),
        # A unit sees the 待交办超时 badge only when it has some.
        (_number(r">超时 ([\d,]+) 个", html), _number(r">待交办超时 ([\d,]+) 个", html, missing=0)),
    )


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


def _lit(text) -> str:
    """TEXT as an SQL string literal (the statements below also take %s parameters, so % is doubled)."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def _concat(template: str, pieces: dict) -> str:
    """The message TEMPLATE ("…%(name)s…", as gettext gives it to the job) as an SQL concatenation, each
    placeholder replaced by the SQL expression PIECES[name]."""
    parts = re.split(r"%\((\w+)\)s", template)
    sql = [pieces[part] if i % 2 else _lit(part) for i, part in enumerate(parts) if i % 2 or part]
    return "(" + " || ".join(sql) + ")"


def _case(column: str, mapping: dict) -> str:
    return f"CASE {column}" + "".join(f" WHEN {k} THEN {v}" for k, v in mapping.items()) + " END"


TEMP_TABLES = ("bench_due", "bench_member", "bench_group", "bench_sent")


def escalation_baseline(connection, today: dt.date, now) -> tuple[int, int]:
    """What problems_escalate_due does, in plain SQL with a fixed number of statements: the due rows
    (in hand, level deadline before the last working day on or before TODAY, below the top level) into
    a temporary table; INSERT … SELECT of their AUTO_ESCALATE log rows and of their audit rows; the
    recipient groups of _notify_escalated (the lead unit's people; the office's from level 2; the
    project's liaison leader from level 3 — one message per problem when a group has one, else a
    digest of the first 20 titles) and INSERT … SELECT of the inbox rows (an event already in an inbox
    skipped) and of the outbox rows (e-mail where the person has an address and has not switched it
    off; the unit's group robots unless all its people muted them); then the UPDATE moving each row up
    one level with the new level's clock starting TODAY. The same texts, keys and deadlines as the job
    (the job's own translations and ladder). Returns (problems moved, statements run)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from keyprojects.audit.models import AuditEntry
    from keyprojects.coordination.models import Problem, ProblemAction
    from keyprojects.coordination.selectors import MemoCalendar
    from keyprojects.coordination.services import last_workday_on_or_before, level_deadline_from, levels
    from keyprojects.notifications.models import (
        Channel,
        ChannelPreference,
        Kind,
        Notification,
        OutboxMessage,
        WebhookEndpoint,
    )
    from keyprojects.orgs.models import User

    pg = connection.vendor == "postgresql"
    ops = connection.ops
    obj, arr = ("jsonb_build_object", "jsonb_build_array") if pg else ("json_object", "json_array")
    nl = "chr(10)" if pg else "char(10)"
    t = {m: ops.quote_name(m._meta.db_table) for m in (Problem, ProblemAction, AuditEntry, User)}
    t |= {m: ops.quote_name(m._meta.db_table) for m in (Notification, OutboxMessage, WebhookEndpoint)}
    prefs = ops.quote_name(ChannelPreference._meta.db_table)
    projects = ops.quote_name(Problem._meta.get_field("project").related_model._meta.db_table)

    ladder = levels()
    top = max(ladder)
    up = {level: min(n for n in ladder if n > level) for level in sorted(ladder) if level < top}
    calendar = MemoCalendar.for_years(range(today.year - 1, today.year + 3))
    cutoff = last_workday_on_or_before(today, calendar)
    deadlines = {to: level_deadline_from(today, ladder[to], calendar) for to in sorted(set(up.values()))}
    day = today.isoformat()
    at = ops.adapt_datetimefield_value(now)
    level_name = _case("{}", {to: _lit(ladder[to].name) for to in deadlines})
    kind = _lit(Kind.PROBLEM_ESCALATED.value)
    detail = reverse("problem_detail", args=[987654321]).split("987654321")
    digest_url = reverse("problem_list") + "?state=unresolved&sort=level"
    statements = [
        # 1. The due rows (locked on PostgreSQL, as the job's select_for_update).
        f"CREATE TEMP TABLE bench_due AS SELECT p.id AS id, p.level AS old_level, "
        f"{_case('p.level', up)} AS new_level, p.level_deadline AS old_deadline, p.title AS title, "
        f"p.project_id AS project_id, p.lead_unit_id AS lead_unit_id FROM {t[Problem]} p "
        f"WHERE p.status = 'handling' AND p.level_deadline < %s AND p.level < %s",
        # 2. The log.
        f"INSERT INTO {t[ProblemAction]} "
        "(problem_id, kind, by_id, by_org_id, note, from_level, to_level, at) "
        f"SELECT d.id, {_lit(ProblemAction.Kind.AUTO_ESCALATE.value)}, NULL, NULL, "
        + _concat(
            _("超过办理时限（%(date)s）未办结，自动提级至“%(level)s”。"),
            {"date": "CAST(d.old_deadline AS VARCHAR(10))", "level": level_name.format("d.new_level")},
        )
        + ", d.old_level, d.new_level, %s FROM bench_due d",
        # 3. The audit entries.
        f"INSERT INTO {t[AuditEntry]} (at, user_id, action, model, object_id, object_repr, project_id, "
        f"changes) SELECT %s, NULL, {_lit(AuditEntry.Action.UPDATE.value)}, {_lit(Problem._meta.label)}, "
        f"CAST(d.id AS VARCHAR(40)), SUBSTR(d.title, 1, 200), d.project_id, {obj}("
        f"{_lit(_('当前层级'))}, {arr}(CAST(d.old_level AS VARCHAR(10)), CAST(d.new_level AS VARCHAR(10))), "
        f"{_lit(_('本层级起始日'))}, {arr}('', {_lit(day)}), "
        f"{_lit(_('本层级办理时限'))}, {arr}(CAST(d.old_deadline AS VARCHAR(10)), "
        + _case("d.new_level", {to: _lit(d.isoformat() if d else "") for to, d in deadlines.items()})
        + ")) FROM bench_due d",
        # 4. Who is told of which problem: the lead unit; the office from level 2; the leader from 3.
        "CREATE TEMP TABLE bench_member AS "
        "SELECT 'org' AS kind, d.lead_unit_id AS target, d.id AS id, d.title AS title, "
        "d.new_level AS new_level, d.old_level AS old_level, d.old_deadline AS old_deadline FROM bench_due d "
        "UNION ALL SELECT 'office', 0, d.id, d.title, d.new_level, d.old_level, d.old_deadline "
        "FROM bench_due d WHERE d.new_level >= 2 "
        "UNION ALL SELECT 'user', pr.leader_id, d.id, d.title, d.new_level, d.old_level, d.old_deadline "
        f"FROM bench_due d JOIN {projects} pr ON pr.id = d.project_id "
        "WHERE d.new_level >= 3 AND pr.leader_id IS NOT NULL",
        # 5. One message per group: the problem's own when it is alone, else a digest of 20 titles.
        "CREATE TEMP TABLE bench_group AS SELECT a.kind AS kind, a.target AS target, a.n AS n, "
        "CASE WHEN a.n = 1 THEN "
        + _concat(
            _("问题超时自动提级至“%(level)s”：%(title)s"),
            {"level": level_name.format("a.one_level"), "title": "a.one_title"},
        )
        + " ELSE "
        + _concat(_("%(n)s 个问题超时未办结，已自动提级"), {"n": "a.n"})
        + " END AS title, "
        f"CASE WHEN a.n = 1 THEN '' ELSE b.lines || CASE WHEN a.n > 20 THEN {nl} || "
        + _concat(_("……等 %(n)s 个问题"), {"n": "a.n"})
        + " ELSE '' END END AS body, "
        f"CASE WHEN a.n = 1 THEN {_lit(detail[0])} || a.first_id || {_lit(detail[1])} "
        f"ELSE {_lit(digest_url)} END AS url, "
        f"CASE WHEN a.n = 1 THEN 'problem:' || a.first_id || ':auto:' || a.one_level || ':' || {_lit(day)} "
        f"ELSE 'problems:auto:' || {_lit(day)} || ':' || CASE a.kind WHEN 'office' THEN 'office' "
        "ELSE a.kind || a.target END || ':' || a.first_id || ':' || a.n END AS key "
        "FROM (SELECT kind, target, COUNT(*) AS n, MIN(id) AS first_id, MIN(title) AS one_title, "
        "MIN(new_level) AS one_level FROM bench_member GROUP BY kind, target) a "
        "JOIN (SELECT kind, target, "
        + (f"string_agg(line, {nl} ORDER BY rn)" if pg else f"group_concat(line, {nl})")
        + " AS lines FROM (SELECT kind, target, '· ' || title AS line, ROW_NUMBER() OVER "
        "(PARTITION BY kind, target ORDER BY old_level, id) AS rn FROM bench_member "
        "ORDER BY kind, target, rn) r WHERE rn <= 20 GROUP BY kind, target) b "
        "ON b.kind = a.kind AND b.target = a.target",
        # 6. The recipients who do not have this event in their inbox yet.
        "CREATE TEMP TABLE bench_sent AS "
        + " UNION ALL ".join(
            f"SELECT g.kind AS kind, g.target AS target, g.title AS title, g.body AS body, g.url AS url, "
            f"g.key AS key, u.id AS user_id, u.email AS email FROM bench_group g JOIN {t[User]} u ON {on} "
            f"WHERE g.kind = '{group}' AND u.is_active AND NOT EXISTS (SELECT 1 FROM {t[Notification]} x "
            "WHERE x.recipient_id = u.id AND x.key = g.key)"
            for group, on in (
                ("org", "u.organisation_id = g.target"),
                ("office", f"u.role IN ({_lit(User.Role.OFFICE_ADMIN)}, {_lit(User.Role.OFFICE_STAFF)})"),
                ("user", "u.id = g.target"),
            )
        ),
        # 7. The inbox rows.
        f"INSERT {'' if pg else 'OR IGNORE '}INTO {t[Notification]} "
        "(recipient_id, kind, title, body, url, key, created_at, read_at) "
        f"SELECT s.user_id, {kind}, SUBSTR(s.title, 1, 200), s.body, s.url, s.key, %s, NULL FROM bench_sent s"
        + (" ON CONFLICT DO NOTHING" if pg else ""),
        # 8. E-mail, unless the person switched it off for escalations.
        f"INSERT {'' if pg else 'OR IGNORE '}INTO {t[OutboxMessage]} (channel, address, webhook_id, "
        "subject, body, url, key, status, attempts, next_attempt_at, last_error, created_at, sent_at) "
        f"SELECT {_lit(Channel.EMAIL)}, s.email, NULL, SUBSTR(s.title, 1, 200), s.body, s.url, "
        "s.key || ':email:' || s.user_id, 'pending', 0, %s, '', %s, NULL "
        f"FROM bench_sent s LEFT JOIN {prefs} cp ON cp.user_id = s.user_id AND cp.kind = {kind} "
        "WHERE s.email <> '' AND (cp.id IS NULL OR cp.email)" + (" ON CONFLICT DO NOTHING" if pg else ""),
        # 9. The unit's group robots, unless every one of its people muted them for escalations.
        f"INSERT {'' if pg else 'OR IGNORE '}INTO {t[OutboxMessage]} (channel, address, webhook_id, "
        "subject, body, url, key, status, attempts, next_attempt_at, last_error, created_at, sent_at) "
        "SELECT h.channel, '', h.id, SUBSTR(g.title, 1, 200), g.body, g.url, g.key || ':hook:' || h.id, "
        f"'pending', 0, %s, '', %s, NULL FROM bench_group g JOIN {t[WebhookEndpoint]} h "
        "ON h.organisation_id = g.target AND h.is_active WHERE g.kind = 'org' AND EXISTS "
        f"(SELECT 1 FROM {t[User]} u LEFT JOIN {prefs} cp ON cp.user_id = u.id AND cp.kind = {kind} "
        "WHERE u.organisation_id = g.target AND u.is_active AND (cp.id IS NULL OR cp.webhook))"
        + (" ON CONFLICT DO NOTHING" if pg else ""),
        # 10. Each problem up one level, the new level's clock from today.
        f"UPDATE {t[Problem]} SET level = {_case('level', up)}, level_since = %s, level_deadline = "
        + _case("level", {level: "%s" for level in up})
        + ", version = version + 1, updated_at = %s "
        "WHERE status = 'handling' AND id IN (SELECT id FROM bench_due)",
    ]
    if pg:  # the job reads the due rows FOR UPDATE
        statements[0] += " FOR UPDATE OF p"
    date = ops.adapt_datefield_value
    params = [
        [date(cutoff), top],
        [at],
        [at],
        [],
        [],
        [],
        [at],
        [at, at],
        [at, at],
        [date(today), *[date(deadlines[up[level]]) for level in up], at],
    ]
    moved = 0
    with connection.cursor() as cursor:
        for name in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        for sql, values in zip(statements, params, strict=True):
            cursor.execute(sql, values)
            moved = cursor.rowcount
        for name in TEMP_TABLES:
            cursor.execute(f"DROP TABLE {name}")
    return moved, len(statements)


def escalation_written(marks: dict) -> dict:
    """The rows an escalation run wrote after MARKS (the highest ids before it), comparable between the
    job and the SQL pass (no ids, no times)."""
    import json

    from keyprojects.audit.models import AuditEntry
    from keyprojects.coordination.models import Problem, ProblemAction
    from keyprojects.notifications.models import Notification, OutboxMessage

    return {
        "problems": sorted(
            Problem.objects.values_list("id", "status", "level", "level_since", "level_deadline", "version")
        ),
        "log": sorted(
            ProblemAction.objects.filter(pk__gt=marks["log"]).values_list(
                "problem_id", "kind", "by_id", "note", "from_level", "to_level"
            )
        ),
        "audit": sorted(
            (*row[:-1], json.dumps(row[-1], sort_keys=True, ensure_ascii=False))
            for row in AuditEntry.objects.filter(pk__gt=marks["audit"]).values_list(
                "user_id", "action", "model", "object_id", "object_repr", "project_id", "changes"
            )
        ),
        "inbox": sorted(
            Notification.objects.filter(pk__gt=marks["inbox"]).values_list(
                "recipient_id", "kind", "title", "body", "url", "key"
            )
        ),
        "outbox": sorted(
            OutboxMessage.objects.filter(pk__gt=marks["outbox"]).values_list(
                "channel", "address", "webhook_id", "subject", "body", "url", "key", "status"
            )
        ),
    }


def escalation_marks() -> dict:
    from django.db.models import Max

    from keyprojects.audit.models import AuditEntry
    from keyprojects.coordination.models import ProblemAction
    from keyprojects.notifications.models import Notification, OutboxMessage

    models = {"log": ProblemAction, "audit": AuditEntry, "inbox": Notification, "outbox": OutboxMessage}
    return {key: m.objects.aggregate(m=Max("pk"))["m"] or 0 for key, m in models.items()}


def ledger(args, connection, department_id):
    """The ledger cases: page against raw SQL, interleaved; the query count with 50 problems."""
    from django.db import transaction
    from django.test import Client

    from keyprojects.coordination.models import Problem
    from keyprojects.orgs.models import User

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
        f"{'page/raw':>9} {'(p-e)/raw':>10} {'queries':>8} {'@50':>4}"
    )
    rows = []
    for case in cases(department_id):
        client = Client()
        client.force_login(User.objects.get(username=case.username))
        response = client.get(case.url)
        with Counting(connection) as q:
            response = client.get(case.url)
        raw = raw_ledger(connection, case)
        count = raw[0]
        assert page_figures(response.content.decode()) == raw, f"{case.name}: the page differs from raw SQL"

        def page(client=client, case=case):
            response = client.get(case.url)
            assert response.status_code == 200
            return response

        def check(results, case=case):
            assert page_figures(results["page"].content.decode()) == results["raw"], (
                f"{case.name}: the page differs from raw SQL"
            )

        def empty(client=client):
            assert client.get(EMPTY_PAGE).status_code == 200

        samples = interleave(
            {"page": page, "raw": lambda case=case: raw_ledger(connection, case), "empty": empty},
            repeat=args.repeat,
            warmup=args.warmup,
            check=check,
        )
        page_t, raw_t, empty_t = samples["page"], samples["raw"], samples["empty"]
        above = [(p - e) / r for p, e, r in zip(page_t, empty_t, raw_t, strict=True)]
        pm, rm, em = statistics.median(page_t), statistics.median(raw_t), statistics.median(empty_t)
        print(
            f"{case.name:<22} {count:>6} {base.ms(pm):8.1f} {base.ms(base.p90(page_t)):7.1f} "
            f"{base.ms(rm):8.1f} {pm / rm:8.1f}× {statistics.median(above):9.1f}× {q.n:8d} "
            f"{small_counts[case.name]:>4}"
        )
        rows.append(
            Row(
                f"problem ledger {case.name} (page − empty) / raw SQL",
                "≤ 2×",
                2.0,
                above,
                f"{base.ms(pm):.1f} ms page, {base.ms(em):.1f} ms empty, "
                f"{base.ms(rm):.2f} ms raw, {q.n} queries",
            )
        )
        assert q.n == small_counts[case.name], "the ledger's query count grows with the data"
    return rows


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import time_machine
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from keyprojects.coordination.models import Problem
    from keyprojects.coordination.services import levels, problems_escalate_due
    from keyprojects.orgs.models import User

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            n = build(args.problems, args.projects)
            built = time.perf_counter() - migrated
            print(f"setup     migrate {migrated - start:.1f} s · build {n:,} problems {built:.1f} s")
        base.describe(connection)
        total = Problem.objects.count()
        print(
            f"problems  {total:,} (a quarter 待交办 past the assignment limit, the rest in hand at "
            f"levels 1–3 past their level's time limit on {TODAY})\n"
        )
        department_id = User.objects.get(username="department").organisation_id

        install_empty_page()
        rows = []
        with time_machine.travel(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10), tick=True):
            if not args.skip_ledger:
                rows += ledger(args, connection, department_id)

        # The escalation run: the job and the SQL pass alternate (which goes first alternates too),
        # each inside a transaction rolled back, so every run starts from the same due problems.
        ladder = levels()
        due = Problem.objects.filter(
            status=Problem.Status.HANDLING, level_deadline__lt=TODAY, level__lt=max(ladder)
        ).count()

        def run(which):
            with transaction.atomic():
                marks = escalation_marks()
                now = timezone.now()
                t0 = time.perf_counter()
                if which == "job":
                    result = problems_escalate_due(today=TODAY)
                    moved, extra = result["escalated"], result
                else:
                    moved, extra = escalation_baseline(connection, TODAY, now)
                elapsed = time.perf_counter() - t0
                again = None
                if which == "job":
                    assert result["failed"] == 0 and result["steps"] == moved, result
                    t1 = time.perf_counter()
                    second = problems_escalate_due(today=TODAY)
                    again = time.perf_counter() - t1
                    assert second["escalated"] == 0, second
                rows = escalation_written(marks)
                transaction.set_rollback(True)
            assert moved == due, (which, moved, due)
            return elapsed, rows, extra, again

        job, raw, second = [], [], []
        for i in range(args.job_warmup + max(args.job_repeat, MIN_REPEAT)):
            order = ("job", "sql") if i % 2 == 0 else ("sql", "job")
            out = {which: run(which) for which in order}
            (job_t, job_rows, result, again), (raw_t, raw_rows, statements, _) = out["job"], out["sql"]
            for table in job_rows:
                assert job_rows[table] == raw_rows[table], (
                    f"the SQL pass wrote other {table} rows than the job: "
                    f"{len(job_rows[table])} vs {len(raw_rows[table])}, e.g. "
                    f"{sorted(set(job_rows[table]) ^ set(raw_rows[table]))[:3]}"
                )
            if i >= args.job_warmup:
                job.append(job_t)
                raw.append(raw_t)
                second.append(again)
        jm, rm, sm = (statistics.median(x) for x in (job, raw, second))
        counts = {table: len(rows) for table, rows in job_rows.items()}
        levels_moved = ", ".join(f"{n:,} to {lv}" for lv, n in sorted(result["levels"].items()))
        print(
            f"\nescalation run over {due:,} due problems in hand ({levels_moved}); "
            f"{args.job_repeat} runs each after {args.job_warmup} untimed pair(s), job and SQL alternating, "
            f"each rolled back.\n"
            f"  each run writes        {due:,} problem updates, {counts['log']:,} log rows, "
            f"{counts['audit']:,} audit rows, {counts['inbox']:,} inbox rows, "
            f"{counts['outbox']:,} outbox rows (job and SQL pass: the same rows, asserted)\n"
            f"  problems_escalate_due  {jm:8.2f} s  median (p90 {base.p90(job):.2f} s)\n"
            f"  SQL pass               {rm:8.2f} s  median (p90 {base.p90(raw):.2f} s; "
            f"{statements} statements and the temporary tables)\n"
            f"  ratio                  {jm / rm:8.1f}× the SQL pass doing the same work\n"
            f"  second run             {base.ms(sm):8.1f} ms (nothing due: changes nothing)"
        )
        rows.append(
            Row(
                f"escalation run, {due:,} due problems: job / SQL doing the same writes",
                "≤ 3×",
                3.0,
                paired(job, raw),
                f"{jm:.2f} s vs {rm:.2f} s; {counts['log']:,} log, {counts['audit']:,} audit, "
                f"{counts['inbox']:,} inbox, {counts['outbox']:,} outbox rows",
            )
        )
        for row in rows:
            emit(row)
    finally:
        base.drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    main()
