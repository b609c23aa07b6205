from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.coordination import leader_selectors as selectors
from keyprojects.coordination import leader_services as services
from keyprojects.coordination.access import (
    get_visit_for_user,
    problems_visible_to,
    require_leader_pages,
    visits_visible_to,
)
from keyprojects.coordination.leader_forms import LeaderLinkForm, VisitForm, VisitProblemFormSet
from keyprojects.coordination.models import LeaderLink
from keyprojects.lib.forms import apply_errors
from keyprojects.orgs.access import require_office


@require_GET
@login_required
def leader_list(request):
    """The leaders and their links (包联/挂点): for the office and leaders."""
    require_leader_pages(request.user)
    links = LeaderLink.objects.select_related("leader", "project__district", "enterprise").order_by(
        "leader__full_name", "leader__username", "id"
    )
    page = Paginator(links, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/leader_list.html",
        {"leaders": selectors.leader_list(), "page": page, "can_manage": request.user.is_office},
    )


@require_GET
@login_required
def leader_mine(request):
    """我联系的项目: a leader's own page; the office goes to the list of leaders."""
    if request.user.is_leader:
        return redirect("leader_page", pk=request.user.pk)
    require_leader_pages(request.user)
    return redirect("leader_list")


@require_http_methods(["GET", "POST"])
@login_required
def leader_link_create(request):
    require_office(request.user)
    form = LeaderLinkForm(request.POST or None, initial={"leader": request.GET.get("leader")})
    if request.method == "POST" and form.is_valid():
        try:
            services.leader_link_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("领导联系已添加。"))
            return redirect("leader_list")
    return render(request, "coordination/leader_link_form.html", {"form": form})


@require_POST
@login_required
def leader_link_delete(request, pk):
    require_office(request.user)
    link = get_object_or_404(LeaderLink, pk=pk)
    services.leader_link_delete(by=request.user, link=link)
    messages.success(request, _("领导联系已删除。"))
    return redirect("leader_list")


@require_GET
@login_required
def leader_over_yi(request):
    """超亿元 projects: each should have a liaison leader and a service record; flag those without."""
    missing = request.GET.get("missing", "")
    if missing not in ("", "leader", "visit", "any"):
        missing = ""
    year = selectors.current_period()[0]
    entries = selectors.over_yi_entries(user=request.user, year=year, missing=missing)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    all_entries = selectors.over_yi_entries(user=request.user, year=year)
    return render(
        request,
        "coordination/leader_over_yi.html",
        {
            "page": page,
            "year": year,
            "missing": missing,
            "counts": {
                "all": all_entries.count(),
                "leader": selectors.over_yi_entries(user=request.user, year=year, missing="leader").count(),
                "visit": selectors.over_yi_entries(user=request.user, year=year, missing="visit").count(),
            },
        },
    )


@require_GET
@login_required
def visit_list(request):
    visits = (
        visits_visible_to(request.user)
        .select_related("project", "enterprise", "leader")
        .order_by("-date", "-id")
    )
    page = Paginator(visits, 30).get_page(request.GET.get("page"))
    return render(request, "coordination/visit_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def visit_create(request):
    if not request.user.is_office:
        raise PermissionDenied(_("只有重点办工作人员可以登记一线服务。"))
    form = VisitForm(request.POST or None, initial={"project": request.GET.get("project")})
    formset = VisitProblemFormSet(request.POST or None, prefix="problems")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        problems = [
            services.VisitProblem(**f.cleaned_data)
            for f in formset.forms
            if f.has_changed() and f.cleaned_data
        ]
        try:
            with transaction.atomic():
                visit = services.visit_create(by=request.user, problems=problems, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("一线服务已登记，现场提出的 %(n)s 个问题已转为问题交办。") % {"n": len(problems)},
            )
            return redirect("visit_detail", pk=visit.pk)
    return render(request, "coordination/visit_form.html", {"form": form, "formset": formset})


@require_GET
@login_required
def visit_detail(request, pk):
    visit = get_visit_for_user(request.user, pk)
    problems = (
        problems_visible_to(request.user)
        .filter(source_visit=visit)
        .select_related("project", "lead_unit")
        .order_by("id")
    )
    return render(request, "coordination/visit_detail.html", {"visit": visit, "problems": problems})
