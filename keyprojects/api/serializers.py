"""What the API reads and writes. Read serializers describe records; write serializers validate a
request strictly (unknown fields, wrong types, out-of-scope ids → 400) before a service is called."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.api.fields import (
    ChoiceLabelField,
    ScopedPrimaryKeyField,
    SignedWanField,
    StrictBooleanField,
    StrictIntegerField,
    StrictSerializer,
    TextField,
    WanField,
)
from keyprojects.coordination.models import Instruction, Problem, ProblemAction
from keyprojects.orgs.access import organisations_for_choice
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.access import entries_visible_to
from keyprojects.plans.models import AnnualEntry, Batch, Category, MonthlyReport
from keyprojects.projects.access import projects_visible_to
from keyprojects.projects.models import Project, Sector, Stage
from keyprojects.tasks.models import Task, TaskEvidence

Kind = Organisation.Kind
HANDLER_KINDS = (Kind.DISTRICT, Kind.DEPARTMENT)


def _orgs(kind):
    return lambda user: organisations_for_choice(user, kind)


def _active_orgs(*kinds):
    def scope(user):
        orgs = Organisation.objects.filter(is_active=True)
        return orgs.filter(kind__in=kinds) if kinds else orgs

    return scope


def _leaders(user):
    return User.objects.filter(role=User.Role.LEADER, is_active=True)


def _active_users(user):
    return User.objects.filter(is_active=True, organisation__isnull=False)


def _parents(user):
    return projects_visible_to(user).filter(parent__isnull=True, code__isnull=False)


def _org_field(scope, label, **kwargs):
    return ScopedPrimaryKeyField(scope=scope, label_text=label, queryset=Organisation.objects.all(), **kwargs)


def _version(required=True):
    return StrictIntegerField(
        required=required,
        min_value=1,
        max_value=2**31,
        help_text=_("读取时得到的版本号（乐观锁）；记录已被他人修改时返回 409。"),
    )


def _text(max_length, required=False, **kwargs):
    return TextField(max_length=max_length, required=required, allow_blank=not required, **kwargs)


def _month(**kwargs):
    return StrictIntegerField(min_value=1, max_value=12, **kwargs)


# --------------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "short_name", "code"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name"]


# --------------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True)
    stage_label = ChoiceLabelField(Stage.choices, source="stage")
    total_investment = WanField(read_only=True, help_text=_("总投资（万元）"))
    departments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "owner",
            "owner_name",
            "district",
            "district_name",
            "sector",
            "sector_name",
            "departments",
            "leader",
            "parent",
            "location",
            "latitude",
            "longitude",
            "content",
            "total_investment",
            "start_year",
            "end_year",
            "stage",
            "stage_label",
            "start_date",
            "completion_date",
            "statistics_registered",
            "statistics_date",
            "contact",
            "phone",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectWriteSerializer(StrictSerializer):
    name = _text(200, required=True)
    code = TextField(
        max_length=30, required=False, allow_blank=True, allow_null=True, help_text=_("全国投资项目代码")
    )
    owner = _org_field(_orgs(Kind.OWNER), _("项目业主"))
    district = _org_field(_orgs(Kind.DISTRICT), _("所在城区"))
    sector = ScopedPrimaryKeyField(
        scope=lambda user: Sector.objects.all(), label_text=_("行业领域"), queryset=Sector.objects.all()
    )
    departments = _org_field(_active_orgs(Kind.DEPARTMENT), _("责任单位"), many=True, required=False)
    leader = ScopedPrimaryKeyField(
        scope=_leaders,
        label_text=_("联系市领导"),
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
    )
    parent = ScopedPrimaryKeyField(
        scope=_parents,
        label_text=_("上级项目"),
        queryset=Project.objects.all(),
        required=False,
        allow_null=True,
    )
    total_investment = WanField(help_text=_("总投资（万元）"))
    start_year = StrictIntegerField(min_value=1990, max_value=2100)
    end_year = StrictIntegerField(min_value=1990, max_value=2100)
    location = _text(200)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    content = _text(5000)
    contact = _text(30)
    phone = _text(30)

    def validate_code(self, value):
        return (value or "").strip() or None

    def validate(self, attrs):
        start = attrs.get("start_year", getattr(self.instance, "start_year", None))
        end = attrs.get("end_year", getattr(self.instance, "end_year", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {
                    "end_year": _("建设截止年（%(end)s）不能早于起始年（%(start)s）。")
                    % {"end": end, "start": start}
                }
            )
        parent = attrs.get("parent")
        if parent is not None and self.instance is not None and parent.pk == self.instance.pk:
            raise serializers.ValidationError({"parent": _("项目不能是自己的上级项目。")})
        return attrs


class ProjectUpdateSerializer(ProjectWriteSerializer):
    version = _version()

    def validate(self, attrs):
        if "version" not in attrs:
            raise serializers.ValidationError({"version": _("请提交读取项目时得到的 version。")})
        return super().validate(attrs)


class StageChangeSerializer(StrictSerializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    on = serializers.DateField(help_text=_("变更日期"))
    note = _text(500)
    start_date = serializers.DateField(required=False, allow_null=True)
    completion_date = serializers.DateField(required=False, allow_null=True)


# --------------------------------------------------------------------------------------------------
# Annual entries
# --------------------------------------------------------------------------------------------------


class EntrySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="annual_list.year", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    batch_name = serializers.CharField(source="batch.name", read_only=True, default=None)
    published = serializers.SerializerMethodField()
    category_label = ChoiceLabelField(Category.choices, source="category")
    planned_investment = WanField(read_only=True, help_text=_("年度计划投资（万元）"))
    baseline_investment = WanField(read_only=True, help_text=_("原计划投资（万元）"))
    completed_before_year = WanField(read_only=True, help_text=_("截至上年底累计完成投资（万元）"))
    monthly_plan = serializers.ListField(
        child=WanField(), read_only=True, allow_null=True, help_text=_("1 至 12 月计划（万元）；空为平均分配")
    )
    departments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = AnnualEntry
        fields = [
            "id",
            "year",
            "batch",
            "batch_name",
            "published",
            "project",
            "project_name",
            "category",
            "category_label",
            "planned_investment",
            "baseline_investment",
            "completed_before_year",
            "goal",
            "planned_start_month",
            "planned_completion_month",
            "departments",
            "leader",
            "monthly_plan",
            "note",
            "version",
        ]
        read_only_fields = fields

    def get_published(self, entry) -> bool:
        return entry.batch_id is not None and entry.batch.status == Batch.Status.PUBLISHED


class EntryFieldsSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    planned_investment = WanField(required=False, allow_null=True)
    completed_before_year = WanField(required=False, allow_null=True)
    goal = _text(5000)
    planned_start_month = _month(required=False, allow_null=True)
    planned_completion_month = _month(required=False, allow_null=True)
    departments = _org_field(_active_orgs(Kind.DEPARTMENT), _("责任单位"), many=True, required=False)
    leader = ScopedPrimaryKeyField(
        scope=_leaders,
        label_text=_("联系市领导"),
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
    )
    monthly_plan = serializers.ListField(
        child=WanField(), min_length=12, max_length=12, required=False, allow_null=True
    )
    note = _text(300)


class EntryCreateSerializer(EntryFieldsSerializer):
    year = StrictIntegerField(min_value=2000, max_value=2100, help_text=_("清单年度"))
    batch = ScopedPrimaryKeyField(
        scope=lambda user: Batch.objects.all(), label_text=_("批次"), queryset=Batch.objects.all()
    )
    project = ScopedPrimaryKeyField(
        scope=projects_visible_to, label_text=_("项目"), queryset=Project.objects.all()
    )


class EntryUpdateSerializer(EntryFieldsSerializer):
    version = _version()
    batch = ScopedPrimaryKeyField(
        scope=lambda user: Batch.objects.all(),
        label_text=_("批次"),
        queryset=Batch.objects.all(),
        required=False,
    )

    def validate(self, attrs):
        if "version" not in attrs:
            raise serializers.ValidationError({"version": _("请提交读取清单项目时得到的 version。")})
        return attrs


# --------------------------------------------------------------------------------------------------
# Monthly reports
# --------------------------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="entry.annual_list.year", read_only=True)
    project = serializers.IntegerField(source="entry.project_id", read_only=True)
    project_name = serializers.CharField(source="entry.project.name", read_only=True)
    amount = SignedWanField(read_only=True, help_text=_("当月完成投资（万元）"))
    status_label = ChoiceLabelField(MonthlyReport.Status.choices, source="status")

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "entry",
            "project",
            "project_name",
            "year",
            "month",
            "amount",
            "progress",
            "problems",
            "explanation",
            "status",
            "status_label",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportCreateSerializer(StrictSerializer):
    entry = ScopedPrimaryKeyField(
        scope=entries_visible_to, label_text=_("清单项目"), queryset=AnnualEntry.objects.all()
    )
    month = _month()
    amount = SignedWanField(help_text=_("当月完成投资（万元），可为负数冲减"))
    progress = _text(2000)
    problems = _text(2000)
    explanation = _text(2000)
    submit = StrictBooleanField(required=False, default=False, help_text=_("true：保存并提交审核"))


class ReportUpdateSerializer(StrictSerializer):
    version = _version()
    amount = SignedWanField(required=False)
    progress = _text(2000)
    problems = _text(2000)
    explanation = _text(2000)


class ReportSubmitSerializer(ReportUpdateSerializer):
    """Submit for review, optionally changing the content in the same step."""


class VersionSerializer(StrictSerializer):
    version = _version()


class ReportReturnSerializer(StrictSerializer):
    version = _version()
    reason = _text(2000, required=True)


# --------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.StringRelatedField()

    class Meta:
        model = TaskEvidence
        fields = ["id", "original_name", "note", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    status_label = ChoiceLabelField(Task.Status.choices, source="status")

    class Meta:
        model = Task
        fields = [
            "id",
            "project",
            "project_name",
            "title",
            "requirement",
            "responsible_unit",
            "responsible_unit_name",
            "responsible_person",
            "responsible_user",
            "start_date",
            "deadline_workdays",
            "deadline",
            "status",
            "status_label",
            "completed_date",
            "source",
            "prelim_kind",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "evidence"]
        read_only_fields = fields


class TaskFieldsSerializer(StrictSerializer):
    title = _text(200, required=True)
    requirement = _text(5000)
    responsible_unit = _org_field(_active_orgs(), _("责任单位"))
    responsible_person = _text(30)
    responsible_user = ScopedPrimaryKeyField(
        scope=_active_users,
        label_text=_("责任人账号"),
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    deadline_workdays = StrictIntegerField(min_value=1, max_value=1000, required=False, allow_null=True)


class TaskCreateSerializer(TaskFieldsSerializer):
    project = ScopedPrimaryKeyField(
        scope=projects_visible_to, label_text=_("项目"), queryset=Project.objects.all()
    )


class TaskUpdateSerializer(TaskFieldsSerializer):
    version = _version()

    def validate(self, attrs):
        if "version" not in attrs:
            raise serializers.ValidationError({"version": _("请提交读取任务时得到的 version。")})
        return attrs


class TaskStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Task.Status.choices)
    completed_date = serializers.DateField(required=False, allow_null=True)
    note = _text(500)
    version = _version(required=False)


class EvidenceCreateSerializer(StrictSerializer):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=10, help_text=_("佐证材料文件（multipart）")
    )
    note = _text(2000)


# --------------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------------


class ProblemActionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()
    by_org = serializers.StringRelatedField()
    kind_label = ChoiceLabelField(ProblemAction.Kind.choices, source="kind")

    class Meta:
        model = ProblemAction
        fields = ["id", "kind", "kind_label", "by", "by_org", "note", "from_level", "to_level", "at"]
        read_only_fields = fields


class InstructionSerializer(serializers.ModelSerializer):
    leader = serializers.StringRelatedField()

    class Meta:
        model = Instruction
        fields = ["id", "leader", "text", "reply_unit", "reply_deadline", "reply", "replied_at", "created_at"]
        read_only_fields = fields


class ProblemSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    status_label = ChoiceLabelField(Problem.Status.choices, source="status")
    co_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "project",
            "project_name",
            "category",
            "title",
            "description",
            "source",
            "raised_by_org",
            "lead_unit",
            "lead_unit_name",
            "co_units",
            "status",
            "status_label",
            "level",
            "level_since",
            "level_deadline",
            "assign_deadline",
            "resolved_at",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProblemDetailSerializer(ProblemSerializer):
    actions = ProblemActionSerializer(many=True, read_only=True)
    instructions = InstructionSerializer(many=True, read_only=True)

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "actions", "instructions"]
        read_only_fields = fields


class ProblemCreateSerializer(StrictSerializer):
    project = ScopedPrimaryKeyField(
        scope=projects_visible_to, label_text=_("项目"), queryset=Project.objects.all()
    )
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    title = _text(200, required=True)
    description = _text(5000, required=True)
    lead_unit = _org_field(_active_orgs(*HANDLER_KINDS), _("牵头单位"))
    co_units = _org_field(_active_orgs(*HANDLER_KINDS), _("协办单位"), many=True, required=False)
    deadline = serializers.DateField(required=False, allow_null=True)


class ProblemAssignSerializer(StrictSerializer):
    lead_unit = _org_field(_active_orgs(*HANDLER_KINDS), _("牵头单位"))
    co_units = _org_field(_active_orgs(*HANDLER_KINDS), _("协办单位"), many=True, required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    note = _text(5000)
    version = _version(required=False)


class ProblemCoUnitSerializer(StrictSerializer):
    unit = _org_field(_active_orgs(*HANDLER_KINDS), _("协办单位"))
    note = _text(5000)
    version = _version(required=False)


class ProblemNoteSerializer(StrictSerializer):
    note = _text(5000, required=True)
    version = _version(required=False)


class ProblemConfirmSerializer(StrictSerializer):
    note = _text(5000)
    version = _version(required=False)


class ProblemReasonSerializer(StrictSerializer):
    reason = _text(5000, required=True)
    version = _version(required=False)


class InstructionCreateSerializer(StrictSerializer):
    text = _text(5000, required=True)
    reply_unit = _org_field(_active_orgs(*HANDLER_KINDS), _("回复单位"))
    reply_deadline = serializers.DateField()


class InstructionReplySerializer(StrictSerializer):
    instruction = StrictIntegerField(min_value=1, max_value=2**62, help_text=_("批示编号"))
    text = _text(5000, required=True)


# --------------------------------------------------------------------------------------------------
# Warnings
# --------------------------------------------------------------------------------------------------


class WarningSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_label = serializers.CharField(source="rule.get_code_display", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    level_label = ChoiceLabelField(Level.choices, source="level")

    class Meta:
        model = ProjectWarning
        fields = [
            "id",
            "rule",
            "rule_label",
            "project",
            "project_name",
            "subject",
            "level",
            "level_label",
            "message",
            "figures",
            "level_since",
            "first_raised_at",
            "updated_at",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------------------------------
# Query parameters of the lists (validated like a body: wrong types and bad choices are 400)
# --------------------------------------------------------------------------------------------------


def _id_param(label):
    return StrictIntegerField(required=False, min_value=1, max_value=2**62, help_text=label)


def _ordering(*names):
    choices = [c for n in names for c in (n, f"-{n}")]
    return serializers.ChoiceField(choices=choices, required=False, help_text=_("排序字段，前加 - 为倒序"))


class ProjectFilter(serializers.Serializer):
    district = _id_param(_("所在城区编号"))
    owner = _id_param(_("项目业主编号"))
    sector = _id_param(_("行业领域编号"))
    leader = _id_param(_("联系市领导编号"))
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    over_yi = StrictBooleanField(required=False, help_text=_("true：只看总投资 1 亿元及以上"))
    q = TextField(required=False, max_length=100, help_text=_("名称、代码、业主（简繁体、拼音首字母）"))
    ordering = _ordering("total_investment", "name", "start_year", "updated_at", "id")


class EntryFilter(serializers.Serializer):
    year = StrictIntegerField(required=False, min_value=2000, max_value=2100)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    project = _id_param(_("项目编号"))
    district = _id_param(_("所在城区编号"))
    batch = _id_param(_("批次编号"))
    ordering = _ordering("planned_investment", "id")


class ReportFilter(serializers.Serializer):
    year = StrictIntegerField(required=False, min_value=2000, max_value=2100)
    month = _month(required=False)
    status = serializers.ChoiceField(choices=MonthlyReport.Status.choices, required=False)
    entry = _id_param(_("清单项目编号"))
    project = _id_param(_("项目编号"))
    ordering = _ordering("month", "amount", "updated_at", "id")


class TaskFilter(serializers.Serializer):
    project = _id_param(_("项目编号"))
    responsible_unit = _id_param(_("责任单位编号"))
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)
    deadline_before = serializers.DateField(required=False, help_text=_("完成时限不晚于"))
    ordering = _ordering("deadline", "updated_at", "id")


class ProblemFilter(serializers.Serializer):
    project = _id_param(_("项目编号"))
    lead_unit = _id_param(_("牵头单位编号"))
    status = serializers.ChoiceField(choices=Problem.Status.choices, required=False)
    category = serializers.ChoiceField(choices=Problem.Category.choices, required=False)
    level = StrictIntegerField(required=False, min_value=1, max_value=10)
    ordering = _ordering("created_at", "level", "level_deadline", "id")


class WarningFilter(serializers.Serializer):
    project = _id_param(_("项目编号"))
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    rule = serializers.ChoiceField(choices=WarningRule.Code.choices, required=False)
    ordering = _ordering("level_since", "id")


class OrganisationFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
