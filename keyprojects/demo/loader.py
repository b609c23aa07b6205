import datetime as dt

from django.db import transaction
from django.utils import timezone

from keyprojects.alerts.demo import load_alerts_demo
from keyprojects.assessment.demo import load_assessment_demo
from keyprojects.coordination.demo import load_coordination_demo
from keyprojects.coordination.meeting_demo import load_meetings_demo
from keyprojects.dashboard.demo import load_dashboard_demo
from keyprojects.land.demo import load_land_demo
from keyprojects.notifications.demo import load_notifications_demo
from keyprojects.plans.demo import load_plans_demo
from keyprojects.projects.demo import load_projects_demo
from keyprojects.supervision.demo import load_supervision_demo
from keyprojects.tasks.demo import load_tasks_demo


def load_demo(*, seed=2026, projects=1200, today: dt.date | None = None, stdout=None) -> dict:
    """Build the demo city around TODAY (default: the local date) in one transaction; return the
    counts of what was created.

    Expects an empty database (the command checks). STDOUT, if given, receives progress lines."""
    today = today or timezone.localdate()
    with transaction.atomic():
        counts = load_projects_demo(seed=seed, projects=projects, today=today, stdout=stdout)
        # The annual lists and monthly reports of these projects.
        load_plans_demo(seed=seed, today=today, stdout=stdout)
        # Each later area adds its own demo records; tasks feed warnings, problems feed meetings.
        load_tasks_demo(seed=seed, today=today, stdout=stdout)
        load_coordination_demo(seed=seed, today=today, stdout=stdout)
        load_meetings_demo(seed=seed, today=today, stdout=stdout)
        load_land_demo(seed=seed, today=today, stdout=stdout)
        load_dashboard_demo(seed=seed, stdout=stdout)
        load_alerts_demo(seed=seed, today=today, stdout=stdout)
        load_notifications_demo(seed=seed, today=today, stdout=stdout)
        # Letters from red lights and an inspection; then the last closed month scored.
        load_supervision_demo(seed=seed, today=today, stdout=stdout)
        load_assessment_demo(today=today, stdout=stdout)
    return {**counts, "today": today}
