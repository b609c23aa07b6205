"""The shared test cast (STYLE.md): one person per role, two districts, two owners, an outsider.

Use `cast` (a pytest fixture in conftest.py) in tests; `make_cast()` builds the same people anywhere.
"""

from dataclasses import dataclass

from django.db import transaction

from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import Project, Sector

PASSWORD = "cast-password-2026"
Kind = Organisation.Kind
Role = User.Role


@dataclass
class Cast:
    office: Organisation
    district_a: Organisation
    district_b: Organisation
    department: Organisation
    other_department: Organisation
    owner_a: Organisation
    owner_b: Organisation
    sector: Sector
    admin: User
    staff: User
    leader: User
    district: User
    district_b_user: User
    department_user: User
    owner: User
    owner_b_user: User
    outsider: User
    project_a: Project  # in district A, owned by owner A, department responsible
    project_b: Project  # in district B, owned by owner B

    def by_role(self):
        return {
            "office_admin": self.admin,
            "office_staff": self.staff,
            "leader": self.leader,
            "district": self.district,
            "department": self.department_user,
            "owner": self.owner,
            "outsider": self.outsider,
        }


def make_user(username, org, role, **extra):
    return User.objects.create_user(
        username=username, password=PASSWORD, organisation=org, role=role, full_name=username, **extra
    )


def make_project(*, name, owner, district, sector, total_wan=50000, **extra):
    from keyprojects.projects.services import project_refresh_search_text

    project = Project.objects.create(
        name=name,
        owner=owner,
        district=district,
        sector=sector,
        total_investment=total_wan * 10_000,
        start_year=extra.pop("start_year", 2025),
        end_year=extra.pop("end_year", 2027),
        **extra,
    )
    project_refresh_search_text(project)
    project.save(update_fields=["search_text"])
    return project


# Reference data the migrations seed. A transactional test's flush removes it for the tests after it,
# so the cast puts it back (each seed is idempotent).
SEEDS = (
    "keyprojects.tasks.migrations.0003_default_templates",
    "keyprojects.alerts.migrations.0002_seed_rules",
    "keyprojects.coordination.migrations.0003_escalation_levels",
    "keyprojects.projects.migrations.0005_standard_sectors",
    "keyprojects.assessment.migrations.0002_default_schemes",
)


def seed_reference_data():
    import importlib

    from django.apps import apps

    for name in SEEDS:
        importlib.import_module(name).seed(apps, None)


def make_cast() -> Cast:
    seed_reference_data()
    office = Organisation.objects.create(kind=Kind.OFFICE, name="测试市重点项目建设办公室")
    district_a = Organisation.objects.create(kind=Kind.DISTRICT, name="青秀区")
    district_b = Organisation.objects.create(kind=Kind.DISTRICT, name="西乡塘区")
    department = Organisation.objects.create(kind=Kind.DEPARTMENT, name="市发展和改革委员会")
    other_department = Organisation.objects.create(kind=Kind.DEPARTMENT, name="市生态环境局")
    owner_a = Organisation.objects.create(kind=Kind.OWNER, name="南宁轨道交通集团有限责任公司")
    owner_b = Organisation.objects.create(kind=Kind.OWNER, name="广西西乡塘城市建设投资有限公司")
    sector = Sector.objects.get(name="基础设施")  # seeded by the migrations
    outsider_org = Organisation.objects.create(kind=Kind.OWNER, name="无项目的业主公司")
    leader = make_user("leader", office, Role.LEADER)
    project_a = make_project(
        name="南宁市轨道交通5号线二期工程",
        owner=owner_a,
        district=district_a,
        sector=sector,
        code="2411-450100-04-01-637015",
        leader=leader,
    )
    project_a.departments.add(department)
    project_b = make_project(
        name="西乡塘区老旧小区改造项目", owner=owner_b, district=district_b, sector=sector, total_wan=8000
    )
    return Cast(
        office=office,
        district_a=district_a,
        district_b=district_b,
        department=department,
        other_department=other_department,
        owner_a=owner_a,
        owner_b=owner_b,
        sector=sector,
        admin=make_user("admin", office, Role.OFFICE_ADMIN, is_staff=True, is_superuser=True),
        staff=make_user("staff", office, Role.OFFICE_STAFF),
        leader=leader,
        district=make_user("district", district_a, Role.DISTRICT),
        district_b_user=make_user("district_b", district_b, Role.DISTRICT),
        department_user=make_user("department", department, Role.DEPARTMENT),
        owner=make_user("owner", owner_a, Role.OWNER),
        owner_b_user=make_user("owner_b", owner_b, Role.OWNER),
        outsider=make_user("outsider", outsider_org, Role.OWNER),
        project_a=project_a,
        project_b=project_b,
    )


class SharedWorld:
    """Records built once and shared by a run of consecutive tests, as Django's TestCase.setUpTestData
    does: an outer transaction holds them, and each test's own transaction (pytest-django's `db`)
    becomes a savepoint inside it that is rolled back, so every test still starts from the same rows.

    `get(key, build)` returns what BUILD made for KEY, rebuilding when the key changes (a role matrix
    shares one world per URL family). Call it before the test's `db` fixture is set up: from a fixture
    that the test's fixture lists before `db` (`def world(_family, db)`); `close()` at the end of the
    scope rolls the shared records back. Tests that read only what the world holds (like the role ×
    endpoint matrices, whose requests are rolled back with their savepoint) are the ones to use it.
    """

    def __init__(self, django_db_blocker):
        self._blocker = django_db_blocker
        self._atomic = None
        self._key = self._value = None

    def get(self, key, build):
        if self._atomic is None or key != self._key:
            self.close()
            with self._blocker.unblock():
                self._atomic = transaction.atomic()
                self._atomic.__enter__()
                try:
                    self._value = build()
                except BaseException:
                    self.close()
                    raise
            self._key = key
        return self._value

    def close(self):
        if self._atomic is None:
            return
        atomic, self._atomic, self._key, self._value = self._atomic, None, None, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
