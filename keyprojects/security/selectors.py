"""Reads of the security app: the security log, filtered, and who must use a second factor."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from keyprojects.orgs.models import User
from keyprojects.security.models import SecurityEvent


def event_list(
    *, kind: str = "", username: str = "", day_from: dt.date | None = None, day_to: dt.date | None = None
) -> QuerySet[SecurityEvent]:
    """The security log, newest first: of KIND, of users whose username or name contains USERNAME,
    between DAY_FROM and DAY_TO (Beijing days, both included)."""
    events = SecurityEvent.objects.select_related("user")
    if kind:
        events = events.filter(kind=kind)
    if username:
        events = events.filter(Q(username__icontains=username) | Q(user__full_name__icontains=username))
    if day_from:
        events = events.filter(at__gte=_midnight(day_from))
    if day_to:
        events = events.filter(at__lt=_midnight(day_to + dt.timedelta(days=1)))
    return events.order_by("-at", "-pk")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def needs_second_factor(user) -> bool:
    return bool(
        settings.KP_REQUIRE_ADMIN_2FA and user.is_authenticated and user.role == User.Role.OFFICE_ADMIN
    )


def office_admins_with_devices() -> QuerySet[User]:
    """Office admins, each with has_device (a confirmed TOTP device)."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        User.objects.filter(role=User.Role.OFFICE_ADMIN, is_active=True)
        .annotate(has_device=Exists(confirmed))
        .order_by("username")
    )
