"""A fresh installation imports the office's own published list: `setup_office`, then
`import_annual_list --create-missing`, with departments under official short names, leaders who have no
account, no completion-month column and a 合计 row that disagrees with the rows. No demo data, no cast."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.imports.plan import preview
from keyprojects.plans.models import AnnualEntry, Category
from keyprojects.plans.tests.import_support import YEAR
from keyprojects.plans.tests.test_import_published import project, published_list

pytestmark = pytest.mark.django_db

Kind = Organisation.Kind


def test_a_fresh_installation_imports_its_own_list(tmp_path, settings, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command(
        "setup_office",
        "--password",
        "Kp-admin-2027",
        "--districts",
        "青秀区、西乡塘区",
        "--departments",
        "市发展和改革委员会、市住房和城乡建设局",
        "--no-input",
        stdout=StringIO(),
    )
    path = tmp_path / "list.xlsx"
    rows = published_list(
        path,
        [
            ("一、续建项目（2项）", []),
            (
                "（一）产业项目（2项）",
                [
                    project("南宁市新材料产业园", departments="市发展改革委", leader="韦建平（副市长）"),
                    project("南宁市保障房一期", departments="市住房城乡建设局", leader="李明"),
                ],
            ),
            ("二、竣工投产项目（1项）", []),
            (
                "（一）基础设施项目（1项）",
                [project("南宁市快速路三期", departments="市发展改革委", leader="韦建平")],
            ),
        ],
        totals=[99999, 3000, 6000],  # 总投资 does not add up
    )
    out, err = StringIO(), StringIO()
    call_command(
        "import_annual_list", str(path), "--year", str(YEAR), "--create-missing", stdout=out, stderr=err
    )

    entries = {e.project.name: e for e in AnnualEntry.objects.select_related("project", "leader")}
    assert set(entries) == {"南宁市新材料产业园", "南宁市保障房一期", "南宁市快速路三期"}
    # Official short names matched the departments setup_office created; nothing new was made for them.
    assert [d.name for d in entries["南宁市保障房一期"].departments.all()] == ["市住房和城乡建设局"]
    assert Organisation.objects.filter(kind=Kind.DEPARTMENT).count() == 2
    # The leaders are people without an account; the title written in brackets is kept.
    leaders = {u.full_name: u for u in User.objects.filter(role=User.Role.LEADER)}
    assert {n: (u.title, u.has_account) for n, u in leaders.items()} == {
        "韦建平": ("副市长", False),
        "李明": ("", False),
    }
    assert entries["南宁市快速路三期"].leader == leaders["韦建平"]
    assert entries["南宁市新材料产业园"].project.leader == leaders["韦建平"]
    # The 竣工投产 row got the last month of its period, marked to be completed.
    done = entries["南宁市快速路三期"]
    assert done.category == Category.COMPLETING
    assert (done.planned_completion_month, done.completion_month_assumed) == (12, True)
    assert "合计" in out.getvalue() + err.getvalue() and "99,999" in out.getvalue() + err.getvalue()
    assert rows["南宁市快速路三期"] > rows["南宁市新材料产业园"]

    # Everything that links leaders works for one without an account.
    User.objects.filter(username="admin").update(must_change_password=False)  # chose their own by now
    client.login(request=HttpRequest(), username="admin", password="Kp-admin-2027")
    page = client.get(reverse("leader_page", args=[leaders["韦建平"].pk])).content.decode()
    assert "南宁市新材料产业园" in page and "南宁市快速路三期" in page
    page = client.get(reverse("city_leader_list")).content.decode()
    assert "韦建平" in page and "未开通" in page


def test_it_takes_the_district_a_location_starts_with(tmp_path, settings):
    """With no districts yet, 兴宁区东片区 and 兴宁区西片区 are one new district 兴宁区, and 横州市六景镇 is
    the county-level city 横州市; a location naming no district is refused with what to write."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("setup_office", "--password", "Kp-admin-2027", "--no-input", stdout=StringIO())
    path = tmp_path / "list.xlsx"
    rows = published_list(
        path,
        [
            ("一、续建项目（4项）", []),
            (
                "（一）产业项目（4项）",
                [
                    project("南宁市东片区厂房", location="兴宁区东片区", departments=""),
                    project("南宁市西片区厂房", location="兴宁区西片区", departments=""),
                    project("横州市茉莉花产业园", location="横州市六景镇", departments=""),
                    project("南宁市某某园", location="五象大道以东", departments=""),
                ],
            ),
        ],
    )
    plan = preview(path, name=path.name, year=YEAR)
    assert [(u.kind, u.name, len(u.rows)) for u in plan.unknown_names() if u.kind == "district"] == [
        ("district", "兴宁区", 2),
        ("district", "横州市", 1),
    ]
    [refused] = plan.rejections
    assert refused.row == rows["南宁市某某园"] and "系统中还没有城区" in refused.message
