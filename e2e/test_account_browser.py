"""Accounts in a real browser: the office admin opens 系统设置 from the 数据 menu and changes the minutes'
prefix, then resets an owner's forgotten password from the owner's organisation page; the owner logs in
with it, is held on 修改密码 until choosing their own, and then finds 账号 in the user menu."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from keyprojects.orgs.models import User

pytestmark = pytest.mark.e2e

GIVEN = "Kp-given-2027"
OWN = "Owner-own-2027"


def test_admin_sets_the_office_and_resets_a_password_the_owner_then_changes(page, login, cast, artifacts):
    reverse("office_settings")  # load the URL conf now, not during the live server's first request
    login(cast.admin)

    page.get_by_role("button", name="数据").or_(page.get_by_role("link", name="数据")).first.click()
    page.get_by_role("link", name="系统设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("系统设置")
    page.get_by_label("会议纪要文号前缀").fill("测重点办纪")
    page.screenshot(path=artifacts / "office-settings.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("系统设置已保存")

    page.goto(reverse("organisation_detail", args=[cast.owner_a.pk]))
    page.locator(f"#user-{cast.owner.pk}").get_by_role("link", name="重置密码").click()
    page.locator("#id_new_password1").fill(GIVEN)
    page.locator("#id_new_password2").fill(GIVEN)
    page.get_by_role("button", name="重置密码").click()
    expect(page.get_by_role("alert")).to_contain_text("已重置owner（owner）的密码")
    expect(page.locator(f"#user-{cast.owner.pk}")).to_contain_text("待修改密码")
    page.get_by_role("button", name="退出").click()

    login(cast.owner, GIVEN)
    expect(page).to_have_url(re.compile(re.escape(reverse("password_change")) + "$"))
    page.goto(reverse("project_list"))
    expect(page.locator("#must-change")).to_be_visible()
    page.screenshot(path=artifacts / "password-must-change.png", full_page=True)
    page.get_by_label("旧密码").fill(GIVEN)
    page.locator("#id_new_password1").fill(OWN)
    page.locator("#id_new_password2").fill(OWN)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("alert")).to_contain_text("密码已修改")

    page.locator("#user-menu .dropdown-toggle").click()
    page.locator("#user-menu").get_by_role("link", name="账号").click()
    expect(page.locator("#previous-login")).not_to_have_text("")
    page.screenshot(path=artifacts / "account.png", full_page=True)
    assert not User.objects.get(pk=cast.owner.pk).must_change_password
