"""Completion against plan (投资完成情况): year-to-date investment, time progress, growth and start rate.

Every figure is aggregated in SQL, grouped by the breakdown asked for: one query per breakdown, whatever
the number of projects (the entries' aggregate UNION ALL their reports' aggregate, see _figures). The
scope is the gate's: entries_visible_to and reports_visible_to, nothing else.

Definitions (shown on the page too):
- 年度计划: sum of planned investment of the year's entries in published batches. 预备 entries have no
  plan: they are counted as projects but left out of the plan, the completion and the rate.
- 1-M月完成: sum of monthly report amounts, months 1..M, of reports submitted or approved.
- 序时进度: the plan due by month M ÷ the plan; the plan due is the monthly curve where an entry has one,
  else the even split (M ÷ 12).
- 同比: against the previous year's list, same months, same breakdown (not the same projects: the list
  changes every year, and offices compare list with list).
- 开工率: 新开工 entries whose project started by the end of month M ÷ 新开工 entries planned to start in
  months 1..M (no planned month counts as December). 提前开工: started, though planned later;
  未按计划开工: planned by M, not started.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.dates import month_end, next_month_start
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.lib.numbers import percent
from keyprojects.plans.access import entries_visible_to, reports_visible_to
from keyprojects.plans.models import AnnualList, Batch, Category, MonthlyReport
from keyprojects.plans.report_selectors import local_midnight
from keyprojects.plans.selectors import default_period


@dataclass
class CompletionRow:
    """The figures of one group (a district, a sector …) or of the whole scope. Money in whole yuan."""

    key: object = None  # the group's id or value, None for a total or a group without one
    label: str = ""
    month: int = 12
    entries: int = 0  # all entries of the year, 预备 included
    preparatory: int = 0
    plan: int = 0
    plan_through: int = 0  # the plan due by month M
    ytd: int = 0
    ytd_last_year: int = 0
    new_starts: int = 0
    planned_starts: int = 0  # 新开工 planned to start by month M
    started: int = 0  # 新开工 started by the end of month M
    started_on_plan: int = 0  # … of those planned by month M
    link: dict = field(default_factory=dict)  # GET parameters of the annual list showing the group

    @property
    def rate(self) -> Decimal | None:
        return percent(self.ytd, self.plan)

    @property
    def time_progress(self) -> Decimal:
        if not self.plan:
            return percent(self.month, 12)
        return percent(self.plan_through, self.plan)

    @property
    def points(self) -> Decimal | None:
        """Percentage points ahead of (positive) or behind (negative) time progress, from exact figures."""
        if not self.plan:
            return None
        return percent(self.ytd - self.plan_through, self.plan)

    @property
    def growth(self) -> Decimal | None:
        if not self.ytd_last_year or not self.entries:
            return None
        return percent(self.ytd - self.ytd_last_year, self.ytd_last_year)

    @property
    def start_rate(self) -> Decimal | None:
        return percent(self.started, self.planned_starts)

    @property
    def started_early(self) -> int:
        return self.started - self.started_on_plan

    @property
    def not_started(self) -> int:
        return self.planned_starts - self.started_on_plan

    def add(self, other: "CompletionRow"):
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_SUMMED = (
    "entries",
    "preparatory",
    "plan",
    "plan_through",
    "ytd",
    "ytd_last_year",
    "new_starts",
    "planned_starts",
    "started",
    "started_on_plan",
)


# --------------------------------------------------------------------------------------------------
# The period
# --------------------------------------------------------------------------------------------------


def completion_years() -> list[int]:
    return list(AnnualList.objects.order_by("-year").values_list("year", flat=True))


@dataclass(frozen=True)
class MonthReporting:
    """How the reports of one month stand in a user's scope: the entries that owe one (on a batch
    published before the month ended) and how many of those handed it in (submitted or approved)."""

    year: int
    month: int
    expected: int = 0
    handed_in: int = 0
    reports: int = 0  # every counted report of the month, from entries that owe it or not

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.handed_in)

    @property
    def is_in(self) -> bool:
        """The month's reports are in: at least half of those owed (the rest may still come)."""
        return self.reports > 0 and 2 * self.handed_in >= self.expected


@dataclass
class ReportedMonth:
    """The month an overview opens on (year, month), the years that have a list (newest first), and how
    reporting stands for the ended months of the latest two lists."""

    year: int
    month: int
    years: list = field(default_factory=list)
    months: dict = field(default_factory=dict)  # (year, month) → MonthReporting
    since: tuple | None = None  # counted from this (year, month) on only (latest_reported_month)

    def of(self, year: int, month: int) -> MonthReporting | None:
        return self.months.get((year, month))

    @property
    def reporting(self) -> MonthReporting | None:
        return self.of(self.year, self.month)


def _reporting_rows(user, window, since=None):
    """One query (UNION ALL): (0, year, None, None, 0) per annual list; (1, year, None, published_at, n)
    for USER's entries of published batches grouped by their batch's publication; (2, year, month,
    published_at, n) for the counted reports of those entries, grouped likewise. Only years in WINDOW
    are aggregated, and reports only from the month SINCE (year, month) on when given."""

    # Every column cast to one type: PostgreSQL types a UNION's columns from its parts, and a bare
    # parameter there is text.
    def part(n):
        return Cast(Value(n), IntegerField())

    def year(field):
        return Cast(F(field), IntegerField())

    no_month = Cast(Value(None), IntegerField())
    no_moment = Cast(Value(None), DateTimeField())
    published = Batch.Status.PUBLISHED
    columns = ("part", "y", "m", "at", "n")
    lists = (
        AnnualList.objects.order_by()
        .annotate(part=part(0), y=year("year"), m=no_month, at=no_moment, n=Cast(Value(0), BigIntegerField()))
        .values_list(*columns)
    )
    entries = (
        entries_visible_to(user)
        .filter(annual_list__year__in=window, batch__status=published)
        .order_by()
        .annotate(y=year("annual_list__year"), at=F("batch__published_at"))
        .values("y", "at")
        .annotate(part=part(1), m=no_month, n=Count("id"))
        .values_list(*columns)
    )
    reports = (
        reports_visible_to(user)
        .filter(
            entry__annual_list__year__in=window,
            entry__batch__status=published,
            status__in=MonthlyReport.COUNTED,
        )
        .filter(_from_month(since, window))
        .order_by()
        .annotate(
            y=year("entry__annual_list__year"),
            m=Cast(F("month"), IntegerField()),
            at=F("entry__batch__published_at"),
        )
        .values("y", "m", "at")
        .annotate(part=part(2), n=Count("id"))
        .values_list(*columns)
    )
    return list(lists.union(entries, reports, all=True))


def _from_month(since, window) -> Q:
    if since is None:
        return Q()
    year, month = since
    if year >= max(window):  # one year: a range of the (entry, month) index, which an OR would lose
        return Q(entry__annual_list__year=year, month__gte=month)
    return Q(entry__annual_list__year__gt=year) | Q(entry__annual_list__year=year, month__gte=month)


def latest_reported_month(*, user, today: dt.date | None = None, since=None) -> ReportedMonth:
    """The month the completion page and the cockpit open on: the latest ended month of this year's
    and last year's lists whose reports are in (MonthReporting.is_in) in USER's scope — not blindly the
    month before today, whose reports come in until its statistics deadline, nor a new year's list
    without reports (then last December). Failing that, the latest month with any report; without
    any, plans.selectors.default_period. One query whatever the data, which also gives the years with a
    list (for the period form) and the figures of every ended month of those two lists (`of`, for the
    "N 个项目未报送" note).

    SINCE (year, month), for a page whose address names its period: only the months from SINCE on are
    counted, two years of reports being most of the page's time. Then the month it opens on is known
    only when one of those is in; else year and month are None."""
    today = today or timezone.localdate()
    window = [today.year, today.year - 1]
    years, owed, handed = set(), [], defaultdict(list)
    for part, year, month, published_at, n in _reporting_rows(user, window, since):
        if part == 0:
            years.add(year)
        elif part == 1:
            owed.append((year, published_at, n))
        else:
            handed[(year, month)].append((published_at, n))
    years = sorted(years, reverse=True)
    # A month is owed by the entries of batches published before it ended (without a date: every month).
    months = {}
    for year in (y for y in window if y in years):
        last = 12 if year < today.year else today.month - 1
        for month in range(1, last + 1):
            if since is not None and (year, month) < tuple(since):
                continue
            ended = local_midnight(next_month_start(year, month))
            months[(year, month)] = MonthReporting(
                year,
                month,
                expected=sum(n for y, at, n in owed if y == year and (at is None or at < ended)),
                handed_in=sum(n for at, n in handed[(year, month)] if at is None or at < ended),
                reports=sum(n for _at, n in handed[(year, month)]),
            )
    latest = sorted(months.values(), key=lambda m: (m.year, m.month), reverse=True)
    chosen = next((m for m in latest if m.is_in), None)
    if since is not None:  # an earlier month may be the one it opens on: unknown here
        year, month = (chosen.year, chosen.month) if chosen else (None, None)
        return ReportedMonth(year, month, years=years, months=months, since=tuple(since))
    chosen = chosen or next((m for m in latest if m.reports), None)
    year, month = (chosen.year, chosen.month) if chosen else default_period(today, years=years)
    return ReportedMonth(year, month, years=years, months=months)


# --------------------------------------------------------------------------------------------------
# The aggregate
# --------------------------------------------------------------------------------------------------


def ytd_expression(month: int):
    """Per entry: the amounts of its counted reports for months 1..MONTH (a correlated subquery that
    the (entry, month) unique index answers), 0 when it has none. For row-by-row lists (the official
    table); aggregates use _figures."""
    reports = (
        MonthlyReport.objects.filter(entry=OuterRef("pk"), month__lte=month, status__in=MonthlyReport.COUNTED)
        .order_by()
        .values("entry")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(reports, output_field=BigIntegerField()), Value(0))


def plan_through_expression(month: int):
    """Per entry: the plan due by MONTH — its monthly curve (JSON list of 12 yuan amounts) summed over
    1..MONTH, or the even split (plan × MONTH ÷ 12, whole yuan, as AnnualEntry.planned_through) when it
    has none. A missing curve or element makes the curve sum NULL, so Coalesce falls to the split."""
    curve = None
    for i in range(month):
        element = Cast(KT(f"monthly_plan__{i}"), BigIntegerField())
        curve = element if curve is None else curve + element
    even = F("planned_investment") * month / 12
    return Coalesce(curve, even, Value(0), output_field=BigIntegerField())


ZERO = Value(0, output_field=BigIntegerField())


def _entry_aggregates(year: int, month: int) -> dict:
    """The figures read from the entries themselves (the year-to-date columns come from the reports)."""
    this_year = Q(annual_list__year=year)
    with_plan = ~Q(category=Category.PREPARATORY)
    new_start = this_year & Q(category=Category.NEW_START)
    started = Q(project__start_date__lte=month_end(year, month))
    planned_by = Q(planned_start_month__lte=month)
    if month == 12:
        planned_by |= Q(planned_start_month__isnull=True)
    money = BigIntegerField()
    return {
        "entries": Count("id", filter=this_year),
        "preparatory": Count("id", filter=this_year & ~with_plan),
        "plan": Sum("planned_investment", filter=this_year & with_plan, output_field=money),
        "plan_through": Sum(plan_through_expression(month), filter=this_year & with_plan, output_field=money),
        "ytd": ZERO,
        "ytd_last_year": ZERO,
        "new_starts": Count("id", filter=new_start),
        "planned_starts": Count("id", filter=new_start & planned_by),
        "started": Count("id", filter=new_start & started),
        "started_on_plan": Count("id", filter=new_start & started & planned_by),
    }


def _report_aggregates(year: int) -> dict:
    """The year-to-date columns, read from the reports; the other columns zero, in the same order."""
    money = BigIntegerField()
    columns = dict.fromkeys(_SUMMED, ZERO)
    columns["ytd"] = Sum("amount", filter=Q(entry__annual_list__year=year), output_field=money)
    columns["ytd_last_year"] = Sum("amount", filter=Q(entry__annual_list__year=year - 1), output_field=money)
    return columns


def _scoped_entries(user, year: int, *, over_yi=False):
    """USER's entries of YEAR and the year before, in published batches."""
    entries = entries_visible_to(user).filter(
        annual_list__year__in=(year, year - 1), batch__status=Batch.Status.PUBLISHED
    )
    if over_yi:
        entries = entries.filter(planned_investment__gte=YUAN_PER_YI)
    return entries.order_by()  # no default ordering: it would join the GROUP BY


def _scoped_reports(user, year: int, month: int, *, over_yi=False):
    """The reports that count towards USER's year-to-date figures: months 1..MONTH, submitted or
    approved, of entries with a plan (not 预备) in published batches of YEAR and the year before."""
    reports = (
        reports_visible_to(user)
        .filter(
            entry__annual_list__year__in=(year, year - 1),
            entry__batch__status=Batch.Status.PUBLISHED,
            month__lte=month,
            status__in=MonthlyReport.COUNTED,
        )
        .exclude(entry__category=Category.PREPARATORY)
    )
    if over_yi:
        reports = reports.filter(entry__planned_investment__gte=YUAN_PER_YI)
    return reports.order_by()


def _figures(user, year: int, month: int, key=None, others=(), *, over_yi=False) -> list[dict]:
    """The figures grouped by the entry lookup KEY (None: one total), with the lookups OTHERS (labels,
    sort fields) read beside it, in ONE query: the aggregate over the entries UNION ALL the aggregate
    over their reports, each a plain grouped join, added up here per group (a handful of rows, never a
    row per entry). The reports side groups by the key alone and leaves OTHERS empty: it has ten times
    the rows. (A subquery per entry for the year-to-date sums would do in one SELECT too, but
    PostgreSQL prices 40,000 of them so high that it JIT-compiles the query, which took longer than
    running it.)"""
    entries = _scoped_entries(user, year, over_yi=over_yi)
    reports = _scoped_reports(user, year, month, over_yi=over_yi)
    columns = [f"g{i}" for i in range(len(others))]
    if key is None:  # one group: a constant is never grouped by, so there is no GROUP BY at all
        entries = entries.annotate(key=ZERO)
        reports = reports.annotate(key=ZERO)
    else:
        entries = entries.annotate(key=F(key), **{c: F(f) for c, f in zip(columns, others, strict=True)})
        blank = Value(None, output_field=CharField())  # NULL: no cast, so it unions with any type
        reports = reports.annotate(key=F(f"entry__{key}"), **{c: blank for c in columns})
    entries = entries.values("key", *columns).annotate(**_entry_aggregates(year, month))
    reports = reports.values("key", *columns).annotate(**_report_aggregates(year))
    groups = {}
    for values in entries.union(reports, all=True):
        group = groups.get(values["key"])
        if group is None:
            group = groups[values["key"]] = dict.fromkeys(_SUMMED, 0)
            group[key] = values["key"]
        for name in _SUMMED:
            group[name] += int(values[name] or 0)
        for column, name in zip(columns, others, strict=True):
            if values[column] is not None:
                group[name] = values[column]
    for group in groups.values():
        for name in others:
            group.setdefault(name, None)
    return list(groups.values())


def _row(values: dict, month: int, **extra) -> CompletionRow:
    row = CompletionRow(month=month, **extra)
    for name in _SUMMED:
        setattr(row, name, int(values.get(name) or 0))
    return row


def completion_totals(*, user, year: int, month: int, over_yi: bool = False) -> CompletionRow:
    """The figures of everything USER may see on YEAR's list, through MONTH (one query)."""
    groups = _figures(user, year, month, over_yi=over_yi)
    link = {"year": year, "over_yi": 1} if over_yi else {"year": year}
    return _row(groups[0] if groups else {}, month, label=str(_("合计")), link=link)


@dataclass(frozen=True)
class Breakdown:
    slug: str
    title: object  # lazy text
    key: str  # the grouping field
    labels: tuple  # fields read for the label, first non-empty wins
    order: tuple  # fields to sort the groups by (read with the label)
    param: str  # GET parameter of the annual list page
    none_label: object = None  # label of the group without a key (no department / no leader)
    over_yi: bool = False
    additive: bool = True  # each entry in exactly one group: the groups add up to the total


BREAKDOWNS = {
    b.slug: b
    for b in (
        Breakdown(
            "district",
            _("按城区"),
            "project__district_id",
            ("project__district__short_name", "project__district__name"),
            ("project__district__sort", "project__district__name"),
            "district",
        ),
        Breakdown(
            "sector",
            _("按行业"),
            "project__sector_id",
            ("project__sector__name",),
            ("project__sector__sort", "project__sector__name"),
            "sector",
        ),
        Breakdown("category", _("按类别"), "category", (), (), "category"),
        Breakdown(
            "department",
            _("按责任单位"),
            "departments__id",
            ("departments__short_name", "departments__name"),
            ("departments__sort", "departments__name"),
            "department",
            none_label=_("未明确责任单位"),
            additive=False,  # an entry with two responsible units counts under both
        ),
        Breakdown(
            "leader",
            _("按联系市领导"),
            "leader_id",
            ("leader__full_name", "leader__username"),
            ("leader__username",),
            "leader",
            none_label=_("未明确联系市领导"),
        ),
        Breakdown(
            "over_yi",
            _("超亿元项目"),
            "project__district_id",
            ("project__district__short_name", "project__district__name"),
            ("project__district__sort", "project__district__name"),
            "district",
            over_yi=True,
        ),
    )
}
CATEGORY_ORDER = [c.value for c in Category]


def completion_breakdown(
    *, user, year: int, month: int, by: str
) -> tuple[list[CompletionRow], CompletionRow]:
    """The figures of each group of breakdown BY (a key of BREAKDOWNS) — groups with entries on YEAR's
    list only, in the office's usual order — and their total. One query; two for a breakdown whose
    groups overlap (an entry under each of its departments), whose total must count each entry once."""
    breakdown = BREAKDOWNS[by]
    fields = dict.fromkeys((breakdown.key, *breakdown.labels, *breakdown.order))
    others = [f for f in fields if f != breakdown.key]
    groups = _figures(user, year, month, breakdown.key, others, over_yi=breakdown.over_yi)
    total = CompletionRow(month=month, label=str(_("合计")), link={"year": year})
    if breakdown.over_yi:
        total.link["over_yi"] = 1
    rows = []
    for values in groups:
        group = _row(values, month)
        total.add(group)  # groups only on last year's list too: they count in last year's total
        if not group.entries:
            continue
        key = values[breakdown.key]
        if breakdown.slug == "category":
            label = Category(key).label
        else:
            label = next((values[f] for f in breakdown.labels if values[f]), None) or breakdown.none_label
        group.key, group.label = key, str(label)
        if key is not None:
            group.link = {"year": year, breakdown.param: key}
            if breakdown.over_yi:
                group.link["over_yi"] = 1
        group.sort_key = _sort_key(breakdown, values, group)
        rows.append(group)
    rows.sort(key=lambda r: r.sort_key)
    if not breakdown.additive:
        total = completion_totals(user=user, year=year, month=month, over_yi=breakdown.over_yi)
    return rows, total


def _sort_key(breakdown, values, row):
    if breakdown.slug == "category":
        return (CATEGORY_ORDER.index(values["category"]),)
    if breakdown.slug == "leader":
        # The leaders with the biggest portfolios first; the group without a leader last.
        return (values["leader_id"] is None, -row.plan, row.label)
    return (
        values[breakdown.key] is None,
        *((values[f] is None, values[f] if values[f] is not None else "") for f in breakdown.order),
    )
