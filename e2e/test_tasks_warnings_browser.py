"""Tasks and the warning centre in a real browser: office staff generate a 新开工 project's task list
from its template, the warning centre shows the overdue ones red, a department person marks one done
with evidence, and the warning centre turns that warning green, with its history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from keyprojects.plans.tests.cast import plans_cast
from keyprojects.tasks.models import Task
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.e2e

TODAY = dt.datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SLOW_MS = 60_000  # the shared CI machine may be busy: generous waits, the assertions stay strict
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(cast):
    world = plans_cast(cast)
    # Planned to start in December: the approvals due before it are late by now, 施工许可 among them.
    world.entry_a.planned_start_month = 12
    world.entry_a.save()
    # Load every URL module now, not during the live server's first request (slow on a busy machine).
    reverse("warning_list")
    return world


def _sign_in(context, user):
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    page.set_default_navigation_timeout(SLOW_MS)
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_a_task_done_with_evidence_turns_its_warning_green(page, login, world, artifacts, live_server):
    project = world.project_a
    page.set_default_timeout(SLOW_MS)
    page.set_default_navigation_timeout(SLOW_MS)
    login(world.staff)

    # Office staff generate the project's standard list from the 新开工 template.
    page.goto(f"/tasks/project/{project.pk}/generate/")
    page.locator("#id_planned_start").fill("2026-12")
    page.locator("#generate-submit").click()
    page.wait_for_url(f"**/tasks/project/{project.pk}/")
    permit = Task.objects.get(project=project, title="施工许可")
    assert permit.responsible_unit == world.department
    assert permit.deadline < TODAY.date()

    # The warning centre shows the overdue permit task red, with its figures.
    page.goto("/warnings/?rule=task")
    row = page.locator(f'#warnings tr[data-subject="task:{permit.pk}"]')
    expect(row).to_have_attribute("data-level", "red")
    expect(row).to_contain_text("施工许可")
    expect(row).to_contain_text("逾期")
    expect(page.locator("#warning-chart canvas").first).to_be_visible()
    page.screenshot(path=artifacts / "warnings-before.png", full_page=True)
    reds_before = int(page.locator("#total-red").text_content())

    # The department person marks it done with a file as evidence.
    department = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN")
    worker = _sign_in(department, world.department_user)
    worker.goto(f"/tasks/{permit.pk}/done/")
    worker.get_by_label("完成情况说明").fill("已取得建筑工程施工许可证。")
    worker.locator("input[type=file]").set_input_files(
        files=[{"name": "施工许可证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    worker.locator("#done-submit").click()
    worker.wait_for_url(f"**/tasks/{permit.pk}/")
    expect(worker.locator("body")).to_contain_text("已完成")
    department.close()

    # Back in the warning centre: gone from the red list, listed as green again, with its history.
    page.goto("/warnings/?rule=task")
    expect(page.locator(f'#warnings tr[data-subject="task:{permit.pk}"]')).to_have_count(0)
    # The granted permit also settles the preliminary tasks before it: their lights go out with it.
    settled = Task.objects.filter(project=project, status=Task.Status.DONE).count()
    assert settled > 1
    assert int(page.locator("#total-red").text_content()) <= reds_before - 1
    page.goto("/warnings/?rule=task&level=green")
    row = page.locator(f'#warnings tr[data-subject="task:{permit.pk}"]')
    expect(row).to_have_attribute("data-level", "green")
    row.get_by_role("link", name="施工许可").click()
    history = page.locator("#warning-history")
    expect(history).to_contain_text("红灯")
    expect(history.locator("tr").last).to_contain_text("绿灯")
    page.screenshot(path=artifacts / "warnings-green-history.png", full_page=True)
