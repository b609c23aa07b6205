"""The rules of the warning centre, one function each.

A rule takes the projects to look at (None: all), the day, its parameters (WarningRule.params over
DEFAULTS) and a shared Context, and returns the yellow and red Hits among them. Each rule reads with
a fixed number of set-based queries (filters, annotations, aggregates), whatever the number of
projects; Python only classifies and words the rows the query returned. A subject that is not hit is
green: services.py turns its earlier warning green again.
"""

import datetime as dt
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext, gettext_lazy, override

from keyprojects.alerts.models import Level, OperatingActual, WarningRule
from keyprojects.lib.dates import add_months, month_end, next_month_start
from keyprojects.lib.money import format_wan
from keyprojects.lib.workdays import WorkCalendar, calendar_state_key
from keyprojects.plans.completion_selectors import ytd_expression
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport
from keyprojects.plans.report_selectors import Deadlines, local_midnight
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage
from keyprojects.tasks.models import Task

Code = WarningRule.Code

# Every threshold, by rule: (key, label, default). The office edits them on the rules page.
PARAMS = {
    Code.TASK: [("yellow_workdays", gettext_lazy("剩余工作日不超过（黄灯）"), 3)],
    Code.PRELIM: [("red_after_days", gettext_lazy("计划日期过后超过天数（红灯）"), 30)],
    Code.START: [("red_months", gettext_lazy("滞后月数达到（红灯）"), 3)],
    Code.INVESTMENT: [
        ("yellow_points", gettext_lazy("落后序时进度百分点达到（黄灯）"), 10),
        ("red_points", gettext_lazy("落后序时进度百分点超过（红灯）"), 30),
    ],
    Code.REPORTING: [("red_months", gettext_lazy("缺报月数达到（红灯）"), 2)],
    Code.STATISTICS: [
        ("yellow_months", gettext_lazy("开工后未入统月数达到（黄灯）"), 1),
        ("red_months", gettext_lazy("开工后未入统月数达到（红灯）"), 2),
    ],
    Code.FUNDS: [
        ("yellow_below_percent", gettext_lazy("资金到位率低于（%，黄灯）"), 60),
        ("red_below_percent", gettext_lazy("资金到位率低于（%，红灯；0 为不设）"), 0),
    ],
    Code.COMBINED: [],
    Code.OPERATING: [
        ("default_months", gettext_lazy("未设目标时竣工后投产期限（月）"), 6),
        ("red_extra_months", gettext_lazy("超过投产期限月数达到（红灯）"), 6),
    ],
}
# Text parameters (not numbers).
TEXT_PARAMS = {Code.OPERATING: [("sector_keyword", gettext_lazy("产业项目所属行业名称包含"), "产业")]}


def defaults(code) -> dict:
    values = {key: default for key, _label, default in PARAMS.get(code, [])}
    values.update({key: default for key, _label, default in TEXT_PARAMS.get(code, [])})
    return values


def params_of(rule: WarningRule) -> dict:
    return {**defaults(rule.code), **(rule.params or {})}


# A rule that fires on other rules' thresholds: the combined rule is the start and investment rules'
# hits together, so its lights keep (and show) their thresholds.
BORROWS = {Code.COMBINED: (Code.START, Code.INVESTMENT)}


def threshold_labels(code) -> dict:
    """{parameter key: label} of the thresholds a light of rule CODE is computed with."""
    labels = {}
    for source in (code, *BORROWS.get(code, ())):
        for key, label, _default in PARAMS.get(source, []) + TEXT_PARAMS.get(source, []):
            labels[key] = label
    return labels


@dataclass
class Hit:
    project_id: int
    subject: str
    level: str
    message: str
    figures: dict = field(default_factory=dict)
    url: str = ""
    # The parameters the hit was computed with; None: its rule's own (services._recompute fills them).
    thresholds: dict | None = None


# Working days shared by the runs of one process: a refresh runs inside the caller's write
# transaction, so it must not reload the calendar and re-walk the deadlines each time. The shared
# answers are dropped when the calendar changes (an override, a confirmed year) or after ten minutes.
_SHARED: dict = {"key": None, "at": 0.0, "days": {}, "due": {}}
_SHARED_SECONDS = 600


def _shared() -> dict:
    key = calendar_state_key()
    now = time.monotonic()
    if key != _SHARED["key"] or now - _SHARED["at"] > _SHARED_SECONDS:
        _SHARED.update(key=key, at=now, days={}, due={}, calendar=None)
    return _SHARED


class Context:
    """What several rules share in one run: the day, the year's list, its deadlines, the calendar."""

    def __init__(self, today: dt.date):
        self.today = today
        self.annual_list = AnnualList.objects.filter(year=today.year).first()
        self.deadlines = Deadlines()
        self._shared = _shared()
        self._cache = {}

    @property
    def calendar(self) -> WorkCalendar:
        if self._shared.get("calendar") is None:
            self._shared["calendar"] = WorkCalendar.for_years(range(self.today.year - 3, self.today.year + 3))
        return self._shared["calendar"]

    def is_workday(self, day: dt.date) -> bool:
        """The calendar's answer, remembered: chinese_calendar validates each date against its whole
        table (about a millisecond a call), and the tasks of a city share a few hundred days."""
        days = self._shared["days"]
        if day not in days:
            days[day] = self.calendar.is_workday(day)
        return days[day]

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        day, left = start, n
        while left:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_left(self, deadline: dt.date) -> int | None:
        """Working days in (today, DEADLINE] (lib.workdays.workdays_between); minus the days overdue
        when DEADLINE has passed."""
        key = ("left", deadline)
        if key not in self._cache:
            start, end, sign = (
                (self.today, deadline, 1) if deadline >= self.today else (deadline, self.today, -1)
            )
            days = (start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1))
            count = sum(self.is_workday(day) for day in days)
            self._cache[key] = sign * count
        return self._cache[key]

    def deadline_of(self, month: int) -> dt.date | None:
        """report_selectors.month_deadline on the shared calendar."""
        al = self.annual_list
        return self.add_workdays(month_end(al.year, month), al.report_deadline_workdays)

    def due_month(self) -> int:
        """The last month of this year's list whose report deadline has passed (0: none yet)."""
        al = self.annual_list
        if al is None:
            return 0
        key = (self.today, al.year, al.report_deadline_workdays)
        if key not in self._shared["due"]:
            due = 0
            for month in range(1, 13):
                if self.today < next_month_start(al.year, month):
                    break
                deadline = self.deadline_of(month)
                if deadline is None or deadline >= self.today:
                    break
                due = month
            self._shared["due"][key] = due
        return self._shared["due"][key]

    def memo(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


# Rules word tens of thousands of hits per run with a few dozen messages and URL patterns: look each
# up once per language (gettext) or pattern (reverse), not once per hit.
_TRANSLATED: dict = {}
_PATTERNS: dict = {}
_SENTINEL = 987654320


_fixed = threading.local()  # .messages: this thread's translations while in fixed_language()


def _(message: str) -> str:
    messages = getattr(_fixed, "messages", None)
    if messages is not None and message in messages:
        return messages[message]
    key = (get_language(), message)
    if key not in _TRANSLATED:
        _TRANSLATED[key] = gettext(message)
    if messages is not None:
        messages[message] = _TRANSLATED[key]
    return _TRANSLATED[key]


@contextmanager
def fixed_language(language: str):
    """Word the rules in LANGUAGE (translation.override) without asking for the active language at
    every one of the tens of thousands of messages a run words."""
    with override(language):
        _fixed.messages = _TRANSLATED.setdefault(("fixed", get_language()), {})
        try:
            yield
        finally:
            _fixed.messages = None


def _link(name, *args, anchor=""):
    """reverse(NAME, args=ARGS) + ANCHOR, reversing each URL name once (integer arguments only)."""
    if name not in _PATTERNS:
        try:
            _PATTERNS[name] = reverse(name, args=[_SENTINEL + i for i in range(len(args))])
        except NoReverseMatch:
            _PATTERNS[name] = None
    pattern = _PATTERNS[name]
    if pattern is None:
        return ""
    for i, arg in enumerate(args):
        pattern = pattern.replace(str(_SENTINEL + i), str(arg), 1)
    return pattern + anchor


def _scope(queryset, project_ids, lookup="project_id"):
    if project_ids is not None:
        queryset = queryset.filter(**{f"{lookup}__in": project_ids})
    return queryset


def _entries(ctx: Context, project_ids):
    """This year's published entries of live projects."""
    if ctx.annual_list is None:
        return AnnualEntry.objects.none()
    entries = AnnualEntry.objects.filter(
        annual_list=ctx.annual_list, batch__status=Batch.Status.PUBLISHED
    ).exclude(project__stage=Stage.CANCELLED)
    return _scope(entries, project_ids).order_by()


def _points(number) -> str:
    return f"{number:.1f}"


# --------------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------------


def rule_task(ctx: Context, project_ids, params) -> list[Hit]:
    """Open tasks: ≤ N working days left → yellow; past the deadline → red."""
    today = ctx.today
    n = int(params["yellow_workdays"])
    bound = ctx.add_workdays(today, n)
    tasks = _scope(
        Task.objects.filter(status__in=Task.OPEN, deadline__lte=bound).exclude(
            project__stage=Stage.CANCELLED
        ),
        project_ids,
    )
    hits = []
    rows = tasks.order_by().values_list(
        "id", "project_id", "title", "deadline", "responsible_unit__name", "responsible_person"
    )
    for pk, project_id, title, deadline, unit, person in rows:
        left = ctx.workdays_left(deadline)
        overdue = deadline < today
        figures = {_("完成时限"): deadline.isoformat(), _("责任单位"): unit}
        if person:
            figures[_("责任人")] = person
        if overdue:
            label = _("逾期 %(n)s 个工作日") % {"n": -left} if left is not None else _("已逾期")
            level = Level.RED
        else:
            label = _("剩余 %(n)s 个工作日") % {"n": left} if left is not None else _("即将到期")
            level = Level.YELLOW
        figures[_("工作日")] = label
        hits.append(
            Hit(
                project_id,
                f"task:{pk}",
                level,
                _("任务“%(title)s”%(label)s") % {"title": title, "label": label},
                figures,
                _link("task_detail", pk),
            )
        )
    return hits


def rule_prelim(ctx: Context, project_ids, params) -> list[Hit]:
    """Preliminary items past their planned date without an actual date: yellow; more than N days → red."""
    today = ctx.today
    red_days = int(params["red_after_days"])
    items = _scope(
        PrelimItem.objects.filter(actual_date__isnull=True, planned_date__lt=today).exclude(
            project__stage=Stage.CANCELLED
        ),
        project_ids,
    )
    labels = dict(PrelimItem.Kind.choices)
    hits = []
    for pk, project_id, kind, planned in items.order_by().values_list(
        "id", "project_id", "kind", "planned_date"
    ):
        days = (today - planned).days
        level = Level.RED if days > red_days else Level.YELLOW
        name = str(labels.get(kind, kind))
        hits.append(
            Hit(
                project_id,
                f"prelim:{pk}",
                level,
                _("前期事项“%(name)s”计划%(date)s完成，已过 %(days)s 天仍未办结")
                % {"name": name, "date": planned.isoformat(), "days": days},
                {_("事项"): name, _("计划完成日期"): planned.isoformat(), _("已过天数"): days},
                _link("project_detail", project_id, anchor="#prelim"),
            )
        )
    return hits


def _start_hits(ctx: Context, project_ids, params) -> dict[int, Hit]:
    today = ctx.today
    red_months = int(params["red_months"])
    if ctx.annual_list is None or ctx.annual_list.year != today.year:
        return {}
    entries = (
        _entries(ctx, project_ids)
        .filter(category=Category.NEW_START, planned_start_month__lt=today.month)
        .filter(Q(project__start_date__isnull=True) | Q(project__start_date__gt=today))
    )
    hits = {}
    for pk, project_id, planned in entries.values_list("id", "project_id", "planned_start_month"):
        late = today.month - planned
        level = Level.RED if late >= red_months else Level.YELLOW
        hits[project_id] = Hit(
            project_id,
            f"entry:{pk}",
            level,
            _("新开工项目计划%(month)s月开工，至今未开工，滞后 %(n)s 个月") % {"month": planned, "n": late},
            {_("计划开工月份"): f"{today.year}-{planned:02d}", _("滞后月数"): late},
            _link("entry_detail", pk),
        )
    return hits


def rule_start(ctx: Context, project_ids, params) -> list[Hit]:
    """新开工 entries not started in their planned month → yellow; N months late → red."""
    return list(
        ctx.memo(("start", _key(project_ids)), lambda: _start_hits(ctx, project_ids, params)).values()
    )


def curve_expression(month: int):
    """Per entry: its monthly curve (JSON list of 12 whole-yuan amounts) summed over 1..MONTH; NULL
    without a curve or with a missing element."""
    curve = None
    for i in range(month):
        element = Cast(KT(f"monthly_plan__{i}"), BigIntegerField())
        curve = element if curve is None else curve + element
    return curve


def plan_due_expression(month: int):
    """Per entry: the plan due by MONTH on the project's own curve from its planned start. The monthly
    curve where the entry has one; else the annual plan spread evenly over the months from its planned
    start month (January without one) to December — plan × (MONTH − start + 1) ÷ (13 − start), whole
    yuan (plan_due below) — and nothing before the start month: a project due to start in November
    owes nothing in October. Integer division truncates on SQLite and PostgreSQL alike."""
    start = Coalesce("planned_start_month", Value(1))
    spread = Case(
        When(planned_start_month__gt=month, then=Value(0)),
        default=F("planned_investment") * (Value(month + 1) - start) / (Value(13) - start),
        output_field=BigIntegerField(),
    )
    curve = curve_expression(month)
    if curve is None:
        return spread
    return Coalesce(curve, spread, Value(0), output_field=BigIntegerField())


def plan_due(plan: int, month: int, start_month: int | None, curve: list | None = None) -> int:
    """plan_due_expression in Python, for one entry (the tests' and the bench's hand check)."""
    if curve and len(curve) >= month and all(v is not None for v in curve[:month]):
        return sum(int(v) for v in curve[:month])
    start = start_month or 1
    if month < start:
        return 0
    return plan * (month - start + 1) // (13 - start)


def _investment_hits(ctx: Context, project_ids, params) -> dict[int, Hit]:
    month = ctx.due_month()
    if not month:
        return {}
    yellow10 = round(float(params["yellow_points"]) * 10)
    red10 = round(float(params["red_points"]) * 10)
    money = BigIntegerField()
    curve = curve_expression(month)
    entries = (
        _entries(ctx, project_ids)
        .exclude(category=Category.PREPARATORY)
        .filter(planned_investment__gt=0)
        .annotate(
            ytd=ytd_expression(month),
            due=plan_due_expression(month),
            curve=curve if curve is not None else Value(None, output_field=money),
        )
        .annotate(
            behind=ExpressionWrapper((F("due") - F("ytd")) * 1000, output_field=money),
            bar=ExpressionWrapper(F("planned_investment") * yellow10, output_field=money),
        )
        # Not behind at all is no lag, whatever the threshold (a yellow threshold of 0 included).
        .filter(behind__gte=F("bar"), behind__gt=0)
    )
    hits = {}
    rows = entries.values_list(
        "id", "project_id", "planned_investment", "ytd", "due", "curve", "planned_start_month"
    )
    for pk, project_id, plan, ytd, due, curve_due, start in rows:
        behind1000 = (due - ytd) * 1000  # per mille of the plan, exact in whole yuan
        level = Level.RED if behind1000 > plan * red10 else Level.YELLOW
        points = (due - ytd) * 100 / plan
        if curve_due is not None:
            basis = _("分月计划")
        elif start and start > 1:
            basis = _("自%(month)s月计划开工起按月均摊") % {"month": start}
        else:
            basis = _("全年按月均摊")
        hits[project_id] = Hit(
            project_id,
            f"entry:{pk}",
            level,
            _("1-%(month)s月完成投资落后序时进度 %(points)s 个百分点")
            % {"month": month, "points": _points(points)},
            {
                _("年度计划（万元）"): format_wan(plan),
                _("1-%(month)s月计划（万元）") % {"month": month}: format_wan(due),
                _("1-%(month)s月完成（万元）") % {"month": month}: format_wan(ytd),
                _("完成率"): f"{_points(ytd * 100 / plan)}%",
                _("序时进度"): f"{_points(due * 100 / plan)}%",
                _("序时进度口径"): basis,
                _("落后百分点"): _points(points),
            },
            _link("report_entry", pk),
        )
    return hits


def rule_investment(ctx: Context, project_ids, params) -> list[Hit]:
    """Year-to-date completion behind the plan due by then (plan_due_expression: the entry's own curve
    from its planned start) by 10–30 points of the annual plan → yellow, more than 30 → red."""
    return list(
        ctx.memo(
            ("investment", _key(project_ids)), lambda: _investment_hits(ctx, project_ids, params)
        ).values()
    )


def _first_due_month(year: int):
    """Per entry: the first month it owes a report for (report_selectors.first_due_month in SQL)."""
    published = "batch__published_at"
    whens = [When(**{f"{published}__isnull": True}, then=Value(1))]
    for month in range(1, 13):
        whens.append(
            When(**{f"{published}__lt": local_midnight(next_month_start(year, month))}, then=Value(month))
        )
    return Case(*whens, default=Value(13), output_field=IntegerField())


def rule_reporting(ctx: Context, project_ids, params) -> list[Hit]:
    """Entries without a counted report for a month whose deadline passed: yellow; N months → red."""
    month = ctx.due_month()
    if not month:
        return []
    red_months = int(params["red_months"])
    year = ctx.annual_list.year
    deadline = ctx.deadline_of(month)
    counted = Q(reports__month__lte=month, reports__status__in=MonthlyReport.COUNTED)
    entries = (
        _entries(ctx, project_ids)
        .annotate(first_due=_first_due_month(year))
        .filter(first_due__lte=month)
        .annotate(handed=Count("reports", filter=counted))
        .annotate(expected=ExpressionWrapper(Value(month + 1) - F("first_due"), output_field=IntegerField()))
        .filter(handed__lt=F("expected"))
    )
    hits = []
    for pk, project_id, handed, expected in entries.values_list("id", "project_id", "handed", "expected"):
        missing = expected - handed
        level = Level.RED if missing >= red_months else Level.YELLOW
        hits.append(
            Hit(
                project_id,
                f"entry:{pk}",
                level,
                _("截至%(month)s月有 %(n)s 个月的月度报送逾期未报") % {"month": month, "n": missing},
                {
                    _("应报月数"): expected,
                    _("已报月数"): handed,
                    _("缺报月数"): missing,
                    _("%(month)s月报送截止") % {"month": month}: deadline.isoformat() if deadline else "",
                },
                _link("report_entry", pk),
            )
        )
    return hits


def rule_statistics(ctx: Context, project_ids, params) -> list[Hit]:
    """Started, not registered in the statistics database N months later: yellow; M months → red."""
    today = ctx.today
    yellow_by = add_months(today, -int(params["yellow_months"]))
    red_by = add_months(today, -int(params["red_months"]))
    projects = Project.objects.filter(
        statistics_registered=False,
        start_date__isnull=False,
        start_date__lte=yellow_by,
        stage__in=(Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING),
    )
    projects = _scope(projects, project_ids, "id").order_by()
    hits = []
    for pk, start in projects.values_list("id", "start_date"):
        months = (today.year - start.year) * 12 + today.month - start.month - (today.day < start.day)
        level = Level.RED if start <= red_by else Level.YELLOW
        hits.append(
            Hit(
                pk,
                f"project:{pk}",
                level,
                _("项目于%(date)s开工，已 %(n)s 个月仍未入统") % {"date": start.isoformat(), "n": months},
                {_("实际开工日期"): start.isoformat(), _("开工后月数"): months, _("入统"): _("否")},
                _link("project_detail", pk, anchor="#statistics"),
            )
        )
    return hits


def rule_funds(ctx: Context, project_ids, params) -> list[Hit]:
    """资金到位率 (secured ÷ need of the fund needs) below the share: yellow (red below a second one)."""
    yellow = float(params["yellow_below_percent"])
    red = float(params.get("red_below_percent") or 0)
    money = BigIntegerField()
    needs = (
        _scope(FactorNeed.objects.filter(kind=FactorNeed.Kind.FUNDS), project_ids)
        .exclude(project__stage__in=(Stage.CANCELLED, Stage.COMPLETED, Stage.OPERATING))
        .order_by()
        .values("project_id")
        .annotate(
            need=Coalesce(Sum("need_yuan"), Value(0), output_field=money),
            secured=Coalesce(Sum("secured_yuan"), Value(0), output_field=money),
        )
        .filter(need__gt=0)
        # secured × 1000 < need × (share × 10): integers on both sides
        .annotate(
            have=ExpressionWrapper(F("secured") * 1000, output_field=money),
            bar=ExpressionWrapper(F("need") * round(yellow * 10), output_field=money),
        )
        .filter(have__lt=F("bar"))
    )
    hits = []
    for row in needs:
        pid, need, secured = row["project_id"], row["need"], row["secured"]
        rate = secured * 100 / need
        level = Level.RED if red and secured * 1000 < need * round(red * 10) else Level.YELLOW
        hits.append(
            Hit(
                pid,
                f"project:{pid}",
                level,
                _("资金到位率 %(rate)s%%，低于 %(share)s%%")
                % {"rate": _points(rate), "share": _points(yellow)},
                {
                    _("资金需求（万元）"): format_wan(need),
                    _("已落实（万元）"): format_wan(secured),
                    _("资金到位率"): f"{_points(rate)}%",
                },
                _link("project_detail", pid, anchor="#factors"),
            )
        )
    return hits


def rule_combined(ctx: Context, project_ids, params) -> list[Hit]:
    """A project both late to start and behind on investment: one combined warning, the worse light."""
    rules = {r.code: r for r in ctx.memo("rules", lambda: list(WarningRule.objects.all()))}
    start_params = params_of(rules[Code.START]) if Code.START in rules else defaults(Code.START)
    invest_params = (
        params_of(rules[Code.INVESTMENT]) if Code.INVESTMENT in rules else defaults(Code.INVESTMENT)
    )
    starts = ctx.memo(("start", _key(project_ids)), lambda: _start_hits(ctx, project_ids, start_params))
    investment = ctx.memo(
        ("investment", _key(project_ids)), lambda: _investment_hits(ctx, project_ids, invest_params)
    )
    hits = []
    for project_id in sorted(starts.keys() & investment.keys()):
        start, invest = starts[project_id], investment[project_id]
        level = Level.RED if Level.RED in (start.level, invest.level) else Level.YELLOW
        # The rule's name is not part of the message: every page and reminder shows it beside it.
        hits.append(
            Hit(
                project_id,
                f"project:{project_id}",
                level,
                _("%(a)s；%(b)s") % {"a": start.message, "b": invest.message},
                {**start.figures, **invest.figures},
                invest.url or start.url,
                thresholds={**start_params, **invest_params},
            )
        )
    return hits


def rule_operating(ctx: Context, project_ids, params) -> list[Hit]:
    """A completed industrial project not producing (no month with output) within its target months."""
    today = ctx.today
    default_months = int(params["default_months"])
    red_extra = int(params["red_extra_months"])
    keyword = (params.get("sector_keyword") or "").strip()
    producing = OperatingActual.objects.filter(project=OuterRef("pk"), output_value__gt=0)
    elapsed = ExpressionWrapper(
        Value(today.year * 12 + today.month)
        - ExtractYear("completion_date") * 12
        - ExtractMonth("completion_date")
        - Case(When(completion_date__day__gt=today.day, then=Value(1)), default=Value(0)),
        output_field=IntegerField(),
    )
    projects = (
        Project.objects.filter(stage__in=(Stage.COMPLETED, Stage.OPERATING), completion_date__isnull=False)
        .annotate(
            elapsed=elapsed,
            limit=Coalesce("operating_target__months_to_produce", Value(default_months)),
        )
        .filter(elapsed__gte=F("limit"))
        .filter(~Exists(producing))
    )
    if keyword:
        projects = projects.filter(sector__name__contains=keyword)
    projects = _scope(projects, project_ids, "id").order_by()
    hits = []
    for pk, done, months, limit in projects.values_list("id", "completion_date", "elapsed", "limit"):
        level = Level.RED if months >= limit + red_extra else Level.YELLOW
        hits.append(
            Hit(
                pk,
                f"project:{pk}",
                level,
                _("竣工已 %(n)s 个月仍未投产（投产期限 %(limit)s 个月）") % {"n": months, "limit": limit},
                {_("实际竣工日期"): done.isoformat(), _("竣工后月数"): months, _("投产期限（月）"): limit},
                _link("operating_detail", pk),
            )
        )
    return hits


def _key(project_ids):
    return None if project_ids is None else tuple(sorted(project_ids))


RULES = {
    Code.TASK: rule_task,
    Code.PRELIM: rule_prelim,
    Code.START: rule_start,
    Code.INVESTMENT: rule_investment,
    Code.REPORTING: rule_reporting,
    Code.STATISTICS: rule_statistics,
    Code.FUNDS: rule_funds,
    Code.COMBINED: rule_combined,
    Code.OPERATING: rule_operating,
}
