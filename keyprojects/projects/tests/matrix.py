"""Role × endpoint matrix entries of the project registry (see keyprojects/matrix.py)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyprojects.matrix import ROLES, row
from keyprojects.projects.models import FactorNeed
from keyprojects.projects.tasks import export_path, project_export_task

# Who may change project A (district A, owner A, the department co-responsible).
EDIT_A = row(leader=403, department=403, outsider=404)
# Project B lies outside the district's, the department's and the owner's scope.
EDIT_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
EXPORT_OWN = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "office_staff": 200}

MATRIX = {
    "project_list": [("", lambda c: [], row(), None)],
    "project_export": [("", lambda c: [], row(), None)],
    # A queued export is its user's alone (office staff asked for this one).
    "project_export_status": [("", lambda c: [c.export_pk], EXPORT_OWN, None)],
    "project_export_download": [("", lambda c: [c.export_pk], EXPORT_OWN, None)],
    "project_create": [("", lambda c: [], row(leader=403, department=403), row(leader=403, department=403))],
    "project_detail": [
        ("A", lambda c: [c.project_a.pk], READ_A, None),
        ("B", lambda c: [c.project_b.pk], READ_B, None),
    ],
    "project_edit": [
        ("A", lambda c: [c.project_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk], EDIT_B, EDIT_B),
    ],
    "project_stage": [
        (
            "A",
            lambda c: [c.project_a.pk],
            row(leader=403, department=403, owner=403, outsider=404),
            row(leader=403, department=403, owner=403, outsider=404),
        ),
        (
            "B",
            lambda c: [c.project_b.pk],
            row(leader=403, district=404, department=404, owner=404, outsider=404),
            row(leader=403, district=404, department=404, owner=404, outsider=404),
        ),
    ],
    "prelim_item_edit": [
        ("A", lambda c: [c.project_a.pk, "eia"], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk, "eia"], EDIT_B, EDIT_B),
    ],
    "factor_need_create": [
        ("A", lambda c: [c.project_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk], EDIT_B, EDIT_B),
    ],
    "factor_need_edit": [
        ("A", lambda c: [c.project_a.pk, c.need_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk, c.need_b.pk], EDIT_B, EDIT_B),
    ],
    "factor_need_delete": [
        (
            "A",
            lambda c: [c.project_a.pk, c.need_a.pk],
            dict.fromkeys(ROLES, 405),
            {**EDIT_A, **dict.fromkeys(["office_admin", "office_staff", "district", "owner"], 302)},
        ),
        (
            "B",
            lambda c: [c.project_b.pk, c.need_b.pk],
            dict.fromkeys(ROLES, 405),
            {**EDIT_B, **dict.fromkeys(["office_admin", "office_staff"], 302)},
        ),
    ],
}


def prepare(world):
    staff = world.by_role()["office_staff"]
    world.export_pk = project_export_task.enqueue(staff.pk, "", "zh-hans").id
    path = default_storage.save(export_path(staff.pk, world.export_pk), ContentFile(b"PK xlsx"))
    DBTaskResult.objects.filter(pk=world.export_pk).update(
        status=TaskResultStatus.SUCCESSFUL,
        finished_at=timezone.now(),
        return_value={"path": path, "filename": "projects.xlsx", "rows": 2},
    )
    world.need_a = FactorNeed.objects.create(project=world.project_a, kind="land", need_quantity=10)
    world.need_b = FactorNeed.objects.create(project=world.project_b, kind="land", need_quantity=10)
