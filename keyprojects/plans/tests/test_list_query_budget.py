"""The annual list and the entry page cost the same number of queries for 20 entries as for 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyprojects.audit.models import AuditEntry
from keyprojects.plans.models import AnnualEntry, Category, PlanChange
from keyprojects.plans.tests.list_support import WAN, make_world
from keyprojects.projects.models import Project
from keyprojects.projects.tests.test_query_budget import add_projects

CEILING = 21  # includes the header's unread-messages count
CATEGORIES = list(Category.values)


@pytest.fixture
def world(cast):
    return make_world(cast)


def add_entries(world, count):
    """COUNT more projects on the 2026 list: all categories, both batches, with departments and leaders."""
    start = Project.objects.count()
    add_projects(world, count)
    projects = Project.objects.order_by("id")[start:]
    entries = [
        AnnualEntry(
            annual_list=world.annual_list,
            batch=world.batch if i % 4 else world.draft,
            project=p,
            category=CATEGORIES[i % 4],
            planned_investment=None if i % 4 == 3 else (i + 1) * 100 * WAN,
            planned_start_month=(i % 12) + 1,
            leader=world.leader if i % 2 else None,
        )
        for i, p in enumerate(projects)
    ]
    AnnualEntry.objects.bulk_create(entries, batch_size=500)
    links = [
        AnnualEntry.departments.through(annualentry_id=e.pk, organisation_id=org.pk)
        for e in AnnualEntry.objects.filter(project__in=projects)
        for org in (world.department, world.other_department)
    ]
    AnnualEntry.departments.through.objects.bulk_create(links)


CASES = [
    ("staff", {}),
    ("staff", {"category": "new_start", "over_yi": "on"}),
    ("staff", {"q": "gdjt", "district": "A", "page": "2"}),
    ("staff", {"department": "D", "leader": "L", "batch": "B"}),
    ("leader", {}),
    ("district", {"sector": "S"}),
    ("department_user", {}),
    ("owner", {}),
]


def _params(world, params):
    ids = {
        "A": world.district_a.pk,
        "S": world.sector.pk,
        "L": world.leader.pk,
        "D": world.department.pk,
        "B": world.batch.pk,
    }
    return {k: ids.get(v, v) for k, v in params.items()}


def _measure(client, world) -> dict:
    counts = {}
    for username, params in CASES:
        client.force_login(getattr(world, username))
        for htmx in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("annual_list"), _params(world, params), **headers)
            assert response.status_code == 200
            assert not response.context["form"].errors
            assert response.context["page"].object_list, (username, params)  # the row query ran
            counts[(username, tuple(params), htmx)] = len(queries)
    return counts


def test_it_lists_20_and_500_entries_with_the_same_queries(client, world):
    add_entries(world, 40)
    few = _measure(client, world)

    add_entries(world, 480)
    assert AnnualEntry.objects.count() > 500
    many = _measure(client, world)

    assert many == few
    print("annual_list queries:", sorted(set(many.values())))
    assert max(many.values()) <= CEILING, many


def test_it_shows_an_entry_with_the_same_queries_whatever_its_history(client, world):
    def measure():
        client.force_login(world.staff)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("entry_detail", args=[world.entry_a.pk])).status_code == 200
        return len(queries)

    few = measure()
    now = timezone.now()
    PlanChange.objects.bulk_create(
        PlanChange(
            entry=world.entry_a,
            old_amount=i,
            new_amount=i + 1,
            reason="调整",
            requested_by=world.owner,
            status=PlanChange.Status.REJECTED,
            decided_by=world.staff,
            decided_at=now,
        )
        for i in range(60)
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            user=world.staff,
            action="update",
            model="plans.AnnualEntry",
            object_id=str(world.entry_a.pk),
            object_repr="x",
            changes={"备注": ["", str(i)]},
        )
        for i in range(60)
    )
    world.entry_a.departments.add(world.other_department)

    print("entry_detail queries:", few)
    assert measure() == few <= CEILING
