"""A new office's first annual list in a real browser: an installation made by `setup_office` with a few
departments, a list as offices publish it whose 责任单位 use short names and a department the system
lacks; the preview asks about each unknown name with its closest matches, the office maps 市住建局 to
市住房和城乡建设局 and creates the new one, the import lands, the alias shows on the organisation's page,
and the next list that writes 市住建局 asks nothing about it."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import AnnualEntry
from keyprojects.plans.tests.test_import_published import project, published_list
from keyprojects.test import PASSWORD, seed_reference_data

pytestmark = pytest.mark.e2e

TODAY = dt.datetime(2026, 12, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
YEAR = 2027  # the year published_list writes
SLOW_MS = 60_000  # the shared CI machine may be busy: generous waits, the assertions stay strict
HOUSING = "市住房和城乡建设局"
OWNER = "南宁市城市建设投资集团有限公司"  # published_list's owner: new on this installation


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def office(transactional_db, django_db_serialized_rollback):
    """A fresh installation as `setup_office` makes it, plus a city leader the lists name."""
    seed_reference_data()  # the standard sectors, which an earlier transactional test's flush removed
    call_command(
        "setup_office",
        "--username=admin",
        f"--password={PASSWORD}",
        "--districts=青秀区,兴宁区",
        f"--departments={HOUSING},市发展和改革委员会",
        "--no-input",
        stdout=StringIO(),
    )
    admin = User.objects.get(username="admin")
    # setup_office makes the first password one to change at first login; this test is about imports.
    User.objects.filter(pk=admin.pk).update(must_change_password=False)
    User.objects.create_user(
        username="weijianping",
        password=PASSWORD,
        organisation=admin.organisation,
        role=User.Role.LEADER,
        full_name="韦建平",
    )
    reverse("import_upload")  # load every URL module now, not in the live server's first request
    return admin


def first_list(path):
    """Four projects: 市发展改革委 (an official short form, matched by itself), 市住建局 (an abbreviation:
    a question) and 市数据局 (a department this installation lacks); the new starts with their month."""
    where = published_list(
        path,
        [
            ("一、新开工项目（2项）", []),
            (
                "（一）产业项目（2项）",
                [
                    project(
                        "南宁市新能源电池材料产业园", years="2027—2030年", done=0, departments="市发展改革委"
                    ),
                    project("南宁市城市更新二期", years="2027—2029年", done=0, departments="市住建局"),
                ],
            ),
            ("二、续建项目（2项）", []),
            (
                "（一）基础设施项目（2项）",
                [
                    project("南宁市算力中心", departments="市数据局"),
                    project("南宁市保障性住房一期", departments="市住建局、市发展改革委"),
                ],
            ),
        ],
    )
    start_months(
        path, {where["南宁市新能源电池材料产业园"]: "2027年3月", where["南宁市城市更新二期"]: "2027年6月"}
    )


def start_months(path, months):
    """Add the 计划开工时间 column a list with new starts carries, after the last one (merged over the
    two header rows, as the others)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    column = ws.max_column + 1
    ws.cell(3, column, "计划开工时间")
    ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for row, month in months.items():
        ws.cell(row, column, month)
    wb.save(path)


def second_list(path):
    return published_list(
        path,
        [
            ("一、续建项目（1项）", []),
            ("（一）基础设施项目（1项）", [project("南宁市老旧小区改造三期", departments="市住建局")]),
        ],
    )


def upload(page, path):
    page.goto(reverse("import_upload"))
    page.get_by_label("清单文件").set_input_files(path)
    page.get_by_label("清单年度").fill(str(YEAR))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/import/*/")
    expect(page.locator("#confirm")).to_be_visible()


def confirm(page):
    page.once("dialog", lambda dialog: dialog.accept())  # 确认按以上预览写入？
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#done")).to_be_visible()


def test_unknown_names_are_mapped_or_created_once_and_remembered(page, login, office, artifacts, tmp_path):
    page.set_default_timeout(SLOW_MS)
    page.set_default_navigation_timeout(SLOW_MS)
    login(office)
    path = tmp_path / "2027年重点项目计划表.xlsx"
    first_list(path)
    upload(page, path)

    # The preview asks about each name the system lacks, with the closest existing ones.
    departments = page.locator("#unknown-department")
    expect(departments.locator("tbody tr")).to_have_count(2)
    housing_row = departments.locator("tr", has_text="市住建局")
    expect(housing_row.locator("td").nth(2)).to_contain_text(HOUSING)
    new_row = departments.locator("tr", has_text="市数据局")
    expect(page.locator("#unknown-names")).not_to_contain_text("市发展改革委")
    expect(page.locator("#unknown-owner")).to_contain_text(OWNER)

    closest = housing_row.locator("select optgroup[label='最接近的'] option", has_text=HOUSING)
    housing_row.locator("select").select_option(label=closest.text_content())
    new_row.locator("select").select_option(label="新建“市数据局”")
    page.screenshot(path=artifacts / "import-mapping-preview.png", full_page=True)
    confirm(page)
    expect(page.locator("#done")).to_contain_text("导入完成：新增 4 个")

    housing = Organisation.objects.get(name=HOUSING)
    assert Organisation.objects.filter(name="市数据局", kind=Organisation.Kind.DEPARTMENT).exists()
    entries = {e.project.name: e for e in AnnualEntry.objects.select_related("project")}
    assert [d.name for d in entries["南宁市城市更新二期"].departments.all()] == [HOUSING]
    assert entries["南宁市算力中心"].departments.get().name == "市数据局"

    # The organisation's page keeps 市住建局 as its alias.
    page.goto(reverse("organisation_list"))
    page.locator("#organisations").get_by_role("link", name=HOUSING).click()
    expect(page.locator("#aliases")).to_contain_text("市住建局")

    # The next list that writes 市住建局 matches it by itself: nothing to answer.
    second = tmp_path / "2027年重点项目计划表（第二批）.xlsx"
    second_list(second)
    upload(page, second)
    expect(page.locator("#unknown-names")).to_have_count(0)
    confirm(page)
    expect(page.locator("#done")).to_contain_text("导入完成：新增 1 个")
    entry = AnnualEntry.objects.get(project__name="南宁市老旧小区改造三期")
    assert list(entry.departments.all()) == [housing]
