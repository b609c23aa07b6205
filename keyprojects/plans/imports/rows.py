"""rows: walks the rows under the header into candidate records, each with the errors of its own cells.

A list as offices publish it has more than projects under its header: a title, a unit row, 合计 rows,
section rows (一、新开工项目（60项）, （一）产业项目) that give a category, sector or responsible unit to
the rows beneath them, blank rows, notes and a footer. Only project rows become Rows; nothing here asks
the database (the plan stage does).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keyprojects.lib.text import normalise_name
from keyprojects.plans.imports.check import SAVE_AS, check_file
from keyprojects.plans.imports.header import MONEY_FIELDS, Column, Header, choose_header
from keyprojects.plans.imports.read import ReaderFailed, capped, open_reader
from keyprojects.plans.imports.rejections import ImportRefused, Rejection, shown
from keyprojects.plans.imports.values import (
    YUAN_PER_UNIT,
    category_for,
    cell_text,
    clean_code,
    clean_name,
    decimals,
    is_empty,
    nfkc,
    parse_money,
    parse_month,
    parse_years,
    period_end_month,
    split_names,
    split_people,
)
from keyprojects.plans.models import Category
from keyprojects.projects.models import validate_project_code

SECTION_L1 = re.compile(r"^([一二三四五六七八九十]{1,3})[、.．]\s*(.+)$")
SECTION_L2 = re.compile(r"^[(（]([一二三四五六七八九十]{1,3})[)）]\s*(.+)$")
SECTION_COUNT = re.compile(
    r"[(（]\s*(?:共|计)?\s*(\d+)\s*(?:项|个)[^)）]*[)）]\s*$|共\s*(\d+)\s*(?:项|个)\s*$"
)
SECTION_SUFFIX = re.compile(r"(重点)?(项目)?(清单)?(类)?(项目)?(领域)?$")
TOTAL_ROW = re.compile(r"^(总合计|合计|总计|小计|共计)")
NOTES_ROW = re.compile(r"^(注|备注|说明|附注|附注说明)\s*\d*\s*[:：.．、]|^注\s*\d|^\*")
FOOTER_ROW = re.compile(r"^(填报|制表|审核|填表|审批|负责人|联系人|联系电话|报送)(人|单位|日期)?\s*[:：]")
EXAMPLE = re.compile(r"^[(（【\[]?示例[)）】\]]")


class Row:
    """One project row of the sheet, its values parsed but not yet resolved against the database."""

    __slots__ = (
        "row",
        "values",
        "name",
        "name_key",
        "code",
        "owner",
        "owner_key",
        "category",
        "sector",
        "sector_column",
        "department_section",
        "district",
        "location",
        "years",
        "years_end_month",
        "total",
        "completed_before",
        "planned",
        "start",
        "completion",
        "departments",
        "leaders",
        "goal",
        "content",
        "contact",
        "phone",
        "note",
        "errors",
    )

    def __init__(self, row):
        self.row = row
        self.errors = ()  # the fields whose cells could not be read
        for name in self.__slots__[1:]:
            if name != "errors":
                setattr(self, name, None)

    def error(self, f) -> None:
        self.errors = (*self.errors, f)


@dataclass
class Section:
    level: int
    row: int
    label: str
    dimension: str  # "category", "sector" or "department"
    value: str
    count: int | None
    column: Column | None = None  # where its text is, for messages
    projects: int = 0


@dataclass
class Parsed:
    header: Header
    rows: list = field(default_factory=list)
    rejections: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    file_totals: dict = field(default_factory=dict)  # from the 合计 row under the header
    totals_row: int | None = None  # that row, in Excel's numbering
    totals_count: int | None = None  # the projects it counts (合计（60项）), when it says
    totals_tolerance: dict = field(default_factory=dict)  # yuan its rounding may be off by, per field
    sheets_ignored: list = field(default_factory=list)
    reader: str = ""


def parse_file(path, *, name: str, year: int, progress=None) -> Parsed:
    """Check, read and parse the file at PATH (uploaded as NAME): the rows with their own errors, not
    yet matched against the database. Raises ImportRefused when the file as a whole cannot be read."""
    kind = check_file(path, name)
    reader = open_reader(path, kind)
    try:
        header = choose_header(reader.sheets, year=year)
        merged, height, rows = reader.rows(header.sheet)
        total = height or 0
        seen = [0]

        def tick():
            seen[0] += 1
            if progress and seen[0] % 250 == 0:
                progress(seen[0], max(total, seen[0]))

        parsed = parse_rows(header, capped(rows, header.sheet), year=year, merged=merged, progress=tick)
        if progress:
            progress(seen[0], seen[0])
        parsed.warnings[:0] = header.warnings
        parsed.sheets_ignored = [p.name for p in reader.sheets if p.name != header.sheet]
        parsed.reader = type(reader).__name__
        return parsed
    except ReaderFailed:
        raise ImportRefused(_("读取工作表时出错：文件已损坏或格式异常。") + _(SAVE_AS)) from None
    finally:
        reader.close()


def parse_rows(header: Header, rows, *, year: int, merged=None, progress=None) -> Parsed:
    """Walk ROWS ((0-based row, cells) from the sheet's top) under HEADER: sections give category,
    sector or department to the rows beneath them; 合计, blank, notes and footer rows are skipped."""
    parsed = Parsed(header=header)
    col = header.by_field
    seq_col = col.get("seq")
    reject = _rejecter(parsed, header.sheet)
    stack = []  # open sections, outermost first
    in_notes = False
    shared = {}
    for excel_row, cells in _under_header(header, rows, merged, progress):
        get = _getter(col, cells)
        filled = [(c, v) for c, v in enumerate(cells) if not is_empty(v)]
        if not filled:
            continue
        lead = nfkc(cell_text(filled[0][1])).replace(" ", "")
        name_text = clean_name(get("name"))
        seq_text = nfkc(cell_text(get("seq"))).replace(" ", "")
        if NOTES_ROW.match(lead) or FOOTER_ROW.match(lead):
            in_notes = True
            continue
        if in_notes and len(filled) == 1:
            continue
        probe = nfkc(name_text).replace(" ", "") or seq_text or lead
        if TOTAL_ROW.match(probe) or TOTAL_ROW.match(seq_text) or TOTAL_ROW.match(lead):
            if parsed.totals_row is None and not stack:
                parsed.file_totals, parsed.totals_tolerance = _totals(col, get)
                parsed.totals_row = excel_row
                parsed.totals_count = _section_label(probe)[1] or _section_label(lead)[1]
            continue
        section = _section_at(header, get, filled, lead, seq_text, name_text)
        if section is not None:
            text, column = section
            _open_section(parsed, stack, text, excel_row, column)
            continue
        if not name_text:
            if any(c not in (seq_col.index if seq_col else -1,) for c, _v in filled):
                reject(excel_row, col["name"], _("缺少项目名称。"), "")
            continue
        parsed.rows.append(_shared(_parse_row(header, excel_row, get, stack, year, reject), shared))
        for section in stack:
            section.projects += 1
    # A count in a section row that does not match its projects is worth a look, not a rejection.
    for section in parsed.sections:
        if section.count is not None and section.count != section.projects:
            parsed.warnings.append(
                Rejection(
                    _("分组“%(label)s”注明 %(count)s 项，其下实际有 %(n)s 个项目。")
                    % {"label": section.label, "count": section.count, "n": section.projects},
                    sheet=header.sheet,
                    row=section.row,
                )
            )
    return parsed


def _under_header(header, rows, merged, progress):
    """(Excel row, cells) of the ROWS below HEADER, a value merged down over several rows given to
    each of them (the reader has it in the range's top cell only). PROGRESS ticks for every row read."""
    fills = defaultdict(list)
    for r1, c1, r2, c2 in merged or ():
        if r1 > header.last_row and r2 > r1:  # a value merged down over several projects
            fills[r1].append((c1, r2, c2))
    active = {}
    for index, cells in rows:
        if progress:
            progress()
        if index <= header.last_row:
            continue
        for c1, r2, c2 in fills.get(index, ()):
            value = cells[c1] if c1 < len(cells) else None
            for c in range(c1, c2 + 1):
                active[c] = (value, r2)
        if active:
            width = max(active) + 1
            if len(cells) < width:
                cells = cells + [None] * (width - len(cells))
            for c, (value, until) in list(active.items()):
                if index > until:
                    del active[c]
                elif cells[c] is None:
                    cells[c] = value
        yield index + 1, cells


def _getter(col, cells):
    """get(field): the cell of CELLS in that field's column (COL: the header's by_field), or None."""

    def get(f):
        column = col.get(f)
        if column is None or column.index >= len(cells):
            return None
        return cells[column.index]

    return get


def _rejecter(parsed, sheet):
    def reject(row, column, message, value=""):
        parsed.rejections.append(
            Rejection(
                message,
                sheet=sheet,
                row=row,
                column=column.label if column else "",
                letter=column.letter if column else "",
                value=shown(value),
            )
        )

    return reject


def _totals(col, get) -> tuple[dict, dict]:
    """The money of a 合计 row, where it can be read: the file's own totals, shown beside ours, and
    how far each may be off ours by its own rounding (half of its last decimal, in yuan)."""
    totals, tolerance = {}, {}
    for f in MONEY_FIELDS:
        column = col.get(f)
        if column is not None:
            try:
                amount = parse_money(get(f), column.unit)
            except ValueError:
                continue
            if amount is not None:
                totals[f] = amount
                tolerance[f] = YUAN_PER_UNIT[column.unit] // 2 // 10 ** decimals(get(f))
    return totals, tolerance


def _section_at(header, get, filled, lead, seq_text, name_text) -> tuple[str, Column | None] | None:
    """(text, column where it is) when the row opens a section (一、新开工项目（60项）, （一）产业项目,
    or a label with a count and no owner), else None."""
    col = header.by_field
    owner_value = get("owner")
    section_text = seq_text if SECTION_L1.match(seq_text) or SECTION_L2.match(seq_text) else ""
    section_text = section_text or (lead if is_empty(owner_value) else "")
    if not section_text or not (
        SECTION_L1.match(section_text)
        or SECTION_L2.match(section_text)
        or (SECTION_COUNT.search(section_text) and is_empty(owner_value))
    ):
        return None
    if section_text == seq_text:
        where = col.get("seq")
    else:
        where = next((c for c in header.columns if c.index == filled[0][0]), None)
    if not SECTION_L1.match(section_text) and not SECTION_L2.match(section_text) and name_text:
        section_text = nfkc(name_text).replace(" ", "")
        where = col["name"]
    return section_text, where


def _section_label(text):
    label = SECTION_COUNT.sub("", text).strip()
    count = None
    if match := SECTION_COUNT.search(text):
        count = int(match.group(1) or match.group(2))
    return label, count


def _open_section(parsed, stack, text, excel_row, column):
    match = SECTION_L1.match(text) or SECTION_L2.match(text)
    if match:
        level = 1 if SECTION_L1.match(text) else 2
        body = match.group(2)
    else:
        body = text
        level = 1 if category_for(text) else 2
    label, count = _section_label(body)
    bare = SECTION_SUFFIX.sub("", label) or label
    category = category_for(bare)
    if category:
        dimension, value = "category", category
    else:
        # Sector or responsible unit: resolved against the database when the plan is made.
        dimension, value = ("sector" if level >= 2 else "group"), bare
    while stack and stack[-1].level >= level:
        stack.pop()
    section = Section(
        level=level, row=excel_row, label=label, dimension=dimension, value=value, count=count, column=column
    )
    stack.append(section)
    parsed.sections.append(section)


def _parse_row(header, excel_row, get, stack, year, reject) -> Row:
    """One project row, each value parsed and checked on its own, each error rejected at its cell."""
    col = header.by_field
    row = Row(excel_row)
    _read_name_code_owner(row, col, get, reject)
    _read_category(row, col, get, stack, reject)
    if "sector" in col and not is_empty(get("sector")):
        row.sector_column = cell_text(get("sector"))
    row.district = cell_text(get("district")) if "district" in col else ""
    row.location = clean_name(get("location")) if "location" in col else ""
    for f in ("goal", "content", "contact", "phone", "note"):
        if f in col and not is_empty(get(f)):
            setattr(row, f, cell_text(get(f)))
    _read_years_and_money(row, col, get, reject)
    _read_months(row, col, get, year, reject)
    if "departments" in col:
        row.departments = split_names(get("departments"))
    if "leader" in col:
        row.leaders = split_people(get("leader"))
    if row.goal and len(row.goal) > 2000:
        row.goal = row.goal[:2000]
    if row.note and len(row.note) > 300:
        row.note = row.note[:300]
    return row


# What rows of a list often have alike: an owner, a place, a contact, the same goal. Kept once.
SHARED = ("owner", "owner_key", "district", "location", "goal", "content", "contact", "phone", "note")


def _shared(row, shared) -> Row:
    """ROW with its values that an earlier row had too replaced by that row's: a list of 100,000 rows
    keeps each owner's name once, not 100,000 times."""
    for name in SHARED:
        value = getattr(row, name)
        if value:
            setattr(row, name, shared.setdefault(value, value))
    for name in ("departments", "leaders", "years"):
        value = getattr(row, name)
        if value:
            value = tuple(shared.setdefault(v, v) for v in value)
            setattr(row, name, shared.setdefault(value, value))
    return row


def _read_name_code_owner(row, col, get, reject) -> None:
    excel_row = row.row
    row.name = clean_name(get("name"))
    row.name_key = normalise_name(row.name)
    if EXAMPLE.match(row.name):
        reject(excel_row, col["name"], _("这是模板中的示例行，请删除后再导入。"), row.name)
    code = get("code")
    if not is_empty(code):
        row.code = clean_code(code)
        try:
            validate_project_code(row.code)
        except ValidationError:
            reject(
                excel_row,
                col["code"],
                _("项目代码格式不正确，应为 YYMM-RRRRRR-DD-TT-NNNNNN（如 2411-130202-89-01-637015）。"),
                code,
            )
            row.code = None
    owner = get("owner")
    if is_empty(owner):
        reject(excel_row, col["owner"], _("缺少建设单位（项目业主）。"), "")
    else:
        row.owner = clean_name(owner)
        row.owner_key = normalise_name(row.owner)


def _read_category(row, col, get, stack, reject) -> None:
    """The category, sector or responsible unit of the sections above the row; a 项目类别 column wins."""
    for section in stack:
        if section.dimension == "category":
            row.category = section.value
        elif section.dimension == "sector":
            row.sector = section
        else:  # "group": a sector or a responsible unit, decided against the database
            row.department_section = section
    if "category" in col and not is_empty(get("category")):
        category = category_for(cell_text(get("category")))
        if category is None:
            reject(
                row.row,
                col["category"],
                _("无法识别的项目类别，应为新开工、续建、竣工投产或预备（前期）。"),
                get("category"),
            )
        row.category = category or row.category
        if category is None:
            row.error("category")
    # A missing category is reported when the plan is made, unless a section above failed first.


def _read_years_and_money(row, col, get, reject) -> None:
    excel_row = row.row
    if "years" in col:
        try:
            row.years = parse_years(get("years"))
            row.years_end_month = period_end_month(get("years"))
        except ValueError as exc:
            reject(excel_row, col["years"], str(exc), get("years"))
            row.error("years")
    for f in MONEY_FIELDS:
        column = col.get(f)
        if column is None:
            continue
        try:
            setattr(row, f, parse_money(get(f), column.unit))
        except ValueError as exc:
            reject(excel_row, column, str(exc), get(f))
            row.error(f)
    if (
        row.planned is None
        and row.category not in (Category.PREPARATORY, None)
        and "planned" not in row.errors
    ):
        reject(excel_row, col["planned"], _("缺少年度计划投资（只有预备项目可以不填）。"), get("planned"))


def _read_months(row, col, get, year, reject) -> None:
    """The planned start month of a 新开工 project and the completion month of a 竣工投产 one, both
    within YEAR; the dates in other categories' rows are not read."""
    for f, category in (("start", Category.NEW_START), ("completion", Category.COMPLETING)):
        column = col.get(f)
        if column is None:
            continue
        try:
            when = parse_month(get(f))
        except ValueError as exc:
            if row.category == category:
                reject(row.row, column, str(exc), get(f))
            continue
        if when is None or row.category != category:
            continue
        when_year, month = when
        if when_year is not None and when_year != year:
            what = _("计划开工时间") if f == "start" else _("计划竣工时间")
            reject(
                row.row,
                column,
                _("%(category)s项目的%(what)s应在 %(year)s 年内。")
                % {"category": Category(category).label, "what": what, "year": year},
                get(f),
            )
            continue
        setattr(row, f, month)
