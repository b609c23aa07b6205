"""Role × endpoint matrix entries of the holiday-schedule pages (see keyprojects/matrix.py): the office's
settings, like the escalation ladder — office admin and staff only, 403 for everyone else."""

from keyprojects.matrix import everyone, row

OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)

MATRIX = {
    "calendar_years": [("", lambda c: [], OFFICE, everyone(405))],
    # An empty POST answers with the page and its error (nothing is written).
    "calendar_year": [("2027", lambda c: [2027], OFFICE, OFFICE)],
}
