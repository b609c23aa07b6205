"""Reading the State Council's holiday notice: the real 2025 and 2026 texts give exactly the package's
dates; ranges across months, weekday and lunar annotations, make-up lists; what cannot be read is
given back."""

import datetime as dt

import pytest
from chinese_calendar import constants as cc

from keyprojects.lib.notice import days_to_lines, lines_to_days, parse_notice
from keyprojects.lib.tests.notices import NOTICE_2025, NOTICE_2026, NOTICE_2027

D = dt.date


@pytest.mark.parametrize(("year", "text"), [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_it_reads_the_real_notices_into_the_packages_dates(year, text):
    parsed = parse_notice(text)
    assert parsed.year == year
    assert parsed.problems == []
    assert set(parsed.holidays) == {d for d in cc.holidays if d.year == year}
    assert set(parsed.workdays) == {d for d in cc.workdays if d.year == year}


def test_it_names_each_festival_and_spans_a_range_across_months():
    parsed = parse_notice(NOTICE_2025, year=2025)
    names = [item.name for item in parsed.items]
    assert names == ["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节、中秋节"]
    spring = parsed.items[1]
    # "1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）": eight days over two months.
    assert spring.holidays == [D(2025, 1, 28) + dt.timedelta(days=i) for i in range(8)]
    assert spring.workdays == [D(2025, 1, 26), D(2025, 2, 8)]
    assert parsed.items[4].holidays == [D(2025, 5, 31), D(2025, 6, 1), D(2025, 6, 2)]
    assert parsed.holidays[D(2025, 10, 6)] == "国庆节、中秋节"
    assert parsed.items[0].holidays == [D(2025, 1, 1)] and parsed.items[0].workdays == []  # 不调休


def test_it_reads_a_range_whose_end_names_its_own_month_and_a_weekend_joined_holiday():
    text = (
        "一、元旦：1月1日（周五）放假，与周末连休。\n"
        "二、国庆节：9月30日至10月8日放假调休，共9天。9月26日（星期日）、10月9日（星期六）上班。"
    )
    parsed = parse_notice(text, year=2027)
    assert parsed.problems == []
    assert parsed.items[0].holidays == [D(2027, 1, 1)]
    assert parsed.items[1].holidays == [D(2027, 9, 30) + dt.timedelta(days=i) for i in range(9)]
    assert parsed.items[1].workdays == [D(2027, 9, 26), D(2027, 10, 9)]


def test_it_takes_the_month_of_the_date_before_a_bare_day():
    parsed = parse_notice("一、国庆节：10月1日至7日放假调休。10月8日（周六）、9日（周日）上班。", year=2011)
    assert parsed.items[0].workdays == [D(2011, 10, 8), D(2011, 10, 9)]
    assert parsed.problems == []


def test_it_reads_the_example_2027_schedule():
    parsed = parse_notice(NOTICE_2027)
    assert parsed.year == 2027 and parsed.problems == []
    assert len(parsed.holidays) == 3 + 9 + 3 + 5 + 1 + 1 + 7
    assert sorted(parsed.workdays) == [
        D(2027, 1, 31), D(2027, 2, 20), D(2027, 4, 25), D(2027, 5, 8), D(2027, 9, 26), D(2027, 10, 9),
    ]  # fmt: skip


def test_it_reports_a_weekday_annotation_that_does_not_match_the_date():
    parsed = parse_notice("一、元旦：1月1日（周三）放假1天。", year=2027)  # 2027-01-01 is a Friday
    assert parsed.holidays == {D(2027, 1, 1): "元旦"}
    assert len(parsed.problems) == 1
    assert "周三" in parsed.problems[0] and "周五" in parsed.problems[0]


def test_it_reports_a_title_of_another_year():
    parsed = parse_notice(NOTICE_2026, year=2027)
    assert any("2026" in p and "2027" in p for p in parsed.problems)


def test_it_gives_back_what_it_cannot_read_with_what_it_understood():
    text = "一、元旦：1月1日（周五）放假。\n二、春节：2月5日前后另行通知。\n三、清明节：待定。"
    parsed = parse_notice(text, year=2027)
    assert parsed.understood
    assert parsed.holidays == {D(2027, 1, 1): "元旦"}
    assert any("2月5日前后另行通知" in p for p in parsed.problems)
    assert any("清明节" in p for p in parsed.problems)


def test_it_understands_nothing_in_text_that_is_not_a_notice():
    parsed = parse_notice("请于下周一前报送材料。", year=2027)
    assert not parsed.understood
    assert parsed.problems and "分项" in parsed.problems[0]
    assert parse_notice("", year=None).problems  # no year at all


def test_it_refuses_an_impossible_date():
    parsed = parse_notice("一、春节：2月30日放假。", year=2027)
    assert parsed.holidays == {}
    assert any("2月30日" in p for p in parsed.problems)


def test_it_writes_and_reads_back_the_lines_the_office_edits():
    parsed = parse_notice(NOTICE_2026)
    lines = days_to_lines(parsed.holidays)
    assert lines.splitlines()[1] == "2026-02-15 至 2026-02-23 春节"
    assert lines_to_days(lines) == (parsed.holidays, [])
    days, errors = lines_to_days("2027-02-05 ~ 2027-02-07 春节\n2027-13-01 坏日期\n明天")
    assert list(days) == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7)]
    assert len(errors) == 2
