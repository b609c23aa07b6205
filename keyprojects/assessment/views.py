from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.assessment import selectors, services, tasks
from keyprojects.assessment.access import (
    get_entry_for_user,
    get_exemption_file_for_user,
    get_ranking_list_for_user,
    get_score_for_user,
    require_member,
    require_office,
    runs_visible_to,
)
from keyprojects.assessment.documents import briefing_docx, notice_docx
from keyprojects.assessment.forms import (
    ComputeForm,
    EntryAddForm,
    ExemptForm,
    ReasonForm,
    ReviewForm,
    SchemeVersionForm,
)
from keyprojects.assessment.models import PeriodKind, Scheme, UnitKind
from keyprojects.assessment.periods import MONTH, Period
from keyprojects.assessment.scoring import TIE_BREAK
from keyprojects.lib.forms import apply_errors, message_errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


# Schemes


@require_GET
@login_required
def scheme_list(request):
    """考核方案: every scheme with its current version, for everyone (the rules are public)."""
    require_member(request.user)
    return render(request, "assessment/scheme_list.html", {"schemes": selectors.scheme_list()})


@require_GET
@login_required
def scheme_detail(request, pk):
    """One scheme: a version's indicators, weights, curves, bonuses and deductions, and its history."""
    require_member(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    versions = list(scheme.versions.select_related("created_by"))
    if not versions:
        raise Http404(_("方案尚无版本。"))
    number = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == number), versions[0])
    context = {"scheme": scheme, "versions": versions, "version": version, **selectors.version_rows(version)}
    return render(request, "assessment/scheme_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def scheme_edit(request, pk):
    """Change a scheme: saved as a new version (the one before stays for the periods that used it)."""
    require_member(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    require_office(request.user)
    current = scheme.versions.prefetch_related("indicators", "adjustments").first()
    form = SchemeVersionForm(request.POST or None, unit_kind=scheme.unit_kind, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.scheme_version_create(scheme=scheme, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("已保存为第 %(n)s 版，此后计算的考核期按新版本计分。") % {"n": version.number}
            )
            return redirect("scheme_detail", pk=scheme.pk)
    return render(
        request, "assessment/scheme_edit.html", {"scheme": scheme, "form": form, "current": current}
    )


# Scores and rankings


def _selected_run(request, runs):
    code = request.GET.get("period")
    if code:
        return next((r for r in runs if r.period == code), None)
    return runs[0] if runs else None


@require_GET
@login_required
def score_overview(request):
    """得分与排名: a period's ranking of districts and of departments, each unit's rank over the periods
    as a chart, and for the office the computing of a period and the drafting of its list."""
    require_member(request.user)
    kind = request.GET.get("kind") or ""
    runs = selectors.runs_for(request.user, period_kind=kind if kind in PeriodKind.values else None)
    run = _selected_run(request, runs)
    rankings, history = [], {}
    if run is not None:
        for unit_kind in selectors.RANKED_KINDS:
            rankings.append((UnitKind(unit_kind).label, selectors.ranking(run, unit_kind)))
            history[unit_kind] = selectors.rank_history(
                request.user, period_kind=run.period_kind, unit_kind=unit_kind
            )
    lists = list(run.ranking_lists.order_by("-version")) if run is not None and request.user.is_office else []
    context = {
        "runs": runs,
        "run": run,
        "kind": kind,
        "kinds": PeriodKind.choices,
        "rankings": rankings,
        "history": history,
        "tie_break": TIE_BREAK,
        "compute_form": ComputeForm(initial={"period": run.period if run else ""}),
        "lists": lists,
        "own_scores": selectors.visible_score_ids(request.user, run),
        "compute_status": (
            tasks.compute_status(request.GET.get("period") or (run.period if run else ""))
            if request.user.is_office
            else None
        ),
    }
    return render(request, "assessment/score_overview.html", context)


@require_POST
@login_required
def assessment_compute(request):
    """Compute (or recompute) a period's scores: the same service as `manage.py assess`, in the request on
    a small installation, else queued for the worker with its progress on the overview."""
    require_office(request.user)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        message_errors(request, ValidationError(form.errors["period"]))
        return redirect("score_overview")
    period = form.cleaned_data["period"]
    try:
        result = tasks.assessment_compute(period=period, today=timezone.localdate(), by=request.user)
    except ValidationError as error:
        message_errors(request, error)
        return redirect("score_overview")
    if result is None:
        messages.info(
            request, _("%(period)s的得分已交由后台计算，完成后在此显示结果。") % {"period": period.label}
        )
    elif result.unchanged:
        messages.info(request, _("%(period)s已重新计算，得分没有变化。") % {"period": period.label})
    else:
        messages.success(
            request,
            _("%(period)s已计算：新增 %(c)s 个得分，变化 %(u)s 个。")
            % {"period": period.label, "c": result.created, "u": result.changed},
        )
    return redirect(f"{reverse('score_overview')}?period={period.code}")


@require_GET
@login_required
def assessment_compute_status(request):
    """The overview's line on a period's queued computation, polled while it is queued or running."""
    require_office(request.user)
    status = tasks.compute_status(request.GET.get("period", ""))
    return render(request, "assessment/compute_status.html", {"compute_status": status, "polled": True})


@require_GET
@login_required
def score_detail(request, pk):
    """One unit's score explained: each indicator's value with its numbers, the formula, weight and
    points, the bonuses and deductions, and links to the records behind them; its rank over time."""
    score = get_score_for_user(request.user, pk)
    history = selectors.score_history(score, request.user)
    context = {
        "score": score,
        "lines": selectors.score_lines(score),
        "history": history,
        "chart_data": {
            "periods": [str(s.run) for s in history],
            "series": [{"name": score.name, "data": [s.rank for s in history]}],
        },
        "tie_break": TIE_BREAK,
        "count": score.run.scores.filter(unit_kind=score.unit_kind).count(),
    }
    return render(request, "assessment/score_detail.html", context)


@require_GET
@login_required
def score_records(request, pk, code):
    """The exact records behind one line of a score: the unit's own, never another's."""
    score = get_score_for_user(request.user, pk)
    found = selectors.score_records(score, code)
    if found is None:
        raise Http404(_("该得分没有这一项。"))
    title, records = found
    return render(
        request, "assessment/score_records.html", {"score": score, "title": title, "records": records}
    )


# Red/black lists


@require_GET
@login_required
def ranking_list_index(request):
    require_member(request.user)
    return render(
        request, "assessment/ranking_lists.html", {"lists": selectors.ranking_lists_for(request.user)}
    )


@require_POST
@login_required
def ranking_list_draft(request, run_pk):
    """Draft (or draft again) the period's list by rule from its scores."""
    require_office(request.user)
    run = get_object_or_404(runs_visible_to(request.user), pk=run_pk)
    try:
        ranking_list = services.ranking_list_draft(run=run, by=request.user)
    except ValidationError as error:
        message_errors(request, error)
        return redirect(f"{reverse('score_overview')}?period={run.period}")
    messages.success(request, _("已按规则起草红黑榜，请核对后交另一位工作人员审核。"))
    return redirect(ranking_list)


@require_GET
@login_required
def ranking_list_detail(request, pk):
    ranking_list = get_ranking_list_for_user(request.user, pk)
    context = {
        "list": ranking_list,
        "sections": selectors.ranking_list_sections(ranking_list),
        "review_form": ReviewForm(),
        "stale": ranking_list.is_editable
        and not ranking_list.supersedes_id
        and ranking_list.run_revision != ranking_list.run.revision,
    }
    return render(request, "assessment/ranking_list_detail.html", context)


def _refused(request, ranking_list):
    """A published list is not edited: say so and go back to it."""
    messages.error(request, _("已发布的红黑榜不能修改；如需更正，请发起更正，生成新版本。"))
    return redirect(ranking_list)


def _form_page(request, form, *, title, action_label, back, entry=None, multipart=False, projects=()):
    context = {
        "projects": projects,
        "form": form,
        "title": title,
        "action_label": action_label,
        "back": back,
        "entry": entry,
        "multipart": multipart,
    }
    return render(request, "assessment/entry_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def ranking_entry_add(request, pk):
    """Put a unit or a project on the list by hand, with the reason."""
    ranking_list = get_ranking_list_for_user(request.user, pk, write=True)
    if not ranking_list.is_editable:
        return _refused(request, ranking_list)
    projects = selectors.listed_projects(ranking_list.run.year)
    form = EntryAddForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            services.ranking_entry_add(
                ranking_list=ranking_list,
                by=request.user,
                side=form.cleaned_data["side"],
                reason=form.cleaned_data["reason"],
                organisation=form.cleaned_data["organisation"],
                project=form.cleaned_data["project"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已列入。"))
            return redirect(ranking_list)
    return _form_page(
        request,
        form,
        title=_("人工列入"),
        action_label=_("列入"),
        back=ranking_list.get_absolute_url(),
        projects=projects,
    )


@require_http_methods(["GET", "POST"])
@login_required
def ranking_entry_remove(request, pk):
    """Take an entry off the list by hand, with the reason (it stays on record)."""
    entry = get_entry_for_user(request.user, pk, write=True)
    if not entry.ranking_list.is_editable:
        return _refused(request, entry.ranking_list)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ranking_entry_remove(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已移出：%(name)s。") % {"name": entry.name})
            return redirect(entry.ranking_list)
    return _form_page(
        request,
        form,
        title=_("移出榜单"),
        action_label=_("移出"),
        back=entry.ranking_list.get_absolute_url(),
        entry=entry,
    )


@require_http_methods(["GET", "POST"])
@login_required
def ranking_entry_exempt(request, pk):
    """Exempt a 黑榜 entry: reason and supporting document both required."""
    entry = get_entry_for_user(request.user, pk, write=True)
    if not entry.ranking_list.is_editable:
        return _refused(request, entry.ranking_list)
    form = ExemptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ranking_entry_exempt(
                entry=entry,
                by=request.user,
                reason=form.cleaned_data["reason"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已豁免：%(name)s。") % {"name": entry.name})
            return redirect(entry.ranking_list)
    return _form_page(
        request,
        form,
        title=_("豁免"),
        action_label=_("豁免"),
        back=entry.ranking_list.get_absolute_url(),
        entry=entry,
        multipart=True,
    )


@require_GET
@login_required
def ranking_exemption_file(request, pk):
    entry = get_exemption_file_for_user(request.user, pk)
    return FileResponse(
        entry.exempt_file.open("rb"), as_attachment=True, filename=entry.exempt_file_name or "file"
    )


@require_POST
@login_required
def ranking_list_review(request, pk):
    ranking_list = get_ranking_list_for_user(request.user, pk, write=True)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.ranking_list_review(ranking_list=ranking_list, by=request.user, note=note)
    except ValidationError as error:
        message_errors(request, error)
    else:
        messages.success(request, _("已审核，可以发布。"))
    return redirect(ranking_list)


@require_POST
@login_required
def ranking_list_publish(request, pk):
    ranking_list = get_ranking_list_for_user(request.user, pk, write=True)
    try:
        services.ranking_list_publish(ranking_list=ranking_list, by=request.user, today=timezone.localdate())
    except ValidationError as error:
        message_errors(request, error)
    else:
        messages.success(request, _("已发布，并已通知各城区和部门。"))
    return redirect(ranking_list)


@require_http_methods(["GET", "POST"])
@login_required
def ranking_list_correct(request, pk):
    """Start a correction of a published list: a new version, with the reason."""
    ranking_list = get_ranking_list_for_user(request.user, pk, write=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.ranking_list_correct(
                ranking_list=ranking_list, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已生成更正版本，请修改条目后送审。"))
            return redirect(correction)
    return _form_page(
        request,
        form,
        title=_("更正红黑榜"),
        action_label=_("生成更正版本"),
        back=ranking_list.get_absolute_url(),
    )


@require_GET
@login_required
def ranking_list_notice(request, pk):
    """The notice (通报) of a list as a .docx: published lists for everyone, drafts for the office."""
    ranking_list = get_ranking_list_for_user(request.user, pk)
    return _docx(notice_docx(ranking_list), f"notice-{ranking_list.run.period}-v{ranking_list.version}.docx")


# 通报


@require_GET
@login_required
def notice_list(request):
    """通报: the published lists and their notices, and the monthly briefings, for every user."""
    require_member(request.user)
    return render(request, "assessment/notices.html", selectors.notices_for(request.user))


@require_GET
@login_required
def briefing_download(request, year, month):
    """The monthly work briefing (工作简报): for a published month, or for the office any month with data."""
    require_member(request.user)
    if not 1 <= month <= 12:
        raise Http404
    period = Period(MONTH, year, month)
    run = runs_visible_to(request.user).filter(period=period.code).first()
    if run is None and not request.user.is_office:
        raise Http404(_("该月的工作简报尚未发布。"))
    if run is None and services.period_data_refusal(period):
        raise Http404(_("该月没有数据。"))
    content = briefing_docx(period, run=run, today=timezone.localdate())
    return _docx(content, f"briefing-{period.code}.docx")
