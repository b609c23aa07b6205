from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "keyprojects.coordination"
    label = "coordination"
    verbose_name = _("问题协调")
