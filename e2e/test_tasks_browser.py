"""Task lists in a real browser: the office generates a project's list from its template, a department
marks its task done with evidence, and the countdowns and timeline read right in Chinese."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from keyprojects.plans.models import AnnualEntry, AnnualList, Category
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _patient(page):
    # Generation writes a whole list in one request; give a loaded machine time.
    page.context.set_default_timeout(20_000)
    page.context.set_default_navigation_timeout(20_000)


def test_office_generates_and_department_completes_with_evidence(
    page, login, cast, artifacts, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Planned to start next month, whatever today is: the first template item falls on its first day.
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    annual = AnnualList.objects.create(year=start.year)
    AnnualEntry.objects.create(
        annual_list=annual,
        project=cast.project_a,
        category=Category.NEW_START,
        planned_start_month=start.month,
    )
    login(cast.staff)
    page.goto(f"/projects/{cast.project_a.pk}/")
    page.locator("#project-tasks").get_by_role("link", name="从模板生成任务清单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("从模板生成任务清单")
    expect(page.get_by_label("任务模板")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("计划开工月份").fill(f"{start:%Y-%m}")
    page.get_by_label("计划开工月份").dispatch_event("change")
    expect(page.locator("#preview-table")).to_contain_text(start.isoformat())
    page.screenshot(path=artifacts / "tasks-generate.png", full_page=True)
    page.get_by_role("button", name="从模板生成任务清单").click()
    expect(page.get_by_role("alert")).to_contain_text("已从模板生成 11 项任务")
    table = page.locator("#tasks")
    expect(table.locator("tbody tr")).to_have_count(11)
    expect(table).to_contain_text("施工许可")
    page.screenshot(path=artifacts / "tasks-project-list.png", full_page=True)
    page.get_by_role("link", name="时间轴").click()
    expect(page.locator("#today-line")).to_be_visible()
    page.screenshot(path=artifacts / "tasks-timeline.png", full_page=True)

    page.context.clear_cookies()
    login(cast.department_user)
    page.goto("/tasks/mine/")
    task = (
        Task.objects.filter(project=cast.project_a, responsible_unit=cast.department)
        .order_by("deadline")
        .first()
    )
    page.locator(f"#task-{task.pk}").get_by_role("link", name=task.title).click()
    page.get_by_role("link", name="标记完成").click()
    evidence = tmp_path / "批复文件.pdf"
    evidence.write_bytes(b"%PDF-1.7\n%%EOF\n")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_label("完成情况说明").fill("已取得批复")
    page.get_by_role("button", name="确认完成").click()
    expect(page.get_by_role("alert")).to_contain_text("已标记完成")
    expect(page.locator("#task-status")).to_have_text("已完成")
    expect(page.locator("#evidence")).to_contain_text("批复文件.pdf")
    page.screenshot(path=artifacts / "tasks-detail-done.png", full_page=True)
