from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keyprojects.alerts.models import ProjectWarning
from keyprojects.coordination.models import Problem
from keyprojects.lib.officedoc import document_number
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project

# Working days a unit may be given for a letter or a rectification item.
WORKDAYS_MAX = 60


def _workdays_field(label):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(WORKDAYS_MAX)]
    )


# --------------------------------------------------------------------------------------------------
# Supervision letters (督办函)
# --------------------------------------------------------------------------------------------------


class LetterCounter(models.Model):
    """The last sequence number given to a letter in YEAR. Its row is locked while a letter is numbered,
    so numbers follow each other without a gap or a repeat however many are issued at once."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("督办函编号")
        verbose_name_plural = _("督办函编号")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Letter(models.Model):
    """督办函: the office tells a responsible unit what must be done by when, about a project and/or the
    warning or problem that called for it. The unit replies with evidence; the office signs it off or
    returns it. An overdue letter climbs LEVEL (1 the unit, 2 the office, 3 the project's city leader)."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("待回复")
        REPLIED = "replied", _("已回复待审核")
        SIGNED_OFF = "signed_off", _("已办结")
        RETURNED = "returned", _("已退回重办")

    # Waiting for the unit: these are the letters that become overdue and escalate.
    AWAITING_UNIT = (Status.ISSUED, Status.RETURNED)
    TOP_LEVEL = 3

    # The prefix it was numbered with: a later change of the office's prefix does not renumber it.
    prefix = models.CharField(_("文号前缀"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    unit = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="supervision_letters"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_letters",
    )
    # The lights it was issued for (several when issued in bulk for one unit and project).
    warnings = models.ManyToManyField(
        ProjectWarning, verbose_name=_("预警"), blank=True, related_name="supervision_letters"
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("问题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_letters",
    )
    subject = models.CharField(_("督办事项"), max_length=200)
    facts = models.TextField(_("情况"), blank=True)
    requirement = models.TextField(_("办理要求"))
    deadline_workdays = _workdays_field(_("办理时限（工作日）"))
    issued_on = models.DateField(_("下发日期"), db_index=True)
    deadline = models.DateField(_("办理期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    level = models.PositiveSmallIntegerField(_("督办层级"), default=1)
    # The day the current level's time ends (the deadline at level 1); None at the top level.
    level_deadline = models.DateField(_("本层级期限"), null=True, blank=True)
    # The date of the latest reply: what decides whether the unit answered in time.
    replied_on = models.DateField(_("回复日期"), null=True, blank=True)
    signed_off_on = models.DateField(_("办结日期"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("督办函")
        verbose_name_plural = _("督办函")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="letter_number_once_a_year"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "level_deadline"]),
            models.Index(fields=["unit", "deadline"]),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("letter_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return document_number(self.prefix, self.year, self.sequence)

    @property
    def awaits_unit(self) -> bool:
        return self.status in self.AWAITING_UNIT


class LetterAction(models.Model):
    """One step in a letter's log."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("下发")
        REPLY = "reply", _("回复")
        SIGN_OFF = "sign_off", _("审核办结")
        RETURN = "return", _("退回重办")
        ESCALATE = "escalate", _("逾期升级督办")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("操作"), max_length=12, choices=Kind.choices)
    # None for what the system did by itself (escalation).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    by_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    level = models.PositiveSmallIntegerField(_("督办层级"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.letter_id}"


class LetterEvidence(models.Model):
    """A file a unit replied with."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="evidence")
    action = models.ForeignKey(LetterAction, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("佐证材料"), upload_to="supervision/letters/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("督办函佐证材料")
        verbose_name_plural = _("督办函佐证材料")

    def __str__(self):
        return self.original_name


# --------------------------------------------------------------------------------------------------
# Inspections (督查) and rectification (整改)
# --------------------------------------------------------------------------------------------------


class Inspection(models.Model):
    """督查: a day the office's inspectors visited projects, and what they found."""

    title = models.CharField(_("督查名称"), max_length=200)
    date = models.DateField(_("督查日期"), db_index=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人员"), related_name="inspections"
    )
    projects = models.ManyToManyField(Project, verbose_name=_("督查项目"), related_name="inspections")
    summary = models.TextField(_("督查情况"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("督查")
        verbose_name_plural = _("督查")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("inspection_detail", args=[self.pk])


class Finding(models.Model):
    """One thing an inspection found on a project (with photos); it becomes rectification items."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("发现问题"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("督查发现问题")
        verbose_name_plural = _("督查发现问题")

    def __str__(self):
        return self.description[:50]


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="supervision/findings/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self):
        return self.original_name


class Rectification(models.Model):
    """整改: what one unit must put right about a finding, by a deadline in working days; the unit
    submits evidence, the office signs it off or returns it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("已提交待审核")
        SIGNED_OFF = "signed_off", _("已整改销号")
        RETURNED = "returned", _("已退回重改")

    AWAITING_UNIT = (Status.OPEN, Status.RETURNED)

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    unit = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="rectifications"
    )
    requirement = models.TextField(_("整改要求"))
    deadline_workdays = _workdays_field(_("整改时限（工作日）"))
    assigned_on = models.DateField(_("交办日期"), db_index=True)
    deadline = models.DateField(_("整改期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    signed_off_on = models.DateField(_("销号日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["unit", "deadline"])]

    def __str__(self):
        return self.requirement[:50]

    def get_absolute_url(self):
        return reverse("rectification_detail", args=[self.pk])

    @property
    def awaits_unit(self) -> bool:
        return self.status in self.AWAITING_UNIT


class RectificationAction(models.Model):
    class Kind(models.TextChoices):
        ASSIGN = "assign", _("交办")
        SUBMIT = "submit", _("提交整改情况")
        SIGN_OFF = "sign_off", _("审核销号")
        RETURN = "return", _("退回重改")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("操作"), max_length=12, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    by_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.rectification_id}"


class RectificationEvidence(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="evidence")
    action = models.ForeignKey(RectificationAction, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("佐证材料"), upload_to="supervision/rectifications/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")

    def __str__(self):
        return self.original_name


# --------------------------------------------------------------------------------------------------
# Observation and appraisal tours (观摩评比)
# --------------------------------------------------------------------------------------------------


class Tour(models.Model):
    """观摩评比: a jury visits projects and each juror scores each project on the tour's form. Closed,
    its results are final and count in assessment."""

    class Status(models.TextChoices):
        SCORING = "scoring", _("评分中")
        CLOSED = "closed", _("已结束")

    title = models.CharField(_("活动名称"), max_length=200)
    date = models.DateField(_("观摩日期"), db_index=True)
    projects = models.ManyToManyField(Project, verbose_name=_("观摩项目"), related_name="tours")
    jurors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("评委"), related_name="juried_tours"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SCORING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("观摩评比")
        verbose_name_plural = _("观摩评比")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tour_detail", args=[self.pk])


class TourCriterion(models.Model):
    """One line of a tour's scoring form and the most it gives."""

    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=50)
    max_points = models.PositiveSmallIntegerField(_("分值"), validators=[MinValueValidator(1)])
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["tour", "order", "id"]
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        constraints = [models.UniqueConstraint(fields=["tour", "name"], name="tour_criterion_once")]

    def __str__(self):
        return f"{self.name}（{self.max_points}）"


class TourScore(models.Model):
    """The points one juror gave one project on one criterion."""

    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评委"), on_delete=models.PROTECT)
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(TourCriterion, on_delete=models.CASCADE, related_name="scores")
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["juror", "project", "criterion"], name="tour_score_once"),
        ]
        indexes = [models.Index(fields=["tour", "project"])]

    def __str__(self):
        return f"{self.juror} · {self.project_id} · {self.criterion_id}: {self.points}"
