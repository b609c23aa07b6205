"""`{% project_tasks_card project %}`: the task summary card on a project's page."""

from django import template
from django.utils import timezone

from keyprojects.tasks.access import can_manage_tasks
from keyprojects.tasks.selectors import task_status_counts, tasks_for_project

register = template.Library()


@register.inclusion_tag("tasks/project_tasks_card.html", takes_context=True)
def project_tasks_card(context, project):
    user = context["request"].user
    counts = task_status_counts(tasks_for_project(user=user, project=project), today=timezone.localdate())
    return {"project": project, "counts": counts, "can_manage": can_manage_tasks(user, project)}
