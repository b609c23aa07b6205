from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "keyprojects.tasks"
    label = "tasks"
    verbose_name = _("任务清单")

    def ready(self):
        from keyprojects.lib.workdays import on_calendar_confirmed
        from keyprojects.tasks.services import tasks_recompute_deadlines

        on_calendar_confirmed(tasks_recompute_deadlines)
