"""The office's organisation pages: every organisation, and one organisation with the other names it goes
by in the lists (aliases), which the office adds and removes here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from keyprojects.lib.forms import apply_errors
from keyprojects.orgs import services
from keyprojects.orgs.access import require_office
from keyprojects.orgs.forms import AliasForm
from keyprojects.orgs.models import Organisation, OrganisationAlias


@require_GET
@login_required
def organisation_list(request):
    require_office(request.user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Organisation.Kind.values else ""
    orgs = Organisation.objects.annotate(alias_count=Count("aliases")).select_related("district")
    if kind:
        orgs = orgs.filter(kind=kind)
    context = {"organisations": orgs, "kind": kind, "kinds": [("", _("全部")), *Organisation.Kind.choices]}
    return render(request, "orgs/organisation_list.html", context)


def _detail(request, organisation, form, status=200):
    aliases = organisation.aliases.select_related("created_by")
    context = {"organisation": organisation, "aliases": aliases, "form": form}
    return render(request, "orgs/organisation_detail.html", context, status=status)


@require_GET
@login_required
def organisation_detail(request, pk):
    require_office(request.user)
    organisation = get_object_or_404(Organisation.objects.select_related("district"), pk=pk)
    return _detail(request, organisation, AliasForm())


@require_POST
@login_required
def organisation_alias_add(request, pk):
    require_office(request.user)
    organisation = get_object_or_404(Organisation.objects.select_related("district"), pk=pk)
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            alias = services.organisation_alias_add(
                by=request.user, organisation=organisation, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已添加别名“%(alias)s”。") % {"alias": alias.name})
            return redirect("organisation_detail", pk=organisation.pk)
    return _detail(request, organisation, form)


@require_POST
@login_required
def organisation_alias_remove(request, pk):
    require_office(request.user)
    alias = get_object_or_404(OrganisationAlias.objects.select_related("organisation"), pk=pk)
    organisation = alias.organisation
    services.organisation_alias_remove(by=request.user, alias=alias)
    messages.success(request, _("已删除别名“%(alias)s”。") % {"alias": alias.name})
    return redirect("organisation_detail", pk=organisation.pk)
