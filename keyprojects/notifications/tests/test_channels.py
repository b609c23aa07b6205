"""The JSON each group robot receives, and the DingTalk and Feishu signatures, checked on a real
HTTP server the way the platforms check them."""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from keyprojects.notifications.models import Channel, Kind, WebhookEndpoint
from keyprojects.notifications.services import masked_url, notification_send, outbox_deliver

SECRET = "SECb1a2c3d4e5f60718293a4b5c6d7e8f9"


def _notify(cast, *, url="/problems/7/"):
    notification_send(
        recipients=[cast.district],
        kind=Kind.PROBLEM_ASSIGNED,
        title="问题交办：征地拆迁",
        body="项目：南宁市轨道交通5号线二期工程\n牵头单位：青秀区",
        url=url,
        key="problem:7:assign",
        organisations=[cast.district_a],
    )


def _hook(cast, robot, channel, secret=""):
    return WebhookEndpoint.objects.create(
        organisation=cast.district_a, channel=channel, name="项目群", url=robot.url(), secret=secret
    )


def test_it_posts_wecom_markdown(robot, cast):
    _hook(cast, robot, Channel.WECOM)
    _notify(cast)
    assert outbox_deliver()["sent"] == 1
    [request] = robot.accepted
    assert request["query"] == {"key": "robot-key"}
    assert request["content_type"].startswith("application/json")
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**问题交办：征地拆迁**\n项目：南宁市轨道交通5号线二期工程\n牵头单位：青秀区\n"
            "[查看详情](https://kp.example.gov.cn/problems/7/)"
        },
    }


def test_it_posts_dingtalk_markdown_signed_in_the_query(robot, cast):
    _hook(cast, robot, Channel.DINGTALK, secret=SECRET)
    _notify(cast)
    before = timezone.now()
    assert outbox_deliver(now=before)["sent"] == 1
    [request] = robot.accepted
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": "问题交办：征地拆迁",
            "text": "#### 问题交办：征地拆迁\n\n项目：南宁市轨道交通5号线二期工程\n牵头单位：青秀区\n\n"
            "[查看详情](https://kp.example.gov.cn/problems/7/)",
        },
    }
    query = request["query"]
    assert query["key"] == "robot-key"  # the robot's own parameters are kept
    timestamp = query["timestamp"]
    assert timestamp == str(int(before.timestamp() * 1000))  # milliseconds
    # DingTalk: HmacSHA256 keyed with the secret over "timestamp\nsecret", base64 (then URL-encoded).
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected


def test_it_posts_feishu_rich_text_signed_in_the_body(robot, cast):
    _hook(cast, robot, Channel.FEISHU, secret=SECRET)
    _notify(cast)
    now = timezone.now()
    assert outbox_deliver(now=now)["sent"] == 1
    [request] = robot.accepted
    body = request["json"]
    timestamp = body.pop("timestamp")
    sign = body.pop("sign")
    assert timestamp == str(int(now.timestamp()))  # seconds
    # Feishu: HmacSHA256 keyed with "timestamp\nsecret" over an empty message, base64.
    assert (
        sign
        == base64.b64encode(
            hmac.new(f"{timestamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
        ).decode()
    )
    assert body == {
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": "问题交办：征地拆迁",
                    "content": [
                        [{"tag": "text", "text": "项目：南宁市轨道交通5号线二期工程"}],
                        [{"tag": "text", "text": "牵头单位：青秀区"}],
                        [{"tag": "a", "text": "查看详情", "href": "https://kp.example.gov.cn/problems/7/"}],
                    ],
                }
            }
        },
    }


def test_it_posts_feishu_plain_text_without_a_link_or_a_secret(robot, cast):
    _hook(cast, robot, Channel.FEISHU)
    _notify(cast, url="")
    assert outbox_deliver()["sent"] == 1
    assert robot.accepted[0]["json"] == {
        "msg_type": "text",
        "content": {"text": "问题交办：征地拆迁\n项目：南宁市轨道交通5号线二期工程\n牵头单位：青秀区"},
    }


@pytest.mark.parametrize("answer", ["errcode", "feishu-error"])
def test_it_retries_when_the_robot_answers_200_with_an_error_code(robot, cast, answer):
    _hook(cast, robot, Channel.FEISHU, secret=SECRET)
    _notify(cast)
    robot.script = [answer]
    assert outbox_deliver() == {"sent": 0, "retry": 1, "dead": 0}
    assert outbox_deliver(now=timezone.now() + timedelta(minutes=1))["sent"] == 1


def test_it_hides_the_robots_token_in_lists():
    assert masked_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
    )
    assert masked_url("https://open.feishu.cn/open-apis/bot/v2/hook/abc-123") == (
        "https://open.feishu.cn/open-apis/bot/v2/hook/…"
    )
