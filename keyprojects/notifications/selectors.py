"""Reading notifications: a user's inbox, and the office's views of robots and the outbox."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from keyprojects.notifications.access import notifications_visible_to
from keyprojects.notifications.models import ChannelPreference, Kind, OutboxMessage, WebhookEndpoint


def unread_count(user) -> int:
    return notifications_visible_to(user).filter(read_at__isnull=True).count()


def inbox_for(user, *, unread_only: bool = False) -> QuerySet:
    """USER's own notifications, unread first, newest first within each."""
    items = notifications_visible_to(user)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items.annotate(
        unread=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("unread", "-created_at", "-id")


def preferences_for(user) -> list[dict]:
    """Every kind with USER's channel choice (both on when never chosen)."""
    stored = {p.kind: p for p in ChannelPreference.objects.filter(user=user)}
    rows = []
    for value, label in Kind.choices:
        pref = stored.get(value)
        rows.append(
            {
                "kind": value,
                "label": label,
                "email": pref.email if pref else True,
                "webhook": pref.webhook if pref else True,
            }
        )
    return rows


def webhook_list() -> QuerySet:
    """Every group robot, by organisation, with its queued and given-up message counts."""
    return (
        WebhookEndpoint.objects.select_related("organisation")
        .annotate(
            pending=Count("outboxmessage", filter=Q(outboxmessage__status=OutboxMessage.Status.PENDING)),
            dead=Count("outboxmessage", filter=Q(outboxmessage__status=OutboxMessage.Status.DEAD)),
        )
        .order_by("organisation__kind", "organisation__sort", "organisation__name", "name", "pk")
    )


def outbox_list(*, status: str = "", channel: str = "") -> QuerySet:
    messages = OutboxMessage.objects.select_related("webhook__organisation")
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.order_by("-id")


def outbox_counts() -> dict[str, int]:
    counts = dict.fromkeys(OutboxMessage.Status.values, 0)
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts
