"""Pages of supervision: letters (issue one from a warning or a problem, many from the warning centre's
filtered list, reply, sign off, return, the .docx), inspections with findings and rectification items,
and tours with their scoring forms and results. Thin: scope through supervision.access, bind a form,
call one service."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.alerts import selectors as alert_selectors
from keyprojects.alerts.access import get_warning_for_user
from keyprojects.alerts.forms import WarningFilterForm
from keyprojects.alerts.models import Level
from keyprojects.coordination.access import get_problem_for_user
from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version
from keyprojects.projects.access import get_project_for_user
from keyprojects.supervision import selectors, services
from keyprojects.supervision.access import (
    get_finding_photo_for_user,
    get_inspection_for_user,
    get_letter_evidence_for_user,
    get_letter_for_user,
    get_rectification_evidence_for_user,
    get_rectification_for_user,
    get_tour_for_user,
    inspections_visible_to,
    require_supervision_office,
    tours_visible_to,
)
from keyprojects.supervision.documents import letter_docx
from keyprojects.supervision.forms import (
    BulkLetterForm,
    DecideForm,
    FindingForm,
    InspectionForm,
    LetterForm,
    ReplyForm,
    ReturnForm,
    SignOffForm,
    SubmitForm,
    TourCriteriaForm,
    TourForm,
    TourScoreForm,
    criteria_text,
)
from keyprojects.supervision.models import Letter, Rectification, Tour

PAGE_SIZE = 30
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FAILED = _("未能保存，请查看下方标红的内容。")


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request) -> str:
    """The list's query without its page, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _download(row):
    """A stored file, to one who passed its gate: never a public media URL."""
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件不存在。")) from None
    content_type = mimetypes.guess_type(row.original_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response


def _run(form, run):
    """Call RUN(cleaned data) for a valid FORM; True when it went through, else the errors are on FORM."""
    if not form.is_valid():
        return False
    try:
        run(form.cleaned_data)
    except EditConflict as error:
        return error
    except ValidationError as error:
        apply_errors(form, error)
        return False
    return True


# --------------------------------------------------------------------------------------------------
# Letters
# --------------------------------------------------------------------------------------------------


@require_GET
@login_required
def letter_list(request):
    state = request.GET.get("state") or ""
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    letters = selectors.letter_list(request.user, state=state, overdue=overdue, today=today)
    context = {
        "page": _page(request, letters),
        "counts": selectors.letter_counts(request.user, today=today),
        "state": state,
        "overdue": overdue,
        "today": today,
        "query": _query(request),
    }
    return render(request, "supervision/letter_list.html", context)


def _letter_source(request):
    """What a new letter is about, from the query: a warning, a problem or a project (each through its
    own gate), with the unit it goes to and the words it starts from."""
    source = {"warning": None, "problem": None, "project": None}
    initial = {}
    if request.GET.get("warning", "").isdigit():
        warning = get_warning_for_user(request.user, int(request.GET["warning"]))
        unit = selectors.warning_units([warning]).get(warning.pk)
        source.update(warning=warning, project=warning.project)
        initial = {
            "unit": unit.pk if unit else None,
            "subject": _("%(project)s%(rule)s预警整改")
            % {
                "project": warning.project.name,
                "rule": warning.rule.get_code_display(),
            },
            "facts": f"【{warning.get_level_display()}】{warning.message}",
        }
    elif request.GET.get("problem", "").isdigit():
        problem = get_problem_for_user(request.user, int(request.GET["problem"]))
        source.update(problem=problem, project=problem.project)
        initial = {
            "unit": problem.lead_unit_id,
            "subject": _("%(project)s“%(title)s”问题办理")
            % {"project": problem.project.name, "title": problem.title},
            "facts": problem.description,
        }
    elif request.GET.get("project", "").isdigit():
        project = get_project_for_user(request.user, int(request.GET["project"]))
        source["project"] = project
        initial = {"unit": project.district_id, "subject": project.name}
    return source, initial


@require_http_methods(["GET", "POST"])
@login_required
def letter_create(request):
    """One letter, in one click from a warning (?warning=) or a problem (?problem=): the form comes
    filled in with the unit responsible and what the light or the problem says."""
    require_supervision_office(request.user)
    source, initial = _letter_source(request)
    form = LetterForm(request.POST or None, initial=initial)
    issued = []
    if request.method == "POST":
        done = _run(
            form,
            lambda d: issued.append(
                services.letter_issue(
                    by=request.user,
                    unit=d["unit"],
                    subject=d["subject"],
                    facts=d["facts"],
                    requirement=d["requirement"],
                    deadline_workdays=d["deadline_workdays"],
                    project=source["project"],
                    warnings=[source["warning"]] if source["warning"] else [],
                    problem=source["problem"],
                )
            ),
        )
        if done is True:
            letter = issued[0]
            messages.success(request, _("督办函 %(number)s 已签发。") % {"number": letter.number})
            return redirect(letter)
        messages.error(request, FAILED)
    return render(request, "supervision/letter_form.html", {"form": form, **source})


def _filtered_warnings(request):
    """The warning centre's list as its filters in the query show it (alerts.views.warning_list)."""
    form = WarningFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    level = request.GET.get("level") or None
    if level not in (None, *Level.values):
        level = None
    warnings = alert_selectors.warning_list(alert_selectors.warning_filter(request.user, **filters), level)
    return list(warnings.select_related("project__leader")[: services.BULK_MAX * 10])


@require_http_methods(["GET", "POST"])
@login_required
def letter_bulk(request):
    """Letters for every light of the warning centre's filtered list: one per responsible unit and
    project. GET previews them; POST issues all of them or none."""
    require_supervision_office(request.user)
    query = request.GET.urlencode()
    form = BulkLetterForm(request.POST or None)
    warnings = _filtered_warnings(request)
    if request.method == "POST" and form.is_valid():
        drafts, covered = services.letter_drafts_for_warnings(
            warnings,
            requirement=form.cleaned_data["requirement"],
            deadline_workdays=form.cleaned_data["deadline_workdays"],
        )
        ids = {w.pk for d in drafts for w in d.warnings}
        if ids != form.shown_ids():
            form.add_error(None, _("筛选出的预警在预览后有变化，请核对下面的新预览后再签发。"))
        else:
            try:
                letters = services.letters_issue_bulk(by=request.user, drafts=drafts)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已签发督办函 %(n)s 份（%(first)s 至 %(last)s）。")
                    % {"n": len(letters), "first": letters[0].number, "last": letters[-1].number},
                )
                return redirect("letter_list")
    data = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
    requirement = data.get("requirement") or str(form.fields["requirement"].initial)
    workdays = data.get("deadline_workdays") or form.fields["deadline_workdays"].initial
    drafts, covered = services.letter_drafts_for_warnings(
        warnings, requirement=requirement, deadline_workdays=workdays
    )
    shown = ",".join(str(pk) for pk in sorted(w.pk for d in drafts for w in d.warnings))
    if form.is_bound:
        form.data = form.data.copy()
        form.data["shown"] = shown
    else:
        form.initial["shown"] = shown
    context = {
        "form": form,
        "drafts": drafts,
        "covered": covered,
        "lights": len(warnings),
        "query": query,
        "too_many": len(drafts) > services.BULK_MAX,
    }
    return render(request, "supervision/letter_bulk.html", context)


def _letter_context(request, letter, **forms):
    today = timezone.localdate()
    user = request.user
    context = {
        "letter": letter,
        "actions": selectors.letter_actions(letter),
        "warnings": list(letter.warnings.select_related("rule")),
        "overdue": letter.awaits_unit and letter.deadline < today,
        "today": today,
    }
    version = {"version": letter.version}
    if letter.awaits_unit and not user.sees_everything and letter.unit_id == user.organisation_id:
        context["reply_form"] = forms.get("reply") or ReplyForm(initial=version, prefix="reply")
    if user.is_office and letter.status == Letter.Status.REPLIED:
        context["sign_off_form"] = forms.get("sign_off") or SignOffForm(initial=version, prefix="sign_off")
        context["return_form"] = forms.get("return") or ReturnForm(initial=version, prefix="return")
    return context


@require_GET
@login_required
def letter_detail(request, pk):
    letter = get_letter_for_user(request.user, pk)
    return render(request, "supervision/letter_detail.html", _letter_context(request, letter))


def _letter_step(request, pk, *, action, name, make_form, run, done):
    letter = get_letter_for_user(request.user, pk, action=action)
    if request.method == "GET":
        return redirect(letter)
    form = make_form()
    outcome = _run(form, lambda d: run(letter, d))
    if outcome is True:
        messages.success(request, done)
        return redirect(letter)
    if isinstance(outcome, EditConflict):
        show_conflict(form, outcome, stored_version(Letter, pk=letter.pk))
    messages.error(request, FAILED)
    letter = get_letter_for_user(request.user, pk)
    return render(request, "supervision/letter_detail.html", _letter_context(request, letter, **{name: form}))


@require_http_methods(["GET", "POST"])
@login_required
def letter_reply(request, pk):
    return _letter_step(
        request,
        pk,
        action="reply",
        name="reply",
        make_form=lambda: ReplyForm(request.POST, request.FILES, prefix="reply"),
        run=lambda letter, d: services.letter_reply(
            letter=letter, by=request.user, note=d["note"], files=d["files"], expected_version=d["version"]
        ),
        done=_("已回复，等待重点办审核。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def letter_sign_off(request, pk):
    return _letter_step(
        request,
        pk,
        action="decide",
        name="sign_off",
        make_form=lambda: SignOffForm(request.POST, prefix="sign_off"),
        run=lambda letter, d: services.letter_sign_off(
            letter=letter, by=request.user, note=d["note"], expected_version=d["version"]
        ),
        done=_("督办函已办结。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def letter_return(request, pk):
    return _letter_step(
        request,
        pk,
        action="decide",
        name="return",
        make_form=lambda: ReturnForm(request.POST, prefix="return"),
        run=lambda letter, d: services.letter_return(
            letter=letter, by=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        done=_("已退回责任单位重新办理。"),
    )


@require_GET
@login_required
def letter_document(request, pk):
    """The letter as Word (GB/T 9704), for everyone who may see it."""
    letter = get_letter_for_user(request.user, pk)
    response = HttpResponse(letter_docx(letter), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="letter-{letter.year}-{letter.sequence}.docx"'
    return response


@require_GET
@login_required
def letter_evidence(request, pk):
    return _download(get_letter_evidence_for_user(request.user, pk))


# --------------------------------------------------------------------------------------------------
# Inspections and rectification
# --------------------------------------------------------------------------------------------------


@require_GET
@login_required
def inspection_list(request):
    inspections = inspections_visible_to(request.user).prefetch_related("projects").order_by("-date", "-id")
    return render(request, "supervision/inspection_list.html", {"page": _page(request, inspections)})


@require_http_methods(["GET", "POST"])
@login_required
def inspection_create(request):
    require_supervision_office(request.user)
    form = InspectionForm(
        request.POST or None, initial={"date": timezone.localdate(), "inspectors": [request.user.pk]}
    )
    created = []
    if request.method == "POST":
        if _run(form, lambda d: created.append(services.inspection_create(by=request.user, **d))) is True:
            messages.success(request, _("督查已登记，可逐条录入发现的问题。"))
            return redirect(created[0])
        messages.error(request, FAILED)
    return render(request, "supervision/inspection_form.html", {"form": form})


def _inspection_context(request, inspection, finding_form=None):
    findings = list(
        inspection.findings.select_related("project").prefetch_related("photos", "rectifications__unit")
    )
    context = {
        "inspection": inspection,
        "findings": findings,
        "projects": list(inspection.projects.order_by("name")),
        "inspectors": list(inspection.inspectors.all()),
        "today": timezone.localdate(),
    }
    if request.user.is_office:
        context["finding_form"] = finding_form or FindingForm(inspection=inspection)
    return context


@require_GET
@login_required
def inspection_detail(request, pk):
    inspection = get_inspection_for_user(request.user, pk)
    return render(request, "supervision/inspection_detail.html", _inspection_context(request, inspection))


@require_http_methods(["GET", "POST"])
@login_required
def finding_create(request, pk):
    """A finding with its photos; each unit chosen gets its own rectification item."""
    inspection = get_inspection_for_user(request.user, pk, write=True)
    if request.method == "GET":
        return redirect(inspection)
    form = FindingForm(request.POST, request.FILES, inspection=inspection)

    def run(d):
        services.finding_add(
            by=request.user,
            inspection=inspection,
            project=d["project"],
            description=d["description"],
            photos=d["photos"],
            items=[services.ItemDraft(u, d["requirement"], d["deadline_workdays"]) for u in d["units"]],
        )

    if _run(form, run) is True:
        messages.success(request, _("问题已记录，整改事项已交办。"))
        return redirect(inspection)
    messages.error(request, FAILED)
    return render(
        request, "supervision/inspection_detail.html", _inspection_context(request, inspection, form)
    )


@require_GET
@login_required
def finding_photo(request, pk):
    return _download(get_finding_photo_for_user(request.user, pk))


@require_GET
@login_required
def rectification_list(request):
    state = request.GET.get("state") or ""
    items = selectors.rectification_list(request.user, state=state)
    return render(
        request,
        "supervision/rectification_list.html",
        {
            "page": _page(request, items),
            "state": state,
            "today": timezone.localdate(),
            "query": _query(request),
        },
    )


def _item_context(request, item, **forms):
    user = request.user
    context = {
        "item": item,
        "finding": item.finding,
        "photos": list(item.finding.photos.all()),
        "actions": list(item.actions.select_related("by", "by_org").prefetch_related("evidence")),
        "overdue": item.awaits_unit and item.deadline < timezone.localdate(),
    }
    version = {"version": item.version}
    if item.awaits_unit and not user.sees_everything and item.unit_id == user.organisation_id:
        context["submit_form"] = forms.get("submit") or SubmitForm(initial=version, prefix="submit")
    if user.is_office and item.status == Rectification.Status.SUBMITTED:
        context["decide_form"] = forms.get("decide") or DecideForm(initial=version, prefix="decide")
    return context


@require_GET
@login_required
def rectification_detail(request, pk):
    item = get_rectification_for_user(request.user, pk)
    return render(request, "supervision/rectification_detail.html", _item_context(request, item))


def _item_step(request, pk, *, action, name, make_form, run, done):
    item = get_rectification_for_user(request.user, pk, action=action)
    if request.method == "GET":
        return redirect(item)
    form = make_form()
    outcome = _run(form, lambda d: run(item, d))
    if outcome is True:
        messages.success(request, done)
        return redirect(item)
    if isinstance(outcome, EditConflict):
        show_conflict(form, outcome, stored_version(Rectification, pk=item.pk))
    messages.error(request, FAILED)
    item = get_rectification_for_user(request.user, pk)
    return render(
        request, "supervision/rectification_detail.html", _item_context(request, item, **{name: form})
    )


@require_http_methods(["GET", "POST"])
@login_required
def rectification_submit(request, pk):
    return _item_step(
        request,
        pk,
        action="submit",
        name="submit",
        make_form=lambda: SubmitForm(request.POST, request.FILES, prefix="submit"),
        run=lambda item, d: services.rectification_submit(
            item=item, by=request.user, note=d["note"], files=d["files"], expected_version=d["version"]
        ),
        done=_("整改情况已提交，等待重点办审核。"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def rectification_decide(request, pk):
    return _item_step(
        request,
        pk,
        action="decide",
        name="decide",
        make_form=lambda: DecideForm(request.POST, prefix="decide"),
        run=lambda item, d: services.rectification_decide(
            item=item,
            by=request.user,
            accept=d["decision"] == "accept",
            note=d["note"],
            expected_version=d["version"],
        ),
        done=_("审核结果已保存。"),
    )


@require_GET
@login_required
def rectification_evidence(request, pk):
    return _download(get_rectification_evidence_for_user(request.user, pk))


# --------------------------------------------------------------------------------------------------
# Tours
# --------------------------------------------------------------------------------------------------


@require_GET
@login_required
def tour_list(request):
    tours = tours_visible_to(request.user).order_by("-date", "-id")
    return render(request, "supervision/tour_list.html", {"page": _page(request, tours)})


@require_http_methods(["GET", "POST"])
@login_required
def tour_create(request):
    require_supervision_office(request.user)
    form = TourForm(request.POST or None, initial={"date": timezone.localdate()})
    created = []
    if request.method == "POST":
        if _run(form, lambda d: created.append(services.tour_create(by=request.user, **d))) is True:
            messages.success(request, _("观摩评比已创建，评委可开始评分。"))
            return redirect(created[0])
        messages.error(request, FAILED)
    return render(request, "supervision/tour_form.html", {"form": form})


def _tour_context(request, tour, criteria_form=None):
    criteria = list(tour.criteria.all())
    user = request.user
    is_juror = tour.jurors.filter(pk=user.pk).exists()
    context = {
        "tour": tour,
        "criteria": criteria,
        "max_total": sum(c.max_points for c in criteria),
        "jurors": list(tour.jurors.order_by("sort", "username")),
        "results": selectors.tour_results(tour),
        "is_juror": is_juror,
        "trim_from": selectors.TRIM_FROM,
    }
    if is_juror and tour.status == Tour.Status.SCORING:
        context["progress"] = selectors.tour_progress(tour, user)
    if user.is_office and tour.status == Tour.Status.SCORING and not tour.scores.exists():
        context["criteria_form"] = criteria_form or TourCriteriaForm(
            initial={"criteria": criteria_text((c.name, c.max_points) for c in criteria)}
        )
    return context


@require_GET
@login_required
def tour_detail(request, pk):
    tour = get_tour_for_user(request.user, pk)
    return render(request, "supervision/tour_detail.html", _tour_context(request, tour))


@require_http_methods(["GET", "POST"])
@login_required
def tour_criteria(request, pk):
    tour = get_tour_for_user(request.user, pk, action="manage")
    if request.method == "GET":
        return redirect(tour)
    form = TourCriteriaForm(request.POST)
    if (
        _run(form, lambda d: services.tour_criteria_set(tour=tour, by=request.user, criteria=d["criteria"]))
        is True
    ):
        messages.success(request, _("评分表已保存。"))
        return redirect(tour)
    messages.error(request, FAILED)
    return render(request, "supervision/tour_detail.html", _tour_context(request, tour, form))


@require_http_methods(["GET", "POST"])
@login_required
def tour_score(request, pk, project_pk):
    """A juror's form for one project of the tour."""
    tour = get_tour_for_user(request.user, pk, action="score")
    project = tour.projects.filter(pk=project_pk).first()
    if project is None:
        raise Http404(_("该项目不在本次观摩评比中。"))
    criteria = list(tour.criteria.all())
    given = selectors.tour_form(tour, request.user, project)
    initial = {f"c{c}": v for c, v in given.items()}
    form = TourScoreForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST":
        run = lambda d: services.tour_score(tour=tour, by=request.user, project=project, points=form.points())  # noqa: E731
        if _run(form, run) is True:
            messages.success(request, _("“%(project)s”的评分已保存。") % {"project": project.name})
            return redirect(tour)
        messages.error(request, FAILED)
    return render(request, "supervision/tour_score.html", {"tour": tour, "project": project, "form": form})


@require_POST
@login_required
def tour_close(request, pk):
    tour = get_tour_for_user(request.user, pk, action="manage")
    try:
        services.tour_close(tour=tour, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("评分已结束，结果计入考核。"))
    return redirect(tour)
