from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version
from keyprojects.lib.xlsx import XLSX
from keyprojects.projects import exports, selectors, services, tasks
from keyprojects.projects.access import (
    can_create_project,
    can_move_stage,
    get_export_for_user,
    get_factor_need_for_user,
    get_project_for_user,
)
from keyprojects.projects.forms import (
    FactorNeedForm,
    PrelimItemForm,
    ProjectFilterForm,
    ProjectForm,
    StageChangeForm,
)
from keyprojects.projects.models import FactorNeed, PrelimItem


@require_GET
@login_required
def project_list(request):
    form = ProjectFilterForm(request.GET or None, user=request.user)
    projects = selectors.project_list(user=request.user, filters=form.cleaned_filters())
    page = Paginator(projects, 20).get_page(request.GET.get("page"))
    page.object_list = selectors.project_rows(page.object_list, user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
        "can_create": can_create_project(request.user),
    }
    if not request.htmx and "owner" in form.fields:
        context["owner_names"] = selectors.owner_names_for(request.user)
    template = "projects/project_table.html" if request.htmx else "projects/project_list.html"
    return render(request, template, context)


@require_GET
@login_required
def project_export(request):
    """The filtered list as .xlsx: written now when small, else by the worker, with a page to wait on."""
    projects = tasks.export_projects(user=request.user, query=request.GET)
    if tasks.export_is_small(projects):
        return exports.project_list_xlsx(projects)
    pk = tasks.project_export_queue(by=request.user, query=request.GET)
    return redirect("project_export_status", pk=pk)


@require_GET
@login_required
def project_export_status(request, pk):
    """A queued export's page: its progress, polled by htmx, then the download."""
    export = get_export_for_user(request.user, pk)
    context = {"export": export, "state": tasks.export_state(export)}
    if request.htmx:
        return render(request, "projects/export_progress.html", context)
    return render(request, "projects/export_status.html", context)


@require_GET
@login_required
def project_export_download(request, pk):
    export = get_export_for_user(request.user, pk)
    if not tasks.export_state(export).ready:
        raise Http404(_("导出尚未完成。"))
    value = export.return_value
    try:
        handle = default_storage.open(value["path"], "rb")
    except FileNotFoundError:
        raise Http404(_("导出的文件已不存在，请重新导出。")) from None
    return FileResponse(handle, as_attachment=True, filename=value["filename"], content_type=XLSX)


@require_http_methods(["GET", "POST"])
@login_required
def project_create(request):
    if not can_create_project(request.user):
        raise PermissionDenied(_("您的角色不能新建项目。"))
    initial = {}
    if request.user.role == request.user.Role.OWNER:
        initial["owner"] = request.user.organisation
    if request.user.role == request.user.Role.DISTRICT:
        initial["district"] = request.user.organisation
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                by=request.user, departments=form.cleaned_data["departments"], **form.registry_fields()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("项目“%(name)s”已入库。") % {"name": project.name})
            return redirect("project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request, pk):
    project = get_project_for_user(request.user, pk, write=True)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project=project,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                departments=form.cleaned_data["departments"],
                **form.registry_fields(),
            )
        except EditConflict as error:
            conflict = get_project_for_user(request.user, pk)
            show_conflict(form, error, conflict.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("项目信息已保存。"))
            return redirect("project_detail", pk=project.pk)
    return render(
        request, "projects/project_form.html", {"form": form, "project": project, "conflict": conflict}
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_stage(request, pk):
    project = get_project_for_user(request.user, pk)
    if not can_move_stage(request.user, project):
        raise PermissionDenied(_("您无权变更该项目的阶段。"))
    allowed = services.TRANSITIONS[project.stage]
    form = StageChangeForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_change_stage(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("项目已转为“%(stage)s”。") % {"stage": project.get_stage_display()})
            return redirect("project_detail", pk=project.pk)
    return render(request, "projects/stage_form.html", {"form": form, "project": project, "allowed": allowed})


@require_http_methods(["GET", "POST"])
@login_required
def prelim_item_edit(request, pk, kind):
    project = get_project_for_user(request.user, pk, write=True)
    if kind not in PrelimItem.Kind.values:
        raise Http404(_("没有这一前期工作事项。"))
    item = PrelimItem.objects.filter(project=project, kind=kind).first() or PrelimItem(
        project=project, kind=kind
    )
    form = PrelimItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.prelim_item_save(
                item=form.instance, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except EditConflict as error:
            show_conflict(form, error, stored_version(PrelimItem, project=project, kind=kind))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("“%(item)s”已保存。") % {"item": item.get_kind_display()})
            return redirect(f"{project.get_absolute_url()}#prelim")
    return render(request, "projects/prelim_form.html", {"form": form, "project": project, "item": item})


def _factor_need_form(request, project, need):
    form = FactorNeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.factor_need_save(
                need=form.instance, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except EditConflict as error:
            show_conflict(form, error, stored_version(FactorNeed, pk=need.pk))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("要素保障已保存。"))
            return redirect(f"{project.get_absolute_url()}#factors")
    return render(request, "projects/factor_form.html", {"form": form, "project": project, "need": need})


@require_http_methods(["GET", "POST"])
@login_required
def factor_need_create(request, pk):
    project = get_project_for_user(request.user, pk, write=True)
    return _factor_need_form(request, project, FactorNeed(project=project))


@require_http_methods(["GET", "POST"])
@login_required
def factor_need_edit(request, pk, need_id):
    need = get_factor_need_for_user(request.user, need_id, project_pk=pk, write=True)
    return _factor_need_form(request, need.project, need)


@require_POST
@login_required
def factor_need_delete(request, pk, need_id):
    need = get_factor_need_for_user(request.user, need_id, project_pk=pk, write=True)
    project = need.project
    services.factor_need_delete(need=need, by=request.user)
    messages.success(request, _("要素保障已删除。"))
    return redirect(f"{project.get_absolute_url()}#factors")
