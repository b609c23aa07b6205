"""Assessment periods: a month (2027-03), a quarter (2027Q1) or a year (2027), by the code the `assess`
command and the pages take."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.lib.dates import month_end, month_start

MONTH, QUARTER, YEAR = "month", "quarter", "year"
QUARTERS = (
    gettext_lazy("第一季度"),
    gettext_lazy("第二季度"),
    gettext_lazy("第三季度"),
    gettext_lazy("第四季度"),
)
_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    year: int
    number: int  # the month 1–12, the quarter 1–4, or 1 for the year

    @classmethod
    def parse(cls, text: str) -> "Period":
        """2027-03, 2027Q1 or 2027; ValueError with a message a person can act on otherwise."""
        match = _CODE.match((text or "").strip())
        if match is None or not 2000 <= int(match["year"]) <= 2100:
            raise ValueError(
                _("考核期“%(text)s”格式不正确：月度写作 2027-03，季度写作 2027Q1，年度写作 2027。")
                % {"text": text}
            )
        year = int(match["year"])
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(_("月份应为 1 至 12，而不是 %(month)s。") % {"month": month})
            return cls(MONTH, year, month)
        if match["quarter"]:
            return cls(QUARTER, year, int(match["quarter"]))
        return cls(YEAR, year, 1)

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.number}"
        return str(self.year)

    @property
    def first_month(self) -> int:
        if self.kind == MONTH:
            return self.number
        if self.kind == QUARTER:
            return 3 * self.number - 2
        return 1

    @property
    def last_month(self) -> int:
        if self.kind == MONTH:
            return self.number
        if self.kind == QUARTER:
            return 3 * self.number
        return 12

    @property
    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)

    @property
    def start(self) -> dt.date:
        return month_start(self.year, self.first_month)

    @property
    def end(self) -> dt.date:
        return month_end(self.year, self.last_month)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.number}
        if self.kind == QUARTER:
            return _("%(year)s年%(quarter)s") % {"year": self.year, "quarter": QUARTERS[self.number - 1]}
        return _("%(year)s年度") % {"year": self.year}

    def previous(self, count: int = 1) -> "Period":
        """The period COUNT periods before this one, of the same kind."""
        per_year = {MONTH: 12, QUARTER: 4, YEAR: 1}[self.kind]
        index = self.year * per_year + self.number - 1 - count
        year, number = divmod(index, per_year)
        return Period(self.kind, year, number + 1)

    def __str__(self):
        return self.code
