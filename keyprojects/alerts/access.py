"""Who may see warnings: the one scoping of the warning centre, used by its pages, the API and the
dashboard alike. A warning is seen by those who may see its project; it is computed, never edited."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.alerts.models import ProjectWarning
from keyprojects.projects.access import in_project_scope


def warnings_visible_to(user) -> QuerySet[ProjectWarning]:
    """Warnings of the projects USER may see, whatever their rule's state (lists narrow to active
    rules themselves)."""
    return in_project_scope(ProjectWarning.objects.all(), user)


def get_warning_for_user(user, pk) -> ProjectWarning:
    """Warning PK if USER may see its project (else 404)."""
    warning = (
        warnings_visible_to(user)
        .select_related("rule", "project__district", "project__sector")
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise Http404(_("预警不存在或您无权查看。"))
    return warning
