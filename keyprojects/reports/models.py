from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_prefix():
    # Named by migration 0001; the prefix is now the office's setting (orgs.OfficeSettings).
    return "oc4ids-xxxxxx"


class PublicDataSetting(models.Model):
    """What the office publishes as open data (OC4IDS): which projects, and which groups of fields.

    One row (pk 1). Everything not switched on here stays inside the system: the export leaves the
    field out rather than publishing it empty.
    """

    class Scope(models.TextChoices):
        LISTED = "listed", _("最新年度重点项目清单中已发布的项目")
        LISTED_ANY = "listed_any", _("历年年度重点项目清单中已发布的项目")
        ALL = "all", _("项目库中的全部项目")

    scope = models.CharField(_("公开哪些项目"), max_length=12, choices=Scope.choices, default=Scope.LISTED)
    include_reserve = models.BooleanField(
        _("包括谋划储备阶段的项目"), default=False, help_text=_("谋划储备项目尚未决策，通常不公开。")
    )
    publisher_name = models.CharField(
        _("发布单位"), max_length=100, blank=True, help_text=_("留空则使用重点办的单位名称。")
    )
    license_url = models.URLField(_("数据许可协议网址"), blank=True)
    policy_url = models.URLField(_("数据发布政策网址"), blank=True)

    # Field groups: each switches on a set of OC4IDS fields (see reports.oc4ids.FIELD_GROUPS).
    publish_identifiers = models.BooleanField(_("项目代码"), default=True)
    publish_description = models.BooleanField(_("建设内容及规模"), default=True)
    publish_budget = models.BooleanField(_("总投资"), default=True)
    publish_funding = models.BooleanField(_("资金来源"), default=False)
    publish_plan = models.BooleanField(_("年度计划投资及分月计划"), default=True)
    publish_completion = models.BooleanField(_("月度完成投资"), default=True)
    publish_progress = models.BooleanField(_("月度形象进度"), default=True)
    publish_lifecycle = models.BooleanField(_("生命周期阶段日期"), default=True)
    publish_milestones = models.BooleanField(_("前期工作事项"), default=True)
    publish_locations = models.BooleanField(_("建设地点"), default=True)
    publish_coordinates = models.BooleanField(_("经纬度坐标"), default=True)
    publish_parties = models.BooleanField(_("项目业主"), default=True)
    publish_contact = models.BooleanField(_("联系人及电话"), default=False)
    publish_land = models.BooleanField(_("征地拆迁进展"), default=False)
    publish_related = models.BooleanField(_("上级项目"), default=True)

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("数据开放设置")
        verbose_name_plural = _("数据开放设置")

    def __str__(self):
        return str(_("数据开放设置"))

    def publishes(self, group: str) -> bool:
        return bool(getattr(self, f"publish_{group}"))
