from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation


class Kind(models.TextChoices):
    """Kinds of event a user can be notified of; users choose channels per kind."""

    TASK_DUE = "task_due", _("任务即将到期")
    TASK_OVERDUE = "task_overdue", _("任务逾期")
    TASK_ASSIGNED = "task_assigned", _("新任务")
    TASK_REOPENED = "task_reopened", _("任务重新打开")
    WARNING = "warning", _("预警")
    PROBLEM_ASSIGNED = "problem_assigned", _("问题交办")
    PROBLEM_ESCALATED = "problem_escalated", _("问题提级")
    PROBLEM_RESOLVED = "problem_resolved", _("问题办结待确认")
    PROBLEM_REJECTED = "problem_rejected", _("办结被退回")
    PROBLEM_CLOSED = "problem_closed", _("问题销号")
    INSTRUCTION = "instruction", _("领导批示")
    INSTRUCTION_REPLY = "instruction_reply", _("批示回复")
    MEETING = "meeting", _("调度会")
    REPORT = "report", _("月度报送")
    ASSESSMENT = "assessment", _("考核通报")
    SUPERVISION = "supervision", _("督查督办")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")


class Notification(models.Model):
    """One message in a user's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # The event that caused it ("problem:12:escalate:3"): sending the same event again adds nothing.
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    @property
    def headline(self) -> str:
        """The title without a leading "<kind>：", which the inbox already shows as a badge beside it."""
        kind = str(self.get_kind_display())
        for sep in ("：", ":"):
            if self.title.startswith(kind + sep):
                return self.title[len(kind) + 1 :].lstrip() or self.title
        return self.title


class ChannelPreference(models.Model):
    """Which outside channels a user wants for one kind of event (the inbox always gets it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    email = models.BooleanField(_("电子邮件"), default=True)
    webhook = models.BooleanField(_("群机器人"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


class WebhookEndpoint(models.Model):
    """A group robot of an organisation (WeCom / DingTalk / Feishu), set up by the office."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="webhooks"
    )
    channel = models.CharField(
        _("类型"), max_length=10, choices=[c for c in Channel.choices if c[0] != Channel.EMAIL]
    )
    name = models.CharField(_("名称"), max_length=50)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self):
        return self.name


class OutboxMessage(models.Model):
    """A message to deliver outside the system, written in the same transaction as its event and sent
    by `deliver_notifications` with retries and back-off. KEY makes writing the same message twice a
    no-op, and delivery marks it sent once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        DEAD = "dead", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    # An e-mail address, or empty for a webhook (then WEBHOOK says where).
    address = models.CharField(_("收件地址"), max_length=254, blank=True)
    webhook = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        # The delivery job's claim: WHERE status = 'pending' AND next_attempt_at <= now ORDER BY
        # next_attempt_at, id LIMIT k — read straight off this index, with no sort of the whole queue.
        indexes = [models.Index(fields=["status", "next_attempt_at", "id"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.subject}"
