from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.land import exports, selectors, services
from keyprojects.land.access import can_edit_land, get_land_project_for_user
from keyprojects.land.forms import LandFilterForm, LandProblemForm, LandProgressForm, LandTaskForm
from keyprojects.land.models import LandTask
from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version


def _problem_url(problem, project) -> str:
    try:
        return problem.get_absolute_url()
    except NoReverseMatch:  # the problem pages are another area's; until they exist, stay here
        return reverse("land_project", args=[project.pk])


def _chart(totals) -> dict:
    return {
        "labels": {
            "land_acquired": _("征收完成率"),
            "households_signed": _("签约率"),
            "area_demolished": _("拆除完成率"),
            "land_handed_over": _("交付率"),
        },
        "rows": [
            {
                "name": t.name,
                "tasks": t.tasks,
                "lagging": t.lagging,
                **{d: (None if r is None else str(r)) for d, r in t.rates.items()},
            }
            for t in totals
        ],
    }


@require_GET
@login_required
def land_ledger(request):
    form = LandFilterForm(request.GET or None)
    rows = selectors.land_ledger(user=request.user, **form.cleaned_filters())
    by_district, total = selectors.land_totals(rows)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "land/ledger.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "by_district": by_district,
            "chart": _chart(by_district),
            "query": query.urlencode(),
            "lag_points": selectors.LAG_POINTS,
        },
    )


@require_GET
@login_required
def land_export(request):
    form = LandFilterForm(request.GET or None)
    rows = selectors.land_ledger(user=request.user, **form.cleaned_filters())
    return exports.land_ledger_xlsx(rows)


@require_GET
@login_required
def land_project(request, project_id):
    project = get_land_project_for_user(request.user, project_id)
    task = LandTask.objects.select_related("responsible_unit").filter(project=project).first()
    row = selectors.land_row_for_task(task) if task else None
    series = selectors.land_progress_series(task) if task else []
    chart = {
        "labels": [s["label"] for s in series],
        "names": _chart([])["labels"],
        "series": {
            d: [None if s["rates"][d] is None else str(s["rates"][d]) for s in series]
            for d, _t in selectors.PAIRS
        },
    }
    return render(
        request,
        "land/project.html",
        {
            "project": project,
            "task": task,
            "row": row,
            "series": list(reversed(series)),
            "chart": chart,
            "can_edit": can_edit_land(request.user, project),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def land_task_edit(request, project_id):
    project = get_land_project_for_user(request.user, project_id, write=True)
    task = LandTask.objects.filter(project=project).first()
    initial = {"responsible_unit": project.district_id}
    if task:
        initial = {
            name: getattr(task, name)
            for name in (
                "land_to_acquire",
                "households_to_relocate",
                "area_to_demolish",
                "land_to_hand_over",
                "start_date",
                "target_date",
                "note",
                "version",
            )
        } | {"responsible_unit": task.responsible_unit_id}
    form = LandTaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.land_task_save(
                by=request.user, project=project, expected_version=version if task else None, **data
            )
        except EditConflict as error:
            show_conflict(form, error, stored_version(LandTask, project=project))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("征地拆迁任务已保存。"))
            return redirect("land_project", project_id=project.pk)
    return render(request, "land/task_form.html", {"form": form, "project": project, "task": task})


@require_http_methods(["GET", "POST"])
@login_required
def land_progress_add(request, project_id):
    project = get_land_project_for_user(request.user, project_id, write=True)
    task = LandTask.objects.filter(project=project).first()
    if task is None:
        raise Http404(_("该项目尚未建立征地拆迁任务。"))
    form = LandProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.land_progress_record(by=request.user, land_task=task, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("月度进展已保存。"))
            return redirect("land_project", project_id=project.pk)
    return render(request, "land/progress_form.html", {"form": form, "project": project, "task": task})


@require_http_methods(["GET", "POST"])
@login_required
def land_raise_problem(request, project_id):
    """Lagging land work → a 征地拆迁 problem, its description prefilled with the ledger's figures."""
    project = get_land_project_for_user(request.user, project_id, write=True)
    task = LandTask.objects.select_related("responsible_unit", "project").filter(project=project).first()
    if task is None:
        raise Http404(_("该项目尚未建立征地拆迁任务。"))
    if request.user.is_leader:
        raise PermissionDenied(_("市领导请通过批示处理问题。"))
    row = selectors.land_row_for_task(task)
    title, description = selectors.land_problem_text(row)
    form = LandProblemForm(request.POST or None, initial={"title": title, "description": description})
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.land_problem_raise(by=request.user, land_task=task, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("已提出征地拆迁问题，交由%(unit)s牵头办理。") % {"unit": task.responsible_unit}
            )
            return redirect(_problem_url(problem, project))
    return render(
        request, "land/raise_problem.html", {"form": form, "project": project, "task": task, "row": row}
    )
