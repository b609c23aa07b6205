from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.money import YUAN_PER_YI, MoneyField
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project


class Category(models.TextChoices):
    NEW_START = "new_start", _("新开工")
    CONTINUING = "continuing", _("续建")
    COMPLETING = "completing", _("竣工投产")
    PREPARATORY = "preparatory", _("预备")


class AnnualList(models.Model):
    """The year's key-project list (年度重点项目清单), released in batches."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    # The statistics deadline: the Nth working day after a month's end; after it the month locks.
    report_deadline_workdays = models.PositiveSmallIntegerField(
        _("统计截止（月末后第 N 个工作日）"), default=5
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度重点项目清单")
        verbose_name_plural = _("年度重点项目清单")

    def __str__(self):
        return self.title


class Batch(models.Model):
    """第一批, 第二批 …: entries are published together; 随报随审 additions go into later batches."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    annual_list = models.ForeignKey(AnnualList, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveSmallIntegerField(_("批次"))
    name = models.CharField(_("名称"), max_length=50)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["annual_list", "number"]
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        constraints = [models.UniqueConstraint(fields=["annual_list", "number"], name="batch_number_once")]

    def __str__(self):
        return f"{self.annual_list.year} {self.name}"


class AnnualEntry(models.Model):
    """One project on one year's list: its category and what it must invest and achieve that year."""

    annual_list = models.ForeignKey(AnnualList, on_delete=models.CASCADE, related_name="entries")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="entries", null=True, blank=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="annual_entries")
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices)
    # The plan in force; the published figure stays in baseline_investment when a change is approved.
    planned_investment = MoneyField(_("年度计划投资（万元）"), null=True, blank=True)
    baseline_investment = MoneyField(_("原计划投资（万元）"), null=True, blank=True, editable=False)
    completed_before_year = MoneyField(_("截至上年底累计完成投资（万元）"), null=True, blank=True)
    goal = models.TextField(_("年度形象进度目标"), blank=True)
    planned_start_month = models.PositiveSmallIntegerField(_("计划开工月份"), null=True, blank=True)
    planned_completion_month = models.PositiveSmallIntegerField(_("计划竣工月份"), null=True, blank=True)
    # Set when an import gave a 竣工投产 entry a month its list did not carry (待补充); cleared when
    # someone sets the month.
    completion_month_assumed = models.BooleanField(_("计划竣工月份待补充"), default=False)
    # The same for a 新开工 entry's start month, when the list has no 计划开工时间 column.
    start_month_assumed = models.BooleanField(_("计划开工月份待补充"), default=False)
    departments = models.ManyToManyField(
        Organisation,
        verbose_name=_("责任单位"),
        blank=True,
        related_name="annual_entries",
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系市领导"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annual_entries",
        limit_choices_to={"role": "leader"},
    )
    # Twelve whole-yuan amounts, January first; empty means the plan is split evenly over the year.
    monthly_plan = models.JSONField(_("分月计划"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["annual_list", "category", "-planned_investment", "id"]
        verbose_name = _("年度清单项目")
        verbose_name_plural = _("年度清单项目")
        constraints = [
            models.UniqueConstraint(fields=["annual_list", "project"], name="entry_once_per_year"),
            models.CheckConstraint(
                condition=models.Q(planned_start_month__gte=1, planned_start_month__lte=12)
                | models.Q(planned_start_month__isnull=True),
                name="entry_start_month_1_12",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_completion_month__gte=1, planned_completion_month__lte=12)
                | models.Q(planned_completion_month__isnull=True),
                name="entry_completion_month_1_12",
            ),
        ]
        indexes = [models.Index(fields=["annual_list", "category"])]

    def __str__(self):
        return f"{self.annual_list.year} {self.project}"

    @property
    def is_over_yi(self):
        return (self.planned_investment or 0) >= YUAN_PER_YI

    def planned_through(self, month: int) -> int:
        """The plan for January through MONTH, in whole yuan (the curve if set, else an even split)."""
        total = self.planned_investment or 0
        if self.monthly_plan:
            return sum(int(v) for v in self.monthly_plan[:month])
        return total * month // 12


class Proposal(models.Model):
    """A district's or owner's request to put a registry project on next year's list (项目申报)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已申报")
        RETURNED = "returned", _("已退回")
        RESERVE = "reserve", _("纳入储备")
        LISTED = "listed", _("列入清单")

    year = models.PositiveSmallIntegerField(_("申报年度"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="proposals")
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices)
    planned_investment = MoneyField(_("年度计划投资（万元）"), null=True, blank=True)
    goal = models.TextField(_("年度形象进度目标"), blank=True)
    planned_start_month = models.PositiveSmallIntegerField(_("计划开工月份"), null=True, blank=True)
    planned_completion_month = models.PositiveSmallIntegerField(_("计划竣工月份"), null=True, blank=True)
    reason = models.TextField(_("申报理由"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    entry = models.OneToOneField(
        AnnualEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("项目申报")
        verbose_name_plural = _("项目申报")

    def __str__(self):
        return f"{self.year} {self.project}"


class PlanChange(models.Model):
    """A mid-year request to change an entry's planned investment; the office decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    entry = models.ForeignKey(AnnualEntry, on_delete=models.CASCADE, related_name="plan_changes")
    old_amount = MoneyField(_("原计划（万元）"), null=True, blank=True)
    new_amount = MoneyField(_("调整后计划（万元）"))
    reason = models.TextField(_("调整理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("计划调整")
        verbose_name_plural = _("计划调整")

    def __str__(self):
        return f"{self.entry} {self.get_status_display()}"


class MonthlyReport(models.Model):
    """月度报送: what an owner reports for one project on the year's list for one month."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    # Statuses whose amount counts in year-to-date and since-start totals.
    COUNTED = (Status.SUBMITTED, Status.APPROVED)

    entry = models.ForeignKey(AnnualEntry, on_delete=models.PROTECT, related_name="reports")
    month = models.PositiveSmallIntegerField(_("月份"))
    # Whole yuan; may be negative to write back an earlier over-report, never below zero year to date.
    amount = models.BigIntegerField(_("当月完成投资（万元）"), default=0)
    progress = models.TextField(_("形象进度"), blank=True)
    problems = models.TextField(_("存在问题及工作建议"), blank=True)
    explanation = models.TextField(_("超总投资说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entry", "month"]
        verbose_name = _("月度报送")
        verbose_name_plural = _("月度报送")
        constraints = [
            models.UniqueConstraint(fields=["entry", "month"], name="report_once_per_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="report_month_1_12"),
        ]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self):
        return f"{self.entry} {self.month}月"


class ReportPhoto(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("现场照片"), upload_to="report-photos/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self):
        return self.caption or self.image.name


class ReportAdjustment(models.Model):
    """A correction to a locked month: explicit, with a reason, kept beside the report."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="adjustments")
    old_amount = models.BigIntegerField(_("原金额"))
    new_amount = models.BigIntegerField(_("调整后金额"))
    reason = models.TextField(_("调整原因"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("报送调整")
        verbose_name_plural = _("报送调整")

    def __str__(self):
        return f"{self.report} {self.reason[:20]}"


class MonthLock(models.Model):
    """A month closed for reporting: after it, changes are adjustments with a reason."""

    annual_list = models.ForeignKey(AnnualList, on_delete=models.CASCADE, related_name="locks")
    month = models.PositiveSmallIntegerField(_("月份"))
    locked_at = models.DateTimeField(auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("月份锁定")
        verbose_name_plural = _("月份锁定")
        constraints = [models.UniqueConstraint(fields=["annual_list", "month"], name="lock_once_per_month")]

    def __str__(self):
        return f"{self.annual_list.year}-{self.month:02d}"


class ImportJob(models.Model):
    """One upload of an annual list: previewed first, applied all-or-nothing only when confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        PARSING = "parsing", _("解析中")
        PREVIEW = "preview", _("待确认")
        REJECTED = "rejected", _("已拒绝")
        APPLYING = "applying", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    year = models.PositiveSmallIntegerField(_("年度"))
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # summary: counts, totals and the rows to create/update; errors: [{sheet, row, column, message}]
    summary = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("清单导入")
        verbose_name_plural = _("清单导入")

    def __str__(self):
        return f"{self.year} {self.original_name}"

    @property
    def percent(self):
        return 100 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)
