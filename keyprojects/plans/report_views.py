"""Pages of monthly reports: the owner's to-do and form, the report page, the reviewer's queue, the
office's overview with its Excel list, month locks and adjustments. Thin: scope through the gate,
bind a form, call one service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import apply_errors, error_text, message_errors
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version
from keyprojects.lib.numbers import percent
from keyprojects.orgs.access import require_office
from keyprojects.plans import report_exports
from keyprojects.plans import report_selectors as selectors
from keyprojects.plans import report_services as services
from keyprojects.plans.access import (
    can_report,
    can_review,
    get_entry_for_user,
    get_report_for_user,
    get_report_photo_for_user,
    reviews_reports,
    sees_report_overview,
)
from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.report_forms import (
    MonthLockForm,
    MonthlyReportForm,
    PeriodForm,
    ReportAdjustmentForm,
    ReturnForm,
    ReviewQueueForm,
    SignedWanField,
)
from keyprojects.plans.selectors import annual_list_of, default_period

# What one form post may carry: ten photos at the cap and the text. Refused before Django parses it.
MAX_POST_PHOTOS = 10
# The overview lists this many missing or late projects; the Excel export has them all.
MISSING_SHOWN = 100


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _deadline_context(entry, month, today):
    deadlines = selectors.Deadlines()
    deadline = deadlines.of(entry.annual_list, month)
    left = deadlines.workdays_left(today, deadline)
    return {"deadline": deadline, "deadline_label": selectors.deadline_label(left), "deadline_left": left}


# The owner


@require_GET
@login_required
def report_todo(request):
    user = request.user
    today = timezone.localdate()
    todo = selectors.report_todo_for(user, today=today)
    page = Paginator(todo["items"], 50).get_page(request.GET.get("page"))
    summary = None
    if sees_report_overview(user):
        year, month = default_period(today)
        annual_list = annual_list_of(year)
        if annual_list is not None:
            totals = selectors.report_status_by_district(user, annual_list=annual_list, month=month)["totals"]
            summary = {"year": year, "month": month, **totals}
    context = {
        "summary": summary,
        "page": page,
        "todo_count": len(todo["items"]),
        "returned_count": sum(1 for i in todo["items"] if i.returned),
        "overdue_count": sum(1 for i in todo["items"] if i.left is not None and i.left < 0),
        "locked_missing": todo["locked_missing"],
        "is_owner": user.role == user.Role.OWNER,
        "queue_count": selectors.review_queue_count(user),
        "can_review": reviews_reports(user),
        "can_overview": sees_report_overview(user),
        "is_office": user.is_office,
        "today": today,
    }
    return render(request, "plans/report_todo.html", context)


@require_GET
@login_required
def report_entry(request, entry_id):
    entry = get_entry_for_user(request.user, entry_id)
    today = timezone.localdate()
    months = selectors.entry_months(entry, today=today)
    ytd = months[-1]["ytd"]  # every report that counts, this year
    context = {
        "entry": entry,
        "project": entry.project,
        "months": months,
        "published": selectors.is_published(entry),
        "can_report": can_report(request.user, entry.project),
        "ytd": ytd,
        "since_start": (entry.completed_before_year or 0) + ytd,
        "percent": percent(ytd, entry.planned_investment),
    }
    return render(request, "plans/report_entry.html", context)


def _reporter_entry(request, entry_id, month):
    # The form shows the project's name; on deadline day every owner posts it at once.
    entry = get_entry_for_user(request.user, entry_id, related=("project", "annual_list", "batch"))
    if not can_report(request.user, entry.project):
        raise PermissionDenied(_("只有项目业主可以填报该项目的月度报送。"))
    if not 1 <= month <= 12:
        raise Http404(_("月份应为 1 至 12。"))
    return entry


def _month_report(entry, month) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(entry=entry, month=month).order_by().first()


def _post_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    # The text fields take at most a few tens of kilobytes.
    return length > settings.KP_PHOTO_MAX_BYTES * MAX_POST_PHOTOS + 64 * 1024


@require_http_methods(["GET", "POST"])
@login_required
def report_fill(request, entry_id, month):
    entry = _reporter_entry(request, entry_id, month)
    posted = request.method == "POST"
    # A post is checked against the stored report by the service, under the lock; the view reads it
    # only to show the form again.
    report = None if posted else _month_report(entry, month)
    if not posted and not selectors.is_editable(report):
        return redirect("report_detail", pk=report.pk)
    today = timezone.localdate()
    status = 200
    conflict = upload_error = None
    if posted and _post_too_large(request):
        report = _month_report(entry, month)
        form = MonthlyReportForm(report=report)
        upload_error = _("上传内容过大：每次最多上传 %(n)s 张照片，每张不超过 %(size)s。") % {
            "n": MAX_POST_PHOTOS,
            "size": filesizeformat(settings.KP_PHOTO_MAX_BYTES),
        }
        status = 413
    else:
        form = MonthlyReportForm(request.POST or None, request.FILES or None, report=report)
    if posted and status == 200 and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            report = services.monthly_report_save(
                entry=entry, month=month, by=request.user, submit=submit, **form.report_fields()
            )
        except EditConflict as error:
            conflict = report = _month_report(entry, month)
            show_conflict(form, error, conflict.version if conflict else "")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if submit:
                messages.success(request, _("%(month)s月报送已提交，等待审核。") % {"month": month})
            else:
                messages.success(request, _("%(month)s月报送已保存为草稿，尚未提交。") % {"month": month})
            return redirect("report_detail", pk=report.pk)
    if posted and report is None:
        report = _month_report(entry, month)
    # Only the form page shows why the month is closed; a post that saves is checked by the service.
    refusal = services.report_refusal(entry=entry, month=month, today=today)
    form.fields["amount"].widget.attrs.update(
        {
            "hx-get": reverse("report_preview", args=[entry.pk, month]),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#report-totals",
            "hx-include": "#id_explanation",
        }
    )
    try:
        preview_amount = SignedWanField(required=False).clean(form["amount"].value())
    except ValidationError:
        preview_amount = None
    if preview_amount is None:
        preview_amount = report.amount if report else 0
    context = {
        "entry": entry,
        "project": entry.project,
        "month": month,
        "report": report,
        "form": form,
        "refusal": refusal,
        "conflict": conflict,
        "upload_error": upload_error,
        "totals": selectors.report_totals(entry, month, amount=preview_amount),
        "photos": list(report.photos.all()) if report else [],
        **_deadline_context(entry, month, today),
    }
    return render(request, "plans/report_form.html", context, status=status)


@require_GET
@login_required
def report_preview(request, entry_id, month):
    """The totals as they would be with the amount being typed (htmx, on the form)."""
    entry = _reporter_entry(request, entry_id, month)
    error = None
    totals = warnings = None
    try:
        amount = SignedWanField(required=False).clean(request.GET.get("amount", "")) or 0
    except ValidationError as e:
        error = e.messages[0]
    else:
        totals = selectors.report_totals(entry, month, amount=amount)
        warnings = services.check_amounts(
            entry=entry, month=month, amount=amount, explanation=request.GET.get("explanation", "")
        )
    return render(
        request,
        "plans/report_totals.html",
        {"totals": totals, "error": error, "warnings": warnings, "month": month, "entry": entry},
    )


@require_GET
@login_required
def report_detail(request, pk):
    report = get_report_for_user(request.user, pk)
    entry = report.entry
    today = timezone.localdate()
    lock = selectors.month_lock(entry.annual_list, report.month)
    reporter = can_report(request.user, entry.project)
    context = {
        "report": report,
        "entry": entry,
        "project": entry.project,
        "totals": selectors.report_totals(entry, report.month),
        "photos": list(report.photos.all()),
        "history": list(selectors.report_history(report)[:200]),
        "adjustments": list(report.adjustments.select_related("by")),
        "lock": lock,
        "can_edit": reporter
        and selectors.is_editable(report)
        and services.report_refusal(entry=entry, month=report.month, today=today) is None,
        "can_review": report.status == MonthlyReport.Status.SUBMITTED
        and can_review(request.user, entry.project),
        "can_return": lock is None,
        "can_adjust": request.user.is_office and lock is not None and report.status in selectors.COUNTED,
        "return_form": ReturnForm(initial={"version": report.version}),
        **_deadline_context(entry, report.month, today),
    }
    return render(request, "plans/report_detail.html", context)


# The reviewer


def _queue_row_response(request, pk, error=None):
    report = (
        MonthlyReport.objects.filter(pk=pk)
        .select_related("entry__project__owner", "entry__project__district", "entry__annual_list")
        .annotate(ytd=selectors.ytd_subquery(), locked=selectors.month_locked())
        .get()
    )
    context = {"r": report, "error": error, "done": True, "here": _next_or(request, "")}
    return render(request, "plans/report_queue_row.html", context)


@require_POST
@login_required
def report_approve(request, pk):
    report = get_report_for_user(request.user, pk, action="review")
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    error = None
    try:
        services.monthly_report_approve(report=report, by=request.user, expected_version=version)
    except EditConflict as e:
        error = str(e.message)
    except ValidationError as e:
        error = error_text(e)
    if request.htmx:
        return _queue_row_response(request, report.pk, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已审核通过：%(report)s") % {"report": report})
    return redirect(_next_or(request, reverse("report_detail", args=[report.pk])))


@require_POST
@login_required
def report_return(request, pk):
    report = get_report_for_user(request.user, pk, action="review")
    form = ReturnForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("退回时必须填写退回原因。")
    else:
        try:
            services.monthly_report_return(
                report=report,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as e:
            error = str(e.message)
        except ValidationError as e:
            error = error_text(e)
    if request.htmx:
        return _queue_row_response(request, report.pk, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已退回：%(report)s") % {"report": report})
    return redirect(_next_or(request, reverse("report_detail", args=[report.pk])))


def _require_reviewer(user):
    if not reviews_reports(user):
        raise PermissionDenied(_("只有审核单位可以查看待审核的月度报送。"))


@require_GET
@login_required
def report_queue(request):
    _require_reviewer(request.user)
    form = ReviewQueueForm(request.GET or None, periods=selectors.review_queue_periods(request.user))
    filters = form.filters() if form.is_bound else {}
    page = Paginator(selectors.review_queue_for(request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "status": filters.get("status") or "submitted",
        "query": query.urlencode(),
        "here": request.get_full_path(),
    }
    return render(request, "plans/report_queue.html", context)


@require_POST
@login_required
def report_approve_batch(request):
    """Approve the reports ticked on the queue, each through the same gate and service as one alone."""
    _require_reviewer(request.user)
    ids = []
    for value in request.POST.getlist("report"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    back = _next_or(request, reverse("report_queue"))
    if not ids:
        messages.warning(request, _("请先勾选要通过的报送。"))
        return redirect(back)
    found = selectors.reports_for_review(request.user, ids)
    versions = {}
    for pk in found:
        try:
            versions[pk] = int(request.POST.get(f"version-{pk}") or 0) or None
        except ValueError:
            versions[pk] = None
    results = services.monthly_reports_approve(
        reports=[found[pk] for pk in ids if pk in found], by=request.user, versions=versions
    )
    approved = [r for r, error in results if error is None]
    if approved:
        messages.success(request, _("已审核通过 %(n)s 份报送。") % {"n": len(approved)})
    for report, error in results:
        if error is not None:
            messages.error(
                request,
                _("%(report)s 未通过：%(reason)s") % {"report": report, "reason": error},
            )
    missing = len([pk for pk in ids if pk not in found])
    if missing:
        messages.error(request, _("%(n)s 份报送不存在或您无权查看，未处理。") % {"n": missing})
    return redirect(back)


# Photos


@require_GET
@login_required
def report_photo(request, pk):
    """A site photo, only to those who may see its report: never a public media URL."""
    photo = get_report_photo_for_user(request.user, pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    ext = photo.image.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(ext)
    if content_type is None:
        handle.close()
        raise Http404(_("照片文件不存在。"))
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{ext}"'
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def report_photo_delete(request, pk):
    photo = get_report_photo_for_user(request.user, pk, action="report")
    report = photo.report
    try:
        services.report_photo_delete(photo=photo, by=request.user)
    except ValidationError as error:
        message_errors(request, error)
    else:
        messages.success(request, _("照片已删除。"))
    if selectors.is_editable(report):
        return redirect("report_fill", entry_id=report.entry_id, month=report.month)
    return redirect("report_detail", pk=report.pk)


# The office


@require_http_methods(["GET", "POST"])
@login_required
def report_adjust(request, pk):
    report = get_report_for_user(request.user, pk)
    require_office(request.user)
    entry = report.entry
    lock = selectors.month_lock(entry.annual_list, report.month)
    form = ReportAdjustmentForm(
        request.POST or None,
        initial={"new_amount": report.amount, "explanation": report.explanation, "version": report.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_adjust(
                report=report,
                by=request.user,
                new_amount=data["new_amount"],
                reason=data["reason"],
                explanation=data["explanation"].strip(),
                expected_version=data["version"],
            )
        except EditConflict as error:
            show_conflict(form, error, stored_version(MonthlyReport, pk=pk))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("调整已记录。"))
            return redirect("report_detail", pk=report.pk)
    context = {
        "report": report,
        "entry": entry,
        "project": entry.project,
        "lock": lock,
        "form": form,
        "adjustments": list(report.adjustments.select_related("by")),
        "totals": selectors.report_totals(entry, report.month),
    }
    return render(request, "plans/report_adjust.html", context)


def _overview_period(request):
    """The list and month of an overview: from the query, else the last month that has ended."""
    if not sees_report_overview(request.user):
        raise PermissionDenied(_("您无权查看月度报送情况。"))
    year, month = default_period(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"year": year, "month": month})
    district_id = None
    if form.is_bound and form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"] or month
        district_id = form.cleaned_data["district"]
    # A year asked for shows its own list or none; the default one, before its list exists, the last one.
    annual_list = annual_list_of(year, fallback="" if form.is_bound else "earlier")
    if not form.is_bound and (annual_list is None or annual_list.year != year):
        if annual_list is not None:
            month = 12
        form = PeriodForm(initial={"year": annual_list.year if annual_list else year, "month": month})
    return form, annual_list, month, district_id


@require_GET
@login_required
def report_status(request):
    form, annual_list, month, district_id = _overview_period(request)
    context = {"form": form, "annual_list": annual_list, "month": month, "is_office": request.user.is_office}
    if annual_list is not None:
        status = selectors.report_status_by_district(request.user, annual_list=annual_list, month=month)
        missing = selectors.report_missing_late(
            request.user, annual_list=annual_list, month=month, district_id=district_id
        )
        shown = list(missing[:MISSING_SHOWN])
        for entry in shown:
            entry.state = selectors.missing_state(entry)
            entry.state_label = selectors.state_label(entry.state)
        context.update(
            status=status,
            district=next((r for r in status["rows"] if r["district_id"] == district_id), None),
            missing=shown,
            missing_count=missing.count(),
            chart={
                "districts": [r["district"] for r in status["rows"]],
                "series": [
                    {"name": _("已审核"), "data": [r["approved"] for r in status["rows"]]},
                    {"name": _("待审核"), "data": [r["awaiting"] for r in status["rows"]]},
                    {"name": _("已退回"), "data": [r["returned"] for r in status["rows"]]},
                    {"name": _("未报送"), "data": [r["missing"] for r in status["rows"]]},
                ],
            },
            export_query=urlencode(
                {
                    "year": annual_list.year,
                    "month": month,
                    **({"district": district_id} if district_id else {}),
                }
            ),
        )
    return render(request, "plans/report_status.html", context)


@require_GET
@login_required
def report_status_export(request):
    _form, annual_list, month, district_id = _overview_period(request)
    if annual_list is None:
        raise Http404(_("没有年度清单。"))
    missing = selectors.report_missing_late(
        request.user, annual_list=annual_list, month=month, district_id=district_id
    )
    return report_exports.missing_late_xlsx(missing, annual_list=annual_list, month=month)


@require_http_methods(["GET", "POST"])
@login_required
def report_locks(request):
    require_office(request.user)
    today = timezone.localdate()
    year = default_period(today)[0]
    form = PeriodForm(request.GET or None, initial={"year": year})
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
    annual_list = annual_list_of(year, fallback="latest")
    lock_form = MonthLockForm(request.POST or None)
    if request.method == "POST":
        if annual_list is None:
            messages.error(request, _("还没有年度清单，无需锁定。"))
        elif not lock_form.is_valid():
            messages.error(request, _("请选择要锁定的月份。"))
        else:
            month = lock_form.cleaned_data["month"]
            try:
                _lock, created = services.month_lock_create(
                    annual_list=annual_list, month=month, by=request.user, today=today
                )
            except ValidationError as error:
                message_errors(request, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("%(year)s年%(month)s月已锁定。") % {"year": annual_list.year, "month": month},
                    )
                else:
                    messages.info(request, _("该月此前已锁定。"))
        query = f"?year={annual_list.year}" if annual_list else ""
        return redirect(f"{reverse('report_locks')}{query}")
    context = {
        "form": form,
        "annual_list": annual_list,
        "months": selectors.month_locks_for(annual_list, today=today) if annual_list else [],
    }
    return render(request, "plans/report_locks.html", context)
