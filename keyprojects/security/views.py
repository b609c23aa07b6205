"""Security pages: the security log and its export (office admins), the lockout page axes answers with,
and the second factor: enrolment, the verification step after the password, and resetting a device."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from keyprojects.lib.xlsx import table_rows, table_sheet, xlsx_response
from keyprojects.orgs.access import require_office_admin
from keyprojects.orgs.models import User
from keyprojects.security import selectors, services
from keyprojects.security.forms import EventFilterForm, TokenForm
from keyprojects.security.models import SecurityEvent

PER_PAGE = 50
EXPORT_MAX = 100_000
Kind = SecurityEvent.Kind


# The security log.


@require_GET
@login_required
def security_log(request):
    require_office_admin(request.user)
    form = EventFilterForm(request.GET or None)
    events = selectors.event_list(**form.filters()) if form.is_bound else selectors.event_list()
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
    }
    return render(request, "security/log.html", context)


@require_GET
@login_required
def security_log_export(request):
    require_office_admin(request.user)
    form = EventFilterForm(request.GET or None)
    events = selectors.event_list(**form.filters()) if form.is_bound else selectors.event_list()
    columns = [
        (_("时间"), 20),
        (_("事件"), 16),
        (_("用户名"), 16),
        (_("姓名"), 12),
        (_("地址"), 18),
        (_("路径"), 50),
        (_("说明"), 40),
    ]
    now = timezone.localtime()
    workbook, ws = table_sheet(
        sheet=_("安全日志"),
        title=_("安全日志"),
        columns=columns,
        note=_("导出时间：%(at)s") % {"at": f"{now:%Y-%m-%d %H:%M}"},
        freeze="A4",
    )
    table_rows(
        ws,
        (
            [
                f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}",
                e.get_kind_display(),
                e.username,
                e.user.full_name if e.user else "",
                e.ip or "",
                e.path,
                e.detail,
            ]
            for e in events[:EXPORT_MAX].iterator(chunk_size=2000)
        ),
    )
    return xlsx_response(workbook, _("安全日志_%(day)s.xlsx") % {"day": f"{now:%Y%m%d}"})


# Lockout (axes' AXES_LOCKOUT_CALLABLE).


def lockout_response(request, original_response=None, credentials=None):
    """The same page whichever account was typed and whether it exists: it says how to get back in."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {"minutes": minutes, "allowed": settings.KP_LOGIN_FAILURE_LIMIT}
    return render(request, "security/lockout.html", context, status=429)


# The second factor.


def _next(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@require_http_methods(["GET", "POST"])
@login_required
def otp_enrol(request):
    require_office_admin(request.user)
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "security/otp_enrol.html", {"enrolled": True})
    device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(request=request, user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("已绑定动态口令，以后登录时须输入手机上显示的 6 位数字。"))
            return redirect(_next(request) or "home")
        form.add_error("token", _("动态口令不正确，请核对手机时间后重新输入。"))
    uri = device.config_url
    qr = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    context = {"form": form, "uri": uri, "qr": qr, "secret": _base32(device), "next": _next(request)}
    return render(request, "security/otp_enrol.html", context)


def _base32(device) -> str:
    return base64.b32encode(device.bin_key).decode()


@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request):
    user = request.user
    if not selectors.needs_second_factor(user) or user.is_verified():
        return redirect(_next(request) or "home")
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        url = reverse("otp_enrol")
        if _next(request):
            url += "?" + urlencode({"next": _next(request)})
        return redirect(url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            services.event_record(kind=Kind.OTP_OK, request=request, user=user)
            return redirect(_next(request) or "home")
        services.event_record(kind=Kind.OTP_FAIL, request=request, user=user)
        form.add_error("token", _("动态口令不正确或已过期，请重新输入。"))
    return render(request, "security/otp_verify.html", {"form": form, "next": _next(request)})


@require_GET
@login_required
def otp_devices(request):
    require_office_admin(request.user)
    return render(request, "security/otp_devices.html", {"admins": selectors.office_admins_with_devices()})


@require_POST
@login_required
def otp_device_reset(request, pk):
    require_office_admin(request.user)
    person = get_object_or_404(User, pk=pk, role=User.Role.OFFICE_ADMIN)
    services.totp_reset(by=request.user, user=person, request=request)
    messages.success(request, _("已重置%(name)s的动态口令，其下次登录时须重新绑定。") % {"name": person})
    return redirect("otp_devices")
