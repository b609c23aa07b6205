"""The demo city's tasks: each 新开工 project of the demo's year gets its standard list, some done,
some overdue."""

import datetime as dt

import pytest

from keyprojects.demo.loader import load_demo
from keyprojects.plans.models import AnnualEntry, Category
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def test_it_fills_the_new_starts_task_lists():
    load_demo(projects=150, today=TODAY)
    new_starts = AnnualEntry.objects.filter(
        annual_list__year=TODAY.year, category=Category.NEW_START, planned_start_month__isnull=False
    ).values_list("project_id", flat=True)
    assert new_starts
    # Dispatch meetings add their own decided tasks to other projects; the templates fill new starts.
    generated = Task.objects.filter(source=Task.Source.TEMPLATE)
    assert set(generated.values_list("project_id", flat=True)) == set(new_starts)
    assert generated.filter(project_id=new_starts[0]).count() == 11
    assert Task.objects.filter(status=Task.Status.DONE).exists()
    assert Task.objects.filter(status__in=Task.OPEN, deadline__lt=TODAY).exists()
    assert not Task.objects.filter(status=Task.Status.DONE, completed_date__isnull=True).exists()
    done = Task.objects.filter(status=Task.Status.DONE).first()
    assert done.evidence.exists() and done.status_changes.filter(to_status="done").exists()
