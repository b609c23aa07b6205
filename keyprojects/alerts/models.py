from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.money import MoneyField
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project


class Level(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class WarningRule(models.Model):
    """One configurable rule of the warning centre. PARAMS holds its thresholds (see alerts/rules.py
    for each rule's keys and defaults)."""

    class Code(models.TextChoices):
        TASK = "task", _("任务时限")
        PRELIM = "prelim", _("前期工作事项")
        START = "start", _("新开工项目开工")
        INVESTMENT = "investment", _("投资完成进度")
        REPORTING = "reporting", _("月度报送")
        STATISTICS = "statistics", _("入统")
        FUNDS = "funds", _("资金到位率")
        COMBINED = "combined", _("开工滞后且投资滞后")
        OPERATING = "operating", _("投产达效")

    code = models.CharField(_("规则"), max_length=20, choices=Code.choices, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    params = models.JSONField(_("阈值参数"), default=dict, blank=True)
    remind = models.BooleanField(_("发送提醒"), default=True)
    remind_workdays_before = models.PositiveSmallIntegerField(_("提前提醒工作日数"), default=3)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")

    def __str__(self):
        return self.get_code_display()


class ProjectWarning(models.Model):
    """The current light of one rule on one subject (a task, a preliminary item, an entry …).
    Recomputation updates it in place; a green one stays as history."""

    rule = models.ForeignKey(WarningRule, on_delete=models.CASCADE, related_name="warnings")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="warnings")
    # What the warning is about, e.g. "task:12", "prelim:7", "entry:3", "project:5".
    subject = models.CharField(max_length=40)
    level = models.CharField(_("等级"), max_length=10, choices=Level.choices, db_index=True)
    message = models.CharField(_("预警内容"), max_length=300)
    # The figures that triggered it, as shown: {"剩余工作日": 2, "时限": "2026-11-30", …}.
    figures = models.JSONField(_("触发数据"), default=dict)
    # The rule's parameters it was computed with ({"red_points": 30, …}, see rules.PARAMS): the light
    # stays explainable after the office edits a threshold. Empty on lights older than this field.
    thresholds = models.JSONField(_("触发阈值"), default=dict, blank=True)
    url = models.CharField(max_length=200, blank=True)
    level_since = models.DateTimeField(_("本等级起始"))
    first_raised_at = models.DateTimeField(_("首次预警"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-level", "-level_since", "id"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject"], name="one_warning_per_rule_and_subject")
        ]
        indexes = [
            models.Index(fields=["level", "rule"]),
            models.Index(fields=["project", "level"]),
            models.Index(fields=["level", "-level_since", "-id"], name="warning_level_since"),
        ]

    def __str__(self):
        return self.message


class WarningChange(models.Model):
    """History: when a warning turned yellow, red, or green again."""

    warning = models.ForeignKey(ProjectWarning, on_delete=models.CASCADE, related_name="changes")
    from_level = models.CharField(_("原等级"), max_length=10, choices=Level.choices, blank=True)
    to_level = models.CharField(_("新等级"), max_length=10, choices=Level.choices)
    figures = models.JSONField(_("触发数据"), default=dict)
    # The thresholds in force at the change (for a light turning green: those it no longer reaches).
    thresholds = models.JSONField(_("触发阈值"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("预警变化")
        verbose_name_plural = _("预警变化")
        # The red-light digests read the changes since each unit's last digest.
        indexes = [models.Index(fields=["at"], name="warning_change_at")]

    def __str__(self):
        return f"{self.from_level or '—'} → {self.to_level}"


class WarningDigest(models.Model):
    """One unit's red-light digest of one day: the reminder sent to its people listing the lights that
    turned red or left red since its previous digest (services.warning_digests_send). At most one a
    day per unit; COVERED_UNTIL is where the next digest starts."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="warning_digests"
    )
    day = models.DateField(_("日期"))
    covered_until = models.DateTimeField(_("统计截至"))
    red = models.PositiveIntegerField(_("新亮红灯"), default=0)
    cleared = models.PositiveIntegerField(_("红灯解除"), default=0)

    class Meta:
        ordering = ["-day", "organisation"]
        verbose_name = _("红灯预警日报")
        verbose_name_plural = _("红灯预警日报")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="one_digest_per_unit_and_day")
        ]

    def __str__(self):
        return f"{self.organisation} {self.day}"


class WarningDirty(models.Model):
    """A project whose lights are out of date: marked by the hot write paths (monthly reports) in their
    own transaction, recomputed and cleared by the scheduled refresh_dirty_warnings within a minute,
    once however many reports came in. SINCE is the latest mark: a mark made again while the job
    ran is newer than the one it read, so the job leaves it for its next run."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField()

    class Meta:
        verbose_name = _("待刷新预警的项目")
        verbose_name_plural = _("待刷新预警的项目")

    def __str__(self):
        return f"{self.project_id} @ {self.since:%Y-%m-%d %H:%M:%S}"


# 投产达效 (operating projects): what a completed project promised and what it produced month by month;
# the warning rule "operating" (alerts/rules.py) compares the two.


class OperatingTarget(models.Model):
    """投产达效: what a completed project promised to produce, and by when (months after completion)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="operating_target")
    output_value = MoneyField(_("年产值目标（万元）"), null=True, blank=True)
    tax = MoneyField(_("年税收目标（万元）"), null=True, blank=True)
    jobs = models.PositiveIntegerField(_("带动就业目标（人）"), null=True, blank=True)
    months_to_produce = models.PositiveSmallIntegerField(_("竣工后投产期限（月）"), default=6)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        db_table = "projects_operatingtarget"  # the table it had when the model lived in projects
        verbose_name = _("投产达效目标")
        verbose_name_plural = _("投产达效目标")

    def __str__(self):
        return str(self.project)


class OperatingActual(models.Model):
    """One month's output, tax and jobs of an operating project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="operating_actuals")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    output_value = MoneyField(_("当月产值（万元）"), default=0)
    tax = MoneyField(_("当月税收（万元）"), default=0)
    jobs = models.PositiveIntegerField(_("用工人数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "projects_operatingactual"  # the table it had when the model lived in projects
        ordering = ["project", "year", "month"]
        verbose_name = _("投产达效月度数据")
        verbose_name_plural = _("投产达效月度数据")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="operating_actual_once_a_month")
        ]

    def __str__(self):
        return f"{self.project} {self.year}-{self.month:02d}"
