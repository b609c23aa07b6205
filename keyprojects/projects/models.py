import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keyprojects.lib.money import YUAN_PER_YI, MoneyField
from keyprojects.orgs.models import Organisation

# GB/T 40058-2021: YYMM-RRRRRR-DD-TT-NNNNNN since 2020-11; before, YYYY-RRRRRR-II-TT-NNNNNN[-000].
CODE_CURRENT = re.compile(r"^(\d{2})(0[1-9]|1[0-2])-\d{6}-\d{2}-\d{2}-\d{6}$")
CODE_OLDER = re.compile(r"^(19|20)\d{2}-\d{6}-\d{2}-\d{2}-\d{6}(-000)?$")


def validate_project_code(value: str):
    if CODE_CURRENT.match(value) or CODE_OLDER.match(value):
        return
    raise ValidationError(
        _(
            "项目代码“%(value)s”格式不正确。应为 YYMM-RRRRRR-DD-TT-NNNNNN（如 2411-130202-89-01-637015），"
            "或旧格式 YYYY-RRRRRR-II-TT-NNNNNN（可带 -000）。"
        ),
        params={"value": value},
        code="invalid_code",
    )


class Sector(models.Model):
    """Reference data: 产业、基础设施、社会民生、生态环保 …"""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    # Other names published lists give the sector (产业项目, 工业项目 …); an import matches them too
    # (projects.selectors.sector_index).
    synonyms = models.JSONField(_("同义名称"), default=list, blank=True)
    oc4ids_sector = models.CharField(_("OC4IDS 行业"), max_length=50, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    RESERVE = "reserve", _("谋划储备")
    PRELIMINARY = "preliminary", _("前期")
    CONSTRUCTION = "construction", _("在建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产达效")
    SUSPENDED = "suspended", _("暂停")
    CANCELLED = "cancelled", _("终止")


class Project(models.Model):
    code = models.CharField(
        _("项目代码"),
        max_length=30,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_project_code],
        help_text=_("全国投资项目在线审批监管平台赋码，如 2411-130202-89-01-637015"),
    )
    name = models.CharField(_("项目名称"), max_length=200)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("项目业主"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
        limit_choices_to={"kind": Organisation.Kind.OWNER},
    )
    district = models.ForeignKey(
        Organisation,
        verbose_name=_("所在城区"),
        on_delete=models.PROTECT,
        related_name="district_projects",
        limit_choices_to={"kind": Organisation.Kind.DISTRICT},
    )
    departments = models.ManyToManyField(
        Organisation,
        verbose_name=_("责任单位"),
        blank=True,
        related_name="department_projects",
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系市领导"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_projects",
        limit_choices_to={"role": "leader"},
    )
    sector = models.ForeignKey(Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("如轨道交通线路下的标段、站点"),
    )
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    content = models.TextField(_("建设内容及规模"), blank=True)
    total_investment = MoneyField(_("总投资（万元）"))
    start_year = models.PositiveSmallIntegerField(_("建设起始年"))
    end_year = models.PositiveSmallIntegerField(_("建设截止年"))
    stage = models.CharField(
        _("阶段"), max_length=20, choices=Stage.choices, default=Stage.RESERVE, db_index=True
    )
    start_date = models.DateField(_("实际开工日期"), null=True, blank=True)
    completion_date = models.DateField(_("实际竣工日期"), null=True, blank=True)
    # 入统: registered in the fixed-asset investment statistics database (固定资产投资统计库).
    statistics_registered = models.BooleanField(_("已入统"), default=False)
    statistics_date = models.DateField(_("入统日期"), null=True, blank=True)
    contact = models.CharField(_("联系人"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # Simplified text, pinyin initials and full pinyin of name, code and owner: one LIKE finds them all.
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-total_investment", "id"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        indexes = [
            models.Index(fields=["district", "stage"]),
            models.Index(fields=["sector", "stage"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["total_investment"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="project_years_in_order"
            ),
            models.CheckConstraint(
                condition=models.Q(total_investment__gte=0), name="project_investment_gte_0"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])

    @property
    def is_over_yi(self):
        return self.total_investment >= YUAN_PER_YI

    @property
    def years_label(self):
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}—{self.end_year}"


class StageChange(models.Model):
    """One recorded move of a project between lifecycle stages."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    date = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")

    def __str__(self):
        return f"{self.date} {self.get_from_stage_display()} → {self.get_to_stage_display()}"


class PrelimItem(models.Model):
    class Kind(models.TextChoices):
        APPROVAL = "approval", _("立项（审批/核准/备案）")
        FEASIBILITY = "feasibility", _("可研批复")
        LAND_PRECHECK = "land_precheck", _("用地预审与选址")
        LAND_GRANT = "land_grant", _("用地批复/出让")
        LAND_PLANNING = "land_planning", _("用地规划许可")
        WORKS_PLANNING = "works_planning", _("工程规划许可")
        EIA = "eia", _("环评")
        ENERGY = "energy", _("节能审查")
        PRELIM_DESIGN = "prelim_design", _("初步设计")
        DRAWING_REVIEW = "drawing_review", _("施工图审查")
        TENDER = "tender", _("招投标")
        CONSTRUCTION_PERMIT = "construction_permit", _("施工许可")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="prelim_items")
    kind = models.CharField(_("事项"), max_length=30, choices=Kind.choices)
    planned_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    document_no = models.CharField(_("批复文号"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("前期工作事项")
        verbose_name_plural = _("前期工作事项")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="prelim_item_once_per_project")
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_done(self):
        return self.actual_date is not None


class FactorNeed(models.Model):
    """要素保障: what a project needs (land, funds by source, energy, …) against what is secured."""

    class Kind(models.TextChoices):
        LAND = "land", _("用地（亩）")
        FUNDS = "funds", _("资金（万元）")
        ENERGY = "energy", _("能耗（吨标煤）")
        ENVIRONMENT = "environment", _("环境容量")
        LABOUR = "labour", _("用工（人）")

    class FundSource(models.TextChoices):
        SPECIAL_BOND = "special_bond", _("专项债")
        CENTRAL_BUDGET = "central_budget", _("中央预算内")
        LOAN = "loan", _("银行贷款")
        SELF = "self", _("自筹")
        OTHER = "other", _("其他")

    UNITS = {"land": _("亩"), "funds": _("万元"), "energy": _("吨标煤"), "environment": "", "labour": _("人")}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="factor_needs")
    kind = models.CharField(_("要素"), max_length=20, choices=Kind.choices)
    fund_source = models.CharField(_("资金来源"), max_length=20, choices=FundSource.choices, blank=True)
    # Funds are money, kept as whole yuan like every amount; other factors are quantities.
    need_yuan = MoneyField(_("需求资金（万元）"), null=True, blank=True)
    secured_yuan = MoneyField(_("已落实资金（万元）"), null=True, blank=True)
    need_quantity = models.DecimalField(_("需求量"), max_digits=14, decimal_places=2, null=True, blank=True)
    secured_quantity = models.DecimalField(
        _("已落实量"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["kind", "fund_source", "id"]
        verbose_name = _("要素保障")
        verbose_name_plural = _("要素保障")

    def __str__(self):
        if self.kind == self.Kind.FUNDS and self.fund_source:
            return f"{self.get_kind_display()} · {self.get_fund_source_display()}"
        return self.get_kind_display()

    @property
    def unit(self):
        return self.UNITS.get(self.kind, "")

    @property
    def need(self):
        return self.need_yuan if self.kind == self.Kind.FUNDS else self.need_quantity

    @property
    def secured(self):
        return self.secured_yuan if self.kind == self.Kind.FUNDS else self.secured_quantity

    @property
    def secured_percent(self):
        need, secured = self.need, self.secured
        if not need or secured is None:
            return None
        return round(secured * 100 / need, 1)
