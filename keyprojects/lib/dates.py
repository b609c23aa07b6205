"""Month boundaries: the first and last day of a month, the month before, a month N months on."""

import calendar
import datetime as dt


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def next_month_start(year: int, month: int) -> dt.date:
    return dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)


def previous_month(today: dt.date) -> tuple[int, int]:
    """(year, month) of the month before TODAY's: the last month that has ended."""
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def add_months(day: dt.date, n: int) -> dt.date:
    """DAY moved N months (back when negative); a day the target month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
