"""Role × endpoint matrix entries of notifications (see keyprojects/matrix.py).

Everyone has an inbox and preferences of their own; a notification of someone else's is 404. Group
robots and the outbox are the office's (admin and staff): 403 for everyone else.
"""

from django.utils import timezone

from keyprojects.matrix import ROLES, everyone, row
from keyprojects.notifications.models import Notification, OutboxMessage, WebhookEndpoint

NOT_OFFICE = {r: 403 for r in ("leader", "district", "department", "owner", "outsider")}
OFFICE_PAGE = row(**NOT_OFFICE)
OFFICE_ACTION = {**everyone(302), **NOT_OFFICE}
POST_ONLY = dict.fromkeys(ROLES, 405)

MATRIX = {
    "inbox": [("", lambda c: [], row(), None)],
    "notification_read": [
        (
            "owner's",
            lambda c: [c.owner_notification.pk],
            POST_ONLY,
            {**everyone(404), "anonymous": 302, "owner": 302},
        )
    ],
    "notification_read_all": [("", lambda c: [], POST_ONLY, everyone(302))],
    # An empty POST is a valid choice (every channel off), saved and redirected.
    "notification_preferences": [("", lambda c: [], row(), everyone(302))],
    "webhook_list": [("", lambda c: [], OFFICE_PAGE, None)],
    "webhook_create": [("", lambda c: [], OFFICE_PAGE, OFFICE_PAGE)],
    "webhook_edit": [("", lambda c: [c.webhook.pk], OFFICE_PAGE, OFFICE_PAGE)],
    "webhook_delete": [("", lambda c: [c.webhook.pk], POST_ONLY, OFFICE_ACTION)],
    "webhook_test": [("", lambda c: [c.webhook.pk], POST_ONLY, OFFICE_ACTION)],
    "outbox_list": [("", lambda c: [], OFFICE_PAGE, None)],
    "outbox_retry": [("", lambda c: [c.dead_message.pk], POST_ONLY, OFFICE_ACTION)],
}


def prepare(world):
    world.owner_notification = Notification.objects.create(
        recipient=world.owner, kind="problem_assigned", title="问题交办", url="/problems/1/", key="matrix:1"
    )
    world.webhook = WebhookEndpoint.objects.create(
        organisation=world.district_a,
        channel="wecom",
        name="青秀区重点项目群",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix",
    )
    world.dead_message = OutboxMessage.objects.create(
        channel="wecom",
        webhook=world.webhook,
        subject="问题交办",
        key="matrix:1:hook",
        status=OutboxMessage.Status.DEAD,
        attempts=10,
        next_attempt_at=timezone.now(),
        last_error="HTTP 500",
    )
