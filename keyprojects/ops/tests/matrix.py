"""Role × endpoint matrix entries of ops (see keyprojects/matrix.py).

The health endpoints answer everyone, logged in or not (load balancers poll them); the operations page
is the office admin's: it says where the backups lie and what failed."""

from keyprojects.matrix import everyone, row

OFFICE_ADMIN_ONLY = row(office_staff=403, leader=403, district=403, department=403, owner=403, outsider=403)

MATRIX = {
    "healthz": [("", lambda c: [], everyone(200), everyone(405))],
    "readyz": [("", lambda c: [], everyone(200), everyone(405))],
    "ops_status": [("", lambda c: [], OFFICE_ADMIN_ONLY, everyone(405))],
}
