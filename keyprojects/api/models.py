from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation


class ApiToken(models.Model):
    """A system's key to the API on behalf of one organisation. Only its SHA-256 is kept; the key is
    shown once when the office creates it. Requests made with it act as USER, the organisation's
    service account, so they see and change exactly what that organisation's people may."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("如：城区项目管理系统对接"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接口账号"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    # The first characters of the key, so the office can tell tokens apart without the key itself.
    prefix = models.CharField(_("令牌前缀"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.organisation} · {self.name}"

    @property
    def is_active(self):
        return self.revoked_at is None
