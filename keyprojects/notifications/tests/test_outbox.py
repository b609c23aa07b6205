"""The outbox against a real SMTP server and a real webhook server: every message arrives exactly once,
whatever fails on the way."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from keyprojects.notifications.models import Channel, Kind, Notification, OutboxMessage, WebhookEndpoint
from keyprojects.notifications.services import notification_send, outbox_deliver, outbox_retry
from keyprojects.orgs.models import Organisation, User


@pytest.fixture(autouse=True)
def _clock():
    """Runs are given NOW explicitly: T0 is after the messages were written, then minutes later."""
    global T0
    T0 = timezone.now() + timedelta(hours=1)


def minutes(n):
    return T0 + timedelta(minutes=n)


def _send(users, *, key, title="问题已提级", organisations=()):
    return notification_send(
        recipients=users,
        kind=Kind.PROBLEM_ESCALATED,
        title=title,
        body="南宁市轨道交通5号线二期工程：征地拆迁问题超过时限未解决，已提级至市重点办协调。",
        url="/problems/12/",
        key=key,
        organisations=organisations,
    )


@pytest.fixture
def people(cast):
    for user, address in [(cast.district, "qingxiu@kp.test"), (cast.department_user, "fgw@kp.test")]:
        user.email = address
        user.save(update_fields=["email"])
    return [cast.district, cast.department_user]


def _robot(org, url, channel=Channel.WECOM, secret="", name="重点项目群"):
    return WebhookEndpoint.objects.create(
        organisation=org, channel=channel, name=name, url=url, secret=secret
    )


def test_it_delivers_each_email_once_after_the_mail_server_comes_back(smtp, people):
    _send(people, key="problem:12:escalate:2")
    smtp.stop()

    first = outbox_deliver(now=T0)
    assert first == {"sent": 0, "retry": 1, "dead": 0}  # the server is down: the run stops trying mail
    failed = OutboxMessage.objects.get(attempts=1)
    assert failed.status == OutboxMessage.Status.PENDING
    assert failed.next_attempt_at == minutes(1)
    assert "无法连接邮件服务器" in failed.last_error

    smtp.start()
    assert outbox_deliver(now=minutes(2)) == {"sent": 2, "retry": 0, "dead": 0}
    assert outbox_deliver(now=minutes(3)) == {"sent": 0, "retry": 0, "dead": 0}
    assert outbox_deliver(now=minutes(600)) == {"sent": 0, "retry": 0, "dead": 0}

    assert sorted(m["to"][0] for m in smtp.messages) == ["fgw@kp.test", "qingxiu@kp.test"]
    mail = smtp.messages[0]["message"]
    assert mail["Subject"] == "问题已提级"
    assert "noreply@kp.test" in mail["From"]
    text = mail.get_content()
    assert "征地拆迁问题超过时限未解决" in text
    assert "https://kp.example.gov.cn/problems/12/" in text
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}


def test_it_posts_to_a_robot_that_fails_hangs_and_errs_exactly_once_when_it_recovers(robot, cast):
    hook = _robot(cast.district_a, robot.url())
    _send([cast.district], key="problem:1:escalate:2", organisations=[cast.district_a])
    robot.script = ["500", "hang", "errcode"]

    assert outbox_deliver(now=T0) == {"sent": 0, "retry": 1, "dead": 0}
    message = OutboxMessage.objects.get(webhook=hook)
    assert (message.attempts, message.next_attempt_at) == (1, minutes(1))
    assert "HTTP 500" in message.last_error
    assert outbox_deliver(now=T0)["retry"] == 0  # not due again before its back-off

    assert outbox_deliver(now=minutes(1)) == {"sent": 0, "retry": 1, "dead": 0}  # hangs past the timeout
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, minutes(3))  # back-off doubles
    assert "超时" in message.last_error

    assert outbox_deliver(now=minutes(3)) == {"sent": 0, "retry": 1, "dead": 0}  # 200 with an error code
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (3, minutes(7))
    assert "310000" in message.last_error

    assert outbox_deliver(now=minutes(7)) == {"sent": 1, "retry": 0, "dead": 0}
    assert outbox_deliver(now=minutes(120))["sent"] == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at == minutes(7)
    assert len(robot.accepted) == 1
    assert len(robot.requests) == 4  # the 500, the hang, the error code, the one that got through


def test_it_stops_trying_a_robot_that_is_down_until_the_next_run(robot, cast):
    _robot(cast.district_a, robot.url())
    for n in range(3):
        _send(
            [cast.district], key=f"problem:{n}:escalate:2", title=f"问题{n}", organisations=[cast.district_a]
        )
    robot.script = ["500"]

    assert outbox_deliver(now=T0) == {"sent": 0, "retry": 1, "dead": 0}
    assert len(robot.requests) == 1  # one failure is enough: the other two wait for the next run
    assert outbox_deliver(now=T0 + timedelta(seconds=30)) == {"sent": 2, "retry": 0, "dead": 0}
    assert outbox_deliver(now=minutes(1)) == {"sent": 1, "retry": 0, "dead": 0}
    titles = sorted(r["json"]["markdown"]["content"].splitlines()[0] for r in robot.accepted)
    assert titles == ["**问题0**", "**问题1**", "**问题2**"]


def test_it_gives_up_after_the_last_attempt_and_the_office_can_retry(robot, cast, settings):
    settings.KP_OUTBOX_MAX_ATTEMPTS = 3
    _robot(cast.district_a, robot.url())
    _send([cast.district], key="problem:1:escalate:2", organisations=[cast.district_a])
    robot.script = ["500", "500", "500"]
    outbox_deliver(now=T0)
    outbox_deliver(now=minutes(1))
    assert outbox_deliver(now=minutes(3)) == {"sent": 0, "retry": 0, "dead": 1}
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.DEAD
    assert message.attempts == 3
    assert "HTTP 500" in message.last_error
    assert outbox_deliver(now=minutes(600))["sent"] == 0  # given up: never tried by itself

    assert outbox_retry(message=message) is True
    assert outbox_deliver()["sent"] == 1
    assert outbox_retry(message=message) is False  # sent: a retry could only send it twice
    assert len(robot.accepted) == 1


def test_it_gives_up_at_once_on_a_robot_switched_off_or_an_address_that_is_not_http(robot, cast):
    off = _robot(cast.district_a, robot.url(), name="停用的群")
    bad = _robot(cast.district_a, "ftp://127.0.0.1/robot", name="错误地址")
    _send([cast.district], key="problem:1:escalate:2", organisations=[cast.district_a])
    off.is_active = False
    off.save()
    assert outbox_deliver(now=T0) == {"sent": 0, "retry": 0, "dead": 2}
    assert "停用" in OutboxMessage.objects.get(webhook=off).last_error
    assert "http" in OutboxMessage.objects.get(webhook=bad).last_error
    assert robot.requests == []


def test_it_leaves_no_inbox_or_outbox_row_when_the_event_rolls_back(cast, people):
    _robot(cast.district_a, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(people, key="problem:1:escalate:2", organisations=[cast.district_a])
        assert OutboxMessage.objects.count() == 3
        raise RuntimeError("the escalation failed after notifying")
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_it_adds_nothing_when_the_same_event_is_sent_again(cast, people):
    _robot(cast.district_a, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    assert _send(people, key="problem:1:escalate:2", organisations=[cast.district_a]) == 2
    assert _send(people, key="problem:1:escalate:2", organisations=[cast.district_a]) == 0
    assert Notification.objects.count() == 2
    assert sorted(OutboxMessage.objects.values_list("channel", flat=True)) == ["email", "email", "wecom"]


def test_it_follows_each_users_channel_choice(cast, people):
    from keyprojects.notifications.services import channel_preferences_save

    _robot(cast.district_a, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    channel_preferences_save(user=cast.district, choices={Kind.PROBLEM_ESCALATED: (False, False)})
    _send(people, key="problem:1:escalate:2", organisations=[cast.district_a])
    # The district's only recipient turned both off: no mail for them, nothing to the district's group.
    assert list(OutboxMessage.objects.values_list("address", flat=True)) == ["fgw@kp.test"]
    assert Notification.objects.filter(recipient=cast.district).exists()  # the inbox always gets it
    # Another kind still goes everywhere.
    notification_send(
        recipients=people, kind=Kind.INSTRUCTION, title="领导批示", key="i:1", organisations=[cast.district_a]
    )
    assert OutboxMessage.objects.filter(key__startswith="i:1").count() == 3


def test_it_runs_as_a_scheduled_command_that_drains_a_burst_in_rounds(smtp, people):
    for n in range(3):
        _send(people, key=f"problem:{n}:escalate:2")
    out = StringIO()
    call_command("deliver_notifications", "--batch=4", stdout=out)  # rounds of 4, 4 and 0 (drained)
    assert len(smtp.messages) == 6
    assert "已发送 6 条" in out.getvalue()
    call_command("deliver_notifications")
    assert len(smtp.messages) == 6


@pytest.mark.django_db(transaction=True)
def test_it_lets_two_workers_run_at_once_without_sending_anything_twice(smtp, robot):
    org = Organisation.objects.create(kind=Organisation.Kind.DISTRICT, name="青秀区")
    _robot(org, robot.url())
    users = [
        User.objects.create_user(username=f"u{n}", email=f"u{n}@kp.test", organisation=org, role="district")
        for n in range(15)
    ]
    for n in range(5):
        with transaction.atomic():
            _send(users, key=f"problem:{n}:escalate:2", title=f"问题{n}", organisations=[org])
    assert OutboxMessage.objects.count() == 5 * 15 + 5

    errors = []

    def worker():
        try:
            outbox_deliver(batch=1000)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).count() == 0
    delivered = [(m["to"][0], m["message"]["Subject"]) for m in smtp.messages]
    assert len(delivered) == len(set(delivered)) == 75
    posted = [r["json"]["markdown"]["content"] for r in robot.accepted]
    assert len(posted) == len(set(posted)) == 5
