"""Role × endpoint matrix entries of dispatch meetings, leader links and service visits."""

import datetime as dt

from keyprojects.matrix import ROLES, row

OFFICE_ONLY = row(leader=403, district=403, department=403, owner=403, outsider=403)
OFFICE_AND_LEADERS = row(district=403, department=403, owner=403, outsider=403)
# Meeting A's agenda holds a problem of project A (led by the department): everyone but the outsider
# sees it. Meeting B's holds project B's (led by district B): only the office and leaders see it.
READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
WRITE_A = row(leader=403, district=403, department=403, owner=403, outsider=404)
WRITE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)


def _posted(statuses, ok=302):
    """Statuses of a POST that redirects on success."""
    return {role: (ok if status == 200 else status) for role, status in statuses.items()}


POST_ONLY = dict.fromkeys(ROLES, 405)

MATRIX = {
    "meeting_list": [("", lambda c: [], row(), None)],
    "meeting_create": [("", lambda c: [], OFFICE_ONLY, OFFICE_ONLY)],
    "meeting_detail": [
        ("A", lambda c: [c.meeting_a.pk], READ_A, None),
        ("B", lambda c: [c.meeting_b.pk], READ_B, None),
    ],
    "meeting_edit": [
        ("A", lambda c: [c.meeting_a.pk], WRITE_A, WRITE_A),
        ("B", lambda c: [c.meeting_b.pk], WRITE_B, WRITE_B),
    ],
    "meeting_held": [
        ("A", lambda c: [c.meeting_a.pk], POST_ONLY, _posted(WRITE_A)),
        ("B", lambda c: [c.meeting_b.pk], POST_ONLY, _posted(WRITE_B)),
    ],
    "meeting_minutes": [
        ("A", lambda c: [c.meeting_a.pk], row(district=403, department=403, owner=403, outsider=404), None),
        ("B", lambda c: [c.meeting_b.pk], READ_B, None),
    ],
    "agenda_gather": [
        ("A", lambda c: [c.meeting_a.pk], POST_ONLY, _posted(WRITE_A)),
        ("B", lambda c: [c.meeting_b.pk], POST_ONLY, _posted(WRITE_B)),
    ],
    "agenda_add": [
        ("A", lambda c: [c.meeting_a.pk], WRITE_A, WRITE_A),
        ("B", lambda c: [c.meeting_b.pk], WRITE_B, WRITE_B),
    ],
    "agenda_decide": [
        ("A", lambda c: [c.item_a.pk], WRITE_A, WRITE_A),
        ("B", lambda c: [c.item_b.pk], WRITE_B, WRITE_B),
    ],
    "agenda_remove": [
        ("A", lambda c: [c.item_a.pk], POST_ONLY, _posted(WRITE_A)),
        ("B", lambda c: [c.item_b.pk], POST_ONLY, _posted(WRITE_B)),
    ],
    "leader_list": [("", lambda c: [], OFFICE_AND_LEADERS, None)],
    "leader_mine": [
        (
            "",
            lambda c: [],
            {**OFFICE_AND_LEADERS, **dict.fromkeys(["office_admin", "office_staff", "leader"], 302)},
            None,
        )
    ],
    "leader_page": [("", lambda c: [c.leader.pk], OFFICE_AND_LEADERS, None)],
    "leader_over_yi": [("", lambda c: [], row(), None)],
    "leader_link_create": [("", lambda c: [], OFFICE_ONLY, OFFICE_ONLY)],
    "leader_link_delete": [("", lambda c: [c.link_a.pk], POST_ONLY, _posted(OFFICE_ONLY))],
    "visit_list": [("", lambda c: [], row(), None)],
    "visit_create": [("", lambda c: [], OFFICE_ONLY, OFFICE_ONLY)],
    "visit_detail": [
        ("A", lambda c: [c.visit_a.pk], READ_A, None),
        ("B", lambda c: [c.visit_b.pk], READ_B, None),
    ],
}


def _problem(world, project, lead_unit, title):
    from keyprojects.coordination.models import Problem

    return Problem.objects.create(
        project=project,
        category=Problem.Category.LAND,
        title=title,
        description=title,
        source=Problem.Source.OFFICE,
        raised_by=world.staff,
        raised_by_org=world.office,
        lead_unit=lead_unit,
        level=3,
        level_since=dt.date(2026, 11, 2),
    )


def prepare(world):
    from keyprojects.coordination.models import AgendaItem, DispatchMeeting, LeaderLink, ServiceVisit

    problem_a = _problem(world, world.project_a, world.department, "A地块征收补偿未谈妥")
    problem_b = _problem(world, world.project_b, world.district_b, "B项目资金缺口")
    for name, problem in (("a", problem_a), ("b", problem_b)):
        meeting = DispatchMeeting.objects.create(
            title=f"第{name}次重点项目调度会",
            date=dt.date(2026, 11, 20),
            chair=world.leader,
            created_by=world.staff,
        )
        setattr(world, f"meeting_{name}", meeting)
        setattr(world, f"item_{name}", AgendaItem.objects.create(meeting=meeting, problem=problem, order=1))
        project = problem.project
        setattr(
            world,
            f"visit_{name}",
            ServiceVisit.objects.create(
                date=dt.date(2026, 11, 10),
                place="项目现场",
                project=project,
                leader=world.leader,
                created_by=world.staff,
            ),
        )
    world.link_a = LeaderLink.objects.create(leader=world.leader, project=world.project_b)
