"""The blank list to fill in: exactly the layout the header and rows stages read, with one example row,
a notes row, and a sheet 选项 of the names the system knows, feeding the drop-downs."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import Category
from keyprojects.projects.models import Sector

THIN = Side(style="thin")
BORDER = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)

# (header, width, sub-headers under it or None); "{year}" is the list's year.
TEMPLATE_COLUMNS = [
    ("序号", 6, None),
    ("项目名称", 34, None),
    ("项目代码", 26, None),
    ("建设单位", 30, None),
    ("所在城区", 14, None),
    ("建设地点", 22, None),
    ("行业领域", 12, None),
    ("项目类别", 12, None),
    ("建设内容及规模", 40, None),
    ("建设起止年限", 13, None),
    ("总投资（万元）", 14, None),
    ("截至上年底累计完成投资（万元）", 16, None),
    ("{year}年计划", None, (("计划投资（万元）", 14), ("形象进度目标", 36))),
    ("计划开工时间", 13, None),
    ("计划竣工时间", 13, None),
    ("责任单位", 24, None),
    ("联系市领导", 12, None),
    ("联系人", 10, None),
    ("联系电话", 15, None),
    ("备注", 20, None),
]


def template_workbook(year: int) -> bytes:
    """The blank list for YEAR: title, unit row, the two-row merged header, an example row and notes;
    a second sheet 选项 lists the names the system knows (districts, sectors, departments, leaders)
    and feeds the drop-downs. The importer picks the sheet with the header and ignores 选项."""
    names = _known_names()
    wb = Workbook()
    ws = wb.active
    ws.title = _("重点项目计划表")
    flat = []  # (top label, sub label or None, width)
    for label, width, subs in TEMPLATE_COLUMNS:
        label = _(label).replace("{year}", str(year))
        if subs:
            flat.extend((label, _(sub), w) for sub, w in subs)
        else:
            flat.append((label, None, width))
    last = get_column_letter(len(flat))
    _write_header(ws, flat, year)
    _write_example(ws, flat, year, names)
    _write_notes(ws, last, year)
    ws.freeze_panes = "C5"
    _write_options(wb, ws, flat, names)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _known_names() -> dict:
    """The names the system knows, by column: what the importer will find."""
    return {
        "districts": list(
            Organisation.objects.filter(kind=Organisation.Kind.DISTRICT, is_active=True).values_list(
                "name", flat=True
            )
        ),
        "departments": list(
            Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True).values_list(
                "name", flat=True
            )
        ),
        "sectors": list(Sector.objects.values_list("name", flat=True)),
        "leaders": [
            u.full_name or u.username
            for u in User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("id")
        ],
        "categories": [str(c.label) for c in Category],
    }


def _write_header(ws, flat, year) -> None:
    """Title, unit row and the two-row header (rows 3–4), a group merged over its sub-headers."""
    last = get_column_letter(len(flat))
    ws["A1"] = _("%(year)s年重点项目计划表") % {"year": year}
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws[f"{last}2"] = _("单位：万元")
    ws[f"{last}2"].alignment = Alignment(horizontal="right")
    c = 1
    while c <= len(flat):
        top, sub, _width = flat[c - 1]
        letter = get_column_letter(c)
        ws[f"{letter}3"] = top
        if sub is None:
            ws.merge_cells(f"{letter}3:{letter}4")
            c += 1
            continue
        span = sum(1 for t, s, _w in flat if t == top and s is not None)
        ws.merge_cells(f"{letter}3:{get_column_letter(c + span - 1)}3")
        for k in range(span):
            ws[f"{get_column_letter(c + k)}4"] = flat[c - 1 + k][1]
        c += span
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=3, max_row=4, max_col=len(flat)):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = centre
            cell.border = BORDER
            cell.fill = head_fill
    for index, (_t, _s, width) in enumerate(flat, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _write_example(ws, flat, year, names) -> None:
    """Row 5: an example project, in grey, which the importer refuses if it is left in."""
    districts, departments = names["districts"], names["departments"]
    sectors, leaders = names["sectors"], names["leaders"]
    example = {
        "序号": 1,
        "项目名称": _("（示例）南宁市某某产业园项目"),
        "项目代码": "2611-450103-04-01-123456",
        "建设单位": _("南宁某某投资有限公司"),
        "所在城区": districts[0] if districts else "",
        "建设地点": (districts[0] if districts else "") + _("某某路以东"),
        "行业领域": sectors[0] if sectors else "",
        "项目类别": str(Category.NEW_START.label),
        "建设内容及规模": _("建设标准厂房 10 万平方米及配套设施"),
        "建设起止年限": f"{year}-{year + 2}",
        "总投资（万元）": 50000,
        "截至上年底累计完成投资（万元）": 0,
        "计划投资（万元）": 12000,
        "形象进度目标": _("完成主体结构施工"),
        "计划开工时间": _("%(year)s年3月") % {"year": year},
        "计划竣工时间": "",
        "责任单位": departments[0] if departments else "",
        "联系市领导": leaders[0] if leaders else "",
        "联系人": _("张三"),
        "联系电话": "0771-1234567",
        "备注": "",
    }
    for index, (top, sub, _w) in enumerate(flat, start=1):
        value = example.get(sub or top, "")
        cell = ws.cell(row=5, column=index, value=value if value != "" else None)
        cell.font = Font(color="808080", italic=True)
        cell.border = BORDER


def _write_notes(ws, last, year) -> None:
    notes = _(
        "注：1. 请删除第 5 行示例后逐行填写，一行一个项目；也可用分组行（如“一、新开工项目（60项）”"
        "“（一）产业项目（11项）”）代替“项目类别”“行业领域”两列。2. 项目类别：新开工、续建、竣工投产、预备。"
        "3. 所在城区、行业领域、责任单位、联系市领导须与系统中的名称一致，见“选项”工作表；责任单位可填多个，"
        "用顿号分隔。4. 金额单位为万元（可保留 4 位小数）；建设起止年限写作 %(year)s-%(end)s；"
        "计划开工（竣工）时间写作 %(year)s年3月。"
        "5. 已在系统中的项目按项目代码匹配，无代码时按项目名称+建设单位匹配。"
    ) % {"year": year, "end": year + 2}
    ws["A6"] = notes
    ws.merge_cells(f"A6:{last}6")
    ws["A6"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[6].height = 64


def _write_options(wb, ws, flat, names) -> None:
    """The sheet 选项: one column of known names per list, each feeding a drop-down in WS."""
    options = wb.create_sheet(_("选项"))
    lists = [
        (_("所在城区"), names["districts"], "所在城区"),
        (_("行业领域"), names["sectors"], "行业领域"),
        (_("项目类别"), names["categories"], "项目类别"),
        (_("责任单位"), names["departments"], None),
        (_("联系市领导"), names["leaders"], "联系市领导"),
    ]
    for index, (title, values, column) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=title).font = Font(bold=True)
        for r, value in enumerate(values, start=2):
            options.cell(row=r, column=index, value=value)
        options.column_dimensions[letter].width = 24
        if column and values:
            target = next(i for i, (t, s, _w) in enumerate(flat, start=1) if (s or t) == column)
            rule = DataValidation(
                type="list",
                formula1=f"'{options.title}'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=True,
            )
            rule.error = _("请从列表中选择系统中已有的名称。")
            rule.showErrorMessage = False  # a warning in the list, not a block: the importer checks anyway
            ws.add_data_validation(rule)
            rule.add(f"{get_column_letter(target)}5:{get_column_letter(target)}2000")
