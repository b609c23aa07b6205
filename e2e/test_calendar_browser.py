"""The holiday schedule in a real browser: on 6 December 2026 the office admin is reminded that 2027's
schedule is not entered, pastes the State Council's notice, checks the dates and the month preview,
confirms — and a task's 2027 deadline moves to the official calendar and loses its 暂定 mark."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from keyprojects.lib.tests.notices import NOTICE_2027
from keyprojects.tasks import services
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.e2e

TODAY = dt.datetime(2026, 12, 6, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SLOW_MS = 60_000


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


def test_office_pastes_the_notice_confirms_it_and_the_provisional_mark_goes(page, login, cast, artifacts):
    page.set_default_timeout(SLOW_MS)
    page.set_default_navigation_timeout(SLOW_MS)
    # Mon 1 February 2027 + 5 working days: provisionally Fri 12 February (5–10 off by rule).
    task = services.task_create(
        by=cast.staff,
        project=cast.project_a,
        title="施工许可",
        responsible_unit=cast.department,
        start_date=dt.date(2027, 2, 1),
        deadline_workdays=5,
    )
    reverse("calendar_years")  # load the URL conf now, not during the live server's first request
    login(cast.admin)

    page.goto(f"/tasks/{task.pk}/")
    deadline = page.locator("#task-deadline")
    expect(deadline).to_contain_text("2027-02-12")
    expect(deadline.locator(".kp-provisional")).to_have_text("暂定")

    # The reminder on every page leads to the year's page.
    reminder = page.locator("#calendar-reminder")
    expect(reminder).to_contain_text("2027 年的节假日安排尚未录入")
    reminder.get_by_role("link", name="录入节假日安排").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2027年节假日安排")
    expect(page.locator("#year-state")).to_have_text("暂定")

    page.get_by_label("国务院办公厅通知原文").fill(NOTICE_2027)
    page.get_by_role("button", name="识别通知").click()
    expect(page.locator("#parse-result")).to_contain_text("已识别全部分项")
    expect(page.get_by_label("放假日期")).to_have_value(
        "2027-01-01 至 2027-01-03 元旦\n2027-02-05 至 2027-02-13 春节\n"
        "2027-04-03 至 2027-04-05 清明节\n2027-05-01 至 2027-05-05 劳动节\n"
        "2027-06-09 端午节\n2027-09-15 中秋节\n2027-10-01 至 2027-10-07 国庆节"
    )
    expect(page.get_by_label("调休上班日期")).to_contain_text("2027-01-31 春节")
    expect(page.locator("#preview-table tbody tr").nth(1)).to_contain_text("15")  # February's working days
    expect(page.locator("#chart-workdays canvas").first).to_be_visible()
    page.screenshot(path=artifacts / "calendar-parsed.png", full_page=True)

    page.get_by_role("button", name="确认为官方安排").click()
    expect(page.get_by_role("alert")).to_contain_text("已确认 2027 年节假日安排")
    expect(page.get_by_role("alert")).to_contain_text("已重新计算 1 个未完成的期限")
    expect(page.locator("#year-state")).to_have_text("官方")
    expect(page.locator("#calendar-reminder")).to_have_count(0)

    page.goto(f"/tasks/{task.pk}/")
    expect(deadline).to_contain_text("2027-02-16")  # Feb 5–13 off, then Mon 15 and Tue 16
    expect(deadline.locator(".kp-provisional")).to_have_count(0)
    assert Task.objects.get(pk=task.pk).deadline == dt.date(2027, 2, 16)
    page.screenshot(path=artifacts / "calendar-task-official.png", full_page=True)
