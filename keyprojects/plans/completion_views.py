"""Completion against plan: the page (headline, a table and a chart per breakdown) and the official table."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from keyprojects.lib.dbrouter import reads_from_replica
from keyprojects.lib.money import format_yi, yuan_to_wan
from keyprojects.plans import tables
from keyprojects.plans.completion_selectors import (
    BREAKDOWNS,
    CompletionRow,
    completion_breakdown,
    completion_totals,
    completion_years,
    latest_reported_month,
)

DEFAULT_BREAKDOWN = "district"


def _through_month(month):
    return _("1-%(month)s月") % {"month": month}


class PeriodForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    month = forms.TypedChoiceField(
        label=gettext_lazy("截至月份"),
        coerce=int,
        choices=[(m, lazy(_through_month, str)(m)) for m in range(1, 13)],
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("%(year)s年") % {"year": y}) for y in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm w-auto"


def resolve_period(request, *, reporting=True):
    """(year, month, form, reported): the period the GET parameters ask for, each part falling back to
    the default — the latest month with reports in (latest_reported_month) — when missing or not a year
    with a list / a month. REPORTED (a ReportedMonth, for reporting_note) is None when REPORTING is
    false and the parameters name a whole period. One query when they do or when they name nothing."""
    named = _named_period(request.GET)
    if not reporting:
        reported, years = None, completion_years()
    elif named:  # the address names the period: its reports only, not two years' worth
        reported = latest_reported_month(user=request.user, since=named)
        years = reported.years
    else:
        reported = latest_reported_month(user=request.user)
        years = reported.years
    asked = {}
    if request.GET and years:
        bound = PeriodForm(request.GET, years=years)
        bound.is_valid()
        asked = {k: bound.cleaned_data[k] for k in ("year", "month") if k in bound.cleaned_data}
    if len(asked) < 2 and (reported is None or reported.since is not None):
        reported = latest_reported_month(user=request.user)  # the default month is needed after all
    year = asked.get("year", reported.year if reported else None)
    month = asked.get("month", reported.month if reported else None)
    choices = years if year in years else sorted({*years, year}, reverse=True)
    form = PeriodForm(years=choices, initial={"year": year, "month": month})
    return year, month, form, reported


def _named_period(params) -> tuple[int, int] | None:
    try:
        year, month = int(params["year"]), int(params["month"])
    except (KeyError, ValueError):
        return None
    return (year, month) if 1 <= month <= 12 else None


def reporting_note(reported, year: int, month: int) -> str:
    """Which month the figures run to and, while its reporting is incomplete, how many reports are
    missing ("数据截至2026年10月，该月尚有 12 个项目未报送。"); the month alone when it is the default one
    and complete; nothing for a month whose reporting is not known here (an older year)."""
    state = reported.of(year, month) if reported is not None else None
    if state is None:
        return ""
    if state.missing:
        return _("数据截至%(year)s年%(month)s月，该月尚有 %(n)s 个项目未报送。") % {
            "year": year,
            "month": month,
            "n": state.missing,
        }
    if (year, month) == (reported.year, reported.month):
        return _("数据截至%(year)s年%(month)s月，该月已全部报送。") % {"year": year, "month": month}
    return ""


def period_label(month: int) -> str:
    return _("1月") if month == 1 else _("1-%(month)s月") % {"month": month}


def headline(row: CompletionRow, month: int, *, subject="") -> str:
    """The completion sentence in the official style: 1-10月累计完成投资629.00亿元，占年度投资计划的97.2%，
    超过时间进度13.8个百分点，同比增长5.1%。"""
    parts = {"subject": subject, "period": period_label(month), "ytd": format_yi(row.ytd)}
    text = _("%(subject)s%(period)s累计完成投资%(ytd)s亿元") % parts
    if row.plan:
        text += _("，占年度投资计划的%(rate)s%%") % {"rate": row.rate}
        if row.points > 0:
            text += _("，超过时间进度%(points)s个百分点") % {"points": row.points}
        elif row.points < 0:
            text += _("，低于时间进度%(points)s个百分点") % {"points": -row.points}
        else:
            text += _("，与时间进度持平")
    if row.growth is not None:
        if row.growth >= 0:
            text += _("，同比增长%(growth)s%%") % {"growth": row.growth}
        else:
            text += _("，同比下降%(growth)s%%") % {"growth": -row.growth}
    return text + _("。")


def start_sentence(row: CompletionRow, month: int) -> str:
    """开工率 in the official style: 实际已开工206项，完成计划开工的80.8%."""
    if not row.new_starts:
        return ""
    parts = {
        "period": period_label(month),
        "planned": row.planned_starts,
        "started": row.started,
        "rate": row.start_rate,
        "early": row.started_early,
        "late": row.not_started,
    }
    if row.planned_starts:
        text = (
            _("新开工项目计划%(period)s开工%(planned)s项，实际已开工%(started)s项，完成计划开工的%(rate)s%%")
            % parts
        )
    else:
        text = _("新开工项目%(period)s无计划开工项目，实际已开工%(started)s项") % parts
    if row.started_early or row.not_started:
        text += _("；其中提前开工%(early)s项，未按计划开工%(late)s项") % parts
    return text + _("。")


def _chart(rows, total, month):
    """What the chart draws, for json_script. Rates as numbers; money as exact 万元 strings."""

    def point(row):
        return {
            "name": row.label,
            "rate": row.rate,
            "timeProgress": row.time_progress,
            "points": row.points,
            "plan": str(yuan_to_wan(row.plan)),
            "ytd": str(yuan_to_wan(row.ytd)),
            "entries": row.entries,
            "growth": row.growth,
            "startRate": row.start_rate,
            "started": row.started,
            "plannedStarts": row.planned_starts,
            "link": _link(row),
        }

    return {
        "rows": [point(r) for r in rows],
        "total": point(total),
        "timeProgress": total.time_progress,
        "labels": {
            "rate": _("完成率"),
            "timeProgress": _("序时进度"),
            "plan": _("年度计划（万元）"),
            "ytd": _("%(period)s完成（万元）") % {"period": period_label(month)},
        },
    }


def _link(row: CompletionRow) -> str:
    if not row.link:
        return ""
    return f"{reverse('annual_list')}?{urlencode(row.link)}"


@require_GET
@login_required
@reads_from_replica
def completion(request):
    year, month, form, reported = resolve_period(request, reporting=not request.htmx)
    by = request.GET.get("by")
    if by not in BREAKDOWNS:
        by = DEFAULT_BREAKDOWN
    breakdown = BREAKDOWNS[by]
    rows, total = completion_breakdown(user=request.user, year=year, month=month, by=by)
    for row in [*rows, total]:
        row.url = _link(row)
    context = {
        "year": year,
        "month": month,
        "period": period_label(month),
        "by": by,
        "breakdown": breakdown,
        "breakdowns": BREAKDOWNS.values(),
        "rows": rows,
        "total": total,
        "chart": _chart(rows, total, month),
        "chart_height": max(260, 34 * len(rows) + 70),
        "query": urlencode({"year": year, "month": month}),
    }
    if breakdown.over_yi:
        context["over_yi_sentence"] = headline(
            total, month, subject=_("超亿元项目%(n)s项，") % {"n": total.entries}
        )
    if request.htmx:
        return render(request, "plans/completion_panel.html", context)
    totals = (
        total if by == DEFAULT_BREAKDOWN else completion_totals(user=request.user, year=year, month=month)
    )
    context.update(
        form=form,
        totals=totals,
        headline=headline(totals, month),
        start_sentence=start_sentence(totals, month),
        reporting_note=reporting_note(reported, year, month),
    )
    return render(request, "plans/completion.html", context)


@require_GET
@login_required
def completion_table(request):
    year, month, _form, _reported = resolve_period(request, reporting=False)
    return tables.progress_table_response(user=request.user, year=year, month=month)
