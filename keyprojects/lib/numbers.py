"""Numbers as the office writes them: percentages to one decimal place, Chinese numerals."""

from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
CN_DIGITS = "零一二三四五六七八九"
# Within a group of four digits: 千 百 十 and the ones; the groups are 万 apart.
_CN_PLACES = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))


def percent(numerator, denominator) -> Decimal | None:
    """NUMERATOR ÷ DENOMINATOR in per cent, one decimal place rounded half up (as Excel and the
    office's tables round); None without a base. A missing numerator counts as 0."""
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _cn_group(n: int) -> str:
    """0 < N < 10,000 in full (一千零五, 二百一十): a zero between digits is said once."""
    text, zero = "", False
    for value, place in _CN_PLACES:
        digit = n // value % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += CN_DIGITS[0]
            zero = False
        text += CN_DIGITS[digit] + place
    return text


def cn_numeral(n: int) -> str:
    """0 ≤ N < 100,000,000 in Chinese numerals as counted in documents (第十二批, 一百零一、):
    10–19 without a leading 一 (十, 十一), 一十 inside larger numbers (一百一十), one 零 for a gap
    (一千零五, 一万零一百)."""
    if not 0 <= n < 100_000_000:
        raise ValueError(f"cn_numeral takes 0 to 99,999,999, not {n}")
    if n == 0:
        return CN_DIGITS[0]
    high, low = divmod(n, 10_000)
    if high:
        text = _cn_group(high) + "万"
        if low:
            text += (CN_DIGITS[0] if low < 1000 else "") + _cn_group(low)
    else:
        text = _cn_group(low)
    # 十一, not 一十一: only when the number starts with the tens.
    return text[1:] if text.startswith("一十") else text
