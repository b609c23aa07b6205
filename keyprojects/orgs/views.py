"""The office's organisation pages: every organisation, and one organisation with its people and the
other names it goes by in the lists (aliases), which the office adds and removes here; the city leaders;
the office's settings; and each user's account page with the password pages."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict, show_conflict
from keyprojects.orgs import selectors, services
from keyprojects.orgs.access import require_office, require_office_admin
from keyprojects.orgs.forms import (
    AliasForm,
    LeaderAccountForm,
    LeaderForm,
    OfficeSettingsForm,
    PasswordChangeForm,
    PasswordResetForm,
)
from keyprojects.orgs.models import Organisation, OrganisationAlias, User


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
    context = {
        "organisation": organisation,
        "aliases": aliases,
        "form": form,
        "users": selectors.users_of(organisation),
    }
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


# City leaders: people with a name, title and order, who may have no login account yet.


def _leaders():
    leaders = User.objects.filter(role=User.Role.LEADER).order_by("sort", "full_name", "pk")
    return leaders.annotate(project_count=Count("linked_projects"))


def _leader_list(request, form, status=200):
    return render(request, "orgs/leader_list.html", {"leaders": _leaders(), "form": form}, status=status)


@require_GET
@login_required
def city_leader_list(request):
    require_office(request.user)
    return _leader_list(request, LeaderForm())


@require_POST
@login_required
def city_leader_add(request):
    require_office(request.user)
    form = LeaderForm(request.POST)
    if form.is_valid():
        try:
            leader = services.leader_create(
                by=request.user,
                full_name=form.cleaned_data["full_name"],
                title=form.cleaned_data["title"],
                sort=form.cleaned_data["sort"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已添加市领导%(name)s（未开通登录账号）。") % {"name": leader})
            return redirect("city_leader_detail", pk=leader.pk)
    return _leader_list(request, form)


def _leader_detail(request, leader, form=None, account_form=None):
    context = {
        "leader": leader,
        "form": form or LeaderForm.of(leader),
        "account_form": account_form or LeaderAccountForm(),
    }
    return render(request, "orgs/leader_detail.html", context)


@require_GET
@login_required
def city_leader_detail(request, pk):
    require_office(request.user)
    return _leader_detail(request, get_object_or_404(_leaders(), pk=pk))


@require_POST
@login_required
def city_leader_edit(request, pk):
    require_office(request.user)
    leader = get_object_or_404(_leaders(), pk=pk)
    form = LeaderForm(request.POST)
    if form.is_valid():
        try:
            services.leader_update(
                by=request.user,
                leader=leader,
                full_name=form.cleaned_data["full_name"],
                title=form.cleaned_data["title"],
                sort=form.cleaned_data["sort"],
                based_on=form.based_on(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("city_leader_detail", pk=leader.pk)
    return _leader_detail(request, leader, form=form)


@require_POST
@login_required
def city_leader_account(request, pk):
    require_office(request.user)
    leader = get_object_or_404(_leaders(), pk=pk)
    form = LeaderAccountForm(request.POST)
    if form.is_valid():
        try:
            services.leader_account_open(
                by=request.user,
                leader=leader,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("已为%(name)s开通登录账号“%(username)s”。")
                % {"name": leader, "username": form.cleaned_data["username"]},
            )
            return redirect("city_leader_detail", pk=leader.pk)
    return _leader_detail(request, leader, account_form=form)


# The office's settings (office admins).


@require_http_methods(["GET", "POST"])
@login_required
def office_settings_edit(request):
    require_office_admin(request.user)
    if request.method == "GET":
        form = OfficeSettingsForm.of(selectors.office_settings())
        return render(request, "orgs/office_settings.html", {"form": form})
    form = OfficeSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.office_settings_update(
                by=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **form.settings_fields(),
            )
        except EditConflict as error:
            show_conflict(form, error, selectors.office_settings().version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("系统设置已保存。"))
            return redirect("office_settings")
    return render(request, "orgs/office_settings.html", {"form": form})


# Each user's account, and passwords.


class LoginView(auth_views.LoginView):
    """Django's login, keeping the login before this one for the account page."""

    def form_valid(self, form):
        services.user_login_record(user=form.get_user())
        return super().form_valid(form)


@require_GET
@login_required
def account(request):
    return render(request, "orgs/account.html", {"account": request.user})


@require_http_methods(["GET", "POST"])
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(
                user=request.user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("account")
    return render(request, "orgs/password_change.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def user_password_reset(request, pk):
    require_office_admin(request.user)
    person = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = PasswordResetForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_reset(
                by=request.user,
                user=person,
                password=form.cleaned_data["new_password1"],
                must_change=True,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("已重置%(name)s（%(username)s）的密码，请当面或电话告知本人。")
                % {"name": person, "username": person.username},
            )
            if person.organisation_id:
                return redirect("organisation_detail", pk=person.organisation_id)
            return redirect("organisation_list")
    return render(request, "orgs/user_password_reset.html", {"person": person, "form": form})
