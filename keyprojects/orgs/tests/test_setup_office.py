"""manage.py setup_office: the office, its first admin and its districts and departments on an empty
database; idempotent; bad input refused with a located Chinese message and nothing written."""

from io import StringIO

import openpyxl
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from keyprojects.orgs.models import Organisation, User

Kind = Organisation.Kind
PASSWORD = "Kp-setup-2026!"

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("setup_office", *args, "--no-input", stdout=out, stderr=StringIO())
    return out.getvalue()


def names(kind):
    return list(Organisation.objects.filter(kind=kind).order_by("sort").values_list("name", flat=True))


def org_file(path, rows, header=("类型", "名称", "简称")):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["南宁市重点项目相关单位名单"])  # a title row above the header, as offices write them
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_it_creates_the_office_its_admin_and_the_listed_districts_and_departments():
    out = run(
        "--username",
        "zhangsan",
        "--password",
        PASSWORD,
        "--districts",
        "兴宁区,青秀区，江南区、",
        "--departments",
        "市发展和改革委员会、市住房和城乡建设局",
    )
    office = Organisation.objects.get(kind=Kind.OFFICE)
    assert office.name == "市重点项目建设办公室"
    admin = authenticate(HttpRequest(), username="zhangsan", password=PASSWORD)
    assert admin is not None and admin.organisation == office and admin.role == User.Role.OFFICE_ADMIN
    assert admin.must_change_password  # given on the command line: the admin chooses their own
    assert names(Kind.DISTRICT) == ["兴宁区", "青秀区", "江南区"]
    assert names(Kind.DEPARTMENT) == ["市发展和改革委员会", "市住房和城乡建设局"]
    assert "已创建重点办单位“市重点项目建设办公室”" in out
    assert "城区/县/开发区 3 个，市直部门 2 个" in out


def test_it_names_the_office_as_told():
    run("--name", "南宁市重点项目建设办公室", "--password", PASSWORD)
    assert Organisation.objects.get(kind=Kind.OFFICE).name == "南宁市重点项目建设办公室"
    assert User.objects.get().username == "admin"


def test_it_generates_a_password_and_prints_it_once():
    out = run()
    line = next(line for line in out.splitlines() if "管理员密码" in line)
    password = line.rsplit("：", 1)[1].strip()
    assert len(password) >= 12
    assert authenticate(HttpRequest(), username="admin", password=password) is not None
    assert out.count(password) == 1


def test_it_reads_districts_departments_and_owners_from_an_excel_file(tmp_path):
    path = org_file(
        tmp_path / "orgs.xlsx",
        [
            ("区县", "兴宁区", ""),
            ("区县", "南宁经济技术开发区", "经开区"),
            ("部门", "市发展和改革委员会", "市发展改革委"),
            (None, None, None),  # blank rows are skipped
            ("业主单位", "南宁轨道交通集团有限责任公司", "南宁轨道集团"),
        ],
    )
    out = run("--password", PASSWORD, "--from-file", str(path))
    assert names(Kind.DISTRICT) == ["兴宁区", "南宁经济技术开发区"]
    assert Organisation.objects.get(name="市发展和改革委员会").short_name == "市发展改革委"
    assert Organisation.objects.get(kind=Kind.OWNER).short_name == "南宁轨道集团"
    assert "项目业主 1 个" in out


def test_it_changes_nothing_when_run_again():
    run("--password", PASSWORD, "--districts", "兴宁区")
    before = (Organisation.objects.count(), User.objects.count())
    out = run(
        "--name", "另一个办公室", "--username", "other", "--password", PASSWORD, "--districts", "青秀区"
    )
    assert (Organisation.objects.count(), User.objects.count()) == before
    assert "系统中已有重点办单位“市重点项目建设办公室”（管理员：admin）" in out
    assert "未做任何修改；如需补充名单中尚没有的单位，请加 --update。" in out


def test_it_adds_only_the_missing_organisations_when_told(tmp_path):
    run("--password", PASSWORD, "--districts", "兴宁区")
    out = run("--update", "--districts", "兴宁区,青秀区", "--departments", "市财政局")
    assert names(Kind.DISTRICT) == ["兴宁区", "青秀区"]
    assert names(Kind.DEPARTMENT) == ["市财政局"]
    assert User.objects.count() == 1
    assert "城区/县/开发区 1 个，市直部门 1 个" in out
    assert "没有需要添加的单位" in run("--update", "--districts", "青秀区")


def test_it_refuses_every_bad_row_of_a_file_with_its_place_and_writes_nothing(tmp_path):
    path = org_file(
        tmp_path / "orgs.xlsx",
        [
            ("区县", "兴宁区", ""),
            ("街道", "新竹街道", ""),
            ("部门", "", ""),
            ("部门", "市财政局", "简" * 31),
        ],
    )
    with pytest.raises(CommandError) as caught:
        run("--password", PASSWORD, "--from-file", str(path))
    message = str(caught.value)
    assert "未做任何修改" in message
    assert "orgs.xlsx 第 4 行 A列“类型”：不认识的类型“街道”，应为 区县、部门 或 业主单位。" in message
    assert "orgs.xlsx 第 5 行 B列“名称”：未填写。" in message
    assert "orgs.xlsx 第 6 行 C列“简称”" in message
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_it_refuses_a_file_without_the_header(tmp_path):
    path = org_file(tmp_path / "orgs.xlsx", [("区县", "兴宁区")], header=("单位类别", "单位名称"))
    with pytest.raises(CommandError, match="orgs.xlsx 的前 5 行中找不到表头：需要“类型”和“名称”两列"):
        run("--password", PASSWORD, "--from-file", str(path))


def test_it_refuses_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(b"MZ not a workbook")
    with pytest.raises(CommandError, match="无法读取 orgs.xlsx：不是有效的 .xlsx 文件"):
        run("--password", PASSWORD, "--from-file", str(path))
    with pytest.raises(CommandError, match="找不到文件"):
        run("--password", PASSWORD, "--from-file", str(tmp_path / "missing.xlsx"))


def test_it_refuses_a_name_given_as_two_kinds():
    with pytest.raises(CommandError) as caught:
        run("--password", PASSWORD, "--districts", "兴宁区,高新区", "--departments", "市财政局,高新区")
    assert "--departments 第 2 个名称“高新区”已在 --districts 第 2 个名称 列为“城区/县/开发区”" in str(
        caught.value
    )
    assert not Organisation.objects.exists()


def test_it_refuses_a_weak_password_and_a_bad_username_naming_them():
    with pytest.raises(CommandError) as caught:
        run("--username", "张 三", "--password", "12345678")
    message = str(caught.value)
    assert "用户名“张 三”无效" in message
    assert "密码不符合要求" in message
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_it_refuses_an_office_name_an_organisation_already_has():
    Organisation.objects.create(kind=Kind.DISTRICT, name="青秀区")
    with pytest.raises(CommandError, match="系统中已有名为“青秀区”的其他类单位"):
        run("--name", "青秀区", "--password", PASSWORD)
    with pytest.raises(
        CommandError, match="--departments 第 1 个名称“青秀区”：系统中已有同名的“城区/县/开发区”类单位"
    ):
        run("--password", PASSWORD, "--departments", "青秀区")
    assert not User.objects.exists()
