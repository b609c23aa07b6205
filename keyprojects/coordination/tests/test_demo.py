"""The demo's problems: every category, level and state, with logs that tell the same story the
escalation job would have written."""

import datetime as dt

import pytest

from keyprojects.coordination.models import Instruction, Problem, ProblemAction
from keyprojects.coordination.services import problems_escalate_due
from keyprojects.demo.loader import load_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def test_it_builds_problems_across_categories_levels_and_states_in_bulk():
    load_demo(projects=300, today=TODAY)
    assert Problem.objects.count() == 400
    assert set(Problem.objects.values_list("category", flat=True)) == set(Problem.Category.values)
    assert set(Problem.objects.values_list("status", flat=True)) == set(Problem.Status.values)
    assert {1, 2, 3, 4} <= set(Problem.objects.values_list("level", flat=True))
    assert ProblemAction.objects.filter(kind=ProblemAction.Kind.AUTO_ESCALATE).exists()
    assert Instruction.objects.filter(replied_at__isnull=False).exists()
    assert Instruction.objects.filter(replied_at__isnull=True).exists()
    # Every problem starts its log with being raised, on the day it was raised.
    first = ProblemAction.objects.filter(kind=ProblemAction.Kind.RAISE)
    assert first.count() == 400
    assert not Problem.objects.filter(created_at__date__gt=TODAY).exists()
    # The clocks are those of an office whose job runs daily: today's run moves only the few a day or
    # two past their limit, and only by one level.
    unresolved = Problem.objects.filter(status__in=Problem.UNRESOLVED).count()
    assert 0 < problems_escalate_due(today=TODAY)["escalated"] <= unresolved // 20
