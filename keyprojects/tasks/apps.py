from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "keyprojects.tasks"
    label = "tasks"
    verbose_name = _("任务清单")

    def ready(self):
        from keyprojects.lib.workdays import on_calendar_confirmed
        from keyprojects.projects.hooks import prelim_item_done
        from keyprojects.tasks.services import tasks_on_prelim_item_done, tasks_recompute_deadlines

        on_calendar_confirmed(tasks_recompute_deadlines)
        prelim_item_done.register(tasks_on_prelim_item_done)
