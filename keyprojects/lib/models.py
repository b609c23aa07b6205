from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status the office sets by hand: a holiday or a make-up workday (调休).

    It corrects that one day in any year, over the package, an entered schedule and the provisional
    rule alike; it never makes a year official (only a confirmed CalendarYear or the package does).
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


class CalendarYear(models.Model):
    """A year's official holiday schedule as the State Council's notice gives it, entered by the office.

    Only a confirmed year counts: until then (and for a year nobody has entered) the calendar is
    provisional, weekends plus the statutory holidays by rule. Confirmation checks the schedule is
    complete (keyprojects.calendars.services.calendar_year_confirm)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        CONFIRMED = "confirmed", _("已确认")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_text = models.TextField(_("通知原文"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")

    def __str__(self):
        return _("%(year)s年节假日安排") % {"year": self.year}

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED


class CalendarYearDay(models.Model):
    """One day of a year's schedule: a holiday (放假) or a make-up working day (调休上班)."""

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("调休上班"))
    name = models.CharField(_("节日"), max_length=30, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排日期")
        verbose_name_plural = _("节假日安排日期")
        constraints = [
            models.UniqueConstraint(fields=["calendar_year", "date"], name="calendar_year_day_once"),
        ]

    def __str__(self):
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date} {kind} {self.name}"
