"""Reading the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) into dates.

The notice lists each festival as one numbered item: "二、春节：2月15日（农历腊月二十八、周日）至23日
（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。" A clause that ends in
放假 gives days off (a date, or a range with 至 whose end may leave out its month), one that ends in
上班 the make-up working days. Annotations in brackets are checked where they say a weekday (周五,
星期五) and otherwise ignored (农历…). What cannot be read is given back, never guessed: the office
confirms the dates, not the text.

Also the plain form the office edits: one line per holiday or range ("2027-02-05 至 2027-02-11 春节").
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

NUMERALS = "一二三四五六七八九十"
WEEKDAYS = "一二三四五六日"
# NFKC turns the notice's full-width brackets, colon and commas into ASCII ones; 、 and 。 stay.
_ITEM = re.compile(rf"(?:^|(?<=[。\n]))\s*([{NUMERALS}]{{1,3}})、")
_ANNOTATION = re.compile(r"\(([^()]*)\)")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日")
_TITLE_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日安排")
_WEEKDAY = re.compile(rf"(?:周|星期)([{WEEKDAYS}天])")
_SIGNATURE = re.compile(r"^[^\d]*\d{4}年\d{1,2}月\d{1,2}日$")


@dataclass
class NoticeItem:
    """One festival of the notice: its name and the dates read from it."""

    name: str
    text: str
    holidays: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)


@dataclass
class ParsedNotice:
    year: int | None
    items: list[NoticeItem]
    problems: list[str]  # what could not be read, or reads wrong: shown back to the office

    @property
    def holidays(self) -> dict[dt.date, str]:
        return {day: item.name for item in self.items for day in item.holidays}

    @property
    def workdays(self) -> dict[dt.date, str]:
        return {day: item.name for item in self.items for day in item.workdays}

    @property
    def understood(self) -> bool:
        return bool(self.items) and any(item.holidays for item in self.items)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("〔", "[").replace("〕", "]")
    # Keep the line breaks (an item may start a line); drop other spaces, which the notice never needs.
    return "\n".join(re.sub(r"\s+", "", line) for line in text.splitlines())


def _weekday_problem(day: dt.date, note: str) -> str | None:
    said = _WEEKDAY.search(note)
    if said is None:
        return None
    index = WEEKDAYS.index("日" if said.group(1) == "天" else said.group(1))
    if index == day.weekday():
        return None
    return _("“%(text)s”标注为%(said)s，但 %(date)s 是%(real)s。") % {
        "text": f"{day.month}月{day.day}日（{note}）",
        "said": said.group(0),
        "date": day.isoformat(),
        "real": "周" + WEEKDAYS[day.weekday()],
    }


def _read_dates(clause: str, notes: list[str], year: int, name: str, problems: list[str]) -> list[dt.date]:
    """Every date a clause names, ranges (至) expanded; bare days take the month before them."""
    days: list[dt.date] = []
    month = None
    range_start = None
    pos = 0
    for match in _DATE.finditer(clause):
        between = clause[pos : match.start()]
        pos = match.end()
        y = int(match.group(1)) if match.group(1) else year
        if match.group(2):
            month = int(match.group(2))
        if month is None:
            problems.append(_("“%(text)s”中的日期缺少月份。") % {"text": clause})
            return []
        try:
            day = dt.date(y, month, int(match.group(3)))
        except ValueError:
            problems.append(_("“%(text)s”不是有效日期。") % {"text": match.group(0)})
            return []
        # The annotation placeholder right after the date (⟨n⟩) is its note.
        note = re.match(r"⟨(\d+)⟩", clause[pos:])
        if note:
            problem = _weekday_problem(day, notes[int(note.group(1))])
            if problem:
                problems.append(problem)
        if range_start is not None and "至" in between:
            start = range_start
            if day < start and not match.group(2):
                # "1月31日至2日": the end runs into the next month.
                month = month % 12 + 1
                day = dt.date(y + (month == 1), month, day.day)
            elif day < start and start.month == 12 and day.month == 1 and not match.group(1):
                # "12月31日至1月2日" in 元旦: the range starts in the year before (or ends in the next).
                if "元旦" in name:
                    start = start.replace(year=start.year - 1)
                else:
                    day = day.replace(year=day.year + 1)
            if day < start or (day - start).days > 31:
                problems.append(_("“%(text)s”的起止日期不正确。") % {"text": clause})
                return []
            days.pop()
            days.extend(start + dt.timedelta(days=i) for i in range((day - start).days + 1))
            range_start = None
            continue
        days.append(day)
        range_start = day
    return days


def parse_notice(text: str, *, year: int | None = None) -> ParsedNotice:
    """The holidays and make-up working days of a pasted notice. YEAR: the year being entered (the
    notice's title gives it otherwise); a title naming another year is reported."""
    text = _normalise(text)
    problems: list[str] = []
    titled = _TITLE_YEAR.search(text)
    if titled:
        named = int(titled.group(1))
        if year is not None and named != year:
            problems.append(
                _("通知标题是 %(named)s 年的安排，与正在录入的 %(year)s 年不一致。")
                % {"named": named, "year": year}
            )
        year = year or named
    if year is None:
        return ParsedNotice(None, [], [_("无法确定年度：请选择年度，或粘贴含标题的通知全文。")])
    marks = list(_ITEM.finditer(text))
    items = []
    for i, mark in enumerate(marks):
        body = text[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        name, colon, rest = body.partition(":")
        if not colon or len(name) > 12:
            problems.append(_("未能识别：%(text)s") % {"text": body.strip()[:80]})
            continue
        item = NoticeItem(name=name.strip(), text=f"{mark.group(1)}、{body.strip()}")
        for sentence in filter(None, (s.strip() for s in re.split(r"[。\n]", rest))):
            notes: list[str] = []

            def _hold(m, notes=notes):
                notes.append(m.group(1))
                return f"⟨{len(notes) - 1}⟩"

            held = _ANNOTATION.sub(_hold, sentence)
            for clause in filter(None, re.split(r"[,;；，]", held)):
                if not _DATE.search(clause):
                    continue  # 共8天, 不调休, 与周末连休
                if _SIGNATURE.match(clause):
                    continue  # the office's name and the notice's date after the last item
                if "放假" in clause:
                    item.holidays.extend(_read_dates(clause, notes, year, item.name, problems))
                elif "上班" in clause:
                    item.workdays.extend(_read_dates(clause, notes, year, item.name, problems))
                else:
                    shown = re.sub(r"⟨(\d+)⟩", lambda m, notes=notes: f"（{notes[int(m.group(1))]}）", clause)
                    problems.append(_("未能识别（%(name)s）：%(text)s") % {"name": item.name, "text": shown})
        if not item.holidays and not item.workdays:
            problems.append(_("未能从“%(text)s”中读出日期。") % {"text": item.text[:80]})
        items.append(item)
    if not items:
        problems.append(
            _("没有找到“一、元旦：……”这样的分项，未能识别任何放假安排。请核对粘贴的是否为通知正文。")
        )
    return ParsedNotice(year, items, problems)


# The form the office edits: one holiday, range or make-up day per line.

_LINE_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_LINE = re.compile(rf"^{_LINE_DATE}(?:\s*(?:至|~|～|—|到)\s*{_LINE_DATE})?\s*(.*)$")


def days_to_lines(days: dict[dt.date, str]) -> str:
    """{date: name} as lines, consecutive days of the same name as one range."""
    lines, run = [], []
    for day in sorted(days):
        if run and day == run[-1] + dt.timedelta(days=1) and days[day] == days[run[0]]:
            run.append(day)
            continue
        if run:
            lines.append(_line(run, days[run[0]]))
        run = [day]
    if run:
        lines.append(_line(run, days[run[0]]))
    return "\n".join(lines)


def _line(run, name) -> str:
    dates = run[0].isoformat() if len(run) == 1 else f"{run[0].isoformat()} 至 {run[-1].isoformat()}"
    return f"{dates} {name}".strip()


def lines_to_days(text: str) -> tuple[dict[dt.date, str], list[str]]:
    """The days of the lines of TEXT ({date: name}) and the lines that are not dates, as messages."""
    days, errors = {}, []
    for raw in (text or "").splitlines():
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if match is None:
                raise ValueError
            start = dt.date(*(int(match.group(i)) for i in (1, 2, 3)))
            end = dt.date(*(int(match.group(i)) for i in (4, 5, 6))) if match.group(4) else start
            if end < start or (end - start).days > 31:
                raise ValueError
        except ValueError:
            errors.append(
                _("无法识别的一行：“%(line)s”（格式：2027-02-05 至 2027-02-11 春节）") % {"line": raw.strip()}
            )
            continue
        name = match.group(7).strip()[:30]
        for i in range((end - start).days + 1):
            days[start + dt.timedelta(days=i)] = name
    return days, errors
