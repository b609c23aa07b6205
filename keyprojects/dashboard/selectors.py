"""Reads of the cockpit (驾驶舱) and the project map (一张图).

Every figure is an SQL aggregate over the access gates' querysets (projects_visible_to,
entries_visible_to, reports_visible_to, problems_visible_to, warnings_visible_to), grouped in the
database: the cockpit runs the same number of queries for ten projects as for twenty thousand. The
investment figures are the completion page's own (keyprojects.plans.completion_selectors), so the two
pages never disagree.

Definitions beyond the completion page's (shown on the page too):
- 资金到位率: funds secured ÷ funds needed (要素保障, kind 资金) of the projects on the year's list.
- 按期竣工率: 竣工投产 entries whose project was completed by the end of its planned completion month ÷
  those planned to complete in months 1..M (no planned month counts as December).
- Problems: unresolved (待交办、办理中) by level; 超时 exactly as the problem ledger's filter counts it
  (coordination.selectors.overdue_q: in hand, the level's deadline before today); 待交办超时 as the
  ledger's (assign_overdue_q: not assigned within the office's own limit, a warning, never escalated).
- Warnings: the current red and yellow lights on the projects in scope.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from keyprojects.alerts.access import warnings_visible_to
from keyprojects.alerts.models import Level, ProjectWarning
from keyprojects.coordination.access import problems_visible_to
from keyprojects.coordination.leader_selectors import current_period, leader_project_ids
from keyprojects.coordination.models import LeaderLink, Problem, ServiceVisit
from keyprojects.coordination.selectors import assign_overdue_q, overdue_q
from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.lib.dates import month_end
from keyprojects.lib.numbers import percent
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.access import entries_visible_to, reports_visible_to
from keyprojects.plans.completion_selectors import CompletionRow, completion_breakdown, ytd_expression
from keyprojects.plans.models import AnnualEntry, Batch, Category, MonthlyReport
from keyprojects.projects.access import projects_visible_to
from keyprojects.projects.models import FactorNeed, Project, Stage

FUNNEL = (Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING)
MONEY = BigIntegerField()


@dataclass
class Cockpit:
    year: int
    month: int
    today: dt.date
    total: CompletionRow
    districts: list  # CompletionRow, ranked by completion rate
    sectors: list
    categories: list
    curve: dict
    stages: list
    funds: dict
    completing: dict
    problems: dict
    warnings: dict
    extra: dict = field(default_factory=dict)

    @property
    def projects(self) -> int:
        return sum(s["count"] for s in self.stages)


def _published(entries, year):
    return entries.filter(annual_list__year=year, batch__status=Batch.Status.PUBLISHED).order_by()


def cockpit_curve(*, user, year: int, month: int) -> dict:
    """Cumulative investment by month (whole yuan): this year through MONTH, the plan through each month
    (monthly curve where set, else plan × m ÷ 12), and last year's list over the whole year. Two queries."""
    reports = (
        reports_visible_to(user)
        .filter(
            Q(entry__annual_list__year=year, month__lte=month) | Q(entry__annual_list__year=year - 1),
            entry__batch__status=Batch.Status.PUBLISHED,
            status__in=MonthlyReport.COUNTED,
        )
        .exclude(entry__category=Category.PREPARATORY)
        .order_by()
        .values("entry__annual_list__year", "month")
        .annotate(amount=Sum("amount", output_field=MONEY))
    )
    amounts = {(r["entry__annual_list__year"], r["month"]): int(r["amount"] or 0) for r in reports}
    # The plan due by month m, as completion's plan_through_expression sums it, built from 24 small sums
    # rather than twelve expressions of up to twelve JSON reads each (Django takes longer to build
    # those than the database to run them): plans services keep a curve either absent or twelve whole
    # amounts, so an entry with a curve contributes its first m elements, one without plan × m ÷ 12.
    with_plan = _published(entries_visible_to(user), year).exclude(category=Category.PREPARATORY)
    curve = Q(monthly_plan__isnull=False)
    sums = with_plan.aggregate(
        **{
            f"c{i}": Sum(Cast(KT(f"monthly_plan__{i}"), MONEY), filter=curve, output_field=MONEY)
            for i in range(12)
        },
        **{
            f"e{m}": Sum(F("planned_investment") * m / 12, filter=~curve, output_field=MONEY)
            for m in range(1, 13)
        },
    )
    plan, due = [], 0
    for m in range(1, 13):
        due += int(sums[f"c{m - 1}"] or 0)
        plan.append(due + int(sums[f"e{m}"] or 0))

    def cumulative(y, through):
        total, out = 0, []
        for m in range(1, through + 1):
            total += amounts.get((y, m), 0)
            out.append(total)
        return out

    return {
        "this_year": cumulative(year, month),
        "last_year": cumulative(year - 1, 12),
        "plan": plan,
    }


@dataclass
class Share:
    """One slice of the sector or category shares: entries on the year's list and their plan."""

    key: object
    label: str
    entries: int = 0
    plan: int = 0
    sort: tuple = ()


def cockpit_shares(*, user, year: int) -> tuple[list[Share], list[Share]]:
    """The year's entries in scope and their annual plan by sector and by category, in the office's
    order (one query grouped by both; 预备 entries count, without a plan)."""
    rows = (
        _published(entries_visible_to(user), year)
        .values("category", "project__sector_id", "project__sector__name", "project__sector__sort")
        .annotate(
            n=Count("id"),
            plan=Sum("planned_investment", filter=~Q(category=Category.PREPARATORY), output_field=MONEY),
        )
    )
    sectors, categories = {}, {}
    order = list(Category.values)
    for r in rows:
        sector = sectors.setdefault(
            r["project__sector_id"],
            Share(
                r["project__sector_id"],
                r["project__sector__name"],
                sort=(r["project__sector__sort"], r["project__sector__name"]),
            ),
        )
        category = categories.setdefault(
            r["category"],
            Share(r["category"], str(Category(r["category"]).label), sort=(order.index(r["category"]),)),
        )
        for share in (sector, category):
            share.entries += r["n"]
            share.plan += int(r["plan"] or 0)
    return sorted(sectors.values(), key=lambda s: s.sort), sorted(categories.values(), key=lambda s: s.sort)


def cockpit_stages(*, user) -> list[dict]:
    """Projects in scope by lifecycle stage, every stage listed in lifecycle order (one query)."""
    counts = dict(
        projects_visible_to(user).order_by().values("stage").annotate(n=Count("id")).values_list("stage", "n")
    )
    return [{"stage": s.value, "label": str(s.label), "count": counts.get(s.value, 0)} for s in Stage]


def cockpit_funds(*, user, year: int) -> dict:
    """资金到位率 over the funds needs of the projects on YEAR's list in scope (one query)."""
    projects = _published(entries_visible_to(user), year).values("project_id")
    sums = FactorNeed.objects.filter(
        kind=FactorNeed.Kind.FUNDS, project_id__in=projects, need_yuan__isnull=False
    ).aggregate(
        need=Coalesce(Sum("need_yuan"), Value(0), output_field=MONEY),
        secured=Coalesce(Sum("secured_yuan"), Value(0), output_field=MONEY),
        projects=Count("project_id", distinct=True),
    )
    return {**sums, "rate": percent(sums["secured"], sums["need"])}


def cockpit_completing(*, user, year: int, month: int) -> dict:
    """按期竣工率 of YEAR's 竣工投产 entries through MONTH (one query)."""
    due_month = Coalesce("planned_completion_month", Value(12))
    entries = (
        _published(entries_visible_to(user), year)
        .filter(category=Category.COMPLETING)
        .alias(due_month=due_month)
    )
    done_in_time = Q(project__completion_date__lt=dt.date(year, 1, 1)) | Q(
        project__completion_date__year=year, project__completion_date__month__lte=due_month
    )
    due = Q(due_month__lte=month)
    sums = entries.aggregate(
        entries=Count("id"),
        due=Count("id", filter=due),
        on_time=Count("id", filter=due & done_in_time),
        completed=Count("id", filter=Q(project__completion_date__lte=month_end(year, month))),
    )
    return {**sums, "rate": percent(sums["on_time"], sums["due"])}


def cockpit_problems(*, user, today: dt.date) -> dict:
    """Unresolved problems in scope by category and level, with the overdue ones and those waiting past
    the office's assignment limit, counted as the problem ledger counts them (one query)."""
    rows = (
        problems_visible_to(user)
        .filter(status__in=Problem.UNRESOLVED)
        .order_by()
        .values("category", "level")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=overdue_q(today)),
            waiting=Count("id", filter=Q(status=Problem.Status.OPEN)),
            assign_overdue=Count("id", filter=assign_overdue_q(today)),
        )
    )
    by_level, by_category = {}, {c.value: {} for c in Problem.Category}
    waiting = assign_overdue = 0
    for r in rows:
        level = by_level.setdefault(r["level"], {"level": r["level"], "open": 0, "overdue": 0})
        level["open"] += r["n"]
        level["overdue"] += r["overdue"]
        waiting += r["waiting"]
        assign_overdue += r["assign_overdue"]
        by_category.setdefault(r["category"], {})[r["level"]] = r["n"]
    levels = sorted({*by_level, 1, 2, 3, 4})
    return {
        "levels": levels,
        "by_level": [by_level.get(lv, {"level": lv, "open": 0, "overdue": 0}) for lv in levels],
        "by_category": [
            {
                "category": c,
                "label": str(Problem.Category(c).label) if c in Problem.Category.values else c,
                "levels": [counts.get(lv, 0) for lv in levels],
                "open": sum(counts.values()),
            }
            for c, counts in by_category.items()
        ],
        "open": sum(v["open"] for v in by_level.values()),
        "overdue": sum(v["overdue"] for v in by_level.values()),
        "waiting": waiting,  # 待交办
        "assign_overdue": assign_overdue,  # 待交办超时
    }


def cockpit_warnings(*, user) -> dict:
    """Red and yellow lights on the projects in scope, and how many projects carry each (one query)."""
    sums = (
        warnings_visible_to(user)
        .filter(level__in=(Level.RED, Level.YELLOW))
        .aggregate(
            red=Count("id", filter=Q(level=Level.RED)),
            yellow=Count("id", filter=Q(level=Level.YELLOW)),
            red_projects=Count("project_id", filter=Q(level=Level.RED), distinct=True),
            yellow_projects=Count("project_id", filter=Q(level=Level.YELLOW), distinct=True),
        )
    )
    return sums


def _ranked(rows):
    return sorted(rows, key=lambda r: (r.rate is None, -(r.rate or 0), r.label))


def cockpit(*, user, year: int, month: int, today: dt.date) -> Cockpit:
    """Everything the cockpit shows for USER's scope, for YEAR through MONTH: a fixed nine queries."""
    districts, total = completion_breakdown(user=user, year=year, month=month, by="district")
    sectors, categories = cockpit_shares(user=user, year=year)
    return Cockpit(
        year=year,
        month=month,
        today=today,
        total=total,
        districts=_ranked(districts),
        sectors=sectors,
        categories=categories,
        curve=cockpit_curve(user=user, year=year, month=month),
        stages=cockpit_stages(user=user),
        funds=cockpit_funds(user=user, year=year),
        completing=cockpit_completing(user=user, year=year, month=month),
        problems=cockpit_problems(user=user, today=today),
        warnings=cockpit_warnings(user=user),
    )


# --------------------------------------------------------------------------------------------------
# The map
# --------------------------------------------------------------------------------------------------


def map_points(*, user) -> list[list]:
    """Located projects in scope as [lng, lat, stage, warning, id, name, district] — warning "red",
    "yellow" or "" — in one query."""
    warnings = ProjectWarning.objects.filter(project=OuterRef("pk"))
    rows = (
        projects_visible_to(user)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(
            red=Exists(warnings.filter(level=Level.RED)),
            yellow=Exists(warnings.filter(level=Level.YELLOW)),
        )
        .order_by("id")
        .values_list(
            "longitude",
            "latitude",
            "stage",
            "red",
            "yellow",
            "id",
            "name",
            "district__short_name",
            "district__name",
        )
    )
    return [
        [
            float(lng),
            float(lat),
            stage,
            "red" if red else ("yellow" if yellow else ""),
            pk,
            name,
            short or full,
        ]
        for lng, lat, stage, red, yellow, pk, name, short, full in rows
    ]


def map_boundaries() -> dict:
    """Every uploaded district boundary as one FeatureCollection for echarts.registerMap (one query).
    Boundaries are public geography: everyone sees all of them, only the points are scoped."""
    features = []
    for geojson in DistrictBoundary.objects.order_by("organisation__sort", "organisation__name").values_list(
        "geojson", flat=True
    ):
        features.extend(geojson.get("features", []))
    return {"type": "FeatureCollection", "features": features}


def boundary_rows() -> list[dict]:
    """Each active district with its boundary, if uploaded (one query)."""
    boundaries = DistrictBoundary.objects.filter(organisation=OuterRef("pk"))
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.DISTRICT, is_active=True)
        .annotate(
            boundary_id=boundaries.values("id")[:1],
            vertices=boundaries.values("vertices")[:1],
            uploaded_at=boundaries.values("uploaded_at")[:1],
            original_name=boundaries.values("original_name")[:1],
        )
        .order_by("sort", "name")
    )


def _count(queryset, field="pk"):
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def leader_projects(*, leader: User, today: dt.date | None = None) -> dict:
    """LEADER's projects with red and yellow warning counts, open problem counts and year-to-date
    completion; their current warnings and open problems; LEADER's recent visits. A fixed number of
    queries, whatever the number of projects."""
    year, month = current_period(today)
    ids = leader_project_ids(leader.pk)
    warnings = ProjectWarning.objects.filter(project=OuterRef("pk"))
    open_problems = Problem.objects.filter(project=OuterRef("pk"), status__in=Problem.UNRESOLVED)
    entries = AnnualEntry.objects.filter(
        project=OuterRef("pk"), annual_list__year=year, batch__status=Batch.Status.PUBLISHED
    )
    projects = list(
        Project.objects.filter(id__in=ids)
        .select_related("district", "owner")
        .annotate(
            red=_count(warnings.filter(level=Level.RED), "project"),
            yellow=_count(warnings.filter(level=Level.YELLOW), "project"),
            open_problems=_count(open_problems, "project"),
            plan=Subquery(entries.values("planned_investment")[:1], output_field=BigIntegerField()),
            ytd=Subquery(
                entries.annotate(done=ytd_expression(month)).values("done")[:1],
                output_field=BigIntegerField(),
            ),
            visits=_count(ServiceVisit.objects.filter(project=OuterRef("pk")), "project"),
        )
        .order_by("-red", "-yellow", "-open_problems", "name")
    )
    for p in projects:
        p.rate = percent(p.ytd or 0, p.plan)
    warning_rows = list(
        ProjectWarning.objects.filter(project_id__in=ids, level__in=(Level.YELLOW, Level.RED))
        .select_related("project", "rule")
        .annotate(red_first=Case(When(level=Level.RED, then=Value(0)), default=Value(1)))
        .order_by("red_first", "-level_since")[:50]
    )
    problem_rows = list(
        Problem.objects.filter(project_id__in=ids, status__in=Problem.UNRESOLVED)
        .select_related("project", "lead_unit")
        .order_by("-level", "level_deadline")[:50]
    )
    visits = list(
        ServiceVisit.objects.filter(Q(leader=leader) | Q(project_id__in=ids))
        .select_related("project", "enterprise", "leader")
        .order_by("-date", "-id")[:10]
    )
    enterprises = list(
        LeaderLink.objects.filter(leader=leader, enterprise__isnull=False).select_related("enterprise")
    )
    return {
        "year": year,
        "month": month,
        "projects": projects,
        "warnings": warning_rows,
        "problems": problem_rows,
        "visits": visits,
        "enterprises": enterprises,
        "totals": {
            "projects": len(projects),
            "red": sum(p.red for p in projects),
            "yellow": sum(p.yellow for p in projects),
            "open_problems": sum(p.open_problems for p in projects),
            "plan": sum(p.plan or 0 for p in projects),
            "ytd": sum(p.ytd or 0 for p in projects),
        },
    }
