"""The inbox, the bell in the header, channel preferences, and the office's robot and outbox pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyprojects.audit.models import AuditEntry
from keyprojects.notifications.models import Kind, Notification, OutboxMessage, WebhookEndpoint
from keyprojects.notifications.services import notification_send


def _notify(users, n, *, kind=Kind.TASK_ASSIGNED, prefix="任务"):
    for i in range(n):
        notification_send(
            recipients=users, kind=kind, title=f"{prefix}{i}", url=f"/tasks/{i}/", key=f"t:{prefix}:{i}"
        )


def test_it_lists_only_my_notifications_unread_first(client, cast):
    _notify([cast.owner], 3)
    _notify([cast.owner_b_user], 2, prefix="别人的")
    Notification.objects.filter(title="任务2").update(read_at=timezone.now())
    client.force_login(cast.owner)
    page = client.get(reverse("inbox")).content.decode()
    assert "别人的" not in page
    assert page.index("任务1") < page.index("任务0") < page.index("任务2")  # unread (newest first), then read
    unread = client.get(reverse("inbox") + "?unread=1").content.decode()
    assert "任务2" not in unread and "任务0" in unread


def test_it_pages_the_inbox_with_the_same_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.owner)
    _notify([cast.owner], 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("inbox")).status_code == 200
    _notify([cast.owner], 60, prefix="更多")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("inbox"))
    assert page.status_code == 200
    assert len(page.context["page"]) == 20
    assert page.context["page"].paginator.num_pages == 4
    assert client.get(reverse("inbox") + "?page=4").status_code == 200


def test_it_names_the_kind_once_in_the_inbox(client, cast):
    notification_send(
        recipients=[cast.owner], kind=Kind.PROBLEM_ASSIGNED, title="问题交办：征地补偿款未到位", key="p:1"
    )
    client.force_login(cast.owner)
    page = client.get(reverse("inbox")).content.decode()
    assert page.count("问题交办") == 1 and "征地补偿款未到位" in page


def test_it_shows_the_unread_count_on_the_bell_with_one_count_query(client, cast):
    client.force_login(cast.owner)
    _notify([cast.owner], 3)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("project_list")).content.decode()
    assert 'id="inbox-unread">3<' in page
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()
    _notify([cast.owner], 120, prefix="更多")
    assert 'id="inbox-unread">99+<' in client.get(reverse("inbox")).content.decode()


def test_it_marks_one_read_and_opens_its_page(client, cast):
    _notify([cast.owner], 2)
    first = Notification.objects.get(title="任务0")
    client.force_login(cast.owner)
    response = client.post(reverse("notification_read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/tasks/0/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'id="inbox-unread">1<' in client.get(reverse("inbox")).content.decode()


def test_it_refuses_to_open_a_link_to_another_site(client, cast):
    note = Notification.objects.create(
        recipient=cast.owner, kind=Kind.WARNING, title="预警", url="https://evil.example/", key="w:1"
    )
    client.force_login(cast.owner)
    response = client.post(reverse("notification_read", args=[note.pk]), {"open": "1"})
    assert response["Location"] == reverse("inbox")


def test_it_answers_404_for_someone_elses_notification(client, cast):
    _notify([cast.owner_b_user], 1)
    note = Notification.objects.get()
    client.force_login(cast.owner)
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_it_marks_all_read(client, cast):
    _notify([cast.owner, cast.owner_b_user], 4)
    client.force_login(cast.owner)
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=cast.owner, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=cast.owner_b_user, read_at__isnull=True).count() == 4
    assert 'id="inbox-unread"' not in client.get(reverse("inbox")).content.decode()


def test_it_saves_channel_choices_per_kind(client, cast):
    cast.owner.email = "owner@kp.test"
    cast.owner.save()
    client.force_login(cast.owner)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert "任务逾期" in page and 'name="email_task_overdue"' in page
    checked = {f"email_{k}": "on" for k in Kind.values if k != Kind.TASK_ASSIGNED}
    checked |= {f"webhook_{k}": "on" for k in Kind.values}
    assert client.post(reverse("notification_preferences"), checked).status_code == 302
    _notify([cast.owner], 1)  # TASK_ASSIGNED: e-mail off
    notification_send(recipients=[cast.owner], kind=Kind.TASK_OVERDUE, title="逾期", key="o:1")
    assert list(OutboxMessage.objects.values_list("subject", flat=True)) == ["逾期"]
    assert Notification.objects.filter(recipient=cast.owner).count() == 2  # the inbox gets both


def test_it_lets_the_office_add_a_robot_without_showing_its_secret(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        reverse("webhook_create"),
        {
            "organisation": cast.district_a.pk,
            "channel": "dingtalk",
            "name": "青秀区项目群",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=tok123",
            "secret": "SECsecret",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    hook = WebhookEndpoint.objects.get()
    assert (hook.channel, hook.secret) == ("dingtalk", "SECsecret")
    listing = client.get(reverse("webhook_list")).content.decode()
    assert "tok123" not in listing and "青秀区项目群" in listing
    edit = client.get(reverse("webhook_edit", args=[hook.pk])).content.decode()
    assert "SECsecret" not in edit
    # Saving with the secret left blank keeps it.
    client.post(
        reverse("webhook_edit", args=[hook.pk]),
        {
            "organisation": cast.district_a.pk,
            "channel": "dingtalk",
            "name": "青秀区项目群（新）",
            "url": hook.url,
        },
    )
    hook.refresh_from_db()
    assert (hook.name, hook.secret, hook.is_active) == ("青秀区项目群（新）", "SECsecret", False)
    entries = AuditEntry.objects.filter(model="notifications.WebhookEndpoint")
    assert entries.count() == 2
    assert "tok123" not in str(list(entries.values_list("changes", flat=True)))
    assert "SECsecret" not in str(list(entries.values_list("changes", flat=True)))


def test_it_refuses_a_robot_address_that_is_not_http(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("webhook_create"),
        {"organisation": cast.district_a.pk, "channel": "wecom", "name": "群", "url": "ftp://example.com/x"},
    )
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_it_queues_a_test_message_and_shows_the_outbox(client, cast):
    hook = WebhookEndpoint.objects.create(
        organisation=cast.district_a,
        channel="feishu",
        name="项目群",
        url="https://open.feishu.cn/open-apis/bot/v2/hook/x",
    )
    client.force_login(cast.staff)
    client.post(reverse("webhook_test", args=[hook.pk]))
    message = OutboxMessage.objects.get()
    assert message.webhook == hook and message.status == OutboxMessage.Status.PENDING
    page = client.get(reverse("outbox_list") + "?status=pending").content.decode()
    assert "重点项目管理系统测试消息" in page


def test_it_lets_the_office_retry_a_dead_message(client, cast):
    message = OutboxMessage.objects.create(
        channel="email",
        address="x@kp.test",
        subject="逾期",
        key="k",
        status=OutboxMessage.Status.DEAD,
        attempts=10,
        next_attempt_at=timezone.now(),
        last_error="Connection refused",
    )
    client.force_login(cast.admin)
    page = client.get(reverse("outbox_list") + "?status=dead").content.decode()
    assert "Connection refused" in page
    client.post(reverse("outbox_retry", args=[message.pk]))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 0)


def test_it_lists_the_outbox_with_the_same_number_of_queries(client, cast, django_assert_max_num_queries):
    hook = WebhookEndpoint.objects.create(
        organisation=cast.district_a, channel="wecom", name="群", url="https://qyapi.weixin.qq.com/x?key=1"
    )

    def add(n, start):
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    channel="wecom",
                    webhook=hook,
                    subject=f"消息{i}",
                    key=f"k{i}",
                    next_attempt_at=timezone.now(),
                )
                for i in range(start, start + n)
            ]
        )

    add(3, 0)
    client.force_login(cast.staff)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("outbox_list")).status_code == 200
        assert client.get(reverse("webhook_list")).status_code == 200
    add(80, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("outbox_list")).status_code == 200
        assert client.get(reverse("webhook_list")).status_code == 200
