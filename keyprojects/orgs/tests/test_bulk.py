"""The organisations and users import: upload → preview → confirm, with hand-made workbooks. Who may
open the pages is in the role matrix (orgs/tests/matrix_bulk.py)."""

import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.urls import reverse

from keyprojects.lib.xlsx import XLSX
from keyprojects.orgs import bulk
from keyprojects.orgs.models import Organisation, OrganisationAlias, User

pytestmark = pytest.mark.django_db

Kind = Organisation.Kind
ORG_HEADER = ["类型", "名称", "简称", "别名", "所在城区"]
USER_HEADER = ["用户名", "姓名", "单位", "角色", "职务", "手机", "邮箱"]


def workbook_bytes(orgs=None, users=None, *, base=None) -> bytes:
    """A workbook with a 单位 sheet of ORGS and a 用户 sheet of USERS (each left out when None), or BASE
    (a template's bytes) with the rows appended."""
    if base is not None:
        wb = openpyxl.load_workbook(io.BytesIO(base))
    else:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        if orgs is not None:
            wb.create_sheet("单位").append(ORG_HEADER)
        if users is not None:
            wb.create_sheet("用户").append(USER_HEADER)
    for name, rows in (("单位", orgs), ("用户", users)):
        for r in rows or []:
            wb[name].append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="单位和用户.xlsx"):
    return client.post(reverse("organisation_import"), {"file": SimpleUploadedFile(name, data)})


def confirm(client, page):
    token = page.context["token"]
    assert token, page.context["plan"].errors
    return client.post(reverse("organisation_import_apply"), {"token": token})


GOOD_ORGS = [
    ["区县", "兴宁区", "", "", ""],
    ["市直部门", "市住房和城乡建设局", "市住建局", "住建局、市建设局", ""],
    ["业主单位", "南宁市兴宁城市建设投资有限公司", "兴宁城投", "", "兴宁区"],
    # Already there, written as the published lists write it: a new short name for it.
    ["市直部门", "南宁市生态环境局", "市环境局", "", ""],
    ["市直部门", "市发展和改革委员会", "", "", ""],
]
GOOD_USERS = [
    ["zhangsan", "张三", "市住建局", "市直部门", "科长", 13800138000, "zhangsan@example.cn"],
    ["lisi", "李四", "兴宁城投", "项目业主", "", "0771-1234567", ""],
    ["wangwu", "王五", "兴宁区", "城区/县/开发区", "", "", ""],
    # An existing account: only the name differs.
    ["department", "发改委经办人", "市发展改革委", "市直部门", "", "", ""],
]


def test_it_previews_a_good_file_and_writes_it_only_when_confirmed(client, cast):
    client.force_login(cast.staff)

    page = upload(client, workbook_bytes(GOOD_ORGS, GOOD_USERS))

    assert page.status_code == 200
    plan = page.context["plan"]
    assert plan.errors == []
    assert page.context["counts"] == {
        "orgs_create": 3,
        "orgs_update": 1,
        "orgs_unchanged": 1,
        "users_create": 3,
        "users_update": 1,
        "users_unchanged": 0,
    }
    html = page.content.decode()
    assert "按规范化名称匹配到系统中的“市生态环境局”" in html
    assert "简称：— → 市环境局" in html
    assert "姓名：department → 发改委经办人" in html
    assert not Organisation.objects.filter(name="兴宁区").exists()
    assert not User.objects.filter(username="zhangsan").exists()

    result = confirm(client, page)

    assert result.status_code == 200
    xingning = Organisation.objects.get(name="兴宁区", kind=Kind.DISTRICT)
    housing = Organisation.objects.get(name="市住房和城乡建设局", kind=Kind.DEPARTMENT)
    owner = Organisation.objects.get(name="南宁市兴宁城市建设投资有限公司", kind=Kind.OWNER)
    assert owner.district == xingning
    assert housing.short_name == "市住建局"
    assert set(housing.aliases.values_list("name", flat=True)) == {
        "市住建局",
        "市建设局",
    }  # 住建局 has 市住建局's key
    cast.other_department.refresh_from_db()
    assert cast.other_department.short_name == "市环境局"
    assert cast.other_department.aliases.get().name == "市环境局"

    zhang = User.objects.get(username="zhangsan")
    assert (zhang.organisation, zhang.role, zhang.phone, zhang.title) == (
        housing,
        User.Role.DEPARTMENT,
        "13800138000",
        "科长",
    )
    assert User.objects.get(username="lisi").organisation == owner
    cast.department_user.refresh_from_db()
    assert cast.department_user.full_name == "发改委经办人"
    assert cast.department_user.organisation == cast.department

    # The initial passwords: on the page once, in the download, and stored only as hashes.
    created = dict((u.username, p) for u, p in result.context["created"])
    assert set(created) == {"zhangsan", "lisi", "wangwu"}
    html = result.content.decode()
    assert created["zhangsan"] in html
    assert 'download="初始密码.xlsx"' in html
    assert zhang.password != created["zhangsan"] and created["zhangsan"] not in zhang.password
    assert authenticate(HttpRequest(), username="zhangsan", password=created["zhangsan"]) == zhang
    assert zhang.must_change_password  # the office knows it: they choose their own at the first login
    sheet = openpyxl.load_workbook(io.BytesIO(bulk.passwords_workbook(result.context["created"]))).active
    assert [c.value for c in sheet[2]][0] in created

    # Once only: the same confirmation again writes nothing and shows no password.
    again = client.post(reverse("organisation_import_apply"), {"token": "whatever"})
    assert again.status_code == 302
    assert User.objects.filter(username="zhangsan").count() == 1


def test_it_records_the_changes_in_the_history(client, cast):
    from keyprojects.audit.models import AuditEntry

    client.force_login(cast.admin)
    before = AuditEntry.objects.count()

    confirm(client, upload(client, workbook_bytes([["区县", "兴宁区", "", "", ""]], [GOOD_USERS[2]])))

    assert AuditEntry.objects.count() > before


def test_it_reports_every_problem_of_every_row_and_writes_nothing(client, cast):
    client.force_login(cast.staff)
    orgs = [
        ["乡镇", "某某镇", "", "", ""],
        ["市直部门", "", "", "", ""],
        ["业主单位", "某某公司", "", "", "不存在区"],
        ["区县", "兴宁区", "", "", ""],
    ]
    users = [
        ["bad name!", "", "市发改委", "科员", "", "abc", "not-an-email"],
        ["ok1", "某人", "市交通运输局", "市直部门", "", "", ""],
        ["ok2", "某人", "兴宁区", "市直部门", "", "", ""],
    ]

    page = upload(client, workbook_bytes(orgs, users))

    errors = page.context["plan"].errors
    expected = [
        "单位表第2行 A列“类型”：不认识的类型“乡镇”",
        "单位表第3行 B列“名称”：未填写。",
        "单位表第4行 E列“所在城区”：系统中没有城区“不存在区”",
        "用户表第2行 A列“用户名”：“bad name!”无效",
        "用户表第2行 B列“姓名”：未填写。",
        "用户表第2行 C列“单位”：系统中没有单位“市发改委”。最接近的是：“市发展和改革委员会”。",
        "用户表第2行 D列“角色”：不认识的角色“科员”",
        "用户表第2行 F列“手机”：“abc”不是有效的电话号码。",
        "用户表第2行 G列“邮箱”：“not-an-email”不是有效的邮箱地址。",
        "用户表第3行 C列“单位”：系统中没有单位“市交通运输局”",
        "用户表第4行 D列“角色”：角色“市直部门”不能属于“城区/县/开发区”类单位“兴宁区”。",
    ]
    for message in expected:
        assert any(e.startswith(message) for e in errors), (message, errors)
    assert len(errors) == len(expected)
    html = page.content.decode()
    assert "整个文件都不会导入" in html
    assert "confirm-form" not in html
    assert not Organisation.objects.filter(name="兴宁区").exists()
    assert not User.objects.filter(username__in=["ok1", "ok2"]).exists()
    # Nothing to confirm either.
    assert client.post(reverse("organisation_import_apply"), {"token": ""}).status_code == 302


def test_it_refuses_a_role_that_may_not_belong_to_the_organisation(client, cast):
    client.force_login(cast.staff)

    page = upload(
        client, workbook_bytes(users=[["x1", "某人", "市发展和改革委员会", "项目业主", "", "", ""]])
    )

    assert page.context["plan"].errors == [
        "用户表第2行 D列“角色”：角色“项目业主”不能属于“市直部门”类单位“市发展和改革委员会”。"
    ]


def test_it_refuses_a_username_given_twice_in_the_file(client, cast):
    client.force_login(cast.staff)
    users = [
        ["zhao", "赵一", "市发展和改革委员会", "市直部门", "", "", ""],
        ["qian", "钱二", "市发展和改革委员会", "市直部门", "", "", ""],
        ["Zhao", "赵二", "市发展和改革委员会", "市直部门", "", "", ""],
    ]

    page = upload(client, workbook_bytes(users=users))

    assert page.context["plan"].errors == ["用户表第4行 A列“用户名”：“Zhao”与第2行重复。"]
    assert not User.objects.filter(username="zhao").exists()


def test_it_refuses_an_organisation_given_twice_under_two_spellings(client, cast):
    client.force_login(cast.staff)
    orgs = [
        ["市直部门", "市住房和城乡建设局", "", "", ""],
        ["市直部门", "南宁市住房和城乡建设局", "", "", ""],
    ]

    page = upload(client, workbook_bytes(orgs))

    [error] = page.context["plan"].errors
    assert error.startswith(
        "单位表第3行 B列“名称”：“南宁市住房和城乡建设局”与第2行的“市住房和城乡建设局”是同一个单位"
    )


def test_it_matches_official_short_forms_by_their_normalised_key(client, cast):
    client.force_login(cast.staff)
    users = [
        ["a1", "甲", "市发展改革委", "市直部门", "", "", ""],
        ["a2", "乙", "南宁市发展和改革委员会", "市直部门", "", "", ""],
        ["a3", "丙", "南宁市生态环境局", "市直部门", "", "", ""],
    ]

    page = upload(client, workbook_bytes(users=users))

    plan = page.context["plan"]
    assert plan.errors == []
    assert [u.target for u in plan.users] == [cast.department, cast.department, cast.other_department]
    confirm(client, page)
    assert User.objects.get(username="a2").organisation == cast.department


def test_it_asks_for_the_full_name_when_a_name_matches_two_organisations(client, cast):
    Organisation.objects.create(kind=Kind.OWNER, name="市城投公司")
    Organisation.objects.create(kind=Kind.OWNER, name="城投公司")
    client.force_login(cast.staff)

    page = upload(client, workbook_bytes(users=[["b1", "某", "（市）城投公司", "项目业主", "", "", ""]]))

    [error] = page.context["plan"].errors
    assert error.startswith("用户表第2行 C列“单位”：“(市)城投公司”同时匹配")
    assert "请写明全称" in error


def test_it_refuses_an_alias_another_organisation_already_has(client, cast):
    OrganisationAlias.objects.create(organisation=cast.department, name="市发改委")
    client.force_login(cast.staff)

    page = upload(client, workbook_bytes([["市直部门", "市住房和城乡建设局", "市发改委", "", ""]]))

    assert page.context["plan"].errors == [
        "单位表第2行 C列“简称”：“市发改委”已是单位“市发展和改革委员会”的名称或别名，两个单位不能同名。"
    ]


def test_it_does_not_change_the_kind_of_an_existing_organisation(client, cast):
    client.force_login(cast.staff)

    page = upload(client, workbook_bytes([["业主单位", "青秀区", "", "", ""]]))

    assert page.context["plan"].errors == [
        "单位表第2行 A列“类型”：系统中的“青秀区”是“城区/县/开发区”，导入不能改变单位类型。"
    ]


def test_it_lets_only_an_office_admin_import_admin_accounts(client, cast):
    row = ["boss", "管理员二", "测试市重点项目建设办公室", "重点办管理员", "", "", ""]
    client.force_login(cast.staff)

    page = upload(client, workbook_bytes(users=[row]))

    assert page.context["plan"].errors == [
        "用户表第2行 D列“角色”：只有重点办管理员可以导入或修改管理员账号。"
    ]
    client.force_login(cast.admin)
    assert upload(client, workbook_bytes(users=[row])).context["plan"].errors == []


def test_it_says_when_nothing_would_change(client, cast):
    client.force_login(cast.staff)

    page = upload(client, workbook_bytes([["区县", "青秀区", "", "", ""]]))

    assert page.context["counts"]["orgs_unchanged"] == 1
    assert page.context["token"] == ""
    assert "没有需要写入的内容" in page.content.decode()


def test_it_previews_again_when_the_data_changed_since_the_preview(client, cast):
    client.force_login(cast.staff)
    page = upload(client, workbook_bytes(users=[["c1", "某", "青秀区", "城区/县/开发区", "", "", ""]]))
    cast.staff.__class__.objects.create_user(username="c1", full_name="别人", organisation=cast.district_a)

    again = confirm(client, page)

    assert again.status_code == 200
    assert again.context["changed"]
    assert User.objects.get(username="c1").full_name == "别人"
    confirm(client, again)
    assert User.objects.get(username="c1").full_name == "某"


def test_the_template_downloads_and_imports_once_filled_in(client, cast):
    client.force_login(cast.staff)

    response = client.get(reverse("organisation_import_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    template = response.content
    wb = openpyxl.load_workbook(io.BytesIO(template))
    assert wb.sheetnames == ["单位", "用户", "说明"]
    assert [c.value for c in wb["用户"][1]] == USER_HEADER
    # Blank, it imports nothing and says so.
    assert "没有填写任何单位或用户" in upload(client, template).content.decode()

    filled = workbook_bytes(GOOD_ORGS[:3], GOOD_USERS[:3], base=template)
    page = upload(client, filled)
    assert page.context["plan"].errors == []
    confirm(client, page)
    assert User.objects.get(username="wangwu").organisation.name == "兴宁区"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "请上传 .xlsx 格式"),
        ("list.xlsx", b"MZ\x90\0 this is a program", "文件内容不是 Excel 工作簿"),
        ("list.xlsx", b"PK\x03\x04 broken", "文件内容不是 Excel 工作簿"),
    ],
)
def test_it_refuses_files_that_are_not_workbooks(client, cast, name, data, message):
    client.force_login(cast.staff)

    page = upload(client, data, name=name)

    assert page.status_code == 200
    assert message in page.content.decode()
    assert page.context["plan"] is None


def test_it_refuses_a_workbook_with_entity_declarations(client, cast):
    good = workbook_bytes(users=[["d1", "某", "青秀区", "城区/县/开发区", "", "", ""]])
    hostile = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/workbook.xml":
                content = b'<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' + content
            target.writestr(item, content)
    client.force_login(cast.staff)

    page = upload(client, hostile.getvalue())

    assert "文件结构异常" in page.content.decode()
    assert not User.objects.filter(username="d1").exists()


def test_it_requires_a_header_it_knows(client, cast):
    wb = openpyxl.Workbook()
    wb.active.title = "用户"
    wb.active.append(["账户", "名字"])
    buffer = io.BytesIO()
    wb.save(buffer)
    client.force_login(cast.staff)

    page = upload(client, buffer.getvalue())

    assert "用户表的前 5 行中找不到表头：需要 “用户名”、“姓名”、“单位”、“角色” 列。" in page.content.decode()


def test_the_organisation_list_links_to_the_import(client, cast):
    client.force_login(cast.staff)

    page = client.get(reverse("organisation_list"))

    assert reverse("organisation_import") in page.content.decode()
