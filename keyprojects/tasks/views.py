import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import apply_errors, message_errors
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version
from keyprojects.orgs.access import require_office
from keyprojects.plans.models import Category
from keyprojects.projects.access import get_project_for_user
from keyprojects.tasks import exports, selectors, services
from keyprojects.tasks.access import (
    can_manage_tasks,
    can_work_on_task,
    get_evidence_for_user,
    get_task_for_user,
)
from keyprojects.tasks.forms import (
    EvidenceForm,
    GenerateForm,
    TaskDoneForm,
    TaskFilterForm,
    TaskForm,
    TaskStatusForm,
    TaskTemplateForm,
    TemplateItemFormSet,
)
from keyprojects.tasks.models import Task, TaskTemplate
from keyprojects.tasks.services import EVIDENCE_CONTENT_TYPES

PAGE_SIZE = 50


# Lists


def _list_page(request, tasks, *, template, context):
    today = timezone.localdate()
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.task_table_rows(page.object_list, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **context,
        "page": page,
        "rows": rows,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
        "today": today,
    }
    if request.htmx:
        return render(request, "tasks/task_table.html", context)
    return render(request, template, context)


@require_GET
@login_required
def task_list(request):
    """All tasks the user may see (for the office: every task), with filters and paging."""
    form = TaskFilterForm(request.GET or None)
    filters = form.cleaned_filters()
    tasks = selectors.task_list(user=request.user, filters=filters)
    counts = selectors.task_status_counts(tasks)
    return _list_page(
        request,
        tasks,
        template="tasks/task_list.html",
        context={
            "form": form,
            "counts": counts,
            "title": _("任务清单"),
            "list_url": "task_list",
            "export_url": "task_export",
            "show_project": True,
        },
    )


@require_GET
@login_required
def task_export(request):
    form = TaskFilterForm(request.GET or None)
    tasks = selectors.task_list(user=request.user, filters=form.cleaned_filters())
    return exports.task_list_xlsx(tasks, title=_("任务清单"), filename="tasks.xlsx")


@require_GET
@login_required
def task_mine(request):
    """我的任务: what the user's unit is responsible for, across every project."""
    form = TaskFilterForm(request.GET or None, show_unit=False)
    tasks = selectors.tasks_mine(user=request.user, filters=form.cleaned_filters())
    counts = selectors.task_status_counts(tasks)
    return _list_page(
        request,
        tasks,
        template="tasks/task_list.html",
        context={
            "form": form,
            "counts": counts,
            "title": _("我的任务"),
            "list_url": "task_mine",
            "export_url": "task_mine_export",
            "show_project": True,
            "mine": True,
        },
    )


@require_GET
@login_required
def task_mine_export(request):
    form = TaskFilterForm(request.GET or None, show_unit=False)
    tasks = selectors.tasks_mine(user=request.user, filters=form.cleaned_filters())
    return exports.task_list_xlsx(tasks, title=_("我的任务"), filename="my-tasks.xlsx")


@require_GET
@login_required
def task_project(request, pk):
    """A project's task list, with the generate and add actions for those who manage its tasks."""
    project = get_project_for_user(request.user, pk)
    tasks = selectors.tasks_for_project(user=request.user, project=project)
    rows = selectors.with_countdowns(tasks)
    return render(
        request,
        "tasks/project_tasks.html",
        {
            "project": project,
            "rows": rows,
            "counts": selectors.task_status_counts(tasks),
            "can_manage": can_manage_tasks(request.user, project),
        },
    )


@require_GET
@login_required
def task_project_export(request, pk):
    project = get_project_for_user(request.user, pk)
    tasks = selectors.tasks_for_project(user=request.user, project=project)
    return exports.task_list_xlsx(
        tasks,
        title=_("%(project)s 任务清单") % {"project": project.name},
        filename=f"project-{project.pk}-tasks.xlsx",
    )


@require_GET
@login_required
def task_timeline(request, pk):
    """The project's tasks as bars from start to deadline, with today's line."""
    project = get_project_for_user(request.user, pk)
    today = timezone.localdate()
    rows = selectors.with_countdowns(
        selectors.tasks_for_project(user=request.user, project=project), today=today
    )
    return render(
        request,
        "tasks/timeline.html",
        {"project": project, "timeline": selectors.timeline_rows(rows, today=today), "today": today},
    )


# One task


@require_http_methods(["GET", "POST"])
@login_required
def task_create(request, pk):
    project = get_project_for_user(request.user, pk)
    if not can_manage_tasks(request.user, project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以新增任务。"))
    form = TaskForm(request.POST or None, project=project, initial={"responsible_unit": project.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(by=request.user, project=project, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("任务“%(title)s”已添加。") % {"title": task.title})
            return redirect("task_project", pk=project.pk)
    return render(request, "tasks/task_form.html", {"form": form, "project": project})


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request, pk):
    task = get_task_for_user(request.user, pk, action="manage")
    form = TaskForm(request.POST or None, instance=task, project=task.project)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        task.refresh_from_db()  # the form wrote its input onto the instance; the service compares
        try:
            services.task_update(
                by=request.user, task=task, expected_version=form.cleaned_data.get("version") or 0, **fields
            )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as error:
            show_conflict(form, error, stored_version(Task, pk=task.pk))
        else:
            messages.success(request, _("任务已保存。"))
            return redirect(task.get_absolute_url())
    return render(request, "tasks/task_form.html", {"form": form, "project": task.project, "task": task})


@require_GET
@login_required
def task_detail(request, pk):
    task = get_task_for_user(request.user, pk)
    rows = selectors.with_countdowns([task])
    can_work = can_work_on_task(request.user, task)
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": rows[0],
            "changes": task.status_changes.select_related("by"),
            "evidence": task.evidence.select_related("uploaded_by"),
            "can_manage": can_manage_tasks(request.user, task.project),
            "can_work": can_work,
            "evidence_form": EvidenceForm() if can_work else None,
            "prelim_item": selectors.task_prelim_item(task),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_done(request, pk):
    """标记完成: completion date, evidence files and/or a note."""
    task = get_task_for_user(request.user, pk, action="work")
    form = TaskDoneForm(
        request.POST or None,
        request.FILES or None,
        initial={"completed_date": timezone.localdate(), "version": task.version},
        task=task,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_set_status(
                by=request.user,
                task=task,
                status=Task.Status.DONE,
                completed_date=form.cleaned_data["completed_date"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
                expected_version=form.cleaned_data.get("version"),
                document_no=form.cleaned_data.get("document_no", ""),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as error:
            show_conflict(form, error, stored_version(Task, pk=task.pk))
        else:
            messages.success(request, _("任务“%(title)s”已标记完成。") % {"title": task.title})
            return redirect(task.get_absolute_url())
    return render(request, "tasks/task_done.html", {"form": form, "task": task})


@require_POST
@login_required
def task_status(request, pk):
    """Start, reopen, cancel or restore a task (buttons on the detail page)."""
    task = get_task_for_user(request.user, pk, action="work")
    form = TaskStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要改成的状态。"))
        return redirect(task.get_absolute_url())
    status = form.cleaned_data["status"]
    if status == Task.Status.DONE:
        return redirect("task_done", pk=task.pk)
    try:
        services.task_set_status(
            by=request.user,
            task=task,
            status=status,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        message_errors(request, error)
    except EditConflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("任务状态已改为“%(status)s”。") % {"status": Task.Status(status).label})
    return redirect(task.get_absolute_url())


@require_POST
@login_required
def task_evidence_add(request, pk):
    task = get_task_for_user(request.user, pk, action="work")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.task_add_evidence(
                by=request.user, task=task, files=form.cleaned_data["files"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, _("已添加 %(n)s 份佐证材料。") % {"n": len(added)})
    else:
        message_errors(request, ValidationError(list(form.errors.values())))
    return redirect(task.get_absolute_url() + "#evidence")


@require_GET
@login_required
def task_evidence_download(request, pk):
    """An evidence file, only to those who may see its task: never a public media URL."""
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    ext = evidence.file.name.rsplit(".", 1)[-1].lower()
    content_type = EVIDENCE_CONTENT_TYPES.get(ext) or mimetypes.guess_type(evidence.file.name)[0]
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=True,
        filename=evidence.original_name or f"evidence-{evidence.pk}.{ext}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def task_generate(request, pk):
    """从模板生成任务清单: the project's standard list in one action."""
    project = get_project_for_user(request.user, pk)
    if not can_manage_tasks(request.user, project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以生成任务清单。"))
    year = selectors.project_plan_year(project, today=timezone.localdate())
    category = selectors.project_category(project, year=year)
    initial = {"planned_start": selectors.project_planned_start(project, year=year)}
    template = selectors.templates_for(category).first()
    if template:
        initial["template"] = template.pk
    if request.method == "GET" and "planned_start" in request.GET:
        form = GenerateForm(request.GET)  # the preview, redrawn by htmx as the choices change
    else:
        form = GenerateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.tasks_generate_from_template(
                by=request.user,
                project=project,
                template=form.cleaned_data["template"],
                planned_start=form.cleaned_data["planned_start"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "已从模板生成 %(created)s 项任务，其中 %(done)s 项前期事项已办结；"
                    "跳过已有任务 %(skipped)s 项。"
                )
                % {
                    "created": len(result.created) + len(result.done),
                    "done": len(result.done),
                    "skipped": len(result.skipped),
                },
            )
            return redirect("task_project", pk=project.pk)
    context = {
        "form": form,
        "project": project,
        "category": category,
        "category_label": Category(category).label if category else "",
        "preview": _generate_preview(form, project, initial),
    }
    if request.htmx:
        return render(request, "tasks/generate_preview.html", context)
    return render(request, "tasks/generate.html", context)


def _generate_preview(form, project, initial) -> dict:
    """The deadlines the chosen template would give, and what the project already has."""
    if form.is_bound:
        if not form.is_valid():
            return {}
        template, planned_start = form.cleaned_data["template"], form.cleaned_data["planned_start"]
    else:
        template = TaskTemplate.objects.filter(pk=initial.get("template")).first()
        planned_start = initial.get("planned_start")
    if template is None or planned_start is None:
        return {}
    items = sorted(template.items.all(), key=lambda i: (i.offset_workdays, i.order, i.pk))
    deadlines = services.template_deadlines(template=template, planned_start=planned_start, items=items)
    have = set(
        Task.objects.filter(project=project)
        .exclude(status=Task.Status.CANCELLED)
        .values_list("title", flat=True)
    )
    return {
        "template": template,
        "rows": [{"item": i, "deadline": deadlines[i], "exists": i.title in have} for i in items],
    }


# Templates (the office)


@require_GET
@login_required
def task_template_list(request):
    require_office(request.user)
    templates = TaskTemplate.objects.prefetch_related("items")
    return render(request, "tasks/template_list.html", {"templates": templates})


def _template_items(formset):
    items = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not (data.get("title") or "").strip():
            continue
        items.append(
            {
                k: data.get(k)
                for k in (
                    "id",
                    "order",
                    "title",
                    "requirement",
                    "responsible",
                    "prelim_kind",
                    "offset_workdays",
                )
            }
        )
    return items


def _template_page(request, template=None):
    require_office(request.user)
    form = TaskTemplateForm(request.POST or None, instance=template)
    initial = [
        {
            "id": i.pk,
            "order": i.order,
            "title": i.title,
            "requirement": i.requirement,
            "responsible": i.responsible,
            "prelim_kind": i.prelim_kind,
            "offset_workdays": i.offset_workdays,
        }
        for i in (template.items.all() if template else [])
    ]
    formset = TemplateItemFormSet(request.POST or None, initial=initial, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {
            "category": form.cleaned_data["category"],
            "name": form.cleaned_data["name"],
            "is_active": form.cleaned_data["is_active"],
            "items": _template_items(formset),
        }
        try:
            if template is None:
                template = services.task_template_create(by=request.user, **fields)
            else:
                template.refresh_from_db()
                services.task_template_update(
                    by=request.user,
                    template=template,
                    expected_version=form.cleaned_data.get("version") or 0,
                    **fields,
                )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as error:
            show_conflict(form, error, stored_version(TaskTemplate, pk=template.pk))
        else:
            messages.success(request, _("模板“%(name)s”已保存。") % {"name": template.name})
            return redirect("task_template_list")
    return render(
        request, "tasks/template_form.html", {"form": form, "formset": formset, "template": template}
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_template_create(request):
    return _template_page(request)


@require_http_methods(["GET", "POST"])
@login_required
def task_template_edit(request, pk):
    require_office(request.user)
    return _template_page(request, get_object_or_404(TaskTemplate, pk=pk))


@require_POST
@login_required
def task_template_delete(request, pk):
    require_office(request.user)
    template = get_object_or_404(TaskTemplate, pk=pk)
    services.task_template_delete(by=request.user, template=template)
    messages.success(request, _("模板“%(name)s”已删除。") % {"name": template.name})
    return redirect("task_template_list")
