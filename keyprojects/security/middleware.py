"""Request plumbing of the security app, in one middleware after sessions, auth, OTP and messages:

- ends a session idle for KP_SESSION_IDLE_MINUTES or older than KP_SESSION_ABSOLUTE_HOURS, and sends
  the user to the login page with a message (the last-seen time is written at most once a minute);
- sends an office admin who has not passed the second factor to it, when KP_REQUIRE_ADMIN_2FA;
- logs every 403 and every download (Content-Disposition: attachment) — from the response headers
  alone, so an ordinary page costs no query."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from keyprojects.security import selectors, services
from keyprojects.security.models import SecurityEvent

Kind = SecurityEvent.Kind

# What an office admin who still owes the second factor may reach.
SECOND_FACTOR_ALLOWS = {"otp_verify", "otp_enrol", "logout", "set_language", "favicon", "healthz", "readyz"}


def _to(request, url):
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _download_name(disposition: str) -> str:
    for part in disposition.split(";"):
        part = part.strip()
        if part.lower().startswith(("filename*=", "filename=")):
            return part.split("=", 1)[1].strip('"')[:300]
    return ""


class SecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ended = self._session_limits(request)
        if ended is not None:
            return ended
        response = self.get_response(request)
        if response.status_code == 403:
            services.event_record(kind=Kind.DENIED, request=request, user=request.user)
        else:
            disposition = response.get("Content-Disposition", "")
            if disposition.lower().startswith("attachment"):
                services.event_record(
                    kind=Kind.EXPORT, request=request, user=request.user, detail=_download_name(disposition)
                )
        return response

    def _session_limits(self, request):
        if not request.COOKIES:  # no session cookie: nothing to read (health checks, first visits)
            return None
        reason = services.session_expired(session=request.session)
        if reason is None:
            return None
        request.kp_session_expired = reason
        logout(request)
        if request.path.startswith("/api/"):
            return None  # the API answers 401/403 as for anyone not logged in
        if reason == "idle":
            messages.warning(request, _("您已较长时间未操作，为保护账号安全已自动退出，请重新登录。"))
        else:
            messages.warning(request, _("登录时间已超过上限，为保护账号安全已自动退出，请重新登录。"))
        url = reverse("login")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return _to(request, url)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not selectors.needs_second_factor(user) or user.is_verified():
            return None
        if request.resolver_match.url_name in SECOND_FACTOR_ALLOWS:
            return None
        url = reverse("otp_verify")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return _to(request, url)
