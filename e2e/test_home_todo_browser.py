"""Each role's home page as its to-do, in a real browser at 1280 px, followed to the end: the owner fixes
and resubmits a returned report; the district approves its queue in one go; the office reminds the
late reporters and the owner finds the reminder in its inbox; the leader writes an instruction on a
problem at its level and sees the district's reply. Each role's home page is saved as a screenshot
and checked for sideways scrolling."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from keyprojects.coordination.models import Instruction
from keyprojects.dashboard.tests.home_world import NOW, RETURN_REASON, home_world
from keyprojects.notifications.models import Kind, Notification
from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.tests.report_world import make_report
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.e2e

WIDTH = 1280
TIMEOUT_MS = 30_000  # several browsers' worth of pages on a shared CI machine


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(cast):
    world = home_world(cast)
    reverse("home")  # load every URL module now, not during the live server's first request
    return world


def _session(browser, live_server, user):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": WIDTH, "height": 900},
        reduced_motion="reduce",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _home(page, artifacts, name):
    """Open the home page, check it holds at 1280 px, and save what it looks like."""
    page.goto("/")
    expect(page.locator("h1")).to_have_text("我的待办")
    expect(page.locator("#chart-stages canvas").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    page.screenshot(path=artifacts / f"home-{name}.png", full_page=True)
    return page


def _count(page, key) -> int:
    return int(page.locator(f"#todo-{key}").get_attribute("data-count"))


def test_owner_fixes_and_resubmits_the_returned_report(browser, live_server, world, artifacts):
    page = _session(browser, live_server, world.owner)
    _home(page, artifacts, "owner")
    line = page.locator("#todo-reports-returned")
    expect(line).to_contain_text(RETURN_REASON)
    assert (_count(page, "reports-returned"), _count(page, "reports-due"), _count(page, "tasks-today")) == (
        1,
        1,
        1,
    )
    expect(page.locator("#todo-reports")).to_contain_text(
        "2026年3月报送统计截止 2026-04-08（剩余 3 个工作日）"
    )

    line.get_by_role("link", name=f"{world.project_a.name} 2026年3月").click()
    page.get_by_label("形象进度").fill("车站主体结构完成 60%，照片已补充")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#report-status")).to_contain_text("已报送")

    page.goto("/")
    assert _count(page, "reports-returned") == 0
    expect(page.locator("#todo-reports-returned")).not_to_contain_text(RETURN_REASON)
    world.report_a_march.refresh_from_db()
    assert world.report_a_march.status == MonthlyReport.Status.SUBMITTED
    page.context.close()


def test_district_approves_its_queue_in_one_go(browser, live_server, world, artifacts):
    make_report(world.entry_a2, 2, "90", by=world.owner)  # a second report waiting in district A's queue
    page = _session(browser, live_server, world.district)
    _home(page, artifacts, "district")
    assert _count(page, "queue") == 2
    expect(page.locator("#todo-reports")).to_contain_text("2026-04-08")

    page.locator("#todo-queue").get_by_role("link").first.click()
    page.wait_for_url("**/plans/reports/review/")
    expect(page.locator("#queue tbody tr")).to_have_count(2)
    page.locator("#queue-select-all").check()
    page.get_by_role("button", name="通过所选报送").click()
    expect(page.get_by_role("alert").first).to_contain_text("已审核通过 2 份报送")

    page.goto("/")
    assert _count(page, "queue") == 0
    assert not MonthlyReport.objects.filter(
        entry__project__district=world.district_a, status="submitted"
    ).exists()
    page.context.close()


def test_office_reminds_the_late_reporters(browser, live_server, world, artifacts):
    page = _session(browser, live_server, world.staff)
    _home(page, artifacts, "office")
    line = page.locator("#todo-late-reporters")
    assert _count(page, "late-reporters") == 2
    expect(page.locator("#todo-red-new")).to_contain_text(world.project_a.name)
    expect(page.locator("#todo-meeting-next")).to_contain_text("2026-04-09 · 四月重点项目调度会 · 议题 2 项")

    # The line opens the reporting overview's list of who has not reported.
    line.locator(".kp-todo-main").click()
    missing = page.locator("#missing-table")
    expect(missing).to_contain_text(world.project_a2.name)
    expect(missing).to_contain_text(world.project_a.name)
    page.go_back()
    page.locator("#todo-late-reporters").get_by_role("button", name="一键催报").click()
    expect(page.get_by_role("alert").first).to_contain_text("已向 1 家业主单位催报 2 个项目的2026年3月报送")
    assert Notification.objects.filter(recipient=world.owner, kind=Kind.REPORT).count() == 1

    # The owner finds the reminder in its inbox, and it leads to its reports to do.
    owner = _session(browser, live_server, world.owner)
    owner.goto("/inbox/")
    item = owner.locator(".list-group-item", has_text="催报")
    expect(item).to_contain_text(world.project_a2.name)
    item.get_by_role("button", name="查看").click()
    owner.wait_for_url("**/plans/reports/")
    expect(owner.locator("#todo")).to_contain_text(world.project_a2.name)
    owner.context.close()
    page.context.close()


def test_leader_gives_an_instruction_and_sees_the_reply(browser, live_server, world, artifacts):
    page = _session(browser, live_server, world.leader)
    _home(page, artifacts, "leader")
    assert (_count(page, "lights-red"), _count(page, "problems-level-3")) == (1, 1)

    page.locator("#todo-problems-level-3 .kp-todo-main").click()
    page.get_by_role("link", name=world.problem_land.title).click()
    instruct = page.locator("#instruct")
    instruct.get_by_label("批示内容").fill("请青秀区本周内完成车辆段用地征收方案报批。")
    instruct.get_by_label("回复时限").fill((NOW.date() + dt.timedelta(days=5)).isoformat())
    instruct.get_by_role("button", name="批示").click()
    expect(page.locator("#instructions")).to_contain_text("请青秀区本周内完成车辆段用地征收方案报批。")
    instruction = Instruction.objects.get(text="请青秀区本周内完成车辆段用地征收方案报批。")

    # The district finds it on its own home page and replies.
    district = _session(browser, live_server, world.district)
    district.goto("/")
    assert _count(district, "instructions-waiting") == 2
    district.locator("#todo-instructions-waiting .kp-todo-main").click()
    district.get_by_role("link", name=world.problem_land.title).first.click()
    reply = district.locator(f"#instruction-{instruction.pk}")
    reply.locator("textarea").fill("已召开征收专题会，方案 4 月 7 日报市政府。")
    reply.get_by_role("button", name="提交回复").click()
    expect(district.locator(f"#instruction-{instruction.pk} .reply")).to_contain_text("4 月 7 日报市政府")
    district.context.close()

    # Back home, the leader sees the reply under its line, and follows it to the problem.
    page.goto("/")
    replied = page.locator("#todo-instructions-replied")
    assert _count(page, "instructions-replied") == 2
    expect(replied).to_contain_text("已召开征收专题会，方案 4 月 7 日报市政府。")
    replied.get_by_role("link", name=world.problem_land.title).click()
    expect(page.locator(f"#instruction-{instruction.pk} .reply")).to_contain_text("已召开征收专题会")
    page.context.close()
