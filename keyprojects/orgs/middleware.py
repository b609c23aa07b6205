"""Request plumbing of the orgs app: the office's settings read once per request, and the password a
user must change before anything else."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from keyprojects.orgs.selectors import office_settings_memo

# What a user who must change their password may still reach (static files are served before this).
# The second factor (security app) comes before the new password.
PASSWORD_CHANGE_ALLOWS = {"password_change", "logout", "set_language", "favicon", "otp_verify", "otp_enrol"}


def office_settings_per_request(get_response):
    def middleware(request):
        with office_settings_memo():
            return get_response(request)

    return middleware


class PasswordChangeRequiredMiddleware:
    """A user the office gave a password to (user.must_change_password) is sent to the change-password
    page from every other page until they choose their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        if request.resolver_match.url_name in PASSWORD_CHANGE_ALLOWS:
            return None
        url = reverse("password_change")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
