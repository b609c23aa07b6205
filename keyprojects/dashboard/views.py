"""The home page (each role's to-do and the project overview), the cockpit (驾驶舱), its meeting-room
screen (大屏), the project map and the boundary uploads."""

import os
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.coordination.access import require_leader_pages
from keyprojects.coordination.leader_selectors import get_leader
from keyprojects.coordination.models import EscalationLevel
from keyprojects.dashboard import selectors, services, todo_selectors
from keyprojects.dashboard.forms import BoundaryUploadForm, ReportReminderForm
from keyprojects.dashboard.geojson import MAX_BYTES
from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.lib.dbrouter import reads_from_replica
from keyprojects.lib.money import yuan_to_wan
from keyprojects.orgs.access import require_office
from keyprojects.orgs.models import Organisation
from keyprojects.orgs.setup_views import setup_first
from keyprojects.plans.completion_views import (
    headline,
    period_label,
    reporting_note,
    resolve_period,
    start_sentence,
)
from keyprojects.plans.selectors import annual_list_of
from keyprojects.projects.models import Stage
from keyprojects.projects.selectors import project_district_counts, project_stage_counts

DEFAULT_REFRESH = 300  # seconds between reloads of the meeting-room screen
MIN_REFRESH = 30
UNRESOLVED = "unresolved"  # the problem ledger's state filter: 待交办 + 办理中


def _url(name, fallback, **params) -> str:
    """The URL NAME with the query PARAMS (empty ones dropped). FALLBACK is the path while the page's
    app has not named it yet (the problem ledger and the warning centre are built beside this one)."""
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = fallback
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def _wan(yuan) -> str:
    return str(yuan_to_wan(yuan or 0))


@require_GET
@setup_first
@login_required
def home(request):
    """首页: what the user's role has to do today, each line linking to the list it counts; below, the
    overview of the projects in scope."""
    today = timezone.localdate()
    stage_counts = project_stage_counts(user=request.user)
    district_counts = project_district_counts(user=request.user)
    chart = {
        "stages": [{"name": str(r["label"]), "value": r["count"]} for r in stage_counts],
        "districts": [{"name": r["district__name"], "value": r["count"]} for r in district_counts],
    }
    return render(
        request,
        "dashboard/home.html",
        {
            "sections": todo_selectors.todo_for(request.user, today=today),
            "today": today,
            "stage_counts": stage_counts,
            "district_counts": district_counts,
            "total_count": sum(r["count"] for r in stage_counts),
            "total_investment": sum(r["total"] for r in stage_counts),
            "chart": chart,
        },
    )


@require_POST
@login_required
def report_remind(request):
    """催报 from the office's home page: remind the owners who still owe the month's report."""
    require_office(request.user)
    today = timezone.localdate()
    form = ReportReminderForm(request.POST)
    if form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
        annual_list = annual_list_of(year)
    else:
        period = todo_selectors.reporting_month(today=today)
        annual_list, month = (period.annual_list, period.month) if period else (None, None)
    if annual_list is None:
        messages.error(request, _("该年度没有重点项目清单，无需催报。"))
        return redirect("home")
    sent = services.report_reminders_send(by=request.user, annual_list=annual_list, month=month, today=today)
    if sent["owners"]:
        messages.success(
            request,
            _("已向 %(owners)s 家业主单位催报 %(projects)s 个项目的%(year)s年%(month)s月报送。")
            % {**sent, "year": annual_list.year, "month": month},
        )
    if sent["repeated"]:
        messages.info(request, _("%(n)s 家业主单位今天已催报过，未重复发送。") % {"n": sent["repeated"]})
    if sent["unreachable"]:
        messages.warning(
            request,
            _("%(n)s 家业主单位没有可接收消息的账号，请电话联系。") % {"n": sent["unreachable"]},
        )
    if not any(sent.values()):
        messages.info(request, _("该月没有需要催报的项目。"))
    return redirect("home")


# The standard sectors (projects migration 0005): the charts name them in the reader's language, as they
# do the escalation levels (coordination.selectors.DEFAULT_LADDER); an office's own names show as entered.
STANDARD_SECTORS = (
    gettext_noop("产业"),
    gettext_noop("基础设施"),
    gettext_noop("社会民生"),
    gettext_noop("生态环保"),
)


def _ladder() -> dict:
    """level → (name, time limit in working days or None): one query."""
    return {
        level: (_(name), days)
        for level, name, days in EscalationLevel.objects.values_list("level", "name", "deadline_workdays")
    }


def _chart(c: selectors.Cockpit, level_names: dict) -> dict:
    """What the charts draw (json_script): exact 万元 strings, rates as numbers, and the URL of the
    list behind every bar, point and slice."""
    year, month = c.year, c.month
    annual = reverse("annual_list")
    months = [_("%(m)s月") % {"m": m} for m in range(1, 13)]

    def group(row, param):
        return {
            "name": row.label,
            "rate": row.rate,
            "timeProgress": row.time_progress,
            "points": row.points,
            "plan": _wan(row.plan),
            "ytd": _wan(row.ytd),
            "entries": row.entries,
            "link": f"{annual}?{urlencode({'year': year, param: row.key})}" if row.key is not None else "",
        }

    def share(row, param):
        return {
            "name": _(row.label),
            "plan": _wan(row.plan),
            "entries": row.entries,
            "link": f"{annual}?{urlencode({'year': year, param: row.key})}",
        }

    levels = c.problems["levels"]
    level_labels = [level_names.get(lv) or _("第%(n)s级") % {"n": lv} for lv in levels]
    return {
        "year": year,
        "month": month,
        "timeProgress": c.total.time_progress,
        "curve": {
            "months": months,
            "thisYear": [_wan(v) for v in c.curve["this_year"]],
            "plan": [_wan(v) for v in c.curve["plan"]],
            "lastYear": [_wan(v) for v in c.curve["last_year"]],
            "links": {
                "thisYear": [_url("completion", "", year=year, month=m) for m in range(1, month + 1)],
                "lastYear": [_url("completion", "", year=year - 1, month=m) for m in range(1, 13)],
                "plan": [_url("completion", "", year=year, month=m) for m in range(1, 13)],
            },
        },
        "districts": [group(r, "district") for r in c.districts],
        "sectors": [share(r, "sector") for r in c.sectors],
        "categories": [share(r, "category") for r in c.categories],
        "funnel": [
            {
                "name": s["label"],
                "value": s["count"],
                "link": _url("project_list", "", stage=s["stage"]),
            }
            for s in c.stages
            if s["stage"] in selectors.FUNNEL
        ],
        "problems": {
            "levels": level_labels,
            "categories": [
                {
                    "name": row["label"],
                    "values": row["levels"],
                    "links": [
                        _url(
                            "problem_list", "/problems/", category=row["category"], level=lv, state=UNRESOLVED
                        )
                        for lv in levels
                    ],
                }
                for row in c.problems["by_category"]
            ],
        },
        "labels": {
            "thisYear": _("%(year)s年累计完成") % {"year": year},
            "plan": _("%(year)s年计划累计") % {"year": year},
            "lastYear": _("%(year)s年累计完成") % {"year": year - 1},
            "rate": _("完成率"),
            "timeProgress": _("序时进度"),
            "plan_wan": _("年度计划（万元）"),
            "ytd_wan": _("%(period)s完成（万元）") % {"period": period_label(month)},
            "entries": _("项目数"),
            "projects": _("项目"),
            "wanUnit": _("万元"),
            "yiUnit": _("亿元"),
            "items": _("项"),
        },
    }


def _context(request, *, screen=False):
    year, month, form, reported = resolve_period(request)
    today = timezone.localdate()
    c = selectors.cockpit(user=request.user, year=year, month=month, today=today)
    ladder = _ladder()
    level_names = {level: name for level, (name, _days) in ladder.items()}
    for row in c.problems["by_level"]:
        row["name"] = level_names.get(row["level"]) or _("第%(n)s级") % {"n": row["level"]}
        # The top level has no time limit: nothing there is ever 超时 (shown as such, not as "超时 0").
        row["limited"] = ladder.get(row["level"], (None, 1))[1] is not None
        row["link"] = _url("problem_list", "/problems/", level=row["level"], state=UNRESOLVED)
        # The ledger's own filter behind the figure: the same selector counts both.
        row["overdue_link"] = _url(
            "problem_list", "/problems/", level=row["level"], state=UNRESOLVED, overdue=1
        )
    categories = {r.key: r for r in c.categories}
    return {
        "c": c,
        "year": year,
        "month": month,
        "period": period_label(month),
        "form": form,
        "headline": headline(c.total, month),
        "reporting_note": reporting_note(reported, year, month),
        "start_sentence": start_sentence(c.total, month),
        "category_counts": [
            {
                "label": r.label,
                "count": r.entries,
                "link": _url("annual_list", "", year=year, category=r.key),
            }
            for r in (categories.get(k) for k in ("new_start", "continuing", "completing", "preparatory"))
            if r is not None
        ],
        "stage_counts": [
            {**s, "link": _url("project_list", "", stage=s["stage"])} for s in c.stages if s["count"]
        ],
        "links": {
            "completion": _url("completion", "", year=year, month=month),
            "annual": _url("annual_list", "", year=year),
            "new_starts": _url("annual_list", "", year=year, category="new_start"),
            "completing": _url("annual_list", "", year=year, category="completing"),
            "problems": _url("problem_list", "/problems/", state=UNRESOLVED),
            "overdue": _url("problem_list", "/problems/", state=UNRESOLVED, overdue=1),
            "waiting": _url("problem_list", "/problems/", state="open"),
            "assign_overdue": _url("problem_list", "/problems/", state="open", assign_overdue=1),
            "red": _url("warning_list", "/warnings/", level="red"),
            "yellow": _url("warning_list", "/warnings/", level="yellow"),
            "screen": _url("cockpit_screen", "", year=year, month=month),
            "cockpit": _url("cockpit", "", year=year, month=month),
        },
        "chart": _chart(c, level_names),
        "chart_height": max(260, 30 * len(c.districts) + 70),
        "screen": screen,
        "Stage": Stage,
    }


@require_GET
@login_required
@reads_from_replica
def cockpit(request):
    return render(request, "dashboard/cockpit.html", _context(request))


@require_GET
@login_required
@reads_from_replica
def cockpit_screen(request):
    """The meeting-room display: dark, large type, no navigation, reloads itself every few minutes."""
    context = _context(request, screen=True)
    try:
        refresh = int(request.GET.get("refresh", DEFAULT_REFRESH))
    except ValueError:
        refresh = DEFAULT_REFRESH
    context["refresh"] = max(MIN_REFRESH, refresh)
    context["now"] = timezone.localtime()
    return render(request, "dashboard/screen.html", context)


def map_tile_url() -> str:
    """KP_MAP_TILE_URL (setting, else environment): the address of an intranet map service, shown on the
    map page as a link with {lat}, {lng} and {zoom} filled in. ECharts draws no raster tiles, so the
    service is opened beside the map, never mixed into it."""
    return getattr(settings, "KP_MAP_TILE_URL", "") or os.environ.get("KP_MAP_TILE_URL", "")


@require_GET
@login_required
@reads_from_replica
def map_projects(request):
    points = selectors.map_points(user=request.user)
    colour = request.GET.get("colour") if request.GET.get("colour") in ("stage", "warning") else "stage"
    stage_counts = {}
    warning_counts = {"red": 0, "yellow": 0, "": 0}
    for point in points:
        stage_counts[point[2]] = stage_counts.get(point[2], 0) + 1
        warning_counts[point[3]] += 1
    data = {
        "points": points,
        "boundaries": selectors.map_boundaries(),
        "stages": [{"value": s.value, "label": str(s.label)} for s in Stage],
        "warnings": [
            {"value": "red", "label": _("红灯")},
            {"value": "yellow", "label": _("黄灯")},
            {"value": "", "label": _("无预警")},
        ],
        "colour": colour,
        "projectUrl": reverse("project_detail", args=[0]).replace("/0/", "/{id}/"),
        "labels": {"district": _("所在城区"), "stage": _("阶段"), "open": _("点击打开项目")},
    }
    return render(
        request,
        "dashboard/map.html",
        {
            "data": data,
            "points": len(points),
            "stage_counts": [
                {"label": s.label, "value": s.value, "count": stage_counts.get(s.value, 0)} for s in Stage
            ],
            "warning_counts": warning_counts,
            "colour": colour,
            "has_boundaries": bool(data["boundaries"]["features"]),
            "tile_url": map_tile_url(),
            "can_upload": request.user.is_office,
        },
    )


@require_GET
@login_required
def boundary_list(request):
    require_office(request.user)
    return render(
        request,
        "dashboard/boundary_list.html",
        {"rows": selectors.boundary_rows(), "form": BoundaryUploadForm()},
    )


def _district(org_id):
    return get_object_or_404(Organisation, pk=org_id, kind=Organisation.Kind.DISTRICT)


@require_http_methods(["GET", "POST"])
@login_required
def boundary_upload(request, org_id):
    require_office(request.user)
    district = _district(org_id)
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            raw = upload.read(MAX_BYTES + 1)
            services.boundary_upload(by=request.user, organisation=district, raw=raw, filename=upload.name)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("已上传%(name)s的边界。") % {"name": district.label})
            return redirect("boundary_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "dashboard/boundary_upload.html", {"form": form, "district": district}, status=status
    )


@require_POST
@login_required
def boundary_delete(request, org_id):
    require_office(request.user)
    boundary = get_object_or_404(DistrictBoundary, organisation=_district(org_id))
    services.boundary_delete(by=request.user, boundary=boundary)
    messages.success(request, _("已删除%(name)s的边界。") % {"name": boundary.organisation.label})
    return redirect("boundary_list")


@require_GET
@login_required
def leader_page(request, pk):
    """我联系的项目: one leader's projects with their warnings, problems and progress."""
    require_leader_pages(request.user)
    leader = get_leader(pk)
    data = selectors.leader_projects(leader=leader)
    return render(
        request,
        "dashboard/leader_page.html",
        {"leader": leader, "is_self": leader.pk == request.user.pk, **data},
    )
