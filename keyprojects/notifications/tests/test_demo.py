import datetime as dt

from keyprojects.notifications.demo import load_notifications_demo
from keyprojects.notifications.models import Notification, OutboxMessage, WebhookEndpoint
from keyprojects.notifications.services import outbox_deliver


def test_it_fills_the_demo_logins_inboxes_without_sending_anything(cast):
    assert load_notifications_demo(today=dt.date(2026, 12, 7)) == {"notifications": 7, "webhooks": 2}
    assert Notification.objects.filter(title="11月月度报送已退回").exists()
    assert Notification.objects.filter(recipient=cast.district).count() == 2
    assert not WebhookEndpoint.objects.filter(is_active=True).exists()  # the demo has no internet
    assert outbox_deliver() == {"sent": 0, "retry": 0, "dead": 0}
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count() == 1


def test_it_links_each_demo_message_to_a_page_its_reader_can_open(cast, client):
    load_notifications_demo(today=dt.date(2026, 12, 7))
    for note in Notification.objects.select_related("recipient"):
        client.force_login(note.recipient)
        assert note.url and client.get(note.url).status_code == 200, note.title
