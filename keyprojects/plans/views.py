"""Pages of the annual list, its batches, intake proposals and plan changes.

Who sees what: everything starts from the access gates (keyprojects.plans.access). Entries of a draft
batch are shown to office staff only; the others see the official (published) list. Writing the list,
its batches and decisions on proposals and plan changes are the office's; districts and owners propose
projects and ask for plan changes within their scope; leaders and departments read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import apply_errors, error_text
from keyprojects.lib.locking import EditConflict, show_conflict
from keyprojects.lib.money import yuan_to_wan
from keyprojects.orgs.access import require_office
from keyprojects.plans import selectors, services
from keyprojects.plans.access import (
    get_batch_for_user,
    get_entry_for_user,
    get_plan_change_for_user,
    get_proposal_for_user,
    proposals_visible_to,
)
from keyprojects.plans.forms import (
    STATUS_FILTERS,
    AnnualFilterForm,
    BatchForm,
    EntryForm,
    PlanChangeDecideForm,
    PlanChangeForm,
    ProjectPickField,
    ProposalForm,
    ProposalReviewForm,
)
from keyprojects.plans.models import PlanChange, Proposal
from keyprojects.projects.access import can_create_project, can_edit_project, projects_visible_to

PAGE_SIZE = 20


def _posted(request):
    """The submitted data, bound even when empty (a form of optional fields may be sent blank)."""
    return request.POST if request.method == "POST" else None


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return selectors.default_year()
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else selectors.default_year()


def _page(request, items):
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
    }


# The annual list


@require_GET
@login_required
def annual_list(request):
    year = _year(request.GET.get("year"))
    annual = selectors.annual_list_of(year)
    batches = selectors.batches_for(request.user, annual)
    form = AnnualFilterForm(request.GET or None, user=request.user, batches=batches)
    entries = selectors.entry_list(user=request.user, annual_list=annual, filters=form.cleaned_filters())
    totals = selectors.entry_totals(entries)
    context = {
        "year": year,
        "annual": annual,
        "form": form,
        "totals": totals,
        "chart": {
            "categories": [
                {"name": str(r["label"]), "value": str(yuan_to_wan(r["planned"]))}
                for r in totals["by_category"]
            ]
        },
        "over_yi": form.cleaned_filters().get("over_yi", False),
        **_page(request, selectors.entry_rows(entries)),
    }
    if request.htmx:
        return render(request, "plans/annual_results.html", context)
    context["years"] = selectors.annual_list_years()
    if request.user.is_office:
        context["batches"] = selectors.batch_summaries(annual)
        context["pending"] = selectors.pending_counts()
    return render(request, "plans/annual_list.html", context)


@require_GET
@login_required
def entry_detail(request, pk):
    entry = get_entry_for_user(request.user, pk)
    official = services.is_official(entry.batch)
    plan_changes = list(entry.plan_changes.select_related("requested_by", "decided_by"))
    context = {
        "entry": entry,
        "project": entry.project,
        "official": official,
        "departments": list(entry.departments.all()),
        "month_rows": selectors.entry_month_rows(entry),
        "plan_changes": plan_changes,
        "adjusted": any(c.status == PlanChange.Status.APPROVED for c in plan_changes),
        "pending_change": next((c for c in plan_changes if c.status == PlanChange.Status.PENDING), None),
        "proposal": Proposal.objects.filter(entry=entry).first(),
        "history": selectors.entry_history(entry)[:200],
        "can_edit": request.user.is_office,
        "can_request_change": official and can_edit_project(request.user, entry.project),
    }
    return render(request, "plans/entry_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def entry_create(request, year):
    require_office(request.user)
    annual = selectors.annual_list_of(year)
    if annual is None:
        raise Http404(_("该年度的重点项目清单尚未建立。"))
    batches = selectors.draft_batches(annual)
    initial = {}
    if request.GET.get("batch"):
        initial["batch"] = request.GET["batch"]
    form = EntryForm(
        _posted(request),
        projects=selectors.projects_to_list(request.user, annual),
        batches=batches,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                annual_list=annual,
                batch=form.cleaned_data["batch"],
                project=form.cleaned_data["project"],
                by=request.user,
                departments=form.cleaned_data["departments"],
                **form.entry_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s”已加入%(batch)s。") % {"name": entry.project.name, "batch": entry.batch.name},
            )
            return redirect("entry_detail", pk=entry.pk)
    context = {"form": form, "annual": annual, "no_batch": not batches.exists()}
    if "project" in form.fields:
        context["project_options"] = [
            ProjectPickField.label_for(p)
            for p in selectors.projects_to_list(request.user, annual).only("code", "name").order_by("name")
        ]
    return render(request, "plans/entry_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def entry_edit(request, pk):
    entry = get_entry_for_user(request.user, pk)
    require_office(request.user)
    movable = not services.is_official(entry.batch)
    batches = selectors.draft_batches(entry.annual_list) if movable else None
    form = EntryForm(_posted(request), entry=entry, batches=batches)
    conflict = None
    if request.method == "POST" and form.is_valid():
        extra = {"batch": form.cleaned_data["batch"]} if "batch" in form.fields else {}
        try:
            services.entry_update(
                entry=entry,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                departments=form.cleaned_data["departments"],
                **extra,
                **form.entry_fields(),
            )
        except EditConflict as error:
            conflict = get_entry_for_user(request.user, pk)
            show_conflict(form, error, conflict.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("清单项目已保存。"))
            return redirect("entry_detail", pk=entry.pk)
    return render(
        request,
        "plans/entry_form.html",
        {"form": form, "entry": entry, "annual": entry.annual_list, "conflict": conflict},
    )


# Batches


@require_http_methods(["GET", "POST"])
@login_required
def batch_create(request, year):
    require_office(request.user)
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        raise Http404(_("年度不正确。"))
    annual = selectors.annual_list_of(year)
    next_number = (annual.batches.count() if annual else 0) + 1
    form = BatchForm(_posted(request), initial={"name": services.batch_default_name(next_number)})
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(year=year, by=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("已新建%(year)s年%(name)s（草稿）。") % {"year": year, "name": batch.name}
            )
            return redirect("batch_detail", pk=batch.pk)
    return render(request, "plans/batch_form.html", {"form": form, "year": year, "annual": annual})


@require_GET
@login_required
def batch_detail(request, pk):
    batch = get_batch_for_user(request.user, pk)
    entries = selectors.entry_list(user=request.user, annual_list=batch.annual_list, filters={"batch": batch})
    context = {
        "batch": batch,
        "annual": batch.annual_list,
        "totals": selectors.entry_totals(entries),
        **_page(request, selectors.entry_rows(entries)),
    }
    return render(request, "plans/batch_detail.html", context)


@require_POST
@login_required
def batch_publish(request, pk):
    batch = get_batch_for_user(request.user, pk)
    try:
        services.batch_publish(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(name)s已发布，其中的项目列入正式清单。") % {"name": batch.name})
    return redirect("batch_detail", pk=batch.pk)


# Intake proposals (项目申报)


def _can_propose(user) -> bool:
    return can_create_project(user)


def _proposal_projects(user, year):
    """Projects USER may propose (its own scope; the roles that propose may change what they see),
    not on that year's list yet."""
    return projects_visible_to(user).exclude(annual_entries__annual_list__year=year)


@require_GET
@login_required
def proposal_list(request):
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS["proposal"]):
        status = ""
    proposals = selectors.proposal_list(user=request.user, status=status)
    context = {
        "status": status,
        "statuses": STATUS_FILTERS["proposal"],
        "counts": selectors.proposal_counts(proposals_visible_to(request.user)),
        "can_propose": _can_propose(request.user),
        "year": services.proposal_year(),
        **_page(request, proposals),
    }
    return render(request, "plans/proposal_list.html", context)


def _proposal_form_page(request, form, proposal=None, conflict=None):
    context = {"form": form, "proposal": proposal, "year": services.proposal_year(), "conflict": conflict}
    if "project" in form.fields:
        context["project_options"] = [
            ProjectPickField.label_for(p) for p in form.fields["project"].queryset.only("code", "name")
        ]
    return render(request, "plans/proposal_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_create(request):
    if not _can_propose(request.user):
        raise PermissionDenied(_("您的角色不能申报项目。"))
    year = services.proposal_year()
    projects = _proposal_projects(request.user, year).order_by("name")
    initial = {}
    picked = (
        projects.filter(pk=request.GET.get("project") or 0).first() if request.GET.get("project") else None
    )
    if picked:
        initial["project"] = ProjectPickField.label_for(picked)
    form = ProposalForm(_posted(request), projects=projects, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            proposal = services.proposal_save(
                by=request.user, project=form.cleaned_data["project"], submit=submit, **form.proposal_fields()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已提交申报，等待重点办审核。") if submit else _("申报草稿已保存。"))
            return redirect("proposal_detail", pk=proposal.pk)
    return _proposal_form_page(request, form)


@require_GET
@login_required
def proposal_detail(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    editable = proposal.status in services.EDITABLE and can_edit_project(request.user, proposal.project)
    context = {
        "proposal": proposal,
        "can_edit": editable,
        "can_review": request.user.is_office and proposal.status == Proposal.Status.SUBMITTED,
        "missing": services.proposal_submit_errors(proposal) if editable else {},
    }
    return render(request, "plans/proposal_detail.html", context)


def _proposal_for_change(request, pk) -> Proposal:
    return get_proposal_for_user(request.user, pk, write=True)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_edit(request, pk):
    proposal = _proposal_for_change(request, pk)
    if proposal.status not in services.EDITABLE:
        messages.info(
            request, _("该申报当前为“%(status)s”，不能修改。") % {"status": proposal.get_status_display()}
        )
        return redirect("proposal_detail", pk=proposal.pk)
    form = ProposalForm(_posted(request), proposal=proposal)
    conflict = None
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.proposal_save(
                by=request.user,
                proposal=proposal,
                expected_version=form.cleaned_data["version"],
                submit=submit,
                **form.proposal_fields(),
            )
        except EditConflict as error:
            conflict = get_proposal_for_user(request.user, pk)
            show_conflict(form, error, conflict.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已提交申报，等待重点办审核。") if submit else _("申报草稿已保存。"))
            return redirect("proposal_detail", pk=proposal.pk)
    return _proposal_form_page(request, form, proposal, conflict)


@require_POST
@login_required
def proposal_submit(request, pk):
    proposal = _proposal_for_change(request, pk)
    try:
        services.proposal_submit(proposal=proposal, by=request.user)
    except ValidationError as error:
        messages.error(request, _("未能申报：%(errors)s") % {"errors": error_text(error)})
        if proposal.status in services.EDITABLE:
            return redirect("proposal_edit", pk=proposal.pk)
    else:
        messages.success(request, _("已提交申报，等待重点办审核。"))
    return redirect("proposal_detail", pk=proposal.pk)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_review(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    require_office(request.user)
    if proposal.status != Proposal.Status.SUBMITTED:
        messages.info(
            request,
            _("该申报当前为“%(status)s”，不在待审核状态。") % {"status": proposal.get_status_display()},
        )
        return redirect("proposal_detail", pk=proposal.pk)
    annual = selectors.annual_list_of(proposal.year)
    batches = selectors.draft_batches(annual)
    form = ProposalReviewForm(_posted(request), batches=batches)
    if request.method == "POST" and form.is_valid():
        try:
            reviewed = services.proposal_review(proposal=proposal, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("审核完成：%(status)s。") % {"status": reviewed.get_status_display()},
            )
            return redirect("proposal_list")
    return render(
        request,
        "plans/proposal_review.html",
        {"form": form, "proposal": proposal, "annual": annual, "no_batch": not batches.exists()},
    )


# Plan changes (计划调整)


@require_http_methods(["GET", "POST"])
@login_required
def plan_change_create(request, pk):
    entry = get_entry_for_user(request.user, pk)
    if not can_edit_project(request.user, entry.project):
        raise PermissionDenied(_("您可以查看该清单项目，但无权申请调整计划。"))
    form = PlanChangeForm(_posted(request), entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_change_request(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("计划调整申请已提交，等待重点办审批。"))
            return redirect("entry_detail", pk=entry.pk)
    return render(request, "plans/plan_change_form.html", {"form": form, "entry": entry})


@require_GET
@login_required
def plan_change_list(request):
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS["plan_change"]):
        status = ""
    context = {
        "status": status,
        "statuses": STATUS_FILTERS["plan_change"],
        **_page(request, selectors.plan_change_list(user=request.user, status=status)),
    }
    return render(request, "plans/plan_change_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def plan_change_decide(request, pk):
    change = get_plan_change_for_user(request.user, pk)
    require_office(request.user)
    if change.status != PlanChange.Status.PENDING:
        messages.info(request, _("该申请已审批（%(status)s）。") % {"status": change.get_status_display()})
        return redirect("entry_detail", pk=change.entry_id)
    form = PlanChangeDecideForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.plan_change_decide(
                change=change, by=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("计划调整已批准。") if approve else _("计划调整已驳回。"))
            return redirect("entry_detail", pk=change.entry_id)
    return render(
        request, "plans/plan_change_decide.html", {"form": form, "change": change, "entry": change.entry}
    )
