from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "keyprojects.plans"
    label = "plans"
    verbose_name = _("年度计划与月度报送")

    def ready(self):
        from keyprojects.lib.workdays import on_calendar_confirmed
        from keyprojects.plans.report_services import report_deadlines_recompute

        on_calendar_confirmed(report_deadlines_recompute)
