"""The office admin's page of locked-out accounts and addresses, beside the organisations and users."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from keyprojects.orgs import lockouts
from keyprojects.orgs.access import require_office_admin


@require_GET
@login_required
def lockout_list(request):
    require_office_admin(request.user)
    locked = lockouts.lockouts_now(now=timezone.now())
    tables = [
        (_("账号"), locked["accounts"], "username", "locked-accounts"),
        (_("地址"), locked["addresses"], "ip", "locked-addresses"),
    ]
    allowed = settings.KP_LOGIN_FAILURE_LIMIT
    return render(request, "orgs/lockout_list.html", {"tables": tables, "allowed": allowed})


@require_POST
@login_required
def lockout_release(request):
    require_office_admin(request.user)
    username = request.POST.get("username", "").strip()[:150] or None
    ip = request.POST.get("ip", "").strip()[:45] or None
    if lockouts.lockout_release(by=request.user, username=username, ip=ip, request=request):
        messages.success(request, _("已解除“%(who)s”的登录锁定。") % {"who": username or ip})
    else:
        messages.info(request, _("“%(who)s”当前没有被锁定。") % {"who": username or ip or ""})
    return redirect("lockout_list")
