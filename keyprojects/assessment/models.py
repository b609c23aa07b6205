from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keyprojects.assessment import periods
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project


class PeriodKind(models.TextChoices):
    MONTH = periods.MONTH, _("月度")
    QUARTER = periods.QUARTER, _("季度")
    YEAR = periods.YEAR, _("年度")


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("城区（县、开发区）")
    DEPARTMENT = "department", _("市直部门")
    PROJECT = "project", _("项目")


class Curve(models.TextChoices):
    LINEAR = "linear", _("线性（阈值之间按比例）")
    STEP = "step", _("分档")
    RANK = "rank", _("按名次")
    PER_ITEM = "per_item", _("按件扣分")


class Scheme(models.Model):
    """考核方案: what one kind of unit is scored on for one kind of period. Its rules are its versions;
    the latest applies to every period computed from now on, a published period keeps the one it used."""

    period_kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind.choices)
    unit_kind = models.CharField(_("考核对象"), max_length=12, choices=UnitKind.choices)
    name = models.CharField(_("方案名称"), max_length=100)

    class Meta:
        ordering = ["unit_kind", "period_kind"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "unit_kind"], name="scheme_once_per_kinds")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("scheme_detail", args=[self.pk])


class SchemeVersion(models.Model):
    """One version of a scheme, never edited once saved: a change is a new version."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    total = models.DecimalField(_("方案总分"), max_digits=6, decimal_places=2, default=100)
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=6, decimal_places=2, default=0)
    # "Met the period target" (红榜 needs it, 黑榜 takes those who missed it): an indicator's value at
    # least TARGET_VALUE, or, without an indicator, the total score at least TARGET_VALUE.
    target_indicator = models.CharField(_("达标指标"), max_length=40, blank=True)
    target_value = models.DecimalField(_("达标值"), max_digits=8, decimal_places=2, default=0)
    red_count = models.PositiveSmallIntegerField(_("红榜名额"), default=3)
    black_count = models.PositiveSmallIntegerField(_("黑榜名额"), default=3)
    late_start_months = models.PositiveSmallIntegerField(_("新开工逾期月数（列入黑榜）"), default=3)
    black_problem_level = models.PositiveSmallIntegerField(_("超时问题层级（列入黑榜）"), default=3)
    note = models.TextField(_("修改说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("考核方案版本")
        verbose_name_plural = _("考核方案版本")
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="scheme_version_once")]

    def __str__(self):
        return f"{self.scheme} v{self.number}"


class SchemeIndicator(models.Model):
    """An indicator of a version: what is measured (CODE, see assessment.indicators), its weight and
    how a value becomes points (CURVE with PARAMS, see assessment.curves)."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.CharField(_("指标"), max_length=40)
    weight = models.DecimalField(_("权重（分）"), max_digits=6, decimal_places=2)
    curve = models.CharField(_("计分方式"), max_length=10, choices=Curve.choices)
    params = models.JSONField(_("计分参数"), default=dict)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="indicator_once_per_version")]

    def __str__(self):
        return self.code


class SchemeAdjustment(models.Model):
    """A bonus (加分) or deduction (扣分) of a version: POINTS per item counted by CODE (see
    assessment.indicators.ADJUSTMENTS), at most CAP in a period."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="adjustments")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.CharField(_("加减分项"), max_length=40)
    points = models.DecimalField(_("每项分值"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("上限（分）"), max_digits=6, decimal_places=2)
    params = models.JSONField(_("参数"), default=dict)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("加减分项")
        verbose_name_plural = _("加减分项")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="adjustment_once_per_version")
        ]

    def __str__(self):
        return self.code


class AssessmentRun(models.Model):
    """One period's scores (考核结果). Recomputed in place while a draft (REVISION counts the recomputes
    that changed something); published with its red/black list and never changed after."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未发布")
        PUBLISHED = "published", _("已发布")

    period = models.CharField(_("考核期"), max_length=10, unique=True)
    period_kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("期数"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(_("计算版次"), default=1)
    versions = models.ManyToManyField(SchemeVersion, verbose_name=_("所用方案版本"), related_name="runs")
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "period_kind", "-number"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        indexes = [models.Index(fields=["period_kind", "year", "number"])]

    def __str__(self):
        return self.period_obj.label

    @property
    def period_obj(self) -> periods.Period:
        return periods.Period(self.period_kind, self.year, self.number)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Score(models.Model):
    """One unit's score in a run, with every line that explains it (LINES: the figures of each indicator
    and adjustment as computed, so that a published explanation never moves)."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="scores")
    unit_kind = models.CharField(_("考核对象"), max_length=12, choices=UnitKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="assessment_scores"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="assessment_scores"
    )
    version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="scores")
    name = models.CharField(_("名称"), max_length=200)
    base = models.DecimalField(_("指标得分"), max_digits=7, decimal_places=2)
    bonus = models.DecimalField(_("加分"), max_digits=7, decimal_places=2, default=0)
    deduction = models.DecimalField(_("扣分"), max_digits=7, decimal_places=2, default=0)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"))
    met_target = models.BooleanField(_("达标"), default=False)
    # The tie-break's figures (assessment.scoring.rank_key): the first indicator's value, the items late.
    tie_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    late_items = models.PositiveIntegerField(_("逾期事项"), default=0)
    lines = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "unit_kind", "rank"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="score_once_per_org",
            ),
            models.UniqueConstraint(
                fields=["run", "project"],
                condition=models.Q(project__isnull=False),
                name="score_once_per_project",
            ),
        ]
        indexes = [models.Index(fields=["run", "unit_kind", "rank"])]

    def __str__(self):
        return f"{self.run} {self.name}"

    def get_absolute_url(self):
        return reverse("score_detail", args=[self.pk])

    @property
    def unit_id(self):
        return self.project_id if self.unit_kind == UnitKind.PROJECT else self.organisation_id


class RankingList(models.Model):
    """红黑榜 of a period: drafted by rule from the run's scores, edited with reasons, reviewed by a second
    office user, published. Published, it never changes; a correction is a new version (SUPERSEDES) that
    says what changed and why."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEWED = "reviewed", _("已审核")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已更正")

    run = models.ForeignKey(AssessmentRun, on_delete=models.PROTECT, related_name="ranking_lists")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The run's revision the rule entries were drafted from: a recompute since then means a new draft.
    run_revision = models.PositiveIntegerField()
    number = models.CharField(_("通报文号"), max_length=40, blank=True)
    correction_reason = models.TextField(_("更正原因"), blank=True)
    changes = models.JSONField(_("更正内容"), default=list, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("起草时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-run__year", "-run__number", "-version"]
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        constraints = [models.UniqueConstraint(fields=["run", "version"], name="ranking_list_version_once")]

    def __str__(self):
        return _("%(period)s红黑榜") % {"period": self.run} + (
            f" v{self.version}" if self.version > 1 else ""
        )

    def get_absolute_url(self):
        return reverse("ranking_list_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REVIEWED)

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.SUPERSEDED)


class RankingEntry(models.Model):
    """One unit or project on a list: why it is there (by rule or added by hand, with a reason); an
    exemption (豁免) keeps it on record, out of the published list, with its reason and attachment."""

    class Side(models.TextChoices):
        RED = "red", _("红榜")
        BLACK = "black", _("黑榜")

    class Rule(models.TextChoices):
        TOP = "top", _("达标且排名靠前")
        BOTTOM = "bottom", _("未达标且排名靠后")
        LATE_START = "late_start", _("新开工项目逾期未开工")
        PROBLEM = "problem", _("问题高层级超时未解决")
        MANUAL = "manual", _("人工调整")

    ranking_list = models.ForeignKey(RankingList, on_delete=models.CASCADE, related_name="entries")
    side = models.CharField(_("榜单"), max_length=5, choices=Side.choices)
    rule = models.CharField(_("列入依据"), max_length=12, choices=Rule.choices)
    unit_kind = models.CharField(_("对象类型"), max_length=12, choices=UnitKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    problem = models.ForeignKey(
        "coordination.Problem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=200)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("列入理由"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed = models.BooleanField(_("已移出"), default=False)
    removed_reason = models.TextField(_("移出理由"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exempt = models.BooleanField(_("豁免"), default=False)
    exempt_reason = models.TextField(_("豁免理由"), blank=True)
    exempt_file = models.FileField(_("豁免依据"), upload_to="ranking-exemptions/%Y/%m/", blank=True)
    exempt_file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    exempt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ranking_list", "side", "order", "id"]
        verbose_name = _("红黑榜条目")
        verbose_name_plural = _("红黑榜条目")

    def __str__(self):
        return f"{self.get_side_display()} {self.name}"

    @property
    def is_listed(self) -> bool:
        """On the list as published: neither removed nor exempted."""
        return not (self.removed or self.exempt)
