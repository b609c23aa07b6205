"""The home page as each role's to-do: the counts against the hand-counted world, each line's count
against the page it links to, each role's scope, the office's reminder to late reporters (催报), and
a query count that does not grow with the data."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.audit.models import AuditEntry
from keyprojects.coordination.models import Problem
from keyprojects.dashboard.tests.home_world import MARCH_DEADLINE, NOW, RETURN_REASON, TODAY, home_world
from keyprojects.dashboard.todo_selectors import todo_for
from keyprojects.notifications.models import Kind, Notification
from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
from keyprojects.plans.tests.report_world import make_report
from keyprojects.projects.models import Project
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(cast):
    return home_world(cast)


def _lines(user, today=TODAY):
    return {line.key: line for section in todo_for(user, today=today) for line in section.lines}


def _counts(user, today=TODAY):
    return {key: line.count for key, line in _lines(user, today).items()}


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def _listed(client, url) -> int:
    """How many things the page at URL lists: what a line linking there must count."""
    response = client.get(url)
    assert response.status_code == 200, url
    name = resolve(url.split("?")[0]).url_name
    context = response.context
    if name == "report_status":
        totals = context["status"]["totals"]
        return totals["missing"] + (totals["returned"] if context["is_office"] else 0)
    if name == "leader_page":
        raise AssertionError("compare the leader page's own totals")
    return context["page"].paginator.count


def test_it_lists_what_an_owner_has_to_do(world, client):
    counts = _counts(world.owner)
    assert counts == {
        "reports-returned": 1,  # A, March
        "reports-due": 1,  # A2, March (deadline 04-08)
        "reports-overdue": 1,  # A2, February
        "tasks-overdue": 1,
        "tasks-today": 1,
        "tasks-soon": 2,  # today's and 04-07's; 04-30's is further
        "problems-confirm": 1,
    }
    page = _home(client, world.owner).content.decode()
    assert "2026年3月报送统计截止 2026-04-08（剩余 3 个工作日）" in page
    # The returned report is named with its reason and opens its form.
    assert RETURN_REASON in page
    assert reverse("report_fill", args=[world.entry_a.pk, 3]) in page
    assert "最近截止 2026-04-08（剩余 3 个工作日）" in page
    assert "一键催报" not in page


def test_it_counts_an_owners_lines_as_its_reporting_page_does(world, client):
    lines = _lines(world.owner)
    client.force_login(world.owner)
    todo = client.get(lines["reports-returned"].url).context
    assert lines["reports-returned"].count == todo["returned_count"]
    reports = ("reports-returned", "reports-due", "reports-overdue")
    assert sum(lines[k].count for k in reports) == todo["todo_count"]
    for key in ("tasks-overdue", "tasks-today", "tasks-soon", "problems-confirm"):
        assert _listed(client, lines[key].url) == lines[key].count, key
    # Following the confirm line shows the problem raised by the owner, ready to confirm.
    listing = client.get(lines["problems-confirm"].url).content.decode()
    assert world.problem_confirm.title in listing and "本单位提出的问题" in listing


def test_it_shows_a_district_its_review_queue_and_deadline(world, client):
    counts = _counts(world.district)
    assert counts == {
        "queue": 1,  # A2's January
        "queue-month": 0,
        "queue-returned": 1,  # A's March
        "reports-missing": 1,  # A2's March
        "tasks-overdue": 0,
        "tasks-today": 0,
        "tasks-soon": 0,
        "problems-confirm": 0,
        "problems-overdue": 0,
        "problems-handling": 1,  # A's land
        "instructions-waiting": 1,
    }
    page = _home(client, world.district).content.decode()
    assert "2026年3月报送统计截止 2026-04-08（剩余 3 个工作日）" in page
    assert "截止后该月锁定" in page


def test_it_counts_a_reviewers_lines_as_the_linked_pages_list_them(world, client):
    for user in (world.district, world.district_b_user, world.department_user):
        client.force_login(user)
        for key, line in _lines(user).items():
            assert _listed(client, line.url) == line.count, (user.username, key, line.url)
    b = _counts(world.district_b_user)
    assert (b["queue"], b["queue-month"], b["queue-returned"], b["reports-missing"]) == (1, 1, 0, 0)
    d = _counts(world.department_user)
    assert (d["tasks-overdue"], d["problems-overdue"], d["problems-handling"]) == (1, 2, 3)
    assert d["instructions-waiting"] == 0  # answered on 03-30


def test_it_shows_the_office_late_reporters_new_reds_overdue_problems_and_the_next_meeting(world, client):
    lines = _lines(world.staff)
    assert {k: line.count for k, line in lines.items()} == {
        "late-reporters": 2,  # A2 (none) and A (returned)
        "red-new": 1,  # A's, since 04-01; B's is older
        "problems-overdue": 2,  # A's approval and B's funding
        "problems-assign-overdue": 1,
        "meeting-next": None,
    }
    assert lines["late-reporters"].remind == {"year": 2026, "month": 3}
    named = {link.text: link.note for link in lines["late-reporters"].links}
    assert named == {
        world.project_a.name: f"{world.owner_a.name} · 已退回未重报",
        world.project_a2.name: f"{world.owner_a.name} · 未报送",
    }
    assert lines["meeting-next"].url == reverse("meeting_detail", args=[world.meeting_next.pk])
    assert lines["meeting-next"].note == "2026-04-09 · 四月重点项目调度会 · 议题 2 项"
    client.force_login(world.staff)
    for key in ("late-reporters", "red-new", "problems-overdue", "problems-assign-overdue"):
        assert _listed(client, lines[key].url) == lines[key].count, key
    reds = client.get(lines["red-new"].url).content.decode()
    assert world.project_a.name in reds and world.project_b.name not in reds
    page = _home(client, world.staff).content.decode()
    assert "2026年3月尚未报送的项目" in page and "一键催报" in page


def test_it_calls_late_reporters_late_once_the_deadline_has_passed(world):
    after = MARCH_DEADLINE + dt.timedelta(days=1)
    line = _lines(world.staff, today=after)["late-reporters"]
    assert line.label == "2026年3月逾期未报的项目" and line.urgent


def test_it_shows_a_leader_its_lights_problems_and_instructions(world, client):
    lines = _lines(world.leader)
    assert {k: line.count for k, line in lines.items()} == {
        "lights-red": 1,  # project A's; B is not the leader's
        "lights-yellow": 1,
        "problems-level-3": 1,  # A's land; B's funding is not on the leader's projects
        "problems-level-4": 0,
        "instructions-waiting": 1,
        "instructions-replied": 1,  # 03-30, within the week
    }
    client.force_login(world.leader)
    leader_page = client.get(lines["lights-red"].url).context["totals"]
    assert (leader_page["red"], leader_page["yellow"]) == (1, 1)
    for key in ("problems-level-3", "problems-level-4", "instructions-waiting", "instructions-replied"):
        assert _listed(client, lines[key].url) == lines[key].count, key
    listing = client.get(lines["problems-level-3"].url).content.decode()
    assert world.problem_land.title in listing and world.problem_funding.title not in listing
    replied = client.get(lines["instructions-replied"].url).content.decode()
    assert "已完成技术审查，下周出批复。" in replied
    assert "请青秀区加快征收进度。" not in replied
    page = _home(client, world.leader).content.decode()
    assert "已完成技术审查，下周出批复。" in page  # the reply, named under its line


def test_it_shows_nobody_a_count_outside_their_scope(world, client):
    outsider = _counts(world.outsider)
    assert all(count == 0 for count in outsider.values()), outsider
    owner_b = _counts(world.owner_b_user)
    assert (owner_b["reports-returned"], owner_b["reports-due"], owner_b["problems-confirm"]) == (0, 0, 0)
    # District B sees none of district A's problems, instructions or missing reports.
    b = _counts(world.district_b_user)
    assert (b["problems-handling"], b["instructions-waiting"], b["reports-missing"]) == (0, 0, 0)
    # A line's filter does not widen anyone's scope: district B following district A's link.
    client.force_login(world.district_b_user)
    assert _listed(client, f"{reverse('problem_list')}?state=resolved&raised_by={world.owner_a.pk}") == 0
    assert _listed(client, f"{reverse('problem_list')}?state=unresolved&leader={world.leader.pk}") == 0


def test_it_leaves_out_the_reports_of_a_year_without_a_list(world, client):
    sections = todo_for(world.staff, today=dt.date(2027, 2, 10))  # January 2027: no 2027 list
    assert [s.key for s in sections] == ["coordination"]
    assert [s.key for s in todo_for(world.outsider, today=TODAY)] == ["reports", "tasks", "problems"]
    with time_machine.travel(dt.datetime(2027, 2, 10, 10, 0), tick=False):
        page = _home(client, world.staff).content.decode()
    assert 'id="todo-reports"' not in page and 'id="todo-coordination"' in page


def test_it_ignores_a_reply_date_that_is_no_date(world, client):
    client.force_login(world.leader)
    response = client.get(f"{reverse('instruction_list')}?replied_since=2026-02-31")
    assert response.status_code == 200 and response.context["page"].paginator.count == 2


def test_it_reminds_late_reporters_once_a_day_with_a_record(world, client):
    client.force_login(world.staff)
    response = client.post(reverse("report_remind"), {"year": 2026, "month": 3}, follow=True)
    assert "已向 1 家业主单位催报 2 个项目的2026年3月报送。" in response.content.decode()
    notice = Notification.objects.get(recipient=world.owner, kind=Kind.REPORT)
    assert world.project_a.name in notice.body and world.project_a2.name in notice.body
    assert "2026-04-08" in notice.body and notice.url == reverse("report_todo")
    assert not Notification.objects.filter(recipient=world.owner_b_user).exists()  # B has reported
    history = AuditEntry.objects.filter(model=AnnualEntry._meta.label, user=world.staff)
    assert {h.project_id for h in history} == {world.project_a.pk, world.project_a2.pk}
    assert "2026年3月月度报送" in str(history[0].changes)

    again = client.post(reverse("report_remind"), {"year": 2026, "month": 3}, follow=True)
    assert "今天已催报过，未重复发送" in again.content.decode()
    assert Notification.objects.filter(recipient=world.owner, kind=Kind.REPORT).count() == 1
    assert history.count() == 2


def test_it_lets_only_the_office_remind(world, client):
    for user in (world.district, world.leader, world.owner):
        client.force_login(user)
        assert client.post(reverse("report_remind"), {"year": 2026, "month": 3}).status_code == 403
    assert not Notification.objects.filter(kind=Kind.REPORT).exists()


def _more(world, n):
    """N more projects of owner A in district A, on the list with a report to review, a returned one, a
    task due, a problem to confirm, a level-3 problem and a new red light each."""
    start = Project.objects.count()
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"批量项目{start + i}",
                owner=world.owner_a,
                district=world.district_a,
                sector=world.sector,
                total_investment=10_000 * 10_000,
                start_year=2025,
                end_year=2027,
                leader=world.leader,
            )
            for i in range(n)
        ]
    )
    entries = AnnualEntry.objects.bulk_create(
        [
            AnnualEntry(
                annual_list=world.annual_list,
                batch=world.batch,
                project=p,
                category=Category.CONTINUING,
                planned_investment=1_000 * 10_000,
            )
            for p in projects
        ]
    )
    for i, e in enumerate(entries):
        make_report(e, 1, "10", status=MonthlyReport.Status.APPROVED)
        make_report(e, 2, "10")
        if i % 2:
            make_report(e, 3, "10", status=MonthlyReport.Status.RETURNED, return_reason="补充")
    Task.objects.bulk_create(
        [
            Task(project=p, title="t", responsible_unit=world.owner_a, deadline=TODAY, created_by=world.staff)
            for p in projects
        ]
    )
    common = {"description": "d", "source": "office", "raised_by": world.staff, "category": "land"}
    Problem.objects.bulk_create(
        [
            Problem(
                project=p,
                title="c",
                raised_by_org=world.owner_a,
                lead_unit=world.district_a,
                status="resolved",
                **common,
            )
            for p in projects
        ]
        + [
            Problem(
                project=p,
                title="l",
                raised_by_org=world.office,
                lead_unit=world.district_a,
                status="handling",
                level=3,
                level_deadline=TODAY,
                **common,
            )
            for p in projects
        ]
    )
    rule = WarningRule.objects.get_or_create(code="reporting")[0]
    ProjectWarning.objects.bulk_create(
        [
            ProjectWarning(
                rule=rule,
                project=p,
                subject=f"p:{p.pk}",
                level=Level.RED,
                message="m",
                level_since=NOW,
                first_raised_at=NOW,
            )
            for p in projects
        ]
    )


@pytest.mark.parametrize("role", ["owner", "district", "department", "staff", "leader"])
def test_it_runs_the_same_number_of_queries_for_few_and_many_projects(world, client, role):
    user = getattr(world, {"department": "department_user"}.get(role, role))
    client.force_login(user)
    counts = []
    for n in (2, 60):
        _more(world, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 24, counts[0]
    if role == "owner":
        assert _counts(user)["reports-returned"] == 1 + 31  # one in every two of the 62 more
