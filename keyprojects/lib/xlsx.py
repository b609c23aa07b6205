"""Writing Excel files people open in Excel, WPS and LibreOffice: text stays text, the file always opens."""

from django.http import HttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_text(value: str) -> str:
    """Word's manual line break (\\v) becomes a line break; other control characters, which the
    xlsx format forbids (openpyxl refuses the whole file), are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value.replace("\v", "\n"))


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
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response
