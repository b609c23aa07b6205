"""Supervision letters in the browser: the office issues letters in bulk from the red lights the
warning centre shows, a district replies with evidence, and the office signs the reply off."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from keyprojects.supervision.models import Letter
from keyprojects.supervision.tests.support import PDF, light
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.e2e

NOW = dt.datetime(2026, 11, 16, 10, 0)
TIMEOUT_MS = 30_000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _session(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_the_office_issues_letters_from_red_lights_and_signs_off_a_reply(
    page, login, cast, browser, live_server, artifacts
):
    page.context.set_default_timeout(TIMEOUT_MS)
    with time_machine.travel(NOW, tick=True):
        light(cast.project_a, "prelim:1")
        light(cast.project_b, "prelim:3")
        login(cast.staff)

        # The warning centre, filtered to red lights, offers one letter per unit and project.
        page.goto("/warnings/?level=red")
        page.locator("#bulk-letter-link").click()
        expect(page.locator("#bulk-summary")).to_contain_text("合并为 2 份督办函")
        expect(page.locator("#bulk-preview tbody tr")).to_have_count(2)
        page.get_by_label("办理时限（工作日）").fill("5")
        page.screenshot(path=artifacts / "letters-bulk-preview.png", full_page=True)
        page.get_by_role("button", name="确认签发 2 份").click()
        page.wait_for_url("**/supervision/letters/")
        letters = list(Letter.objects.order_by("sequence"))
        assert [letter.unit for letter in letters] == [cast.district_b, cast.district_a]
        assert letters[1].number.endswith("2号")

        # The district opens its letter, and a reply without evidence is not taken.
        district = _session(browser, live_server, cast.district)
        letter = letters[1]
        district.goto("/supervision/letters/")
        district.get_by_role("link", name=letter.number).first.click()
        district.locator("#reply textarea").fill("已完成环评批复，附批复文件。")
        district.get_by_role("button", name="提交回复").click()
        expect(district.locator("#reply")).to_contain_text("佐证材料")
        letter.refresh_from_db()
        assert letter.status == Letter.Status.ISSUED
        district.locator("#reply textarea").fill("已完成环评批复，附批复文件。")
        district.locator("#reply input[type=file]").set_input_files(
            files=[{"name": "环评批复.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        district.get_by_role("button", name="提交回复").click()
        expect(district.locator("#letter-status")).to_contain_text("已回复")
        district.context.close()

        # The office reads the reply and signs it off.
        page.goto(f"/supervision/letters/{letter.pk}/")
        expect(page.locator("#actions")).to_contain_text("环评批复.pdf")
        page.get_by_role("button", name="审核通过，办结").click()
        expect(page.locator("#letter-status")).to_contain_text("办结")
        page.screenshot(path=artifacts / "letter-signed-off.png", full_page=True)
        letter.refresh_from_db()
        assert letter.status == Letter.Status.SIGNED_OFF
