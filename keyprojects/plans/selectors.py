"""Reads of the annual list, batches, intake proposals and plan changes.

Every read starts from the scoping gate (keyprojects.orgs.selectors). On top of it, one rule of this
area: the official list is the entries of PUBLISHED batches. An entry in a draft batch (or in none yet)
is the office's work in progress, so only office staff see it; the same goes for its plan changes.
Monthly reports and completion (report_selectors.is_published, completion_selectors) count the same way.
"""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.lib.text import search_term
from keyprojects.orgs.selectors import entries_visible_to, projects_visible_to
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, PlanChange, Proposal

OFFICIAL = Q(batch__status=Batch.Status.PUBLISHED)
# The order the office's tables use: 新开工, 续建, 竣工投产, 预备 (not the alphabetical order of the codes).
CATEGORY_ORDER = Case(
    *[When(category=c, then=Value(i)) for i, c in enumerate(Category.values)],
    default=Value(len(Category.values)),
    output_field=IntegerField(),
)


def _is_office(user) -> bool:
    return getattr(user, "is_office", False)


def entries_for(user) -> QuerySet[AnnualEntry]:
    """Entries USER may see: the gate's, minus draft batches for anyone but the office."""
    entries = entries_visible_to(user)
    if not _is_office(user):
        entries = entries.filter(OFFICIAL)
    return entries


def get_entry(user, pk) -> AnnualEntry:
    """The entry PK with what its page shows, if USER may see it (else 404)."""
    entry = (
        entries_for(user)
        .select_related(
            "project__owner",
            "project__district",
            "project__sector",
            "annual_list",
            "batch",
            "leader",
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404(_("清单项目不存在或您无权查看。"))
    return entry


def default_year() -> int:
    return timezone.localdate().year


def annual_list_years() -> list[int]:
    """Years with a list, plus the current one, newest first (the year picker)."""
    years = set(AnnualList.objects.values_list("year", flat=True)) | {default_year()}
    return sorted(years, reverse=True)


def batches_for(user, annual_list: AnnualList | None) -> QuerySet[Batch]:
    """The batches of ANNUAL_LIST USER may pick in a filter: all for the office, published for others."""
    if annual_list is None:
        return Batch.objects.none()
    batches = annual_list.batches.all()
    if not _is_office(user):
        batches = batches.filter(status=Batch.Status.PUBLISHED)
    return batches


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
    entries = entries_for(user).filter(annual_list=annual_list)
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


# Intake proposals and plan changes follow their project's and entry's scope.


def proposals_visible_to(user) -> QuerySet[Proposal]:
    return Proposal.objects.filter(project__in=projects_visible_to(user))


def get_proposal(user, pk) -> Proposal:
    proposal = (
        proposals_visible_to(user)
        .select_related(
            "project__owner", "project__district", "proposed_by", "reviewed_by", "entry__annual_list"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404(_("项目申报不存在或您无权查看。"))
    return proposal


def proposal_list(*, user, status: str = "", year: int | None = None) -> QuerySet[Proposal]:
    proposals = proposals_visible_to(user)
    if status:
        proposals = proposals.filter(status=status)
    if year:
        proposals = proposals.filter(year=year)
    # What needs the reader's attention first: the office reviews submissions, proposers fix returns.
    first = Proposal.Status.SUBMITTED if _is_office(user) else Proposal.Status.RETURNED
    return (
        proposals.annotate(attention=Case(When(status=first, then=Value(0)), default=Value(1)))
        .select_related("project__owner", "project__district", "proposed_by")
        .order_by("attention", "-submitted_at", "-created_at", "-id")
    )


def proposal_counts(proposals: QuerySet[Proposal]) -> dict:
    return dict(proposals.order_by().values_list("status").annotate(n=Count("id")))


def plan_changes_visible_to(user) -> QuerySet[PlanChange]:
    return PlanChange.objects.filter(entry__in=entries_for(user))


def get_plan_change(user, pk) -> PlanChange:
    change = (
        plan_changes_visible_to(user)
        .select_related("entry__project", "entry__annual_list", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if change is None:
        raise Http404(_("计划调整申请不存在或您无权查看。"))
    return change


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
