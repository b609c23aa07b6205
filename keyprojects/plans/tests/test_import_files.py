"""The messy lists of tests/files/good, imported end to end: every entry and amount exactly."""

import io
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import Organisation
from keyprojects.plans.imports import read
from keyprojects.plans.imports.apply import BATCH_NEW, ApplyRejected, run_import
from keyprojects.plans.imports.plan import build_plan, preview
from keyprojects.plans.imports.rows import parse_file
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category
from keyprojects.plans.tests.import_support import FILES, GOOD, WAN, YEAR, YI, counts, import_world
from keyprojects.projects.models import Project, Sector, Stage, StageChange


@pytest.fixture
def world(cast):
    return import_world(cast)


def run(world, path, *, batch=BATCH_NEW):
    return run_import(path, name=path.name, year=YEAR, by=world.staff, batch=batch)


def entry(name):
    return AnnualEntry.objects.select_related("project", "batch", "leader").get(
        annual_list__year=YEAR, project__name=name
    )


def departments(e):
    return sorted(e.departments.values_list("name", flat=True))


@pytest.fixture(params=["xlsx", "xls", "xlsx-openpyxl"])
def sections_file(request, monkeypatch):
    """The same list three ways: .xlsx and .xls through calamine (with merged ranges), and .xlsx
    through openpyxl's streaming reader, which has no merged ranges (blank header cells continue)."""
    if request.param == "xlsx-openpyxl":

        def refuse(path):
            raise read.ReaderFailed("calamine off for this test")

        monkeypatch.setattr(read, "CalamineReader", refuse)
    suffix = "xls" if request.param == "xls" else "xlsx"
    return GOOD / f"messy_sections.{suffix}", request.param


def test_it_imports_a_list_with_every_layout_quirk(world, sections_file):
    path, how = sections_file
    plan, result = run(world, path)

    assert plan.parsed.reader == ("OpenpyxlReader" if how == "xlsx-openpyxl" else "CalamineReader")
    header = plan.parsed.header
    assert (header.sheet, header.excel_rows(), header.sheet_unit) == ("2027年计划表", [3, 4], "万元")
    assert plan.parsed.sheets_ignored == ["填表说明", "汇总"]
    by_letter = {c.letter: (c.field, c.unit) for c in header.columns}
    assert by_letter["I"] == ("total", "亿元")  # 总投资（亿元）
    assert by_letter["J"] == ("completed_before", "万元")  # no unit: the unit row's
    assert by_letter["K"] == ("planned", "万元")  # 2027年计划 / 计划投资（万元）
    assert by_letter["L"][0] == "goal"  # 2027年计划 / 主要建设内容
    assert [s.label for s in plan.parsed.sections][:2] == ["新开工项目", "产业项目"]
    assert plan.parsed.file_totals == {
        "total": 5835 * 10**6,
        "completed_before": 3300 * WAN,
        "planned": 618_770_432,
    }
    assert not plan.warnings
    assert result == {
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "new_projects": 5,
        "new_owners": 2,
        "batch": "第一批",
    }
    assert plan.totals() == {"planned": 618_770_432, "total": 5_835_000_000}

    annual = AnnualList.objects.get(year=YEAR)
    batch = Batch.objects.get(annual_list=annual)
    assert (batch.number, batch.name, batch.status) == (1, "第一批", Batch.Status.DRAFT)

    # Row 8: line break and stray space in the name, text 12.5 亿元, full-width １２，０００ 万元.
    ev = entry("南宁市新能源汽车产业园项目")
    p = ev.project
    assert p.code == "2611-450103-04-01-100001"
    assert p.owner.name == "广西新能源汽车产业发展有限公司" and p.owner.kind == Organisation.Kind.OWNER
    assert (p.district, p.sector.name, p.location) == (world.district_a, "产业", "南宁市青秀区长塘镇")
    assert (p.total_investment, p.start_year, p.end_year, p.stage) == (
        1_250_000_000,
        2027,
        2029,
        Stage.RESERVE,
    )
    assert p.start_date is None
    assert (p.contact, p.phone, p.leader) == ("张工", "0771-5551234", world.leader)
    assert (ev.category, ev.planned_investment, ev.completed_before_year) == (
        Category.NEW_START,
        120_000_000,
        None,
    )
    assert (ev.goal, ev.planned_start_month, ev.planned_completion_month) == ("完成厂房主体", 3, None)
    assert (ev.leader, ev.batch) == (world.leader, batch)
    assert departments(ev) == ["市发展和改革委员会"]
    assert sorted(p.departments.values_list("name", flat=True)) == ["市发展和改革委员会"]

    # Row 9: the same owner written with a space; 3,500.5 万元 with a separator; a date cell; 2 亿元
    # as a number; 2027—2028年; two departments.
    ev = entry("南宁市智能终端产业园")
    assert ev.project.owner.name == "广西新能源汽车产业发展有限公司"
    assert (ev.project.total_investment, ev.project.start_year, ev.project.end_year) == (2 * YI, 2027, 2028)
    assert (ev.planned_investment, ev.planned_start_month, ev.leader) == (35_005_000, 6, None)
    assert departments(ev) == ["市发展和改革委员会", "市生态环境局"]

    # Row 12: the cast's project A, matched by code; the registry keeps its figures, fills its empty
    # location; 2025年～2028年 is not written over the registry's 2025–2027.
    ev = entry(world.project_a.name)
    assert ev.project == world.project_a
    assert (ev.planned_investment, ev.completed_before_year, ev.planned_start_month) == (3 * YI, 100 * WAN, 4)
    project_a = Project.objects.get(pk=world.project_a.pk)
    assert (project_a.total_investment, project_a.end_year, project_a.location) == (
        50000 * WAN,
        2027,
        "青秀区",
    )

    # Row 15: project B matched by normalised name + owner ("西乡塘区 老旧小区\n改造项目").
    ev = entry(world.project_b.name)
    assert ev.project == world.project_b
    assert (ev.category, ev.planned_investment, ev.completed_before_year) == (
        Category.CONTINUING,
        5000 * WAN,
        2000 * WAN,
    )
    assert ev.goal == "完成 12 个小区改造"

    # Row 16: a new continuing project (2025.01-2028.12, １，２００ full-width) stays in 谋划储备.
    ev = entry("邕江综合整治工程")
    assert (ev.project.start_year, ev.project.end_year, ev.project.stage) == (2025, 2028, Stage.RESERVE)
    assert (ev.project.district, ev.project.sector.name) == (world.district_b, "社会民生")
    assert (ev.project.total_investment, ev.completed_before_year, ev.planned_investment) == (
        680_000_000,
        1200 * WAN,
        1500 * WAN,
    )
    note = next(r for r in plan.rows if r.name == "邕江综合整治工程").notes
    assert note and "谋划储备" in note[0]

    # Row 19: an older-format code, a single year, 9,876.5432 万元 to the yuan, 竣工投产 in November.
    ev = entry("青秀区污水处理厂提标改造")
    assert ev.project.code == "2020-450103-77-01-016343"
    assert (ev.project.start_year, ev.project.end_year, ev.project.total_investment) == (
        2027,
        2027,
        125_000_000,
    )
    assert (ev.category, ev.planned_investment, ev.planned_completion_month) == (
        Category.COMPLETING,
        98_765_432,
        11,
    )
    assert departments(ev) == ["市生态环境局"]

    # Row 22: 预备 with "/" and "-" for empty: no plan figure.
    ev = entry("东盟跨境物流园")
    assert (ev.category, ev.planned_investment, ev.completed_before_year) == (
        Category.PREPARATORY,
        None,
        None,
    )
    assert (ev.project.total_investment, ev.project.sector.name) == (30 * YI, "产业")

    assert AnnualEntry.objects.filter(annual_list=annual).count() == 7
    # Each new project was created through project_create: a stage record and a creation record.
    new = Project.objects.filter(annual_entries__annual_list=annual).exclude(
        pk__in=[world.project_a.pk, world.project_b.pk]
    )
    assert StageChange.objects.filter(project__in=new, to_stage=Stage.RESERVE).count() == 5
    assert AuditEntry.objects.filter(model="projects.Project", action="create").count() == 5
    assert AuditEntry.objects.filter(model="plans.AnnualEntry", action="create").count() == 7


def test_it_imports_the_same_file_twice_without_a_change(world):
    path = GOOD / "messy_sections.xlsx"
    run(world, path)
    before = counts()
    plan, result = run(world, path)
    assert result == {"created": 0, "updated": 0, "unchanged": 7, "new_projects": 0, "new_owners": 0}
    assert plan.counts()["unchanged"] == 7
    assert counts() == before  # no row, no batch, no audit entry


def test_it_reads_units_per_column_and_explicit_columns(world):
    plan, result = run(world, GOOD / "messy_units.xlsx")
    assert plan.parsed.header.sheet_unit == "亿元"
    assert result["created"] == 2 and result["new_owners"] == 2

    # 总投资（元）, 截至2026年底累计完成投资 in the unit row's 亿元, 2027年计划投资（万元）.
    ev = entry("西乡塘区数字经济产业园")
    p = ev.project
    assert (p.code, p.district, p.sector.name) == ("2703-450107-04-01-200002", world.district_b, "产业")
    assert (p.location, p.total_investment, p.start_year, p.end_year) == ("安吉街道", 350_000_000, 2027, 2029)
    assert (ev.completed_before_year, ev.planned_investment, ev.planned_start_month) == (
        50_000_000,
        5000 * WAN,
        6,
    )
    assert (ev.category, ev.goal, ev.leader) == (Category.NEW_START, "完成土建", world.leader)  # 韦建平副市长
    assert departments(ev) == ["市发展和改革委员会"]  # written 市发改委

    ev = entry("青秀山景区提升工程")
    assert (ev.project.district, ev.project.sector.name, ev.category) == (
        world.district_a,
        "社会民生",
        Category.CONTINUING,
    )
    assert (ev.project.start_year, ev.project.end_year) == (2026, 2027)  # 2026-27
    assert (ev.project.total_investment, ev.planned_investment) == (120_000_000, 2500 * WAN)  # ２５００
    assert departments(ev) == ["市发展和改革委员会", "市生态环境局"]


def test_it_takes_departments_from_sections_grouped_by_responsible_unit(world):
    plan, result = run(world, GOOD / "messy_department_first.xlsx")
    assert result["created"] == 3
    ev = entry("五象新区综合管廊")
    assert (ev.category, ev.planned_start_month, departments(ev)) == (
        Category.NEW_START,
        7,
        ["市发展和改革委员会"],
    )
    assert (ev.project.district, ev.project.sector.name) == (world.district_a, "基础设施")
    assert (ev.project.total_investment, ev.planned_investment) == (60000 * WAN, 8000 * WAN)
    ev = entry("青秀区安置房建设项目")
    assert (ev.category, ev.project.owner, departments(ev)) == (
        Category.CONTINUING,
        world.owner_b,
        ["市发展和改革委员会"],
    )
    ev = entry("西乡塘区垃圾焚烧发电厂")
    assert (ev.category, ev.planned_completion_month, departments(ev)) == (
        Category.COMPLETING,
        9,
        ["市生态环境局"],
    )
    # 二、市生态环境局（2项） holds one project: worth a look, not a rejection.
    assert [w.row for w in plan.warnings] == [9]
    assert "注明 2 项" in plan.warnings[0].message


def test_it_updates_a_draft_entry_and_fills_only_empty_registry_fields(world):
    run(world, GOOD / "messy_sections.xlsx")
    ev = entry(world.project_b.name)
    AnnualEntry.objects.filter(pk=ev.pk).update(planned_investment=4000 * WAN, goal="旧目标")
    Project.objects.filter(pk=world.project_b.pk).update(location="", contact="王工")
    before = AuditEntry.objects.count()

    plan, result = run(world, GOOD / "messy_sections.xlsx")
    assert (result["updated"], result["unchanged"], result["created"]) == (1, 6, 0)
    row = next(r for r in plan.rows if r.action == "update")
    assert "年度计划投资：4,000万元 → 5,000万元" in row.changes
    ev.refresh_from_db()
    assert (ev.planned_investment, ev.goal, ev.version) == (5000 * WAN, "完成 12 个小区改造", 2)
    project_b = Project.objects.get(pk=world.project_b.pk)
    assert (project_b.location, project_b.contact) == ("西乡塘区", "王工")  # filled; kept
    # The entry's change and the registry's fill are both in the history.
    assert AuditEntry.objects.count() == before + 2


def test_it_accepts_its_own_blank_template_filled_in(world, client):
    client.force_login(world.staff)
    response = client.get(f"/plans/import/template.xlsx?year={YEAR}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert ws["A1"].value == f"{YEAR}年重点项目计划表"
    assert ws["U2"].value == "单位：万元"
    assert ws["M3"].value == f"{YEAR}年计划" and (ws["M4"].value, ws["N4"].value) == (
        "计划投资（万元）",
        "形象进度目标",
    )
    assert "M3:N3" in {str(r) for r in ws.merged_cells.ranges}
    assert str(ws["B5"].value).startswith("（示例）")
    assert str(ws["A6"].value).startswith("注：")
    assert wb.sheetnames == ["重点项目计划表", "选项"]

    # As it comes, the example row is refused: the office deletes it and fills in its own rows.
    path = world_path(wb, "template-as-is.xlsx")
    plan = preview(path, name=path.name, year=YEAR)
    assert [r.message for r in plan.rejections] == ["这是模板中的示例行，请删除后再导入。"]

    ws.unmerge_cells("A6:U6")
    notes = ws["A6"].value
    rows = [
        [
            1,
            "南宁市模板示范园",
            None,
            "广西模板示范有限公司",
            "青秀区",
            "凤岭北",
            "产业",
            "新开工",
            "厂房",
            "2027-2028",
            "12,000",
            0,
            "3000.5",
            "完成主体",
            "2027年4月",
            None,
            "市发改委、市生态环境局",
            "韦建平",
            "李工",
            "0771-1",
            None,
        ],
        [
            2,
            world.project_b.name,
            None,
            world.owner_b.name,
            None,
            None,
            None,
            "竣工投产",
            None,
            None,
            None,
            "2,000",
            1800,
            "竣工",
            None,
            "2027年10月",
            None,
            None,
            None,
            None,
            "补充",
        ],
    ]
    for r, values in enumerate(rows, start=5):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    for c in range(1, 22):
        ws.cell(row=7, column=c, value=None)
    ws["A8"] = notes
    path = world_path(wb, "template-filled.xlsx")
    plan, result = run(world, path)
    assert (result["created"], result["new_projects"], result["new_owners"]) == (2, 1, 1)
    ev = entry("南宁市模板示范园")
    assert (ev.project.total_investment, ev.project.district, ev.project.sector.name) == (
        12000 * WAN,
        world.district_a,
        "产业",
    )
    assert (ev.planned_investment, ev.planned_start_month, ev.completed_before_year) == (30_005_000, 4, 0)
    assert departments(ev) == ["市发展和改革委员会", "市生态环境局"]
    ev = entry(world.project_b.name)
    assert (ev.category, ev.planned_investment, ev.planned_completion_month, ev.note) == (
        Category.COMPLETING,
        1800 * WAN,
        10,
        "补充",
    )


def world_path(wb, name):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="kp-import-test-"))
    path = folder / name
    wb.save(path)
    return path


def test_it_puts_new_entries_into_the_chosen_draft_batch(world):
    annual = AnnualList.objects.create(year=YEAR, title="2027年重点项目清单")
    Batch.objects.create(annual_list=annual, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    second = Batch.objects.create(annual_list=annual, number=2, name="第二批")
    plan, result = run(world, GOOD / "messy_units.xlsx", batch=second.pk)
    assert result["batch"] == "第二批"
    assert set(AnnualEntry.objects.values_list("batch__name", flat=True)) == {"第二批"}
    assert Batch.objects.filter(annual_list=annual).count() == 2


def test_it_refuses_a_published_batch_and_writes_nothing(world):
    annual = AnnualList.objects.create(year=YEAR, title="2027年重点项目清单")
    published = Batch.objects.create(
        annual_list=annual, number=1, name="第一批", status=Batch.Status.PUBLISHED
    )
    before = counts()
    with pytest.raises(Exception, match="已发布"):
        run(world, GOOD / "messy_units.xlsx", batch=published.pk)
    assert counts() == before


def test_it_never_lets_the_import_change_a_published_plan(world):
    run(world, GOOD / "messy_sections.xlsx")
    batch = Batch.objects.get(annual_list__year=YEAR)
    batch.status = Batch.Status.PUBLISHED
    batch.save()
    AnnualEntry.objects.filter(project=world.project_b).update(planned_investment=4000 * WAN, goal="旧目标")
    before = counts()
    with pytest.raises(ApplyRejected) as caught:
        run(world, GOOD / "messy_sections.xlsx")
    [rejection] = caught.value.plan.rejections
    assert (rejection.row, rejection.letter) == (15, "K")
    assert "计划调整" in rejection.message and "4,000" in rejection.message
    assert counts() == before


def test_it_leaves_sectors_and_districts_alone(world):
    before = (Sector.objects.count(), Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).count())
    run(world, GOOD / "messy_sections.xlsx")
    assert (
        Sector.objects.count(),
        Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).count(),
    ) == before


def test_it_plans_a_long_list_with_the_same_few_queries_as_a_short_one(world, tmp_path):
    """Lookups are bulk queries for the whole file, never one per row."""
    sys.path.insert(0, str(FILES))
    try:
        from make_files import SIMPLE_ROW, simple, write_xlsx
    finally:
        sys.path.remove(str(FILES))
    queries = {}
    for n in (1, 120):
        rows = [[i, f"南宁市示范产业园{i}号", None, *SIMPLE_ROW[3:]] for i in range(2, n + 1)]
        path = tmp_path / f"list-{n}.xlsx"
        write_xlsx(
            path, simple(sections=(f"一、新开工项目（{n}项）", f"（一）产业项目（{n}项）"), extra_rows=rows)
        )
        parsed = parse_file(path, name=path.name, year=YEAR)
        with CaptureQueriesContext(connection) as captured:
            plan = build_plan(parsed, year=YEAR)
        assert plan.ok and len(plan.rows) == n, [r.as_dict() for r in plan.rejections]
        queries[n] = len(captured)
    assert queries[120] == queries[1] <= 12, queries


def test_it_gives_a_cell_merged_down_to_every_row_it_covers(world, tmp_path):
    """建设单位 and 责任单位 written once and merged over the projects they share."""
    sys.path.insert(0, str(FILES))
    try:
        from make_files import SIMPLE_ROW, simple, write_xlsx
    finally:
        sys.path.remove(str(FILES))
    second = [2, "南宁市第二示范园", None, None, "西乡塘区", "2027-2028", 800, 300, "2027年6月", None, None]
    sheets = simple(extra_rows=[second])
    sheets[0].merge(6, 4, 7, 4).merge(6, 10, 7, 10)  # D6:D7 建设单位, J6:J7 责任单位
    path = tmp_path / "merged-down.xlsx"
    write_xlsx(path, sheets)
    plan, result = run(world, path)
    assert result["created"] == 2
    ev = entry("南宁市第二示范园")
    assert ev.project.owner.name == SIMPLE_ROW[3]
    assert (ev.project.district, departments(ev)) == (world.district_b, ["市发展和改革委员会"])
