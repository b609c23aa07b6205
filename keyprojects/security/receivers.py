"""What the security app does on Django's and axes' signals (connected in apps.py): log the event and
keep the table of each user's sessions."""

from django.utils.translation import gettext as _

from keyprojects.security import services
from keyprojects.security.models import SecurityEvent

Kind = SecurityEvent.Kind


def logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    services.session_open(request=request, user=user)
    services.event_record(kind=Kind.LOGIN, request=request, user=user)


def logged_out(sender, request, user, **kwargs):
    if request is None:
        return
    services.session_close(request=request)
    if user is None:
        return
    reason = getattr(request, "kp_session_expired", None)
    if reason:
        detail = _("空闲超时") if reason == "idle" else _("超过最长登录时间")
        services.event_record(kind=Kind.EXPIRED, request=request, user=user, detail=detail)
    else:
        services.event_record(kind=Kind.LOGOUT, request=request, user=user)


def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    locked = bool(getattr(request, "axes_locked_out", False))
    services.event_record(
        kind=Kind.FAILURE, request=request, username=username, detail=_("已锁定") if locked else ""
    )


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    services.event_record(
        kind=Kind.LOCKOUT, request=request, username=username or "", detail=ip_address or ""
    )


def user_saved(sender, instance, created=False, **kwargs):
    # Disabled (is_active=False) anywhere: office pages, bulk import, the admin site.
    if not created and not instance.is_active:
        services.sessions_end(user=instance)


def unlocked(*, by, username=None, ip=None, request=None):
    what = _("账号 %(name)s") % {"name": username} if username else _("地址 %(ip)s") % {"ip": ip}
    services.event_record(kind=Kind.UNLOCK, request=request, user=by, detail=what)
