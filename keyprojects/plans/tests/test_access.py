"""The plans gates (plans.access): which batches, entries, monthly reports, photos, proposals, plan
changes and import jobs each role sees, and who reports and reviews.

The world, on top of the cast (project A in district A, owned by owner A, the department responsible;
project B in district B, owned by owner B), on the 2026 list:
  entry a  project A, in the published first batch
  entry b  project B, in the published first batch
  entry c  project C (district A, owner A, the department responsible), in the second batch, a draft
Each entry has a March report; a draft batch is the office's work in progress.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyprojects.plans.access import (
    batches_visible_to,
    can_report,
    can_review,
    entries_visible_to,
    get_batch_for_user,
    get_entry_for_user,
    get_import_job_for_user,
    get_plan_change_for_user,
    get_proposal_for_user,
    get_report_for_user,
    get_report_photo_for_user,
    import_jobs_visible_to,
    plan_changes_visible_to,
    proposals_visible_to,
    reports_visible_to,
    reviews_reports,
    sees_report_overview,
)
from keyprojects.plans.models import (
    AnnualEntry,
    AnnualList,
    Batch,
    Category,
    ImportJob,
    MonthlyReport,
    PlanChange,
    Proposal,
    ReportPhoto,
)
from keyprojects.test import make_project

WAN = 10_000


@pytest.fixture
def world(cast):
    cast.project_c = make_project(
        name="青秀区智能制造产业园", owner=cast.owner_a, district=cast.district_a, sector=cast.sector
    )
    cast.project_c.departments.add(cast.department)
    annual = AnnualList.objects.create(year=2026, title="2026年重点项目清单")
    cast.published = Batch.objects.create(
        annual_list=annual, number=1, name="第一批", status=Batch.Status.PUBLISHED
    )
    cast.draft = Batch.objects.create(annual_list=annual, number=2, name="第二批")
    cast.entries, cast.reports = {}, {}
    for key, batch in (("a", cast.published), ("b", cast.published), ("c", cast.draft)):
        project = getattr(cast, f"project_{key}")
        entry = AnnualEntry.objects.create(
            annual_list=annual,
            batch=batch,
            project=project,
            category=Category.CONTINUING,
            planned_investment=1000 * WAN,
        )
        entry.departments.set(project.departments.all())
        cast.entries[key] = entry
        cast.reports[key] = MonthlyReport.objects.create(entry=entry, month=3, amount=80 * WAN)
    return cast


def _keys(mapping, queryset):
    names = {obj.pk: key for key, obj in mapping.items()}
    return {names[pk] for pk in queryset.values_list("pk", flat=True)}


# Entries and reports


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"a", "b", "c"}),
        ("staff", {"a", "b", "c"}),
        ("leader", {"a", "b"}),  # sees every project, but not the draft batch
        ("district", {"a"}),
        ("district_b_user", {"b"}),
        ("department_user", {"a"}),
        ("owner", {"a"}),  # C is its project too, but on a draft batch
        ("owner_b_user", {"b"}),
        ("outsider", set()),
    ],
)
def test_it_shows_each_role_its_entries_and_reports_of_published_batches(world, username, expected):
    user = getattr(world, username)
    assert _keys(world.entries, entries_visible_to(user)) == expected
    assert _keys(world.reports, reports_visible_to(user)) == expected


def test_it_shows_a_visitor_no_entry_and_no_report(world):
    assert _keys(world.entries, entries_visible_to(AnonymousUser())) == set()
    assert _keys(world.reports, reports_visible_to(AnonymousUser())) == set()


@pytest.mark.parametrize(
    ("username", "reports_for", "reviews"),
    [
        ("admin", {"a", "b", "c"}, {"a", "b", "c"}),
        ("staff", {"a", "b", "c"}, {"a", "b", "c"}),
        ("leader", set(), set()),
        ("district", set(), {"a", "c"}),  # the projects in district A
        ("district_b_user", set(), {"b"}),
        ("department_user", set(), {"a", "c"}),  # the projects it is responsible for
        ("owner", {"a", "c"}, set()),  # its own projects
        ("owner_b_user", {"b"}, set()),
        ("outsider", set(), set()),
    ],
)
def test_it_lets_owners_report_and_districts_and_departments_review(world, username, reports_for, reviews):
    user = getattr(world, username)
    projects = {k: getattr(world, f"project_{k}") for k in "abc"}
    assert {k for k, p in projects.items() if can_report(user, p)} == reports_for
    assert {k for k, p in projects.items() if can_review(user, p)} == reviews


@pytest.mark.parametrize(
    ("username", "queue", "overview"),
    [
        ("admin", True, True),
        ("staff", True, True),
        ("leader", False, True),
        ("district", True, True),
        ("department_user", True, True),
        ("owner", False, False),
        ("outsider", False, False),
    ],
)
def test_it_gives_reviewers_a_queue_and_leaders_the_overview(world, username, queue, overview):
    user = getattr(world, username)
    assert (reviews_reports(user), sees_report_overview(user)) == (queue, overview)


@pytest.mark.parametrize(
    ("username", "allowed", "refused"),
    [
        ("owner", ["report"], ["review"]),
        ("district", ["review"], ["report"]),
        ("department_user", ["review"], ["report"]),
        ("leader", [], ["report", "review"]),
        ("staff", ["report", "review"], []),
    ],
)
def test_it_checks_the_right_to_report_or_review_a_report(world, username, allowed, refused):
    user = getattr(world, username)
    pk = world.reports["a"].pk
    assert get_report_for_user(user, pk) == world.reports["a"]
    for action in allowed:
        assert get_report_for_user(user, pk, action=action) == world.reports["a"]
    for action in refused:
        with pytest.raises(PermissionDenied):
            get_report_for_user(user, pk, action=action)


@pytest.mark.parametrize(
    ("username", "key"),
    [("owner", "c"), ("department_user", "b"), ("district_b_user", "a"), ("leader", "c"), ("outsider", "a")],
)
def test_it_answers_404_for_an_entry_or_report_out_of_sight(world, username, key):
    user = getattr(world, username)
    with pytest.raises(Http404):
        get_entry_for_user(user, world.entries[key].pk)
    for action in (None, "report", "review"):
        with pytest.raises(Http404):
            get_report_for_user(user, world.reports[key].pk, action=action)


def test_it_lets_those_who_change_the_project_change_its_entry(world):
    assert get_entry_for_user(world.owner, world.entries["a"].pk, write=True).project == world.project_a
    assert get_entry_for_user(world.district, world.entries["a"].pk, write=True) == world.entries["a"]
    for user in (world.leader, world.department_user):
        assert get_entry_for_user(user, world.entries["a"].pk) == world.entries["a"]
        with pytest.raises(PermissionDenied):
            get_entry_for_user(user, world.entries["a"].pk, write=True)


def test_it_hands_a_photo_to_those_who_see_its_report(world):
    photo = ReportPhoto.objects.create(
        report=world.reports["a"], image="report-photos/2026/03/site.jpg", uploaded_by=world.owner
    )
    for user in (world.staff, world.leader, world.district, world.department_user, world.owner):
        assert get_report_photo_for_user(user, photo.pk).report == world.reports["a"]
    assert get_report_photo_for_user(world.owner, photo.pk, action="report") == photo
    with pytest.raises(PermissionDenied):
        get_report_photo_for_user(world.district, photo.pk, action="report")
    for user in (world.district_b_user, world.owner_b_user, world.outsider):
        with pytest.raises(Http404):
            get_report_photo_for_user(user, photo.pk)
    with pytest.raises(Http404):
        get_report_photo_for_user(world.admin, photo.pk + 1)


# Batches and import jobs are the office's


def test_it_shows_draft_batches_to_the_office_only(world):
    assert set(batches_visible_to(world.staff)) == {world.published, world.draft}
    for user in (world.leader, world.district, world.owner):
        assert list(batches_visible_to(user)) == [world.published]
    assert get_batch_for_user(world.staff, world.draft.pk) == world.draft
    with pytest.raises(PermissionDenied):
        get_batch_for_user(world.district, world.published.pk)
    with pytest.raises(Http404):
        get_batch_for_user(world.admin, world.draft.pk + 100)


def test_it_shows_import_jobs_to_the_office_only(world):
    job = ImportJob.objects.create(
        year=2026, file="imports/2026/01/list.xlsx", original_name="清单.xlsx", created_by=world.staff
    )
    assert list(import_jobs_visible_to(world.admin)) == [job]
    assert get_import_job_for_user(world.staff, job.pk) == job
    for user in (world.leader, world.district, world.owner):
        assert not import_jobs_visible_to(user).exists()
        with pytest.raises(PermissionDenied):
            get_import_job_for_user(user, job.pk)
    with pytest.raises(Http404):
        get_import_job_for_user(world.staff, job.pk + 1)


# Proposals and plan changes


@pytest.fixture
def proposals(world):
    def proposal(key, by):
        return Proposal.objects.create(
            year=2027, project=getattr(world, f"project_{key}"), category=Category.NEW_START, proposed_by=by
        )

    return {"a": proposal("a", world.owner), "b": proposal("b", world.owner_b_user)}


@pytest.mark.parametrize(
    ("username", "sees", "changes"),
    [
        ("staff", {"a", "b"}, {"a", "b"}),
        ("leader", {"a", "b"}, set()),
        ("district", {"a"}, {"a"}),
        ("department_user", {"a"}, set()),
        ("owner", {"a"}, {"a"}),
        ("owner_b_user", {"b"}, {"b"}),
        ("outsider", set(), set()),
    ],
)
def test_it_shows_and_lets_change_proposals_as_their_projects(world, proposals, username, sees, changes):
    user = getattr(world, username)
    assert _keys(proposals, proposals_visible_to(user)) == sees
    for key, proposal in proposals.items():
        if key in changes:
            assert get_proposal_for_user(user, proposal.pk, write=True) == proposal
        elif key in sees:
            with pytest.raises(PermissionDenied):
                get_proposal_for_user(user, proposal.pk, write=True)
        else:
            with pytest.raises(Http404):
                get_proposal_for_user(user, proposal.pk)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("staff", {"a", "c"}),
        ("leader", {"a"}),  # not the draft entry's
        ("district", {"a"}),
        ("owner", {"a"}),
        ("owner_b_user", set()),
        ("outsider", set()),
    ],
)
def test_it_shows_plan_changes_of_the_entries_one_sees(world, username, expected):
    changes = {
        key: PlanChange.objects.create(
            entry=world.entries[key], new_amount=1200 * WAN, reason="征地提前完成", requested_by=world.owner
        )
        for key in "ac"
    }
    user = getattr(world, username)
    assert _keys(changes, plan_changes_visible_to(user)) == expected
    for key, change in changes.items():
        if key in expected:
            assert get_plan_change_for_user(user, change.pk) == change
        else:
            with pytest.raises(Http404):
                get_plan_change_for_user(user, change.pk)
