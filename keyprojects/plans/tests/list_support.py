"""Shared bits of the annual-list, intake and plan-change tests."""

import re

from keyprojects.audit.models import AuditEntry
from keyprojects.plans.models import AnnualEntry, Batch, PlanChange, Proposal
from keyprojects.plans.tests.cast import plans_cast

WAN = 10_000


def make_world(cast):
    """The cast with the 2026 list (published first batch, entry A and entry B) and a draft second batch."""
    plans_cast(cast)
    cast.draft = Batch.objects.create(annual_list=cast.annual_list, number=2, name="第二批")
    return cast


def form_data(response, **changes) -> dict:
    """Every field of the rendered form as the browser would send it back, then the user's changes."""
    data = {}
    for bound in response.context["form"]:
        value = bound.value()
        if value is None and getattr(bound.field.widget, "allow_multiple_selected", False):
            value = []
        if isinstance(value, list | tuple):
            data[bound.name] = [str(v) for v in value]
            continue
        data[bound.name] = "" if value is None else value
    data.update(changes)
    return data


def counts() -> tuple:
    """Rows of every table the list services write: a refused call must leave all of them as they were."""
    return (
        AnnualEntry.objects.count(),
        AnnualEntry.departments.through.objects.count(),
        Batch.objects.count(),
        Proposal.objects.count(),
        PlanChange.objects.count(),
        AuditEntry.objects.count(),
    )


def text(response) -> str:
    """The page's text, tags stripped and spaces folded."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
