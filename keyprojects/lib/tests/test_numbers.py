"""Percentages to one decimal place and Chinese numerals."""

from decimal import Decimal

import pytest

from keyprojects.lib.numbers import cn_numeral, percent


def test_it_gives_a_percentage_to_one_decimal_place():
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(3, 3) == Decimal("100.0")
    assert percent(5, 4) == Decimal("125.0")


def test_it_rounds_half_up_as_the_office_tables_do():
    # 1 ÷ 16 = 6.25 %, 1 ÷ 80 = 1.25 %, 1 ÷ 400 = 0.25 %: banker's rounding would give 6.2, 1.2, 0.2.
    assert percent(1, 16) == Decimal("6.3")
    assert percent(1, 80) == Decimal("1.3")
    assert percent(1, 400) == Decimal("0.3")
    assert percent(-1, 16) == Decimal("-6.3")


def test_it_takes_decimals_and_counts_a_missing_numerator_as_zero():
    assert percent(Decimal("12.5"), Decimal("50")) == Decimal("25.0")
    assert percent(None, 8) == Decimal("0.0")
    assert percent(0, 8) == Decimal("0.0")


def test_it_has_no_percentage_without_a_base():
    assert percent(5, 0) is None
    assert percent(5, None) is None
    assert percent(0, 0) is None


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (40, "四十"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (120, "一百二十"),
        (205, "二百零五"),
        (999, "九百九十九"),
        (1000, "一千"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (2024, "二千零二十四"),
        (9999, "九千九百九十九"),
        (10000, "一万"),
        (10001, "一万零一"),
        (10010, "一万零一十"),
        (10100, "一万零一百"),
        (11000, "一万一千"),
        (100000, "十万"),
        (110000, "十一万"),
        (1000000, "一百万"),
        (1001000, "一百万一千"),
        (1000100, "一百万零一百"),
        (99999999, "九千九百九十九万九千九百九十九"),
    ],
)
def test_it_writes_numbers_in_chinese_numerals(n, text):
    assert cn_numeral(n) == text


def test_it_writes_every_number_to_ninety_nine_as_documents_count():
    digits = "一二三四五六七八九"
    expected = list(digits) + ["十"] + ["十" + d for d in digits]
    expected += [t + "十" + o for t in digits[1:] for o in ["", *digits]]
    assert [cn_numeral(n) for n in range(1, 100)] == expected


@pytest.mark.parametrize("n", [-1, 100_000_000])
def test_it_refuses_numbers_out_of_range(n):
    with pytest.raises(ValueError):
        cn_numeral(n)
