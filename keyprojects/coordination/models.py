from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project


class EscalationLevel(models.Model):
    """One rung of the escalation ladder (提级管理), configurable by the office. A problem at this level
    escalates by itself when DEADLINE_WORKDAYS working days pass unresolved; the top level has none."""

    level = models.PositiveSmallIntegerField(_("层级"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    deadline_workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("提级层级")
        verbose_name_plural = _("提级层级")

    def __str__(self):
        return f"{self.level}. {self.name}"


class EscalationSetting(models.Model):
    """The office's own rules beside the ladder (one row, pk 1; the defaults below while none is stored).

    A problem raised but not yet assigned (待交办) has no level clock: the office's assignment limit is
    a warning for the office itself, never an escalation."""

    assign_workdays = models.PositiveSmallIntegerField(_("交办时限（工作日）"), default=3)

    class Meta:
        verbose_name = _("提级设置")
        verbose_name_plural = _("提级设置")

    def __str__(self):
        return str(self._meta.verbose_name)


class Problem(models.Model):
    class Category(models.TextChoices):
        APPROVAL = "approval", _("审批")
        LAND = "land", _("征地拆迁")
        CONSTRUCTION = "construction", _("工程建设")
        FUNDING = "funding", _("资金筹措")
        FACTORS = "factors", _("要素保障")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待交办")
        HANDLING = "handling", _("办理中")
        RESOLVED = "resolved", _("已办结待确认")
        CLOSED = "closed", _("已销号")

    class Source(models.TextChoices):
        OWNER = "owner", _("项目业主反映")
        DISTRICT = "district", _("城区上报")
        DEPARTMENT = "department", _("部门上报")
        OFFICE = "office", _("重点办发现")
        REPORT = "report", _("月度报送")
        VISIT = "visit", _("一线服务")
        LAND = "land", _("征地拆迁台账")
        INSPECTION = "inspection", _("督查")

    UNRESOLVED = (Status.OPEN, Status.HANDLING)

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="problems"
    )
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("问题概述"), max_length=200)
    description = models.TextField(_("问题描述"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    source_report = models.ForeignKey(
        "plans.MonthlyReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems_raised",
    )
    source_visit = models.ForeignKey(
        "coordination.ServiceVisit", on_delete=models.SET_NULL, null=True, blank=True, related_name="problems"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    raised_by_org = models.ForeignKey(
        Organisation, verbose_name=_("提出单位"), on_delete=models.PROTECT, related_name="problems_raised"
    )
    lead_unit = models.ForeignKey(
        Organisation, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="problems_led"
    )
    co_units = models.ManyToManyField(
        Organisation, verbose_name=_("协办单位"), blank=True, related_name="problems_co_handled"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    level = models.PositiveSmallIntegerField(_("当前层级"), default=1)
    # The level clock runs from assignment (交办): both None while the problem is 待交办. The deadline is
    # also None at the top level, which has no time limit.
    level_since = models.DateField(_("本层级起始日"), null=True, blank=True)
    level_deadline = models.DateField(_("本层级办理时限"), null=True, blank=True)
    # The office's own limit for assigning a problem it received (待交办): a warning, not an escalation.
    assign_deadline = models.DateField(_("交办时限"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        indexes = [
            models.Index(fields=["status", "level_deadline"]),
            models.Index(fields=["status", "assign_deadline"]),
            models.Index(fields=["status", "level"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["project", "status"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problem_detail", args=[self.pk])

    @property
    def is_unresolved(self):
        return self.status in self.UNRESOLVED


class ProblemAction(models.Model):
    """One step in a problem's action log: who did what, when, with which note and files."""

    class Kind(models.TextChoices):
        RAISE = "raise", _("提出")
        ASSIGN = "assign", _("交办")
        CO_UNIT = "co_unit", _("增加协办单位")
        ACCEPT = "accept", _("签收")
        PROGRESS = "progress", _("办理进展")
        RESOLVE = "resolve", _("办结")
        REJECT = "reject", _("退回重办")
        CLOSE = "close", _("确认销号")
        REOPEN = "reopen", _("重新打开")
        ESCALATE = "escalate", _("提级")
        AUTO_ESCALATE = "auto_escalate", _("超时自动提级")
        DEESCALATE = "deescalate", _("降级")
        INSTRUCTION = "instruction", _("领导批示")
        REPLY = "reply", _("批示回复")
        MEETING = "meeting", _("调度会议定")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("操作"), max_length=20, choices=Kind.choices)
    # None for what the system did by itself (automatic escalation).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    by_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    from_level = models.PositiveSmallIntegerField(null=True, blank=True)
    to_level = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.problem_id}"


class ProblemAttachment(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    action = models.ForeignKey(
        ProblemAction, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("附件"), upload_to="problem-files/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("问题附件")
        verbose_name_plural = _("问题附件")

    def __str__(self):
        return self.original_name


class Instruction(models.Model):
    """批示: a leader's written instruction on a problem, and the handling unit's reply."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="instructions")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批示领导"),
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    text = models.TextField(_("批示内容"))
    reply_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("回复单位"),
        on_delete=models.PROTECT,
        related_name="instructions_to_reply",
    )
    reply_deadline = models.DateField(_("回复时限"))
    reply = models.TextField(_("回复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("批示时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")

    def __str__(self):
        return self.text[:50]


class DispatchMeeting(models.Model):
    """调度会: its agenda gathers problems at level 3 and above plus chosen others."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")

    title = models.CharField(_("会议名称"), max_length=200)
    date = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持领导"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_meetings",
    )
    attendees = models.TextField(_("参会单位及人员"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("会议纪要正文"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("调度会")
        verbose_name_plural = _("调度会")

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    """One problem on a meeting's agenda and what the meeting decided about it."""

    class Decision(models.TextChoices):
        NONE = "", _("未议定")
        TASK = "task", _("交办任务")
        INSTRUCTION = "instruction", _("领导批示")
        NOTE = "note", _("仅记录")

    meeting = models.ForeignKey(DispatchMeeting, on_delete=models.CASCADE, related_name="agenda")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    decision = models.TextField(_("议定事项"), blank=True)
    decision_kind = models.CharField(_("落实方式"), max_length=12, choices=Decision.choices, blank=True)
    task = models.ForeignKey("tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    instruction = models.ForeignKey(
        Instruction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "problem"], name="problem_once_per_meeting")
        ]

    def __str__(self):
        return f"{self.meeting} · {self.problem}"


class LeaderLink(models.Model):
    """包联/挂点: a city leader linked to a project or to a key enterprise."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系领导"),
        on_delete=models.CASCADE,
        related_name="leader_links",
        limit_choices_to={"role": "leader"},
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="leader_links"
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("重点企业"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leader_links",
        limit_choices_to={"kind": "owner"},
    )
    since = models.DateField(_("联系起始日"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("领导联系")
        verbose_name_plural = _("领导联系")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False, enterprise__isnull=True)
                | models.Q(project__isnull=True, enterprise__isnull=False),
                name="leader_link_project_or_enterprise",
            ),
            models.UniqueConstraint(fields=["leader", "project"], name="leader_link_project_once"),
            models.UniqueConstraint(fields=["leader", "enterprise"], name="leader_link_enterprise_once"),
        ]

    def __str__(self):
        return f"{self.leader} · {self.project or self.enterprise}"


class ServiceVisit(models.Model):
    """一线服务: a visit to a project or enterprise; problems raised on the spot become Problems."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("带队领导"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_visits",
    )
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    participants = models.TextField(_("参加人员"), blank=True)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="service_visits"
    )
    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="service_visits"
    )
    summary = models.TextField(_("服务情况"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("一线服务")
        verbose_name_plural = _("一线服务")

    def __str__(self):
        return f"{self.date} {self.place}"
