from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandConfig(AppConfig):
    name = "keyprojects.land"
    label = "land"
    verbose_name = _("征地拆迁")
