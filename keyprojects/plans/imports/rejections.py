"""Rejections: how a refused file or row is reported, located as the office sees it in Excel. Shared by
every stage of the import."""

from dataclasses import dataclass


@dataclass
class Rejection:
    """One reason a file cannot be imported, located as the office sees it in Excel."""

    message: str
    sheet: str = ""
    row: int | None = None  # Excel's row number, from 1
    column: str = ""  # the header as printed, e.g. "2027年计划/计划投资"
    letter: str = ""  # Excel's column letter
    value: str = ""

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
            "value": self.value,
        }


class ImportRefused(Exception):
    """The file as a whole cannot be read: wrong kind, too big, unsafe, no recognisable header …"""

    def __init__(self, message, **where):
        super().__init__(message)
        self.rejection = Rejection(str(message), **where)


def shown(value) -> str:
    """A cell's value as the office would recognise it in a message."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
