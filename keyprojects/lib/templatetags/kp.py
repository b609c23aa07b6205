from html import escape

from django import template
from django.utils.safestring import mark_safe

from keyprojects.lib.money import format_wan, format_yi
from keyprojects.lib.workdays import official_years

register = template.Library()


@register.filter
def wan(yuan):
    """Whole yuan shown as 万元: {{ project.total_investment|wan }}."""
    return format_wan(yuan)


@register.filter
def yi(yuan):
    return format_yi(yuan)


@register.simple_tag
def page_url(query, number):
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.simple_tag
def datalist(list_id, values):
    """{% datalist "owner-options" owner_names %}: a <datalist> of VALUES (strings), nothing without
    any. Written in one join: a template loop over a few hundred owner names cost 3 ms a page."""
    if not values:
        return ""
    options = "".join(f'<option value="{escape(str(v))}">' for v in values)
    return mark_safe(f'<datalist id="{escape(list_id)}">{options}</datalist>')


@register.simple_tag(takes_context=True)
def provisional_mark(context, day):
    """A 暂定 badge after a deadline DAY that falls in a year whose holiday schedule is provisional:
    {% provisional_mark task.deadline %}. The official years come once per page (context processor)."""
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    if not day:
        return ""
    years = context.get("calendar_official_years")
    if callable(years):
        years = years()
    if years is None:
        # Rendered without the request's context (an e-mail, a fragment): once per render.
        years = context.render_context.get("calendar_official_years")
        if years is None:
            years = context.render_context["calendar_official_years"] = official_years()
    if day.year in years:
        return ""
    return format_html(
        '<span class="badge text-bg-warning kp-provisional" title="{}">{}</span>',
        _("%(year)s 年节假日安排尚未确认，此期限按暂定日历计算，确认后可能调整。") % {"year": day.year},
        _("暂定"),
    )
