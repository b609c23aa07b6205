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

        from django.db.models.signals import post_delete, post_save

        from keyprojects.coordination.models import EscalationLevel
        from keyprojects.coordination.selectors import FILTER_TOPIC
        from keyprojects.lib.cache import bump_on
        from keyprojects.orgs.models import Organisation

        # Cache invalidation, not business logic: the ledger's cached filter choices must not outlive
        # the units and levels they list, whoever changes them (services, admin, imports).
        bump = bump_on(FILTER_TOPIC)
        for model in (Organisation, EscalationLevel):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump, sender=model, weak=False, dispatch_uid=f"problem-filters-{model.__name__}"
                )
