"""report: the error report of a refused import, an .xlsx the office opens beside its own file.

A copy of the sheet that was read, its values as the reader saw them, with every faulty cell filled
red and a comment on it giving the reasons (cells worth a look, from the warnings, in yellow), and a
second sheet 问题清单 listing each problem by row, column, value and message. Written in openpyxl's
write-only mode, so a list of 100,000 rows costs little memory; text stays text (never a formula).
A file that cannot be read at all still gets the list.
"""

import io
import logging
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from keyprojects.lib.xlsx import clean_text
from keyprojects.plans.imports.check import check_file
from keyprojects.plans.imports.read import ReaderFailed, capped, open_reader
from keyprojects.plans.imports.rejections import ImportRefused, Rejection

logger = logging.getLogger(__name__)

FAULT = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red
NOTICE = PatternFill("solid", fgColor="FFEB9C")  # and its "neutral" yellow
BOLD = Font(bold=True)
AUTHOR = "keyprojects"


def _as_dict(item) -> dict:
    return item.as_dict() if isinstance(item, Rejection) else dict(item)


def _column_index(letter: str) -> int | None:
    if not letter or not letter.isalpha():
        return None
    index = 0
    for char in letter.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def error_report(path, *, name: str, rejections, warnings=(), total: int | None = None) -> bytes:
    """The report of the file at PATH (uploaded as NAME) and its REJECTIONS and WARNINGS (Rejection
    objects or their as_dict()); TOTAL: how many rejections there were when only some are given."""
    rejections = [_as_dict(r) for r in rejections]
    warnings = [_as_dict(w) for w in warnings]
    sheet = next((r["sheet"] for r in rejections + warnings if r.get("sheet")), "")
    workbook = Workbook(write_only=True)
    copied = False
    if sheet and path is not None:
        copied = _copy_sheet(workbook, path, name, sheet, rejections, warnings)
    _summary_sheet(workbook, rejections, warnings, total=total, copied=copied)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _marks(rejections, warnings) -> dict:
    """{(0-based row, 0-based column): [(is fault, message)]}; a reason without a column goes to the
    row's first cell."""
    marks = defaultdict(list)
    for fault, items in ((True, rejections), (False, warnings)):
        for item in items:
            if not item.get("row"):
                continue
            column = _column_index(item.get("letter", ""))
            text = item["message"]
            if item.get("column") and column is None:
                text = f"{item['column']}：{text}"
            marks[(item["row"] - 1, column or 0)].append((fault, text))
    return marks


def _copy_sheet(workbook, path, name, sheet, rejections, warnings) -> bool:
    """The sheet as read, the marked cells filled and commented. False when it cannot be read."""
    try:
        reader = open_reader(path, check_file(path, name))
    except (ImportRefused, OSError):
        return False
    marks = _marks(rejections, warnings)
    widest = defaultdict(int)
    for _row, column in marks:
        widest[_row] = max(widest[_row], column + 1)
    try:
        if sheet not in [p.name for p in reader.sheets]:
            return False
        ws = workbook.create_sheet(sheet[:31])
        _merged, _height, rows = reader.rows(sheet)
        written = 0
        for index, cells in capped(rows, sheet):
            while written < index:  # rows the reader skips at the top
                ws.append([])
                written += 1
            width = max(len(cells), widest.get(index, 0))
            ws.append(
                [_cell(ws, cells[c] if c < len(cells) else None, marks.get((index, c))) for c in range(width)]
            )
            written += 1
        return True
    except (ImportRefused, ReaderFailed):
        logger.warning("error report: could not copy sheet %s of %s", sheet, name)
        return False
    finally:
        reader.close()


def _cell(ws, value, marks):
    """Every value its own cell: openpyxl's write-only rows reuse one cell for plain values, which
    would carry a marked cell's fill on to the cells after it."""
    if value is None and not marks:
        return None
    if isinstance(value, str):
        cell = Cell(ws, row=1, column=1, value=clean_text(value))
        cell.data_type = "s"  # a value such as =HYPERLINK(…) stays the text it was
    else:
        cell = Cell(ws, row=1, column=1, value=value)
    if marks:
        fault = any(is_fault for is_fault, _text in marks)
        cell.fill = FAULT if fault else NOTICE
        text = "\n".join((_("问题：") if is_fault else _("提示：")) + message for is_fault, message in marks)
        comment = Comment(clean_text(text)[:30000], AUTHOR)
        comment.width, comment.height = 320, min(60 + 40 * len(marks), 400)
        cell.comment = comment
    return cell


def _summary_sheet(workbook, rejections, warnings, *, total, copied) -> None:
    ws = workbook.create_sheet(_("问题清单"))
    for letter, width in zip("ABCDEFG", (8, 16, 8, 6, 24, 24, 70), strict=True):
        ws.column_dimensions[letter].width = width
    header = [_("类型"), _("工作表"), _("行"), _("列"), _("表头"), _("单元格内容"), _("问题")]
    ws.append([_bold(ws, text) for text in header])
    for fault, items in ((True, rejections), (False, warnings)):
        kind = _("拒绝") if fault else _("提示")
        for item in items:
            ws.append(
                [
                    _text(ws, kind),
                    _text(ws, item.get("sheet", "")),
                    Cell(ws, row=1, column=1, value=item.get("row") or None),
                    _text(ws, item.get("letter", "")),
                    _text(ws, item.get("column", "")),
                    _text(ws, item.get("value", "")),
                    _text(ws, item["message"]),
                ]
            )
    if total is not None and total > len(rejections):
        ws.append([])
        ws.append(
            [
                _text(
                    ws, _("仅列出前 %(n)s 处问题，共 %(total)s 处。") % {"n": len(rejections), "total": total}
                )
            ]
        )
    if not copied and any(r.get("row") for r in rejections):
        ws.append([])
        ws.append([_text(ws, _("原文件无法读取，未附上标注后的工作表。"))])


def _text(ws, value):
    cell = Cell(ws, row=1, column=1, value=clean_text(str(value)))
    cell.data_type = "s"
    return cell


def _bold(ws, value):
    cell = _text(ws, value)
    cell.font = BOLD
    return cell
