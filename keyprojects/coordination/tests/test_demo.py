"""The demo's problems: every category, level and state, with logs that tell the same story the
escalation job would have written."""

import pytest

from keyprojects.coordination.models import Instruction, Problem, ProblemAction
from keyprojects.coordination.services import problems_escalate_due
from keyprojects.projects.demo import REFERENCE_DATE, load_demo

pytestmark = pytest.mark.django_db


def test_it_builds_problems_across_categories_levels_and_states_in_bulk():
    load_demo(projects=300)
    assert Problem.objects.count() == 400
    assert set(Problem.objects.values_list("category", flat=True)) == set(Problem.Category.values)
    assert set(Problem.objects.values_list("status", flat=True)) == set(Problem.Status.values)
    assert {1, 2, 3} <= set(Problem.objects.values_list("level", flat=True))
    assert ProblemAction.objects.filter(kind=ProblemAction.Kind.AUTO_ESCALATE).exists()
    assert Instruction.objects.filter(replied_at__isnull=False).exists()
    assert Instruction.objects.filter(replied_at__isnull=True).exists()
    # Every problem starts its log with being raised, on the day it was raised.
    first = ProblemAction.objects.filter(kind=ProblemAction.Kind.RAISE)
    assert first.count() == 400
    assert not Problem.objects.filter(created_at__date__gt=REFERENCE_DATE).exists()
    # The levels are those the job would have reached by the reference date: running it changes nothing.
    assert problems_escalate_due(today=REFERENCE_DATE)["escalated"] == 0
