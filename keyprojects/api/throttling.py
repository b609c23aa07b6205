"""Throttles whose rates come from settings.KP_API_THROTTLE_RATES when a request is made (not when
DRF is imported), so an office can tune them by environment and tests can change them."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _SettingsRate:
    def get_rate(self):
        return settings.KP_API_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_SettingsRate, UserRateThrottle):
    scope = "user"


class WriteThrottle(_SettingsRate, SimpleRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) per user: far fewer than reads are needed."""

    scope = "write"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # the anonymous throttle covers them, and they cannot write anyway
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
