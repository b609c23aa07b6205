"""The Content-Security-Policy in a real browser: every major page, the API documentation and the error
pages load under it without one refusal (PageWatch fails a test on any), an injected inline script is
refused and caught, and the confirmations and the back link that used to be onclick="…" still work."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from keyprojects.dashboard.tests.project_world import project_world

pytestmark = pytest.mark.e2e

PAGES = [
    "home",
    "cockpit",
    "cockpit_screen",
    "map_projects",
    "project_list",
    "project_create",
    "annual_list",
    "proposal_list",
    "plan_change_list",
    "import_upload",
    "report_todo",
    "report_queue",
    "report_status",
    "report_locks",
    "completion",
    "task_list",
    "task_template_list",
    "warning_list",
    "warning_rules",
    "operating_list",
    "problem_list",
    "problem_stats",
    "instruction_list",
    "meeting_list",
    "escalation_levels",
    "leader_list",
    "leader_over_yi",
    "visit_list",
    "land_ledger",
    "letter_list",
    "inspection_list",
    "rectification_list",
    "tour_list",
    "scheme_list",
    "score_overview",
    "ranking_list_index",
    "notice_list",
    "open_data",
    "search",
    "inbox",
    "outbox_list",
    "webhook_list",
    "organisation_list",
    "city_leader_list",
    "calendar_years",
    "boundary_list",
    "office_settings",
    "ops_status",
    "api-token-list",
    "account",
    "password_change",
    "admin:index",
    "admin:orgs_user_changelist",
    "admin:orgs_user_add",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=True):
        yield


@pytest.fixture
def world(cast):
    return project_world(cast)


def _policy(response) -> str:
    return response.headers.get("content-security-policy", "")


def test_it_refuses_an_injected_inline_script_and_the_watch_sees_it(page):
    response = page.goto("/login/", timeout=60_000)
    assert "script-src 'self'" in _policy(response)
    assert "unsafe-inline" not in _policy(response).split("script-src")[1].split(";")[0]

    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
        const img = '<img src="/static/keyprojects/favicon.svg" onload="window.injected = true">';
        document.body.insertAdjacentHTML("beforeend", img);
    }"""
    )
    page.wait_for_timeout(300)

    assert page.evaluate("window.injected") is None
    assert any("inline" in v for v in page.watch.csp_violations), page.watch.csp_violations
    page.watch.csp_violations.clear()  # seen: the page is otherwise clean


def test_it_serves_every_major_page_without_a_policy_violation(page, login, world):
    login(world.admin)
    for name in PAGES:
        url = reverse(name)
        response = page.goto(url, wait_until="load")
        assert response.status == 200, url
        assert "default-src 'self'" in _policy(response), url
        assert not page.watch.csp_violations, (url, page.watch.csp_violations)
    for url in (
        f"/projects/{world.project_a.pk}/",
        reverse("admin:orgs_user_change", args=[world.staff.pk]),
        "/no-such-page/",
    ):
        page.goto(url, wait_until="load")
        assert not page.watch.csp_violations, (url, page.watch.csp_violations)


def test_it_shows_the_api_documentation_under_the_policy(page, login, cast):
    login(cast.staff)
    # Swagger UI parses megabytes of script: on a machine running three suites that takes long.
    slow = 60_000
    page.goto(reverse("api-docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("重点项目管理系统接口", timeout=slow)
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=slow)
    assert not page.watch.csp_violations


def test_it_still_asks_before_revoking_and_goes_back_from_a_missing_page(page, login, cast):
    login(cast.admin)
    page.goto(reverse("api-token-list"))
    page.get_by_label("单位").select_option(index=1)
    page.get_by_label("名称").fill("对接测试")
    page.locator("#create-token").click()
    expect(page.locator("#new-token")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="吊销").click()
    expect(page.locator("#token-table")).to_contain_text("有效")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="吊销").click()
    expect(page.locator("#token-table")).to_contain_text("已吊销")

    page.goto("/no-such-page/")
    page.get_by_role("link", name="返回上一页").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("api-token-list")) + "$"))
