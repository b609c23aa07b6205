from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status the office sets by hand: a holiday or a make-up workday (调休).

    Entries for a year the calendar package does not know yet make that year known; entries
    for a year it knows override the package for that day.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选表示调休上班；不勾选表示放假。"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("例如：春节、国庆节调休"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self):
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date} {kind} {self.note}"
