"""Role × endpoint matrix entries of tasks (see keyprojects/matrix.py).

Task A lies on project A (district A, owner A) and the department is responsible for it; task B lies
on project B, outside every non-office role's scope, owner B responsible. The templates are the
office's alone."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from keyprojects.matrix import ROLES, everyone, row
from keyprojects.tasks.models import Task, TaskEvidence, TaskStatusChange, TaskTemplate

# Reading a task or a project's list: everyone in scope.
READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
# Managing (create, edit, generate): the office and the project's district.
MANAGE_A = row(leader=403, department=403, owner=403, outsider=404)
MANAGE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
# Working on a task (done, evidence, status): the responsible unit, the owner, the district, the office.
WORK_A = row(leader=403, outsider=404)
WORK_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)


def _post(statuses, ok=302):
    """POST statuses: those allowed are redirected back after an empty form."""
    return {role: (ok if status == 200 else status) for role, status in statuses.items()}


MATRIX = {
    "task_list": [("", lambda c: [], row(), None)],
    "task_export": [("", lambda c: [], row(), None)],
    "task_mine": [("", lambda c: [], row(), None)],
    "task_mine_export": [("", lambda c: [], row(), None)],
    "task_project": [
        ("A", lambda c: [c.project_a.pk], READ_A, None),
        ("B", lambda c: [c.project_b.pk], READ_B, None),
    ],
    "task_project_export": [
        ("A", lambda c: [c.project_a.pk], READ_A, None),
        ("B", lambda c: [c.project_b.pk], READ_B, None),
    ],
    "task_timeline": [
        ("A", lambda c: [c.project_a.pk], READ_A, None),
        ("B", lambda c: [c.project_b.pk], READ_B, None),
    ],
    # An empty form is shown again with its errors (200).
    "task_create": [
        ("A", lambda c: [c.project_a.pk], MANAGE_A, MANAGE_A),
        ("B", lambda c: [c.project_b.pk], MANAGE_B, MANAGE_B),
    ],
    "task_generate": [
        ("A", lambda c: [c.project_a.pk], MANAGE_A, MANAGE_A),
        ("B", lambda c: [c.project_b.pk], MANAGE_B, MANAGE_B),
    ],
    "task_detail": [
        ("A", lambda c: [c.task_a.pk], READ_A, None),
        ("B", lambda c: [c.task_b.pk], READ_B, None),
    ],
    "task_edit": [
        ("A", lambda c: [c.task_a.pk], MANAGE_A, MANAGE_A),
        ("B", lambda c: [c.task_b.pk], MANAGE_B, MANAGE_B),
    ],
    "task_done": [
        ("A", lambda c: [c.task_a.pk], WORK_A, WORK_A),
        ("B", lambda c: [c.task_b.pk], WORK_B, WORK_B),
    ],
    "task_status": [
        ("A", lambda c: [c.task_a.pk], everyone(405), _post(WORK_A)),
        ("B", lambda c: [c.task_b.pk], everyone(405), _post(WORK_B)),
    ],
    "task_evidence_add": [
        ("A", lambda c: [c.task_a.pk], everyone(405), _post(WORK_A)),
        ("B", lambda c: [c.task_b.pk], everyone(405), _post(WORK_B)),
    ],
    "task_evidence_download": [
        ("A", lambda c: [c.evidence_a.pk], READ_A, None),
        ("B", lambda c: [c.evidence_b.pk], READ_B, None),
    ],
    "task_template_list": [("", lambda c: [], OFFICE, None)],
    "task_template_create": [("", lambda c: [], OFFICE, OFFICE)],
    "task_template_edit": [("", lambda c: [c.template.pk], OFFICE, OFFICE)],
    "task_template_delete": [
        (
            "",
            lambda c: [c.template.pk],
            everyone(405),
            {**_post(OFFICE), "anonymous": 302},
        )
    ],
}
assert set(ROLES) == set(MATRIX["task_list"][0][2])

EVIDENCE_NAME = "task-evidence/matrix/cast.pdf"


def _task(world, project, unit, title):
    task = Task.objects.create(
        project=project,
        title=title,
        responsible_unit=unit,
        deadline=dt.date(2026, 12, 31),
        created_by=world.staff,
    )
    TaskStatusChange.objects.create(task=task, to_status=task.status, by=world.staff)
    # One small file in the media folder, shared by every run (as plans' matrix does with its photo).
    if not default_storage.exists(EVIDENCE_NAME):
        default_storage.save(EVIDENCE_NAME, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    evidence = TaskEvidence.objects.create(
        task=task, file=EVIDENCE_NAME, original_name="批复.pdf", uploaded_by=world.staff
    )
    return task, evidence


def prepare(world):
    world.task_a, world.evidence_a = _task(world, world.project_a, world.department, "可研批复")
    world.task_b, world.evidence_b = _task(world, world.project_b, world.owner_b, "施工许可")
    world.template = TaskTemplate.objects.create(category="new_start", name="矩阵测试模板")
