"""Writes of the security app: log lines, the sessions each user holds, session time limits, and office
admins' TOTP devices."""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from keyprojects.lib.net import client_ip
from keyprojects.orgs.access import require_office_admin
from keyprojects.orgs.models import User
from keyprojects.security.models import SecurityEvent, UserSession

Kind = SecurityEvent.Kind

# Session keys: when the login happened and when the user was last seen (epoch seconds), and the session
# key that UserSession knows (a password change gives the session a new one).
SESSION_START = "kp_session_start"
SESSION_SEEN = "kp_session_seen"
SESSION_KNOWN = "kp_session_known"
# The last-seen time is rewritten at most this often: no session write on every request.
SEEN_RESOLUTION = 60


def event_record(
    *, kind: str, request=None, user=None, username: str = "", detail: str = ""
) -> SecurityEvent:
    """Add one line to the security log; the address and path come from REQUEST when there is one."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not username:
        username = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind,
        at=timezone.now(),
        user=user,
        username=(username or "")[:150],
        ip=client_ip(request) if request is not None else None,
        path=request.get_full_path()[:500] if request is not None else "",
        detail=(detail or "")[:500],
    )


# Sessions.


def session_open(*, request, user: User) -> None:
    """At login: start the clocks of the new session and remember that USER holds it."""
    now = int(timezone.now().timestamp())
    request.session[SESSION_START] = now
    request.session[SESSION_SEEN] = now
    _session_known(request.session, user.pk)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        # Sessions that ended without a logout (the browser closed, the time ran out) leave their rows.
        gone = UserSession.objects.filter(user=user).exclude(
            session_key__in=Session.objects.values("session_key")
        )
        gone.delete()


def _session_known(session, user_id) -> None:
    key = session.session_key
    if key and session.get(SESSION_KNOWN) != key:
        UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user_id})
        session[SESSION_KNOWN] = key


def session_close(*, request) -> None:
    key = request.session.session_key if hasattr(request, "session") else None
    if key:
        UserSession.objects.filter(session_key=key).delete()


def session_expired(*, session) -> str | None:
    """Why SESSION (of a logged-in user) has ended — "idle" or "absolute" — or None while it lives. A
    live one has its last-seen time renewed, at most once a minute."""
    if SESSION_START not in session:
        if "_auth_user_id" not in session:
            return None
        # Logged in before the limits existed: their clocks start now.
        now = int(timezone.now().timestamp())
        session[SESSION_START] = session[SESSION_SEEN] = now
        return None
    now = timezone.now().timestamp()
    start = session[SESSION_START]
    seen = session.get(SESSION_SEEN, start)
    if now - start > settings.KP_SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if now - seen > settings.KP_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - seen >= SEEN_RESOLUTION or now < seen:
        session[SESSION_SEEN] = int(now)
    _session_known(session, session.get("_auth_user_id"))
    return None


def sessions_end(*, user: User) -> int:
    """End every session USER holds, on every server (the sessions live in the database); returns how
    many there were."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


# TOTP (second factor of office admins).


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device USER is enrolling: the unconfirmed one, made on first call, kept until confirmed so
    that reloading the page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, request, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm DEVICE with its first code TOKEN; the user's other devices go. False for a wrong code."""
    if not device.verify_token((token or "").strip()):
        event_record(kind=Kind.OTP_FAIL, request=request, user=user, detail=_("绑定时"))
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    event_record(kind=Kind.OTP_ENROL, request=request, user=user)
    return True


@transaction.atomic
def totp_reset(*, by: User, user: User, request=None) -> int:
    """An office admin removes USER's devices (a lost phone): USER enrols again at the next login."""
    require_office_admin(by)
    count, _by_model = TOTPDevice.objects.filter(user=user).delete()
    event_record(
        kind=Kind.OTP_RESET,
        request=request,
        user=by,
        detail=_("%(username)s（%(name)s）的动态口令") % {"username": user.get_username(), "name": user},
    )
    return count
