"""Reads for leaders: "我联系的项目" (a leader's projects with their warnings, problems and progress),
the 超亿元 projects' liaison and service coverage, and service visits through the scoping gate.

A leader's projects: those whose Project.leader is the leader, those linked to the leader (LeaderLink
to the project), and those owned by a key enterprise linked to the leader.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.coordination.models import LeaderLink, Problem, ServiceVisit
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.orgs.models import User
from keyprojects.orgs.selectors import entries_visible_to, projects_visible_to
from keyprojects.projects.models import Project

WARNING_LEVELS = ("yellow", "red")


def percent(numerator, denominator) -> Decimal | None:
    """NUMERATOR ÷ DENOMINATOR in per cent, one decimal place (half up); None without a base."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def require_leader_pages(user):
    """Leader pages are for the office and the leaders (403 for anyone else)."""
    if not user.sees_everything:
        raise PermissionDenied(_("领导联系页面仅供重点办和市领导查看。"))


def get_leader(pk) -> User:
    leader = User.objects.filter(pk=pk, role=User.Role.LEADER).first()
    if leader is None:
        raise Http404(_("市领导不存在。"))
    return leader


def current_period(today: dt.date | None = None) -> tuple[int, int]:
    from keyprojects.plans.completion_selectors import completion_default_period

    return completion_default_period(today=today or timezone.localdate())


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
    from keyprojects.alerts.models import ProjectWarning
    from keyprojects.plans.completion_selectors import ytd_expression
    from keyprojects.plans.models import AnnualEntry, Batch

    year, month = current_period(today)
    linked = (
        Q(leader=leader)
        | Q(id__in=LeaderLink.objects.filter(leader=leader, project__isnull=False).values("project_id"))
        | Q(
            owner_id__in=LeaderLink.objects.filter(leader=leader, enterprise__isnull=False).values(
                "enterprise_id"
            )
        )
    )
    ids = Project.objects.filter(linked).values("id")
    warnings = ProjectWarning.objects.filter(project=OuterRef("pk"))
    open_problems = Problem.objects.filter(project=OuterRef("pk"), status__in=Problem.UNRESOLVED)
    entries = AnnualEntry.objects.filter(
        project=OuterRef("pk"), annual_list__year=year, batch__status=Batch.Status.PUBLISHED
    )
    projects = list(
        Project.objects.filter(id__in=ids)
        .select_related("district", "owner")
        .annotate(
            red=_count(warnings.filter(level="red"), "project"),
            yellow=_count(warnings.filter(level="yellow"), "project"),
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
        ProjectWarning.objects.filter(project_id__in=ids, level__in=WARNING_LEVELS)
        .select_related("project", "rule")
        .annotate(red_first=Case(When(level="red", then=Value(0)), default=Value(1)))
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


def leader_list():
    """Every active leader with how many projects and enterprises they link and visits they led."""
    return (
        User.objects.filter(role=User.Role.LEADER, is_active=True)
        .annotate(
            led_projects=Count("linked_projects", distinct=True),
            links=Count("leader_links", distinct=True),
            visits=Count("service_visits", distinct=True),
        )
        .order_by("full_name", "username")
    )


def over_yi_entries(*, user, year: int | None = None, missing: str = ""):
    """The year's list entries with an annual plan of at least 1 亿元 that USER may see, each with
    `has_leader` (a liaison leader on the project or entry, or a link to it or its owner) and `visits`
    (service visits to the project or its owner). MISSING "leader" / "visit" / "any" keeps the
    uncovered ones."""
    from keyprojects.plans.models import Batch

    year = year or current_period()[0]
    project_links = LeaderLink.objects.filter(project=OuterRef("project_id"))
    owner_links = LeaderLink.objects.filter(enterprise=OuterRef("project__owner_id"))
    visits = ServiceVisit.objects.filter(
        Q(project=OuterRef("project_id")) | Q(enterprise=OuterRef("project__owner_id"))
    )
    entries = (
        entries_visible_to(user)
        .filter(
            annual_list__year=year, batch__status=Batch.Status.PUBLISHED, planned_investment__gte=YUAN_PER_YI
        )
        .select_related("project__district", "project__owner", "project__leader", "leader")
        .annotate(
            linked=ExpressionWrapper(
                Exists(project_links) | Exists(owner_links), output_field=BooleanField()
            ),
            has_visit=Exists(visits),
            last_visit=Subquery(visits.order_by("-date").values("date")[:1]),
        )
        .order_by("-planned_investment", "id")
    )
    no_leader = Q(project__leader__isnull=True, leader__isnull=True, linked=False)
    if missing == "leader":
        entries = entries.filter(no_leader)
    elif missing == "visit":
        entries = entries.filter(has_visit=False)
    elif missing == "any":
        entries = entries.filter(no_leader | Q(has_visit=False))
    return entries


def visits_visible_to(user):
    """Visits USER may see: all for the office and leaders; else visits to projects in USER's scope or to
    USER's own enterprise."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return ServiceVisit.objects.none()
    if user.sees_everything:
        return ServiceVisit.objects.all()
    return ServiceVisit.objects.filter(
        Q(project__in=projects_visible_to(user)) | Q(enterprise_id=user.organisation_id)
    )


def get_visit_for_user(user, pk) -> ServiceVisit:
    visit = (
        visits_visible_to(user)
        .select_related("project", "enterprise", "leader", "created_by")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404(_("服务记录不存在或您无权查看。"))
    return visit
