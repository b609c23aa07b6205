"""Role × endpoint matrix entries of alerts (see keyprojects/matrix.py)."""

import datetime as dt

from django.utils import timezone

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.matrix import row
from keyprojects.projects.models import Stage
from keyprojects.test import make_project

READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
EDIT_A = row(leader=403, department=403, outsider=404)
EDIT_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)

MATRIX = {
    "warning_list": [("", lambda c: [], row(), None)],
    "warning_export": [("", lambda c: [], row(), None)],
    "warning_detail": [
        ("A", lambda c: [c.warning_a.pk], READ_A, None),
        ("B", lambda c: [c.warning_b.pk], READ_B, None),
    ],
    "warning_rules": [("", lambda c: [], OFFICE, None)],
    "warning_rule_edit": [("", lambda c: [WarningRule.objects.get(code="task").pk], OFFICE, OFFICE)],
    "operating_list": [("", lambda c: [], row(), None)],
    "operating_detail": [
        ("A", lambda c: [c.operating_a.pk], READ_A, None),
        ("B", lambda c: [c.operating_b.pk], READ_B, None),
    ],
    "operating_target": [
        ("A", lambda c: [c.operating_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.operating_b.pk], EDIT_B, EDIT_B),
    ],
    "operating_actual": [
        ("A", lambda c: [c.operating_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.operating_b.pk], EDIT_B, EDIT_B),
    ],
}


def _warning(project, subject):
    now = timezone.now()
    return ProjectWarning.objects.create(
        rule=WarningRule.objects.get(code="prelim"),
        project=project,
        subject=subject,
        level=Level.YELLOW,
        message="前期事项“环评”计划完成日期已过",
        figures={"计划完成日期": "2026-06-01"},
        level_since=now,
        first_raised_at=now,
    )


def prepare(world):
    world.warning_a = _warning(world.project_a, "matrix:a")
    world.warning_b = _warning(world.project_b, "matrix:b")
    done = dict(stage=Stage.COMPLETED, start_date=dt.date(2024, 3, 1), completion_date=dt.date(2026, 1, 15))
    world.operating_a = make_project(
        name="青秀区智能制造产业园（已竣工）",
        owner=world.owner_a,
        district=world.district_a,
        sector=world.sector,
        **done,
    )
    world.operating_a.departments.add(world.department)
    world.operating_b = make_project(
        name="西乡塘区食品加工产业园（已竣工）",
        owner=world.owner_b,
        district=world.district_b,
        sector=world.sector,
        **done,
    )
