"""Creating and editing a project through its pages: exact 万元, Chinese field errors, nothing half-done."""

import pytest
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.money import yuan_to_wan
from keyprojects.projects.models import Project, StageChange
from keyprojects.test import make_project

NEW = reverse("project_create")


def _data(cast, **overrides):
    data = {
        "name": "青秀区五象新区综合管廊工程",
        "code": "2411-450103-48-01-100001",
        "owner": cast.owner_a.pk,
        "district": cast.district_a.pk,
        "sector": cast.sector.pk,
        "departments": [cast.department.pk],
        "leader": cast.leader.pk,
        "total_investment": "12345.6789",
        "start_year": "2025",
        "end_year": "2027",
        "location": "青秀区五象大道",
        "content": "管廊全长 12.5 公里",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def _errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def _assert_refused(client, data, field, message):
    projects, audits = Project.objects.count(), AuditEntry.objects.count()
    response = client.post(NEW, data)
    errors = _errors(response)
    assert message in " ".join(errors.get(field, [])), errors
    html = response.content.decode()
    assert message in html
    assert projects == Project.objects.count()
    assert audits == AuditEntry.objects.count()
    assert not StageChange.objects.filter(project__name=data["name"]).exists()
    return html


# Creating


def test_it_creates_a_project_with_an_exact_amount_in_wan(staff_client, cast):
    response = staff_client.post(NEW, _data(cast))

    project = Project.objects.get(code="2411-450103-48-01-100001")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.total_investment == 123_456_789  # yuan
    assert (project.owner, project.district, project.stage) == (cast.owner_a, cast.district_a, "reserve")
    assert list(project.departments.all()) == [cast.department]
    assert project.version == 1
    assert "wxxqzhgl" in project.search_text  # found by pinyin initials
    entry = AuditEntry.objects.get(project=project)
    assert (entry.action, entry.user) == (AuditEntry.Action.CREATE, cast.staff)
    assert StageChange.objects.get(project=project).note == "项目入库"

    detail = staff_client.get(response["Location"]).content.decode()
    assert "项目“青秀区五象新区综合管廊工程”已入库。" in detail
    assert "12,345.6789 万元" in detail
    assert "123456789" not in detail


def test_it_shows_the_amount_back_in_wan_in_the_edit_form(staff_client, cast):
    staff_client.post(NEW, _data(cast))
    project = Project.objects.get(code="2411-450103-48-01-100001")
    form = staff_client.get(reverse("project_edit", args=[project.pk])).content.decode()
    assert 'name="total_investment" value="12345.6789"' in form


def test_it_creates_a_project_without_a_code(staff_client, cast):
    response = staff_client.post(NEW, _data(cast, code=""))
    assert response.status_code == 302
    assert Project.objects.get(name="青秀区五象新区综合管廊工程").code is None


@pytest.mark.parametrize("code", ["2018-331121-48-01-079437-000", "2020-451421-88-03-016343"])
def test_it_accepts_the_older_code_form(staff_client, cast, code):
    response = staff_client.post(NEW, _data(cast, code=code))
    assert response.status_code == 302, _errors(response)
    assert Project.objects.filter(code=code).exists()


@pytest.mark.parametrize(
    "code", ["2411-1302-89-01-637015", "2413-450100-04-01-123456", "2018-331121-48-01-079437-001", "项目代码"]
)
def test_it_refuses_a_malformed_code(staff_client, cast, code):
    html = _assert_refused(staff_client, _data(cast, code=code), "code", f"项目代码“{code}”格式不正确")
    assert "YYMM-RRRRRR-DD-TT-NNNNNN" in html


def test_it_refuses_a_code_already_registered(staff_client, cast):
    _assert_refused(staff_client, _data(cast, code=cast.project_a.code), "code", "已存在")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "金额不能为负数。"),
        ("一千万", "请输入数字金额（万元），例如 1234.5678。"),
        ("12,34x", "请输入数字金额（万元），例如 1234.5678。"),
        ("1234.56789", "万元金额最多保留 4 位小数（精确到元）。"),
        ("1e30", "金额过大，请核对单位是否为万元。"),
        ("", "字段是必填项。"),  # Django says 这个…, DRF (installed) says 该…
    ],
)
def test_it_refuses_a_bad_amount_in_chinese(staff_client, cast, amount, message):
    html = _assert_refused(staff_client, _data(cast, total_investment=amount), "total_investment", message)
    assert f'name="total_investment" value="{amount}"' in html or amount == ""  # the input comes back


def test_it_refuses_an_end_year_before_the_start_year(staff_client, cast):
    _assert_refused(
        staff_client,
        _data(cast, start_year="2026", end_year="2025"),
        "end_year",
        "建设截止年（2025）不能早于起始年（2026）。",
    )


def test_it_refuses_an_unknown_parent_code(staff_client, cast):
    _assert_refused(
        staff_client,
        _data(cast, parent="2411-450100-04-01-999999"),
        "parent",
        "找不到代码为“2411-450100-04-01-999999”的上级项目，或您无权查看该项目。",
    )


def test_it_links_a_section_to_its_parent_line_by_code(staff_client, cast):
    response = staff_client.post(NEW, _data(cast, parent=cast.project_a.code))
    assert response.status_code == 302
    assert Project.objects.get(code="2411-450103-48-01-100001").parent == cast.project_a


def test_it_keeps_a_district_user_to_their_own_district(client, cast):
    client.force_login(cast.district)

    form = client.get(NEW).content.decode()
    assert cast.district_a.name in form
    assert cast.district_b.name not in form

    _assert_refused(client, _data(cast, district=cast.district_b.pk), "district", "选择一个有效的选项")

    response = client.post(NEW, _data(cast))
    assert response.status_code == 302
    assert Project.objects.get(code="2411-450103-48-01-100001").district == cast.district_a


def test_it_keeps_an_owner_to_their_own_organisation(client, cast):
    client.force_login(cast.owner)
    _assert_refused(client, _data(cast, owner=cast.owner_b.pk), "owner", "选择一个有效的选项")


def test_it_refuses_leaders_and_departments_the_new_project_page(client, cast):
    for user in (cast.leader, cast.department_user):
        client.force_login(user)
        assert client.post(NEW, _data(cast)).status_code == 403
    assert not Project.objects.filter(code="2411-450103-48-01-100001").exists()


# Editing


def _edit_data(project, cast, **overrides):
    project.refresh_from_db()
    data = _data(
        cast,
        name=project.name,
        code=project.code or "",
        owner=project.owner_id,
        district=project.district_id,
        sector=project.sector_id,
        departments=[d.pk for d in project.departments.all()],
        leader=project.leader_id or "",
        total_investment=str(yuan_to_wan(project.total_investment)),
        start_year=project.start_year,
        end_year=project.end_year,
        location=project.location,
        content=project.content,
        version=project.version,
    )
    data.update(overrides)
    return data


def test_it_lets_an_owner_edit_their_own_project(client, cast):
    client.force_login(cast.owner)
    url = reverse("project_edit", args=[cast.project_a.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url, _edit_data(cast.project_a, cast, location="五象新区龙岗片区", total_investment="51000.5")
    )

    assert response.status_code == 302, _errors(response)
    stored = Project.objects.get(pk=cast.project_a.pk)
    assert stored.location == "五象新区龙岗片区"
    assert stored.total_investment == 510_005_000
    assert stored.version == 2
    assert "项目信息已保存。" in client.get(response["Location"]).content.decode()


def test_it_refuses_an_owner_the_other_owners_project(client, cast):
    client.force_login(cast.owner)
    response = client.post(
        reverse("project_edit", args=[cast.project_b.pk]), _edit_data(cast.project_b, cast)
    )
    assert response.status_code == 404


def test_it_refuses_a_bad_edit_and_keeps_the_stored_values(client, cast):
    client.force_login(cast.district)
    url = reverse("project_edit", args=[cast.project_a.pk])
    audits = AuditEntry.objects.count()

    response = client.post(url, _edit_data(cast.project_a, cast, total_investment="-5", end_year="2020"))

    errors = _errors(response)
    assert errors["total_investment"] == ["金额不能为负数。"]
    assert errors["end_year"] == ["建设截止年（2020）不能早于起始年（2025）。"]
    stored = Project.objects.get(pk=cast.project_a.pk)
    assert (stored.total_investment, stored.end_year, stored.version) == (500_000_000, 2027, 1)
    assert AuditEntry.objects.count() == audits


def test_it_does_not_let_a_project_be_its_own_parent(client, cast):
    client.force_login(cast.staff)
    url = reverse("project_edit", args=[cast.project_a.pk])
    response = client.post(url, _edit_data(cast.project_a, cast, parent=cast.project_a.code))
    assert "parent" in _errors(response)
    assert Project.objects.get(pk=cast.project_a.pk).parent is None


def test_it_shows_the_parent_by_its_code_and_keeps_it_on_save(client, cast):
    section = make_project(
        name="5号线二期土建1标",
        owner=cast.owner_a,
        district=cast.district_a,
        sector=cast.sector,
        parent=cast.project_a,
    )
    client.force_login(cast.owner)
    url = reverse("project_edit", args=[section.pk])

    form = client.get(url).content.decode()
    assert f'name="parent" value="{cast.project_a.code}"' in form

    response = client.post(url, _edit_data(section, cast, parent=cast.project_a.code, location="五象大道"))
    assert response.status_code == 302, _errors(response)
    section.refresh_from_db()
    assert (section.parent, section.location) == (cast.project_a, "五象大道")
