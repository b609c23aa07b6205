"""Pages of the organisations and users import (orgs/bulk.py): upload → preview → confirm, and the blank
template. Office only. Between the preview and the confirmation the file waits in the session (it is
small); the confirmation reads it again and writes only when the plan is still the one previewed."""

import base64
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.lib.forms import BootstrapFormMixin
from keyprojects.lib.xlsx import XLSX
from keyprojects.orgs import bulk
from keyprojects.orgs.access import require_office

SESSION_KEY = "orgs_bulk_import"


class BulkUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("单位和用户文件"),
        help_text=gettext_lazy("按模板填写的 Excel 工作簿（.xlsx），含“单位”表和/或“用户”表。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _preview(request, plan, *, form=None, token="", name="", status=200, changed=False):
    context = {
        "form": form or BulkUploadForm(),
        "plan": plan,
        "counts": plan.counts if plan else {},
        "token": token,
        "file_name": name,
        "changed": changed,
    }
    return render(request, "orgs/bulk_upload.html", context, status=status)


def _plan_or_errors(request, form, data, name):
    """The plan of DATA, or None with the reasons on FORM."""
    try:
        return bulk.bulk_plan(data=data, by=request.user)
    except bulk.BulkRefused as refused:
        for message in refused.messages:
            form.add_error("file", message)
        return None


def _hold(request, data, name, plan) -> str:
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": name,
        "data": base64.b64encode(data).decode(),
        "fingerprint": plan.fingerprint(),
    }
    return token


@require_http_methods(["GET", "POST"])
@login_required
def organisation_import(request):
    require_office(request.user)
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _preview(request, None, form=form)
    upload = form.cleaned_data["file"]
    try:
        data = bulk.check_upload(upload)
    except bulk.BulkRefused as refused:
        for message in refused.messages:
            form.add_error("file", message)
        return _preview(request, None, form=form)
    plan = _plan_or_errors(request, form, data, upload.name)
    if plan is None:
        return _preview(request, None, form=form)
    token = _hold(request, data, upload.name, plan) if not plan.errors and plan.has_writes else ""
    return _preview(request, plan, token=token, name=upload.name)


@never_cache
@require_POST
@login_required
def organisation_import_apply(request):
    require_office(request.user)
    held = request.session.get(SESSION_KEY) or {}
    if not held or held.get("token") != request.POST.get("token"):
        messages.error(request, _("预览已过期或已经导入，请重新上传文件。"))
        return redirect("organisation_import")
    data, name = base64.b64decode(held["data"]), held["name"]
    form = BulkUploadForm()
    plan = _plan_or_errors(request, form, data, name)
    if plan is None or plan.errors:
        del request.session[SESSION_KEY]
        messages.error(request, _("导入未完成，未写入任何数据。原因见下方。"))
        return _preview(request, plan, form=form, name=name)
    if plan.fingerprint() != held["fingerprint"]:
        # Someone changed organisations or users since the preview: show what the file would do now.
        token = _hold(request, data, name, plan)
        return _preview(request, plan, token=token, name=name, changed=True)
    try:
        created = bulk.bulk_apply(plan=plan, by=request.user)
    except bulk.BulkRefused as refused:
        del request.session[SESSION_KEY]
        plan.errors = refused.messages
        messages.error(request, _("导入未完成，未写入任何数据。原因见下方。"))
        return _preview(request, plan, form=form, name=name)
    del request.session[SESSION_KEY]
    counts = plan.counts
    messages.success(
        request,
        _("导入完成：新增单位 %(oc)s 个、更新 %(ou)s 个；新增用户 %(uc)s 个、更新 %(uu)s 个。")
        % {
            "oc": counts["orgs_create"],
            "ou": counts["orgs_update"],
            "uc": counts["users_create"],
            "uu": counts["users_update"],
        },
    )
    # The initial passwords exist only in this response: on the page and in the file it links to
    # (a data: address, so that nothing is kept on the server to be downloaded later).
    passwords = ""
    if created:
        passwords = base64.b64encode(bulk.passwords_workbook(created)).decode()
    context = {"plan": plan, "counts": counts, "created": created, "passwords_xlsx": passwords, "xlsx": XLSX}
    return render(request, "orgs/bulk_result.html", context)


@require_GET
@login_required
def organisation_import_template(request):
    require_office(request.user)
    response = HttpResponse(bulk.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "单位和用户导入模板.xlsx")
    return response
