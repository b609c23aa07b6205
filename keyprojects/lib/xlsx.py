"""Writing Excel files people open in Excel, WPS and LibreOffice: text stays text, the file always opens."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from keyprojects.lib.text import xml_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


def clean_text(value: str) -> str:
    """VALUE as a cell can hold it (lib.text.xml_safe): control characters, which the xlsx format
    forbids (openpyxl refuses the whole file), are dropped; Word's \\v becomes a line break."""
    return xml_safe(value)


def text_cell(ws, value):
    """A text value as a text cell, never a formula: openpyxl takes any text starting with "=" for
    one, and a project name typed as =HYPERLINK(…), +1, -1 or @x must not come alive in the office's
    spreadsheet. Other values pass through."""
    if not isinstance(value, str):
        return value
    cell = Cell(ws, value=clean_text(value))
    cell.data_type = "s"
    return cell


def xlsx_response(workbook, filename: str) -> HttpResponse:
    """WORKBOOK as a download. FILENAME may be Chinese (2026年重点项目清单.xlsx): it is sent in the form
    (RFC 6266 filename*) every browser saves under its own name."""
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    workbook.save(response)
    return response


def table_sheet(
    *, sheet: str, title: str, columns, note: str = "", note_left: bool = False, freeze: str = "C4"
):
    """A workbook of one sheet in the office's table layout, ready for its rows: the TITLE across the
    top, a NOTE row (单位 or 截至 at the right end, or at the left with NOTE_LEFT), the header row in
    bold, centred, wrapped and boxed, the column widths, and the panes frozen at FREEZE (title, note,
    header and the first columns stay in view). COLUMNS are (header, width) pairs.
    Returns (workbook, worksheet); add the rows with table_rows and table_total."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    table_row(ws, [title])
    ws.merge_cells(f"A1:{get_column_letter(len(columns))}1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    table_row(ws, [note] if note_left else [""] * (len(columns) - 1) + [note])
    table_row(ws, [header for header, _width in columns])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
    for index, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = freeze
    return workbook, ws


def table_row(ws, values) -> None:
    """Append one row, text as text cells."""
    ws.append([text_cell(ws, value) for value in values])


def table_rows(ws, rows) -> int:
    """Append ROWS (lists of values), text as text cells; returns how many there were."""
    count = 0
    for row in rows:
        table_row(ws, row)
        count += 1
    return count


def table_total(ws, values) -> None:
    """Append the 合计 row; its label (the first value that is not blank) in bold."""
    table_row(ws, values)
    column = next(i for i, value in enumerate(values, start=1) if value not in ("", None))
    ws.cell(row=ws.max_row, column=column).font = Font(bold=True)


def table_box(ws, first_row: int = 3) -> None:
    """Box every cell from FIRST_ROW (the header) to the last row written so far."""
    for line in ws.iter_rows(min_row=first_row, max_row=ws.max_row):
        for cell in line:
            cell.border = BOX


def column_letter(index: int) -> str:
    """The spreadsheet letter of the 0-based column INDEX: 0 → A, 26 → AA."""
    return get_column_letter(index + 1)
