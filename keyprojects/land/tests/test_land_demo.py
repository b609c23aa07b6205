"""The land demo: deterministic, cumulative, and within the targets."""

import datetime as dt

from keyprojects.land.demo import load_land_demo
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.projects.models import Project, Stage

TODAY = dt.date(2026, 12, 7)


def test_it_builds_cumulative_progress_within_targets(cast):
    Project.objects.update(stage=Stage.CONSTRUCTION)
    counts = load_land_demo(seed=2026, today=TODAY)
    assert counts["land_tasks"] == 2 and counts["land_progress"] > 0
    for task in LandTask.objects.all():
        rows = list(task.progress.order_by("year", "month"))
        acquired = [r.land_acquired for r in rows]
        assert acquired == sorted(acquired)
        assert max(acquired) <= task.land_to_acquire
        assert all(r.households_signed <= task.households_to_relocate for r in rows)
    first = list(LandProgress.objects.values_list("land_acquired", flat=True).order_by("id"))
    LandTask.objects.all().delete()
    load_land_demo(seed=2026, today=TODAY)
    assert list(LandProgress.objects.values_list("land_acquired", flat=True).order_by("id")) == first
