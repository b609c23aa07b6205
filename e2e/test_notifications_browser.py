"""Notifications in a real browser: the owner sees the bell count, opens a message and clears the rest;
office staff connect a group robot, send a test and watch it leave the outbox."""

import pytest
from playwright.sync_api import expect

from keyprojects.notifications.models import Kind
from keyprojects.notifications.services import notification_send, outbox_deliver
from keyprojects.notifications.tests.servers import RobotServer

pytestmark = pytest.mark.e2e


def test_owner_reads_messages_from_the_bell(page, login, cast, artifacts):
    for n, (kind, title) in enumerate(
        [
            (Kind.PROBLEM_ASSIGNED, "问题交办：5号线二期征地拆迁"),
            (Kind.TASK_DUE, "任务即将到期：施工许可办理（剩余 2 个工作日）"),
            (Kind.INSTRUCTION, "领导批示：请市发改委牵头协调用地预审"),
        ]
    ):
        notification_send(
            recipients=[cast.owner],
            kind=kind,
            title=title,
            body="南宁市轨道交通5号线二期工程",
            url=f"/projects/{cast.project_a.pk}/",
            key=f"e2e:{n}",
        )
    login(cast.owner)
    expect(page.locator("#inbox-unread")).to_have_text("3")
    page.locator("#inbox-badge").click()
    expect(page.locator("#notifications .list-group-item-warning")).to_have_count(3)
    page.screenshot(path=artifacts / "notifications-inbox.png", full_page=True)

    page.locator("#notifications .list-group-item").first.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/projects/{cast.project_a.pk}/")
    expect(page.locator("#inbox-unread")).to_have_text("2")

    page.goto("/inbox/")
    page.locator("#read-all").click()
    expect(page.locator("#inbox-unread")).to_have_count(0)
    expect(page.locator("#notifications .list-group-item-warning")).to_have_count(0)

    page.goto("/inbox/preferences/")
    page.get_by_label("任务即将到期 · 电子邮件").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_label("任务即将到期 · 电子邮件")).not_to_be_checked()
    page.screenshot(path=artifacts / "notifications-preferences.png", full_page=True)


def test_office_connects_a_robot_and_sees_the_test_message_sent(page, login, cast, artifacts, settings):
    settings.KP_WEBHOOK_TIMEOUT = 2
    robot = RobotServer().start()
    try:
        login(cast.staff)
        page.goto("/inbox/webhooks/")
        page.locator("#webhook-add").click()
        page.get_by_label("单位").select_option(label=cast.district_a.name)
        page.get_by_label("类型").select_option("dingtalk")
        page.get_by_label("名称").fill("青秀区重点项目群")
        page.get_by_label("Webhook 地址").fill(robot.url(query="access_token=abc"))
        page.get_by_label("加签密钥").fill("SECtest")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#webhooks")).to_contain_text("青秀区重点项目群")
        expect(page.locator("#webhooks")).not_to_contain_text("abc")
        page.get_by_role("button", name="发送测试").click()
        expect(page.locator(".alert-info")).to_contain_text("测试消息已放入发送队列")
        page.screenshot(path=artifacts / "notifications-webhooks.png", full_page=True)

        assert outbox_deliver()["sent"] == 1  # what the scheduler does every minute
        assert robot.accepted[0]["json"]["msgtype"] == "markdown"
        assert "sign" in robot.accepted[0]["query"]
        page.goto("/inbox/outbox/")
        expect(page.locator("#outbox")).to_contain_text("已发送")
        page.screenshot(path=artifacts / "notifications-outbox.png", full_page=True)
    finally:
        robot.stop()
