#!/usr/bin/env python
"""Benchmark: recomputing every warning of 20,000 projects against a hand-written SQL pass doing the
same work (the same rules, texts and writes), in the same run.

Run on demand (`.venv/bin/python bench/warning_centre.py`); not part of the test suite. It builds the same
throw-away database as bench/completion.py (20,000 projects, three annual lists with an entry per
project, 36 months of reports) and adds what the other rules read: five tasks and three preliminary
items per project, a fund need per project, some completed industrial projects. "Today" is
2026-11-20. Then it times, for three cases,

  engine      warnings_recompute_all(now=…), the scheduled job: every rule's lights computed, compared
              with the stored ones, and the writes — new lights (ProjectWarning), changed ones (level,
              message, figures, thresholds, URL), lights no longer hit turned green, and a WarningChange
              history row with the thresholds for every new light, level change and green;
  SQL pass    sql_recompute: the same with a fixed number of set-based statements — every rule's lights,
              worded as the engine words them, into a temporary table (one INSERT … SELECT of a UNION
              ALL of one SELECT per rule, then the combined rule from the start and investment rows),
              then the history rows of the level changes and of the lights turning green, the UPDATE of
              the changed lights and of those turning green, the INSERT of the new lights and of their
              first history rows. Two lookup tables are made once per connection, as the engine keeps its
              calendar between runs: the working-day calendar and how Python rounds a tie to tenths.

  first run, from empty   every light created, with its history row;
  same moment again       nothing changed: both read every rule and every light, compare, write nothing;
  next working day        the nightly run a working day later: the tasks' working days left and the
                          items' days past change, some lights turn red, a few appear.

The committed lights of TODAY are the SQL pass's; the engine, from empty, must write exactly the same
rows (lights with their messages, figures, thresholds and URLs; history rows), and in every timed run
both must write the same rows (asserted), so the baseline does the same work. Engine and SQL runs
alternate, each inside a transaction rolled back. Last, GET /warnings/ (the warning centre) as office
staff: query count and median time.
"""

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import completion as comp  # noqa: E402  (the 20,000-project city)
import project_list as base  # noqa: E402  (the throw-away database and the machine description)
from _harness import MIN_REPEAT, Row, emit, paired  # noqa: E402

TODAY = dt.date(2026, 11, 20)
TASKS_PER_PROJECT = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as bench/completion.py (name must contain 'bench')")
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs of each case, engine and SQL each (default 5)"
    )
    parser.add_argument("--warmup", type=int, default=0, help="untimed pairs first, per case (default 0)")
    parser.add_argument("--page-repeat", type=int, default=10, help="timed page loads (default 10)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument(
        "--page-only", action="store_true", help="with --reuse: time the page only (warnings already there)"
    )
    return parser.parse_args()


def add_rule_rows():
    """Tasks, preliminary items, fund needs and a few completed industrial projects, by INSERT … SELECT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from keyprojects.orgs.models import Organisation, User
    from keyprojects.plans.models import Batch
    from keyprojects.projects.models import FactorNeed, PrelimItem, Project
    from keyprojects.tasks.models import Task

    staff = User.objects.get(username="staff")
    department = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).order_by("pk").first()
    published = timezone.make_aware(dt.datetime(2025, 12, 20))
    with transaction.atomic(), connection.cursor() as cursor:
        Batch.objects.update(published_at=published)  # every 2026 month is owed
        five = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(TASKS_PER_PROJECT))
        # Deadlines from 60 days before to 40 days after today; one task in three done.
        base_day = (TODAY - dt.date(1970, 1, 1)).days
        deadline = (
            f"DATE('1970-01-01', '+' || ({base_day} - 60 + (p.id * 7 + n.k * 23) % 100) || ' days')"
            if connection.vendor == "sqlite"
            else f"DATE '1970-01-01' + CAST({base_day} - 60 + (p.id * 7 + n.k * 23) %% 100 AS INTEGER)"
        )
        if connection.vendor == "sqlite":
            deadline = deadline.replace("%", "%%")
        comp._insert_select(
            cursor,
            Task,
            {
                "project_id": "p.id",
                "title": "'基准任务'",
                "requirement": "''",
                "responsible_unit_id": str(department.pk),
                "responsible_person": "''",
                "deadline": deadline,
                "status": "CASE WHEN (p.id + n.k) %% 3 = 0 THEN 'done' "
                "WHEN n.k = 1 THEN 'doing' ELSE 'todo' END",
                "source": "'manual'",
                "prelim_kind": "''",
                "created_by_id": str(staff.pk),
            },
            f"projects_project p CROSS JOIN ({five}) n",
        )
        kinds = " UNION ALL ".join(
            f"SELECT '{kind}' AS kind, {i} AS i" for i, kind in enumerate(("eia", "energy", "tender"))
        )
        planned = (
            f"DATE('1970-01-01', '+' || ({base_day} - 90 + (p.id * 11 + q.i * 31) %% 120) || ' days')"
            if connection.vendor == "sqlite"
            else f"DATE '1970-01-01' + CAST({base_day} - 90 + (p.id * 11 + q.i * 31) %% 120 AS INTEGER)"
        )
        comp._insert_select(
            cursor,
            PrelimItem,
            {
                "project_id": "p.id",
                "kind": "q.kind",
                "planned_date": planned,
                "actual_date": f"CASE WHEN (p.id + q.i) %% 2 = 0 THEN {planned} END",
                "document_no": "''",
                "note": "''",
            },
            f"projects_project p CROSS JOIN ({kinds}) q",
        )
        comp._insert_select(
            cursor,
            FactorNeed,
            {
                "project_id": "p.id",
                "kind": "'funds'",
                "fund_source": "'special_bond'",
                "need_yuan": "p.total_investment / 4",
                "secured_yuan": "p.total_investment / 4 * ((p.id * 13) %% 100) / 100",
                "note": "''",
            },
            "projects_project p",
        )
        # One project in fifty: completed in 2025, industrial sector (name contains 产业).
        done = Project.objects.filter(sector__name="产业", start_date__isnull=False).order_by("pk")[::50]
        Project.objects.filter(pk__in=[p.pk for p in done]).update(
            stage="completed", completion_date=dt.date(2025, 9, 15)
        )
        # Nine projects in ten that started are registered in the statistics.
        cursor.execute(
            "UPDATE projects_project SET statistics_registered = %s, statistics_date = start_date "
            "WHERE start_date IS NOT NULL AND id %% 10 <> 3",
            [True],
        )
        cursor.execute("ANALYZE")


# --------------------------------------------------------------------------------------------------
# The baseline: the engine's work (the same rules, texts and writes) as hand-written set-based SQL.
# --------------------------------------------------------------------------------------------------


def _lit(text) -> str:
    """TEXT as an SQL string literal (the statements take %(name)s parameters, so % is doubled)."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def _concat(template: str, pieces: dict) -> str:
    """A message TEMPLATE as the rules format it ("…%(name)s…" % values) as an SQL concatenation, each
    placeholder replaced by the SQL expression PIECES[name]."""
    parts = re.split(r"%\((\w+)\)s", template)
    sql = [
        pieces[part] if i % 2 else _lit(part.replace("%%", "%"))
        for i, part in enumerate(parts)
        if i % 2 or part
    ]
    return "(" + " || ".join(sql) + ")"


class Dialect:
    """The few expressions SQLite and PostgreSQL write differently."""

    def __init__(self, connection):
        self.pg = connection.vendor == "postgresql"
        self.ops = connection.ops

    def obj(self, pairs: dict) -> str:
        """A JSON object from {literal key: SQL expression}."""
        fn = "jsonb_build_object" if self.pg else "json_object"
        return f"{fn}({', '.join(f'{_lit(k)}, {v}' for k, v in pairs.items())})"

    def json(self, value) -> str:
        """A constant JSON value as the engine's JSONField would read it back."""
        text = _lit(json.dumps(value, ensure_ascii=False))
        return f"CAST({text} AS jsonb)" if self.pg else text

    def merge(self, a: str, b: str) -> str:
        return f"({a} || {b})" if self.pg else f"json_patch({a}, {b})"

    def part(self, what: str, date: str) -> str:
        """The year, month or day of DATE as an integer."""
        if self.pg:
            return f"CAST(EXTRACT({what.upper()} FROM {date}) AS INTEGER)"
        code = {"year": "%%Y", "month": "%%m", "day": "%%d"}[what]
        return f"CAST(strftime('{code}', {date}) AS INTEGER)"

    def days(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def curve_element(self, i: int) -> str:
        if self.pg:
            return f"CAST(e.monthly_plan ->> {i} AS BIGINT)"
        return f"CAST(json_extract(e.monthly_plan, '$[{i}]') AS INTEGER)"

    def wan(self, yuan: str) -> str:
        """lib.money.format_wan of a non-negative whole-yuan amount: 万元 with thousands separators and
        the fraction's trailing zeros dropped (12,345.5)."""
        if self.pg:
            whole = f"to_char(({yuan}) / 10000, 'FM999,999,999,999,999,990')"
            frac = f"rtrim(lpad(CAST(({yuan}) %% 10000 AS TEXT), 4, '0'), '0')"
        else:
            whole = f"printf('%%,d', ({yuan}) / 10000)"
            frac = f"rtrim(substr('000' || (({yuan}) %% 10000), -4), '0')"
        return f"({whole} || CASE WHEN ({yuan}) %% 10000 = 0 THEN '' ELSE '.' || {frac} END)"

    def tenths(self, num: str, den: str) -> str:
        """f"{num / den:.1f}" (rules._points) for non-negative whole numbers: the quotient rounded to
        tenths in integer arithmetic; on an exact tie, the way Python rounds the float there (table
        bench_ties, from create_lookups)."""
        n10, den = f"(({num}) * 10)", f"({den})"
        rem = f"({n10} %% {den})"
        q = (
            f"({n10} / {den} + CASE WHEN 2 * {rem} > {den} THEN 1 WHEN 2 * {rem} < {den} THEN 0 "
            f"ELSE COALESCE((SELECT up FROM bench_ties WHERE q = {n10} / {den}), 1) END)"
        )
        return f"(CAST({q} / 10 AS TEXT) || '.' || CAST({q} %% 10 AS TEXT))"


def hits_sql(connection, ctx, rules: dict, params_by_code: dict, today_n: int) -> tuple[list[str], dict]:
    """The statements that fill the temporary table bench_hits (rule_id, subject, project_id, level,
    message, figures, thresholds, url) with every rule's yellow and red lights, worded as the engine
    words them (alerts/rules.py), and their parameters. RULES: code → WarningRule (active ones)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from keyprojects.alerts.rules import _points
    from keyprojects.lib.dates import add_months, next_month_start
    from keyprojects.plans.models import Batch, Category, MonthlyReport
    from keyprojects.plans.report_selectors import local_midnight
    from keyprojects.projects.models import FactorNeed, PrelimItem, Stage
    from keyprojects.tasks.models import Task

    d = Dialect(connection)
    today = ctx.today
    adapt_day, adapt_time = d.ops.adapt_datefield_value, d.ops.adapt_datetimefield_value
    values = {"today": adapt_day(today), "false": False}

    def url(name, column, anchor=""):
        before, after = reverse(name, args=[987654321]).split("987654321")
        return f"({_lit(before)} || {column} || {_lit(after + anchor)})"

    def quoted(items):
        return ", ".join(_lit(v) for v in items)

    live = f"p.stage <> {_lit(Stage.CANCELLED)}"
    counted = f"status IN ({quoted(MonthlyReport.COUNTED)})"
    entries_from = (
        "FROM plans_annualentry e JOIN plans_batch b ON b.id = e.batch_id "
        "JOIN projects_project p ON p.id = e.project_id"
    )
    entries_where = (
        f"WHERE e.annual_list_id = %(list_id)s AND b.status = {_lit(Batch.Status.PUBLISHED)} AND {live}"
    )
    entries = f"{entries_from} {entries_where}"
    values["list_id"] = ctx.annual_list.pk if ctx.annual_list else None
    selects = {}

    def select(code, subject, project, level, message, figures, link, body):
        selects[code] = (
            f"SELECT {rules[code].pk} AS rule_id, {subject} AS subject, {project} AS project_id, "
            f"{level} AS level, {message} AS message, {d.obj(figures)} AS figures, "
            f"{d.json(params_by_code[code])} AS thresholds, {link} AS url {body}"
        )

    Code = type(next(iter(rules.values()))).Code
    if Code.TASK in rules:
        n = int(params_by_code[Code.TASK]["yellow_workdays"])
        values["task_bound"] = adapt_day(ctx.add_workdays(today, n))
        values["today_n"] = today_n
        left = "(c.n - %(today_n)s)"
        overdue = "t.deadline < %(today)s"
        label = (
            f"CASE WHEN {overdue} THEN {_concat(_('逾期 %(n)s 个工作日'), {'n': f'-{left}'})} "
            f"ELSE {_concat(_('剩余 %(n)s 个工作日'), {'n': left})} END"
        )
        figures = {_("完成时限"): "CAST(t.deadline AS TEXT)", _("责任单位"): "o.name", _("工作日"): label}
        with_person = {**figures, _("责任人"): "t.responsible_person"}
        selects_task = (
            f"SELECT {rules[Code.TASK].pk} AS rule_id, 'task:' || t.id AS subject, "
            "t.project_id AS project_id, "
            f"CASE WHEN {overdue} THEN 'red' ELSE 'yellow' END AS level, "
            f"{_concat(_('任务“%(title)s”%(label)s'), {'title': 't.title', 'label': label})} AS message, "
            f"CASE WHEN t.responsible_person <> '' THEN {d.obj(with_person)} ELSE {d.obj(figures)} END "
            f"AS figures, {d.json(params_by_code[Code.TASK])} AS thresholds, "
            f"{url('task_detail', 't.id')} AS url "
            "FROM tasks_task t JOIN projects_project p ON p.id = t.project_id "
            "LEFT JOIN orgs_organisation o ON o.id = t.responsible_unit_id "
            "JOIN bench_cal c ON c.day = t.deadline "
            f"WHERE t.status IN ({quoted(Task.OPEN)}) AND t.deadline <= %(task_bound)s AND {live}"
        )
        selects[Code.TASK] = selects_task
    if Code.PRELIM in rules:
        values["prelim_red_days"] = int(params_by_code[Code.PRELIM]["red_after_days"])
        days = d.days("%(today)s", "i.planned_date")
        name = (
            "CASE i.kind "
            + " ".join(f"WHEN {_lit(k)} THEN {_lit(str(v))}" for k, v in PrelimItem.Kind.choices)
            + " ELSE i.kind END"
        )
        select(
            Code.PRELIM,
            "'prelim:' || i.id",
            "i.project_id",
            f"CASE WHEN {days} > %(prelim_red_days)s THEN 'red' ELSE 'yellow' END",
            _concat(
                _("前期事项“%(name)s”计划%(date)s完成，已过 %(days)s 天仍未办结"),
                {"name": name, "date": "CAST(i.planned_date AS TEXT)", "days": days},
            ),
            {_("事项"): name, _("计划完成日期"): "CAST(i.planned_date AS TEXT)", _("已过天数"): days},
            url("project_detail", "i.project_id", "#prelim"),
            "FROM projects_prelimitem i JOIN projects_project p ON p.id = i.project_id "
            f"WHERE i.actual_date IS NULL AND i.planned_date < %(today)s AND {live}",
        )
    if Code.START in rules and ctx.annual_list is not None and ctx.annual_list.year == today.year:
        values["month"] = today.month
        values["start_red"] = int(params_by_code[Code.START]["red_months"])
        late = "(%(month)s - e.planned_start_month)"
        select(
            Code.START,
            "'entry:' || e.id",
            "e.project_id",
            f"CASE WHEN {late} >= %(start_red)s THEN 'red' ELSE 'yellow' END",
            _concat(
                _("新开工项目计划%(month)s月开工，至今未开工，滞后 %(n)s 个月"),
                {"month": "e.planned_start_month", "n": late},
            ),
            {
                _("计划开工月份"): f"{_lit(f'{today.year}-')} || CASE WHEN e.planned_start_month < 10 "
                "THEN '0' ELSE '' END || e.planned_start_month",
                _("滞后月数"): late,
            },
            url("entry_detail", "e.id"),
            f"{entries} AND e.category = {_lit(Category.NEW_START)} AND e.planned_start_month < %(month)s "
            "AND (p.start_date IS NULL OR p.start_date > %(today)s)",
        )
    due_month = ctx.due_month()
    values["due"] = due_month
    ytd_reports = (
        "LEFT JOIN (SELECT entry_id, CAST(SUM(amount) AS BIGINT) AS amount, COUNT(*) AS n "
        "FROM plans_monthlyreport "
        f"WHERE month <= %(due)s AND {counted} GROUP BY entry_id) r ON r.entry_id = e.id"
    )
    if Code.INVESTMENT in rules and due_month:
        invest = params_by_code[Code.INVESTMENT]
        values["yellow10"] = round(float(invest["yellow_points"]) * 10)
        values["red10"] = round(float(invest["red_points"]) * 10)
        curve = " + ".join(d.curve_element(i) for i in range(due_month))
        start = "COALESCE(e.planned_start_month, 1)"
        spread = (
            f"CASE WHEN e.planned_start_month > %(due)s THEN 0 "
            f"ELSE e.planned_investment * (%(due)s + 1 - {start}) / (13 - {start}) END"
        )
        month = _lit(due_month)
        basis = (
            f"CASE WHEN x.curve IS NOT NULL THEN {_lit(_('分月计划'))} "
            f"WHEN x.start > 1 THEN {_concat(_('自%(month)s月计划开工起按月均摊'), {'month': 'x.start'})} "
            f"ELSE {_lit(_('全年按月均摊'))} END"
        )
        points = d.tenths("(x.due - x.ytd) * 100", "x.plan")
        select(
            Code.INVESTMENT,
            "'entry:' || x.id",
            "x.project_id",
            "CASE WHEN (x.due - x.ytd) * 1000 > x.plan * %(red10)s THEN 'red' ELSE 'yellow' END",
            _concat(
                _("1-%(month)s月完成投资落后序时进度 %(points)s 个百分点"), {"month": month, "points": points}
            ),
            {
                _("年度计划（万元）"): d.wan("x.plan"),
                _("1-%(month)s月计划（万元）") % {"month": due_month}: d.wan("x.due"),
                _("1-%(month)s月完成（万元）") % {"month": due_month}: d.wan("x.ytd"),
                _("完成率"): f"{d.tenths('x.ytd * 100', 'x.plan')} || '%%'",
                _("序时进度"): f"{d.tenths('x.due * 100', 'x.plan')} || '%%'",
                _("序时进度口径"): basis,
                _("落后百分点"): points,
            },
            url("report_entry", "x.id"),
            "FROM (SELECT e.id AS id, e.project_id AS project_id, e.planned_investment AS plan, "
            f"COALESCE(r.amount, 0) AS ytd, COALESCE({curve}, {spread}, 0) AS due, {curve} AS curve, "
            f"e.planned_start_month AS start {entries_from} {ytd_reports} {entries_where} "
            f"AND e.category <> {_lit(Category.PREPARATORY)} AND e.planned_investment > 0) x "
            "WHERE (x.due - x.ytd) * 1000 >= x.plan * %(yellow10)s AND x.due - x.ytd > 0",
        )
    if Code.REPORTING in rules and due_month:
        values["reporting_red"] = int(params_by_code[Code.REPORTING]["red_months"])
        year = ctx.annual_list.year
        first_due = "CASE WHEN b.published_at IS NULL THEN 1"
        for m in range(1, 13):
            values[f"published_{m}"] = adapt_time(local_midnight(next_month_start(year, m)))
            first_due += f" WHEN b.published_at < %(published_{m})s THEN {m}"
        first_due += " ELSE 13 END"
        deadline = ctx.deadline_of(due_month)
        missing = "(x.expected - x.handed)"
        select(
            Code.REPORTING,
            "'entry:' || x.id",
            "x.project_id",
            f"CASE WHEN {missing} >= %(reporting_red)s THEN 'red' ELSE 'yellow' END",
            _concat(
                _("截至%(month)s月有 %(n)s 个月的月度报送逾期未报"), {"month": _lit(due_month), "n": missing}
            ),
            {
                _("应报月数"): "x.expected",
                _("已报月数"): "x.handed",
                _("缺报月数"): missing,
                _("%(month)s月报送截止") % {"month": due_month}: _lit(
                    deadline.isoformat() if deadline else ""
                ),
            },
            url("report_entry", "x.id"),
            f"FROM (SELECT e.id AS id, e.project_id AS project_id, {first_due} AS first_due, "
            f"COALESCE(r.n, 0) AS handed, %(due)s + 1 - {first_due} AS expected "
            f"{entries_from} {ytd_reports} {entries_where}) x "
            "WHERE x.first_due <= %(due)s AND x.handed < x.expected",
        )
    if Code.STATISTICS in rules:
        stat = params_by_code[Code.STATISTICS]
        values["stat_yellow"] = adapt_day(add_months(today, -int(stat["yellow_months"])))
        values["stat_red"] = adapt_day(add_months(today, -int(stat["red_months"])))
        start = "p.start_date"
        months = (
            f"(({today.year} - {d.part('year', start)}) * 12 + {today.month} - {d.part('month', start)} "
            f"- CASE WHEN {today.day} < {d.part('day', start)} THEN 1 ELSE 0 END)"
        )
        stages = quoted((Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING))
        select(
            Code.STATISTICS,
            "'project:' || p.id",
            "p.id",
            "CASE WHEN p.start_date <= %(stat_red)s THEN 'red' ELSE 'yellow' END",
            _concat(
                _("项目于%(date)s开工，已 %(n)s 个月仍未入统"),
                {"date": f"CAST({start} AS TEXT)", "n": months},
            ),
            {_("实际开工日期"): f"CAST({start} AS TEXT)", _("开工后月数"): months, _("入统"): _lit(_("否"))},
            url("project_detail", "p.id", "#statistics"),
            "FROM projects_project p WHERE p.statistics_registered = %(false)s AND p.start_date IS NOT NULL "
            f"AND p.start_date <= %(stat_yellow)s AND p.stage IN ({stages})",
        )
    if Code.FUNDS in rules:
        funds = params_by_code[Code.FUNDS]
        yellow, red = float(funds["yellow_below_percent"]), float(funds.get("red_below_percent") or 0)
        values["funds_yellow10"], values["funds_red10"] = round(yellow * 10), round(red * 10)
        rate = d.tenths("x.secured * 100", "x.need")
        red_level = "x.secured * 1000 < x.need * %(funds_red10)s" if red else "1 = 0"
        gone = quoted((Stage.CANCELLED, Stage.COMPLETED, Stage.OPERATING))
        select(
            Code.FUNDS,
            "'project:' || x.project_id",
            "x.project_id",
            f"CASE WHEN {red_level} THEN 'red' ELSE 'yellow' END",
            _concat(
                _("资金到位率 %(rate)s%%，低于 %(share)s%%"), {"rate": rate, "share": _lit(_points(yellow))}
            ),
            {
                _("资金需求（万元）"): d.wan("x.need"),
                _("已落实（万元）"): d.wan("x.secured"),
                _("资金到位率"): f"{rate} || '%%'",
            },
            url("project_detail", "x.project_id", "#factors"),
            # (CAST: PostgreSQL's SUM of bigint is numeric, and the figures divide in integers)
            "FROM (SELECT f.project_id AS project_id, CAST(COALESCE(SUM(f.need_yuan), 0) AS BIGINT) AS need, "
            "CAST(COALESCE(SUM(f.secured_yuan), 0) AS BIGINT) AS secured FROM projects_factorneed f "
            f"JOIN projects_project p ON p.id = f.project_id WHERE f.kind = {_lit(FactorNeed.Kind.FUNDS)} "
            f"AND p.stage NOT IN ({gone}) GROUP BY f.project_id) x "
            "WHERE x.need > 0 AND x.secured * 1000 < x.need * %(funds_yellow10)s",
        )
    if Code.OPERATING in rules:
        op = params_by_code[Code.OPERATING]
        values["op_default"], values["op_red_extra"] = int(op["default_months"]), int(op["red_extra_months"])
        keyword = (op.get("sector_keyword") or "").strip()
        values["op_keyword"] = f"%{keyword}%"
        done = "p.completion_date"
        months = (
            f"({today.year * 12 + today.month} - {d.part('year', done)} * 12 - {d.part('month', done)} "
            f"- CASE WHEN {d.part('day', done)} > {today.day} THEN 1 ELSE 0 END)"
        )
        stages = quoted((Stage.COMPLETED, Stage.OPERATING))
        select(
            Code.OPERATING,
            "'project:' || x.id",
            "x.id",
            "CASE WHEN x.months >= x.lim + %(op_red_extra)s THEN 'red' ELSE 'yellow' END",
            _concat(
                _("竣工已 %(n)s 个月仍未投产（投产期限 %(limit)s 个月）"), {"n": "x.months", "limit": "x.lim"}
            ),
            {
                _("实际竣工日期"): "CAST(x.done AS TEXT)",
                _("竣工后月数"): "x.months",
                _("投产期限（月）"): "x.lim",
            },
            url("operating_detail", "x.id"),
            f"FROM (SELECT p.id AS id, {done} AS done, {months} AS months, "
            "COALESCE(t.months_to_produce, %(op_default)s) AS lim FROM projects_project p "
            "JOIN projects_sector s ON s.id = p.sector_id "
            "LEFT JOIN projects_operatingtarget t ON t.project_id = p.id "
            f"WHERE p.stage IN ({stages}) AND {done} IS NOT NULL "
            + ("AND s.name LIKE %(op_keyword)s " if keyword else "")
            + "AND NOT EXISTS (SELECT 1 FROM projects_operatingactual a WHERE a.project_id = p.id "
            "AND a.output_value > 0)) x WHERE x.months >= x.lim",
        )
    json_type = "JSONB" if d.pg else "TEXT"
    statements = [
        # Typed columns: SQLite gives a CREATE … AS SELECT column no affinity, and then the index on it
        # cannot serve a comparison with the lights' TEXT column.
        "CREATE TEMP TABLE bench_hits (rule_id INTEGER NOT NULL, subject VARCHAR(40) NOT NULL, "
        "project_id INTEGER NOT NULL, level VARCHAR(10) NOT NULL, message TEXT NOT NULL, "
        f"figures {json_type} NOT NULL, thresholds {json_type} NOT NULL, url TEXT NOT NULL)",
        "INSERT INTO bench_hits " + " UNION ALL ".join(selects.values()),
    ]
    if Code.COMBINED in rules and Code.START in selects and Code.INVESTMENT in selects:
        statements.append(
            f"INSERT INTO bench_hits SELECT {rules[Code.COMBINED].pk}, 'project:' || s.project_id, "
            "s.project_id, CASE WHEN 'red' IN (s.level, i.level) THEN 'red' ELSE 'yellow' END, "
            f"{_concat(_('%(a)s；%(b)s'), {'a': 's.message', 'b': 'i.message'})}, "
            f"{d.merge('s.figures', 'i.figures')}, {d.json(params_by_code[Code.COMBINED])}, "
            "CASE WHEN i.url <> '' THEN i.url ELSE s.url END "
            "FROM bench_hits s JOIN bench_hits i ON i.project_id = s.project_id "
            f"AND i.rule_id = {rules[Code.INVESTMENT].pk} WHERE s.rule_id = {rules[Code.START].pk}"
        )
    statements.append("CREATE INDEX bench_hits_key ON bench_hits (rule_id, subject)")
    if d.pg:
        statements.append("ANALYZE bench_hits")  # temporary tables get no autovacuum statistics
    return statements, values


TIES = 20_000  # tenths: up to 2,000.0 %


def create_lookups(connection, ctx, days_before=3 * 366, days_after=2 * 366) -> dict:
    """Two temporary tables, created once per connection as the engine keeps its calendar between
    runs: bench_cal (day, n: working days from the first day up to DAY), for the task rule's working
    days left; bench_ties (q, up: whether Python's "%.1f" rounds (2q + 1) / 20 — a tie between q and
    q + 1 tenths — up), for the percentages. Returns {day: n}."""
    first = ctx.today - dt.timedelta(days=days_before)
    counts, n = {}, 0
    for i in range(days_before + days_after):
        day = first + dt.timedelta(days=i)
        n += ctx.is_workday(day)
        counts[day] = n
    ties = [(q, int(f"{(2 * q + 1) / 20:.1f}".replace(".", "")) > q) for q in range(TIES)]
    with connection.cursor() as cursor:
        for name in ("bench_cal", "bench_ties"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute("CREATE TEMP TABLE bench_cal (day DATE PRIMARY KEY, n INTEGER NOT NULL)")
        rows = ", ".join(f"('{day.isoformat()}', {n})" for day, n in counts.items())
        cursor.execute(f"INSERT INTO bench_cal (day, n) VALUES {rows}")
        cursor.execute("CREATE TEMP TABLE bench_ties (q INTEGER PRIMARY KEY, up INTEGER NOT NULL)")
        cursor.execute(
            f"INSERT INTO bench_ties (q, up) VALUES {', '.join(f'({q}, {int(up)})' for q, up in ties)}"
        )
    return counts


def sql_recompute(connection, now, calendar: dict) -> tuple[dict, int]:
    """warnings_recompute_all(now=NOW) in plain SQL, a fixed number of statements whatever the number
    of lights: every rule's lights into bench_hits (hits_sql), then the engine's writes — history rows
    for the lights whose level changed and for those no longer hit (turning green, with the rule's
    current thresholds), the UPDATE of the lights whose level, message, figures, thresholds or URL
    changed (level_since reset when the level did), the UPDATE of the ones turning green, the INSERT of
    the new lights and of their first history rows. Returns the engine's counts."""
    from django.utils import timezone

    from keyprojects.alerts.models import WarningRule
    from keyprojects.alerts.rules import RULES, Context, params_of

    d = Dialect(connection)
    ctx = Context(timezone.localdate(now))
    every = list(WarningRule.objects.all())
    rules = {r.code: r for r in every if r.is_active and r.code in RULES}
    params = {r.code: params_of(r) for r in every}
    # The combined rule's lights keep the thresholds of the two rules they combine (rules.BORROWS).
    by_code = dict(params)
    by_code[WarningRule.Code.COMBINED] = {
        **params.get(WarningRule.Code.START, {}),
        **params.get(WarningRule.Code.INVESTMENT, {}),
    }
    statements, values = hits_sql(connection, ctx, rules, by_code, calendar[ctx.today])
    values["now"] = d.ops.adapt_datetimefield_value(now)
    green_figures = d.json({_gettext("说明"): _gettext("已不再触发该规则")})
    rule_thresholds = (
        "CASE w.rule_id "
        + " ".join(f"WHEN {r.pk} THEN {_lit(json.dumps(params[r.code], ensure_ascii=False))}" for r in every)
        + " END"
    )
    if d.pg:
        rule_thresholds = f"CAST({rule_thresholds} AS jsonb)"
    w = "alerts_projectwarning"
    hit = "h.rule_id = w.rule_id AND h.subject = w.subject"
    differs = (
        f"{w}.level <> h.level OR {w}.message <> SUBSTR(h.message, 1, 300) OR {w}.figures <> h.figures "
        f"OR {w}.thresholds <> h.thresholds OR {w}.url <> SUBSTR(h.url, 1, 200) "
        f"OR {w}.project_id <> h.project_id"
    )
    ignore = ("", " ON CONFLICT DO NOTHING") if d.pg else ("OR IGNORE ", "")
    changes = "INSERT INTO alerts_warningchange (warning_id, from_level, to_level, figures, thresholds, at) "
    statements += [
        # History: the lights whose level changes, then those no longer hit (turning green).
        f"{changes} SELECT w.id, w.level, h.level, h.figures, h.thresholds, %(now)s "
        f"FROM {w} w JOIN bench_hits h ON {hit} WHERE w.level <> h.level",
        f"{changes} SELECT w.id, w.level, 'green', {green_figures}, {rule_thresholds}, %(now)s "
        f"FROM {w} w WHERE w.level <> 'green' AND NOT EXISTS (SELECT 1 FROM bench_hits h WHERE {hit})",
        # The lights that changed in any way; then those turning green.
        f"UPDATE {w} SET level = h.level, message = SUBSTR(h.message, 1, 300), figures = h.figures, "
        f"thresholds = h.thresholds, url = SUBSTR(h.url, 1, 200), "
        f"level_since = CASE WHEN {w}.level <> h.level "
        f"THEN %(now)s ELSE {w}.level_since END, updated_at = %(now)s FROM bench_hits h "
        f"WHERE h.rule_id = {w}.rule_id AND h.subject = {w}.subject AND ({differs})",
        f"UPDATE {w} SET level = 'green', level_since = %(now)s, updated_at = %(now)s WHERE level <> 'green' "
        "AND NOT EXISTS (SELECT 1 FROM bench_hits h "
        f"WHERE h.rule_id = {w}.rule_id AND h.subject = {w}.subject)",
        # The new lights and their first history rows.
        f"CREATE TEMP TABLE bench_new AS SELECT h.* FROM bench_hits h "
        f"WHERE NOT EXISTS (SELECT 1 FROM {w} w WHERE {hit})",
        f"INSERT {ignore[0]}INTO {w} "
        "(rule_id, project_id, subject, level, message, figures, thresholds, url, "
        "level_since, first_raised_at, updated_at) SELECT n.rule_id, n.project_id, n.subject, n.level, "
        "SUBSTR(n.message, 1, 300), n.figures, n.thresholds, SUBSTR(n.url, 1, 200), %(now)s, %(now)s, "
        f"%(now)s FROM bench_new n{ignore[1]}",
        f"{changes} SELECT w.id, '', w.level, w.figures, w.thresholds, %(now)s FROM bench_new n "
        f"JOIN {w} w ON w.rule_id = n.rule_id AND w.subject = n.subject WHERE w.first_raised_at = %(now)s",
        "DROP TABLE bench_new",
        "DROP TABLE bench_hits",
    ]
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_hits")
        cursor.execute("DROP TABLE IF EXISTS bench_new")
        for sql in statements:
            cursor.execute(sql, values)
            if sql.startswith(changes) and "'green'" in sql:
                counts["green"] = cursor.rowcount
            elif sql.startswith(changes) and "h.level" in sql:
                counts["changed"] = cursor.rowcount
            elif sql.startswith(f"INSERT {ignore[0]}INTO {w} "):
                counts["created"] = cursor.rowcount
    return {key: counts[key] for key in ("created", "changed", "green")}, len(statements)


def _gettext(message):
    from django.utils.translation import gettext

    return gettext(message)


def written(now) -> dict:
    """Every light and the history rows written at NOW, comparable between the engine and the SQL pass
    (no ids; JSON decoded; the creation time of the rows not compared: the engine's bulk_create stamps
    updated_at with the clock)."""
    from keyprojects.alerts.models import ProjectWarning, WarningChange

    def canon(value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    lights = sorted(
        (
            rule,
            subject,
            project,
            level,
            message,
            canon(figures),
            canon(thresholds),
            url,
            since,
            first,
            updated == now and first != now,
        )
        for rule, subject, project, level, message, figures, thresholds, url, since, first, updated in (
            ProjectWarning.objects.values_list(
                "rule_id",
                "subject",
                "project_id",
                "level",
                "message",
                "figures",
                "thresholds",
                "url",
                "level_since",
                "first_raised_at",
                "updated_at",
            )
        )
    )
    history = sorted(
        (rule, subject, before, after, canon(figures), canon(thresholds))
        for rule, subject, before, after, figures, thresholds in WarningChange.objects.filter(
            at=now
        ).values_list(
            "warning__rule_id", "warning__subject", "from_level", "to_level", "figures", "thresholds"
        )
    )
    return {"lights": lights, "history": history}


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms"


def time_page(args, connection):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from keyprojects.orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    for path in ("/warnings/", "/warnings/?rule=task&level=red", "/warnings/?category=new_start"):
        assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured)  # now: the next request_started clears the connection's log
        page = []
        for _ in range(args.page_repeat):
            start = time.perf_counter()
            client.get(path)
            page.append(time.perf_counter() - start)
        print(f"page      GET {path}: {queries} queries, median {ms(statistics.median(page))}")


def difference(engine: list, sql: list) -> str:
    """The first few rows only one side has, for an assertion's message."""
    only_engine, only_sql = sorted(set(engine) - set(sql)), sorted(set(sql) - set(engine))
    return (
        f"{len(engine):,} rows vs {len(sql):,}; only the engine's ({len(only_engine):,}): {only_engine[:3]}; "
        f"only the SQL pass's ({len(only_sql):,}): {only_sql[:3]}"
    )


def clear(connection):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_warningchange")
        cursor.execute("DELETE FROM alerts_projectwarning")


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from keyprojects.alerts.models import WarningRule
    from keyprojects.alerts.rules import Context
    from keyprojects.alerts.services import warnings_recompute_all

    def at(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))

    now = at(TODAY)
    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            reports = comp.build(args.projects)
            add_rule_rows()
            print(
                f"setup     {args.projects:,} projects, {reports:,} reports, tasks, items, needs: "
                f"{time.perf_counter() - start:.1f} s"
            )
        base.describe(connection)

        if args.page_only:
            time_page(args, connection)
            return
        ctx = Context(TODAY)
        calendar = create_lookups(connection, ctx)  # outside any transaction: kept for the session
        next_day = at(ctx.add_workdays(TODAY, 1))

        # The lights of TODAY, committed, written by the SQL pass; the engine from empty must write the
        # very same rows (asserted), so both then start the later cases from the same state.
        clear(connection)
        with transaction.atomic():
            sql_recompute(connection, now, calendar)
        state = written(now)
        with transaction.atomic():
            clear(connection)
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                warnings_recompute_all(now=now)
                untimed = time.perf_counter() - start
            engine = written(now)
            for table in state:
                assert engine[table] == state[table], (
                    f"the engine's {table} differ from the SQL pass's: "
                    f"{difference(engine[table], state[table])}"
                )
            transaction.set_rollback(True)
        codes = dict(WarningRule.objects.values_list("pk", "code"))
        by_rule = {}
        for rule, _subject, _project, level, *_rest in state["lights"]:
            by_rule.setdefault(codes[rule], [0, 0])[level == "red"] += 1
        print(
            f"lights    {len(state['lights']):,} on {TODAY}, {len(state['history']):,} history rows; "
            + ", ".join(f"{c} {y:,}/{r:,}" for c, (y, r) in by_rule.items())
            + " (yellow/red)"
        )
        print(
            f"          engine and SQL pass write the same lights and history rows (asserted); the "
            f"engine ran {len(captured)} queries from empty ({ms(untimed)}, untimed)"
        )

        def run(which, moment, empty):
            with transaction.atomic():
                if empty:
                    clear(connection)
                start = time.perf_counter()
                if which == "engine":
                    counts = warnings_recompute_all(now=moment)
                else:
                    counts, _statements = sql_recompute(connection, moment, calendar)
                elapsed = time.perf_counter() - start
                rows = written(moment)
                transaction.set_rollback(True)
            return elapsed, counts, rows

        cases = [
            ("first run, from empty", now, True),
            ("same moment again", now, False),
            (f"next working day ({next_day:%m-%d})", next_day, False),
        ]
        print(
            f"\n{'recompute (all projects)':<28} {'engine':>10} {'SQL pass':>10} {'ratio':>7}   "
            f"writes per run (the same for both, asserted)"
        )
        rows = []
        for name, moment, empty in cases:
            times = {"engine": [], "sql": []}
            for i in range(args.warmup + max(args.repeat, MIN_REPEAT)):
                order = ("engine", "sql") if i % 2 == 0 else ("sql", "engine")
                out = {which: run(which, moment, empty) for which in order}
                (engine_t, engine_counts, engine_rows), (sql_t, sql_counts, sql_rows) = (
                    out["engine"],
                    out["sql"],
                )
                assert engine_counts == sql_counts, (name, engine_counts, sql_counts)
                for table in engine_rows:
                    assert engine_rows[table] == sql_rows[table], (
                        f"{name}: the SQL pass wrote other {table} than the engine: "
                        f"{difference(engine_rows[table], sql_rows[table])}"
                    )
                if i >= args.warmup:
                    times["engine"].append(engine_t)
                    times["sql"].append(sql_t)
            if not empty and moment == now:
                assert engine_rows == state, "a second run at the same moment wrote something"
            updated = sum(row[-1] for row in engine_rows["lights"])
            writes = (
                f"{engine_counts['created']:,} new lights, {engine_counts['changed']:,} level changes, "
                f"{engine_counts['green']:,} green, {updated:,} lights updated, "
                f"{len(engine_rows['history']):,} history rows"
            )
            if not any(engine_counts.values()) and not updated:
                writes = "nothing (reads every rule and light, compares)"
            e, q = statistics.median(times["engine"]), statistics.median(times["sql"])
            print(f"{name:<28} {ms(e):>10} {ms(q):>10} {e / q:6.1f}×   {writes}")
            rows.append(
                Row(
                    f"warning recompute, {args.projects:,} projects, "
                    f"{name.split(' (')[0]}: engine / SQL pass",
                    "≤ 3×",
                    3.0,
                    paired(times["engine"], times["sql"]),
                    f"{ms(e)} vs {ms(q)}; {writes}",
                )
            )
        print(
            f"(medians of {args.repeat} runs each, engine and SQL pass alternating, each in a transaction "
            f"rolled back; {_statement_count(connection, now, calendar)} SQL statements per pass)\n"
        )

        for row in rows:
            emit(row)
        time_page(args, connection)
    finally:
        base.drop_database(url, tmp, args.keep)


def _statement_count(connection, now, calendar):
    from django.db import transaction

    with transaction.atomic():
        _counts, n = sql_recompute(connection, now, calendar)
        transaction.set_rollback(True)
    return n


if __name__ == "__main__":
    main()
