"""Role × endpoint matrix entries of the annual-list import (see keyprojects/matrix.py): office only."""

from keyprojects.matrix import everyone, row
from keyprojects.plans.models import ImportJob

OFFICE_ONLY = row(leader=403, district=403, department=403, owner=403, outsider=403)
# POST {} to the upload form: the office sees the form again with its errors.
# POST to apply a job that was rejected: the office is sent back to the job page with the reason.
APPLY = {**OFFICE_ONLY, "office_admin": 302, "office_staff": 302}

MATRIX = {
    "import_upload": [("", lambda c: [], OFFICE_ONLY, OFFICE_ONLY)],
    "import_template": [("", lambda c: [], OFFICE_ONLY, None)],
    "import_job": [("", lambda c: [c.import_job.pk], OFFICE_ONLY, None)],
    "import_progress": [("", lambda c: [c.import_job.pk], OFFICE_ONLY, None)],
    "import_apply": [("", lambda c: [c.import_job.pk], everyone(405), APPLY)],
    "import_errors_report": [("", lambda c: [c.import_job.pk], OFFICE_ONLY, None)],
}


def prepare(world):
    world.import_job = ImportJob.objects.create(
        year=2026,
        file="imports/matrix.xlsx",
        original_name="2026年清单.xlsx",
        status=ImportJob.Status.REJECTED,
        errors=[
            {
                "sheet": "清单",
                "row": 6,
                "column": "项目代码",
                "letter": "C",
                "message": "格式不正确",
                "value": "x",
            }
        ],
        created_by=world.staff,
    )
