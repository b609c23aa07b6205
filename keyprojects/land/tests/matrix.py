"""Role × endpoint matrix entries of land (see keyprojects/matrix.py)."""

from keyprojects.matrix import row

READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
# The office edits every land task; a district those of its own projects; the others read.
EDIT_A = row(leader=403, department=403, owner=403, outsider=404)
EDIT_B = row(leader=403, district=404, department=404, owner=404, outsider=404)


def _a(c):
    return [c.project_a.pk]


def _b(c):
    return [c.project_b.pk]


MATRIX = {
    "land_ledger": [("", lambda c: [], row(), None)],
    "land_export": [("", lambda c: [], row(), None)],
    "land_project": [("A", _a, READ_A, None), ("B", _b, READ_B, None)],
    "land_task_edit": [("A", _a, EDIT_A, EDIT_A), ("B", _b, EDIT_B, EDIT_B)],
    "land_progress_add": [("A", _a, EDIT_A, EDIT_A), ("B", _b, EDIT_B, EDIT_B)],
    "land_raise_problem": [("A", _a, EDIT_A, EDIT_A), ("B", _b, EDIT_B, EDIT_B)],
}


def prepare(world):
    from keyprojects.land.models import LandTask

    LandTask.objects.get_or_create(
        project=world.project_a, defaults={"responsible_unit": world.district_a, "land_to_acquire": 100}
    )
    LandTask.objects.get_or_create(
        project=world.project_b, defaults={"responsible_unit": world.district_b, "land_to_acquire": 50}
    )
