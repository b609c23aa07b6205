"""`{{ w.message|warning_text }}` and `{% for name, value in w.figures|warning_figures %}`: a warning's
words in the reader's language (alerts.wording)."""

from django import template

from keyprojects.alerts import wording

register = template.Library()
register.filter("warning_text", wording.warning_text)
register.filter("warning_figures", wording.warning_figures)
