"""The bad-file corpus (tests/files/bad, written by make_files.py): every file refused with a reason
located in the file, and nothing written. Plus the files too large to commit, made here."""

import sys
import time
import tracemalloc
import zipfile

import pytest

from keyprojects.plans.imports.apply import ApplyRejected, run_import
from keyprojects.plans.imports.plan import preview
from keyprojects.plans.imports.rejections import ImportRefused
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch
from keyprojects.plans.tests.import_support import BAD, FILES, GOOD, WAN, YEAR, counts, import_world

sys.path.insert(0, str(FILES))
from make_files import FILE_FAULTS, ROW_FAULTS, inline_row, raw_xlsx, sheet_xml  # noqa: E402

sys.path.remove(str(FILES))


@pytest.fixture
def world(cast):
    return import_world(cast)


def refuse(world, path, name=None):
    """Import PATH and return its rejections; assert nothing was written."""
    before = counts()
    with pytest.raises((ImportRefused, ApplyRejected)) as caught:
        run_import(path, name=name or path.name, year=YEAR, by=world.staff)
    assert counts() == before, f"{path.name} wrote something"
    error = caught.value
    return [error.rejection] if isinstance(error, ImportRefused) else error.plan.rejections


def test_the_corpus_is_large_enough():
    assert len(ROW_FAULTS) + len(FILE_FAULTS) >= 40
    assert len(ROW_FAULTS) >= 20
    for name in [*(f"{n}.xlsx" for n in ROW_FAULTS), *FILE_FAULTS]:
        assert (BAD / name).is_file(), f"run make_files.py: {name} is missing"


ALSO = {"row_group": 1}  # further problems the fault causes in the same file
# Names the system does not know are a question for the office (names.py), not a rejection.
UNKNOWN = {
    "row_department": ("department", "市不存在局"),
    "row_district": ("district", "北京市朝阳区"),
    "row_sector": ("sector", "航天"),
    "row_leader": ("leader", "张三丰"),
}


@pytest.mark.parametrize("name", sorted(set(ROW_FAULTS) - set(UNKNOWN)))
def test_it_refuses_a_bad_row_or_header_with_its_place(world, name):
    _sheets, message, row, column = ROW_FAULTS[name]
    rejections = refuse(world, BAD / f"{name}.xlsx")
    # Every problem of a row is reported: an unknown group leaves its project without a category too.
    assert len(rejections) == ALSO.get(name, 0) + 1, [r.as_dict() for r in rejections]
    rejection = rejections[0]
    assert message in rejection.message
    assert rejection.sheet == "清单"
    assert rejection.row == row
    if column:
        assert rejection.column == column
        assert rejection.letter


@pytest.mark.parametrize("name", sorted(UNKNOWN))
def test_it_asks_about_an_unknown_name_instead_of_refusing_the_row(world, name):
    rejections = refuse(world, BAD / f"{name}.xlsx")
    assert rejections == []
    plan = preview(BAD / f"{name}.xlsx", name=f"{name}.xlsx", year=YEAR)
    assert [(u.kind, u.name, u.rows) for u in plan.unknown_names() if not u.default] == [
        (*UNKNOWN[name], [ROW_FAULTS[name][2] if name != "row_sector" else 6])
    ]
    assert plan.counts()["waiting_rows"] == 1


@pytest.mark.parametrize("name", sorted(FILE_FAULTS))
def test_it_refuses_a_file_that_is_not_a_clean_workbook(world, name):
    rejections = refuse(world, BAD / name)
    [rejection] = rejections
    assert FILE_FAULTS[name] in rejection.message, rejection.message
    if name in ("dimension_million.xlsx",):
        assert rejection.sheet == "清单"
    if name == "header_wrong_year.xlsx":
        assert (rejection.sheet, rejection.row, rejection.column, rejection.letter) == (
            "清单",
            2,
            "2026年计划",
            "G",
        )


def test_it_names_every_problem_of_a_file_at_once(world, tmp_path):
    """Two faulty rows in one file: both reported; nothing imported, not even the good row between."""
    from make_files import SIMPLE_ROW, simple, write_xlsx

    good = [
        2,
        "南宁市第二示范园",
        None,
        "广西示范产业发展有限公司",
        "青秀区",
        "2027-2028",
        800,
        300,
        "2027年6月",
    ]
    bad_department = [3, "南宁市第三示范园", *SIMPLE_ROW[2:9], "市不存在局"]  # asked, not refused
    sheets = simple({2: "2411-4501"}, extra_rows=[good, bad_department])
    path = tmp_path / "two-faults.xlsx"
    write_xlsx(path, sheets)
    rejections = refuse(world, path)
    assert [(r.row, r.letter, r.column) for r in rejections] == [(6, "C", "项目代码")]
    plan = preview(path, name=path.name, year=YEAR)
    assert [(u.name, u.rows) for u in plan.unknown_names() if not u.default] == [("市不存在局", [8])]


def test_it_refuses_an_entry_whose_published_plan_the_file_changes(world):
    annual = AnnualList.objects.create(year=YEAR, title="2027年重点项目清单")
    batch = Batch.objects.create(annual_list=annual, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    AnnualEntry.objects.create(
        annual_list=annual,
        batch=batch,
        project=world.project_a,
        category="new_start",
        planned_investment=9 * WAN,
    )
    rejections = refuse(world, GOOD / "messy_sections.xlsx")
    assert [(r.row, r.letter) for r in rejections] == [(12, "K")]
    assert "计划调整" in rejections[0].message


def test_it_stops_at_the_row_cap(world, settings):
    settings.KP_IMPORT_MAX_ROWS = 10
    [rejection] = refuse(world, GOOD / "messy_sections.xlsx")
    assert "超过导入上限 10 行" in rejection.message
    assert rejection.sheet == "2027年计划表"


def test_it_refuses_a_file_over_the_size_cap(world, settings):
    settings.KP_IMPORT_MAX_BYTES = 4096
    [rejection] = refuse(world, GOOD / "messy_sections.xlsx")
    assert "超过上限" in rejection.message


def million_rows(path, rows=1_000_000, dimension=False):
    """A sheet of a million rows, written part by part: about 3 MB on disk, 30 MB of XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        from make_files import CT, RELS, WORKBOOK, WORKBOOK_RELS

        for name, body in [
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("sharedStrings", "none")),
        ]:
            z.writestr(name, body)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            head = sheet_xml("", dimension=f"A1:B{rows}" if dimension else "A1")
            fh.write(head.split("<sheetData>")[0].encode() + b"<sheetData>")
            fh.write(inline_row(1, ["项目名称", "建设单位", "年度计划投资"]).encode())
            chunk = []
            for r in range(2, rows + 1):
                chunk.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>')
                if len(chunk) == 20000:
                    fh.write("".join(chunk).encode())
                    chunk = []
            fh.write(("".join(chunk) + "</sheetData></worksheet>").encode())


@pytest.mark.parametrize("dimension", [True, False], ids=["with-dimension", "without-dimension"])
def test_it_refuses_a_million_row_sheet_without_reading_it_into_memory(world, tmp_path, dimension):
    path = tmp_path / "million.xlsx"
    million_rows(path, dimension=dimension)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        [rejection] = refuse(world, path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "超过导入上限 200,000 行" in rejection.message
    assert rejection.sheet == "清单"
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert time.perf_counter() - started < 20


def test_it_survives_a_file_that_kills_the_fast_reader(world, tmp_path):
    """A 2 KB file that claims a cell at XFD1048576 makes calamine ask for 500 GB and abort: in its
    own memory-capped process it dies alone, and openpyxl's streaming reader refuses the file."""
    body = (
        inline_row(1, ["项目名称", "建设单位", "年度计划投资", "总投资"])
        + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    path = tmp_path / "far.xlsx"
    raw_xlsx(path, sheet_xml(body, dimension="A1:D1"))
    [rejection] = refuse(world, path)
    assert "超过导入上限" in rejection.message


def test_it_reads_a_file_whose_shared_string_count_lies(world, tmp_path):
    """<sst uniqueCount="4000000000">: calamine reserves room for four billion strings and dies;
    openpyxl reads the strings there are, and the list imports."""
    path = tmp_path / "sst.xlsx"
    header = [
        "项目名称",
        "建设单位",
        "年度计划投资",
        "总投资",
        "建设地点",
        "建设起止年限",
        "项目类别",
        "行业领域",
    ]
    values = [
        "南宁市示范产业园",
        "广西示范产业发展有限公司",
        "1000",
        "5000",
        "青秀区",
        "2027-2028",
        "续建",
        "产业",
    ]
    strings = header + values
    sst = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="4000000000" uniqueCount="4000000000">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{chr(65 + i)}{r}" t="s"><v>{offset + i}</v></c>' for i in range(8))
        + "</row>"
        for r, offset in ((1, 0), (2, 8))
    )
    raw_xlsx(path, sheet_xml(rows), sst)
    plan, result = run_import(path, name=path.name, year=YEAR, by=world.staff)
    assert plan.parsed.reader == "OpenpyxlReader"
    assert (result["created"], plan.rows[0].planned, plan.rows[0].total) == (1, 1000 * WAN, 5000 * WAN)
