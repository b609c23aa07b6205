"""The cell parsers and the header reader, one quirk at a time."""

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.plans.imports import read
from keyprojects.plans.imports.header import find_header
from keyprojects.plans.imports.read import Peek
from keyprojects.plans.imports.values import (
    clean_name,
    parse_money,
    parse_month,
    parse_years,
    split_names,
    split_people,
)


@pytest.mark.parametrize(
    ("value", "unit", "yuan"),
    [
        ("12.5", "亿元", 1_250_000_000),
        (12.5, "亿元", 1_250_000_000),
        ("１２，０００", "万元", 120_000_000),
        ("3,500.5", "万元", 35_005_000),
        (" 9 876.5432 ", "万元", 98_765_432),
        (0.1 + 0.2, "万元", 3_000),  # float noise from a formula is not a fraction of a yuan
        ("1,200,000", "元", 1_200_000),
        ("1.2亿", "万元", 120_000_000),  # a unit written in the cell wins over the column's
        ("800万元", "亿元", 8_000_000),
        (Decimal("0.00005"), "万元", 1),  # rounded to the yuan
        ("0", "万元", 0),
        (0, "万元", 0),
    ],
)
def test_it_reads_amounts_in_the_columns_unit(value, unit, yuan):
    assert parse_money(value, unit) == yuan


@pytest.mark.parametrize("value", [None, "", "—", "——", "-", "/", "／", "－", "无", "  "])
def test_it_reads_the_marks_for_empty(value):
    assert parse_money(value, "万元") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-1", "负数"),
        ("约1000", "不是有效"),
        ("12%", "不是有效"),
        ("1e30", "不是有效"),
        (True, "不是金额"),
        (dt.date(2027, 1, 1), "不是金额"),
    ],
)
def test_it_refuses_what_is_not_an_amount(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_money(value, "万元")


def test_it_refuses_amounts_beyond_reason():
    with pytest.raises(ValueError, match="过大"):
        parse_money("99999999999999", "亿元")


@pytest.mark.parametrize(
    ("value", "years"),
    [
        ("2025-2028", (2025, 2028)),
        ("2025—2028年", (2025, 2028)),
        ("2025年～2028年", (2025, 2028)),
        ("2025年~2028年", (2025, 2028)),
        ("2025.01-2028.12", (2025, 2028)),
        ("2025年1月-2028年12月", (2025, 2028)),
        ("2025/01-2028/12", (2025, 2028)),
        ("2025至2028年", (2025, 2028)),
        ("2026-27", (2026, 2027)),
        ("２０２５－２０２８", (2025, 2028)),
        ("2027", (2027, 2027)),
        ("2027年", (2027, 2027)),
        (2027, (2027, 2027)),
        (2027.0, (2027, 2027)),
        ("—", None),
    ],
)
def test_it_reads_year_ranges_as_offices_write_them(value, years):
    assert parse_years(value) == years


@pytest.mark.parametrize("value", ["三年", "2028-2025", "1850-1860", "2025-", 2027.5])
def test_it_refuses_years_it_cannot_read(value):
    with pytest.raises(ValueError):
        parse_years(value)


@pytest.mark.parametrize(
    ("value", "when"),
    [
        ("2027年3月", (2027, 3)),
        ("2027.03", (2027, 3)),
        ("2027-03-15", (2027, 3)),
        ("2027年3月底", (2027, 3)),
        ("2027年10月上旬", (2027, 10)),
        ("3月", (None, 3)),
        ("三月", (None, 3)),
        ("十二月", (None, 12)),
        ("2027年二季度", (2027, 6)),
        ("下半年", (None, 12)),
        (dt.date(2027, 6, 1), (2027, 6)),
        (dt.datetime(2027, 6, 1, 0, 0), (2027, 6)),
        (4, (None, 4)),
        (2027.04, (2027, 4)),
        ("2027年", (2027, None)),
        ("已开工", None),
        ("-", None),
    ],
)
def test_it_reads_planned_months(value, when):
    assert parse_month(value) == when


@pytest.mark.parametrize("value", ["尽快", "2027年13月", "13月"])
def test_it_refuses_months_it_cannot_read(value):
    with pytest.raises(ValueError):
        parse_month(value)


def test_it_cleans_names_as_typed_into_excel():
    assert clean_name("南宁市新能源\n汽车 产业园项目 ") == "南宁市新能源汽车产业园项目"
    assert clean_name("G7211 南友高速") == "G7211南友高速"
    assert clean_name("New  Energy\tPark") == "New Energy Park"
    assert clean_name("\u3000青秀区\u3000") == "青秀区"


def test_it_splits_lists_of_names():
    assert split_names("市发改委（牵头）、市住建局，市交通局;市水利局\n市财政局") == [
        "市发改委",
        "市住建局",
        "市交通局",
        "市水利局",
        "市财政局",
    ]
    assert split_names("—") == []


def header_of(rows, merged=None):
    return find_header(Peek(name="S", rows=rows, merged=merged))


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("建设单位", "owner"),
        ("项目业主", "owner"),
        ("项目法人", "owner"),
        ("项目业主单位", "owner"),
        ("联系市领导", "leader"),
        ("牵头市领导", "leader"),
        ("包联领导", "leader"),
        ("责任单位", "departments"),
        ("牵头协调部门", "departments"),
        ("项目代码", "code"),
        ("项目编码", "code"),
        ("建设地点", "location"),
        ("所在地", "location"),
        ("所在城区", "district"),
        ("截至上年底累计完成投资", "completed_before"),
        ("截至2026年底累计完成投资（万元）", "completed_before"),
        ("年度计划投资", "planned"),
        ("2027年计划投资（万元）", "planned"),
        ("总投资（亿元）", "total"),
        ("建设起止年限", "years"),
        ("建设年限", "years"),
        ("计划开工时间", "start"),
        ("计划竣工投产时间", "completion"),
        ("形象进度目标", "goal"),
        ("建设内容及规模", "content"),
        ("行业领域", "sector"),
        ("项目类别", "category"),
        ("截至上年底形象进度", None),
    ],
)
def test_it_knows_the_header_synonyms(label, field):
    header = header_of([["项目名称", "序号", "备注", label]])
    assert header.columns[3].field == field


def test_it_reads_a_two_row_header_without_merge_information():
    rows = [
        ["2027年重点项目表"],
        [None, None, None, None, "单位：亿元"],
        ["序号", "项目名称", "建设单位", "总投资", "2027年计划", None, "备注"],
        [None, None, None, None, "计划投资（万元）", "形象进度目标", None],
        [None, "合计"],
    ]
    header = header_of(rows, merged=None)
    assert header.excel_rows() == [3, 4]
    fields = {c.letter: (c.field, c.unit, c.label) for c in header.columns}
    assert fields["D"] == ("total", "亿元", "总投资")  # the unit row's unit
    assert fields["E"] == ("planned", "万元", "2027年计划/计划投资（万元）")
    assert fields["F"] == ("goal", None, "2027年计划/形象进度目标")  # the blank cell continues the group
    assert header.group_year == 2027


def test_it_prefers_the_pair_of_rows_to_the_filled_lower_row():
    rows = [
        ["序号", "项目名称", "建设单位", "2027年计划", "2027年计划"],
        ["序号", "项目名称", "建设单位", "计划投资", "主要建设内容"],
    ]
    header = header_of(rows, merged=[[0, 0, 1, 0], [0, 1, 1, 1], [0, 2, 1, 2], [0, 3, 0, 4]])
    assert header.excel_rows() == [1, 2]
    assert [c.field for c in header.columns] == ["seq", "name", "owner", "planned", "goal"]


def test_it_finds_no_header_in_a_sheet_of_numbers():
    assert header_of([[1, 2, 3], ["a", "b", "c"]]) is None


def test_the_reader_child_is_a_standalone_script():
    """read_child.py runs under `python file.py`: it must not import Django or the project."""
    source = read.CHILD.read_text()
    assert "django" not in source.lower().replace("django code", "")
    assert "from keyprojects" not in source


@pytest.mark.parametrize(
    ("value", "people"),
    [
        ("张三（市委常委、常务副市长）、李四", ["张三（市委常委、常务副市长）", "李四"]),
        ("王五 (副市长)，赵六", ["王五(副市长)", "赵六"]),
        ("韦建平", ["韦建平"]),
        ("/", []),
    ],
)
def test_it_keeps_a_leaders_title_with_the_name(value, people):
    assert split_people(value) == people
