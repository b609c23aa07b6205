"""Role × endpoint matrix of the REST API, keyed by the OpenAPI schema's (method, path).

test_api_matrix.py walks every operation of the schema and fails when one has no entry here, then
sends each case as every role (session login; anonymous gets 401) and checks the status. A case gives
the path parameters, a valid body, and the status per role; "A" cases are inside the district's,
department's and owner's scope, "B" cases outside it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from keyprojects.matrix import ROLES

ANON = 401


def statuses(ok, **overrides):
    """OK for every signed-in role, 401 for anonymous, then OVERRIDES."""
    return {"anonymous": ANON, **dict.fromkeys(ROLES[1:], ok), **overrides}


# Visibility of the A and B objects for reads.
READ_A = statuses(200, outsider=404)
READ_B = statuses(200, district=404, department=404, owner=404, outsider=404)
OFFICE_ONLY_B = dict(district=404, department=404, owner=404, outsider=404)


@dataclass
class Case:
    label: str
    statuses: dict
    params: Callable = lambda w: {}
    body: Callable | None = None
    multipart: bool = False
    extra: dict = field(default_factory=dict)


def _pk(name):
    return lambda w: {"id": getattr(w, name).pk}


def _version(attr, **more):
    def body(w):
        obj = getattr(w, attr)
        obj.refresh_from_db()
        return {"version": obj.version, **{k: (v(w) if callable(v) else v) for k, v in more.items()}}

    return body


def _today():
    from keyprojects.api.tests.world import TODAY

    return TODAY.isoformat()


def _project_body(owner, district):
    return lambda w: {
        "name": "南宁市新建综合管廊工程",
        "owner": getattr(w, owner).pk,
        "district": getattr(w, district).pk,
        "sector": w.sector.pk,
        "total_investment": "12345.6789",
        "start_year": 2026,
        "end_year": 2028,
    }


def _list(*labels):
    return [Case("", statuses(200))]


MATRIX = {
    # Reference data
    ("get", "/api/organisations/"): _list(),
    ("get", "/api/sectors/"): _list(),
    # Projects
    ("get", "/api/projects/"): _list(),
    ("post", "/api/projects/"): [
        Case(
            "A",
            statuses(201, leader=403, department=403, outsider=400),
            body=_project_body("owner_a", "district_a"),
        ),
        Case(
            "B",
            statuses(201, leader=403, department=403, district=400, owner=400, outsider=400),
            body=_project_body("owner_b", "district_b"),
        ),
    ],
    ("get", "/api/projects/{id}/"): [
        Case("A", READ_A, _pk("project_a")),
        Case("B", READ_B, _pk("project_b")),
    ],
    ("patch", "/api/projects/{id}/"): [
        Case(
            "A",
            statuses(200, leader=403, department=403, outsider=404),
            _pk("project_a"),
            _version("project_a", name="新名称"),
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("project_b"),
            _version("project_b", name="新名称"),
        ),
    ],
    ("post", "/api/projects/{id}/stage/"): [
        Case(
            "A",
            statuses(200, leader=403, department=403, owner=403, outsider=404),
            _pk("project_a"),
            lambda w: {"to_stage": "preliminary", "on": _today()},
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("project_b"),
            lambda w: {"to_stage": "preliminary", "on": _today()},
        ),
    ],
    # Annual entries
    ("get", "/api/entries/"): _list(),
    ("post", "/api/entries/"): [
        Case(
            "A",
            statuses(403, office_admin=201, office_staff=201),
            body=lambda w: {
                "year": 2027,
                "batch": w.api_batch_next.pk,
                "project": w.project_a.pk,
                "category": "continuing",
                "planned_investment": "8000",
            },
        ),
    ],
    ("get", "/api/entries/{id}/"): [
        Case("A", READ_A, _pk("entry_a")),
        Case("B", READ_B, _pk("entry_b")),
    ],
    ("patch", "/api/entries/{id}/"): [
        Case(
            "A",
            statuses(403, office_admin=200, office_staff=200, outsider=404),
            _pk("entry_a"),
            _version("entry_a", goal="完成主体结构封顶"),
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("entry_b"),
            _version("entry_b", goal="完成 15 个小区改造"),
        ),
    ],
    # Monthly reports
    ("get", "/api/reports/"): _list(),
    ("post", "/api/reports/"): [
        Case(
            "A",
            statuses(201, leader=403, district=403, department=403, outsider=400),
            body=lambda w: {
                "entry": w.entry_a.pk,
                "month": 10,
                "amount": "1200.5",
                "progress": "主体结构施工",
            },
        ),
        # A district (or anyone) posting for a project outside its scope: 400 naming the entry.
        Case(
            "B",
            statuses(201, leader=403, district=400, department=400, owner=400, outsider=400),
            body=lambda w: {"entry": w.entry_b.pk, "month": 10, "amount": "300", "progress": "完成改造"},
        ),
    ],
    ("get", "/api/reports/{id}/"): [
        Case("A", READ_A, _pk("api_report_a")),
        Case("B", READ_B, _pk("api_report_b")),
    ],
    ("patch", "/api/reports/{id}/"): [
        Case(
            "A",
            statuses(200, leader=403, district=403, department=403, outsider=404),
            _pk("api_report_a"),
            _version("api_report_a", amount="88.8"),
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("api_report_b"),
            _version("api_report_b", amount="88.8"),
        ),
    ],
    ("post", "/api/reports/{id}/submit/"): [
        Case(
            "A",
            statuses(200, leader=403, district=403, department=403, outsider=404),
            _pk("api_report_a"),
            _version("api_report_a"),
        ),
        Case("B", statuses(200, leader=403, **OFFICE_ONLY_B), _pk("api_report_b"), _version("api_report_b")),
    ],
    ("post", "/api/reports/{id}/approve/"): [
        Case(
            "A",
            statuses(200, leader=403, owner=403, outsider=404),
            _pk("api_submitted_a"),
            _version("api_submitted_a"),
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("api_submitted_b"),
            _version("api_submitted_b"),
        ),
    ],
    ("post", "/api/reports/{id}/return/"): [
        Case(
            "A",
            statuses(200, leader=403, owner=403, outsider=404),
            _pk("api_submitted_a"),
            _version("api_submitted_a", reason="金额有误"),
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("api_submitted_b"),
            _version("api_submitted_b", reason="金额有误"),
        ),
    ],
    # Tasks
    ("get", "/api/tasks/"): _list(),
    ("post", "/api/tasks/"): [
        Case(
            "A",
            statuses(201, leader=403, department=403, owner=403, outsider=400),
            body=lambda w: {
                "project": w.project_a.pk,
                "title": "完成用地报批",
                "responsible_unit": w.owner_a.pk,
                "deadline": "2026-12-20",
            },
        ),
        Case(
            "B",
            statuses(201, leader=403, district=400, department=400, owner=400, outsider=400),
            body=lambda w: {
                "project": w.project_b.pk,
                "title": "完成用地报批",
                "responsible_unit": w.owner_b.pk,
                "deadline": "2026-12-20",
            },
        ),
    ],
    ("get", "/api/tasks/{id}/"): [
        Case("A", READ_A, _pk("api_task_a")),
        Case("B", READ_B, _pk("api_task_b")),
    ],
    ("patch", "/api/tasks/{id}/"): [
        Case(
            "A",
            statuses(200, leader=403, department=403, owner=403, outsider=404),
            _pk("api_task_a"),
            _version("api_task_a", title="取得施工许可证"),
        ),
        Case(
            "B",
            statuses(200, leader=403, **OFFICE_ONLY_B),
            _pk("api_task_b"),
            _version("api_task_b", title="取得施工许可证"),
        ),
    ],
    ("post", "/api/tasks/{id}/status/"): [
        Case(
            "A",
            statuses(200, leader=403, department=403, outsider=404),
            _pk("api_task_a"),
            lambda w: {"status": "doing"},
        ),
        Case(
            "B", statuses(200, leader=403, **OFFICE_ONLY_B), _pk("api_task_b"), lambda w: {"status": "doing"}
        ),
    ],
    ("post", "/api/tasks/{id}/evidence/"): [
        Case(
            "A",
            statuses(201, leader=403, department=403, outsider=404),
            _pk("api_task_a"),
            lambda w: {"note": "已提交申请材料"},
        ),
        Case(
            "B",
            statuses(201, leader=403, **OFFICE_ONLY_B),
            _pk("api_task_b"),
            lambda w: {"note": "已提交申请材料"},
        ),
    ],
    # Problems
    ("get", "/api/problems/"): _list(),
    ("post", "/api/problems/"): [
        Case(
            "A",
            statuses(201, leader=403, outsider=400),
            body=lambda w: {
                "project": w.project_a.pk,
                "category": "land",
                "title": "征地补偿款未到位",
                "description": "尚有 12 户未签约。",
                "lead_unit": w.district_a.pk,
            },
        ),
        Case(
            "B",
            statuses(201, leader=403, district=400, department=400, owner=400, outsider=400),
            body=lambda w: {
                "project": w.project_b.pk,
                "category": "land",
                "title": "征地补偿款未到位",
                "description": "尚有 12 户未签约。",
                "lead_unit": w.district_b.pk,
            },
        ),
    ],
    ("get", "/api/problems/{id}/"): [
        Case("A", statuses(200, outsider=404), _pk("api_problem_a")),
        Case("B", READ_B, _pk("api_problem_b")),
    ],
}

# The office coordinates; the lead unit (A: the department, B: district B) handles; the raiser's unit
# (A: owner A, B: owner B) confirms; leaders instruct.
COORDINATE_A = statuses(403, office_admin=200, office_staff=200, outsider=404)
COORDINATE_B = statuses(403, office_admin=200, office_staff=200, **OFFICE_ONLY_B)
HANDLE_A = statuses(403, office_admin=200, office_staff=200, department=200, outsider=404)
CONFIRM_A = statuses(403, office_admin=200, office_staff=200, owner=200, outsider=404)
for path, body, a, b, obj in [
    ("assign", lambda w: {"lead_unit": w.department.pk}, COORDINATE_A, COORDINATE_B, "problem"),
    ("co-unit", lambda w: {"unit": w.other_department.pk}, COORDINATE_A, COORDINATE_B, "problem"),
    ("escalate", lambda w: {"reason": "超过时限仍未解决"}, COORDINATE_A, COORDINATE_B, "problem"),
    ("deescalate", lambda w: {"reason": "已有进展"}, COORDINATE_A, COORDINATE_B, "problem"),
    ("progress", lambda w: {"note": "已召开协调会"}, HANDLE_A, COORDINATE_B, "problem"),
    ("resolve", lambda w: {"note": "施工许可证已核发"}, HANDLE_A, COORDINATE_B, "problem"),
    ("confirm", lambda w: {"note": "确认已解决"}, CONFIRM_A, COORDINATE_B, "resolved"),
    ("reject", lambda w: {"reason": "问题仍然存在"}, CONFIRM_A, COORDINATE_B, "resolved"),
    ("reopen", lambda w: {"reason": "问题再次出现"}, CONFIRM_A, COORDINATE_B, "closed"),
]:
    MATRIX[("post", f"/api/problems/{{id}}/{path}/")] = [
        Case("A", a, _pk(f"api_{obj}_a"), body),
        Case("B", b, _pk(f"api_{obj}_b"), body),
    ]


def _deadline():
    from keyprojects.api.tests.world import TODAY

    return (TODAY + dt.timedelta(days=5)).isoformat()


MATRIX[("post", "/api/problems/{id}/instruct/")] = [
    Case(
        "A",
        statuses(403, leader=200, outsider=404),
        _pk("api_problem_a"),
        lambda w: {"text": "请加快办理", "reply_unit": w.department.pk, "reply_deadline": _deadline()},
    ),
    Case(
        "B",
        statuses(403, leader=200, **OFFICE_ONLY_B),
        _pk("api_problem_b"),
        lambda w: {"text": "请加快办理", "reply_unit": w.district_b.pk, "reply_deadline": _deadline()},
    ),
]
# The office passes the gate but is not the unit asked to reply: 400 with the reason.
MATRIX[("post", "/api/problems/{id}/reply/")] = [
    Case(
        "A",
        statuses(403, office_admin=400, office_staff=400, department=200, outsider=404),
        _pk("api_problem_a"),
        lambda w: {"instruction": w.api_instruction_a.pk, "text": "已于本周召开协调会"},
    ),
    Case(
        "B",
        statuses(403, office_admin=400, office_staff=400, **OFFICE_ONLY_B),
        _pk("api_problem_b"),
        lambda w: {"instruction": w.api_instruction_b.pk, "text": "已于本周召开协调会"},
    ),
]
MATRIX.update(
    {
        ("get", "/api/warnings/"): _list(),
        ("get", "/api/warnings/{id}/"): [
            Case("A", READ_A, _pk("api_warning_a")),
            Case("B", READ_B, _pk("api_warning_b")),
        ],
        # The package is open data: the same for every signed-in user (the outsider included).
        ("get", "/api/oc4ids/"): _list(),
    }
)
