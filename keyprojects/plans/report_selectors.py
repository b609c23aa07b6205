"""Reads of monthly reports: derived totals, deadlines, the owner's to-do, the review queue and the
office's overview. Every list starts from the access gates (keyprojects.plans.access).

Year-to-date (1–M月累计) and since-start (开工至今累计) totals are never stored: they are sums of the
amounts of the reports that count (MonthlyReport.COUNTED), so a return, a resubmission or an
adjustment moves them at once and nowhere else needs fixing.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.dates import month_end, month_start, next_month_start
from keyprojects.lib.numbers import percent
from keyprojects.lib.workdays import add_workdays, workdays_between
from keyprojects.orgs.models import User
from keyprojects.plans.access import entries_visible_to, reports_visible_to, reviews_reports
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, MonthLock, MonthlyReport

Role = User.Role
Status = MonthlyReport.Status
COUNTED = MonthlyReport.COUNTED
EDITABLE = (Status.DRAFT, Status.RETURNED)


# Months, deadlines and locks


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_has_ended(year: int, month: int, today: dt.date) -> bool:
    return today >= next_month_start(year, month)


def month_has_begun(year: int, month: int, today: dt.date) -> bool:
    return today >= month_start(year, month)


def last_ended_month(year: int, today: dt.date) -> int:
    """The last month of YEAR that has ended by TODAY: 0 when none has, 12 when the year is over."""
    if today.year > year:
        return 12
    if today.year < year:
        return 0
    return today.month - 1


def month_deadline(annual_list: AnnualList, month: int) -> dt.date:
    """The statistics deadline of MONTH: the Nth working day after the month's last day (N is the
    list's report_deadline_workdays); provisional in a year whose holiday schedule is not official."""
    return add_workdays(month_end(annual_list.year, month), annual_list.report_deadline_workdays)


class Deadlines:
    """Deadlines of the months a page shows, each computed once (add_workdays reads the calendar
    overrides)."""

    def __init__(self):
        self._cache: dict[tuple[int, int, int], dt.date | None] = {}
        self._left: dict[tuple[dt.date, dt.date], int] = {}

    def of(self, annual_list: AnnualList, month: int) -> dt.date | None:
        key = (annual_list.year, annual_list.report_deadline_workdays, month)
        if key not in self._cache:
            self._cache[key] = month_deadline(annual_list, month)
        return self._cache[key]

    def workdays_left(self, today: dt.date, deadline: dt.date | None) -> int | None:
        """Working days from TODAY to DEADLINE; negative when overdue; None without a deadline."""
        if deadline is None:
            return None
        key = (today, deadline)
        if key not in self._left:
            self._left[key] = workdays_between(today, deadline)
        return self._left[key]


def deadline_label(left: int | None) -> str:
    if left is None:
        return _("截止日期待定（节假日安排未录入）")
    if left > 0:
        return _("剩余 %(n)s 个工作日") % {"n": left}
    if left == 0:
        return _("今天截止")
    return _("逾期 %(n)s 个工作日") % {"n": -left}


def month_lock(annual_list: AnnualList, month: int, *, with_user=True) -> MonthLock | None:
    locks = MonthLock.objects.filter(annual_list=annual_list, month=month).order_by()
    return (locks.select_related("locked_by") if with_user else locks).first()


def locked_reason(annual_list: AnnualList, lock: MonthLock) -> str:
    return _("%(year)s年%(month)s月已于%(date)s锁定，不能再填报或修改；如需更正，请联系重点办办理调整。") % {
        "year": annual_list.year,
        "month": lock.month,
        "date": timezone.localtime(lock.locked_at).strftime("%Y-%m-%d"),
    }


def first_due_month(entry: AnnualEntry) -> int:
    """The first month ENTRY owes a report for: January for a batch published before the year, the
    month of publication for one published during it (a later batch reports from when it joined the
    list; its first report may carry what it did earlier in the year). 13 means none this year."""
    published_at = entry.batch.published_at if entry.batch_id else None
    if published_at is None:
        return 1
    published = timezone.localtime(published_at).date()
    year = entry.annual_list.year
    if published.year < year:
        return 1
    if published.year > year:
        return 13
    return published.month


def published_entries(entries: QuerySet[AnnualEntry]) -> QuerySet[AnnualEntry]:
    return entries.filter(batch__status=Batch.Status.PUBLISHED)


def is_published(entry: AnnualEntry) -> bool:
    return entry.batch_id is not None and entry.batch.status == Batch.Status.PUBLISHED


def is_editable(report: MonthlyReport | None) -> bool:
    return report is None or report.status in EDITABLE


# Derived totals


@dataclass
class Totals:
    month_amount: int
    ytd: int  # 1–M月累计, whole yuan
    since_start: int  # 开工至今累计
    planned: int | None  # the year's plan in force
    total_investment: int

    @property
    def percent_of_plan(self) -> Decimal | None:
        return percent(self.ytd, self.planned)

    @property
    def percent_of_total(self) -> Decimal | None:
        return percent(self.since_start, self.total_investment)


def counted_amounts(entry: AnnualEntry, *, exclude_month: int | None = None) -> dict[int, int]:
    """{month: amount} of ENTRY's reports that count, in one query."""
    rows = MonthlyReport.objects.filter(entry=entry, status__in=COUNTED).order_by()
    if exclude_month is not None:
        rows = rows.exclude(month=exclude_month)
    return dict(rows.values_list("month", "amount"))


def running_totals(amounts: dict[int, int]) -> dict[int, int]:
    """Year-to-date total at the end of every month 1–12."""
    result, total = {}, 0
    for month in range(1, 13):
        total += amounts.get(month, 0)
        result[month] = total
    return result


def report_totals(entry: AnnualEntry, month: int, *, amount: int | None = None) -> Totals:
    """Totals through MONTH. With AMOUNT: as they would be if this month's report counted with that
    amount (the form's live preview); without: as the reports that count make them now."""
    amounts = counted_amounts(entry, exclude_month=month if amount is not None else None)
    if amount is not None:
        amounts[month] = amount
    ytd = running_totals(amounts)[month]
    return Totals(
        month_amount=amounts.get(month, 0),
        ytd=ytd,
        since_start=(entry.completed_before_year or 0) + ytd,
        planned=entry.planned_investment,
        total_investment=entry.project.total_investment,
    )


def ytd_subquery():
    """Year-to-date total of the report at OuterRef: the counted amounts of its entry through its month."""
    return Subquery(
        MonthlyReport.objects.filter(
            entry_id=OuterRef("entry_id"), month__lte=OuterRef("month"), status__in=COUNTED
        )
        .order_by()
        .values("entry_id")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )


# Pages


def report_history(report: MonthlyReport) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        model=MonthlyReport._meta.label, object_id=str(report.pk)
    ).select_related("user")


def entry_months(entry: AnnualEntry, *, today: dt.date) -> list[dict]:
    """The twelve months of ENTRY: its report (or none), the running totals and whether it is due."""
    reports = {r.month: r for r in entry.reports.order_by("month")}
    running = running_totals({m: r.amount for m, r in reports.items() if r.status in COUNTED})
    locks = set(MonthLock.objects.filter(annual_list=entry.annual_list).values_list("month", flat=True))
    first = first_due_month(entry)
    return [
        {
            "month": m,
            "report": reports.get(m),
            "ytd": running[m],
            "locked": m in locks,
            "begun": month_has_begun(entry.annual_list.year, m, today),
            "due": first <= m and month_has_ended(entry.annual_list.year, m, today),
        }
        for m in range(1, 13)
    ]


@dataclass
class TodoItem:
    entry: AnnualEntry
    month: int
    report: MonthlyReport | None
    deadline: dt.date | None
    left: int | None

    @property
    def returned(self) -> bool:
        return self.report is not None and self.report.status == Status.RETURNED

    @property
    def label(self) -> str:
        return deadline_label(self.left)


def report_todo_for(user, *, today: dt.date) -> dict:
    """What USER (an owner) owes: for each entry it reports for on a published list of this year or
    last, every month that has ended, is not locked and has no report that counts. Returned reports
    first, then the oldest month first. Locked months still owed are counted apart: only the office
    can correct those."""
    # The office may report for owners too, but its to-do is the overview, not every owner's months.
    if user.role != Role.OWNER:
        return {"items": [], "locked_missing": 0}
    lists = {al.pk: al for al in AnnualList.objects.filter(year__in=[today.year - 1, today.year])}
    entries = list(
        published_entries(entries_visible_to(user))
        .filter(annual_list__in=lists)
        .select_related("project", "batch")
        .order_by("project__name", "id")
    )
    for entry in entries:
        entry.annual_list = lists[entry.annual_list_id]
    reports = {
        (r.entry_id, r.month): r
        for r in MonthlyReport.objects.filter(entry__in=[e.pk for e in entries])
        .order_by()
        .only("id", "entry_id", "month", "status", "return_reason", "version", "amount")
    }
    locks = set(MonthLock.objects.filter(annual_list__in=lists).values_list("annual_list_id", "month"))
    deadlines = Deadlines()
    items, locked_missing = [], 0
    for entry in entries:
        al = entry.annual_list
        for month in range(first_due_month(entry), last_ended_month(al.year, today) + 1):
            report = reports.get((entry.pk, month))
            if report is not None and report.status in COUNTED:
                continue
            if (al.pk, month) in locks:
                locked_missing += 1
                continue
            deadline = deadlines.of(al, month)
            items.append(TodoItem(entry, month, report, deadline, deadlines.workdays_left(today, deadline)))
    items.sort(key=lambda i: (not i.returned, i.entry.annual_list.year, i.month, i.entry.project.name))
    return {"items": items, "locked_missing": locked_missing}


QUEUE_STATUSES = {
    "submitted": (Status.SUBMITTED,),
    "approved": (Status.APPROVED,),
    "returned": (Status.RETURNED,),
    "all": (Status.SUBMITTED, Status.APPROVED, Status.RETURNED),
}


def _handed_in_for_review(user) -> QuerySet[MonthlyReport]:
    if not reviews_reports(user):
        return MonthlyReport.objects.none()
    return reports_visible_to(user).filter(status__in=QUEUE_STATUSES["all"])


def month_locked():
    """Whether the month of the report at OuterRef is locked (an annotation: no query per row)."""
    return Exists(
        MonthLock.objects.filter(annual_list_id=OuterRef("entry__annual_list_id"), month=OuterRef("month"))
    )


def review_queue_for(user, *, filters: dict | None = None) -> QuerySet[MonthlyReport]:
    """Reports in USER's review scope, newest month first, each with its year-to-date total (`ytd`) and
    whether its month is locked (`locked`: it may then be approved but not returned). FILTERS: status
    (a key of QUEUE_STATUSES, "submitted" by default), year and month, project (an id), q (the
    project's name or code)."""
    filters = filters or {}
    reports = _handed_in_for_review(user).filter(
        status__in=QUEUE_STATUSES.get(filters.get("status") or "submitted", QUEUE_STATUSES["submitted"])
    )
    if filters.get("year") and filters.get("month"):
        reports = reports.filter(entry__annual_list__year=filters["year"], month=filters["month"])
    if filters.get("project"):
        reports = reports.filter(entry__project_id=filters["project"])
    if q := (filters.get("q") or "").strip():
        reports = reports.filter(Q(entry__project__name__icontains=q) | Q(entry__project__code__icontains=q))
    return (
        reports.select_related(
            "entry__project__owner", "entry__project__district", "entry__annual_list", "submitted_by"
        )
        .annotate(ytd=Coalesce(ytd_subquery(), Value(0)), locked=month_locked())
        .order_by("-entry__annual_list__year", "-month", F("submitted_at").desc(nulls_last=True), "-id")
    )


def review_queue_periods(user) -> list[tuple[int, int]]:
    """The (year, month) pairs USER's review scope has handed-in reports for, newest first."""
    return list(
        _handed_in_for_review(user)
        .values_list("entry__annual_list__year", "month")
        .distinct()
        .order_by("-entry__annual_list__year", "-month")
    )


def reports_for_review(user, ids) -> dict[int, MonthlyReport]:
    """{id: report} of the reports IDS that USER may see (others are left out), for approving."""
    return {
        r.pk: r
        for r in reports_visible_to(user)
        .filter(pk__in=ids)
        .select_related("entry__project", "entry__annual_list")
    }


def review_queue_count(user) -> int:
    return review_queue_for(user).count() if reviews_reports(user) else 0


def _expected_entries(user, annual_list: AnnualList, month: int) -> QuerySet[AnnualEntry]:
    """Entries of ANNUAL_LIST in USER's scope that owe a report for MONTH: on a published batch that was
    published before the month ended."""
    before = local_midnight(next_month_start(annual_list.year, month))
    return published_entries(entries_visible_to(user)).filter(
        Q(batch__published_at__isnull=True) | Q(batch__published_at__lt=before),
        annual_list=annual_list,
    )


def _late_bound(annual_list: AnnualList, month: int, deadlines: Deadlines) -> dt.datetime | None:
    deadline = deadlines.of(annual_list, month)
    return local_midnight(deadline + dt.timedelta(days=1)) if deadline else None


def report_status_by_district(user, *, annual_list: AnnualList, month: int) -> dict:
    """For MONTH, per district in USER's scope: expected (应报), handed in (已报送 = submitted or
    approved), of which approved and awaiting review, returned, missing (未报送: no report, or a draft),
    and late (handed in after the deadline). One grouped query."""
    deadlines = Deadlines()
    late_from = _late_bound(annual_list, month, deadlines)
    counted = Q(this__status__in=COUNTED)
    late = counted & Q(this__submitted_at__gte=late_from) if late_from else Q(pk__in=[])
    rows = list(
        _expected_entries(user, annual_list, month)
        .annotate(this=FilteredRelation("reports", condition=Q(reports__month=month)))
        .values("project__district_id", "project__district__name")
        .annotate(
            expected=Count("id"),
            handed_in=Count("id", filter=counted),
            approved=Count("id", filter=Q(this__status=Status.APPROVED)),
            awaiting=Count("id", filter=Q(this__status=Status.SUBMITTED)),
            returned=Count("id", filter=Q(this__status=Status.RETURNED)),
            late=Count("id", filter=late),
        )
        .order_by("project__district__name")
    )
    totals = dict.fromkeys(
        ["expected", "handed_in", "approved", "awaiting", "returned", "late", "missing"], 0
    )
    for r in rows:
        r["district_id"] = r.pop("project__district_id")
        r["district"] = r.pop("project__district__name")
        r["missing"] = r["expected"] - r["handed_in"] - r["returned"]
        r["rate"] = percent(r["handed_in"], r["expected"])
        for key in totals:
            totals[key] += r[key]
    totals["rate"] = percent(totals["handed_in"], totals["expected"])
    return {"rows": rows, "totals": totals, "deadline": deadlines.of(annual_list, month)}


def report_missing_late(user, *, annual_list: AnnualList, month: int, district_id=None):
    """The entries of MONTH with no report that counts (none, a draft, or returned) or handed in late,
    each annotated with `state` ("missing", "returned", "late") and the report's submitted_at."""
    late_from = _late_bound(annual_list, month, Deadlines())
    entries = _expected_entries(user, annual_list, month).annotate(
        this=FilteredRelation("reports", condition=Q(reports__month=month)),
        report_status=F("this__status"),
        report_id=F("this__id"),
        report_submitted_at=F("this__submitted_at"),
    )
    if district_id:
        entries = entries.filter(project__district_id=district_id)
    not_in = ~Q(this__status__in=COUNTED) | Q(this__status__isnull=True)
    condition = not_in
    if late_from:
        condition |= Q(this__status__in=COUNTED, this__submitted_at__gte=late_from)
    return (
        entries.filter(condition)
        .select_related("project__owner", "project__district")
        .order_by("project__district__name", "project__name", "id")
    )


def missing_state(entry) -> str:
    if entry.report_status in COUNTED:
        return "late"
    if entry.report_status == Status.RETURNED:
        return "returned"
    return "missing"


def state_label(state: str) -> str:
    return {"missing": _("未报送"), "returned": _("已退回未重报"), "late": _("逾期报送")}[state]


def month_locks_for(annual_list: AnnualList, *, today: dt.date) -> list[dict]:
    """The twelve months of ANNUAL_LIST: deadline, lock, and whether the office may lock it now."""
    locks = {lock.month: lock for lock in annual_list.locks.select_related("locked_by")}
    deadlines = Deadlines()
    months = []
    for month in range(1, 13):
        ended = month_has_ended(annual_list.year, month, today)
        deadline = deadlines.of(annual_list, month)
        months.append(
            {
                "month": month,
                "deadline": deadline,
                "lock": locks.get(month),
                "ended": ended,
                "overdue": deadline is not None and deadline < today,
            }
        )
    return months
