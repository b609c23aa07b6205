"""Writes on organisations (their aliases), city leaders, the office's settings and passwords. Each
change is sent on orgs.hooks.orgs_changed, which the audit app turns into a history entry (orgs sits
below audit and cannot import it); no password ever goes into it."""

import re
import uuid

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from keyprojects.lib.locking import EditConflict
from keyprojects.lib.text import normalise_name
from keyprojects.orgs.hooks import office_settings_changed, orgs_changed
from keyprojects.orgs.models import OfficeSettings, Organisation, OrganisationAlias, User
from keyprojects.orgs.names import name_taken_by, normalise
from keyprojects.orgs.selectors import office_settings, office_settings_forget

NAME_MAX = OrganisationAlias._meta.get_field("name").max_length


def _alias_snapshot(alias: OrganisationAlias) -> dict:
    return {str(_("单位")): alias.organisation.name, str(_("别名")): alias.name}


def organisation_alias_add(*, by: User, organisation: Organisation, name: str) -> OrganisationAlias:
    """Keep NAME as another name of ORGANISATION, so that imports match it by itself.

    Refused (ValidationError on "name") when it is empty or too long, is already the organisation's name
    or alias, or would make two organisations share a name: another organisation has that name, an alias
    of it, or a name or alias with the same key (市发展改革委 is 市发展和改革委员会)."""
    name = normalise_name(name)
    if not name or not normalise(name):
        raise ValidationError({"name": _("请填写别名。")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("别名不能超过 %(n)s 个字。") % {"n": NAME_MAX}})
    if name == organisation.name:
        raise ValidationError({"name": _("“%(name)s”就是该单位的名称，无需添加别名。") % {"name": name}})
    if organisation.aliases.filter(name=name).exists():
        raise ValidationError({"name": _("“%(name)s”已是该单位的别名。") % {"name": name}})
    other = name_taken_by(name, exclude=organisation)
    if other is not None:
        raise ValidationError(
            {
                "name": _(
                    "“%(name)s”已是单位“%(other)s”（%(kind)s）的名称或别名，不能再作为“%(org)s”的别名：两个单位不能同名。"
                )
                % {
                    "name": name,
                    "other": other.name,
                    "kind": other.get_kind_display(),
                    "org": organisation.name,
                }
            }
        )
    try:
        with transaction.atomic():
            alias = OrganisationAlias.objects.create(organisation=organisation, name=name, created_by=by)
            orgs_changed.send(by=by, instance=alias, action="create", before={}, after=_alias_snapshot(alias))
    except IntegrityError:
        # Added by someone else between the check and the insert.
        raise ValidationError({"name": _("“%(name)s”已被其他单位使用。") % {"name": name}}) from None
    return alias


@transaction.atomic
def organisation_alias_remove(*, by: User, alias: OrganisationAlias) -> None:
    """Forget ALIAS: the next import asks about that name again."""
    before = _alias_snapshot(alias)
    orgs_changed.send(by=by, instance=alias, action="delete", before=before, after={})
    alias.delete()


# City leaders are people first: a leader named in a list is kept with name, title and order, and may
# have no login account (no usable password) until the office opens one for them.

LEADER_NAME_MAX = User._meta.get_field("full_name").max_length
LEADER_TITLE_MAX = User._meta.get_field("title").max_length
USERNAME_MAX = User._meta.get_field("username").max_length
_TITLE_IN_BRACKETS = re.compile(r"^(?P<name>[^（(]+)[（(](?P<title>[^）)]*)[）)]\s*$")


def leader_name_split(written: str) -> tuple[str, str]:
    """张三（副市长） → (张三, 副市长): a list puts the title in brackets after the name, or omits it."""
    written = normalise_name(written)
    found = _TITLE_IN_BRACKETS.match(written)
    if found is None:
        return written, ""
    return found["name"], found["title"]


def _leader_snapshot(leader: User) -> dict:
    return {
        str(_("姓名")): leader.full_name,
        str(_("职务")): leader.title,
        str(_("排序")): leader.sort,
        str(_("登录账号")): leader.username if leader.has_account else "",
    }


def _leader_check(full_name: str, title: str, *, exclude: User | None = None) -> None:
    errors = {}
    if not full_name:
        errors["full_name"] = _("请填写市领导姓名。")
    elif len(full_name) > LEADER_NAME_MAX:
        errors["full_name"] = _("姓名不能超过 %(n)s 个字。") % {"n": LEADER_NAME_MAX}
    else:
        same = User.objects.filter(role=User.Role.LEADER, full_name=full_name)
        if exclude is not None:
            same = same.exclude(pk=exclude.pk)
        if same.exists():
            errors["full_name"] = _("已有名为“%(name)s”的市领导。") % {"name": full_name}
    if len(title) > LEADER_TITLE_MAX:
        errors["title"] = _("职务不能超过 %(n)s 个字。") % {"n": LEADER_TITLE_MAX}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def leader_create(*, by: User | None, full_name: str, title: str = "", sort: int | None = None) -> User:
    """A city leader without a login account, in the office (leaders belong to it)."""
    full_name, title = normalise_name(full_name), normalise_name(title)
    _leader_check(full_name, title)
    if sort is None:
        sort = (User.objects.filter(role=User.Role.LEADER).aggregate(n=Max("sort"))["n"] or 0) + 1
    office = Organisation.objects.filter(kind=Organisation.Kind.OFFICE).order_by("id").first()
    leader = User(
        username=f"leader-{uuid.uuid4().hex[:12]}",
        role=User.Role.LEADER,
        organisation=office,
        full_name=full_name,
        title=title,
        sort=sort,
    )
    leader.set_unusable_password()
    leader.save()
    orgs_changed.send(by=by, instance=leader, action="create", before={}, after=_leader_snapshot(leader))
    return leader


@transaction.atomic
def leader_update(*, by: User, leader: User, full_name: str, title: str, sort: int, based_on: dict) -> User:
    """Change a leader's name, title or order. BASED_ON is what the form showed ({"full_name", "title",
    "sort"}): when someone changed the leader since, nothing is written and the reason says so."""
    full_name, title = normalise_name(full_name), normalise_name(title)
    current = User.objects.select_for_update().get(pk=leader.pk)
    shown = {k: based_on.get(k) for k in ("full_name", "title", "sort")}
    if shown != {"full_name": current.full_name, "title": current.title, "sort": current.sort}:
        raise ValidationError(
            _("该市领导的信息已被他人修改（现为：%(name)s，%(title)s，排序 %(sort)s）。请刷新后重新修改。")
            % {"name": current.full_name, "title": current.title or "—", "sort": current.sort}
        )
    _leader_check(full_name, title, exclude=current)
    before = _leader_snapshot(current)
    current.full_name, current.title, current.sort = full_name, title, sort
    current.save(update_fields=["full_name", "title", "sort"])
    orgs_changed.send(
        by=by, instance=current, action="update", before=before, after=_leader_snapshot(current)
    )
    return current


@transaction.atomic
def leader_account_open(*, by: User, leader: User, username: str, password: str) -> User:
    """Give a leader who has no account a login (username and first password); they change the password
    after logging in. Refused for a leader who already has one, or a taken username, or a weak password."""
    current = User.objects.select_for_update().get(pk=leader.pk)
    if current.role != User.Role.LEADER:
        raise ValidationError(_("只能为市领导开通账号。"))
    if current.has_account:
        raise ValidationError(
            _("%(name)s已有登录账号“%(username)s”。") % {"name": current, "username": current.username}
        )
    username = normalise_name(username)
    errors = {}
    if not username:
        errors["username"] = _("请填写登录名。")
    elif len(username) > USERNAME_MAX:
        errors["username"] = _("登录名不能超过 %(n)s 个字符。") % {"n": USERNAME_MAX}
    elif User.objects.filter(username=username).exclude(pk=current.pk).exists():
        errors["username"] = _("登录名“%(username)s”已被使用。") % {"username": username}
    try:
        validate_password(password, user=current)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    before = _leader_snapshot(current)
    current.username = username
    current.set_password(password)
    current.is_active = True
    current.must_change_password = True
    current.save(update_fields=["username", "password", "is_active", "must_change_password"])
    orgs_changed.send(
        by=by, instance=current, action="update", before=before, after=_leader_snapshot(current)
    )
    return current


# The office's settings: one row, edited by office admins on /settings/office/.

SETTINGS_FIELDS = ("minutes_prefix", "report_deadline_workdays", "reminder_hour", "open_data_prefix")
OFFICE_NAME_MAX = Organisation._meta.get_field("name").max_length
OFFICE_SHORT_MAX = Organisation._meta.get_field("short_name").max_length


def _settings_snapshot(row: OfficeSettings) -> dict:
    return {str(row._meta.get_field(name).verbose_name): str(getattr(row, name)) for name in SETTINGS_FIELDS}


def _office_snapshot(office: Organisation) -> dict:
    return {str(_("名称")): office.name, str(_("简称")): office.short_name}


@transaction.atomic
def office_settings_update(
    *, by: User, expected_version: int, name: str, short_name: str, **fields
) -> OfficeSettings:
    """Change the office's name and short name and its settings (FIELDS: SETTINGS_FIELDS). Office admins
    only. EXPECTED_VERSION is the version the form showed: when someone saved since, nothing is written
    (EditConflict). Audited, the office's name on the organisation and the rest on the settings; the
    apps above hear of it on orgs.hooks.office_settings_changed."""
    if not (by.is_authenticated and by.role == User.Role.OFFICE_ADMIN):
        raise PermissionDenied(_("只有重点办管理员可以修改系统设置。"))
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    office_id = office_settings().office_id
    if office_id is None:
        raise ValidationError(_("尚未设立重点办，请先完成系统初始化。"))
    # The office's row is the lock: two admins saving at once are taken one after the other.
    office = Organisation.objects.select_for_update().get(pk=office_id)
    row = OfficeSettings.objects.filter(office=office).first() or OfficeSettings(office=office)
    if expected_version != row.version:
        raise EditConflict()
    before, office_before = _settings_snapshot(row), _office_snapshot(office)
    values = {field: getattr(row, field) for field in SETTINGS_FIELDS}

    errors = {}
    name, short_name = normalise_name(name), normalise_name(short_name)
    if not name:
        errors["name"] = _("请填写单位名称。")
    elif len(name) > OFFICE_NAME_MAX:
        errors["name"] = _("单位名称不能超过 %(n)s 个字。") % {"n": OFFICE_NAME_MAX}
    elif (other := name_taken_by(name, exclude=office)) is not None:
        errors["name"] = _("“%(name)s”已是单位“%(other)s”的名称或别名。") % {
            "name": name,
            "other": other.name,
        }
    if len(short_name) > OFFICE_SHORT_MAX:
        errors["short_name"] = _("简称不能超过 %(n)s 个字。") % {"n": OFFICE_SHORT_MAX}
    for field, value in fields.items():
        setattr(row, field, value.strip() if isinstance(value, str) else value)
    try:
        row.full_clean(exclude=["office", "updated_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    office.name, office.short_name = name, short_name
    office.save(update_fields=["name", "short_name"])
    row.version += 1
    row.updated_by = by
    row.save()
    office_settings_forget()
    orgs_changed.send(
        by=by, instance=office, action="update", before=office_before, after=_office_snapshot(office)
    )
    # An update even on the first save: the defaults were in force before it.
    orgs_changed.send(by=by, instance=row, action="update", before=before, after=_settings_snapshot(row))
    changed = {field for field in SETTINGS_FIELDS if getattr(row, field) != values[field]}
    office_settings_changed.send(by=by, settings=row, changed=changed)
    return row


# Passwords. The forms (Django's PasswordChangeForm and SetPasswordForm) check them first; the services
# check the rules again, keep the change in the history without the password, and set or clear the
# flag that sends a user to the change-password page.


def _password_snapshot(user: User, what: str = "") -> dict:
    return {
        str(_("密码")): what,
        str(User._meta.get_field("must_change_password").verbose_name): str(_("是"))
        if user.must_change_password
        else str(_("否")),
    }


@transaction.atomic
def user_password_change(*, user: User, password: str) -> User:
    """USER chooses a new password (the form has checked the old one): the flag that sent them here is
    cleared. One the office gave them is refused: the point is that only they know it."""
    if user.must_change_password and user.check_password(password):
        raise ValidationError({"new_password1": _("新密码不能与重点办设置的初始密码相同。")})
    validate_password(password, user=user)
    before = _password_snapshot(user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    orgs_changed.send(
        by=user,
        instance=user,
        action="update",
        before=before,
        after=_password_snapshot(user, _("本人已修改")),
    )
    return user


@transaction.atomic
def user_password_reset(*, by: User, user: User, password: str, must_change: bool = True) -> User:
    """An office admin gives USER a new password, for a user who forgot theirs; MUST_CHANGE sends them
    to the change-password page at their next login. Their other sessions end (the password changed).
    Not for oneself (the account page is) nor for a person without an account (a leader's is opened on
    the city leaders' page)."""
    if not (by.is_authenticated and by.role == User.Role.OFFICE_ADMIN):
        raise PermissionDenied(_("只有重点办管理员可以重置他人的密码。"))
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.pk == by.pk:
        raise ValidationError(_("请在“账号”页面修改自己的密码。"))
    if not current.has_account:
        raise ValidationError(_("%(name)s没有可用的登录账号，不能重置密码。") % {"name": current})
    validate_password(password, user=current)
    before = _password_snapshot(current)
    current.set_password(password)
    current.must_change_password = must_change
    current.save(update_fields=["password", "must_change_password"])
    orgs_changed.send(
        by=by,
        instance=current,
        action="update",
        before=before,
        after=_password_snapshot(current, _("已由重点办管理员重置")),
    )
    return current


def user_login_record(*, user: User) -> None:
    """Before a login replaces last_login: keep it as the previous login, which the account page shows."""
    user.previous_login = user.last_login
    user.save(update_fields=["previous_login"])
