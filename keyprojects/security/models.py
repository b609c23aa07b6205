from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    """One line of the security log. USERNAME keeps what was typed (a failure may name no account)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGOUT = "logout", _("退出登录")
        FAILURE = "failure", _("登录失败")
        LOCKOUT = "lockout", _("登录锁定")
        UNLOCK = "unlock", _("解除锁定")
        EXPIRED = "expired", _("会话超时")
        OTP_ENROL = "otp_enrol", _("绑定动态口令")
        OTP_OK = "otp_ok", _("动态口令验证通过")
        OTP_FAIL = "otp_fail", _("动态口令错误")
        OTP_RESET = "otp_reset", _("重置动态口令")
        DENIED = "denied", _("拒绝访问")
        EXPORT = "export", _("导出下载")

    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    path = models.CharField(_("路径"), max_length=500, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("安全日志")
        verbose_name_plural = _("安全日志")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class UserSession(models.Model):
    """Which sessions a user holds: written at login, removed at logout, so that disabling a user can
    end every one of them at once whichever server holds the request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("用户会话")
        verbose_name_plural = _("用户会话")

    def __str__(self):
        return f"{self.user_id}:{self.session_key[:8]}"
