"""The demo city's notifications: a few messages in the demo logins' inboxes, the group robots of two
organisations (switched off: the demo has no internet) and an outbox with one sent and one given-up
message, so that every notifications page has something to show."""

import datetime as dt
import random
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from keyprojects.notifications.models import Channel, Kind, Notification, OutboxMessage, WebhookEndpoint
from keyprojects.orgs.models import User

# (login, kind, title, body, the page the message links to); {month}: last month; {reply_by}: a date a
# few days ahead. The demo's messages name no real record, so each links to the list where it would be.
MESSAGES = [
    (
        "district",
        Kind.PROBLEM_ASSIGNED,
        "问题交办：轨道交通5号线二期征地拆迁进度滞后",
        "请青秀区牵头，5 个工作日内反馈办理情况。",
        "problem_list",
    ),
    (
        "district",
        Kind.TASK_DUE,
        "任务即将到期：完成五象新区片区房屋征收签约",
        "剩余 2 个工作日。",
        "task_mine",
    ),
    (
        "department",
        Kind.INSTRUCTION,
        "领导批示：请市发改委牵头协调用地预审",
        "请于 {reply_by} 前报送办理情况。",
        "instruction_list",
    ),
    (
        "owner",
        Kind.REPORT,
        "{month}月月度报送已退回",
        "当月完成投资与形象进度不符，请核实后重新报送。",
        "report_todo",
    ),
    (
        "owner",
        Kind.PROBLEM_RESOLVED,
        "问题已办结，请确认：施工用电接入",
        "牵头单位已办结，请确认是否销号。",
        "problem_list",
    ),
    (
        "staff",
        Kind.PROBLEM_ESCALATED,
        "问题提级：西乡塘区老旧小区改造资金缺口",
        "超过时限未解决，已提级至市重点办协调。",
        "problem_list",
    ),
    ("staff", Kind.WARNING, "预警：3 个超亿元项目投资完成率低于序时进度 30 个百分点", "", "warning_list"),
]


def load_notifications_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.filter(username__in={m[0] for m in MESSAGES} | {"leader"})}
    now = timezone.now()
    if timezone.localdate(now) != today:  # loaded for another day: the messages were read that morning
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    reply_by = today + timedelta(days=7)
    dates = {"month": (today.month + 10) % 12 + 1, "reply_by": f"{reply_by.month} 月 {reply_by.day} 日"}
    notes = []
    for n, (username, kind, title, body, page) in enumerate(MESSAGES):
        user = users.get(username)
        if user is None:
            continue
        title, body = title.format(**dates), body.format(**dates)
        notes.append(
            Notification(
                recipient=user, kind=kind, title=title, body=body, url=reverse(page), key=f"demo:{n}"
            )
        )
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    # The first message of each login stays unread; the older ones read at random.
    for note in Notification.objects.filter(key__startswith="demo:").order_by("pk")[1::2]:
        if rng.random() < 0.7:
            note.read_at = now
            note.save(update_fields=["read_at"])

    hooks = []
    staff = users.get("staff")
    district = users.get("district")
    if staff is not None and district is not None:
        hooks = [
            WebhookEndpoint(
                organisation=staff.organisation,
                channel=Channel.WECOM,
                name="市重点办项目调度群",
                url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-not-a-real-key",
                is_active=False,
            ),
            WebhookEndpoint(
                organisation=district.organisation,
                channel=Channel.DINGTALK,
                name="青秀区重大项目服务群",
                url="https://oapi.dingtalk.com/robot/send?access_token=demo-not-a-real-token",
                secret="SECdemo",
                is_active=False,
            ),
        ]
        WebhookEndpoint.objects.bulk_create(hooks)
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    channel=Channel.WECOM,
                    webhook=hooks[0],
                    subject=MESSAGES[5][2],
                    body=MESSAGES[5][3],
                    url=reverse(MESSAGES[5][4]),
                    key="demo:outbox:sent",
                    status=OutboxMessage.Status.SENT,
                    attempts=1,
                    next_attempt_at=now - timedelta(hours=2),
                    sent_at=now - timedelta(hours=2),
                ),
                OutboxMessage(
                    channel=Channel.DINGTALK,
                    webhook=hooks[1],
                    subject=MESSAGES[0][2],
                    body=MESSAGES[0][3],
                    url=reverse(MESSAGES[0][4]),
                    key="demo:outbox:dead",
                    status=OutboxMessage.Status.DEAD,
                    attempts=10,
                    next_attempt_at=now - timedelta(hours=1),
                    last_error="无法连接：[Errno -3] Temporary failure in name resolution",
                ),
            ]
        )
    if stdout is not None:
        stdout.write(f"站内消息 {len(notes)} 条，群机器人 {len(hooks)} 个（已停用）\n")
    return {"notifications": len(notes), "webhooks": len(hooks)}
