"""Reads for leaders: the list of leaders, the 超亿元 projects' liaison and service coverage, and
service visits through the access gate (coordination.access). A leader's own page, which shows
warnings too, is read in dashboard.selectors.leader_projects.
"""

import datetime as dt

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.coordination.models import LeaderLink, ServiceVisit
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.orgs.models import User
from keyprojects.plans.access import entries_visible_to
from keyprojects.plans.completion_selectors import completion_years
from keyprojects.plans.models import Batch
from keyprojects.plans.selectors import default_period
from keyprojects.projects.models import Project


def get_leader(pk) -> User:
    leader = User.objects.filter(pk=pk, role=User.Role.LEADER).first()
    if leader is None:
        raise Http404(_("市领导不存在。"))
    return leader


def leader_project_ids(leader_id):
    """The ids of a leader's projects (a subquery): those whose liaison leader the leader is, those
    linked to the leader, and those owned by a key enterprise linked to the leader. The leader's page,
    the home page and the problem ledger's filter all count these."""
    links = LeaderLink.objects.filter(leader_id=leader_id)
    return Project.objects.filter(
        Q(leader_id=leader_id)
        | Q(id__in=links.filter(project__isnull=False).values("project_id"))
        | Q(owner_id__in=links.filter(enterprise__isnull=False).values("enterprise_id"))
    ).values("id")


def current_period(today: dt.date | None = None) -> tuple[int, int]:
    """The period the leader pages open on: the completion pages' (plans.selectors.default_period)."""
    return default_period(today, years=completion_years())


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
