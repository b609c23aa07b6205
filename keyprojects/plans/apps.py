from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "keyprojects.plans"
    label = "plans"
    verbose_name = _("年度计划与月度报送")
