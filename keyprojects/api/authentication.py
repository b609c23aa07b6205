"""Per-organisation API tokens: `Authorization: Bearer kp_…` (or `Token kp_…`)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from keyprojects.api.models import ApiToken
from keyprojects.api.services import key_hash

KEYWORDS = (b"bearer", b"token")
# last_used_at is written at most this often per token: a write per request would queue every
# reader behind SQLite's write lock.
TOUCH_EVERY = dt.timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        try:
            parts = get_authorization_header(request).split()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("认证头格式不正确，应为“Authorization: Bearer <令牌>”。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        token = (
            ApiToken.objects.select_related("user__organisation", "organisation")
            .filter(key_hash=key_hash(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("该令牌已于 %(date)s 被吊销，请联系重点办重新签发。")
                % {"date": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")}
            )
        if not token.user.is_active or not token.organisation.is_active:
            raise exceptions.AuthenticationFailed(_("令牌所属单位或接口账号已停用。"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        # Answering 401 (not 403) to a request without credentials needs a challenge.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("重点办为单位签发的接口令牌（kp_ 开头），放在请求头 Authorization: Bearer <令牌> 中。")
            ),
        }
