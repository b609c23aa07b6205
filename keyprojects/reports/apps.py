from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "keyprojects.reports"
    label = "reports"
    verbose_name = _("数据开放与搜索")
