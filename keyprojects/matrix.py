"""Shared vocabulary of the role × endpoint matrix (keyprojects/tests/test_access_matrix.py).

Each app lists its URLs in `<app>/tests/matrix.py` as MATRIX = {url name: [(label, args(world), GET
statuses, POST statuses or None)]} and may define `prepare(world)` to add the records its URLs need.
`world` is the shared test cast (keyprojects/test.py).
"""

ROLES = ["anonymous", "office_admin", "office_staff", "leader", "district", "department", "owner", "outsider"]
EVERYONE = dict.fromkeys(ROLES[1:], 200)
LOGIN = 302  # anonymous users are sent to the login page


def row(anonymous=LOGIN, **overrides):
    """Statuses for every role: 200 when logged in, a redirect to login when anonymous, then OVERRIDES."""
    return {"anonymous": anonymous, **EVERYONE, **overrides}


def everyone(status):
    return dict.fromkeys(ROLES, status)
