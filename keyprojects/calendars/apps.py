from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "keyprojects.calendars"
    label = "calendars"
    verbose_name = _("节假日安排")
