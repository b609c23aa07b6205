from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "keyprojects.audit"
    label = "audit"
    verbose_name = _("修改记录")
