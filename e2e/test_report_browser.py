"""Monthly reports in a real browser: the owner reports on a phone, the district returns it, the owner
fixes and resubmits, the district approves in its queue without leaving the page (htmx), and the
office sees the district's bar on the completion chart move."""

import json
import re

import pytest
import time_machine
from playwright.sync_api import expect

from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.tests.report_images import image_bytes
from keyprojects.plans.tests.report_world import TODAY, make_report, reports_world
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(cast):
    world = reports_world(cast)
    for month in range(1, 10):
        make_report(world.entry_b, month, "100", by=world.owner_b_user)
    return world


def _district_ytd_on_the_completion_chart(office_page, world):
    """The 1-10月 amount the office's completion chart draws for project B's district (万元)."""
    office_page.goto("/plans/completion/?year=2026&month=10&by=district")
    expect(office_page.locator("#completion-chart canvas").first).to_be_visible()
    data = json.loads(office_page.locator("#completion-data").text_content())
    # Each bar is labelled with its rate as the table prints it: "0.0%", not the bare number's "0%".
    labels = office_page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("completion-chart"));
          const series = chart.getOption().series[0];
          return series.data.map((d, i) => series.label.formatter({dataIndex: i, value: d.value}));
        }"""
    )
    assert labels == [f"{r['rate']}%" if r["rate"] is not None else "" for r in data["rows"]]
    assert labels and all(re.fullmatch(r"\d+\.\d%", label) for label in labels if label), labels
    row = next(r for r in data["rows"] if r["name"] in (world.district_b.name, world.district_b.label))
    return row["ytd"]


def test_owner_reports_on_a_phone_and_the_district_returns_then_approves(
    page, login, world, artifacts, tmp_path, live_server
):
    office = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN")
    staff = office.new_page()
    staff.goto("/login/")
    staff.get_by_label("用户名").fill(world.staff.username)
    staff.get_by_label("密码").fill(PASSWORD)
    staff.get_by_role("button", name="登录").click()
    # Before: nine months of 100 万元 in project B's district.
    assert _district_ytd_on_the_completion_chart(staff, world) == "900.0000"

    page.set_viewport_size(PHONE)
    login(world.owner_b_user)
    page.goto("/plans/reports/")
    todo = page.locator("#todo")
    expect(todo).to_contain_text(world.project_b.name)
    expect(todo).to_contain_text("2026年10月")
    expect(todo).to_contain_text("逾期 10 个工作日")
    todo.get_by_role("link", name="填报").first.click()

    amount = page.get_by_label("当月完成投资（万元）")
    expect(amount).to_have_attribute("inputmode", "decimal")
    amount.fill("250.5")
    # The totals follow the typing: 900 before, 2,000 before the year, 5,000 planned.
    expect(page.locator("#totals-ytd")).to_have_text("1,150.5")
    expect(page.locator("#totals-since")).to_have_text("3,150.5")
    expect(page.locator("#totals-percent")).to_have_text("23.0%")
    page.get_by_label("形象进度").fill("主体结构完成至 6 层")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(64, 48)))
    page.locator("#id_photos").set_input_files(photo)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert").first).to_contain_text("10月报送已提交")
    expect(page.locator("#report-status")).to_contain_text("已报送")
    expect(page.locator("#photos img")).to_have_count(1)
    # One column on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts / "report-phone-submitted.png", full_page=True)
    report = MonthlyReport.objects.get(entry=world.entry_b, month=10)

    district = page.context.browser.new_context(base_url=page.url.split("/plans/")[0], locale="zh-CN")
    reviewer = district.new_page()
    reviewer.goto("/login/")
    reviewer.get_by_label("用户名").fill(world.district_b_user.username)
    reviewer.get_by_label("密码").fill(PASSWORD)
    reviewer.get_by_role("button", name="登录").click()
    reviewer.goto("/plans/reports/review/")
    row = reviewer.locator(f"#report-row-{report.pk}")
    expect(row).to_contain_text("250.5")
    row.get_by_placeholder("退回原因").fill("请补充本月形象进度照片说明")
    row.get_by_role("button", name="退回").click()
    expect(reviewer.locator(f"#report-row-{report.pk}")).to_contain_text("已退回")
    assert reviewer.url.endswith("/plans/reports/review/"), "the row was swapped in place"

    page.goto("/plans/reports/")
    expect(page.locator("#todo")).to_contain_text("请补充本月形象进度照片说明")
    page.locator("#todo").get_by_role("link", name="修改重报").click()
    page.get_by_label("形象进度").fill("主体结构完成至 8 层，照片已补充")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#report-status")).to_contain_text("已报送")
    expect(page.locator("#history")).to_contain_text("已退回 → 已报送")

    reviewer.goto("/plans/reports/review/")
    reviewer.locator(f"#report-row-{report.pk}").get_by_role("button", name="通过").click()
    expect(reviewer.locator(f"#report-row-{report.pk}")).to_contain_text("已审核")
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.APPROVED
    assert re.search(r"250\.5", reviewer.locator(f"#report-row-{report.pk}").inner_text())
    district.close()

    # After: the office's chart draws the district's bar with the approved 250.5 万元 added.
    assert _district_ytd_on_the_completion_chart(staff, world) == "1150.5000"
    staff.screenshot(path=artifacts / "completion-after-report.png", full_page=True)
    office.close()
