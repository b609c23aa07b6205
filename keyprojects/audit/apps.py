from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "keyprojects.audit"
    label = "audit"
    verbose_name = _("修改记录")

    def ready(self):
        # orgs sits below audit: it sends its changes on a hook, and the history is written here.
        from keyprojects.audit.services import audit_record
        from keyprojects.orgs.hooks import orgs_changed

        orgs_changed.register(audit_record)
