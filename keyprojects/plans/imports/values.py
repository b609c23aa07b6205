"""values: what one cell says, read the way offices write it.

Text without stray spaces; the marks for "empty" (—, /, 无 …); money in 元, 万元 or 亿元 (or a unit in
the cell) as whole yuan, never a float on the way; construction years (2025-2028, 2025—28年 …); a
planned month (2027年3月, 2027.03, 三季度 …); project codes; lists of names; a project category.
Each parser returns None for an empty cell and raises ValueError with the reason shown to the office.
"""

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from keyprojects.lib.money import YUAN_PER_WAN, to_decimal
from keyprojects.plans.models import Category

YUAN_PER_UNIT = {"元": 1, "万元": YUAN_PER_WAN, "亿元": 100_000_000}
MAX_YUAN = 10**17


EMPTY_MARKS = {"", "-", "--", "—", "——", "–", "―", "─", "/", "／", "\\", "无", "空", "0-0", "－"}
CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])\s+|\s+(?=[{CJK}])")
_SPACES = re.compile(r"\s+")


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious .0, dates as ISO, whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").replace("\xa0", " ").strip()


def clean_name(value) -> str:
    """A name as stored: line breaks and stray spaces typed into Excel gone, a single space kept
    between Latin words (G7211 南友高速 → G7211南友高速; New Energy Park keeps its spaces)."""
    text = cell_text(value)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SPACES.sub(" ", text).strip()


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip().replace(" ", "") in EMPTY_MARKS
    return False


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def is_numberish(value) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    if isinstance(value, str):
        text = nfkc(value).replace(",", "").strip()
        return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?", text)) and len(text) > 0
    return False


_MONEY = re.compile(r"^([+-]?\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?$")


def parse_money(value, unit: str) -> int | None:
    """An amount in UNIT (元, 万元 or 亿元) as whole yuan; None when empty; ValueError with the reason."""
    if is_empty(value):
        return None
    if isinstance(value, bool) or isinstance(value, dt.date | dt.time):
        raise ValueError(_("不是金额"))
    if isinstance(value, int | float | Decimal):
        amount = to_decimal(value)
    else:
        text = nfkc(str(value)).replace(",", "").replace(" ", "").replace("\u00a0", "")
        match = _MONEY.match(text)
        if not match:
            raise ValueError(_("不是有效的金额"))
        amount = Decimal(match.group(1))
        if match.group(2):
            unit = {"亿": "亿元", "万": "万元"}.get(match.group(2), match.group(2))
    if amount < 0:
        raise ValueError(_("金额不能为负数"))
    yuan = (amount * YUAN_PER_UNIT[unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if yuan >= MAX_YUAN:
        raise ValueError(_("金额过大，请核对单位"))
    return int(yuan)


_YEAR = r"(\d{4})年?(?:[./](\d{1,2})|(\d{1,2})月)?份?"
_YEAR_END = r"(\d{4}|\d{2})年?(?:[./](\d{1,2})|(\d{1,2})月)?份?"
_YEARS = re.compile(rf"^{_YEAR}(?:-+|—+|–+|~+|至|到|―+)(?:{_YEAR_END})$")
_ONE_YEAR = re.compile(rf"^{_YEAR}$")


def parse_years(value) -> tuple[int, int] | None:
    """2025-2028, 2025—2028年, 2025年～2028年, 2025.01-2028.12, 2025 → (start, end)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.year, value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return _check_years(int(value), int(value))
        raise ValueError(_("无法识别的建设年限"))
    text = nfkc(cell_text(value)).replace(" ", "").replace("年度", "年")
    if match := _YEARS.match(text):
        start, end = int(match.group(1)), match.group(4)
        end = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        return _check_years(start, end)
    if match := _ONE_YEAR.match(text):
        return _check_years(int(match.group(1)), int(match.group(1)))
    raise ValueError(_("无法识别的建设年限（应如 2025-2028、2025—2028年 或 2025年）"))


def period_end_month(value) -> int | None:
    """The month a construction period names for its end (2025.01-2026.06 → 6), else None."""
    if is_empty(value) or not isinstance(value, str):
        return None
    text = nfkc(cell_text(value)).replace(" ", "").replace("年度", "年")
    if match := _YEARS.match(text):
        month = match.group(5) or match.group(6)
        if month and 1 <= int(month) <= 12:
            return int(month)
    return None


def decimals(value) -> int:
    """How many decimals a number is written with (12.50 → 2, 3 → 0), as a cell shows it."""
    text = nfkc(cell_text(value)).replace(",", "")
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


def _check_years(start, end):
    if not (1990 <= start <= 2100 and 1990 <= end <= 2100):
        raise ValueError(_("年份超出合理范围"))
    if end < start:
        raise ValueError(_("截止年早于起始年"))
    return start, end


CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def cn_number(text: str) -> int | None:
    """一 … 九十九 (enough for section numbers and months)."""
    if not text or any(c not in CN_NUMBERS for c in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (CN_NUMBERS.get(tens, 1) if tens else 1) * 10 + (CN_NUMBERS.get(ones, 0) if ones else 0)
    return CN_NUMBERS[text] if len(text) == 1 else None


_MONTH_DATE = re.compile(r"^(\d{4})[年./-](\d{1,2})(?:月|$|[./-]\d{1,2}日?|月?(?:上|中|下)旬|月?底|月?初|份)")
_MONTH_ONLY = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})月")
_YEAR_PREFIX = re.compile(r"^(\d{4})年?")
_PERIODS = {
    "一季度": 3,
    "第一季度": 3,
    "1季度": 3,
    "二季度": 6,
    "第二季度": 6,
    "2季度": 6,
    "三季度": 9,
    "第三季度": 9,
    "3季度": 9,
    "四季度": 12,
    "第四季度": 12,
    "4季度": 12,
    "上半年": 6,
    "下半年": 12,
    "年内": 12,
    "年底": 12,
    "年末": 12,
    "年初": 3,
}
ALREADY = ("已开工", "已竣工", "已投产", "已完工", "在建")


def parse_month(value) -> tuple[int | None, int | None] | None:
    """A planned start or completion time → (year or None, month or None); None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.year, value.month
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= int(value) <= 12:
            return None, int(value)
        if float(value).is_integer() and 1990 <= int(value) <= 2100:
            return int(value), None
        # 2027.03 typed as a number: read it as Excel shows it (2027.1 is January).
    text = nfkc(cell_text(value)).replace(" ", "")
    if any(text.startswith(w) for w in ALREADY):
        return None
    if match := _MONTH_DATE.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(_("月份应为 1–12"))
        return year, month
    year = None
    if match := _YEAR_PREFIX.match(text):
        year, text = int(match.group(1)), text[match.end() :]
        if not text:
            return year, None
    if match := _MONTH_ONLY.match(text):
        raw = match.group(1)
        month = int(raw) if raw.isdigit() else cn_number(raw)
        if month and 1 <= month <= 12:
            return year, month
        raise ValueError(_("月份应为 1–12"))
    for words, month in _PERIODS.items():
        if text.startswith(words):
            return year, month
    raise ValueError(_("无法识别的时间（应如 2027年3月、2027.03 或 3月）"))


_CODE_DASHES = re.compile(r"[—–－‐‑‒―_]")


def clean_code(value) -> str:
    text = nfkc(cell_text(value)).replace(" ", "").upper()
    return _CODE_DASHES.sub("-", text)


_LIST_SPLIT = re.compile(r"[、，,;；/\n\r\t ]+")
_PAREN = re.compile(r"[（(][^）)]*[）)]")


def split_names(value) -> list[str]:
    """市发改委（牵头）、市住建局 → [市发改委, 市住建局]."""
    text = _PAREN.sub("", cell_text(value).replace("\u3000", " "))
    return [n for n in (p.strip() for p in _LIST_SPLIT.split(text)) if n and not is_empty(n)]


def split_people(value) -> list[str]:
    """张三（市委常委、常务副市长）、李四 → [张三（市委常委、常务副市长）, 李四]: the title in brackets stays
    with its name (orgs.services.leader_name_split reads it)."""
    titles = []

    def keep(found):
        titles.append(found.group(0))
        return f"\0{len(titles) - 1}\0"

    text = re.sub(r"\s+(?=[（(])", "", cell_text(value).replace("\u3000", " "))
    text = _PAREN.sub(keep, text)
    names = [n for n in (p.strip() for p in _LIST_SPLIT.split(text)) if n and not is_empty(n)]
    return [re.sub(r"\0(\d+)\0", lambda m: titles[int(m.group(1))], n) for n in names]


CATEGORY_WORDS = [
    (Category.COMPLETING, ("竣工投产", "建成投产", "竣工", "投产", "完工")),
    (Category.NEW_START, ("新开工", "新建开工", "计划新开工")),
    (Category.CONTINUING, ("续建", "在建")),
    (Category.PREPARATORY, ("预备", "前期", "储备", "谋划")),
]


def category_for(text: str) -> str | None:
    key = nfkc(text).replace(" ", "")
    for category, words in CATEGORY_WORDS:
        if any(w in key for w in words):
            return category
    return None
