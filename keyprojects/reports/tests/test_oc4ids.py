"""The OC4IDS export: conforms to the schema and codelists, maps our data exactly, publishes only what
the office made public, with a fixed number of queries."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import OfficeSettings
from keyprojects.plans.models import AnnualEntry, Batch, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage, StageChange
from keyprojects.reports import oc4ids
from keyprojects.reports.models import PublicDataSetting
from keyprojects.reports.services import oc4ids_package, public_data_setting_update
from keyprojects.test import make_project

TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _publish(**fields):
    """The office's setting: the defaults (with 谋划储备 published, as the cast's projects are) and FIELDS."""
    PublicDataSetting.objects.filter(pk=1).delete()
    PublicDataSetting.objects.create(pk=1, **{"include_reserve": True, **fields})


def _project(package, project):
    return next(p for p in package["projects"] if p["id"] == f"oc4ids-xxxxxx-{project.pk}")


def _report(entry, month, amount_yuan, status=MonthlyReport.Status.APPROVED, progress=""):
    return MonthlyReport.objects.create(
        entry=entry, month=month, amount=amount_yuan, status=status, progress=progress
    )


def _move(project, by, *moves):
    for from_stage, to_stage, day in moves:
        StageChange.objects.create(project=project, from_stage=from_stage, to_stage=to_stage, date=day, by=by)


@pytest.fixture
def world(cast):
    world = plans_cast(cast)
    _publish()
    return world


def test_it_exports_the_demo_city_conforming_to_oc4ids(db, django_assert_max_num_queries):
    from keyprojects.demo.loader import load_demo

    load_demo(projects=120, today=dt.date(2026, 12, 7))
    PublicDataSetting.objects.create(pk=1, publish_funding=True, publish_contact=True, publish_land=True)
    with django_assert_max_num_queries(12):
        package = oc4ids_package(uri="https://data.example.cn/open-data/oc4ids.json")

    assert len(package["projects"]) > 50
    assert oc4ids.package_errors(package) == []
    # The codelists, checked by hand as well: every closed and open code we emit is on the local lists.
    statuses = {p["status"] for p in package["projects"]}
    assert statuses <= oc4ids.codelist("projectStatus")
    assert {"implementation", "preparation"} <= statuses
    assert {s for p in package["projects"] for s in p.get("sector", [])} <= oc4ids.codelist("projectSector")
    ids = [p["id"] for p in package["projects"]]
    assert len(ids) == len(set(ids))
    # Exact money: integers of yuan, never floats.
    for project in package["projects"]:
        assert isinstance(project["budget"]["amount"]["amount"], int)
        for metric in project.get("metrics", []):
            for obs in metric["observations"]:
                if "value" in obs:
                    assert isinstance(obs["value"]["amount"], int)
    assert any("metrics" in p for p in package["projects"])
    assert any("forecasts" in p for p in package["projects"])
    assert any(p.get("locations", [{}])[0].get("geometry") for p in package["projects"])


def test_it_keeps_the_query_count_whatever_the_number_of_projects(world, django_assert_num_queries):
    with django_assert_num_queries(8) as small:
        oc4ids_package()
    for i in range(30):
        project = make_project(
            name=f"测试项目{i}", owner=world.owner_a, district=world.district_a, sector=world.sector
        )
        entry = AnnualEntry.objects.create(
            annual_list=world.annual_list,
            batch=world.batch,
            project=project,
            category=Category.CONTINUING,
            planned_investment=1_000_000,
        )
        _report(entry, 1, 10_000)
        PrelimItem.objects.create(project=project, kind="eia", planned_date=dt.date(2026, 3, 1))
    with django_assert_num_queries(len(small.captured_queries)):
        package = oc4ids_package()
    assert len(package["projects"]) == 32


def test_it_maps_stages_money_reports_and_plan_exactly(world):
    a = world.project_a
    a.total_investment = 1_234_567_891  # 123,456.7891 万元: whole yuan, exactly
    a.stage = Stage.CONSTRUCTION
    a.start_date = dt.date(2026, 3, 18)
    a.latitude, a.longitude = "22.815123", "108.420456"
    a.location = "青秀区凤岭北片区"
    a.content = "全长约 10 公里，设车站 8 座。"
    a.save()
    _move(
        a,
        world.staff,
        ("", Stage.RESERVE, dt.date(2025, 1, 6)),
        (Stage.RESERVE, Stage.PRELIMINARY, dt.date(2025, 4, 1)),
        (Stage.PRELIMINARY, Stage.CONSTRUCTION, dt.date(2026, 3, 18)),
    )
    world.entry_a.monthly_plan = [100_000_000 * (m + 1) for m in range(12)]
    world.entry_a.save()
    _report(world.entry_a, 3, 123_456_789, progress="桩基施工")
    _report(world.entry_a, 4, 5, status=MonthlyReport.Status.SUBMITTED)
    _report(world.entry_a, 5, 999, status=MonthlyReport.Status.DRAFT)  # not counted
    _report(world.entry_a, 6, 777, status=MonthlyReport.Status.RETURNED)  # not counted
    PrelimItem.objects.create(
        project=a, kind="eia", planned_date=dt.date(2025, 6, 1), actual_date=dt.date(2025, 7, 2)
    )
    PrelimItem.objects.create(project=a, kind="tender", planned_date=dt.date(2025, 9, 1))
    PrelimItem.objects.create(project=a, kind="construction_permit", planned_date=dt.date(2027, 1, 1))
    world.sector.oc4ids_sector = "transport.urban"
    world.sector.save()

    package = oc4ids_package()
    p = _project(package, a)

    assert oc4ids.package_errors(package) == []
    assert p["title"] == "南宁市轨道交通5号线二期工程"
    assert p["status"] == "implementation"
    assert p["sector"] == ["transport", "transport.urban"]
    assert p["budget"]["amount"] == {"amount": 1_234_567_891, "currency": "CNY"}
    assert {"id": "2411-450100-04-01-637015", "scheme": "GB/T 40058-2021"} in p["identifiers"]
    assert p["description"] == "全长约 10 公里，设车站 8 座。"
    assert p["identificationPeriod"] == {
        "startDate": "2025-01-06T00:00:00+08:00",
        "endDate": "2025-04-01T00:00:00+08:00",
    }
    assert p["preparationPeriod"] == {
        "startDate": "2025-04-01T00:00:00+08:00",
        "endDate": "2026-03-18T00:00:00+08:00",
    }
    assert p["implementationPeriod"] == {"startDate": "2026-03-18T00:00:00+08:00"}
    assert p["locations"][0]["geometry"] == {"type": "Point", "coordinates": [108.420456, 22.815123]}
    assert p["locations"][0]["description"] == "青秀区凤岭北片区"
    owner = p["parties"][0]
    assert owner["name"] == world.owner_a.name and owner["roles"] == ["publicAuthority"]
    assert p["publicAuthority"] == {"id": owner["id"], "name": owner["name"]}

    financial = next(m for m in p["metrics"] if m["id"] == "financialProgress")
    assert [(o["id"], o["value"]["amount"]) for o in financial["observations"]] == [
        ("2026-03", 123_456_789),
        ("2026-04", 5),
    ]
    assert financial["observations"][0]["period"] == {
        "startDate": "2026-03-01T00:00:00+08:00",
        "endDate": "2026-03-31T23:59:59+08:00",
    }
    physical = next(m for m in p["metrics"] if m["id"] == "physicalProgress")
    assert physical["observations"] == [
        {"id": "2026-03", "period": financial["observations"][0]["period"], "measure": "桩基施工"}
    ]
    plan = p["forecasts"][0]
    assert plan["id"] == "financialProgress"
    assert [o["value"]["amount"] for o in plan["observations"]] == [100_000_000 * (m + 1) for m in range(12)]
    annual = next(b for b in p["budget"]["budgetBreakdowns"] if b["id"] == "annualPlan")["budgetBreakdown"]
    assert annual == [
        {
            "id": "2026",
            "description": "2026年度计划投资",
            "amount": {"amount": 1_200_000_000, "currency": "CNY"},
            "period": {"startDate": "2026-01-01T00:00:00+08:00", "endDate": "2026-12-31T23:59:59+08:00"},
        }
    ]
    milestones = {m["id"]: m for m in p["milestones"]}
    assert milestones["prelim-eia"]["status"] == "met"
    assert milestones["prelim-eia"]["dateMet"] == "2025-07-02T00:00:00+08:00"
    assert milestones["prelim-eia"]["code"] == "projectApproval"
    assert milestones["prelim-tender"]["status"] == "notMet"  # due in September 2025, not done
    assert milestones["prelim-tender"]["type"] == "procurement"
    assert milestones["prelim-construction_permit"]["status"] == "scheduled"
    assert milestones["commencement"]["dateMet"] == "2026-03-18T00:00:00+08:00"


def test_it_keeps_a_suspended_project_in_the_stage_it_was_suspended_in(world):
    a = world.project_a
    a.stage = Stage.SUSPENDED
    a.start_date = dt.date(2025, 5, 1)
    a.save()
    _move(
        a,
        world.staff,
        (Stage.PRELIMINARY, Stage.CONSTRUCTION, dt.date(2025, 5, 1)),
        (Stage.CONSTRUCTION, Stage.SUSPENDED, dt.date(2026, 2, 1)),
    )
    b = world.project_b
    b.stage = Stage.CANCELLED
    b.save()
    _move(b, world.staff, (Stage.PRELIMINARY, Stage.CANCELLED, dt.date(2026, 6, 1)))

    package = oc4ids_package()

    p = _project(package, a)
    assert p["status"] == "implementation"
    # A suspension pauses the stage; it does not end it.
    assert p["implementationPeriod"] == {"startDate": "2025-05-01T00:00:00+08:00"}
    assert _project(package, b)["status"] == "cancelled"
    assert _project(package, b)["preparationPeriod"] == {"endDate": "2026-06-01T00:00:00+08:00"}
    assert oc4ids.package_errors(package) == []


def test_it_leaves_out_the_fields_the_office_keeps_private(world):
    a = world.project_a
    a.latitude, a.longitude, a.content, a.contact, a.phone = (
        "22.8",
        "108.4",
        "建设内容",
        "张三",
        "0771-1234567",
    )
    a.save()
    _report(world.entry_a, 1, 100, progress="进场")
    FactorNeed.objects.create(project=a, kind="funds", fund_source="special_bond", need_yuan=300_000_000)

    p = _project(oc4ids_package(), a)
    assert "contactPoint" not in p["parties"][0]  # off by default
    assert "budgetBreakdowns" in p["budget"]
    assert all(b["id"] != "fundSource" for b in p["budget"]["budgetBreakdowns"])  # off by default

    _publish(
        publish_budget=False,
        publish_plan=False,
        publish_completion=False,
        publish_progress=False,
        publish_coordinates=False,
        publish_description=False,
        publish_parties=False,
        publish_identifiers=False,
        publish_lifecycle=False,
        publish_milestones=False,
    )
    package = oc4ids_package()
    p = _project(package, a)
    for key in ("budget", "forecasts", "metrics", "description", "parties", "publicAuthority", "identifiers"):
        assert key not in p, key
    assert "geometry" not in p["locations"][0]
    assert "implementationPeriod" not in p and "milestones" not in p
    assert "张三" not in json.dumps(package, ensure_ascii=False)
    assert oc4ids.package_errors(package) == []

    _publish(publish_contact=True, publish_funding=True)
    p = _project(oc4ids_package(), a)
    assert p["parties"][0]["contactPoint"] == {"name": "张三", "telephone": "0771-1234567"}
    funds = next(b for b in p["budget"]["budgetBreakdowns"] if b["id"] == "fundSource")["budgetBreakdown"]
    assert funds[0]["description"] == "专项债" and funds[0]["amount"]["amount"] == 300_000_000


def test_it_publishes_only_the_projects_the_setting_makes_public(world):
    staged = make_project(
        name="未发布批次项目", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    draft = Batch.objects.create(annual_list=world.annual_list, number=2, name="第二批")
    AnnualEntry.objects.create(
        annual_list=world.annual_list, batch=draft, project=staged, category=Category.NEW_START
    )
    unlisted = make_project(
        name="库内项目", owner=world.owner_a, district=world.district_a, sector=world.sector
    )

    def titles():
        return {p["title"] for p in oc4ids_package()["projects"]}

    assert titles() == {world.project_a.name, world.project_b.name}
    _publish(include_reserve=False)
    assert titles() == set()  # both cast projects are still 谋划储备
    Project.objects.filter(pk=world.project_b.pk).update(stage=Stage.PRELIMINARY)
    assert titles() == {world.project_b.name}
    _publish(scope=PublicDataSetting.Scope.ALL)
    assert titles() == {world.project_a.name, world.project_b.name, staged.name, unlisted.name}
    # A caller may narrow the package, never widen it.
    _publish()
    narrowed = oc4ids_package(projects=Project.objects.filter(pk__in=[world.project_a.pk, unlisted.pk]))
    assert [p["title"] for p in narrowed["projects"]] == [world.project_a.name]


def test_it_downloads_the_package_for_a_signed_in_user(client, world):
    client.force_login(world.owner_b_user)
    response = client.get(reverse("oc4ids_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    package = json.loads(b"".join(response.streaming_content))
    assert package["uri"] == "http://testserver/open-data/oc4ids.json"
    assert len(package["projects"]) == 2
    assert oc4ids.package_errors(package) == []

    page = client.get(reverse("open_data"))
    assert page.status_code == 200
    assert "下载 OC4IDS 项目数据包" in page.content.decode()


def test_it_sends_the_user_back_when_nothing_is_public(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("oc4ids_download"))
    assert response.status_code == 302 and response.url == reverse("open_data")


def test_it_lets_the_office_choose_what_is_public(client, world):
    client.force_login(world.staff)
    form = client.get(reverse("open_data_settings"))
    assert form.status_code == 200
    version = PublicDataSetting.objects.get(pk=1).version
    data = {
        "scope": "all",
        "publisher_name": "南宁市重点项目建设办公室",
        "publish_budget": "on",
        "version": version,
    }
    response = client.post(reverse("open_data_settings"), data)
    assert response.status_code == 302
    setting = PublicDataSetting.objects.get(pk=1)
    assert setting.scope == "all" and not setting.include_reserve and not setting.publish_plan
    change = AuditEntry.objects.get(object_id=str(setting.pk), user=world.staff)
    assert "公开哪些项目" in change.changes
    package = oc4ids_package()
    assert package["publisher"] == {"name": "南宁市重点项目建设办公室"}

    # The same form again, from before that save: refused, not silently applied.
    stale = client.post(reverse("open_data_settings"), {**data, "scope": "listed"})
    assert stale.status_code == 200
    assert "其他人已修改" in stale.content.decode()
    assert PublicDataSetting.objects.get(pk=1).scope == "all"


def test_it_numbers_the_projects_with_the_prefix_the_office_set(client, world):
    assert all(p["id"].startswith("oc4ids-xxxxxx-") for p in oc4ids_package()["projects"])
    OfficeSettings.objects.create(office=world.office, open_data_prefix="oc4ids-abc123")

    package = oc4ids_package()

    assert package["projects"] and all(p["id"].startswith("oc4ids-abc123-") for p in package["projects"])
    assert package["uri"] == "urn:oc4ids-abc123:project-package"
    assert package["publisher"] == {"name": world.office.name}
    client.force_login(world.staff)
    assert "oc4ids-abc123" in client.get(reverse("open_data_settings")).content.decode()


def test_it_refuses_settings_changes_from_outside_the_office(client, world):
    client.force_login(world.district)
    assert client.post(reverse("open_data_settings"), {"scope": "all"}).status_code == 403
    with pytest.raises(Exception, match="重点办"):
        public_data_setting_update(by=world.leader, expected_version=1, scope="all")
    assert PublicDataSetting.objects.get(pk=1).scope == "listed"


def test_it_exports_from_the_command(world, tmp_path):
    out = tmp_path / "package.json"
    call_command("export_oc4ids", str(out), "--check", "--uri", "https://data.example.cn/oc4ids.json")
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package["uri"] == "https://data.example.cn/oc4ids.json"
    assert len(package["projects"]) == 2


def test_it_names_the_office_as_publisher_by_default(world):
    assert oc4ids_package()["publisher"] == {"name": world.office.name}
