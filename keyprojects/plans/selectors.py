"""Reads of the annual list, batches, intake proposals and plan changes.

Every read starts from the access gates (keyprojects.plans.access), which also hold this area's own
rule: the official list is the entries of PUBLISHED batches. An entry in a draft batch (or in none yet)
is the office's work in progress, so only office staff see it; the same goes for its plan changes.
Monthly reports and completion (report_selectors.is_published, completion_selectors) count the same way.
"""

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.dates import previous_month
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.lib.text import search_term
from keyprojects.plans.access import (
    batches_visible_to,
    entries_visible_to,
    plan_changes_visible_to,
    proposals_visible_to,
)
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, PlanChange, Proposal
from keyprojects.projects.access import projects_visible_to

# The order the office's tables use: 新开工, 续建, 竣工投产, 预备 (not the alphabetical order of the codes).
CATEGORY_ORDER = Case(
    *[When(category=c, then=Value(i)) for i, c in enumerate(Category.values)],
    default=Value(len(Category.values)),
    output_field=IntegerField(),
)


def default_year() -> int:
    return timezone.localdate().year


def annual_list_years() -> list[int]:
    """Years with a list, plus the current one, newest first (the year picker)."""
    years = set(AnnualList.objects.values_list("year", flat=True)) | {default_year()}
    return sorted(years, reverse=True)


def annual_list_of(year: int, *, fallback: str = "") -> AnnualList | None:
    """The list of YEAR, the one place that decides it. When YEAR has none: None; with FALLBACK
    "earlier", the latest list before YEAR (an overview opening in a new year before its list exists);
    with "latest", the newest list of any year (the month locks page)."""
    annual_list = AnnualList.objects.filter(year=year).first()
    if annual_list is not None or not fallback:
        return annual_list
    if fallback == "earlier":
        return AnnualList.objects.filter(year__lte=year).order_by("-year").first()
    if fallback == "latest":
        return AnnualList.objects.order_by("-year").first()
    raise ValueError(f"unknown fallback {fallback!r}")


def default_period(today: dt.date | None = None, *, years: list[int] | None = None) -> tuple[int, int]:
    """(year, month) a page opens on: the last month that has ended (its reports are due). Given YEARS,
    the years that have a list, a month of a year without one gives way to December of the latest
    earlier list, or of the earliest list when all lie ahead (the completion pages)."""
    year, month = previous_month(today or timezone.localdate())
    if not years or year in years:
        return year, month
    earlier = [y for y in years if y < year]
    return (max(earlier) if earlier else min(years)), 12


def batches_for(user, annual_list: AnnualList | None) -> QuerySet[Batch]:
    """The batches of ANNUAL_LIST USER may pick in a filter: all for the office, published for others."""
    if annual_list is None:
        return Batch.objects.none()
    return batches_visible_to(user).filter(annual_list=annual_list)


def draft_batches(annual_list: AnnualList | None) -> QuerySet[Batch]:
    if annual_list is None:
        return Batch.objects.none()
    return annual_list.batches.filter(status=Batch.Status.DRAFT)


def batch_summaries(annual_list: AnnualList | None) -> list[Batch]:
    """The office's view of a year's batches: each with its number of entries and planned total."""
    if annual_list is None:
        return []
    return list(
        annual_list.batches.select_related("published_by").annotate(
            entry_count=Count("entries"), planned=Sum("entries__planned_investment")
        )
    )


def pending_counts() -> dict:
    """What waits for the office: submitted proposals and plan changes to decide."""
    return {
        "proposals": Proposal.objects.filter(status=Proposal.Status.SUBMITTED).count(),
        "plan_changes": PlanChange.objects.filter(status=PlanChange.Status.PENDING).count(),
    }


def entry_list(*, user, annual_list: AnnualList | None, filters: dict | None = None) -> QuerySet[AnnualEntry]:
    """The entries of ANNUAL_LIST that USER may see, narrowed by FILTERS (cleaned AnnualFilterForm
    values), in the office's order: by category, then the largest plan first."""
    if annual_list is None:
        return AnnualEntry.objects.none()
    filters = filters or {}
    entries = entries_visible_to(user).filter(annual_list=annual_list)
    if filters.get("category"):
        entries = entries.filter(category=filters["category"])
    if filters.get("district"):
        entries = entries.filter(project__district=filters["district"])
    if filters.get("sector"):
        entries = entries.filter(project__sector=filters["sector"])
    if filters.get("department"):
        entries = entries.filter(departments=filters["department"])
    if filters.get("leader"):
        entries = entries.filter(leader=filters["leader"])
    if filters.get("batch"):
        entries = entries.filter(batch=filters["batch"])
    if filters.get("over_yi"):
        entries = entries.filter(planned_investment__gte=YUAN_PER_YI)
    if filters.get("q"):
        entries = entries.filter(project__search_text__contains=search_term(filters["q"]))
    return entries.annotate(category_order=CATEGORY_ORDER).order_by(
        "category_order", "-planned_investment", "id"
    )


def entry_rows(entries: QuerySet[AnnualEntry]) -> QuerySet[AnnualEntry]:
    """ENTRIES with what a table row shows, in a fixed number of queries whatever their number."""
    return entries.select_related(
        "project__owner", "project__district", "project__sector", "leader", "batch"
    ).prefetch_related("departments")


def entry_totals(entries: QuerySet[AnnualEntry]) -> dict:
    """Count and planned investment (whole yuan) by category, in the office's order, and the total."""
    rows = {
        r["category"]: r
        for r in entries.order_by()
        .values("category")
        .annotate(count=Count("id"), planned=Sum("planned_investment"))
    }
    by_category = [
        {
            "category": c.value,
            "label": c.label,
            "count": rows.get(c.value, {}).get("count", 0),
            "planned": rows.get(c.value, {}).get("planned") or 0,
        }
        for c in Category
    ]
    return {
        "by_category": by_category,
        "count": sum(r["count"] for r in by_category),
        "planned": sum(r["planned"] for r in by_category),
    }


def entry_month_rows(entry: AnnualEntry) -> list[dict]:
    """The twelve months of the planned curve: each month's plan, the running total and its share."""
    total = entry.planned_investment or 0
    rows, previous = [], 0
    for month in range(1, 13):
        through = entry.planned_through(month)
        rows.append(
            {
                "month": month,
                "amount": through - previous,
                "through": through,
                "percent": round(through * 100 / total, 1) if total else None,
            }
        )
        previous = through
    return rows


def entry_history(entry: AnnualEntry) -> QuerySet[AuditEntry]:
    """The audit history of ENTRY and of its plan changes, newest first."""
    change_ids = [str(pk) for pk in entry.plan_changes.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(model="plans.AnnualEntry", object_id=str(entry.pk))
        | Q(model="plans.PlanChange", object_id__in=change_ids)
        | Q(model="plans.Proposal", object_id__in=_proposal_ids(entry))
    ).select_related("user")


def _proposal_ids(entry) -> list[str]:
    return [str(pk) for pk in Proposal.objects.filter(entry=entry).values_list("pk", flat=True)]


def projects_to_list(user, annual_list: AnnualList) -> QuerySet:
    """Projects USER may see that are not on ANNUAL_LIST yet (the choices when adding one)."""
    return projects_visible_to(user).exclude(annual_entries__annual_list=annual_list)


# Intake proposals and plan changes follow their project's and entry's scope (plans.access).


def proposal_list(*, user, status: str = "", year: int | None = None) -> QuerySet[Proposal]:
    proposals = proposals_visible_to(user)
    if status:
        proposals = proposals.filter(status=status)
    if year:
        proposals = proposals.filter(year=year)
    # What needs the reader's attention first: the office reviews submissions, proposers fix returns.
    first = Proposal.Status.SUBMITTED if user.is_office else Proposal.Status.RETURNED
    return (
        proposals.annotate(attention=Case(When(status=first, then=Value(0)), default=Value(1)))
        .select_related("project__owner", "project__district", "proposed_by")
        .order_by("attention", "-submitted_at", "-created_at", "-id")
    )


def proposal_counts(proposals: QuerySet[Proposal]) -> dict:
    return dict(proposals.order_by().values_list("status").annotate(n=Count("id")))


def plan_change_list(*, user, status: str = "") -> QuerySet[PlanChange]:
    changes = plan_changes_visible_to(user)
    if status:
        changes = changes.filter(status=status)
    return (
        changes.annotate(
            pending=Case(When(status=PlanChange.Status.PENDING, then=Value(0)), default=Value(1))
        )
        .select_related("entry__project", "entry__annual_list", "requested_by", "decided_by")
        .order_by("pending", "-requested_at", "-id")
    )
