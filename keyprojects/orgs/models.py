from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("市重点办/市领导")
        DISTRICT = "district", _("城区/县/开发区")
        DEPARTMENT = "department", _("市直部门")
        OWNER = "owner", _("项目业主")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    code = models.CharField(_("代码"), max_length=30, blank=True, help_text=_("区划代码或统一社会信用代码"))
    district = models.ForeignKey(
        "self",
        verbose_name=_("所在城区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "district"},
    )
    contact = models.CharField(_("联系人"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["kind", "sort", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.short_name or self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        OFFICE_ADMIN = "office_admin", _("重点办管理员")
        OFFICE_STAFF = "office_staff", _("重点办工作人员")
        LEADER = "leader", _("市领导")
        DISTRICT = "district", _("城区/县/开发区")
        DEPARTMENT = "department", _("市直部门")
        OWNER = "owner", _("项目业主")

    # Which organisation kinds a role may belong to.
    ROLE_ORG_KINDS = {
        Role.OFFICE_ADMIN: {Organisation.Kind.OFFICE},
        Role.OFFICE_STAFF: {Organisation.Kind.OFFICE},
        Role.LEADER: {Organisation.Kind.OFFICE},
        Role.DISTRICT: {Organisation.Kind.DISTRICT},
        Role.DEPARTMENT: {Organisation.Kind.DEPARTMENT},
        Role.OWNER: {Organisation.Kind.OWNER},
    }
    # The role groups, spelled once: the predicates below (user.is_office, user.sees_everything) and
    # queries (role__in=User.OFFICE_ROLES) use these instead of listing roles again.
    OFFICE_ROLES = (Role.OFFICE_ADMIN, Role.OFFICE_STAFF)
    SEES_EVERYTHING_ROLES = (*OFFICE_ROLES, Role.LEADER)

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), on_delete=models.PROTECT, null=True, related_name="users"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    full_name = models.CharField(_("姓名"), max_length=30, blank=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # The order leaders are listed in (by rank, as the city lists them); 0 first.
    sort = models.PositiveIntegerField(_("排序"), default=0)
    # Set when the office gives a user a password (a reset, a new leader account): until they choose
    # their own, every page sends them to the change-password page (orgs.middleware).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # last_login is this session's: the one before it is what tells a user whether someone else used
    # the account.
    previous_login = models.DateTimeField(_("上次登录"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.role and self.organisation and self.organisation.kind not in self.ROLE_ORG_KINDS[self.role]:
            raise ValidationError(
                {
                    "role": _("角色“%(role)s”不能属于“%(kind)s”类单位。")
                    % {"role": self.get_role_display(), "kind": self.organisation.get_kind_display()}
                }
            )

    @property
    def is_office(self):
        """Office staff (admin or staff): they run the system and may change anything in it."""
        return self.role in self.OFFICE_ROLES

    @property
    def is_leader(self):
        return self.role == self.Role.LEADER

    @property
    def is_district(self):
        return self.role == self.Role.DISTRICT

    @property
    def has_account(self) -> bool:
        """A person who can log in. A city leader named in a list is kept as a person without one (no
        usable password) until the office opens it: everything that links leaders works either way."""
        return self.is_active and self.has_usable_password()

    @property
    def sees_everything(self):
        """The office and the city leaders see every project; everyone else a scope."""
        return self.role in self.SEES_EVERYTHING_ROLES


class OrganisationAlias(models.Model):
    """Another name an organisation goes by in the lists offices receive (市住建局 for 市住房和城乡建设局):
    kept when the office maps an unknown name to it, so that the next import matches it by itself. No
    two organisations share a name: orgs.services.organisation_alias_add refuses one that would."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("别名"), max_length=100, unique=True)
    created_by = models.ForeignKey(
        "orgs.User",
        verbose_name=_("添加人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self):
        return self.name


class OfficeSettings(models.Model):
    """What the office sets for itself on its settings page (/settings/office/) rather than in the
    environment: the document-number prefix of its minutes, the statistics deadline, when reminders go
    out, its open-data ID prefix. One row, the office organisation's (its name and short name are the
    organisation's own); the defaults are what the system did before the page existed. Read through
    orgs.selectors.office_settings()."""

    office = models.OneToOneField(
        Organisation,
        verbose_name=_("重点办"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="office_settings",
        limit_choices_to={"kind": Organisation.Kind.OFFICE},
    )
    minutes_prefix = models.CharField(
        _("会议纪要文号前缀"),
        max_length=20,
        default="邕重点办纪",
        help_text=_("文号写作“前缀〔年份〕序号号”，如 邕重点办纪〔2026〕3号。"),
    )
    report_deadline_workdays = models.PositiveSmallIntegerField(
        _("统计截止（月末后第 N 个工作日）"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "截止日过后该月自动锁定。修改后适用于本年度及以后年度清单中尚未锁定的月份；已锁定的月份不变。"
        ),
    )
    reminder_hour = models.PositiveSmallIntegerField(
        _("每日提醒发送时间（时）"),
        default=0,
        validators=[MaxValueValidator(23)],
        help_text=_("任务到期提醒和红灯日报在每天该整点之后发出（0 表示凌晨起即可发送）。"),
    )
    open_data_prefix = models.CharField(
        _("开放数据项目编号前缀（OC4IDS）"),
        max_length=20,
        default="oc4ids-xxxxxx",
        validators=[
            RegexValidator(
                r"^oc4ids-[a-z0-9]{6}$",
                _(
                    "前缀格式应为 oc4ids- 加 6 位小写字母或数字（向开放合同伙伴关系登记所得），"
                    "如 oc4ids-bu3kcz。"
                ),
            )
        ],
        help_text=_("开放数据中的项目编号为“前缀-内部编号”。"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("修改人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("系统设置")
        verbose_name_plural = _("系统设置")

    def __str__(self):
        return str(_("系统设置"))

    @property
    def office_name(self) -> str:
        return self.office.name if self.office_id else ""

    @property
    def office_label(self) -> str:
        return self.office.label if self.office_id else ""
