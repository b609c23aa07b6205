from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "keyprojects.plans"
    label = "plans"
    verbose_name = _("年度计划与月度报送")

    def ready(self):
        from keyprojects.lib.workdays import on_calendar_confirmed
        from keyprojects.orgs.hooks import office_settings_changed
        from keyprojects.plans.report_services import report_deadlines_recompute
        from keyprojects.plans.services import annual_lists_follow_deadline

        on_calendar_confirmed(report_deadlines_recompute)
        office_settings_changed.register(annual_lists_follow_deadline)
