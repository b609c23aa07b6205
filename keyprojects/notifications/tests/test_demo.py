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
