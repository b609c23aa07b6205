from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        STAGE = "stage", _("阶段变更")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(_("对象"), max_length=200)
    # The project the record belongs to, so a project page shows its own and its children's history.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    # {field label: [before, after]} as displayed, so history stays readable after the schema moves on.
    changes = models.JSONField(_("变更内容"), default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("修改记录")
        verbose_name_plural = _("修改记录")
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.object_repr}"
