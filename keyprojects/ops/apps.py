from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "keyprojects.ops"
    label = "ops"
    verbose_name = _("运行维护")

    def ready(self):
        from keyprojects.lib import scheduler
        from keyprojects.ops import services

        scheduler.heartbeat.register(services.heartbeat_beat)
        scheduler.job_ran.register(services.job_run_record)
        scheduler.job_claim.register(services.job_claim)
