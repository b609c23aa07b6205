"""plan: every parsed row resolved against the database, and what importing it would do.

For each row: which project it means (by code, else by name under its owner), its owner (new owners
are created), district, sector, departments and leader; whether its entry on the year's list would be
created, updated or left as it is, and what would change. The entry's figures are checked by the
list's own rules (plans.entry_rules), so that a row breaking them is refused with its place in the
file. The plan is what the preview shows the office; it reads only, and apply writes it.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from keyprojects.lib.money import format_wan
from keyprojects.lib.text import normalise_name
from keyprojects.orgs.models import Organisation
from keyprojects.plans.entry_rules import assumed_completion, assumed_start, investment_errors, plan_errors
from keyprojects.plans.imports.header import FIELD_LABELS, MONEY_FIELDS
from keyprojects.plans.imports.lookups import NAME_KINDS, Lookups
from keyprojects.plans.imports.names import UnknownName, unknown_from
from keyprojects.plans.imports.rejections import Rejection, shown
from keyprojects.plans.imports.rows import Parsed, Row, parse_file
from keyprojects.plans.models import AnnualEntry, Batch, Category

NEW_PROJECT_FIELDS = (
    "name",
    "code",
    "owner_key",
    "owner_id",
    "district_id",
    "sector_id",
    "location",
    "content",
    "total_investment",
    "start_year",
    "end_year",
    "leader_id",
    "contact",
    "phone",
)


@dataclass(slots=True)  # one per row of a list that may have 100,000
class PlannedRow:
    row: int
    name: str
    owner: str
    action: str  # "create", "update", "unchanged"
    category: str
    planned: int | None
    total: int | None
    project_id: int | None = None
    entry_id: int | None = None
    # project_create's fields, owner by key when new: values in NEW_PROJECT_FIELDS' order (a tuple
    # is a quarter of a dict's size, and a list may have 100,000 of these); see project_fields().
    new_project: tuple | None = None
    fill: dict | None = None  # empty registry fields to fill
    entry: dict = field(default_factory=dict)
    departments: tuple | None = None  # organisation ids, in order; None: the file has no such column
    changes: list | tuple = ()  # a list once there is one
    notes: list | tuple = ()
    assumed: Rejection | None = None  # the completion month the list lacked, taken by rule (待补充)

    def project_fields(self) -> dict:
        """The new project's fields by name."""
        return dict(zip(NEW_PROJECT_FIELDS, self.new_project, strict=True))

    def change(self, text: str) -> None:
        if not self.changes:
            self.changes = []
        self.changes.append(text)

    def note(self, text: str) -> None:
        if not self.notes:
            self.notes = []
        self.notes.append(text)

    def as_dict(self):
        return {
            "row": self.row,
            "name": self.name,
            "owner": self.owner,
            "action": self.action,
            "category": self.category,
            "planned": self.planned,
            "total": self.total,
            "new_project": self.new_project is not None,
            "project_id": self.project_id,
            "changes": list(self.changes),
            "notes": list(self.notes),
            "assumed": self.assumed is not None,
        }


@dataclass
class Plan:
    year: int
    parsed: Parsed
    rows: list = field(default_factory=list)
    rejections: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    new_owners: dict = field(default_factory=dict)  # owner key → name as written
    refused_rows: set = field(default_factory=set)  # Excel rows with a reason of their own
    unknown: dict = field(default_factory=dict)  # (kind, key) → UnknownName: a question, not a rejection
    waiting_rows: set = field(default_factory=set)  # Excel rows that use an unknown name
    made: dict = field(default_factory=dict)  # what the office's answers created (names.names_resolve)
    _shared: dict = field(default_factory=dict, repr=False)  # see shared()

    def __post_init__(self):
        self._taken = {(r.row, r.letter or r.column) for r in self.rejections}
        self.refused_rows.update(r.row for r in self.rejections if r.row)

    def shared(self, text: str) -> str:
        """TEXT, or the equal string met before: a message many rows carry is kept once."""
        return self._shared.setdefault(text, text)

    def add(self, rejection: Rejection) -> None:
        """Keep REJECTION unless its cell is already rejected: one reason a cell, the first found (a
        cell that cannot be read is not also "missing"). Every cell of a row has its own."""
        where = (rejection.row, rejection.letter or rejection.column)
        if rejection.row:
            self.refused_rows.add(rejection.row)
        if where not in self._taken:
            self._taken.add(where)
            self.rejections.append(rejection)

    def reject(self, row, f, message, value="") -> None:
        """Reject ROW at the column of field F (or at Column F). When the file has no such column the
        rejection names the field, without a letter: the office adds the column or the section."""
        header = self.parsed.header
        column = header.by_field.get(f) if isinstance(f, str) else f
        if column is None and isinstance(f, str):
            label, letter = _(FIELD_LABELS[f]) + _("（文件中无此列）"), ""
        else:
            label, letter = (column.label, column.letter) if column else ("", "")
        self.add(
            Rejection(
                message,
                sheet=header.sheet,
                row=row.row,
                column=label,
                letter=letter,
                value=shown(value),
            )
        )

    def ask(self, kind, name, row, look) -> None:
        """NAME (of KIND) is not known: ROW waits for the office to map or create it."""
        key = look.key(kind, name)
        unknown = self.unknown.get((kind, key))
        if unknown is None:
            unknown = self.unknown[(kind, key)] = unknown_from(kind, name, key, look.match(kind, name))
        if not unknown.rows or unknown.rows[-1] != row.row:  # rows come in file order
            unknown.rows.append(row.row)
        if not unknown.default:
            self.waiting_rows.add(row.row)

    def unknown_names(self) -> list[UnknownName]:
        """Every unknown name, by kind (NAME_KINDS' order), then in the order the file uses them."""
        order = {kind: n for n, kind in enumerate(NAME_KINDS)}
        return sorted(self.unknown.values(), key=lambda u: (order[u.kind], u.rows[0] if u.rows else 0))

    @property
    def ok(self):
        """Ready to apply: no row refused, no row waiting for an answer about a name."""
        return not self.rejections and not self.waiting_rows

    def counts(self):
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["new_projects"] = sum(1 for r in self.rows if r.new_project is not None)
        counts["new_owners"] = len(self.new_owners)
        counts["rejected_rows"] = len({r.row for r in self.rejections if r.row})
        counts["waiting_rows"] = len(self.waiting_rows - self.refused_rows)
        counts["unknown_names"] = len(self.unknown)
        counts["rows"] = len(self.parsed.rows)
        return counts

    def totals(self):
        """The money of every project row the file has (planned, waiting or refused): what its 合计 row
        should say."""
        return {
            "planned": sum(r.planned or 0 for r in self.parsed.rows),
            "total": sum(r.total or 0 for r in self.parsed.rows),
        }

    def waiting(self) -> list[dict]:
        """The rows that wait for an answer about a name, with the names they wait for."""
        names = {}
        for u in self.unknown_names():
            if not u.default:
                for row in u.rows:
                    names.setdefault(row, []).append(u.name)
        rows = self.waiting_rows - self.refused_rows
        return [
            {
                "row": r.row,
                "name": r.name,
                "owner": r.owner,
                "action": "waiting",
                "category": r.category,
                "planned": r.planned,
                "total": r.total,
                "new_project": False,
                "project_id": None,
                "changes": [],
                "notes": [_("待确认：%(names)s") % {"names": "、".join(names.get(r.row, []))}],
                "assumed": False,
            }
            for r in self.parsed.rows
            if r.row in rows
        ]

    def summary(self):
        header = self.parsed.header
        return {
            "sheet": header.sheet,
            "header_rows": header.excel_rows(),
            "sheet_unit": header.sheet_unit,
            "columns": [
                {
                    "letter": c.letter,
                    "label": c.label,
                    "field": c.field or "",
                    "field_label": _(FIELD_LABELS[c.field]) if c.field else "",
                    "unit": c.unit if c.field in MONEY_FIELDS else "",
                }
                for c in header.columns
            ],
            "sheets_ignored": self.parsed.sheets_ignored,
            "sections": [
                {"row": s.row, "label": s.label, "count": s.count, "projects": s.projects}
                for s in self.parsed.sections
            ],
            "counts": self.counts(),
            "totals": self.totals(),
            "file_totals": self.parsed.file_totals,
            "warnings": [w.as_dict() for w in self.warnings],
            "new_owners": list(self.new_owners.values()),
            "unknown": [u.as_dict() for u in self.unknown_names()],
            "rows": [r.as_dict() for r in self.rows] + self.waiting(),
        }


def _section_rejection(plan, section, message):
    column = section.column
    return Rejection(
        message,
        sheet=plan.parsed.header.sheet,
        row=section.row,
        column=column.label if column else "",
        letter=column.letter if column else "",
        value=section.label,
    )


PROJECT_LABELS = {
    "code": "项目代码",
    "location": "建设地点",
    "content": "建设内容及规模",
    "contact": "联系人",
    "phone": "联系电话",
    "leader_id": "联系市领导",
}
ENTRY_LABELS = {
    "category": "项目类别",
    "planned_investment": "年度计划投资",
    "completed_before_year": "截至上年底累计完成投资",
    "goal": "形象进度目标",
    "planned_start_month": "计划开工月份",
    "planned_completion_month": "计划竣工月份",
    "completion_month_assumed": "计划竣工月份待补充",
    "start_month_assumed": "计划开工月份待补充",
    "leader_id": "联系市领导",
    "note": "备注",
}


def _entry_change(name, old, new, look):
    def show(value):
        if value in (None, ""):
            return "—"
        if name in ("planned_investment", "completed_before_year"):
            return format_wan(value) + _("万元")
        if name == "category":
            return str(Category(value).label)
        if name == "leader_id":
            return look.leader_names.get(value, "?")
        if isinstance(value, bool):
            return _("是") if value else _("否")
        text = str(value)
        return text if len(text) <= 20 else text[:19] + "…"

    return _("%(field)s：%(old)s → %(new)s") % {
        "field": _(ENTRY_LABELS[name]),
        "old": show(old),
        "new": show(new),
    }


def _refuse(plan, row, f, message, value=""):
    """Refuse ROW for this reason, and go on looking for its others: the office sees them all at once."""
    plan.reject(row, f, message, value)


def build_plan(parsed: Parsed, *, year: int, resolved: dict | None = None, progress=None) -> Plan:
    """Match every parsed row against the database: the project (by code, else by normalised name and
    owner), its owner, district, sector, departments and leader; and decide what creating or updating its
    entry for YEAR would change. A name the system does not know (and RESOLVED, {(kind, key): id}, does
    not answer) is asked, not refused: its rows wait. Reads only."""
    plan = Plan(year=year, parsed=parsed, rejections=list(parsed.rejections), warnings=list(parsed.warnings))
    look = Lookups(parsed, year, resolved=resolved)
    # The first row of each project (its id, else its code, else name and owner) and of each code; an
    # id, a code and a (name, owner) pair cannot be equal, so one dict holds the projects.
    seen, seen_codes = {}, {}
    for n, row in enumerate(parsed.rows):
        if progress and n % 250 == 0:
            progress(n, len(parsed.rows))
        planned_row = _plan_row(row, look, plan)
        if planned_row is None or row.row in plan.refused_rows:
            continue
        key = planned_row.project_id or row.code or (row.name_key, row.owner_key)
        if key in seen:
            plan.reject(
                row, "name", _("与第 %(row)s 行是同一个项目，重复列出。") % {"row": seen[key]}, row.name
            )
            continue
        if row.code:
            if row.code in seen_codes:
                plan.reject(
                    row, "code", _("项目代码与第 %(row)s 行重复。") % {"row": seen_codes[row.code]}, row.code
                )
                continue
            seen_codes[row.code] = row.row
        seen[key] = row.row
        plan.rows.append(planned_row)
        if planned_row.assumed is not None:
            plan.warnings.append(planned_row.assumed)
    if progress:
        progress(len(parsed.rows), len(parsed.rows))
    plan.warnings.extend(_totals_warnings(parsed))
    plan.rejections.sort(key=lambda r: (r.row or 0, r.letter))
    return plan


def _totals_warnings(parsed: Parsed) -> list:
    """The file's 合计 row against its rows (every project row read, refused or not): worth a look,
    not a rejection, with both figures. Each stated figure may be off by its own rounding."""
    warnings = []
    if parsed.totals_row is None:
        return warnings
    header = parsed.header
    for f in MONEY_FIELDS:
        stated = parsed.file_totals.get(f)
        if stated is None:
            continue
        rows = sum(getattr(r, f) or 0 for r in parsed.rows)
        if abs(stated - rows) > parsed.totals_tolerance.get(f, 0):
            column = header.by_field[f]
            warnings.append(
                Rejection(
                    _(
                        "“合计”行的%(field)s为 %(stated)s 万元，各项目之和为 %(rows)s 万元，"
                        "相差 %(diff)s 万元。"
                    )
                    % {
                        "field": _(FIELD_LABELS[f]),
                        "stated": format_wan(stated),
                        "rows": format_wan(rows),
                        "diff": format_wan(abs(stated - rows)),
                    },
                    sheet=header.sheet,
                    row=parsed.totals_row,
                    column=column.label,
                    letter=column.letter,
                    value=format_wan(stated),
                )
            )
    if parsed.totals_count is not None and parsed.totals_count != len(parsed.rows):
        warnings.append(
            Rejection(
                _("“合计”行注明 %(count)s 项，文件中实际有 %(n)s 个项目。")
                % {"count": parsed.totals_count, "n": len(parsed.rows)},
                sheet=header.sheet,
                row=parsed.totals_row,
            )
        )
    return warnings


def _plan_row(row: Row, look: Lookups, plan: Plan) -> PlannedRow | None:
    """What ROW would create or change, or None when it is refused (the reasons added to PLAN). Every
    check runs, in the order the office reads the row, so that all the problems of a row are reported
    at once; a check that needs what an earlier one could not find is left out (that reason stands)."""
    project, owner_id = _match_project(row, look, plan)
    sector_id, section_department = _section_sector(row, look, plan)
    if row.category is None and "category" not in row.errors:
        plan.reject(
            row,
            "category",
            _(
                "无法确定项目类别：请在分组行（如“一、新开工项目（60项）”）或“项目类别”列注明"
                "新开工、续建、竣工投产或预备。"
            ),
        )
    if row.sector_column:
        sector_id = look.sector_for(row.sector_column)
        if sector_id is None:
            plan.ask("sector", row.sector_column, row, look)
    departments = _departments(row, look, plan, section_department)
    leader_id = _leader(row, look, plan)
    planned = PlannedRow(
        row=row.row,
        name=row.name,
        owner=row.owner,
        action="create",
        category=row.category,
        planned=row.planned,
        total=row.total if row.total is not None else (project or {}).get("total_investment"),
    )
    if project is None:
        if len(look.by_name.get((row.name_key, owner_id), ())) < 2:  # else which one is asked already
            _plan_new_project(planned, row, look, plan, owner_id, sector_id, leader_id, departments)
    else:
        _plan_registry_fill(planned, row, look, project, leader_id, departments)
    if row.category is not None:
        _plan_entry(planned, row, look, plan, project, leader_id, departments)
    if row.row in plan.refused_rows or row.row in plan.waiting_rows:
        return None
    if row.owner_key is None or row.category is None:
        return None
    return planned


def _match_project(row, look, plan) -> tuple[dict | None, int | None]:
    """The project ROW means, by code, else by normalised name under its owner (None: a new project),
    and its owner's id (None: a new owner)."""
    project = None
    owner_id = None
    if row.owner_key:
        owner_id = look.owner_for(row.owner)
        org = look.orgs_by_key.get(row.owner_key)
        if owner_id is None and org is not None and org["kind"] != Organisation.Kind.OWNER:
            _refuse(
                plan,
                row,
                "owner",
                _("“%(name)s”在系统中登记为%(kind)s，不是项目业主。")
                % {"name": org["name"], "kind": Organisation.Kind(org["kind"]).label},
                row.owner,
            )
        elif owner_id is None:
            plan.ask("owner", row.owner, row, look)
    if row.code and row.code in look.by_code:
        project = look.by_code[row.code]
    elif owner_id is not None:
        same = look.by_name.get((row.name_key, owner_id), [])
        if len(same) > 1:
            _refuse(
                plan,
                row,
                "name",
                _("该业主下有 %(n)s 个同名项目，无法确定是哪一个：请填写项目代码。") % {"n": len(same)},
                row.name,
            )
        if same:
            project = same[0]
            if row.code and project["code"] and project["code"] != row.code:
                _refuse(
                    plan,
                    row,
                    "code",
                    _("按名称和业主匹配到已有项目，但其项目代码为 %(code)s，与文件不一致。")
                    % {"code": project["code"]},
                    row.code,
                )
    return project, owner_id  # no owner: rejected when the row was read


# A group section that names a body (市住房城乡建设局, 青秀区政府), not a sector: an unknown department.
LOOKS_LIKE_A_BODY = re.compile(r"(?:局|委|办|厅|院|部|中心|政府|管委会|公司|集团)$")
# The district a 建设地点 starts with: 兴宁区 of 兴宁区东片区, 南宁经济技术开发区 of 南宁经济技术开发区内,
# 横州市 of 横州市六景镇 (a county-level city, followed by a town or nothing).
DISTRICT_AT_START = re.compile(
    r"^(?P<name>[\u4e00-\u9fff]{1,10}?(?:开发区|新区|区|县|旗)"
    r"|[\u4e00-\u9fff]{2,4}市(?=$|[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|园区)))"
)


def _section_sector(row, look, plan) -> tuple[int | None, int | None]:
    """(sector id, department id) from the sections above ROW: a "group" section is a sector or a
    responsible unit, a second-level one a sector."""
    sector_id = None
    section_department = None
    if row.department_section:
        section = row.department_section
        sector_id = look.sector_for(section.value)
        if sector_id is None:
            section_department = look.org_for("department", section.value)
            if section_department is None and LOOKS_LIKE_A_BODY.search(normalise_name(section.value)):
                plan.ask("department", section.value, row, look)
            elif section_department is None:
                plan.add(
                    _section_rejection(
                        plan,
                        section,
                        _(
                            "无法识别的分组“%(label)s”：应为项目类别（新开工、续建、竣工投产、预备）、"
                            "行业领域（%(sectors)s）或责任单位。"
                        )
                        % {"label": section.label, "sectors": "、".join(look.sector_names)},
                    )
                )
                plan.refused_rows.add(row.row)
    if row.sector:
        section = row.sector
        sector_id = look.sector_for(section.value)
        if sector_id is None:
            plan.ask("sector", section.value, row, look)
    return sector_id, section_department


def _departments(row, look, plan, section_department) -> tuple | None:
    """The responsible departments' ids, in order: the column's, else the section's; None when the
    row names none."""
    if not row.departments:
        return None if section_department is None else plan.shared((section_department,))
    departments = []
    for name in row.departments:
        org_id = look.org_for("department", name)
        if org_id is None:
            plan.ask("department", name, row, look)
        elif org_id not in departments:
            departments.append(org_id)
    return plan.shared(tuple(departments))  # rows often name the same ones: kept once


def _leader(row, look, plan) -> int | None:
    """The first leader named (the list keeps one), by name or inside what was written."""
    if not row.leaders:
        return None
    leader_id, missing = None, False
    for name in row.leaders:
        found = look.leader_for(name)
        if found is None:
            # A leader the system does not know yet: kept as a person (no account needed) once the
            # office creates or maps them in the preview.
            plan.ask("leader", name, row, look)
            missing = True
        elif leader_id is None:
            leader_id = found
    if missing:
        return None
    if len(row.leaders) > 1:
        plan.warnings.append(
            Rejection(
                _("列出了多位联系市领导，清单只记第一位：%(name)s。")
                % {"name": look.leader_names[leader_id]},
                sheet=plan.parsed.header.sheet,
                row=row.row,
                column=plan.parsed.header.by_field["leader"].label,
                value="、".join(row.leaders),
            )
        )
    return leader_id


def _plan_new_project(planned, row, look, plan, owner_id, sector_id, leader_id, departments) -> None:
    """A new project: everything project_create needs must be in the row."""
    district_id, several = look.district_for(row.district or "", row.location or "")
    if district_id is None:
        if several:
            message = _("涉及多个城区（%(names)s），请在“所在城区”列注明项目归属的城区。") % {
                "names": "、".join(several)
            }
        elif row.district or DISTRICT_AT_START.match(normalise_name(row.location)):
            # A district column, or a 建设地点 that starts with a district's name (青秀区, 兴宁区东片区):
            # the office maps or creates that name.
            message = None
            written = row.district or DISTRICT_AT_START.match(normalise_name(row.location))["name"]
            plan.ask("district", written, row, look)
        elif look.districts:
            message = _(
                "无法确定所在城区：“所在城区”或“建设地点”中须包含系统中的城区名称（如 %(example)s）。"
            ) % {"example": "、".join(d[2] for d in look.districts[:3])}
        else:
            message = _(
                "无法确定所在城区：系统中还没有城区。请在“所在城区”列或“建设地点”开头写明城区（如 青秀区），"
                "导入时确认新建；或先在“单位”中添加城区。"
            )
        where = "district" if "district" in plan.parsed.header.by_field else "location"
        if message:
            _refuse(plan, row, where, message, row.district or row.location)
    # An unknown sector is asked once, not refused again at each of its projects.
    asked = row.sector is not None or row.sector_column
    if sector_id is None and not asked and (row.department_section is None or departments):
        _refuse(
            plan,
            row,
            "sector",
            _(
                "新项目缺少行业领域：请在分组行（如“（一）产业项目”）或“行业领域”列注明。系统中的行业领域：%(sectors)s。"
            )
            % {"sectors": "、".join(look.sector_names)},
        )
    if row.total is None:
        _refuse(plan, row, "total", _("新项目须填写总投资。"))
    if row.years is None:
        _refuse(plan, row, "years", _("新项目须填写建设起止年限（如 2025-2028）。"))
    if row.row in plan.refused_rows or row.row in plan.waiting_rows or row.owner_key is None:
        return
    if owner_id is None:
        plan.new_owners.setdefault(row.owner_key, row.owner)
    planned.new_project = (  # NEW_PROJECT_FIELDS
        row.name[:200],
        row.code or None,
        row.owner_key,
        owner_id,
        district_id,
        sector_id,
        (row.location or "")[:200],
        row.content or "",
        row.total,
        row.years[0],
        row.years[1],
        leader_id,
        (row.contact or "")[:30],
        (row.phone or "")[:30],
    )
    planned.departments = departments
    if row.category in (Category.CONTINUING, Category.COMPLETING):
        planned.note(
            plan.shared(
                _(
                    "新项目按“谋划储备”入库；清单类别为%(category)s，请在项目页登记实际开工日期并转入相应阶段。"
                )
                % {"category": Category(row.category).label}
            )
        )


def _plan_registry_fill(planned, row, look, project, leader_id, departments) -> None:
    """A project already registered: its registry fields are the registry's, only empty ones are
    filled from the file; the row's departments are added to the project's."""
    planned.project_id = project["id"]
    values = {
        "code": row.code,
        "location": (row.location or "")[:200],
        "content": row.content,
        "contact": (row.contact or "")[:30],
        "phone": (row.phone or "")[:30],
        "leader_id": leader_id,
    }
    for name, value in values.items():
        if value and not project[name]:
            if name == "code" and row.code in look.by_code:
                continue
            if planned.fill is None:
                planned.fill = {}
            planned.fill[name] = value
            planned.change(_("项目%(field)s：补填") % {"field": _(PROJECT_LABELS[name])})
    if departments is not None:
        planned.departments = departments
        have = look.project_departments.get(project["id"], set())
        added = [d for d in departments if d not in have]
        if added:  # entry_create / entry_update add them to the project
            planned.change(
                _("项目责任单位：增加 %(names)s")
                % {"names": "、".join(look.department_names.get(d, "?") for d in added)}
            )


def _plan_entry(planned, row, look, plan, project, leader_id, departments) -> PlannedRow:
    """The entry for the year: created, or its differences from the entry already on the list."""
    entry = {
        "category": row.category,
        "planned_investment": row.planned,
        "completed_before_year": row.completed_before,
        "goal": row.goal,
        "planned_start_month": row.start,
        "planned_completion_month": row.completion,
        "leader_id": leader_id,
        "note": row.note,
    }
    # An empty cell leaves what the entry has; a value replaces it.
    planned.entry = {k: v for k, v in entry.items() if v not in (None, "")}
    existing = look.entries.get(planned.project_id) if planned.project_id else None
    final = {**(existing or {}), **planned.entry}
    _assume_completion(planned, row, plan, project, existing, final)
    _assume_start(planned, row, plan, existing, final)
    # The list's own rules (plans.entry_rules), checked here so that they reject the row with its
    # place in the file instead of failing the whole import when it is applied.
    errors = plan_errors(
        model=AnnualEntry,
        category=final.get("category"),
        planned_investment=final.get("planned_investment"),
        planned_start_month=final.get("planned_start_month"),
        planned_completion_month=final.get("planned_completion_month"),
    )
    for name, message in errors.items():
        plan.reject(row, ENTRY_COLUMNS.get(name, "name"), str(message))
    _check_sums(row, plan, project, final)
    if existing is None:
        planned.action = "create"
        if project is not None:
            planned.change(_("已有项目列入本年度清单"))
        return planned
    planned.entry_id = existing["id"]
    differences = []
    for name, value in planned.entry.items():
        if existing[name] != value:
            differences.append(_entry_change(name, existing[name], value, look))
    old_departments = look.entry_departments.get(existing["id"], [])
    if departments is not None and sorted(old_departments) != sorted(departments):
        old = "、".join(look.department_names.get(d, "?") for d in old_departments)
        new = "、".join(look.department_names.get(d, "?") for d in departments)
        differences.append(_("责任单位：%(old)s → %(new)s") % {"old": old or "—", "new": new})
    # The rule of plans.entry_rules.official_plan_errors, in the import's own words (the batch and both
    # figures). Here an entry in no batch counts as official too, unlike in is_official.
    official = existing["batch_id"] is None or existing["batch__status"] == Batch.Status.PUBLISHED
    if official and final["planned_investment"] != existing["planned_investment"]:
        _refuse(
            plan,
            row,
            "planned",
            _(
                "该项目已在正式清单（%(batch)s）中，年度计划投资 %(old)s 万元不能通过导入改为 %(new)s 万元；"
                "请提交“计划调整”申请。"
            )
            % {
                "batch": existing["batch__name"] or _("无批次"),
                "old": format_wan(existing["planned_investment"]),
                "new": format_wan(final["planned_investment"]),
            },
            row.planned,
        )
    for difference in differences:
        planned.change(difference)
    planned.action = "update" if planned.changes else "unchanged"
    return planned


ENTRY_COLUMNS = {
    "category": "category",
    "planned_investment": "planned",
    "completed_before_year": "completed_before",
    "planned_start_month": "start",
    "planned_completion_month": "completion",
}


def _assume_completion(planned, row, plan, project, existing, final) -> None:
    """A 竣工投产 row without a completion month (published lists have no such column) takes the
    month entry_rules.assumed_completion gives from its construction period, marked 待补充 and named in
    the preview; a month the file does give clears an earlier such mark."""
    if final.get("category") != Category.COMPLETING:
        return
    if final.get("planned_completion_month") is not None:
        if row.completion is not None and existing and existing["completion_month_assumed"]:
            planned.entry["completion_month_assumed"] = False
        return
    if "completion" in row.errors:
        return
    period, end_month = row.years, row.years_end_month
    if period is None and project is not None and project["end_year"]:
        period = (project["start_year"], project["end_year"])
    month, year, basis = assumed_completion(year=plan.year, period=period, end_month=end_month)
    planned.entry["planned_completion_month"] = final["planned_completion_month"] = month
    planned.entry["completion_month_assumed"] = True
    when = _("%(year)s年%(month)s月") % {"year": year, "month": month}
    if basis == "period":
        message = _("计划竣工月份未填，按建设起止年限取 %(when)s（待补充）。")
    elif basis == "period_over":
        message = _("计划竣工月份未填，建设起止年限止于 %(end)s 年，按清单年度取 %(when)s（待补充）。")
    else:
        message = _("计划竣工月份未填，也无建设起止年限，按清单年度取 %(when)s（待补充）。")
    message %= {"when": when, "end": period[1] if period else ""}
    header = plan.parsed.header
    column = header.by_field.get("completion") or header.by_field.get("years")
    message = plan.shared(message)
    planned.note(message)
    planned.assumed = Rejection(
        message,
        sheet=header.sheet,
        row=row.row,
        column=column.label if column else "",
        letter=column.letter if column else "",
        value=shown(row.years and "—".join(map(str, row.years))),
    )


def _assume_start(planned, row, plan, existing, final) -> None:
    """A 新开工 row without a start month (the list has no 计划开工时间 column) takes December of the
    list's year (entry_rules.assumed_start), marked 待补充 and named in the preview; a month the file
    gives clears an earlier such mark."""
    if final.get("category") != Category.NEW_START:
        return
    if final.get("planned_start_month") is not None:
        if row.start is not None and existing and existing["start_month_assumed"]:
            planned.entry["start_month_assumed"] = False
        return
    if "start" in row.errors:
        return
    month = assumed_start(year=plan.year)
    planned.entry["planned_start_month"] = final["planned_start_month"] = month
    planned.entry["start_month_assumed"] = True
    message = _("计划开工月份未填，暂按 %(year)s年%(month)s月（待补充），补充前不产生开工预警。") % {
        "year": plan.year,
        "month": month,
    }
    header = plan.parsed.header
    column = header.by_field.get("start") or header.by_field.get("category")
    message = plan.shared(message)
    planned.note(message)
    planned.assumed = Rejection(
        message,
        sheet=header.sheet,
        row=row.row,
        column=column.label if column else "",
        letter=column.letter if column else "",
        value=shown(row.start),
    )


def _check_sums(row, plan, project, final) -> None:
    """Sums that cannot be (entry_rules.investment_errors), against the total the file gives and,
    for a registered project whose total differs, against the registry's, which the list's services
    check when the entry is written."""
    totals = [(row.total, "")]
    registered = project["total_investment"] if project is not None else None
    if registered is not None and registered != row.total:
        totals.append((registered, _("按系统中登记的总投资：")))
    for total, prefix in totals:
        errors = investment_errors(
            total_investment=total,
            completed_before_year=final.get("completed_before_year"),
            planned_investment=final.get("planned_investment"),
        )
        for name, message in errors.items():
            f = ENTRY_COLUMNS[name]
            value = getattr(row, f)
            plan.reject(row, f, prefix + str(message), "" if value is None else format_wan(value))


def preview(path, *, name: str, year: int, progress=None) -> Plan:
    """Parse, validate and plan the file: what an import would do, without writing anything."""
    parsed = parse_file(path, name=name, year=year, progress=_half(progress, 0))
    return build_plan(parsed, year=year, progress=_half(progress, 1))


def _half(progress, which):
    if progress is None:
        return None

    def report(done, total):
        total = max(total, 1)
        progress(which * total + done, 2 * total)

    return report
