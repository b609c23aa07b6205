"""header: finds the header rows of a sheet and maps each column to a field.

A header is one row or two (a group such as 2027年计划 merged over 计划投资 and 形象进度目标), named by
any of the synonyms offices use; a money column takes the unit in its label, else the sheet's unit row
(单位：万元). Of all sheets, the one whose header has the required columns and the most fields wins.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from keyprojects.lib.xlsx import column_letter
from keyprojects.plans.imports.read import PEEK_ROWS, Peek
from keyprojects.plans.imports.rejections import ImportRefused, Rejection
from keyprojects.plans.imports.values import cell_text, is_numberish, nfkc

FIELD_LABELS = {
    "seq": "序号",
    "name": "项目名称",
    "code": "项目代码",
    "owner": "建设单位",
    "district": "所在城区",
    "location": "建设地点",
    "sector": "行业领域",
    "category": "项目类别",
    "nature": "建设性质",
    "content": "建设内容及规模",
    "years": "建设起止年限",
    "total": "总投资",
    "completed_before": "截至上年底累计完成投资",
    "planned": "年度计划投资",
    "goal": "形象进度目标",
    "start": "计划开工时间",
    "completion": "计划竣工时间",
    "departments": "责任单位",
    "leader": "联系市领导",
    "contact": "联系人",
    "phone": "联系电话",
    "note": "备注",
}
REQUIRED = ("name", "owner", "planned")
MONEY_FIELDS = ("total", "completed_before", "planned")


# Header text (NFKC, no spaces, unit removed) → field. First match wins, so the narrow come first.
HEADER_RULES = [
    ("seq", r"^(序号|编号|序)$"),
    ("name", r"项目名称|^名称$|^项目$"),
    ("code", r"代码|编码|^项目编号$|赋码"),
    ("departments", r"责任单位|责任部门|牵头(协调)?(部门|单位)|主管部门|市级责任|协调部门|牵头市直"),
    ("leader", r"领导"),
    ("owner", r"建设单位|业主|法人|项目单位|建设主体|实施单位|申报单位"),
    ("district", r"^(所在|所属)?(城区|县区|县\(市、?区\)|县市区|区县|城区/开发区|属地|辖区)$"),
    ("location", r"建设地点|所在地|项目地点|建设地址|项目地址|^地点$|选址"),
    ("sector", r"^(所属)?行业|^领域$|行业领域|产业类别"),
    ("category", r"^(项目)?类别$|^建设类别$|^项目分类$"),
    ("nature", r"建设性质|^性质$"),
    ("years", r"起止|年限|建设期|建设周期"),
    ("completed_before", r"(截至|截止|至|到).*(年底|年末|上年).*(累计|完成)|以前年度.*完成|^累计完成投资$"),
    ("total", r"^(项目)?(计划)?总投资(额)?$"),
    ("planned", r"^(\d{4}年|本年|年度|当年|年)?度?计划(完成)?投资(额)?$|^年度投资计划$"),
    ("goal", r"形象进度|年度(建设)?目标|^(\d{4}年)?(主要)?建设目标$|年度建设内容|年度计划建设内容"),
    ("start", r"开工(时间|年月|日期|月份)|^开工$"),
    ("completion", r"(竣工|投产|建成|完工)(投产)?(时间|年月|日期|月份)|^竣工$"),
    ("content", r"建设(内容|规模)|^主要建设内容$|^内容$"),
    ("contact", r"^(项目)?联系人"),
    ("phone", r"电话|手机"),
    ("note", r"^备注|^说明$"),
]
HEADER_RULES = [(f, re.compile(p)) for f, p in HEADER_RULES]


NOT_THIS_YEAR = re.compile(r"截至|截止|上年|以前|已完成|累计|当前|目前|至今")
# Under a year-plan group (2027年计划 spanning 计划投资 and 主要建设内容): the sub-headers.
GROUP_RULES = [
    ("planned", re.compile(r"投资|^金额$|^计划$|^资金$")),
    ("goal", re.compile(r"内容|形象|目标|进度")),
    ("start", re.compile(r"开工")),
    ("completion", re.compile(r"竣工|投产|建成")),
]
PLAN_GROUP = re.compile(r"^(?:(\d{4})年度?|本年度?|年度|当年)(?:投资)?(?:建设)?计划|^年度计划$")
TOTAL_WORDS = re.compile(r"^(合计|小计|总计|金额|总额|投资)$")
UNIT_IN_HEADER = re.compile(r"[(\[]\s*(?:单位[:：]?\s*)?(亿元|万元|元)\s*[)\]]|单位[:：]\s*(亿元|万元|元)")
UNIT_ROW = re.compile(r"(?:金额|计量)?单位[:：]\s*(亿元|万元|元)")
ANY_PAREN = re.compile(r"[(\[][^)\]]*[)\]]")


def _header_key(text: str) -> tuple[str, str | None]:
    """Header text → (key to match, unit named in it)."""
    text = (
        nfkc(text).replace(" ", "").replace("\n", "").replace("\r", "").replace("【", "[").replace("】", "]")
    )
    unit = None
    if match := UNIT_IN_HEADER.search(text):
        unit = match.group(1) or match.group(2)
    key = ANY_PAREN.sub("", UNIT_IN_HEADER.sub("", text)).rstrip(":：")
    return key, unit


def _field_for(key: str) -> str | None:
    for name, pattern in HEADER_RULES:
        if pattern.search(key):
            if name in ("planned", "goal") and NOT_THIS_YEAR.search(key):
                continue
            return name
    return None


@dataclass
class Column:
    index: int
    label: str  # as printed: "2027年计划/计划投资（万元）"
    field: str | None
    unit: str | None = None  # for money columns, after the sheet's unit row is applied

    @property
    def letter(self):
        return column_letter(self.index)


@dataclass
class Header:
    sheet: str
    first_row: int  # 0-based
    last_row: int  # 0-based; first_row + 1 for a two-row header
    columns: list
    by_field: dict
    sheet_unit: str
    warnings: list = field(default_factory=list)
    group_year: int | None = None
    group_label: str = ""

    def excel_rows(self):
        return list(range(self.first_row + 1, self.last_row + 2))


def _fill_merged(rows, start_row, merged):
    """Give every cell of a merged range its top-left value, within the ROWS given (0-based START_ROW)."""
    end_row = start_row + len(rows)
    for r1, c1, r2, c2 in merged or ():
        if r2 < start_row or r1 >= end_row or r1 < start_row:
            continue
        top = rows[r1 - start_row]
        value = top[c1] if c1 < len(top) else None
        if value is None:
            continue
        for r in range(r1, min(r2, end_row - 1) + 1):
            row = rows[r - start_row]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c] is None:
                    row[c] = value


def _texts(row):
    return [cell_text(v) if isinstance(v, str) else "" for v in row]


def find_header(peek: Peek) -> Header | None:
    """The header of PEEK's rows, or None when no row has 项目名称 and at least two other known columns.

    Each row is tried as the top of a header, with the row below as its second row when that looks
    like one; the try that recognises the most columns wins (the earliest on a tie). With merged
    ranges filled, the lower row of a two-row header repeats most labels, so it must lose to the pair.
    """
    rows = [list(r) for r in peek.rows]
    _fill_merged(rows, peek.start_row, peek.merged)
    best = None
    for i, top in enumerate(rows[:PEEK_ROWS]):
        if not any(_field_for(_header_key(text)[0]) == "name" for text in _texts(top) if text):
            continue  # 项目名称 is in the upper row of a two-row header, never only in the lower
        below = rows[i + 1] if i + 1 < len(rows) else []
        two_rows = _is_sub_header(top, below)
        columns, group_year, group_label = _columns(top, below if two_rows else None, peek.merged is not None)
        fields = {c.field for c in columns if c.field}
        if "name" in fields and len(fields) >= 3 and (best is None or len(fields) > best[0]):
            best = (len(fields), i, two_rows, columns, group_year, group_label)
    if best is None:
        return None
    _found, i, two_rows, columns, group_year, group_label = best
    sheet_unit = _sheet_unit(rows[:i])
    by_field, warnings = {}, []
    for column in columns:
        if column.field is None:
            continue
        if column.field in by_field:
            first = by_field[column.field]
            warnings.append(
                Rejection(
                    _("“%(label)s”与%(first)s列“%(first_label)s”都像“%(field)s”，以%(first)s列为准。")
                    % {
                        "label": column.label,
                        "first": first.letter,
                        "first_label": first.label,
                        "field": _(FIELD_LABELS[column.field]),
                    },
                    sheet=peek.name,
                    row=peek.start_row + i + 1,
                    column=column.label,
                    letter=column.letter,
                )
            )
            column.field = None
            continue
        if column.field in MONEY_FIELDS:
            column.unit = column.unit or sheet_unit
        by_field[column.field] = column
    return Header(
        sheet=peek.name,
        first_row=peek.start_row + i,
        last_row=peek.start_row + i + (1 if two_rows else 0),
        columns=columns,
        by_field=by_field,
        sheet_unit=sheet_unit,
        warnings=warnings,
        group_year=group_year,
        group_label=group_label,
    )


def _columns(top, below, has_merges) -> tuple[list, int | None, str]:
    """The columns of a header whose upper row is TOP and lower row BELOW (None for one row)."""
    width = max(len(top), len(below or ()))
    columns, group_year, group_label = [], None, ""
    carried = ""
    for c in range(width):
        up = cell_text(top[c]) if c < len(top) else ""
        sub = cell_text(below[c]) if below is not None and c < len(below) else ""
        if not has_merges and below is not None:
            # No merge information (openpyxl's streaming reader): a blank cell in the upper row over
            # a filled lower one continues the group to its left.
            if up:
                carried = up
            elif sub and carried and c > 0 and cell_text(below[c - 1] if c - 1 < len(below) else ""):
                up = carried
        if sub == up:
            sub = ""
        if not up and not sub:
            continue
        label = f"{up}/{sub}" if up and sub else up or sub
        up_key, up_unit = _header_key(up)
        sub_key, sub_unit = _header_key(sub)
        unit = sub_unit or up_unit
        group = PLAN_GROUP.match(up_key) if up_key and sub_key else None
        name = None
        if group:
            group_label = up
            if group.group(1):
                group_year = int(group.group(1))
            name = next((f for f, p in GROUP_RULES if p.search(sub_key)), None)
        elif sub_key:
            name = _field_for(sub_key)
            if name is None and TOTAL_WORDS.match(sub_key):
                name = _field_for(up_key)
        else:
            name = _field_for(up_key)
        columns.append(Column(index=c, label=label, field=name, unit=unit))
    return columns, group_year, group_label


def _is_sub_header(top, below) -> bool:
    """Whether BELOW is the second row of a two-row header: text only, no numbers, nothing under
    项目名称 (a merged cell, or a copy of it), and at least one label we know or a group above it."""
    texts = [cell_text(v) for v in below]
    if not any(texts) or any(is_numberish(v) for v in below if v is not None):
        return False
    name_col = next(
        (c for c, v in enumerate(_texts(top)) if v and _field_for(_header_key(v)[0]) == "name"), None
    )
    if (
        name_col is not None
        and name_col < len(texts)
        and texts[name_col]
        and texts[name_col] != cell_text(top[name_col])
    ):
        return False
    for c, text in enumerate(texts):
        if not text:
            continue
        key = _header_key(text)[0]
        up = cell_text(top[c]) if c < len(top) else ""
        if (
            _field_for(key)
            or any(p.search(key) for _f, p in GROUP_RULES)
            and (not up or PLAN_GROUP.match(up))
        ):
            return True
    return False


def _sheet_unit(rows) -> str:
    for row in rows:
        for text in _texts(row):
            if match := UNIT_ROW.search(nfkc(text).replace(" ", "")):
                return match.group(1)
    return "万元"


def choose_header(sheets, *, year: int) -> Header:
    """The header to import from, of all SHEETS (the reader's peeks): the one with the required
    columns and the most fields. ImportRefused when there is none, when it lacks a required column,
    or when it is the plan of another year than YEAR."""
    candidates = []
    for peek in sheets:
        if peek.error:
            continue
        header = find_header(peek)
        if header is not None:
            candidates.append(header)
    if not candidates:
        names = "、".join(p.name for p in sheets) or _("（无）")
        raise ImportRefused(
            _(
                "找不到表头：没有一个工作表的前 %(n)s 行中有“项目名称”“建设单位”“年度计划投资”等列。"
                "已检查的工作表：%(sheets)s。"
            )
            % {"n": PEEK_ROWS, "sheets": names}
        )
    complete = [h for h in candidates if all(f in h.by_field for f in REQUIRED)]
    header = max(complete or candidates, key=lambda h: len(h.by_field))
    missing = [f for f in REQUIRED if f not in header.by_field]
    if missing:
        wanted = {
            "name": _("项目名称"),
            "owner": _("建设单位（或 项目业主、项目法人）"),
            "planned": _("年度计划投资（或 “%(year)s年计划”下的“计划投资”）") % {"year": year},
        }
        raise ImportRefused(
            _("表头缺少必需的列：%(missing)s。") % {"missing": "、".join(wanted[f] for f in missing)},
            sheet=header.sheet,
            row=header.first_row + 1,
        )
    if header.group_year and header.group_year != year:
        raise ImportRefused(
            _("表头“%(label)s”是 %(file)s 年的计划，与导入年度 %(year)s 不一致。")
            % {"label": header.group_label, "file": header.group_year, "year": year},
            sheet=header.sheet,
            row=header.first_row + 1,
            column=header.group_label,
            letter=next((c.letter for c in header.columns if c.label.startswith(header.group_label)), ""),
        )
    return header
