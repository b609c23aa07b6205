"""Writing notifications, and delivering the outbox.

Callers call `notification_send` inside their own transaction, so that the event and its messages are
committed together or not at all; it only writes rows. `outbox_deliver` (the `deliver_notifications`
job, every minute) is the only code that talks to mail servers and group robots.

Delivery guarantees. Messages are claimed a few at a time in a short transaction (the rows locked
with SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE transactions queue writers) by pushing their
`next_attempt_at` a lease ahead and counting the attempt; each is then sent outside any transaction
and at once marked SENT (or given its back-off). Two workers therefore never hold the same message,
and a message that failed is sent again only after its back-off. The one window for a duplicate: the
process dies after the mail server or robot accepted the message and before the SENT mark is
committed; the lease then runs out and the message goes again. A robot that accepts a message but
does not answer within the timeout looks like a failure too, and is retried (at least once, never
lost). A message claimed by a process that died is not lost either: it is due again when the lease
(CLAIM_LEASE) runs out.
"""

import hashlib
import logging
import urllib.parse
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.notifications import channels
from keyprojects.notifications.models import (
    Channel,
    ChannelPreference,
    Kind,
    Notification,
    OutboxMessage,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

# A claimed message is left alone by other workers for this long: far more than one send can take
# (the webhook and SMTP timeouts are seconds), so only a crashed worker's claim ever runs out.
CLAIM_LEASE = timedelta(minutes=10)
# Messages claimed per transaction: fewer commits than one by one, and short enough that a chunk of
# robots timing out (10 s each) stays far inside the lease.
CLAIM_CHUNK = 10
KEY_MAX = Notification._meta.get_field("key").max_length


def _max_attempts() -> int:
    return getattr(settings, "KP_OUTBOX_MAX_ATTEMPTS", 10)


def outbox_backoff(attempts: int) -> timedelta:
    """Wait after the ATTEMPTS-th failure: 1, 2, 4 … minutes, capped (KP_OUTBOX_BACKOFF_CAP_MINUTES).
    With the defaults a message is tried 10 times over about four hours before it is given up."""
    cap = getattr(settings, "KP_OUTBOX_BACKOFF_CAP_MINUTES", 60)
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


# Writing


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
    ("problem:12:escalate:3"); sending the same KEY again adds nothing. Returns the new inbox rows.

    An organisation's robots post the message unless every recipient who belongs to that organisation
    has switched the group-robot channel off for this KIND. Only rows are written, in the caller's
    transaction; `outbox_deliver` sends them after the commit."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return 0
    # Columns are bounded; an over-long value must not break the caller's transaction (PostgreSQL
    # refuses it). A long KEY keeps its start and becomes unique again through its digest.
    title = title[:200]
    if len(key) > KEY_MAX:
        key = f"{key[: KEY_MAX - 41]}#{hashlib.sha1(key.encode()).hexdigest()}"
    with transaction.atomic():
        existing = set(
            Notification.objects.filter(recipient_id__in=users, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [u for pk, u in users.items() if pk not in existing]
        # ignore_conflicts: a concurrent call with the same KEY must not break the caller's transaction.
        Notification.objects.bulk_create(
            [Notification(recipient=u, kind=kind, title=title, body=body, url=url, key=key) for u in fresh],
            ignore_conflicts=True,
        )
        prefs = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=list(users), kind=kind)}
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
        org_ids = {getattr(o, "pk", o) for o in organisations if o is not None}
        muted = set()
        for org_id in org_ids:
            members = [u for u in users.values() if u.organisation_id == org_id]
            if members and all(prefs.get(u.pk) is not None and not prefs[u.pk].webhook for u in members):
                muted.add(org_id)
        if org_ids - muted:
            for hook in WebhookEndpoint.objects.filter(organisation_id__in=org_ids - muted, is_active=True):
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


def notification_mark_read(*, user, notification: Notification) -> None:
    """Mark one of USER's notifications read (the view has checked it is theirs)."""
    if notification.recipient_id != user.pk:
        raise ValidationError(_("只能处理自己的消息。"))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of USER read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def channel_preferences_save(*, user, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store USER's (e-mail, group robot) choice for each kind in CHOICES; unknown kinds are refused."""
    unknown = set(choices) - set(Kind.values)
    if unknown:
        raise ValidationError(_("未知的消息类型：%(kinds)s") % {"kinds": "、".join(sorted(unknown))})
    with transaction.atomic():
        existing = {p.kind: p for p in ChannelPreference.objects.select_for_update().filter(user=user)}
        for kind, (email, webhook) in choices.items():
            pref = existing.get(kind)
            if pref is None:
                ChannelPreference.objects.create(user=user, kind=kind, email=email, webhook=webhook)
            elif (pref.email, pref.webhook) != (email, webhook):
                pref.email, pref.webhook = email, webhook
                pref.save(update_fields=["email", "webhook"])


# Group robots (the office's)


def masked_url(url: str) -> str:
    """The robot's address without its token (key=, access_token=, the hook id): fit for lists and
    history, since whoever holds the full address can post to the group."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if "/hook/" in path:  # Feishu keeps the token in the path
        path = path[: path.index("/hook/") + len("/hook/")] + "…"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "…" if parts.query else "", ""))


def _webhook_snapshot(endpoint: WebhookEndpoint) -> dict:
    values = snapshot(endpoint, fields=["organisation", "channel", "name", "is_active"])
    values[str(WebhookEndpoint._meta.get_field("url").verbose_name)] = masked_url(endpoint.url)
    values[str(WebhookEndpoint._meta.get_field("secret").verbose_name)] = (
        _("已设置") if endpoint.secret else ""
    )
    return values


def _webhook_validate(endpoint: WebhookEndpoint) -> None:
    if urllib.parse.urlsplit(endpoint.url).scheme.lower() not in ("http", "https"):
        raise ValidationError({"url": _("群机器人地址必须以 http:// 或 https:// 开头。")})
    if endpoint.channel == Channel.WECOM and endpoint.secret:
        raise ValidationError({"secret": _("企业微信群机器人不支持加签，请留空。")})
    endpoint.full_clean()


def webhook_endpoint_create(
    *, by, organisation, channel: str, name: str, url: str, secret: str = "", is_active: bool = True
) -> WebhookEndpoint:
    """Add a group robot to ORGANISATION (office only; the view checks)."""
    endpoint = WebhookEndpoint(
        organisation=organisation,
        channel=channel,
        name=name.strip(),
        url=url.strip(),
        secret=secret.strip(),
        is_active=is_active,
    )
    _webhook_validate(endpoint)
    with transaction.atomic():
        endpoint.save()
        audit_record(
            by=by, instance=endpoint, action=AuditEntry.Action.CREATE, after=_webhook_snapshot(endpoint)
        )
    return endpoint


def webhook_endpoint_update(*, by, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change a group robot. A blank SECRET keeps the stored one unless CLEAR_SECRET is given."""
    clear_secret = fields.pop("clear_secret", False)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = _webhook_snapshot(endpoint)
        for name in ("organisation", "channel", "name", "url", "is_active"):
            if name in fields:
                value = fields[name]
                setattr(endpoint, name, value.strip() if isinstance(value, str) else value)
        if clear_secret:
            endpoint.secret = ""
        elif fields.get("secret", "").strip():
            endpoint.secret = fields["secret"].strip()
        _webhook_validate(endpoint)
        endpoint.save()
        audit_record(
            by=by,
            instance=endpoint,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=_webhook_snapshot(endpoint),
        )
    return endpoint


def webhook_endpoint_delete(*, by, endpoint: WebhookEndpoint) -> None:
    """Remove a group robot, and with it the messages still queued for it."""
    with transaction.atomic():
        audit_record(
            by=by, instance=endpoint, action=AuditEntry.Action.DELETE, before=_webhook_snapshot(endpoint)
        )
        endpoint.delete()


def webhook_test_enqueue(*, by, endpoint: WebhookEndpoint) -> OutboxMessage:
    """Queue a test message for ENDPOINT; the next delivery run posts it (the page never waits on a robot)."""
    now = timezone.now()
    return OutboxMessage.objects.create(
        channel=endpoint.channel,
        webhook=endpoint,
        subject=_("重点项目管理系统测试消息"),
        body=_("这是一条测试消息：%(org)s 的群机器人“%(name)s”已接入重点项目管理系统（由 %(user)s 发送）。")
        % {"org": endpoint.organisation, "name": endpoint.name, "user": by},
        key=f"webhook-test:{endpoint.pk}:{now.timestamp():.6f}",
        next_attempt_at=now,
    )


def outbox_retry(*, message: OutboxMessage) -> bool:
    """Put a given-up (DEAD) message back in the queue, due now, with a fresh count of attempts.
    A message that is pending or sent is left as it is (returns False): retrying it could send it twice."""
    return bool(
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.DEAD).update(
            status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
    )


# Delivering


def _claim(*, now: datetime, size: int, email_down: bool, hooks_down: set[int]) -> list[OutboxMessage]:
    """Claim up to SIZE due messages in a transaction of their own (none left: an empty list)."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        if email_down:
            due = due.exclude(channel=Channel.EMAIL)
        if hooks_down:
            due = due.exclude(webhook_id__in=hooks_down)
        due = due.select_related("webhook").order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        messages = list(due[:size])
        if messages:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE
            )
            for message in messages:
                message.attempts += 1
    return messages


def _release(message: OutboxMessage, *, now: datetime) -> None:
    """Give back a claimed message that this run will not try after all (its channel went down)."""
    OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.PENDING, attempts=message.attempts
    ).update(attempts=F("attempts") - 1, next_attempt_at=now)


def _send(message: OutboxMessage, *, mailer: channels.Mailer, now: datetime) -> None:
    link = channels.absolute_url(message.url)
    if message.channel == Channel.EMAIL:
        if not message.address:
            raise channels.PermanentError(_("没有收件地址。"))
        mailer.send(address=message.address, subject=message.subject, body=message.body, link=link)
        return
    hook = message.webhook
    if hook is None or not hook.is_active:
        raise channels.PermanentError(_("群机器人已停用或已删除。"))
    url, payload = channels.webhook_request(
        channel=hook.channel,
        url=hook.url,
        secret=hook.secret,
        title=message.subject,
        body=message.body,
        link=link,
        now=now,
    )
    channels.webhook_post(url=url, payload=payload, timeout=getattr(settings, "KP_WEBHOOK_TIMEOUT", 10))


def _mark_failed(message: OutboxMessage, error: Exception, *, now: datetime) -> str:
    permanent = isinstance(error, channels.PermanentError)
    dead = permanent or message.attempts >= _max_attempts()
    changes = {"last_error": str(error)[:2000]}
    if dead:
        changes["status"] = OutboxMessage.Status.DEAD
    else:
        changes["next_attempt_at"] = now + outbox_backoff(message.attempts)
    # Only while our claim stands (same attempt count): a worker that found our lease run out has
    # claimed it since, and its outcome wins.
    OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.PENDING, attempts=message.attempts
    ).update(**changes)
    return "dead" if dead else "retry"


def outbox_deliver(*, now: datetime | None = None, batch: int = 100) -> dict[str, int]:
    """Send up to BATCH due messages of the outbox; returns counts of sent / retry / dead.

    Idempotent and safe to run in several processes at once (see the module docstring). Call it
    outside any transaction: it commits each claim and each outcome on its own. A channel that fails
    outright (mail server down, robot not answering) is not tried again in the same run."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "dead": 0}
    mailer = channels.Mailer()
    email_down = False
    hooks_down: set[int] = set()
    done = 0
    try:
        while done < batch:
            claimed = _claim(
                now=now, size=min(CLAIM_CHUNK, batch - done), email_down=email_down, hooks_down=hooks_down
            )
            if not claimed:
                break
            done += len(claimed)
            for message in claimed:
                if (email_down and message.channel == Channel.EMAIL) or message.webhook_id in hooks_down:
                    _release(message, now=now)
                    continue
                try:
                    _send(message, mailer=mailer, now=now)
                except channels.DeliveryError as error:
                    if error.down:
                        if message.channel == Channel.EMAIL:
                            email_down = True
                        elif message.webhook_id:
                            hooks_down.add(message.webhook_id)
                    counts[_mark_failed(message, error, now=now)] += 1
                    log.warning("outbox message %s (%s) failed: %s", message.pk, message.channel, error)
                    continue
                except Exception as error:
                    # A bug must not stop the queue: the message is retried and, if it keeps failing,
                    # given up with the error shown on the outbox page.
                    log.exception("outbox message %s (%s) crashed", message.pk, message.channel)
                    counts[_mark_failed(message, error, now=now)] += 1
                    continue
                # Marked at once, message by message: this is the only window for a duplicate.
                OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
                    status=OutboxMessage.Status.SENT, sent_at=now
                )
                counts["sent"] += 1
    finally:
        mailer.close()
    return counts
