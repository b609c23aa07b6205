"""Role × endpoint matrix entries of the annual list, batches, intake and plan changes
(see keyprojects/matrix.py).

The cast: entry A (district A, owner A, the department responsible) and entry B (district B, owner B) in
the published first batch of 2026; a third project of owner A in a DRAFT second batch, which only the
office sees; proposals and pending plan changes on both sides.
"""

from keyprojects.matrix import ROLES, row
from keyprojects.plans.models import AnnualEntry, Batch, Category, PlanChange, Proposal
from keyprojects.plans.tests.cast import YEAR, plans_cast
from keyprojects.test import make_project

NON_OFFICE = ["leader", "district", "department", "owner", "outsider"]
OFFICE_ONLY = row(**dict.fromkeys(NON_OFFICE, 403))
READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
# Changes to A: the office, district A and owner A; leaders and departments read only.
CHANGE_A = row(leader=403, department=403, outsider=404)
CHANGE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
# Decisions are the office's; outside their scope the others do not even learn the record exists.
DECIDE_A = row(leader=403, district=403, department=403, owner=403, outsider=404)
DECIDE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
# A draft batch's entry exists for the office only.
DRAFT = row(**dict.fromkeys(NON_OFFICE, 404))
NO_GET = dict.fromkeys(ROLES, 405)


def _redirected(statuses, *roles):
    return {**statuses, **dict.fromkeys(roles, 302)}


MATRIX = {
    "annual_list": [
        ("", lambda c: [], row(), None),
    ],
    "entry_detail": [
        ("A", lambda c: [c.entry_a.pk], READ_A, None),
        ("B", lambda c: [c.entry_b.pk], READ_B, None),
        ("draft", lambda c: [c.entry_draft.pk], DRAFT, None),
    ],
    "entry_edit": [
        ("A", lambda c: [c.entry_a.pk], DECIDE_A, DECIDE_A),
        ("B", lambda c: [c.entry_b.pk], DECIDE_B, DECIDE_B),
        ("draft", lambda c: [c.entry_draft.pk], DRAFT, DRAFT),
    ],
    "entry_create": [("", lambda c: [YEAR], OFFICE_ONLY, OFFICE_ONLY)],
    "batch_create": [
        ("", lambda c: [YEAR], OFFICE_ONLY, _redirected(OFFICE_ONLY, "office_admin", "office_staff")),
    ],
    "batch_detail": [
        ("published", lambda c: [c.batch.pk], OFFICE_ONLY, None),
        ("draft", lambda c: [c.draft_batch.pk], OFFICE_ONLY, None),
    ],
    "batch_publish": [
        ("", lambda c: [c.draft_batch.pk], NO_GET, _redirected(OFFICE_ONLY, "office_admin", "office_staff")),
    ],
    "proposal_list": [("", lambda c: [], row(), None)],
    "proposal_create": [
        ("", lambda c: [], row(leader=403, department=403), row(leader=403, department=403)),
    ],
    "proposal_detail": [
        ("A", lambda c: [c.proposal_a.pk], READ_A, None),
        ("B", lambda c: [c.proposal_b.pk], READ_B, None),
    ],
    "proposal_edit": [
        ("A", lambda c: [c.proposal_a.pk], CHANGE_A, CHANGE_A),
        ("B", lambda c: [c.proposal_b.pk], CHANGE_B, CHANGE_B),
    ],
    "proposal_submit": [
        # An incomplete draft: refused with the reasons, back to the form.
        (
            "A",
            lambda c: [c.proposal_a.pk],
            NO_GET,
            _redirected(CHANGE_A, "office_admin", "office_staff", "district", "owner"),
        ),
        ("B", lambda c: [c.proposal_b.pk], NO_GET, _redirected(CHANGE_B, "office_admin", "office_staff")),
    ],
    "proposal_review": [
        ("A", lambda c: [c.submitted_a.pk], DECIDE_A, DECIDE_A),
        ("B", lambda c: [c.submitted_b.pk], DECIDE_B, DECIDE_B),
    ],
    "plan_change_create": [
        ("A", lambda c: [c.entry_a.pk], CHANGE_A, CHANGE_A),
        ("B", lambda c: [c.entry_b.pk], CHANGE_B, CHANGE_B),
        ("draft", lambda c: [c.entry_draft.pk], DRAFT, DRAFT),
    ],
    "plan_change_list": [("", lambda c: [], row(), None)],
    "plan_change_decide": [
        ("A", lambda c: [c.change_a.pk], DECIDE_A, DECIDE_A),
        ("B", lambda c: [c.change_b.pk], DECIDE_B, DECIDE_B),
    ],
}


def prepare(world):
    plans_cast(world)
    if getattr(world, "entry_draft", None):
        return
    world.draft_batch = Batch.objects.create(annual_list=world.annual_list, number=2, name="第二批")
    world.project_c = make_project(
        name="青秀区智慧物流园", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    world.entry_draft = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.draft_batch,
        project=world.project_c,
        category=Category.CONTINUING,
        planned_investment=30_000_000,
    )
    next_year = YEAR + 1
    world.proposal_a = Proposal.objects.create(
        year=next_year, project=world.project_a, category=Category.CONTINUING, proposed_by=world.owner
    )
    world.proposal_b = Proposal.objects.create(
        year=next_year, project=world.project_b, category=Category.CONTINUING, proposed_by=world.owner_b_user
    )
    submitted = {"status": Proposal.Status.SUBMITTED, "goal": "完成主体", "reason": "条件成熟"}
    world.submitted_a = Proposal.objects.create(
        year=next_year,
        project=world.project_a,
        category=Category.CONTINUING,
        planned_investment=10_000_000,
        proposed_by=world.district,
        **submitted,
    )
    world.submitted_b = Proposal.objects.create(
        year=next_year,
        project=world.project_b,
        category=Category.CONTINUING,
        planned_investment=10_000_000,
        proposed_by=world.district_b_user,
        **submitted,
    )
    world.change_a = PlanChange.objects.create(
        entry=world.entry_a,
        old_amount=world.entry_a.planned_investment,
        new_amount=1,
        reason="调减",
        requested_by=world.owner,
    )
    world.change_b = PlanChange.objects.create(
        entry=world.entry_b,
        old_amount=world.entry_b.planned_investment,
        new_amount=1,
        reason="调减",
        requested_by=world.owner_b_user,
    )
