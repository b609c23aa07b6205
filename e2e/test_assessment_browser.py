"""The quarter's assessment in a real browser: the office computes 2027Q1 from the page, opens a
district's breakdown and the records behind a line, drafts the red/black list, exempts an entry with a
reason and a document; a second office user reviews and publishes it; the district sees its own
breakdown and everyone's rank, and downloads the notice from the 通报 page."""

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from docx import Document
from playwright.sync_api import expect

from keyprojects.assessment.tests.world import seed_schemes, small_city
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.e2e

NOW = dt.datetime(2027, 5, 10, 10, 0)
TIMEOUT_MS = 30_000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _session(browser, live_server, user):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
        reduced_motion="reduce",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_the_office_scores_a_quarter_and_publishes_its_list(
    page, login, cast, browser, live_server, artifacts, tmp_path
):
    page.context.set_default_timeout(TIMEOUT_MS)
    with time_machine.travel(NOW, tick=True):
        seed_schemes()
        small_city(cast)
        login(cast.staff)
        page.goto("/assessment/scores/")
        expect(page.locator("#no-run")).to_be_visible()
        page.locator("#compute-form input[name=period]").fill("2027Q1")
        page.get_by_role("button", name="计算得分").click()
        expect(page.get_by_role("alert").first).to_contain_text("2027年第一季度已计算")
        expect(page.locator(".ranking-table").first).to_contain_text("兴宁区")
        expect(page.locator("#rank-chart-1 canvas")).to_be_visible()
        page.screenshot(path=artifacts / "assessment-scores.png", full_page=True)

        page.get_by_role("link", name="青秀区").first.click()
        expect(page.locator("#score-total")).to_have_text("59.04")
        expect(page.locator("#line-investment_pace")).to_contain_text("(96.0 − 60) ÷ (100 − 60) × 20 = 18.00")
        page.screenshot(path=artifacts / "assessment-score-detail.png", full_page=True)
        page.locator("#line-report_on_time").get_by_role("link").click()
        expect(page.locator("#records")).to_contain_text("逾期报送")

        page.goto("/assessment/scores/")
        page.locator("#draft-button").click()
        expect(page.locator("#list-status")).to_have_text("草稿")
        row = page.locator("tr", has_text="牵头办理的问题")
        row.get_by_role("link", name="豁免").click()
        page.get_by_label("豁免理由").fill("已提请市政府常务会议研究")
        proof = tmp_path / "会议通知.pdf"
        proof.write_bytes(b"%PDF-1.4\n%%EOF\n")
        page.get_by_label("依据材料").set_input_files(proof)
        page.get_by_role("button", name="豁免").click()
        expect(page.locator("#entries-out")).to_contain_text("会议通知.pdf")
        page.locator("#review-button").click()
        expect(page.get_by_role("alert").first).to_contain_text("不能审核自己起草的红黑榜")
        page.screenshot(path=artifacts / "assessment-list-draft.png", full_page=True)

        admin = _session(browser, live_server, cast.admin)
        admin.goto(page.url)
        admin.locator("#review-button").click()
        expect(admin.locator("#list-status")).to_have_text("已审核")
        admin.locator("#publish-button").click()
        expect(admin.locator("#list-status")).to_have_text("已发布")
        admin.context.close()

        district = _session(browser, live_server, cast.district)
        district.goto("/assessment/scores/")
        expect(district.locator(".ranking-table").first).to_contain_text("西乡塘区")
        expect(district.get_by_role("link", name="西乡塘区")).to_have_count(0)
        district.get_by_role("link", name="青秀区").first.click()
        expect(district.locator("#score-total")).to_have_text("59.04")
        district.goto("/assessment/notices/")
        with district.expect_download() as download:
            district.get_by_role("link", name="下载").first.click()
        notice = Document(BytesIO(download.value.path().read_bytes()))
        assert notice.paragraphs[2].text == "邕重点办通〔2027〕1号"
        district.screenshot(path=artifacts / "assessment-notices.png", full_page=True)
        district.context.close()
