"""The office's holiday-schedule pages: every year's state, and one year's schedule entered from the
State Council's notice, previewed by month and confirmed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.calendars import services
from keyprojects.calendars.forms import CalendarYearForm
from keyprojects.lib.models import CalendarYear
from keyprojects.lib.notice import days_to_lines, parse_notice
from keyprojects.lib.selectors import calendar_year_list, calendar_year_preview, calendar_year_state
from keyprojects.orgs.access import require_office


@require_GET
@login_required
def calendar_years(request):
    require_office(request.user)
    return render(
        request, "calendars/calendar_years.html", {"years": calendar_year_list(today=timezone.localdate())}
    )


def _confirmed_message(year, result) -> str:
    done = _("已确认 %(year)s 年节假日安排，相关期限按官方安排计算。") % {"year": year}
    if not result.total:
        return done + _("没有需要调整的未完成期限。")
    parts = "、".join(_("%(what)s %(n)s 个") % {"what": label, "n": n} for label, n in result.recomputed if n)
    return done + _("已重新计算 %(n)s 个未完成的期限（%(parts)s），每项调整均记入修改记录。") % {
        "n": result.total,
        "parts": parts,
    }


@require_http_methods(["GET", "POST"])
@login_required
def calendar_year(request, year):
    require_office(request.user)
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404
    calendar_year = CalendarYear.objects.filter(year=year).prefetch_related("days").first()
    state = calendar_year_state(year, calendar_year)
    action = request.POST.get("action", "")
    parsed, days = None, None
    if calendar_year is not None and calendar_year.days.all():
        saved = list(calendar_year.days.all())
        days = (
            {d.date: d.name for d in saved if not d.is_workday},
            {d.date: d.name for d in saved if d.is_workday},
        )
    if request.method == "POST" and action == "parse":
        parsed = parse_notice(request.POST.get("notice", ""), year=year)
        data = request.POST.copy()
        if parsed.understood:
            data["holidays"] = days_to_lines(parsed.holidays)
            data["workdays"] = days_to_lines(parsed.workdays)
        form = CalendarYearForm(data)
        if form.is_valid():
            days = (form.cleaned_data["holidays"], form.cleaned_data["workdays"])
    elif request.method == "POST":
        form = CalendarYearForm(request.POST)
        if form.is_valid():
            days = (form.cleaned_data["holidays"], form.cleaned_data["workdays"])
            fields = {
                "year": year,
                "holidays": days[0],
                "workdays": days[1],
                "source_text": form.cleaned_data["notice"],
                "by": request.user,
            }
            try:
                if action == "confirm":
                    result = services.calendar_year_confirm(**fields)
                    messages.success(request, _confirmed_message(year, result))
                    return redirect("calendar_year", year)
                if action == "save":
                    services.calendar_year_save_draft(**fields)
                    messages.success(
                        request,
                        _("%(year)s 年节假日安排已保存为草稿，确认前不影响任何期限。") % {"year": year},
                    )
                    return redirect("calendar_year", year)
                form.add_error(None, _("请选择“识别通知”“保存草稿”或“确认”。"))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
    else:
        form = CalendarYearForm(
            initial={
                "notice": calendar_year.source_text if calendar_year else "",
                "holidays": days_to_lines(days[0]) if days else "",
                "workdays": days_to_lines(days[1]) if days else "",
            }
        )
    problems = []
    if days is not None and not state.state == "package":
        problems = services.calendar_year_problems(year=year, holidays=days[0], workdays=days[1])
    preview = calendar_year_preview(
        year=year, holidays=days[0] if days else None, workdays=days[1] if days else None
    )
    return render(
        request,
        "calendars/calendar_year.html",
        {
            "year": year,
            "state": state,
            "form": form,
            "parsed": parsed,
            "problems": problems,
            "preview": preview,
            "previewing_entry": days is not None and state.state != "package",
        },
    )
