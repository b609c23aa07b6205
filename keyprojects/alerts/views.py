from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from keyprojects.alerts import selectors, services
from keyprojects.alerts.access import get_warning_for_user
from keyprojects.alerts.forms import (
    OperatingActualForm,
    OperatingTargetForm,
    WarningFilterForm,
    WarningRuleForm,
)
from keyprojects.alerts.models import Level, OperatingActual, WarningRule
from keyprojects.alerts.rules import PARAMS, TEXT_PARAMS, params_of
from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict
from keyprojects.lib.money import format_wan
from keyprojects.lib.xlsx import text_cell, xlsx_response
from keyprojects.orgs.access import require_office
from keyprojects.plans.selectors import default_period
from keyprojects.projects.access import can_edit_project, get_project_for_user, projects_visible_to
from keyprojects.projects.models import Stage

PER_PAGE = 50


def _filtered(request):
    form = WarningFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    level = request.GET.get("level") or None
    if level not in (None, *Level.values):
        level = None
    return form, selectors.warning_filter(request.user, **filters), level


@require_GET
@login_required
def warning_list(request):
    """预警中心: counts by rule and level (table and chart) and the warnings, filtered, in scope."""
    form, warnings, level = _filtered(request)
    rows, totals = selectors.warning_counts(warnings)
    page = Paginator(selectors.warning_list(warnings, level), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chart = {
        "rules": [r["label"] for r in rows],
        "yellow": [r["yellow"] for r in rows],
        "red": [r["red"] for r in rows],
        "labels": {"yellow": str(Level.YELLOW.label), "red": str(Level.RED.label)},
    }
    context = {
        "form": form,
        "rows": rows,
        "totals": totals,
        "chart": chart,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
        "level": level,
    }
    if not request.htmx and form.is_bound and form.is_valid() and form.cleaned_data.get("project"):
        project_id = form.cleaned_data["project"]
        context["project"] = projects_visible_to(request.user).filter(pk=project_id).only("name").first()
    template = "alerts/warning_table.html" if request.htmx else "alerts/warning_list.html"
    return render(request, template, context)


@require_GET
@login_required
def warning_export(request):
    """The filtered warnings as an Excel sheet (all of them, not one page)."""
    _form, warnings, level = _filtered(request)
    wb = Workbook()
    ws = wb.active
    ws.title = _("预警清单")
    ws.append(
        [
            _("规则"),
            _("等级"),
            _("项目名称"),
            _("项目代码"),
            _("城区"),
            _("预警内容"),
            _("触发数据"),
            _("本等级起始"),
            _("首次预警"),
        ]
    )
    rows = selectors.warning_list(warnings, level).values_list(
        "rule__code",
        "level",
        "project__name",
        "project__code",
        "project__district__name",
        "message",
        "figures",
        "level_since",
        "first_raised_at",
    )
    codes, levels = dict(WarningRule.Code.choices), dict(Level.choices)
    for code, lvl, name, pcode, district, message, figures, since, first in rows.iterator(chunk_size=2000):
        ws.append(
            [
                text_cell(ws, str(codes.get(code, code))),
                text_cell(ws, str(levels.get(lvl, lvl))),
                text_cell(ws, name),
                text_cell(ws, pcode or ""),
                text_cell(ws, district),
                text_cell(ws, message),
                text_cell(ws, "；".join(f"{k}：{v}" for k, v in (figures or {}).items())),
                timezone.localtime(since).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(first).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    for column, width in zip("ABCDEFGHI", (16, 8, 36, 26, 12, 50, 60, 17, 17), strict=True):
        ws.column_dimensions[column].width = width
    return xlsx_response(wb, f"warnings-{timezone.localdate():%Y%m%d}.xlsx")


@require_GET
@login_required
def warning_detail(request, pk):
    """A light: what fired it (figures and the thresholds it was computed with, against today's) and
    its history."""
    warning = get_warning_for_user(request.user, pk)
    code = warning.rule.code
    context = {
        "warning": warning,
        "thresholds": selectors.threshold_rows(code, warning.thresholds, selectors.current_thresholds(code)),
        "changes": selectors.warning_history(warning),
    }
    return render(request, "alerts/warning_detail.html", context)


@require_GET
@login_required
def warning_rules(request):
    require_office(request.user)
    rules = list(WarningRule.objects.all())
    for rule in rules:
        values = params_of(rule)
        rule.shown = [(label, values.get(key)) for key, label, _d in PARAMS.get(rule.code, [])]
        rule.shown += [(label, values.get(key)) for key, label, _d in TEXT_PARAMS.get(rule.code, [])]
    return render(request, "alerts/rules.html", {"rules": rules})


@require_http_methods(["GET", "POST"])
@login_required
def warning_rule_edit(request, pk):
    require_office(request.user)
    rule = get_object_or_404(WarningRule, pk=pk)
    form = WarningRuleForm(request.POST or None, rule=rule)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.warning_rule_update(
                rule=rule,
                by=request.user,
                expected_version=data["version"],
                is_active=data["is_active"],
                remind=data["remind"],
                remind_workdays_before=data["remind_workdays_before"],
                params=form.params(),
            )
        except EditConflict as error:
            conflict = True
            form.add_error(None, str(error.message))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("预警规则“%(rule)s”已保存，预警已按新设置重新计算。") % {"rule": rule}
            )
            return redirect("warning_rules")
    return render(request, "alerts/rule_form.html", {"form": form, "rule": rule, "conflict": conflict})


# --------------------------------------------------------------------------------------------------
# Operating projects (投产达效)
# --------------------------------------------------------------------------------------------------


def _operating_project(request, pk, *, write=False):
    project = get_project_for_user(request.user, pk, write=write)
    if project.stage not in (Stage.COMPLETED, Stage.OPERATING):
        raise Http404(_("该项目不处于“竣工”或“投产达效”阶段。"))
    return project


@require_GET
@login_required
def operating_list(request):
    year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or year)
    except ValueError:
        pass
    projects = selectors.operating_list(request.user, year=year)
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/operating_list.html",
        {
            "page": page,
            "year": year,
            "query": query.urlencode(),
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@require_GET
@login_required
def operating_detail(request, pk):
    project = _operating_project(request, pk)
    target = getattr(project, "operating_target", None) if hasattr(project, "operating_target") else None
    actuals = list(project.operating_actuals.order_by("-year", "-month"))
    monthly_target = (target.output_value or 0) // 12 if target and target.output_value else None
    chart = {
        "months": [f"{a.year}-{a.month:02d}" for a in reversed(actuals)],
        "output": [format_wan(a.output_value).replace(",", "") for a in reversed(actuals)],
        "target": format_wan(monthly_target).replace(",", "") if monthly_target else None,
        "labels": {"output": _("当月产值（万元）"), "target": _("月均产值目标（万元）")},
    }
    context = {
        "project": project,
        "target": target,
        "actuals": actuals,
        "chart": chart,
        "can_edit": can_edit_project(request.user, project),
        "warnings": [
            w for w in selectors.project_warnings(project) if w.rule.code == WarningRule.Code.OPERATING
        ],
    }
    return render(request, "alerts/operating_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def operating_target(request, pk):
    project = _operating_project(request, pk, write=True)
    target = project.operating_target if hasattr(project, "operating_target") else None
    initial = {"months_to_produce": 6}
    if target:
        initial = {
            "version": target.version,
            "output_value": target.output_value,
            "tax": target.tax,
            "jobs": target.jobs,
            "months_to_produce": target.months_to_produce,
        }
    form = OperatingTargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.operating_target_save(
                project=project,
                by=request.user,
                expected_version=data.get("version"),
                output_value=data.get("output_value"),
                tax=data.get("tax"),
                jobs=data.get("jobs"),
                months_to_produce=data["months_to_produce"],
            )
        except EditConflict as error:
            form.add_error(None, str(error.message))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("投产达效目标已保存。"))
            return redirect("operating_detail", pk=project.pk)
    return render(
        request, "alerts/operating_form.html", {"form": form, "project": project, "title": _("投产达效目标")}
    )


@require_http_methods(["GET", "POST"])
@login_required
def operating_actual(request, pk):

    project = _operating_project(request, pk, write=True)
    opens_on = default_period()
    try:
        year = int(request.GET.get("year") or opens_on[0])
        month = int(request.GET.get("month") or opens_on[1])
    except ValueError:
        year, month = opens_on
    existing = OperatingActual.objects.filter(project=project, year=year, month=month).first()
    initial = {"year": year, "month": month}
    if existing:
        initial.update(
            output_value=existing.output_value,
            tax=existing.tax,
            jobs=existing.jobs,
            original=services.operating_actual_key(existing),
        )
    form = OperatingActualForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.operating_actual_save(
                project=project,
                by=request.user,
                year=data["year"],
                month=data["month"],
                output_value=data["output_value"],
                tax=data["tax"],
                jobs=data["jobs"],
                original=data.get("original") or "",
            )
        except EditConflict as error:
            form.add_error(None, str(error.message))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(y)s年%(m)s月投产达效数据已保存。") % {"y": data["year"], "m": data["month"]}
            )
            return redirect("operating_detail", pk=project.pk)
    return render(
        request,
        "alerts/operating_form.html",
        {"form": form, "project": project, "title": _("填报月度投产达效数据")},
    )
