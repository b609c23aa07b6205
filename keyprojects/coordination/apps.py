from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "keyprojects.coordination"
    label = "coordination"
    verbose_name = _("问题协调")

    def ready(self):
        from keyprojects.coordination.services import problems_recompute_deadlines
        from keyprojects.lib.workdays import on_calendar_confirmed

        on_calendar_confirmed(problems_recompute_deadlines)
