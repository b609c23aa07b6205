from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation
from keyprojects.plans.models import Category
from keyprojects.projects.models import PrelimItem, Project


class TaskTemplate(models.Model):
    """A standard task list for one project category, edited by the office."""

    category = models.CharField(_("适用项目类别"), max_length=20, choices=Category.choices)
    name = models.CharField(_("模板名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("任务模板")
        verbose_name_plural = _("任务模板")

    def __str__(self):
        return self.name


class TaskTemplateItem(models.Model):
    """One task of a template. Its deadline is OFFSET_WORKDAYS working days before (negative) or after
    the first day of the project's planned start month."""

    class Responsible(models.TextChoices):
        OWNER = "owner", _("项目业主")
        DISTRICT = "district", _("所在城区")
        DEPARTMENT = "department", _("责任部门")
        OFFICE = "office", _("市重点办")

    template = models.ForeignKey(TaskTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("任务名称"), max_length=200)
    requirement = models.TextField(_("工作要求"), blank=True)
    responsible = models.CharField(
        _("责任单位"), max_length=20, choices=Responsible.choices, default=Responsible.OWNER
    )
    prelim_kind = models.CharField(
        _("对应前期事项"), max_length=30, choices=PrelimItem.Kind.choices, blank=True
    )
    offset_workdays = models.SmallIntegerField(
        _("相对计划开工月首日的工作日数"),
        help_text=_("负数表示开工前，如 -40 即计划开工月首日前 40 个工作日"),
    )

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("模板任务")
        verbose_name_plural = _("模板任务")

    def __str__(self):
        return self.title


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("未开始")
        DOING = "doing", _("推进中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Source(models.TextChoices):
        MANUAL = "manual", _("手工添加")
        TEMPLATE = "template", _("模板生成")
        MEETING = "meeting", _("调度会议定")
        INSPECTION = "inspection", _("督查整改")

    OPEN = (Status.TODO, Status.DOING)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务名称"), max_length=200)
    requirement = models.TextField(_("工作要求"), blank=True)
    responsible_unit = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="tasks"
    )
    responsible_person = models.CharField(_("责任人"), max_length=30, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        help_text=_("接收提醒的账号"),
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    # Set when the deadline was given as "N working days from the start"; the date is then derived.
    deadline_workdays = models.PositiveSmallIntegerField(_("工作日时限"), null=True, blank=True)
    deadline = models.DateField(_("完成时限"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.TODO)
    completed_date = models.DateField(_("完成日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    template_item = models.ForeignKey(
        TaskTemplateItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prelim_kind = models.CharField(
        _("对应前期事项"), max_length=30, choices=PrelimItem.Kind.choices, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["responsible_unit", "status"]),
            models.Index(fields=["project", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True) | models.Q(deadline__gte=models.F("start_date")),
                name="task_deadline_not_before_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("task_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN


class TaskEvidence(models.Model):
    """A file or a note that shows a task was done."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("佐证材料"), upload_to="task-evidence/%Y/%m/", blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.original_name or self.note[:50]

    @property
    def is_file(self):
        return bool(self.file)


class TaskStatusChange(models.Model):
    """Every status move of a task, so that a reopened task keeps when and why it was done before."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=10, choices=Task.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Task.Status.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # The completion date given when the task moved to done: kept here, because reopening clears it
    # on the task.
    completed_date = models.DateField(_("完成日期"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("任务状态变更")
        verbose_name_plural = _("任务状态变更")

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
