from django import template

from keyprojects.lib.money import format_wan, format_yi

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
