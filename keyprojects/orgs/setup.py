"""First installation: the office organisation, its first admin account, and the districts, departments
and owners an office starts with (from a pasted list or a small Excel). Used by `manage.py setup_office`
and by the first-login page (/setup/); every check names the value or the row it refuses."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from keyprojects.lib.text import normalise_name
from keyprojects.lib.xlsx import column_letter
from keyprojects.orgs.models import Organisation, User

Kind = Organisation.Kind
DEFAULT_OFFICE_NAME = "市重点项目建设办公室"
NAME_MAX = Organisation._meta.get_field("name").max_length
SHORT_NAME_MAX = Organisation._meta.get_field("short_name").max_length

# What the 类型 column of an organisations file may say, normalised → the kind.
KIND_WORDS = {
    "区县": Kind.DISTRICT,
    "城区": Kind.DISTRICT,
    "县区": Kind.DISTRICT,
    "县": Kind.DISTRICT,
    "区": Kind.DISTRICT,
    "开发区": Kind.DISTRICT,
    "城区/县/开发区": Kind.DISTRICT,
    "部门": Kind.DEPARTMENT,
    "市直部门": Kind.DEPARTMENT,
    "业主单位": Kind.OWNER,
    "业主": Kind.OWNER,
    "项目业主": Kind.OWNER,
    "建设单位": Kind.OWNER,
}
# A pasted list: names separated by commas (either width), 顿号, semicolons or line breaks.
_SEPARATORS = re.compile(r"[,，、;；\n\r]+")
FILE_MAX_ROWS = 5000


@dataclass(frozen=True)
class OrgRow:
    kind: str
    name: str
    short_name: str = ""
    where: str = ""  # where it was read, for messages: "--districts 第 2 个", "orgs.xlsx 第 3 行"


class SetupError(ValidationError):
    """Input refused: .messages holds one located Chinese message per problem."""


def needs_setup() -> bool:
    """Whether this is a first installation: no office organisation and no user at all."""
    return not Organisation.objects.filter(kind=Kind.OFFICE).exists() and not User.objects.exists()


def office_get() -> Organisation | None:
    return Organisation.objects.filter(kind=Kind.OFFICE).order_by("id").first()


def parse_name_list(text: str, *, kind: str, label: str) -> list[OrgRow]:
    """The names of TEXT ("兴宁区,青秀区、江南区") as rows of KIND; LABEL (the option) locates them.
    Empty items (a trailing comma) are skipped; a name too long is refused."""
    rows, errors = [], []
    for i, raw in enumerate(_SEPARATORS.split(text or ""), start=1):
        name = normalise_name(raw)
        if not name:
            continue
        where = _("%(label)s 第 %(n)s 个名称") % {"label": label, "n": i}
        if len(name) > NAME_MAX:
            errors.append(
                _("%(where)s“%(name)s”超过 %(max)s 个字。") % {"where": where, "name": name, "max": NAME_MAX}
            )
            continue
        rows.append(OrgRow(kind=kind, name=name, where=where))
    if errors:
        raise SetupError(errors)
    return rows


def read_org_file(path: Path) -> list[OrgRow]:
    """The rows of an organisations file (.xlsx: columns 类型, 名称, 简称 optional, a header row at the
    top). Every problem of the file is reported at once, each with its row and column."""
    import openpyxl

    name = Path(path).name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise SetupError([_("无法读取 %(file)s：不是有效的 .xlsx 文件。") % {"file": name}]) from None
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True, max_row=FILE_MAX_ROWS + 10)
        header_row, columns = _find_header(lines, name)
        rows, errors = [], []
        for number, values in enumerate(lines, start=header_row + 1):
            if number > header_row + FILE_MAX_ROWS:
                errors.append(_("%(file)s 超过 %(max)s 行。") % {"file": name, "max": FILE_MAX_ROWS})
                break
            cells = {key: _cell(values, index) for key, index in columns.items()}
            if not any(cells.values()):
                continue
            where = _("%(file)s 第 %(row)s 行") % {"file": name, "row": number}
            row, row_errors = _file_row(cells, columns, where)
            errors += row_errors
            if row is not None:
                rows.append(row)
    finally:
        workbook.close()
    if errors:
        raise SetupError(errors)
    if not rows:
        raise SetupError([_("%(file)s 中没有单位。") % {"file": name}])
    return rows


def _find_header(lines, name) -> tuple[int, dict[str, int]]:
    for number, values in enumerate(lines, start=1):
        texts = [normalise_name(str(v)) if v is not None else "" for v in values]
        if "类型" in texts and "名称" in texts:
            columns = {"kind": texts.index("类型"), "name": texts.index("名称")}
            if "简称" in texts:
                columns["short_name"] = texts.index("简称")
            return number, columns
        if number >= 5:
            break
    raise SetupError(
        [_("%(file)s 的前 5 行中找不到表头：需要“类型”和“名称”两列（“简称”可选）。") % {"file": name}]
    )


def _cell(values, index) -> str:
    value = values[index] if index < len(values) else None
    return normalise_name(str(value)) if value is not None else ""


def _file_row(cells, columns, where) -> tuple[OrgRow | None, list[str]]:
    errors = []

    def refuse(key, label, message):
        errors.append(
            _("%(where)s %(letter)s列“%(label)s”：%(message)s")
            % {"where": where, "letter": column_letter(columns[key]), "label": label, "message": message}
        )

    kind = KIND_WORDS.get(cells["kind"])
    if not cells["kind"]:
        refuse("kind", "类型", _("未填写（应为 区县、部门 或 业主单位）。"))
    elif kind is None:
        refuse(
            "kind",
            "类型",
            _("不认识的类型“%(value)s”，应为 区县、部门 或 业主单位。") % {"value": cells["kind"]},
        )
    if not cells["name"]:
        refuse("name", "名称", _("未填写。"))
    elif len(cells["name"]) > NAME_MAX:
        refuse(
            "name", "名称", _("“%(value)s”超过 %(max)s 个字。") % {"value": cells["name"], "max": NAME_MAX}
        )
    short_name = cells.get("short_name", "")
    if len(short_name) > SHORT_NAME_MAX:
        refuse(
            "short_name",
            "简称",
            _("“%(value)s”超过 %(max)s 个字。") % {"value": short_name, "max": SHORT_NAME_MAX},
        )
    if errors:
        return None, errors
    return OrgRow(kind=kind, name=cells["name"], short_name=short_name, where=where), []


def organisations_check(rows: list[OrgRow], *, office_name: str = "") -> list[OrgRow]:
    """ROWS without repeats and without those that already exist as given; refused (every problem at
    once) when a name is given twice with different kinds, or already belongs to an organisation of
    another kind (or is the office's name, OFFICE_NAME, not yet created)."""
    errors, seen, new = [], {}, []
    existing = {
        normalise_name(o["name"]): o for o in Organisation.objects.values("name", "kind", "short_name")
    }
    kinds = dict(Kind.choices)
    for row in rows:
        key = normalise_name(row.name)
        earlier = seen.get(key)
        if earlier is not None:
            if earlier.kind != row.kind:
                errors.append(
                    _("%(where)s“%(name)s”已在 %(earlier)s 列为“%(kind)s”，同一名称不能是两类单位。")
                    % {
                        "where": row.where,
                        "name": row.name,
                        "earlier": earlier.where,
                        "kind": kinds[earlier.kind],
                    }
                )
            continue
        seen[key] = row
        found = existing.get(key)
        if found is not None and found["kind"] != row.kind:
            errors.append(
                _("%(where)s“%(name)s”：系统中已有同名的“%(kind)s”类单位。")
                % {"where": row.where, "name": row.name, "kind": kinds[found["kind"]]}
            )
        elif office_name and key == normalise_name(office_name):
            errors.append(_("%(where)s“%(name)s”与重点办同名。") % {"where": row.where, "name": row.name})
        elif found is None:
            new.append(row)
    if errors:
        raise SetupError(errors)
    return new


def organisations_create(rows: list[OrgRow]) -> dict[str, int]:
    """Create the organisations of ROWS that do not exist yet (organisations_check first); return the
    number created of each kind. Sort follows the order given, after those already there."""
    start = {
        kind: Organisation.objects.filter(kind=kind).count()
        for kind in (Kind.DISTRICT, Kind.DEPARTMENT, Kind.OWNER)
    }
    created = dict.fromkeys(start, 0)
    objs = []
    for row in rows:
        created[row.kind] += 1
        objs.append(
            Organisation(
                kind=row.kind,
                name=row.name,
                short_name=row.short_name,
                sort=start[row.kind] + created[row.kind],
            )
        )
    Organisation.objects.bulk_create(objs)
    return created


def admin_check(*, username: str, password: str, full_name: str = "") -> None:
    """Refuse a username that is invalid or taken, or a password the validators reject."""
    errors = []
    field = User._meta.get_field("username")
    username = (username or "").strip()
    if not username:
        errors.append(_("用户名不能为空。"))
    else:
        try:
            for validator in field.validators:
                validator(username)
        except ValidationError:
            errors.append(
                _("用户名“%(name)s”无效：只能使用字母、数字和 @ . + - _，最多 %(max)s 个字符。")
                % {"name": username, "max": field.max_length}
            )
        if User.objects.filter(username=username).exists():
            errors.append(_("用户名“%(name)s”已被使用。") % {"name": username})
    try:
        validate_password(password, User(username=username, full_name=full_name))
    except ValidationError as exc:
        errors += [_("密码不符合要求：%(reason)s") % {"reason": m} for m in exc.messages]
    if errors:
        raise SetupError(errors)


@transaction.atomic
def office_setup(
    *,
    name: str,
    username: str,
    password: str,
    full_name: str = "",
    organisations: list[OrgRow] = (),
    must_change: bool = False,
) -> tuple[Organisation, User, dict[str, int]]:
    """Create the office organisation NAME, its first admin (USERNAME, PASSWORD) and ORGANISATIONS, in
    one transaction; refused, with every reason, when an office exists or anything is invalid.
    MUST_CHANGE: the password was given on someone else's behalf (the command line), the admin chooses
    their own at the first login."""
    name = normalise_name(name)
    errors = []
    if connection.vendor == "postgresql":
        # Two first visitors at once: the second waits here, then finds the office the first made.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Organisation._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    office = office_get()
    if office is not None:
        raise SetupError([_("系统中已有重点办单位“%(name)s”。") % {"name": office.name}])
    if not name:
        errors.append(_("重点办名称不能为空。"))
    elif len(name) > NAME_MAX:
        errors.append(_("重点办名称超过 %(max)s 个字。") % {"max": NAME_MAX})
    elif Organisation.objects.filter(name=name).exists():
        errors.append(_("系统中已有名为“%(name)s”的其他类单位。") % {"name": name})
    for check in (
        lambda: admin_check(username=username, password=password, full_name=full_name),
        lambda: organisations_check(list(organisations), office_name=name),
    ):
        try:
            check()
        except SetupError as exc:
            errors += exc.messages
    if errors:
        raise SetupError(errors)
    office = Organisation.objects.create(kind=Kind.OFFICE, name=name)
    admin = User.objects.create_user(
        username=username.strip(),
        password=password,
        organisation=office,
        role=User.Role.OFFICE_ADMIN,
        full_name=full_name,
        # The admin site keeps the reference data (sectors, escalation levels, users).
        is_staff=True,
        is_superuser=True,
        must_change_password=must_change,
    )
    created = organisations_create(organisations_check(list(organisations), office_name=name))
    return office, admin, created
