"""What is measured: each indicator and each bonus/deduction item, for every unit of a kind at once.

An indicator's `measure(ctx)` answers for all the units of one kind (districts, departments or
projects) in a fixed number of grouped queries — one or two, never one per unit — and `records(...)`
lists, for one unit, the exact records behind its figure (the late reports, the overdue problems …).
Every figure is "as of" the period: events due within it, cumulative figures through its last month;
none depends on the day it is computed.

Whose record is it: a district answers for the projects located in it and for what it is the
responsible unit of (tasks, problems it leads, instructions it must reply to); a department for the
entries and projects it is responsible for and for what it is the responsible unit of; a project for
its own.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.assessment.models import UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.coordination.models import Instruction, Problem, ProblemAction
from keyprojects.lib.dates import add_months, month_end, next_month_start
from keyprojects.lib.money import YUAN_PER_WAN, format_wan
from keyprojects.lib.numbers import percent
from keyprojects.plans.completion_selectors import plan_through_expression
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport, ReportAdjustment
from keyprojects.plans.report_selectors import local_midnight, month_deadline
from keyprojects.projects.models import PrelimItem, Project
from keyprojects.supervision import selectors as supervision
from keyprojects.tasks.models import Task

DISTRICT, DEPARTMENT, PROJECT = UnitKind.DISTRICT, UnitKind.DEPARTMENT, UnitKind.PROJECT
RATE, COUNT, SCORE = "rate", "count", "score"
COUNTED = MonthlyReport.COUNTED
MONEY = BigIntegerField()


@dataclass
class Measure:
    """One unit's figure: a rate (NUMERATOR ÷ DENOMINATOR in per cent), a COUNT of items, or a SCORE;
    VALUE None when nothing was due. LATE: the items behind it that were late or are overdue."""

    numerator: int = 0
    denominator: int = 0
    count: int = 0
    value: Decimal | None = None
    late: int = 0


@dataclass
class Record:
    """One record behind a figure, as the score page lists it."""

    label: str
    detail: str = ""
    url: str = ""
    state: str = ""


@dataclass
class Context:
    """What every measure of one computation shares: the period, the kind of unit, the year's list."""

    period: Period
    unit_kind: str
    annual_list: AnnualList | None = None
    cache: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.annual_list is None:
            self.annual_list = AnnualList.objects.filter(year=self.period.year).first()

    @property
    def after(self) -> dt.date:
        """The day after the period: "as of" the period's end, whenever it is computed."""
        return self.period.end + dt.timedelta(days=1)

    @property
    def end_bound(self) -> dt.datetime:
        """Midnight after the period's last day: a moment is in the period when before it."""
        return local_midnight(self.period.end + dt.timedelta(days=1))

    @property
    def start_bound(self) -> dt.datetime:
        return local_midnight(self.period.start)


def _grouped(queryset, key: str, **aggregates) -> dict:
    """{unit key: {aggregate: value}} in one grouped query; rows without a key are left out."""
    rows = queryset.order_by().values(unit=F(key)).annotate(**aggregates)
    return {r.pop("unit"): r for r in rows if r["unit"] is not None}


def _rate(num: int, den: int, *, late: int | None = None) -> Measure:
    return Measure(
        numerator=num, denominator=den, value=percent(num, den), late=den - num if late is None else late
    )


# --------------------------------------------------------------------------------------------------
# The records measured, and which field says whose each one is
# --------------------------------------------------------------------------------------------------

ENTRY_KEY = {DISTRICT: "project__district_id", DEPARTMENT: "departments__id", PROJECT: "project_id"}
REPORT_KEY = {kind: f"entry__{key}" for kind, key in ENTRY_KEY.items()}
ADJUSTMENT_KEY = {kind: f"report__entry__{key}" for kind, key in ENTRY_KEY.items()}
PRELIM_KEY = {DISTRICT: "project__district_id", DEPARTMENT: "project__departments__id", PROJECT: "project_id"}
PROBLEM_KEY = {DISTRICT: "lead_unit_id", DEPARTMENT: "lead_unit_id", PROJECT: "project_id"}
TASK_KEY = {DISTRICT: "responsible_unit_id", DEPARTMENT: "responsible_unit_id", PROJECT: "project_id"}
INSTRUCTION_KEY = {DISTRICT: "reply_unit_id", DEPARTMENT: "reply_unit_id", PROJECT: "problem__project_id"}


def listed_entries(year: int):
    """The year's entries in published batches: the projects assessed that year."""
    return AnnualEntry.objects.filter(annual_list__year=year, batch__status=Batch.Status.PUBLISHED)


def _one(key_field: str, unit_kind: str, key) -> Q:
    return Q(**{key_field[unit_kind]: key})


def _planned_by(field_name: str, month: int) -> Q:
    """Entries planned (to start, to complete) by MONTH; one without a planned month counts as December."""
    q = Q(**{f"{field_name}__lte": month})
    if month == 12:
        q |= Q(**{f"{field_name}__isnull": True})
    return q


def _expected_for(period: Period, month: int, prefix: str = "") -> Q:
    """An entry owes MONTH's report when its batch was published before the month ended."""
    before = local_midnight(next_month_start(period.year, month))
    return Q(**{f"{prefix}batch__published_at__isnull": True}) | Q(
        **{f"{prefix}batch__published_at__lt": before}
    )


def report_deadlines(ctx: Context) -> dict[int, dt.datetime]:
    """Month → the moment after its statistics deadline (a report handed in before it is on time)."""
    if "deadlines" not in ctx.cache:
        ctx.cache["deadlines"] = {
            m: local_midnight(month_deadline(ctx.annual_list, m) + dt.timedelta(days=1))
            for m in ctx.period.months
        }
    return ctx.cache["deadlines"]


def _auto_escalated(bound: dt.datetime):
    return Exists(
        ProblemAction.objects.filter(
            problem=OuterRef("pk"), kind=ProblemAction.Kind.AUTO_ESCALATE, at__lt=bound
        )
    )


def _problems(ctx: Context):
    """Problems raised before the period ended, with: resolved within the period; unresolved at its end
    and past a time limit (the level's deadline passed, or escalated for running out of time)."""
    end = ctx.end_bound
    problems = Problem.objects.filter(created_at__lt=end).annotate(auto=_auto_escalated(end))
    resolved_in = Q(resolved_at__gte=ctx.start_bound, resolved_at__lt=end)
    unresolved_at_end = Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    late_unresolved = unresolved_at_end & (Q(level_deadline__lte=ctx.period.end) | Q(auto=True))
    return problems, resolved_in, late_unresolved


def stalled_problems(ctx: Context, level: int):
    """Problems at LEVEL or above, unresolved at the period's end and past a time limit (黑榜, 扣分)."""
    problems, _resolved, late_unresolved = _problems(ctx)
    return problems.filter(late_unresolved, level__gte=level, status__in=Problem.UNRESOLVED)


def late_start_entries(ctx: Context, months: int):
    """新开工 entries not started MONTHS months after the end of their planned start month, as of the
    period's end (an entry planned for March, three months: not started by the end of June)."""
    last_month = max(0, min(12, _months_before(ctx.period.end, months)))
    return listed_entries(ctx.period.year).filter(
        Q(project__start_date__isnull=True) | Q(project__start_date__gt=ctx.period.end),
        category=Category.NEW_START,
        planned_start_month__lte=last_month,
    )


def _months_before(day: dt.date, months: int) -> int:
    """The last planned month M of DAY's year with the end of M plus MONTHS months on or before DAY."""
    for month in range(12, 0, -1):
        if add_months(month_end(day.year, month), months) <= day:
            return month
    return 0


# --------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------


class Indicator:
    code = ""
    label = ""
    unit_kinds: tuple = ()
    kind = RATE
    numerator_label = ""
    denominator_label = ""
    item = gettext_lazy("件")
    money = False  # numerator and denominator are whole yuan, shown in 万元
    records_label = ""  # what the records behind the figure are, when there are any

    def measure(self, ctx: Context) -> dict:
        raise NotImplementedError

    def records(self, ctx: Context, key) -> list[Record]:
        return []

    def figures(self, line: dict) -> str:
        """The figure with its numbers, from a stored score line."""
        if self.kind == COUNT:
            return _("%(label)s %(n)s %(item)s") % {
                "label": self.numerator_label,
                "n": line["count"],
                "item": self.item,
            }
        if self.kind == SCORE:
            return _("平均得分 %(v)s（%(n)s 个项目）") % {"v": line["value"], "n": line["count"]}
        num, den = line["numerator"], line["denominator"]
        if self.money:
            num, den = _("%s 万元") % format_wan(num), _("%s 万元") % format_wan(den)
        else:
            num, den = f"{num} {self.item}", f"{den} {self.item}"
        value = "—" if line["value"] is None else f"{line['value']}%"
        return f"{self.numerator_label} {num} ÷ {self.denominator_label} {den} = {value}"


class InvestmentPlan(Indicator):
    code = "investment_plan"
    label = gettext_lazy("投资完成率（对年度计划）")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    numerator_label = gettext_lazy("累计完成投资")
    denominator_label = gettext_lazy("年度计划投资")
    money = True
    records_label = gettext_lazy("清单项目完成情况")
    target = "plan"

    def _figures(self, ctx: Context) -> dict:
        cache_key = ("investment", ctx.unit_kind)
        if cache_key not in ctx.cache:
            month = ctx.period.last_month
            with_plan = ~Q(category=Category.PREPARATORY)
            entries = _grouped(
                listed_entries(ctx.period.year).filter(with_plan),
                ENTRY_KEY[ctx.unit_kind],
                plan=Sum("planned_investment", output_field=MONEY),
                plan_through=Sum(plan_through_expression(month), output_field=MONEY),
            )
            reports = _grouped(
                MonthlyReport.objects.filter(
                    entry__in=listed_entries(ctx.period.year).filter(with_plan),
                    month__lte=month,
                    status__in=COUNTED,
                ),
                REPORT_KEY[ctx.unit_kind],
                ytd=Sum("amount", output_field=MONEY),
            )
            ctx.cache[cache_key] = {
                key: {
                    "plan": int(values["plan"] or 0),
                    "plan_through": int(values["plan_through"] or 0),
                    "ytd": int(reports.get(key, {}).get("ytd") or 0),
                }
                for key, values in entries.items()
            }
        return ctx.cache[cache_key]

    def measure(self, ctx):
        return {
            key: Measure(
                numerator=f["ytd"], denominator=f[self.target], value=percent(f["ytd"], f[self.target])
            )
            for key, f in self._figures(ctx).items()
        }

    def records(self, ctx, key):
        month = ctx.period.last_month
        entries = (
            listed_entries(ctx.period.year)
            .filter(_one(ENTRY_KEY, ctx.unit_kind, key))
            .exclude(category=Category.PREPARATORY)
            .select_related("project")
            .annotate(
                ytd=Sum(
                    "reports__amount",
                    filter=Q(reports__month__lte=month, reports__status__in=COUNTED),
                    output_field=MONEY,
                ),
            )
            .order_by("project__name", "id")
        )
        rows = []
        for entry in entries:
            plan = entry.planned_through(month) if self.target == "plan_through" else entry.planned_investment
            ytd = entry.ytd or 0
            rate = percent(ytd, plan)
            rows.append(
                (
                    rate if rate is not None else Decimal(10**6),
                    Record(
                        label=entry.project.name,
                        detail=_("完成 %(ytd)s 万元 ÷ %(what)s %(plan)s 万元 = %(rate)s")
                        % {
                            "ytd": format_wan(ytd),
                            "what": self.denominator_label,
                            "plan": format_wan(plan or 0),
                            "rate": "—" if rate is None else f"{rate}%",
                        },
                        url=reverse("entry_detail", args=[entry.pk]),
                    ),
                )
            )
        return [r for _rate_, r in sorted(rows, key=lambda pair: pair[0])]


class InvestmentPace(InvestmentPlan):
    code = "investment_pace"
    label = gettext_lazy("投资完成率（对序时进度）")
    denominator_label = gettext_lazy("序时计划投资")
    target = "plan_through"


class StartRate(Indicator):
    code = "start_rate"
    label = gettext_lazy("新开工项目开工率")
    unit_kinds = (DISTRICT, DEPARTMENT)
    numerator_label = gettext_lazy("已开工")
    denominator_label = gettext_lazy("计划已到开工月份")
    item = gettext_lazy("个")
    records_label = gettext_lazy("未按计划开工的新开工项目")

    def _base(self, ctx):
        return listed_entries(ctx.period.year).filter(
            _planned_by("planned_start_month", ctx.period.last_month), category=Category.NEW_START
        )

    def _done(self, ctx) -> Q:
        return Q(project__start_date__lte=ctx.period.end)

    def measure(self, ctx):
        rows = _grouped(
            self._base(ctx),
            ENTRY_KEY[ctx.unit_kind],
            due=Count("id"),
            done=Count("id", filter=self._done(ctx)),
        )
        return {key: _rate(r["done"], r["due"]) for key, r in rows.items()}

    def records(self, ctx, key):
        entries = (
            self._base(ctx)
            .filter(_one(ENTRY_KEY, ctx.unit_kind, key))
            .exclude(self._done(ctx))
            .select_related("project")
            .order_by("project__name", "id")
        )
        return [
            Record(label=e.project.name, detail=self.detail(e), url=reverse("entry_detail", args=[e.pk]))
            for e in entries
        ]

    def detail(self, entry) -> str:
        return _("计划 %(m)s 月开工") % {"m": entry.planned_start_month or 12}


class CompletionRate(StartRate):
    code = "completion_rate"
    label = gettext_lazy("竣工投产率")
    numerator_label = gettext_lazy("已竣工")
    denominator_label = gettext_lazy("计划已到竣工月份")
    records_label = gettext_lazy("未按计划竣工投产的项目")

    def _base(self, ctx):
        return listed_entries(ctx.period.year).filter(
            _planned_by("planned_completion_month", ctx.period.last_month), category=Category.COMPLETING
        )

    def _done(self, ctx) -> Q:
        return Q(project__completion_date__lte=ctx.period.end)

    def detail(self, entry) -> str:
        return _("计划 %(m)s 月竣工") % {"m": entry.planned_completion_month or 12}


class PrelimOnTime(Indicator):
    code = "prelim_on_time"
    label = gettext_lazy("前期工作按期完成率")
    unit_kinds = (DISTRICT, PROJECT)
    numerator_label = gettext_lazy("按期完成")
    denominator_label = gettext_lazy("计划本期完成的前期事项")
    item = gettext_lazy("项")
    records_label = gettext_lazy("未按期完成的前期事项")

    def _base(self, ctx):
        return PrelimItem.objects.filter(
            project_id__in=listed_entries(ctx.period.year).values("project_id"),
            planned_date__gte=ctx.period.start,
            planned_date__lte=ctx.period.end,
        )

    def measure(self, ctx):
        rows = _grouped(
            self._base(ctx),
            PRELIM_KEY[ctx.unit_kind],
            due=Count("id"),
            done=Count("id", filter=Q(actual_date__lte=F("planned_date"))),
        )
        return {key: _rate(r["done"], r["due"]) for key, r in rows.items()}

    def records(self, ctx, key):
        items = (
            self._base(ctx)
            .filter(_one(PRELIM_KEY, ctx.unit_kind, key))
            .exclude(actual_date__lte=F("planned_date"))
            .select_related("project")
            .order_by("planned_date", "id")
        )
        return [
            Record(
                label=f"{i.project.name} · {i.get_kind_display()}",
                detail=_("计划 %(p)s，实际 %(a)s") % {"p": i.planned_date, "a": i.actual_date or _("未完成")},
                url=reverse("project_detail", args=[i.project_id]),
            )
            for i in items
        ]


class ProblemOnTime(Indicator):
    code = "problem_on_time"
    label = gettext_lazy("问题按时限解决率")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    numerator_label = gettext_lazy("时限内办结")
    denominator_label = gettext_lazy("本期应办结")
    records_label = gettext_lazy("超时未办结或超时办结的问题")

    def measure(self, ctx):
        problems, resolved_in, late_unresolved = _problems(ctx)
        rows = _grouped(
            problems,
            PROBLEM_KEY[ctx.unit_kind],
            due=Count("id", filter=resolved_in | late_unresolved),
            done=Count("id", filter=resolved_in & Q(auto=False)),
        )
        return {key: _rate(r["done"], r["due"]) for key, r in rows.items() if r["due"]}

    def records(self, ctx, key):
        problems, resolved_in, late_unresolved = _problems(ctx)
        late = (
            problems.filter(_one(PROBLEM_KEY, ctx.unit_kind, key))
            .filter((resolved_in & Q(auto=True)) | late_unresolved)
            .select_related("project")
            .order_by("level_deadline", "id")
        )
        return [
            Record(
                label=p.title,
                detail=_("%(project)s · 第 %(level)s 级 · 时限 %(deadline)s")
                % {"project": p.project.name, "level": p.level, "deadline": p.level_deadline or "—"},
                url=reverse("problem_detail", args=[p.pk]),
                state=_("超时办结") if p.resolved_at else _("超时未办结"),
            )
            for p in late
        ]


class ReportOnTime(Indicator):
    code = "report_on_time"
    label = gettext_lazy("月度报送及时率")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    numerator_label = gettext_lazy("按时报送")
    denominator_label = gettext_lazy("应报送")
    item = gettext_lazy("份")
    records_label = gettext_lazy("逾期报送、未报送或退回未重报的月报")

    def _on_time(self, ctx) -> Q:
        deadlines = report_deadlines(ctx)
        q = Q(pk__in=[])
        for month in ctx.period.months:
            q |= Q(month=month, submitted_at__lt=deadlines[month]) & _expected_for(
                ctx.period, month, "entry__"
            )
        return q & Q(status__in=COUNTED)

    def measure(self, ctx):
        if ctx.annual_list is None:
            return {}
        entries = listed_entries(ctx.period.year)
        expected = {f"m{m}": Count("id", filter=_expected_for(ctx.period, m)) for m in ctx.period.months}
        owed = _grouped(entries, ENTRY_KEY[ctx.unit_kind], **expected)
        done = _grouped(
            MonthlyReport.objects.filter(self._on_time(ctx), entry__in=entries),
            REPORT_KEY[ctx.unit_kind],
            n=Count("id"),
        )
        result = {}
        for key, counts in owed.items():
            due = sum(counts.values())
            if due:
                result[key] = _rate(done.get(key, {}).get("n", 0), due)
        return result

    def records(self, ctx, key):
        if ctx.annual_list is None:
            return []
        deadlines = report_deadlines(ctx)
        entries = list(
            listed_entries(ctx.period.year)
            .filter(_one(ENTRY_KEY, ctx.unit_kind, key))
            .select_related("project", "batch")
            .order_by("project__name", "id")
        )
        reports = {
            (r.entry_id, r.month): r
            for r in MonthlyReport.objects.filter(entry__in=entries, month__in=list(ctx.period.months))
        }
        rows = []
        for month in ctx.period.months:
            before = local_midnight(next_month_start(ctx.period.year, month))
            for entry in entries:
                published = entry.batch.published_at
                if published is not None and published >= before:
                    continue
                report = reports.get((entry.pk, month))
                if report is not None and report.status in COUNTED and report.submitted_at < deadlines[month]:
                    continue
                if report is None or report.status not in COUNTED:
                    state = (
                        _("已退回未重报")
                        if report and report.status == report.Status.RETURNED
                        else _("未报送")
                    )
                else:
                    state = _("逾期报送")
                rows.append(
                    Record(
                        label=entry.project.name,
                        detail=_("%(m)s月报送") % {"m": month},
                        url=reverse("report_detail", args=[report.pk])
                        if report
                        else reverse("report_entry", args=[entry.pk]),
                        state=state,
                    )
                )
        return rows


class ReportQuality(Indicator):
    code = "report_quality"
    label = gettext_lazy("报送质量（退回与更正）")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    kind = COUNT
    numerator_label = gettext_lazy("被退回或经调整更正的月报")
    item = gettext_lazy("次")
    records_label = gettext_lazy("被退回或更正的月报")

    def _returned(self, ctx):
        return MonthlyReport.objects.filter(
            entry__in=listed_entries(ctx.period.year), month__in=list(ctx.period.months)
        ).exclude(return_reason="")

    def _adjusted(self, ctx):
        return ReportAdjustment.objects.filter(
            report__entry__in=listed_entries(ctx.period.year), report__month__in=list(ctx.period.months)
        )

    def measure(self, ctx):
        returned = _grouped(self._returned(ctx), REPORT_KEY[ctx.unit_kind], n=Count("id"))
        adjusted = _grouped(self._adjusted(ctx), ADJUSTMENT_KEY[ctx.unit_kind], n=Count("id"))
        result = {}
        for key in returned.keys() | adjusted.keys():
            n = returned.get(key, {}).get("n", 0) + adjusted.get(key, {}).get("n", 0)
            result[key] = Measure(count=n, value=Decimal(n), late=n)
        return result

    def records(self, ctx, key):
        returned = (
            self._returned(ctx).filter(_one(REPORT_KEY, ctx.unit_kind, key)).select_related("entry__project")
        )
        adjusted = (
            self._adjusted(ctx)
            .filter(_one(ADJUSTMENT_KEY, ctx.unit_kind, key))
            .select_related("report__entry__project")
        )
        rows = [
            Record(
                label=r.entry.project.name,
                detail=_("%(m)s月报送被退回：%(why)s") % {"m": r.month, "why": r.return_reason},
                url=reverse("report_detail", args=[r.pk]),
                state=_("退回"),
            )
            for r in returned.order_by("month", "id")
        ]
        rows += [
            Record(
                label=a.report.entry.project.name,
                detail=_("%(m)s月金额由 %(old)s 万元调整为 %(new)s 万元：%(why)s")
                % {
                    "m": a.report.month,
                    "old": format_wan(a.old_amount),
                    "new": format_wan(a.new_amount),
                    "why": a.reason,
                },
                url=reverse("report_detail", args=[a.report_id]),
                state=_("更正"),
            )
            for a in adjusted.order_by("at", "id")
        ]
        return rows


class TaskOnTime(Indicator):
    code = "task_on_time"
    label = gettext_lazy("任务按时完成率")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    numerator_label = gettext_lazy("按时完成")
    denominator_label = gettext_lazy("本期到期任务")
    records_label = gettext_lazy("逾期完成或逾期未完成的任务")
    approvals = False

    def _base(self, ctx):
        tasks = Task.objects.filter(deadline__gte=ctx.period.start, deadline__lte=ctx.period.end).exclude(
            status=Task.Status.CANCELLED
        )
        return tasks.exclude(prelim_kind="") if self.approvals else tasks.filter(prelim_kind="")

    def _done(self) -> Q:
        return Q(status=Task.Status.DONE, completed_date__lte=F("deadline"))

    def measure(self, ctx):
        rows = _grouped(
            self._base(ctx), TASK_KEY[ctx.unit_kind], due=Count("id"), done=Count("id", filter=self._done())
        )
        return {key: _rate(r["done"], r["due"]) for key, r in rows.items()}

    def records(self, ctx, key):
        tasks = (
            self._base(ctx)
            .filter(_one(TASK_KEY, ctx.unit_kind, key))
            .exclude(self._done())
            .select_related("project")
            .order_by("deadline", "id")
        )
        return [
            Record(
                label=t.title,
                detail=_("%(project)s · 时限 %(deadline)s")
                % {"project": t.project.name, "deadline": t.deadline},
                url=reverse("task_detail", args=[t.pk]),
                state=_("逾期完成") if t.status == Task.Status.DONE else _("逾期未完成"),
            )
            for t in tasks
        ]


class ApprovalOnTime(TaskOnTime):
    code = "approval_on_time"
    label = gettext_lazy("审批事项按时办结率")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    denominator_label = gettext_lazy("本期到期审批事项")
    records_label = gettext_lazy("逾期的审批事项")
    approvals = True


class InstructionOnTime(Indicator):
    code = "instruction_on_time"
    label = gettext_lazy("领导批示按时回复率")
    unit_kinds = (DISTRICT, DEPARTMENT, PROJECT)
    numerator_label = gettext_lazy("按时回复")
    denominator_label = gettext_lazy("本期应回复")
    records_label = gettext_lazy("逾期回复或未回复的批示")

    def _base(self, ctx):
        return Instruction.objects.filter(
            reply_deadline__gte=ctx.period.start, reply_deadline__lte=ctx.period.end
        ).annotate(replied_on=TruncDate("replied_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))

    def _done(self) -> Q:
        return Q(replied_on__lte=F("reply_deadline"))

    def measure(self, ctx):
        rows = _grouped(
            self._base(ctx),
            INSTRUCTION_KEY[ctx.unit_kind],
            due=Count("id"),
            done=Count("id", filter=self._done()),
        )
        return {key: _rate(r["done"], r["due"]) for key, r in rows.items()}

    def records(self, ctx, key):
        late = (
            self._base(ctx)
            .filter(_one(INSTRUCTION_KEY, ctx.unit_kind, key))
            .exclude(self._done())
            .select_related("problem", "leader")
            .order_by("reply_deadline", "id")
        )
        return [
            Record(
                label=i.problem.title,
                detail=_("%(leader)s批示，回复时限 %(deadline)s")
                % {"leader": i.leader, "deadline": i.reply_deadline},
                url=reverse("problem_detail", args=[i.problem_id]),
                state=_("逾期回复") if i.replied_at else _("未回复"),
            )
            for i in late
        ]


class LettersOnTime(Indicator):
    code = "letters_on_time"
    label = gettext_lazy("督办函按期办结率")
    unit_kinds = (DISTRICT, DEPARTMENT)
    numerator_label = gettext_lazy("按期办结")
    denominator_label = gettext_lazy("本期督办函")
    records_label = gettext_lazy("逾期的督办函")

    def measure(self, ctx):
        counts = supervision.letter_counts_by_unit(ctx.period.start, ctx.period.end, today=ctx.after)
        return {
            key: _rate(c["on_time"], c["issued"], late=c["overdue"])
            for key, c in counts.items()
            if c["issued"]
        }

    def records(self, ctx, key):
        return [
            Record(label=str(letter), url=_url_of(letter), state=_("逾期"))
            for letter in supervision.letters_for_unit(
                key, ctx.period.start, ctx.period.end, overdue=True, today=ctx.after
            )
        ]


class RectificationOnTime(Indicator):
    code = "rectification_on_time"
    label = gettext_lazy("督查整改按期完成率")
    unit_kinds = (DISTRICT, DEPARTMENT)
    numerator_label = gettext_lazy("按期整改")
    denominator_label = gettext_lazy("本期整改事项")
    item = gettext_lazy("项")
    records_label = gettext_lazy("逾期未整改的事项")

    def measure(self, ctx):
        counts = supervision.rectification_counts_by_unit(ctx.period.start, ctx.period.end, today=ctx.after)
        return {
            key: _rate(c["on_time"], c["items"], late=c["open_overdue"])
            for key, c in counts.items()
            if c["items"]
        }

    def records(self, ctx, key):
        return [
            Record(label=str(item), url=_url_of(item), state=_("逾期未整改"))
            for item in supervision.rectifications_for_unit(
                key, ctx.period.start, ctx.period.end, overdue=True
            )
        ]


class TourScore(Indicator):
    code = "tour_score"
    label = gettext_lazy("观摩评比得分")
    unit_kinds = (DISTRICT, PROJECT)
    kind = SCORE
    records_label = gettext_lazy("参加观摩评比的项目")

    def _scores(self, ctx) -> dict:
        if "tours" not in ctx.cache:
            ctx.cache["tours"] = supervision.tour_scores_by_project(ctx.period.start, ctx.period.end)
        return ctx.cache["tours"]

    def measure(self, ctx):
        scores = self._scores(ctx)
        if ctx.unit_kind == PROJECT:
            return {pk: Measure(count=1, value=_hundredths(s)) for pk, s in scores.items()}
        by_unit: dict = {}
        for pk, key in _project_units(ctx, scores):
            by_unit.setdefault(key, []).append(Decimal(scores[pk]))
        return {key: Measure(count=len(s), value=_hundredths(sum(s) / len(s))) for key, s in by_unit.items()}

    def records(self, ctx, key):
        scores = self._scores(ctx)
        names = dict(
            AnnualEntry.objects.filter(project_id__in=list(scores)).values_list("project_id", "project__name")
        )
        return [
            Record(
                label=names.get(pk, str(pk)),
                detail=_("观摩评比得分 %(s)s") % {"s": _hundredths(scores[pk])},
                url=reverse("project_detail", args=[pk]),
            )
            for pk, unit in _project_units(ctx, scores)
            if unit == key
        ]


def _hundredths(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _project_units(ctx: Context, project_ids) -> list[tuple]:
    """(project id, unit key) for PROJECT_IDS, for the unit kind: one query."""
    field_name = {DISTRICT: "district_id", DEPARTMENT: "departments__id", PROJECT: "id"}[ctx.unit_kind]
    return [
        (pk, key)
        for pk, key in Project.objects.filter(pk__in=list(project_ids)).values_list("id", field_name)
        if key is not None
    ]


def _url_of(obj) -> str:
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


INDICATORS = {
    i.code: i
    for i in (
        InvestmentPlan(),
        InvestmentPace(),
        StartRate(),
        CompletionRate(),
        PrelimOnTime(),
        ProblemOnTime(),
        ReportOnTime(),
        ReportQuality(),
        TaskOnTime(),
        ApprovalOnTime(),
        InstructionOnTime(),
        LettersOnTime(),
        RectificationOnTime(),
        TourScore(),
    )
}


# --------------------------------------------------------------------------------------------------
# Bonuses and deductions: items counted in the period, each worth the version's points up to its cap
# --------------------------------------------------------------------------------------------------

BONUS, DEDUCTION = "bonus", "deduction"


class Adjustment:
    code = ""
    label = ""
    sign = BONUS
    unit_kinds: tuple = (DISTRICT, DEPARTMENT, PROJECT)
    item = gettext_lazy("个")
    params_help = ""

    def count(self, ctx: Context, params: dict) -> dict:
        raise NotImplementedError

    def records(self, ctx: Context, params: dict, key) -> list[Record]:
        return []


class BigStart(Adjustment):
    code = "bonus_big_start"
    label = gettext_lazy("重大项目开工加分")
    params_help = gettext_lazy("总投资不低于（万元）")

    def _base(self, ctx, params):
        minimum = Decimal(str(params.get("min_total_wan", "100000"))) * YUAN_PER_WAN
        return listed_entries(ctx.period.year).filter(
            category=Category.NEW_START,
            project__start_date__gte=ctx.period.start,
            project__start_date__lte=ctx.period.end,
            project__total_investment__gte=int(minimum),
        )

    def count(self, ctx, params):
        rows = _grouped(self._base(ctx, params), ENTRY_KEY[ctx.unit_kind], n=Count("id"))
        return {key: r["n"] for key, r in rows.items()}

    def records(self, ctx, params, key):
        entries = (
            self._base(ctx, params).filter(_one(ENTRY_KEY, ctx.unit_kind, key)).select_related("project")
        )
        return [
            Record(
                label=e.project.name,
                detail=_("总投资 %(total)s 万元，%(date)s 开工")
                % {"total": format_wan(e.project.total_investment), "date": e.project.start_date},
                url=reverse("entry_detail", args=[e.pk]),
            )
            for e in entries.order_by("project__start_date", "id")
        ]


class CompletedInPeriod(Adjustment):
    code = "bonus_completion"
    label = gettext_lazy("竣工投产加分")

    def _base(self, ctx, params):
        return listed_entries(ctx.period.year).filter(
            category=Category.COMPLETING,
            project__completion_date__gte=ctx.period.start,
            project__completion_date__lte=ctx.period.end,
        )

    def count(self, ctx, params):
        rows = _grouped(self._base(ctx, params), ENTRY_KEY[ctx.unit_kind], n=Count("id"))
        return {key: r["n"] for key, r in rows.items()}

    def records(self, ctx, params, key):
        entries = (
            self._base(ctx, params).filter(_one(ENTRY_KEY, ctx.unit_kind, key)).select_related("project")
        )
        return [
            Record(
                label=e.project.name,
                detail=_("%(date)s 竣工") % {"date": e.project.completion_date},
                url=reverse("entry_detail", args=[e.pk]),
            )
            for e in entries.order_by("project__completion_date", "id")
        ]


class FalseReport(Adjustment):
    code = "deduction_false_report"
    label = gettext_lazy("虚报投资扣分（经核减的报送）")
    sign = DEDUCTION
    item = gettext_lazy("次")

    def _base(self, ctx, params):
        return ReportAdjustment.objects.filter(
            report__entry__in=listed_entries(ctx.period.year),
            new_amount__lt=F("old_amount"),
            at__gte=ctx.start_bound,
            at__lt=ctx.end_bound,
        )

    def count(self, ctx, params):
        rows = _grouped(self._base(ctx, params), ADJUSTMENT_KEY[ctx.unit_kind], n=Count("id"))
        return {key: r["n"] for key, r in rows.items()}

    def records(self, ctx, params, key):
        adjusted = (
            self._base(ctx, params)
            .filter(_one(ADJUSTMENT_KEY, ctx.unit_kind, key))
            .select_related("report__entry__project")
        )
        return [
            Record(
                label=a.report.entry.project.name,
                detail=_("%(m)s月由 %(old)s 万元核减为 %(new)s 万元：%(why)s")
                % {
                    "m": a.report.month,
                    "old": format_wan(a.old_amount),
                    "new": format_wan(a.new_amount),
                    "why": a.reason,
                },
                url=reverse("report_detail", args=[a.report_id]),
            )
            for a in adjusted.order_by("at", "id")
        ]


class StalledProblem(Adjustment):
    code = "deduction_stalled_problem"
    label = gettext_lazy("高层级问题超时扣分")
    sign = DEDUCTION
    params_help = gettext_lazy("问题层级不低于")

    def _base(self, ctx, params):
        return stalled_problems(ctx, int(params.get("level", 3)))

    def count(self, ctx, params):
        rows = _grouped(self._base(ctx, params), PROBLEM_KEY[ctx.unit_kind], n=Count("id"))
        return {key: r["n"] for key, r in rows.items()}

    def records(self, ctx, params, key):
        problems = (
            self._base(ctx, params).filter(_one(PROBLEM_KEY, ctx.unit_kind, key)).select_related("project")
        )
        return [
            Record(
                label=p.title,
                detail=_("%(project)s · 第 %(level)s 级") % {"project": p.project.name, "level": p.level},
                url=reverse("problem_detail", args=[p.pk]),
            )
            for p in problems.order_by("level_deadline", "id")
        ]


ADJUSTMENTS = {a.code: a for a in (BigStart(), CompletedInPeriod(), FalseReport(), StalledProblem())}
