from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "keyprojects.alerts"
    label = "alerts"
    verbose_name = _("预警中心")

    def ready(self):
        from keyprojects.alerts.services import warnings_on_project_change
        from keyprojects.projects.hooks import project_changed

        project_changed.register(warnings_on_project_change)
