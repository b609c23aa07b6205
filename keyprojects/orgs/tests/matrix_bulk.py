"""Role × endpoint matrix entries of the organisations and users import (see keyprojects/matrix.py):
office admin and staff only, 403 for everyone else."""

from keyprojects.matrix import ROLES, everyone, row

NOT_OFFICE = {r: 403 for r in ("leader", "district", "department", "owner", "outsider")}
OFFICE_PAGE = row(**NOT_OFFICE)
# An empty POST to the confirmation has nothing to confirm: back to the upload page.
OFFICE_ACTION = {**everyone(302), **NOT_OFFICE}
POST_ONLY = dict.fromkeys(ROLES, 405)

MATRIX = {
    # An empty POST answers with the upload page and the form's error (nothing is written).
    "organisation_import": [("", lambda c: [], OFFICE_PAGE, OFFICE_PAGE)],
    "organisation_import_apply": [("", lambda c: [], POST_ONLY, OFFICE_ACTION)],
    "organisation_import_template": [("", lambda c: [], OFFICE_PAGE, POST_ONLY)],
}
