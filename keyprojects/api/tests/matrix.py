"""Role × endpoint matrix entries of api for the site-wide test (keyprojects/tests/test_access_matrix.py),
which GETs each URL and POSTs an empty form to it. The API's own matrix, with valid bodies for every
operation of the OpenAPI schema, is api_matrix.py."""

from keyprojects.api.tests.api_matrix import MATRIX as API
from keyprojects.api.tests.api_matrix import statuses
from keyprojects.api.tests.world import api_world
from keyprojects.matrix import ROLES, row

NOT_ALLOWED = statuses(405)  # signed in: 405; anonymous: 401 (authentication comes first)
OFFICE_PAGE = row(leader=403, district=403, department=403, owner=403, outsider=403)


def _empty_post(statuses_with_body, *, valid_when_empty=False):
    """What an empty POST gets where a valid body gets STATUSES_WITH_BODY: the same refusal by the gate,
    otherwise 400 for the missing fields (or the success itself when every field is optional)."""
    if valid_when_empty:
        return dict(statuses_with_body)
    return {role: 400 if status in (200, 201) else status for role, status in statuses_with_body.items()}


def _args(case):
    return lambda world: [case.params(world)["id"]]


def _detail(path, label):
    return next(c for c in API[("get", path)] if c.label == label)


MATRIX = {
    "api-schema": [("", lambda c: [], statuses(200), NOT_ALLOWED)],
    "api-docs": [("", lambda c: [], row(), {**NOT_ALLOWED, "anonymous": 302})],
    "api-redoc": [  # a redirect to api-docs
        ("", lambda c: [], row(**dict.fromkeys(ROLES[1:], 302)), {**NOT_ALLOWED, "anonymous": 302})
    ],
    "api-token-list": [
        ("", lambda c: [], OFFICE_PAGE, {**OFFICE_PAGE, "office_admin": 400, "office_staff": 400})
    ],
    "api-token-revoke": [
        (
            "",
            lambda c: [c.api_token_a.pk],
            dict.fromkeys(ROLES, 405),
            {**OFFICE_PAGE, "office_admin": 302, "office_staff": 302},
        )
    ],
    "api-organisation-list": [("", lambda c: [], statuses(200), NOT_ALLOWED)],
    "api-sector-list": [("", lambda c: [], statuses(200), NOT_ALLOWED)],
    "api-warning-list": [("", lambda c: [], statuses(200), NOT_ALLOWED)],
    "api-oc4ids-list": [("", lambda c: [], statuses(200), NOT_ALLOWED)],
    # An empty body fails validation before the role is looked at, except where the role alone decides.
    "api-project-list": [("", lambda c: [], statuses(200), statuses(400, leader=403, department=403))],
    "api-entry-list": [("", lambda c: [], statuses(200), statuses(403, office_admin=400, office_staff=400))],
    "api-report-list": [("", lambda c: [], statuses(200), statuses(400))],
    "api-task-list": [("", lambda c: [], statuses(200), statuses(400))],
    "api-problem-list": [("", lambda c: [], statuses(200), statuses(400))],
}

for kind, path in [
    ("project", "/api/projects/{id}/"),
    ("entry", "/api/entries/{id}/"),
    ("report", "/api/reports/{id}/"),
    ("task", "/api/tasks/{id}/"),
    ("problem", "/api/problems/{id}/"),
    ("warning", "/api/warnings/{id}/"),
]:
    MATRIX[f"api-{kind}-detail"] = [
        (
            label,
            _args(_detail(path, label)),
            _detail(path, label).statuses,
            NOT_ALLOWED,
        )
        for label in ("A", "B")
    ]

ACTIONS = {
    "project": ["stage"],
    "report": ["submit", "approve", "return"],
    "task": ["status", "evidence"],
    "problem": [
        "assign",
        "co-unit",
        "escalate",
        "deescalate",
        "progress",
        "resolve",
        "confirm",
        "reject",
        "reopen",
        "instruct",
        "reply",
    ],
}
PLURAL = {"project": "projects", "report": "reports", "task": "tasks", "problem": "problems"}
for kind, names in ACTIONS.items():
    for name in names:
        cases = API[("post", f"/api/{PLURAL[kind]}/{{id}}/{name}/")]
        MATRIX[f"api-{kind}-{name}"] = [
            (
                case.label,
                _args(case),
                NOT_ALLOWED,
                _empty_post(case.statuses, valid_when_empty=name == "confirm"),
            )
            for case in cases
        ]


def prepare(world):
    api_world(world)
