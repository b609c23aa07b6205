"""Writes of the API app: API tokens, created and revoked by the office."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.api.models import ApiToken
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record
from keyprojects.orgs.models import Organisation, User

KEY_PREFIX = "kp_"
# The role a token acts in, by the kind of its organisation. An office token acts as office staff
# (never as an administrator, whose work is reference data and users, on the pages).
SERVICE_ROLES = {
    Organisation.Kind.OFFICE: User.Role.OFFICE_STAFF,
    Organisation.Kind.DISTRICT: User.Role.DISTRICT,
    Organisation.Kind.DEPARTMENT: User.Role.DEPARTMENT,
    Organisation.Kind.OWNER: User.Role.OWNER,
}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def service_user_for(organisation: Organisation) -> User:
    """The organisation's API account: it cannot log in on the pages (no usable password)."""
    username = f"api-{organisation.pk}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            organisation=organisation,
            role=SERVICE_ROLES[organisation.kind],
            full_name=_("%(org)s（接口）") % {"org": organisation.label},
        )
        user.set_unusable_password()
        user.save()
    return user


def api_token_create(*, organisation: Organisation, name: str, by) -> tuple[ApiToken, str]:
    """A new token for ORGANISATION; returns it with the key, which is never stored nor shown again."""
    if not getattr(by, "is_office", False):
        raise PermissionDenied(_("只有重点办工作人员可以签发接口令牌。"))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写令牌名称，如对接的系统名称。")
    if not organisation.is_active:
        errors["organisation"] = _("“%(org)s”已停用，不能签发令牌。") % {"org": organisation.name}
    if errors:
        raise ValidationError(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name[:100],
            user=service_user_for(organisation),
            prefix=key[:11],
            key_hash=key_hash(key),
            created_by=by,
        )
        audit_record(
            by=by,
            instance=token,
            action=AuditEntry.Action.CREATE,
            after={str(_("接口令牌")): f"{token.organisation} · {token.name} ({token.prefix}…)"},
        )
    return token, key


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke TOKEN at once: the next request made with it is refused (401). Revoking twice changes
    nothing."""
    if not getattr(by, "is_office", False):
        raise PermissionDenied(_("只有重点办工作人员可以吊销接口令牌。"))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            by=by,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            before={str(_("状态")): _("有效")},
            after={str(_("状态")): _("已吊销")},
        )
    return locked
