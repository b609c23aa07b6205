"""Role × endpoint matrix entries of problems, instructions and the escalation ladder (see
keyprojects/matrix.py). The meetings, leader links and visits have theirs in matrix_meetings.py.

Problem A: on project A (district A, owner A), raised by owner A, led by the department. The district
sees it through its project, the department because it leads it, the owner because it is its
project's. Problem B: on project B (district B, owner B), led by district B: outside the district's,
the department's and the owner's scope. Steps on a problem answer GET with a redirect to its page (302)
and an empty POST with the page and the form's errors (200); nothing is written.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from keyprojects.coordination.models import Instruction, Problem, ProblemAction, ProblemAttachment
from keyprojects.matrix import row
from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.tests.cast import plans_cast

FILE_NAME = "problem-files/matrix/approval.pdf"
REPORT_MONTH = 2  # the plans matrix modules use months 6–9

READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
RAISE_A = row(leader=403, outsider=404)
RAISE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
OFFICE_A = row(leader=403, district=403, department=403, owner=403, outsider=404)
OFFICE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
# Handling problem A: the department (its lead unit) and the office.
HANDLE_A = row(leader=403, district=403, owner=403, outsider=404)
# Confirming problem A: owner A (its raiser) and the office.
CONFIRM_A = row(leader=403, district=403, department=403, outsider=404)
CONFIRM_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
INSTRUCT_A = row(office_admin=403, office_staff=403, district=403, department=403, owner=403, outsider=404)
INSTRUCT_B = row(office_admin=403, office_staff=403, district=404, department=404, owner=404, outsider=404)
# Replying to the leader's instruction on problem A: only the unit handling it (the department).
REPLY_A = row(office_admin=403, office_staff=403, leader=403, district=403, owner=403, outsider=404)
OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)


def _step(statuses):
    """GET of a step redirects to the problem's page where the step is allowed."""
    return {role: (302 if code == 200 else code) for role, code in statuses.items()}


def _steps(right_a, right_b):
    return [
        ("A", lambda c: [c.problem_a.pk], _step(right_a), right_a),
        ("B", lambda c: [c.problem_b.pk], _step(right_b), right_b),
    ]


MATRIX = {
    "problem_list": [("", lambda c: [], row(), None)],
    "problem_stats": [("", lambda c: [], row(), None)],
    "problem_export": [("", lambda c: [], row(), None)],
    "instruction_list": [("", lambda c: [], row(), None)],
    "escalation_levels": [("", lambda c: [], OFFICE, _step(OFFICE))],
    "problem_detail": [
        ("A", lambda c: [c.problem_a.pk], READ_A, None),
        ("B", lambda c: [c.problem_b.pk], READ_B, None),
    ],
    "problem_attachment": [
        ("A", lambda c: [c.attachment_a.pk], READ_A, None),
        ("B", lambda c: [c.attachment_b.pk], READ_B, None),
    ],
    "problem_create": [
        ("A", lambda c: [c.project_a.pk], RAISE_A, RAISE_A),
        ("B", lambda c: [c.project_b.pk], RAISE_B, RAISE_B),
    ],
    "problem_create_from_report": [
        ("A", lambda c: [c.problem_report_a.pk], RAISE_A, RAISE_A),
        ("B", lambda c: [c.problem_report_b.pk], RAISE_B, RAISE_B),
    ],
    "problem_assign": _steps(OFFICE_A, OFFICE_B),
    "problem_co_unit": _steps(OFFICE_A, OFFICE_B),
    "problem_escalate": _steps(OFFICE_A, OFFICE_B),
    "problem_deescalate": _steps(OFFICE_A, OFFICE_B),
    "problem_progress": _steps(HANDLE_A, OFFICE_B),
    "problem_resolve": _steps(HANDLE_A, OFFICE_B),
    "problem_confirm": _steps(CONFIRM_A, CONFIRM_B),
    "problem_reject": _steps(CONFIRM_A, CONFIRM_B),
    "problem_reopen": _steps(CONFIRM_A, CONFIRM_B),
    "instruction_create": _steps(INSTRUCT_A, INSTRUCT_B),
    "instruction_reply": [
        ("A", lambda c: [c.instruction_a.pk], _step(REPLY_A), REPLY_A),
        (
            "B",
            lambda c: [c.instruction_b.pk],
            _step(OFFICE_B | {"office_admin": 403, "office_staff": 403}),
            OFFICE_B | {"office_admin": 403, "office_staff": 403},
        ),
    ],
}


def _problem(world, *, project, raiser, lead_unit, title):
    today = timezone.localdate()
    problem = Problem.objects.create(
        project=project,
        category=Problem.Category.APPROVAL,
        title=title,
        description=title,
        source=Problem.Source.OWNER,
        raised_by=raiser,
        raised_by_org=raiser.organisation,
        lead_unit=lead_unit,
        level_since=today,
        level_deadline=today + dt.timedelta(days=7),
    )
    action = ProblemAction.objects.create(problem=problem, kind=ProblemAction.Kind.RAISE, by=raiser)
    attachment = ProblemAttachment.objects.create(
        problem=problem, action=action, file=FILE_NAME, original_name="批复.pdf", uploaded_by=raiser
    )
    instruction = Instruction.objects.create(
        problem=problem,
        leader=world.leader,
        text="请抓紧办理。",
        reply_unit=lead_unit,
        reply_deadline=today + dt.timedelta(days=7),
    )
    return problem, attachment, instruction


def _report(entry, month, by):
    report, _created = MonthlyReport.objects.get_or_create(
        entry=entry,
        month=month,
        defaults={
            "amount": 10_000,
            "progress": "主体施工",
            "problems": "用地预审迟迟未批复。",
            "status": MonthlyReport.Status.SUBMITTED,
            "submitted_by": by,
            "submitted_at": timezone.now(),
        },
    )
    return report


def prepare(world):
    if not default_storage.exists(FILE_NAME):
        default_storage.save(FILE_NAME, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    world.problem_a, world.attachment_a, world.instruction_a = _problem(
        world, project=world.project_a, raiser=world.owner, lead_unit=world.department, title="用地预审未批复"
    )
    world.problem_b, world.attachment_b, world.instruction_b = _problem(
        world,
        project=world.project_b,
        raiser=world.owner_b_user,
        lead_unit=world.district_b,
        title="老旧小区管线迁改",
    )
    plans_cast(world)
    world.problem_report_a = _report(world.entry_a, REPORT_MONTH, world.owner)
    world.problem_report_b = _report(world.entry_b, REPORT_MONTH, world.owner_b_user)
