from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from keyprojects.ops import selectors
from keyprojects.orgs.access import require_office_admin


@require_GET
@never_cache
def healthz(request):
    """The process is up: no database, no session, nothing that can be slow."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request):
    """Ready to serve: JSON with each check, 200 when all pass, 503 when any fails."""
    checks = selectors.readiness(now=timezone.now())
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)


@require_GET
@login_required
def ops_status(request):
    require_office_admin(request.user)
    return render(request, "ops/status.html", selectors.ops_overview(now=timezone.now()))
