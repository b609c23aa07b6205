from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project


def _quantity(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=0)


class LandTask(models.Model):
    """征地拆迁: what one project must acquire, relocate, demolish and hand over."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="land_task")
    responsible_unit = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="land_tasks"
    )
    land_to_acquire = _quantity(_("需征收土地（亩）"))
    households_to_relocate = models.PositiveIntegerField(_("需搬迁户数（户）"), default=0)
    area_to_demolish = _quantity(_("需拆除房屋面积（㎡）"))
    land_to_hand_over = _quantity(_("需交付用地（亩）"))
    # The window that time progress (序时进度) is measured against; see land/selectors.py.
    start_date = models.DateField(_("计划开始日期"), null=True, blank=True)
    target_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("征地拆迁任务")
        verbose_name_plural = _("征地拆迁任务")

    def __str__(self):
        return str(self.project)


class LandProgress(models.Model):
    """Cumulative progress at the end of one month."""

    land_task = models.ForeignKey(LandTask, on_delete=models.CASCADE, related_name="progress")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    land_acquired = _quantity(_("累计已征收（亩）"))
    households_signed = models.PositiveIntegerField(_("累计已签约（户）"), default=0)
    area_demolished = _quantity(_("累计已拆除（㎡）"))
    land_handed_over = _quantity(_("累计已交付（亩）"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["land_task", "year", "month"]
        verbose_name = _("征地拆迁月度进展")
        verbose_name_plural = _("征地拆迁月度进展")
        constraints = [
            models.UniqueConstraint(fields=["land_task", "year", "month"], name="land_progress_once_a_month")
        ]

    def __str__(self):
        return f"{self.land_task} {self.year}年{self.month}月"
