"""A problem's whole life in a real browser: the owner raises it just before the National Day holiday
and the office assigns it the same day, which starts its level clock; time passes and the escalation
job, run on a later day, moves it to the office (level 2) by itself; the office adds a co-handling
department; the liaison leader writes an instruction; the lead department replies and resolves it; the
owner confirms and it is struck off (销号)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from keyprojects.coordination.models import Problem
from keyprojects.coordination.services import escalation_levels_ensure
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.e2e

RAISED = dt.datetime(2026, 9, 28, 10, 0)  # Monday before National Day (1–7 October)
AFTER_HOLIDAY = dt.datetime(2026, 10, 12, 9, 0)  # Monday after the make-up Saturday (10 October)
# Five browsers' worth of pages on a shared CI machine: more patience than conftest's default.
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
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_a_problem_escalates_by_itself_and_is_struck_off(
    page, login, cast, browser, live_server, artifacts, tmp_path
):
    escalation_levels_ensure()  # the live-server database is flushed between tests: the ladder again
    page.context.set_default_timeout(TIMEOUT_MS)
    page.context.set_default_navigation_timeout(TIMEOUT_MS)
    with time_machine.travel(RAISED, tick=True) as traveller:
        # The owner raises a problem from its project's page, with a file.
        login(cast.owner)
        page.goto(f"/projects/{cast.project_a.pk}/")
        page.locator("#raise-problem").click()
        page.get_by_label("问题类别").select_option(label="审批")
        page.get_by_label("问题概述").fill("施工许可证办理受阻")
        page.get_by_label("问题描述").fill("消防设计审查意见未出具，施工许可证无法办理，影响盾构始发。")
        expect(page.get_by_label("牵头单位")).to_have_value(str(cast.department.pk))
        letter = tmp_path / "消防审查申请.pdf"
        letter.write_bytes(b"%PDF-1.4\n%%EOF\n")
        page.locator("#id_files").set_input_files(letter)
        page.get_by_role("button", name="提出问题").click()
        expect(page.get_by_role("alert").first).to_contain_text("问题已提出")
        expect(page.locator("#problem-status")).to_have_text("待交办")
        # No level clock until the office assigns it (交办).
        expect(page.locator("#clock")).to_contain_text("交办后开始计时")
        expect(page.locator("#actions")).to_contain_text("消防审查申请.pdf")
        problem = Problem.objects.get(title="施工许可证办理受阻")

        # The office assigns it the same day: level 1's five working days start (29, 30 September, 8, 9
        # and the make-up Saturday 10 October).
        staff = _session(browser, live_server, cast.staff)
        staff.goto(problem.get_absolute_url())
        staff.locator("#assign").get_by_role("button", name="交办").click()
        expect(staff.get_by_role("alert").first).to_contain_text("问题已交办")
        expect(staff.locator("#problem-status")).to_have_text("办理中")
        expect(staff.locator("#clock")).to_contain_text("2026-10-10")
        expect(staff.locator("#clock")).to_contain_text("剩余 5 个工作日")

        # Time passes: the job runs every day; nothing moves during the holiday …
        for day in range(1, 12):
            call_command("escalate_problems", today=dt.date(2026, 10, day))
        problem.refresh_from_db()
        assert problem.level == 1
        # … and on the first working day after the deadline it moves up by itself.
        traveller.move_to(AFTER_HOLIDAY)
        call_command("escalate_problems")
        problem.refresh_from_db()
        assert problem.level == 2
        # Sessions idle for weeks have ended: the owner and the office log in again.
        login(cast.owner)
        staff = _session(browser, live_server, cast.staff)

        # Office staff see it on the ledger at level 2 and add a co-handling department.
        staff.goto("/problems/?level=2")
        row = staff.locator(f"#problem-{problem.pk}")
        expect(row).to_contain_text("2. 市重点办协调")
        row.get_by_role("link", name="施工许可证办理受阻").click()
        expect(staff.locator("#actions")).to_contain_text("超时自动提级")
        expect(staff.locator("#ladder .step.current")).to_contain_text("市重点办协调")
        staff.locator("#co-unit").get_by_label("协办单位").select_option(label=cast.other_department.name)
        staff.locator("#co-unit").get_by_role("button", name="增加协办单位").click()
        expect(staff.get_by_role("alert").first).to_contain_text("已增加协办单位")
        expect(staff.locator("#co-units")).to_contain_text(cast.other_department.name)
        staff.screenshot(path=artifacts / "problem-office.png", full_page=True)

        # The liaison leader writes an instruction to the lead department.
        leader = _session(browser, live_server, cast.leader)
        leader.goto(problem.get_absolute_url())
        form = leader.locator("#instruct")
        form.get_by_label("批示内容").fill("请市发改委牵头，会同市生态环境局一周内解决。")
        expect(form.get_by_label("回复单位")).to_have_value(str(cast.department.pk))
        form.get_by_label("回复时限").fill("2026-10-16")
        form.get_by_role("button", name="批示").click()
        expect(leader.locator("#instructions")).to_contain_text("请市发改委牵头")

        # The department replies to the instruction and resolves the problem.
        department = _session(browser, live_server, cast.department_user)
        department.goto(problem.get_absolute_url())
        department.locator("#instructions").get_by_label("回复内容").fill(
            "已召开专题会，消防审查意见已出具。"
        )
        department.get_by_role("button", name="提交回复").click()
        expect(department.locator("#instructions .reply")).to_contain_text("消防审查意见已出具")
        department.locator("#handle").get_by_label("办结情况").fill("施工许可证已于10月14日核发。")
        department.locator("#handle button.btn-success").click()  # 办结
        expect(department.locator("#problem-status")).to_have_text("已办结待确认")

        # The owner confirms: struck off.
        page.goto(problem.get_absolute_url())
        expect(page.locator("#confirm")).to_be_visible()
        page.get_by_role("button", name="确认销号").click()
        expect(page.get_by_role("alert").first).to_contain_text("问题已销号")
        expect(page.locator("#problem-status")).to_have_text("已销号")
        page.screenshot(path=artifacts / "problem-closed.png", full_page=True)

        log = page.locator("#actions li")
        expect(log).to_have_count(8)
        for kind in (
            "提出",
            "交办",
            "超时自动提级",
            "增加协办单位",
            "领导批示",
            "批示回复",
            "办结",
            "确认销号",
        ):
            expect(page.locator("#actions")).to_contain_text(kind)
        # The ledger's statistics count it as closed.
        staff.goto("/problems/stats/")
        expect(staff.locator("#rate")).to_have_text("100.0%")
        expect(staff.locator("#category-chart canvas").first).to_be_visible()
        staff.screenshot(path=artifacts / "problem-stats.png", full_page=True)
        for other in (staff, leader, department):
            other.context.close()
