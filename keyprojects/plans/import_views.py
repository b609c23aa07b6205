"""Pages of the annual-list import: upload, progress, preview, confirm, the error report, the blank
template. Office only."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from keyprojects.lib.xlsx import XLSX
from keyprojects.orgs.access import require_office
from keyprojects.plans.access import get_import_job_for_user, import_jobs_visible_to
from keyprojects.plans.import_forms import ImportUploadForm, UnknownNamesForm
from keyprojects.plans.imports import jobs as import_jobs
from keyprojects.plans.imports.apply import BATCH_NEW
from keyprojects.plans.imports.names import KIND_LABELS
from keyprojects.plans.imports.template import template_workbook
from keyprojects.plans.models import Batch, Category, ImportJob

SHOWN_ROWS = 500  # rows of each kind on the preview page; the counts cover them all


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request):
    require_office(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.import_job_create(
            upload=form.cleaned_data["file"],
            year=form.cleaned_data["year"],
            batch=form.cleaned_data["batch"],
            by=request.user,
        )
        return redirect("import_job", pk=job.pk)
    jobs = import_jobs_visible_to(request.user).select_related("created_by")[:15]
    return render(
        request,
        "plans/import_upload.html",
        {"form": form, "jobs": jobs, "template_year": form["year"].value() or timezone.localdate().year},
    )


def _batch_label(job):
    batch = job.summary.get("batch")
    if batch in (None, BATCH_NEW):
        return _("新建批次（下一批）")
    found = Batch.objects.filter(pk=batch).first()
    return found.name if found else "?"


@require_GET
@login_required
def import_job(request, pk):
    job = get_import_job_for_user(request.user, pk)
    summary = job.summary or {}
    rows = summary.get("rows", [])
    labels = dict(Category.choices)
    groups = []
    actions = (
        ("create", _("新增")),
        ("update", _("更新")),
        ("unchanged", _("未变")),
        ("waiting", _("待确认")),
    )
    for action, title in actions:
        chosen = [r for r in rows if r["action"] == action]
        if action == "waiting" and not chosen:
            continue
        for r in chosen[:SHOWN_ROWS]:
            r["category_label"] = labels.get(r["category"], r["category"])
        groups.append({"action": action, "title": title, "rows": chosen[:SHOWN_ROWS], "count": len(chosen)})
    percent, done = import_jobs.job_progress(job)
    unknown = summary.get("unknown", [])
    names_form = UnknownNamesForm(unknown) if unknown and job.status == ImportJob.Status.PREVIEW else None
    context = {
        "unknown": unknown,
        "names_form": names_form,
        "name_groups": _name_groups(names_form.rows) if names_form else [],
        "unknown_leaders": any(u["kind"] == "leader" for u in unknown),
        "job": job,
        "summary": summary,
        "groups": groups,
        "counts": summary.get("counts", {}),
        "totals": summary.get("totals", {}),
        "result": summary.get("result"),
        "errors": job.errors,
        "errors_total": summary.get("rejections_total", len(job.errors)),
        "running": job.status in import_jobs.RUNNING,
        "percent": percent,
        "done": done,
        "batch_label": _batch_label(job),
        "shown_rows": SHOWN_ROWS,
    }
    return render(request, "plans/import_job.html", context)


def _name_groups(rows):
    """The unknown names' form rows, by kind in the preview's order."""
    groups = []
    for kind, label in KIND_LABELS.items():
        chosen = [(u, bound) for u, bound in rows if u["kind"] == kind]
        if chosen:
            groups.append({"kind": kind, "label": label, "rows": chosen})
    return groups


@require_GET
@login_required
def import_progress(request, pk):
    """The progress bar, polled by htmx; once the job has moved on, the whole page reloads."""
    job = get_import_job_for_user(request.user, pk)
    if job.status not in import_jobs.RUNNING and request.htmx:
        return HttpResponseClientRefresh()
    percent, done = import_jobs.job_progress(job)
    return render(request, "plans/import_progress.html", {"job": job, "percent": percent, "done": done})


@require_POST
@login_required
def import_apply(request, pk):
    job = get_import_job_for_user(request.user, pk)
    form = UnknownNamesForm((job.summary or {}).get("unknown", []), request.POST)
    try:
        if job.status == ImportJob.Status.PREVIEW and not form.is_valid():
            missing = [u["name"] for u, bound in form.rows if bound.errors]
            raise ValidationError(
                _("请为系统中没有的名称选择对应的已有单位或新建：%(names)s。") % {"names": "、".join(missing)}
            )
        job = import_jobs.import_job_apply(
            job=job, by=request.user, choices=form.choices() if form.is_valid() else None
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if job.status == ImportJob.Status.DONE:
            result = job.summary.get("result", {})
            messages.success(
                request,
                _("导入完成：新增 %(created)s 个，更新 %(updated)s 个，未变 %(unchanged)s 个。") % result,
            )
        elif job.status in (ImportJob.Status.REJECTED, ImportJob.Status.FAILED):
            messages.error(request, _("导入未完成，未写入任何数据。原因见下方。"))
    return redirect("import_job", pk=job.pk)


@require_GET
@login_required
def import_errors_report(request, pk):
    """The error report of a refused job: its sheet with the faulty cells marked, and the list."""
    job = get_import_job_for_user(request.user, pk)
    if not job.errors:
        raise Http404(_("该导入没有问题需要报告。"))
    response = HttpResponse(import_jobs.import_job_error_report(job), content_type=XLSX)
    stem = Path(job.original_name).stem or "import"
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}-问题报告.xlsx")
    return response


@require_GET
@login_required
def import_template(request):
    require_office(request.user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    response = HttpResponse(template_workbook(year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="annual-list-template-{year}.xlsx"'
    return response
