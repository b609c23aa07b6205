"""Organisations and user accounts in bulk, from one Excel workbook: a 单位 sheet (districts, departments,
owners with their short names and aliases) and a 用户 sheet (accounts with their organisation and role).

The same shape as the annual-list import: `bulk_plan` reads the file and says, row by row, what would be
created, updated or left alone, with every problem of every row located ("用户表第3行 D列“角色”：…");
`bulk_apply` writes the whole plan in one transaction or nothing. New accounts get a generated initial
password, returned once to the caller and stored only as a hash.
"""

import hashlib
import io
import json
import re
import secrets
import string
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from keyprojects.lib.text import normalise_name
from keyprojects.lib.uploads import content_matches
from keyprojects.lib.xlsx import column_letter, text_cell
from keyprojects.orgs.hooks import orgs_changed
from keyprojects.orgs.models import Organisation, OrganisationAlias, User
from keyprojects.orgs.names import Candidate, NameIndex, normalise, organisation_index
from keyprojects.orgs.services import organisation_alias_add
from keyprojects.orgs.setup import KIND_WORDS

Kind = Organisation.Kind
Role = User.Role

MAX_BYTES = 2 * 1024 * 1024  # an office's organisations and users fit in a few hundred KB
MAX_UNPACKED = 50 * 1024 * 1024  # all members of the zip together, unpacked
MAX_ROWS = 5000  # per sheet
MAX_COLS = 30
HEADER_ROWS = 5  # rows searched for the header
NAME_MAX = Organisation._meta.get_field("name").max_length
SHORT_NAME_MAX = Organisation._meta.get_field("short_name").max_length
ALIAS_MAX = OrganisationAlias._meta.get_field("name").max_length
PASSWORD_LENGTH = 12
# No 0/O, 1/l/I: initial passwords are read off a screen or a printed sheet.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

ORG_SHEET, USER_SHEET = "单位", "用户"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # as the template writes it, and as messages name it
    headers: tuple[str, ...]  # what a file may call it
    required: bool = False
    width: int = 16


ORG_COLUMNS = (
    Column("kind", "类型", ("类型", "单位类型"), True, 12),
    Column("name", "名称", ("名称", "单位名称", "单位全称"), True, 36),
    Column("short_name", "简称", ("简称",), False, 16),
    Column("aliases", "别名", ("别名", "其他名称", "简称/别名"), False, 30),
    Column("district", "所在城区", ("所在城区", "所属区县", "所在区县", "上级", "上级单位"), False, 16),
)
USER_COLUMNS = (
    Column("username", "用户名", ("用户名", "账号", "登录名"), True, 16),
    Column("full_name", "姓名", ("姓名",), True, 12),
    Column("organisation", "单位", ("单位", "所属单位", "单位名称"), True, 36),
    Column("role", "角色", ("角色",), True, 16),
    Column("title", "职务", ("职务",), False, 14),
    Column("phone", "手机", ("手机", "手机号", "电话", "联系电话"), False, 16),
    Column("email", "邮箱", ("邮箱", "电子邮箱", "email", "e-mail"), False, 24),
)
# What the 类型 column may say: the setup file's words and the kinds' own labels (not the office).
KIND_LABELS = {**KIND_WORDS, "区县": Kind.DISTRICT, "市直部门": Kind.DEPARTMENT, "业主单位": Kind.OWNER}
_LIST_SEPARATORS = re.compile(r"[\n\r,，、;；]+")
_PHONE = re.compile(r"^[0-9+\-()（） 转]{5,30}$")


class BulkRefused(Exception):
    """The file cannot be read at all: .messages says why, in Chinese, naming the file or sheet."""

    def __init__(self, messages):
        super().__init__(messages)
        self.messages = list(messages)


@dataclass
class OrgPlan:
    row: int
    kind: str
    name: str
    short_name: str = ""
    aliases: list[str] = field(default_factory=list)  # new aliases to add (the short name among them)
    district: object = None  # an Organisation or an OrgPlan of this file
    organisation: Organisation | None = None  # the existing one (update) or, once applied, the new one
    action: str = "create"  # create / update / unchanged
    changes: list[str] = field(default_factory=list)
    note: str = ""  # how an existing organisation was matched, when not by its exact name

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def district_name(self) -> str:
        return self.district.name if self.district is not None else ""


@dataclass
class UserPlan:
    row: int
    username: str
    full_name: str
    target: object  # an Organisation or an OrgPlan of this file
    role: str
    title: str = ""
    phone: str = ""
    email: str = ""
    user: User | None = None
    action: str = "create"
    changes: list[str] = field(default_factory=list)

    @property
    def organisation_name(self) -> str:
        return self.target.name

    @property
    def role_label(self) -> str:
        return Role(self.role).label


@dataclass
class Plan:
    organisations: list[OrgPlan] = field(default_factory=list)
    users: list[UserPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, items, action) -> int:
        return sum(1 for item in items if item.action == action)

    @property
    def counts(self) -> dict:
        return {
            f"{what}_{action}": self.count(items, action)
            for what, items in (("orgs", self.organisations), ("users", self.users))
            for action in ("create", "update", "unchanged")
        }

    @property
    def is_empty(self) -> bool:
        return not self.organisations and not self.users

    @property
    def has_writes(self) -> bool:
        return any(i.action != "unchanged" for i in (*self.organisations, *self.users))

    def fingerprint(self) -> str:
        """What the preview showed: confirming a plan that has changed since (someone else wrote in
        between) is refused, so the office writes only what it saw."""
        shown = [[p.row, p.action, p.changes, p.note] for p in self.organisations] + [
            [p.row, p.action, p.changes] for p in self.users
        ]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:32]


# Reading ------------------------------------------------------------------------------------------


def check_upload(upload) -> bytes:
    """UPLOAD's bytes, when it is a workbook this import may open; BulkRefused otherwise."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise BulkRefused([_("请上传 .xlsx 格式的 Excel 工作簿（可用模板填写；.xls 请先另存为 .xlsx）。")])
    if upload.size > MAX_BYTES:
        raise BulkRefused(
            [
                _("文件超过 %(mb)s MB：单位和用户表不应这么大，请删去无关的工作表后再上传。")
                % {"mb": MAX_BYTES // 1024 // 1024}
            ]
        )
    if not content_matches(upload, "xlsx"):
        raise BulkRefused([_("文件内容不是 Excel 工作簿（.xlsx），可能是改了扩展名的其他文件。")])
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    _check_archive(data)
    return data


def _check_archive(data: bytes) -> None:
    """Refuse a zip bomb (members that unpack to far more than any real table) and XML with a DOCTYPE
    (entity expansion): openpyxl would otherwise unpack and parse them."""
    refused = BulkRefused([_("文件结构异常（压缩内容过大或含有不允许的 XML 声明），不予读取。")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise refused
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        head = stream.read(2048)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise refused
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise BulkRefused([_("文件已损坏，无法作为 Excel 工作簿打开。")]) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number comes back as 13800138000.0
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return normalise_name(str(value))


def _header(rows: list, columns) -> tuple[int, dict[str, int]] | None:
    """The header's (1-based row, {column key: index}) among the first rows, when every required column
    is there."""
    for number, values in enumerate(rows[:HEADER_ROWS], start=1):
        texts = [_text(v).lower() for v in values]
        found = {}
        for column in columns:
            for index, text in enumerate(texts):
                if text in column.headers:
                    found.setdefault(column.key, index)
        if all(c.key in found for c in columns if c.required):
            return number, found
    return None


def read_workbook(data: bytes) -> dict[str, tuple[int, dict[str, int], list]]:
    """{sheet label: (header row, columns, rows)} for the 单位 and 用户 sheets (found by name, else by
    their headers). BulkRefused when the file opens as neither."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise BulkRefused([_("无法读取文件：不是有效的 .xlsx 工作簿。")]) from None
    sheets, problems = {}, []
    try:
        by_name = {normalise_name(ws.title): ws for ws in workbook.worksheets}
        for label, columns in ((ORG_SHEET, ORG_COLUMNS), (USER_SHEET, USER_COLUMNS)):
            candidates = [by_name[label]] if label in by_name else workbook.worksheets
            for ws in candidates:
                rows = [
                    list(r)
                    for r in ws.iter_rows(
                        max_row=MAX_ROWS + HEADER_ROWS + 1, max_col=MAX_COLS, values_only=True
                    )
                ]
                header = _header(rows, columns)
                if header is not None:
                    number, found = header
                    if len(rows) > MAX_ROWS + number:
                        problems.append(
                            _("%(sheet)s表超过 %(max)s 行，请分成几个文件导入。")
                            % {"sheet": label, "max": MAX_ROWS}
                        )
                    sheets[label] = (number, found, rows[number : MAX_ROWS + number])
                    break
            else:
                if label in by_name:
                    needed = "、".join(f"“{c.label}”" for c in columns if c.required)
                    problems.append(
                        _("%(sheet)s表的前 %(n)s 行中找不到表头：需要 %(columns)s 列。")
                        % {"sheet": label, "n": HEADER_ROWS, "columns": needed}
                    )
    except BulkRefused:
        raise
    except Exception:
        raise BulkRefused([_("无法读取文件：工作簿内容损坏。")]) from None
    finally:
        workbook.close()
    if problems:
        raise BulkRefused(problems)
    if not sheets:
        raise BulkRefused(
            [_("文件中既没有“单位”表也没有“用户”表（或表头不对）。请下载模板，按模板的表头填写。")]
        )
    return sheets


# Planning -----------------------------------------------------------------------------------------


class _Rows:
    """The rows of one sheet, with a way to refuse a cell by its row and column."""

    def __init__(self, label, header_row, columns, found, rows, errors):
        self.label, self.header_row, self.found, self.rows, self.errors = (
            label,
            header_row,
            found,
            rows,
            errors,
        )
        self.labels = {c.key: c.label for c in columns}

    def __iter__(self):
        for number, values in enumerate(self.rows, start=self.header_row + 1):
            cells = {key: values[index] if index < len(values) else None for key, index in self.found.items()}
            if any(_text(v) for v in cells.values()):
                yield number, cells

    def refuse(self, number, key, message):
        self.errors.append(
            _("%(sheet)s表第%(row)s行 %(col)s列“%(label)s”：%(message)s")
            % {
                "sheet": self.label,
                "row": number,
                "col": column_letter(self.found[key]),
                "label": self.labels[key],
                "message": message,
            }
        )


def _names(items) -> str:
    return "、".join(f"“{s.name}”" for s in items)


def _not_found(result) -> str:
    if result.suggestions:
        return _("系统中没有单位“%(name)s”。最接近的是：%(names)s。请写明全称，或先在“单位”表中列出它。") % {
            "name": result.name,
            "names": _names(result.suggestions[:3]),
        }
    return _("系统中没有单位“%(name)s”，也没有相近的单位。请先在“单位”表中列出它。") % {"name": result.name}


def _ambiguous(result) -> str:
    return _("“%(name)s”同时匹配 %(names)s，无法确定是哪一个，请写明全称。") % {
        "name": result.name,
        "names": _names(result.tied),
    }


def _split(value) -> list[str]:
    if value is None:
        return []
    raw = value if isinstance(value, str) else _text(value)
    return [n for n in (normalise_name(p) for p in _LIST_SEPARATORS.split(raw)) if n]


def _role_words() -> dict[str, str]:
    """The words the 角色 column may use: each role's label (Chinese, and in the current language) and
    code."""
    words = {}
    for value, label in Role.choices:
        words[normalise_name(str(label)).lower()] = value
        words[value] = value
    with translation.override("zh-hans"):
        for value, label in Role.choices:
            words[normalise_name(str(label)).lower()] = value
    return words


def _plan_organisations(plan: Plan, sheet: _Rows, existing: list[Organisation], index: NameIndex) -> None:
    by_name = {o.name: o for o in existing}
    district_index = NameIndex([o for o in existing if o.kind == Kind.DISTRICT and o.is_active])
    claimed: dict[str, tuple[int, str]] = {}  # key of a name or alias in this file → (row, organisation)
    pending_districts = []

    for number, cells in sheet:
        before = len(sheet.errors)
        kind_text, name = _text(cells.get("kind")), _text(cells.get("name"))
        kind = KIND_LABELS.get(kind_text)
        if not kind_text:
            sheet.refuse(number, "kind", _("未填写（应为 区县、市直部门 或 业主单位）。"))
        elif kind is None:
            sheet.refuse(
                number,
                "kind",
                _("不认识的类型“%(value)s”，应为 区县、市直部门 或 业主单位。") % {"value": kind_text},
            )
        if not name:
            sheet.refuse(number, "name", _("未填写。"))
            continue
        if len(name) > NAME_MAX:
            sheet.refuse(
                number, "name", _("“%(value)s”超过 %(max)s 个字。") % {"value": name, "max": NAME_MAX}
            )
            continue
        key = normalise(name)
        if key in claimed:
            row, other = claimed[key]
            sheet.refuse(
                number,
                "name",
                _(
                    "“%(name)s”与第%(row)s行的“%(other)s”是同一个单位（名称相同或只是写法不同），一个单位只能列一次。"
                )
                % {"name": name, "row": row, "other": other},
            )
            continue
        claimed[key] = (number, name)

        op = OrgPlan(row=number, kind=kind or "", name=name)
        target = by_name.get(name)
        if target is None:
            result = index.match(name)
            if result.found is not None:
                target = result.found
                op.note = _("按%(via)s匹配到系统中的“%(name)s”") % {
                    "via": _("别名") if result.via == "alias" else _("规范化名称"),
                    "name": target.name,
                }
            elif result.tie and result.best.score == 1.0:
                sheet.refuse(number, "name", _ambiguous(result))
        if target is not None:
            op.organisation, op.action = target, "unchanged"
            if kind is not None and target.kind != kind:
                sheet.refuse(
                    number,
                    "kind",
                    _("系统中的“%(name)s”是“%(kind)s”，导入不能改变单位类型。")
                    % {"name": target.name, "kind": target.get_kind_display()},
                )

        short_name = _text(cells.get("short_name"))
        if len(short_name) > SHORT_NAME_MAX:
            sheet.refuse(
                number,
                "short_name",
                _("“%(value)s”超过 %(max)s 个字。") % {"value": short_name, "max": SHORT_NAME_MAX},
            )
            short_name = ""
        op.short_name = short_name

        # The short name is also kept as an alias, so that the lists which use it match by themselves.
        known = {normalise(name)}
        if target is not None:
            known |= {normalise(target.name)} | {normalise(a.name) for a in target.aliases.all()}
        for column, alias in [("short_name", short_name)] + [
            ("aliases", a) for a in _split(cells.get("aliases"))
        ]:
            alias_key = normalise(alias)
            if not alias or not alias_key or alias_key in known:
                continue
            if len(alias) > ALIAS_MAX:
                sheet.refuse(
                    number,
                    column,
                    _("别名“%(value)s”超过 %(max)s 个字。") % {"value": alias, "max": ALIAS_MAX},
                )
                continue
            owner = index.match(alias)
            if owner.found is not None and owner.found is not target:
                sheet.refuse(
                    number,
                    column,
                    _("“%(alias)s”已是单位“%(other)s”的名称或别名，两个单位不能同名。")
                    % {"alias": alias, "other": owner.found.name},
                )
                continue
            if owner.tie and owner.best.score == 1.0:
                sheet.refuse(number, column, _ambiguous(owner))
                continue
            if alias_key in claimed:
                row, other = claimed[alias_key]
                sheet.refuse(
                    number,
                    column,
                    _("“%(alias)s”已在第%(row)s行用作“%(other)s”的名称或别名。")
                    % {"alias": alias, "row": row, "other": other},
                )
                continue
            claimed[alias_key] = (number, name)
            known.add(alias_key)
            op.aliases.append(alias)

        district_text = _text(cells.get("district"))
        if district_text and kind == Kind.DISTRICT:
            sheet.refuse(number, "district", _("区县本身不填所在城区。"))
        elif district_text:
            pending_districts.append((op, district_text))

        if len(sheet.errors) == before:
            plan.organisations.append(op)

    # Districts after every row: a department may name a district listed further down the sheet.
    new_districts = NameIndex(
        [
            Candidate(value=p, name=p.name, aliases=tuple(p.aliases), kind=p.kind)
            for p in plan.organisations
            if p.kind == Kind.DISTRICT and p.organisation is None
        ]
    )
    for op, text in pending_districts:
        result = new_districts.match(text)
        if result.found is None:
            result = district_index.match(text)
        if result.found is not None:
            op.district = result.found
        elif result.tie and result.best.score == 1.0:
            sheet.refuse(op.row, "district", _ambiguous(result))
        elif result.suggestions:
            sheet.refuse(
                op.row,
                "district",
                _("系统中没有城区“%(name)s”。最接近的是：%(names)s。")
                % {"name": text, "names": _names(result.suggestions[:3])},
            )
        else:
            sheet.refuse(op.row, "district", _("系统中没有城区“%(name)s”。") % {"name": text})

    for op in plan.organisations:
        org = op.organisation
        if org is None:
            continue
        if op.short_name and op.short_name != org.short_name:
            op.changes.append(
                _("简称：%(old)s → %(new)s") % {"old": org.short_name or "—", "new": op.short_name}
            )
        if op.district is not None and (
            isinstance(op.district, OrgPlan) or op.district.pk != org.district_id
        ):
            old = org.district.name if org.district_id else "—"
            op.changes.append(_("所在城区：%(old)s → %(new)s") % {"old": old, "new": op.district.name})
        if op.aliases:
            op.changes.append(_("新增别名：%(names)s") % {"names": "、".join(op.aliases)})
        if not org.is_active:
            op.note = "；".join(filter(None, [op.note, _("该单位已停用")]))
        op.action = "update" if op.changes else "unchanged"


def _plan_users(plan: Plan, sheet: _Rows, existing: list[Organisation], by: User) -> None:
    # Organisations as the users sheet may name them: those in the system (with the aliases this file
    # adds) and those this file creates.
    adding = {id(p.organisation): p.aliases for p in plan.organisations if p.organisation is not None}
    candidates = [
        Candidate(
            value=o,
            name=o.name,
            aliases=(*[a.name for a in o.aliases.all()], *adding.get(id(o), ())),
            kind=o.kind,
        )
        for o in existing
        if o.is_active
    ] + [
        Candidate(value=p, name=p.name, aliases=tuple(p.aliases), kind=p.kind)
        for p in plan.organisations
        if p.organisation is None
    ]
    index = NameIndex(candidates) if plan.organisations else organisation_index()
    roles = _role_words()
    kinds = dict(Kind.choices)
    username_field = User._meta.get_field("username")
    rows = list(sheet)
    existing_users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[str(c.get("username") or "").strip() for _n, c in rows]
        ).select_related("organisation")
    }
    seen: dict[str, int] = {}

    for number, cells in rows:
        before = len(sheet.errors)
        # Stray spaces around a username are Excel's; one inside it is a mistake to report.
        raw_username = cells.get("username")
        username = raw_username.strip() if isinstance(raw_username, str) else _text(raw_username)
        if not username:
            sheet.refuse(number, "username", _("未填写。"))
        else:
            try:
                for validator in username_field.validators:
                    validator(username)
            except ValidationError:
                sheet.refuse(
                    number,
                    "username",
                    _("“%(value)s”无效：只能使用字母、数字和 @ . + - _，最多 %(max)s 个字符。")
                    % {"value": username, "max": username_field.max_length},
                )
            earlier = seen.get(username.lower())
            if earlier is not None:
                sheet.refuse(
                    number,
                    "username",
                    _("“%(value)s”与第%(row)s行重复。") % {"value": username, "row": earlier},
                )
            else:
                seen[username.lower()] = number

        full_name = _text(cells.get("full_name"))
        if not full_name:
            sheet.refuse(number, "full_name", _("未填写。"))
        elif len(full_name) > 30:
            sheet.refuse(
                number, "full_name", _("“%(value)s”超过 %(max)s 个字。") % {"value": full_name, "max": 30}
            )

        target = None
        org_text = _text(cells.get("organisation"))
        if not org_text:
            sheet.refuse(number, "organisation", _("未填写。"))
        else:
            result = index.match(org_text)
            if result.found is not None:
                target = result.found
            elif result.tie and result.best.score == 1.0:
                sheet.refuse(number, "organisation", _ambiguous(result))
            else:
                sheet.refuse(number, "organisation", _not_found(result))

        role_text = _text(cells.get("role"))
        role = roles.get(role_text.lower())
        if not role_text:
            sheet.refuse(number, "role", _("未填写。"))
        elif role is None:
            sheet.refuse(
                number,
                "role",
                _("不认识的角色“%(value)s”，应为 %(roles)s 之一。")
                % {"value": role_text, "roles": "、".join(str(label) for _v, label in Role.choices)},
            )
        elif target is not None and target.kind not in User.ROLE_ORG_KINDS[role]:
            sheet.refuse(
                number,
                "role",
                _("角色“%(role)s”不能属于“%(kind)s”类单位“%(org)s”。")
                % {"role": Role(role).label, "kind": kinds[target.kind], "org": target.name},
            )

        title = _text(cells.get("title"))
        if len(title) > 50:
            sheet.refuse(number, "title", _("“%(value)s”超过 %(max)s 个字。") % {"value": title, "max": 50})
        raw_phone = cells.get("phone")
        phone = _text(raw_phone) if not isinstance(raw_phone, str) else raw_phone.strip()
        if phone and not _PHONE.match(phone):
            sheet.refuse(number, "phone", _("“%(value)s”不是有效的电话号码。") % {"value": phone})
        email = _text(cells.get("email"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                sheet.refuse(number, "email", _("“%(value)s”不是有效的邮箱地址。") % {"value": email})

        user = existing_users.get(username)
        if user is not None and role:
            if user.pk == by.pk and (
                role != user.role or (target is not None and target != user.organisation)
            ):
                sheet.refuse(number, "role", _("不能通过导入改变自己账号的角色或单位。"))
            touches_admin = role == Role.OFFICE_ADMIN or user.role == Role.OFFICE_ADMIN or user.is_superuser
            if touches_admin and by.role != Role.OFFICE_ADMIN and user.pk != by.pk:
                sheet.refuse(number, "role", _("只有重点办管理员可以导入或修改管理员账号。"))
        elif role == Role.OFFICE_ADMIN and by.role != Role.OFFICE_ADMIN:
            sheet.refuse(number, "role", _("只有重点办管理员可以导入或修改管理员账号。"))

        if len(sheet.errors) != before:
            continue
        op = UserPlan(
            row=number,
            username=username,
            full_name=full_name,
            target=target,
            role=role,
            title=title,
            phone=phone,
            email=email,
            user=user,
        )
        if user is not None:
            op.changes = _user_changes(op, user)
            op.action = "update" if op.changes else "unchanged"
        plan.users.append(op)


def _user_changes(op: UserPlan, user: User) -> list[str]:
    """What the row changes on USER: only where it differs; an empty optional cell changes nothing."""
    changes = []

    def differs(label, old, new):
        if new != old:
            changes.append(
                _("%(label)s：%(old)s → %(new)s") % {"label": label, "old": old or "—", "new": new}
            )

    differs(_("姓名"), user.full_name, op.full_name)
    old_org = user.organisation.name if user.organisation_id else ""
    if not (isinstance(op.target, Organisation) and op.target.pk == user.organisation_id):
        differs(_("单位"), old_org, op.target.name)
    differs(_("角色"), user.get_role_display() if user.role else "", Role(op.role).label)
    for label, attr in ((_("职务"), "title"), (_("电话"), "phone"), (_("邮箱"), "email")):
        if getattr(op, attr):
            differs(label, getattr(user, attr), getattr(op, attr))
    return changes


def bulk_plan(*, data: bytes, by: User) -> Plan:
    """What importing DATA (an .xlsx already through check_upload) would do, row by row, with every
    problem found. Writes nothing. BulkRefused when the file cannot be read at all."""
    sheets = read_workbook(data)
    plan = Plan()
    existing = list(Organisation.objects.select_related("district").prefetch_related("aliases"))
    index = NameIndex([o for o in existing if o.is_active])
    if ORG_SHEET in sheets:
        header_row, found, rows = sheets[ORG_SHEET]
        sheet = _Rows(ORG_SHEET, header_row, ORG_COLUMNS, found, rows, plan.errors)
        _plan_organisations(plan, sheet, existing, index)
    if USER_SHEET in sheets:
        header_row, found, rows = sheets[USER_SHEET]
        sheet = _Rows(USER_SHEET, header_row, USER_COLUMNS, found, rows, plan.errors)
        _plan_users(plan, sheet, existing, by)
    if plan.is_empty and not plan.errors:
        plan.errors.append(_("文件中没有填写任何单位或用户。"))
    return plan


# Writing ------------------------------------------------------------------------------------------


def _org_snapshot(org: Organisation) -> dict:
    return {
        str(_("类型")): org.get_kind_display(),
        str(_("名称")): org.name,
        str(_("简称")): org.short_name,
        str(_("所在城区")): org.district.name if org.district_id else "",
    }


def _user_snapshot(user: User) -> dict:
    return {
        str(_("用户名")): user.username,
        str(_("姓名")): user.full_name,
        str(_("所属单位")): user.organisation.name if user.organisation_id else "",
        str(_("角色")): user.get_role_display() if user.role else "",
        str(_("职务")): user.title,
        str(_("电话")): user.phone,
        str(_("邮箱")): user.email,
    }


def password_generate() -> str:
    """A random initial password with upper- and lower-case letters and digits."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(PASSWORD_LENGTH))
        if (
            any(c in string.ascii_uppercase for c in password)
            and any(c in string.ascii_lowercase for c in password)
            and any(c in string.digits for c in password)
        ):
            return password


def _resolve(target):
    return target.organisation if isinstance(target, OrgPlan) else target


@transaction.atomic
def bulk_apply(*, plan: Plan, by: User) -> list[tuple[User, str]]:
    """Write PLAN (from bulk_plan, without errors) in one transaction: every organisation and account it
    creates or changes, or nothing. Returns the new accounts with their initial passwords, which exist
    nowhere else: the caller shows them once. BulkRefused (nothing written) when a row cannot be written
    after all, e.g. an alias someone else took since the preview."""
    if plan.errors:
        raise BulkRefused(plan.errors)
    errors = []
    sort = {kind: Organisation.objects.filter(kind=kind).count() for kind in Kind.values}
    for op in plan.organisations:
        if op.organisation is None:
            sort[op.kind] += 1
            op.organisation = Organisation.objects.create(
                kind=op.kind, name=op.name, short_name=op.short_name, sort=sort[op.kind]
            )
    for op in plan.organisations:
        org = op.organisation
        if op.action == "unchanged":
            continue
        before = {} if op.action == "create" else _org_snapshot(org)
        if op.short_name:
            org.short_name = op.short_name
        if op.district is not None:
            org.district = _resolve(op.district)
        org.save()
        orgs_changed.send(by=by, instance=org, action=op.action, before=before, after=_org_snapshot(org))
        for alias in op.aliases:
            try:
                organisation_alias_add(by=by, organisation=org, name=alias)
            except ValidationError as error:
                errors += [
                    _("%(sheet)s表第%(row)s行：%(message)s")
                    % {"sheet": ORG_SHEET, "row": op.row, "message": m}
                    for m in error.messages
                ]
    created = []
    for op in plan.users:
        if op.action == "unchanged":
            continue
        organisation = _resolve(op.target)
        user = op.user
        if user is None:
            user = User(username=op.username)
            before = {}
        else:
            before = _user_snapshot(user)
        user.full_name, user.organisation, user.role = op.full_name, organisation, op.role
        for attr in ("title", "phone", "email"):
            if getattr(op, attr):
                setattr(user, attr, getattr(op, attr))
        if op.user is None:
            password = password_generate()
            try:
                validate_password(password, user)
            except ValidationError:  # a validator an office added: try once more, then let it say why
                password = password_generate()
                validate_password(password, user)
            user.set_password(password)
            user.must_change_password = True  # the office knows it: the user chooses their own
            created.append((user, password))
        user.save()
        orgs_changed.send(by=by, instance=user, action=op.action, before=before, after=_user_snapshot(user))
    if errors:
        transaction.set_rollback(True)
        raise BulkRefused(errors)
    return created


# Files the office downloads -----------------------------------------------------------------------


def template_workbook():
    """The blank template: the 单位 and 用户 sheets with their headers (drop-down lists for 类型 and 角色),
    and a 说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override("zh-hans"):
        role_labels = [str(label) for _v, label in Role.choices]
    workbook = Workbook()
    orgs = workbook.active
    orgs.title = ORG_SHEET
    users = workbook.create_sheet(USER_SHEET)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for ws, columns in ((orgs, ORG_COLUMNS), (users, USER_COLUMNS)):
        ws.append([c.label for c in columns])
        for index, column in enumerate(columns):
            cell = ws.cell(row=1, column=index + 1)
            cell.font = Font(bold=True, color="C00000" if column.required else "000000")
            cell.fill = fill
            ws.column_dimensions[column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"区县,市直部门,业主单位"', allow_blank=True)
    orgs.add_data_validation(kinds)
    kinds.add(f"A2:A{MAX_ROWS + 1}")
    roles = DataValidation(type="list", formula1='"' + ",".join(role_labels) + '"', allow_blank=True)
    users.add_data_validation(roles)
    roles.add(f"D2:D{MAX_ROWS + 1}")
    # Phone numbers stay text: Excel would show 13800138000 as 1.38E+10.
    for row in range(2, 202):
        users.cell(row=row, column=6).number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 100
    for line in (
        "填写说明（红色表头为必填列；本表不导入）",
        "“单位”表：类型填 区县、市直部门 或 业主单位；名称填全称。",
        "  简称会同时作为别名保存；别名可填多个，用顿号或逗号分隔；"
        "导入清单时按名称、别名和规范化名称匹配单位。",
        "  所在城区：市直部门、业主单位可填，写城区名称（可以是本表中新增的区县）。",
        "  系统中已有的单位按名称、别名或规范化名称（如“市发展改革委”即“市发展和改革委员会”）匹配，"
        "只补充填写的内容，不改名称和类型。",
        "“用户”表：单位可写全称、简称或别名，也可以是“单位”表中新增的单位。",
        "  角色：" + "、".join(role_labels) + "；角色须与单位类型一致（如“市直部门”角色只能属于市直部门）。",
        "  已有的用户名只更新与表中不同的内容（空白的选填项不改）；"
        "新用户的初始密码在导入完成后显示一次，请及时下载并分发。",
        "上传后先预览：列出将新增、更新的单位和用户，以及每一行的所有问题；确认后一次写入，有任何问题则整个文件都不导入。",
    ):
        notes.append([line])
    notes["A1"].font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def passwords_workbook(created: list[tuple[User, str]]) -> bytes:
    """The new accounts and their initial passwords, as an .xlsx for the office to hand out."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    ws = workbook.active
    ws.title = _("初始密码")
    ws.append([_("用户名"), _("姓名"), _("单位"), _("角色"), _("初始密码")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for user, password in created:
        values = [user.username, user.full_name, user.organisation.name, user.get_role_display(), password]
        ws.append([text_cell(ws, v) for v in values])
    for letter, width in zip("ABCDE", (16, 12, 36, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
