"""Writing notifications. Callers call `notification_send` inside their own transaction, so that the
event and its messages are committed together or not at all."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from keyprojects.notifications.models import (
    ChannelPreference,
    Channel,
    Notification,
    OutboxMessage,
    WebhookEndpoint,
)


def notification_send(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str,
    organisations: Iterable = (),
) -> int:
    """Put one event's message in each RECIPIENT's inbox, and in the outbox for their e-mail and for
    the group robots of ORGANISATIONS, as each user's channel preferences say. KEY names the event
    ("problem:12:escalate:3"); sending the same KEY again adds nothing. Returns the new inbox rows."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return 0
    with transaction.atomic():
        existing = set(
            Notification.objects.filter(recipient_id__in=users, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [u for pk, u in users.items() if pk not in existing]
        Notification.objects.bulk_create(
            [Notification(recipient=u, kind=kind, title=title, body=body, url=url, key=key) for u in fresh]
        )
        prefs = {
            p.user_id: p
            for p in ChannelPreference.objects.filter(user_id__in=[u.pk for u in fresh], kind=kind)
        }
        now = timezone.now()
        outbox = []
        for user in fresh:
            pref = prefs.get(user.pk)
            if user.email and (pref is None or pref.email):
                outbox.append(
                    OutboxMessage(
                        channel=Channel.EMAIL,
                        address=user.email,
                        subject=title,
                        body=body,
                        url=url,
                        key=f"{key}:email:{user.pk}",
                        next_attempt_at=now,
                    )
                )
        org_ids = {getattr(o, "pk", o) for o in organisations}
        if org_ids:
            for hook in WebhookEndpoint.objects.filter(organisation_id__in=org_ids, is_active=True):
                outbox.append(
                    OutboxMessage(
                        channel=hook.channel,
                        webhook=hook,
                        subject=title,
                        body=body,
                        url=url,
                        key=f"{key}:hook:{hook.pk}",
                        next_attempt_at=now,
                    )
                )
        OutboxMessage.objects.bulk_create(outbox, ignore_conflicts=True)
    return len(fresh)
