"""The JSON each group robot receives, and the DingTalk and Feishu signatures, checked on a real
HTTP server the way the platforms check them."""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from keyprojects.notifications import channels
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


# What users type reaches the robots as text: a problem's title or a report's text cannot put a
# clickable link, an HTML tag or formatting in a group's chat. The system's own link still works.
HOSTILE = [
    "请立即[点此核对账户](http://phish.example/login)",
    '<a href="http://phish.example/login">点此核对账户</a>',
    "![二维码](http://phish.example/qr.png)",
    "<http://phish.example/login>",
    "[点此核对账户][1]\n\n[1]: http://phish.example/login",
    "**紧急** __通知__ *斜体* _下划线_ ~~删除~~",
    "# 大标题\n## 二级标题",
    "> 引用：市领导要求",
    "`代码` ```多行```",
    '<font color="warning">紧急</font> <@all>',
    "第一行\r\n[查看详情](http://phish.example/login)\n\\[转义\\](http://phish.example)",
    "&#91;点此&#93;(http://phish.example) | 表格 |",
]
MARKUP = set("[]<>*_#`\\|~&")
OUR_LINK = "[查看详情](https://kp.example.gov.cn/problems/7/)"


def _hostile_messages(cast, robot, channel):
    _hook(cast, robot, channel)
    for n, text in enumerate(HOSTILE):
        notification_send(
            recipients=[cast.district],
            kind=Kind.PROBLEM_ASSIGNED,
            title=f"问题交办：{text}",
            body=f"问题描述：{text}\n牵头单位：青秀区",
            url="/problems/7/",
            key=f"problem:7:hostile:{n}",
            organisations=[cast.district_a],
        )
    assert outbox_deliver()["sent"] == len(HOSTILE)
    return [request["json"] for request in robot.accepted]


def _user_text_is_inert(user_text: str):
    assert not MARKUP & set(user_text), user_text
    assert "](" not in user_text and "<" not in user_text


def test_it_sends_user_text_to_wecom_as_text_with_only_its_own_link(robot, cast):
    payloads = _hostile_messages(cast, robot, Channel.WECOM)
    for payload in payloads:
        content = payload["markdown"]["content"]
        title_line, *body_lines, link_line = content.split("\n")
        assert link_line == OUR_LINK
        assert title_line.startswith("**") and title_line.endswith("**")
        _user_text_is_inert(title_line[2:-2])
        _user_text_is_inert("\n".join(body_lines))
        assert body_lines[-1] == "牵头单位：青秀区"
    assert payloads[0]["markdown"]["content"] == (
        "**问题交办：请立即［点此核对账户］(http://phish.example/login)**\n"
        "问题描述：请立即［点此核对账户］(http://phish.example/login)\n"
        "牵头单位：青秀区\n" + OUR_LINK
    )


def test_it_sends_user_text_to_dingtalk_as_text_with_only_its_own_link(robot, cast):
    payloads = _hostile_messages(cast, robot, Channel.DINGTALK)
    for payload in payloads:
        markdown = payload["markdown"]
        assert "\n" not in markdown["title"]  # the chat list shows it as plain text
        heading, *body, link = markdown["text"].split("\n\n")
        assert link == OUR_LINK
        assert heading.startswith("#### ") and "\n" not in heading
        _user_text_is_inert(heading.removeprefix("#### "))
        _user_text_is_inert("\n\n".join(body))
    assert payloads[0]["markdown"]["text"] == (
        "#### 问题交办：请立即［点此核对账户］(http://phish.example/login)\n\n"
        "问题描述：请立即［点此核对账户］(http://phish.example/login)\n牵头单位：青秀区\n\n" + OUR_LINK
    )
    assert payloads[6]["markdown"]["title"] == "问题交办：# 大标题 ## 二级标题"


def test_it_sends_user_text_to_feishu_only_in_text_elements(robot, cast):
    for payload in _hostile_messages(cast, robot, Channel.FEISHU):
        post = payload["content"]["post"]["zh_cn"]
        elements = [element for line in post["content"] for element in line]
        assert [e for e in elements if e["tag"] != "text"] == [
            {"tag": "a", "text": "查看详情", "href": "https://kp.example.gov.cn/problems/7/"}
        ]


def test_it_keeps_its_own_link_whole_in_markdown():
    assert channels.markdown_link("查看详情", "https://kp.example.gov.cn/reports/7/?q=(a) b") == (
        "[查看详情](https://kp.example.gov.cn/reports/7/?q=%28a%29%20b)"
    )
