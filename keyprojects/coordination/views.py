"""Pages of problem coordination: the ledger, its statistics and Excel export, a problem's page with
the forms each person may use, raising a problem, instructions, and the escalation ladder.

Thin: scope through the gate (get_problem_for_user), bind a form, call one service."""

import mimetypes
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.coordination import exports, selectors, services
from keyprojects.coordination.access import (
    can_raise_problem,
    get_instruction_for_user,
    get_problem_attachment_for_user,
    get_problem_for_user,
    problem_rights,
    problems_visible_to,
)
from keyprojects.coordination.forms import (
    AssignForm,
    CoUnitForm,
    EscalationLevelForm,
    EscalationSettingForm,
    InstructionForm,
    NoteForm,
    ProblemFilterForm,
    ProblemRaiseForm,
    ProgressForm,
    ReasonForm,
    ReplyForm,
    ResolveForm,
)
from keyprojects.coordination.models import EscalationLevel, Problem
from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version
from keyprojects.orgs.access import require_office
from keyprojects.plans.access import get_report_for_user
from keyprojects.projects.access import get_project_for_user, projects_visible_to

PAGE_SIZE = 20


# --------------------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------------------


def _filters(request):
    form = ProblemFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_filters()
    project = None
    if filters.get("project"):
        project = projects_visible_to(request.user).filter(pk=filters["project"]).only("id", "name").first()
        if project is None:
            filters = {**filters, "project": None}
    return form, filters, project


@require_GET
@login_required
def problem_list(request):
    form, filters, project = _filters(request)
    today = timezone.localdate()
    problems = selectors.problem_ledger(user=request.user, filters=filters, today=today)
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.problem_ledger_rows(page.object_list, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
        "project": project,
        "today": today,
    }
    if request.htmx:  # the filter form's refresh: the table only
        return render(request, "coordination/problem_table.html", context)
    context["counts"] = selectors.problem_warning_counts(user=request.user, today=today)
    return render(request, "coordination/problem_list.html", context)


@require_GET
@login_required
def problem_export(request):
    _form, filters, _project = _filters(request)
    today = timezone.localdate()
    rows = selectors.problem_export_rows(user=request.user, filters=filters, today=today)
    return exports.problem_ledger_xlsx(rows, today=today)


def _chart(stats):
    def rows(items):
        return [
            {
                "name": r.label,
                "total": r.total,
                "open": r.open,
                "handling": r.handling,
                "resolved": r.resolved,
                "closed": r.closed,
                "overdue": r.overdue,
                "rate": r.rate,
                "link": "?" + urlencode(r.link) if r.link else "",
            }
            for r in items
        ]

    return {
        "categories": rows(stats["categories"]),
        "units": rows(stats["units"][:20]),
        "levels": rows(stats["levels"]),
        "ledger": reverse("problem_list"),
        "labels": {
            "open": str(Problem.Status.OPEN.label),
            "handling": str(Problem.Status.HANDLING.label),
            "resolved": str(Problem.Status.RESOLVED.label),
            "closed": str(Problem.Status.CLOSED.label),
            "rate": _("办结率"),
            "overdue": _("逾期"),
        },
    }


@require_GET
@login_required
def problem_stats(request):
    form, filters, project = _filters(request)
    stats = selectors.problem_stats(user=request.user, filters=filters)
    query = request.GET.copy()
    return render(
        request,
        "coordination/problem_stats.html",
        {
            "form": form,
            "stats": stats,
            "chart": _chart(stats),
            "unit_chart_height": max(260, 30 * min(len(stats["units"]), 20) + 80),
            "query": query.urlencode(),
            "project": project,
        },
    )


# --------------------------------------------------------------------------------------------------
# One problem
# --------------------------------------------------------------------------------------------------


def _detail_context(request, problem, **forms):
    today = timezone.localdate()
    ladder = selectors.levels()
    calendar = selectors.ledger_calendar(today)
    rights = problem_rights(request.user, problem)
    instructions = selectors.problem_instructions(problem)
    for ins in instructions:
        ins.can_reply = (
            rights["handles"] and ins.replied_at is None and problem.status != Problem.Status.CLOSED
        )
        ins.reply_form = forms.get(f"reply_{ins.pk}") or ReplyForm(prefix=f"r{ins.pk}")
        ins.overdue = ins.replied_at is None and ins.reply_deadline < today
    version = {"version": problem.version}
    status = problem.status
    unresolved = problem.is_unresolved
    context = {
        "problem": problem,
        "project": problem.project,
        "co_units": list(problem.co_units.all()),
        "actions": selectors.problem_actions(problem),
        "instructions": instructions,
        "clock": selectors.problem_clock(problem, today=today, calendar=calendar),
        "ladder": [ladder[n] for n in sorted(ladder)],
        "level_name": ladder[problem.level].name if problem.level in ladder else problem.level,
        "top_level": services.top_level(ladder),
        "rights": rights,
        "today": today,
    }
    if rights["coordinate"] and status != Problem.Status.CLOSED:
        context["assign_form"] = forms.get("assign") or AssignForm(
            waiting=status == Problem.Status.OPEN,
            initial={
                **version,
                "lead_unit": problem.lead_unit_id,
                "co_units": [u.pk for u in context["co_units"]],
                "deadline": problem.level_deadline if unresolved else None,
            },
        )
        context["co_unit_form"] = forms.get("co_unit") or CoUnitForm(problem=problem, initial=version)
    if rights["coordinate"] and unresolved:
        context["level_form"] = forms.get("level") or ReasonForm(initial=version, prefix="level")
    if rights["handle"] and unresolved:
        context["progress_form"] = forms.get("progress") or ProgressForm(initial=version, prefix="progress")
        context["resolve_form"] = forms.get("resolve") or ResolveForm(initial=version, prefix="resolve")
    if rights["confirm"] and status == Problem.Status.RESOLVED:
        context["confirm_form"] = forms.get("confirm") or NoteForm(initial=version, prefix="confirm")
        context["reject_form"] = forms.get("reject") or ReasonForm(initial=version, prefix="reject")
    if rights["confirm"] and status == Problem.Status.CLOSED:
        context["reopen_form"] = forms.get("reopen") or ReasonForm(initial=version, prefix="reopen")
    if rights["instruct"] and status != Problem.Status.CLOSED:
        context["instruction_form"] = forms.get("instruction") or InstructionForm(problem=problem)
    return context


@require_GET
@login_required
def problem_detail(request, pk):
    problem = get_problem_for_user(request.user, pk)
    return render(request, "coordination/problem_detail.html", _detail_context(request, problem))


def _step_view(request, pk, *, right, form_name, make_form, run, done):
    """A step on a problem: GET shows the problem page (the form is on it); POST runs the service and
    goes back to the page, or shows the page again with the form's errors."""
    problem = get_problem_for_user(request.user, pk, action=right)
    if request.method == "GET":
        return redirect(problem)
    form = make_form(problem)
    if form.is_valid():
        try:
            run(problem, form.cleaned_data)
        except EditConflict as error:
            show_conflict(form, error, stored_version(Problem, pk=problem.pk))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(problem)
    messages.error(request, _("未能保存，请查看下方标红的内容。"))
    problem = get_problem_for_user(request.user, pk)
    context = _detail_context(request, problem, **{form_name: form})
    context["open_form"] = form_name
    return render(request, "coordination/problem_detail.html", context, status=200)


def _version(data):
    return data.get("version")


@require_http_methods(["GET", "POST"])
@login_required
def problem_assign(request, pk):
    return _step_view(
        request,
        pk,
        right="coordinate",
        form_name="assign",
        make_form=lambda p: AssignForm(request.POST, waiting=p.status == Problem.Status.OPEN),
        run=lambda p, d: services.problem_assign(
            problem=p,
            by=request.user,
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            deadline=d["deadline"],
            note=d["note"],
            expected_version=_version(d),
        ),
        done=_("问题已交办。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_co_unit(request, pk):
    return _step_view(
        request,
        pk,
        right="coordinate",
        form_name="co_unit",
        make_form=lambda p: CoUnitForm(request.POST, problem=p),
        run=lambda p, d: services.problem_add_co_unit(
            problem=p, by=request.user, unit=d["unit"], note=d["note"], expected_version=_version(d)
        ),
        done=_("已增加协办单位。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_progress(request, pk):
    return _step_view(
        request,
        pk,
        right="handle",
        form_name="progress",
        make_form=lambda p: ProgressForm(request.POST, request.FILES, prefix="progress"),
        run=lambda p, d: services.problem_progress(
            problem=p, by=request.user, note=d["note"], files=d["files"], expected_version=_version(d)
        ),
        done=_("办理进展已记录。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_resolve(request, pk):
    return _step_view(
        request,
        pk,
        right="handle",
        form_name="resolve",
        make_form=lambda p: ResolveForm(request.POST, request.FILES, prefix="resolve"),
        run=lambda p, d: services.problem_resolve(
            problem=p, by=request.user, note=d["note"], files=d["files"], expected_version=_version(d)
        ),
        done=_("问题已办结，等待提出单位确认销号。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_confirm(request, pk):
    return _step_view(
        request,
        pk,
        right="confirm",
        form_name="confirm",
        make_form=lambda p: NoteForm(request.POST, prefix="confirm"),
        run=lambda p, d: services.problem_confirm(
            problem=p, by=request.user, note=d["note"], expected_version=_version(d)
        ),
        done=_("问题已销号。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_reject(request, pk):
    return _step_view(
        request,
        pk,
        right="confirm",
        form_name="reject",
        make_form=lambda p: ReasonForm(request.POST, prefix="reject"),
        run=lambda p, d: services.problem_reject_resolution(
            problem=p, by=request.user, reason=d["reason"], expected_version=_version(d)
        ),
        done=_("已退回重办。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_reopen(request, pk):
    return _step_view(
        request,
        pk,
        right="confirm",
        form_name="reopen",
        make_form=lambda p: ReasonForm(request.POST, prefix="reopen"),
        run=lambda p, d: services.problem_reopen(
            problem=p, by=request.user, reason=d["reason"], expected_version=_version(d)
        ),
        done=_("问题已重新打开。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_escalate(request, pk):
    return _step_view(
        request,
        pk,
        right="coordinate",
        form_name="level",
        make_form=lambda p: ReasonForm(request.POST, prefix="level"),
        run=lambda p, d: services.problem_escalate(
            problem=p, by=request.user, reason=d["reason"], expected_version=_version(d)
        ),
        done=_("问题已提级。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def problem_deescalate(request, pk):
    return _step_view(
        request,
        pk,
        right="coordinate",
        form_name="level",
        make_form=lambda p: ReasonForm(request.POST, prefix="level"),
        run=lambda p, d: services.problem_deescalate(
            problem=p, by=request.user, reason=d["reason"], expected_version=_version(d)
        ),
        done=_("问题已降级。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def instruction_create(request, pk):
    return _step_view(
        request,
        pk,
        right="instruct",
        form_name="instruction",
        make_form=lambda p: InstructionForm(request.POST, problem=p),
        run=lambda p, d: services.instruction_create(
            problem=p,
            leader=request.user,
            text=d["text"],
            reply_unit=d["reply_unit"],
            reply_deadline=d["reply_deadline"],
        ),
        done=_("批示已送达承办单位。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def instruction_reply(request, pk):
    instruction = get_instruction_for_user(request.user, pk, action="reply")
    problem = instruction.problem
    if request.method == "GET":
        return redirect(problem)
    form = ReplyForm(request.POST, prefix=f"r{instruction.pk}")
    if form.is_valid():
        try:
            services.instruction_reply(
                instruction=instruction, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("批示回复已提交。"))
            return redirect(problem)
    messages.error(request, _("未能保存，请查看下方标红的内容。"))
    context = _detail_context(request, problem, **{f"reply_{instruction.pk}": form})
    return render(request, "coordination/problem_detail.html", context)


@require_GET
@login_required
def problem_attachment(request, pk):
    """A problem's file, only to those who may see the problem: never a public media URL."""
    attachment = get_problem_attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件不存在。")) from None
    content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response


# --------------------------------------------------------------------------------------------------
# Raising a problem
# --------------------------------------------------------------------------------------------------


def _raise(request, project, *, initial, report=None):
    if not can_raise_problem(request.user, project):
        raise PermissionDenied(_("市领导请通过批示推动问题解决；您的角色不能提出问题。"))
    form = ProblemRaiseForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.problem_raise(
                by=request.user,
                project=project,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
                deadline=data["deadline"],
                source_report=report,
                files=data["files"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if problem.status == Problem.Status.OPEN:
                messages.success(request, _("问题已提出，已通知重点办和牵头单位。"))
            else:
                messages.success(request, _("问题已提出并交办牵头单位，办理时限自今日起计算。"))
            return redirect(problem)
    return render(
        request, "coordination/problem_form.html", {"form": form, "project": project, "report": report}
    )


def _default_lead(project):
    department = project.departments.order_by("sort", "name").first()
    return department.pk if department else project.district_id


@require_http_methods(["GET", "POST"])
@login_required
def problem_create(request, project_id):
    project = get_project_for_user(request.user, project_id)
    return _raise(request, project, initial={"lead_unit": _default_lead(project)})


@require_http_methods(["GET", "POST"])
@login_required
def problem_create_from_report(request, report_id):
    report = get_report_for_user(request.user, report_id)
    project = report.entry.project
    text = (report.problems or "").strip()
    first_line = text.splitlines()[0] if text else ""
    initial = {
        "lead_unit": _default_lead(project),
        "title": first_line[:60],
        "description": text,
    }
    return _raise(request, project, initial=initial, report=report)


# --------------------------------------------------------------------------------------------------
# Instructions and the ladder
# --------------------------------------------------------------------------------------------------


@require_GET
@login_required
def instruction_list(request):
    user = request.user
    waiting = request.GET.get("waiting") == "1"
    try:
        replied_since = None if waiting else parse_date(request.GET.get("replied_since") or "")
    except ValueError:  # well formed but no such day
        replied_since = None
    mine = not user.sees_everything or user.is_leader
    rows = selectors.instruction_list(user=user, mine=mine, waiting=waiting, replied_since=replied_since)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for ins in page.object_list:
        ins.overdue = ins.replied_at is None and ins.reply_deadline < today
    return render(
        request,
        "coordination/instruction_list.html",
        {
            "page": page,
            "waiting": waiting,
            "replied_since": replied_since,
            "mine": mine,
            "query": urlencode(
                {"waiting": "1"} if waiting else {"replied_since": replied_since} if replied_since else {}
            ),
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def escalation_levels(request):
    require_office(request.user)
    rows = services.escalation_levels_ensure()
    forms = {
        lv.pk: EscalationLevelForm(
            prefix=f"l{lv.pk}", initial={"name": lv.name, "deadline_workdays": lv.deadline_workdays}
        )
        for lv in rows
    }
    setting = services.escalation_setting()
    setting_form = EscalationSettingForm(prefix="s", initial={"assign_workdays": setting.assign_workdays})
    if request.method == "POST" and "s-assign_workdays" in request.POST:
        setting_form = EscalationSettingForm(request.POST, prefix="s")
        if setting_form.is_valid():
            try:
                services.escalation_setting_update(by=request.user, **setting_form.cleaned_data)
            except ValidationError as error:
                apply_errors(setting_form, error)
            else:
                messages.success(request, _("交办时限已保存。"))
                return redirect("escalation_levels")
    elif request.method == "POST":
        level_pk = request.POST.get("level", "")
        level = EscalationLevel.objects.filter(pk=int(level_pk)).first() if level_pk.isdigit() else None
        if level is None:
            messages.error(request, _("请选择要修改的层级。"))
            return redirect("escalation_levels")
        form = EscalationLevelForm(request.POST, prefix=f"l{level.pk}")
        if form.is_valid():
            try:
                services.escalation_level_update(level=level, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("“%(name)s”已保存。") % {"name": level.name})
                return redirect("escalation_levels")
        forms[level.pk] = form
    open_count = problems_visible_to(request.user).filter(status__in=Problem.UNRESOLVED).count()
    return render(
        request,
        "coordination/escalation_levels.html",
        {
            "levels": [(lv, forms[lv.pk]) for lv in rows],
            "open_count": open_count,
            "setting_form": setting_form,
        },
    )
