"""The project page's world: the cockpit's hand-counted world (2026 through March, today 2026-04-15)
with three tasks and a land task on project A, so that every section of A's page has something."""

import datetime as dt

from keyprojects.dashboard.tests.world import cockpit_world
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.tasks.models import Task

TASKS = (
    ("取得施工许可", dt.date(2026, 4, 10), Task.Status.TODO),  # overdue
    ("完成桩基施工", dt.date(2026, 6, 30), Task.Status.DOING),
    ("完成初步设计", dt.date(2026, 2, 27), Task.Status.DONE),
)


def project_world(cast):
    world = cockpit_world(cast)
    a = world.project_a
    for title, deadline, status in TASKS:
        Task.objects.create(
            project=a,
            title=title,
            responsible_unit=world.department,
            created_by=world.staff,
            deadline=deadline,
            status=status,
            completed_date=deadline if status == Task.Status.DONE else None,
        )
    world.land = LandTask.objects.create(
        project=a, responsible_unit=world.district_a, land_to_acquire=100, households_to_relocate=40
    )
    LandProgress.objects.create(
        land_task=world.land,
        year=2026,
        month=3,
        land_acquired=40,
        households_signed=10,
        reported_by=world.district,
    )
    return world
