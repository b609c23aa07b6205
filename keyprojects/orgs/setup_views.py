"""The first-login page (/setup/): on a database with no office and no user, whoever opens the system
first creates the office and its first admin, and is logged in as that admin. Once an office exists the
page is gone (404): accounts are then made by the admin."""

from functools import wraps

from django import forms
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.orgs import setup


class OfficeSetupForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("重点办名称"), max_length=setup.NAME_MAX, initial=setup.DEFAULT_OFFICE_NAME
    )
    full_name = forms.CharField(label=gettext_lazy("管理员姓名"), max_length=30, required=False)
    username = forms.CharField(label=gettext_lazy("管理员用户名"), max_length=150, initial="admin")
    password1 = forms.CharField(
        label=gettext_lazy("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("再输入一次密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


def setup_first(view):
    """Send an anonymous visitor of a first installation (no office, no user) to the setup page; a
    logged-in user means the system is set up, so they cost no query."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and setup.needs_setup():
            return redirect("office_setup")
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def office_setup(request):
    if not setup.needs_setup():
        raise Http404(_("系统已经完成初始设置。"))
    form = OfficeSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _office, admin, _created = setup.office_setup(
                name=data["name"],
                username=data["username"],
                password=data["password1"],
                full_name=data["full_name"],
            )
        except setup.SetupError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "orgs/setup.html", {"form": form})
