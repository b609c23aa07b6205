"""Lists in the shapes offices really publish (title, 单位：万元, two-row merged header, 合计 row, sections
with counts, 建设起止年限 like 2027—2030年, 责任单位 and 联系市领导, no completion-month column): the
completion month assumed and marked 待补充, every problem of a row at once, sums that cannot be, the
合计 row and section counts checked, and the error report."""

import io
import shutil
import subprocess
from io import StringIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl.styles import Alignment

from keyprojects.plans import services
from keyprojects.plans.entry_rules import assumed_completion, investment_errors
from keyprojects.plans.imports.apply import run_import
from keyprojects.plans.imports.plan import preview
from keyprojects.plans.imports.report import FAULT, error_report
from keyprojects.plans.models import AnnualEntry, Category, ImportJob
from keyprojects.plans.tests.import_support import WAN, YEAR, counts, import_world

HEADER = ["序号", "项目名称", "建设单位", "建设地点", "建设起止年限", "总投资", "截至2026年底累计完成投资"]
TAIL = ["责任单位", "联系市领导"]
OWNER = "南宁市城市建设投资集团有限公司"


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return import_world(cast)


def project(name, *, years="2025—2027年", total=5000, done=1000, planned=2000, location="青秀区", **more):
    """A project row: 序号 is filled in by published_list."""
    return [
        name,
        more.get("owner", OWNER),
        location,
        years,
        total,
        done,
        planned,
        more.get("goal", "建成投产"),
        more.get("departments", "市发改委"),
        more.get("leader", "韦建平"),
    ]


def published_list(path, sections, *, totals=None, count=None):
    """Write a list as offices publish it: SECTIONS are (title, [rows]) pairs in order, a title of a
    second-level section starting with （. TOTALS: the 合计 row's money (总投资, 累计, 计划), else the
    rows' sums; COUNT: a number of projects the 合计 row states. Returns {project name: Excel row}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2027年计划"
    width = len(HEADER) + 2 + len(TAIL)
    ws.append([f"{YEAR}年南宁市重点项目计划表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append([None] * (width - 1) + ["单位：万元"])
    ws.append([*HEADER, f"{YEAR}年计划", None, *TAIL])
    ws.append([None] * len(HEADER) + ["计划投资", "主要建设内容"] + [None] * len(TAIL))
    for column in range(1, width + 1):
        if column not in (len(HEADER) + 1, len(HEADER) + 2):
            ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    ws.merge_cells(start_row=3, start_column=len(HEADER) + 1, end_row=3, end_column=len(HEADER) + 2)
    for cell in ws[3]:
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    rows = [r for _title, section in sections for r in section]
    if totals is None:
        totals = [sum(r[i] for r in rows) for i in (4, 5, 6)]
    label = "合计" if count is None else f"合计（{count}项）"
    ws.append([None, label, None, None, None, *totals])
    where, n = {}, 0
    for title, section in sections:
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
        for values in section:
            n += 1
            ws.append([n, *values])
            where[values[0]] = ws.max_row
    ws.append([])
    ws.append(["注：项目排名不分先后。"])
    wb.save(path)
    return where


def messages(plan):
    return [(r.row, r.letter, r.message) for r in plan.rejections]


# 4. Import only what real lists carry


def test_it_gives_a_completion_month_to_a_list_that_has_none(world, tmp_path, client):
    path = tmp_path / "completing.xlsx"
    rows = published_list(
        path,
        [
            ("一、竣工投产项目（3项）", []),
            (
                "（一）产业项目（3项）",
                [
                    project("南宁市电子信息产业园一期", years="2025—2027年"),
                    project("南宁市新材料产业园", years="2026—2030年"),
                    project("南宁市食品加工园", years="2025.01-2027.06"),
                ],
            ),
        ],
    )
    plan = preview(path, name=path.name, year=YEAR)
    assert plan.ok, messages(plan)
    assumed = {w.row: w.message for w in plan.warnings if "待补充" in w.message}
    assert assumed == {
        rows["南宁市电子信息产业园一期"]: "计划竣工月份未填，按建设起止年限取 2027年12月（待补充）。",
        rows["南宁市新材料产业园"]: "计划竣工月份未填，按建设起止年限取 2030年12月（待补充）。",
        rows["南宁市食品加工园"]: "计划竣工月份未填，按建设起止年限取 2027年6月（待补充）。",
    }
    # The preview names it on the row too, and the file has no such column: the period's is shown.
    [first] = [w for w in plan.warnings if w.row == rows["南宁市电子信息产业园一期"]]
    assert (first.letter, first.column) == ("E", "建设起止年限")
    assert all(r["assumed"] for r in plan.summary()["rows"])

    run_import(path, name=path.name, year=YEAR, by=world.staff)
    again = preview(path, name=path.name, year=YEAR)  # the same file twice changes nothing
    assert again.counts()["unchanged"] == 3 and not [w for w in again.warnings if "待补充" in w.message]
    entries = {e.project.name: e for e in AnnualEntry.objects.select_related("project")}
    assert {n: (e.planned_completion_month, e.completion_month_assumed) for n, e in entries.items()} == {
        "南宁市电子信息产业园一期": (12, True),
        "南宁市新材料产业园": (12, True),
        "南宁市食品加工园": (6, True),
    }

    # The office sees 待补充 on the entry and in the list, until someone sets the month.
    entry = entries["南宁市电子信息产业园一期"]
    client.force_login(world.staff)
    assert 'id="completion-assumed"' in client.get(reverse("entry_detail", args=[entry.pk])).content.decode()
    assert "待补充" in client.get(reverse("annual_list") + f"?year={YEAR}").content.decode()
    services.entry_update(entry=entry, by=world.staff, expected_version=entry.version, goal="主体完工")
    entry.refresh_from_db()
    assert entry.completion_month_assumed  # another field changed: still to be completed
    services.entry_update(
        entry=entry, by=world.staff, expected_version=entry.version, planned_completion_month=10
    )
    entry.refresh_from_db()
    assert (entry.planned_completion_month, entry.completion_month_assumed) == (10, False)
    assert (
        'id="completion-assumed"' not in client.get(reverse("entry_detail", args=[entry.pk])).content.decode()
    )


def test_it_gives_a_start_month_to_new_starts_of_a_list_without_one(world, tmp_path, client):
    path = tmp_path / "new-starts.xlsx"
    rows = published_list(
        path,
        [
            ("一、新开工项目（2项）", []),
            (
                "（一）产业项目（2项）",
                [
                    project("南宁市储能电池产业园", years="2027—2029年", done=0),
                    project("南宁市冷链物流园", years="2027—2028年", done=0),
                ],
            ),
        ],
    )
    plan = preview(path, name=path.name, year=YEAR)
    assert plan.ok, messages(plan)
    assumed = {w.row: w.message for w in plan.warnings if "待补充" in w.message}
    message = "计划开工月份未填，暂按 2027年12月（待补充），补充前不产生开工预警。"
    assert assumed == {rows["南宁市储能电池产业园"]: message, rows["南宁市冷链物流园"]: message}

    run_import(path, name=path.name, year=YEAR, by=world.staff)
    entry = AnnualEntry.objects.get(project__name="南宁市储能电池产业园")
    assert (entry.category, entry.planned_start_month, entry.start_month_assumed) == (
        Category.NEW_START,
        12,
        True,
    )
    client.force_login(world.staff)
    assert 'id="start-assumed"' in client.get(reverse("entry_detail", args=[entry.pk])).content.decode()
    services.entry_update(entry=entry, by=world.staff, expected_version=entry.version, planned_start_month=4)
    entry.refresh_from_db()
    assert (entry.planned_start_month, entry.start_month_assumed) == (4, False)
    # The same file again does not put the mark back on a month the office has set.
    run_import(path, name=path.name, year=YEAR, by=world.staff)
    entry.refresh_from_db()
    assert (entry.planned_start_month, entry.start_month_assumed) == (4, False)


def test_it_takes_the_month_from_the_rule_in_every_case():
    assert assumed_completion(year=2026, period=(2027, 2030)) == (12, 2030, "period")
    assert assumed_completion(year=2026, period=(2024, 2026)) == (12, 2026, "period")
    assert assumed_completion(year=2026, period=(2024, 2026), end_month=9) == (9, 2026, "period")
    assert assumed_completion(year=2026, period=(2020, 2025)) == (12, 2026, "period_over")
    assert assumed_completion(year=2026, period=None) == (12, 2026, "year")


def test_an_existing_project_without_a_period_in_the_file_takes_the_registrys(world, tmp_path):
    """Project A (registered 2025–2027) on a list whose 建设起止年限 cell is empty."""
    path = tmp_path / "registered.xlsx"
    row = project(world.project_a.name, owner=world.owner_a.name, years=None, total=50000, done=100)
    rows = published_list(path, [("一、竣工投产项目（1项）", [row])])
    plan = preview(path, name=path.name, year=YEAR)
    assert plan.ok, messages(plan)
    [warning] = [w for w in plan.warnings if "待补充" in w.message]
    assert (warning.row, warning.message) == (
        rows[world.project_a.name],
        "计划竣工月份未填，按建设起止年限取 2027年12月（待补充）。",
    )


# 5. Every problem of a row at once


def faulty_list(path):
    """One row with six faults, each in its own cell, between two good rows."""
    return published_list(
        path,
        [
            ("一、续建项目（3项）", []),
            (
                "（一）产业项目（3项）",
                [
                    project("南宁市好项目一", years="2027—2029年"),
                    project(
                        "南宁市坏项目",
                        location="北京市朝阳路1号",
                        years="明年",
                        total=100,
                        done=150,
                        planned=200,
                        departments="市不存在局、市也没有委",
                        leader="张三丰",
                    ),
                    project("南宁市好项目二", years="2027—2029年"),
                ],
            ),
        ],
    )


def test_it_reports_every_problem_of_a_row_at_once(world, tmp_path):
    path = tmp_path / "faulty.xlsx"
    rows = faulty_list(path)
    bad = rows["南宁市坏项目"]
    plan = preview(path, name=path.name, year=YEAR)
    found = {(r.letter, r.column): r for r in plan.rejections}
    assert {r.row for r in plan.rejections} == {bad}
    assert sorted(found) == [
        ("D", "建设地点"),
        ("E", "建设起止年限"),
        ("G", "截至2026年底累计完成投资"),
        ("H", "2027年计划/计划投资"),
    ]
    assert "无法确定所在城区" in found["D", "建设地点"].message
    assert "无法识别的建设年限" in found["E", "建设起止年限"].message
    assert (
        found["G", "截至2026年底累计完成投资"].message
        == "截至上年底累计完成投资 150 万元超过项目总投资 100 万元。"
    )
    assert found["H", "2027年计划/计划投资"].message == "年度计划投资 200 万元超过项目总投资 100 万元。"
    # Departments the system does not know are asked about (names.py), not refused.
    assert [u.name for u in plan.unknown_names() if u.kind == "department"] == ["市不存在局", "市也没有委"]
    # So is a leader: kept as a person without an account once the office says so.
    assert [u.name for u in plan.unknown_names() if u.kind == "leader"] == ["张三丰"]
    assert plan.counts()["rejected_rows"] == 1


def test_the_command_line_prints_them_all_and_writes_the_error_report(world, tmp_path):
    path = tmp_path / "faulty.xlsx"
    bad = faulty_list(path)["南宁市坏项目"]
    report = tmp_path / "问题报告.xlsx"
    out, err = StringIO(), StringIO()
    before = counts()
    with pytest.raises(CommandError, match="4 处问题"):
        call_command(
            "import_annual_list",
            str(path),
            "--year",
            str(YEAR),
            "--errors-report",
            str(report),
            stdout=out,
            stderr=err,
        )
    assert counts() == before
    lines = [
        line for line in err.getvalue().splitlines() if f"第 {bad} 行" in line and line.startswith("工作表")
    ]
    assert [line.split("：")[0].split()[-1][:1] for line in lines] == ["D", "E", "G", "H"]
    assert f"问题报告已写入：{report}" in err.getvalue()

    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["2027年计划", "问题清单"]
    ws = wb["2027年计划"]
    assert ws["A1"].value == "2027年南宁市重点项目计划表"  # the copy is the sheet as read
    assert ws[f"B{bad}"].value == "南宁市坏项目"
    marked = {
        cell.coordinate: cell.comment.text
        for line in ws.iter_rows()
        for cell in line
        if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == FAULT.fgColor.rgb
    }
    assert sorted(marked) == [f"{c}{bad}" for c in "DEGH"]
    assert marked[f"G{bad}"] == "问题：截至上年底累计完成投资 150 万元超过项目总投资 100 万元。"
    assert ws[f"B{bad}"].comment is None and ws[f"B{bad - 1}"].fill.fill_type is None
    summary = [[c.value for c in line] for line in wb["问题清单"].iter_rows()]
    assert summary[0] == ["类型", "工作表", "行", "列", "表头", "单元格内容", "问题"]
    assert [(r[2], r[3]) for r in summary[1:]] == [(bad, c) for c in "DEGH"]
    assert summary[3][5] == "150" and summary[3][6].startswith("截至上年底累计完成投资 150 万元")

    if shutil.which("soffice"):  # the office may open it in LibreOffice (or WPS) as well as Excel
        profile = tmp_path / "lo-profile"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",
                "--outdir",
                str(tmp_path / "csv"),
                str(report),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        text = (tmp_path / "csv" / "问题报告.csv").read_text("utf-8")
        assert "南宁市坏项目" in text and "2027年南宁市重点项目计划表" in text


def test_the_preview_offers_the_error_report(world, tmp_path, client):
    path = tmp_path / "faulty.xlsx"
    bad = faulty_list(path)["南宁市坏项目"]
    client.force_login(world.staff)
    with path.open("rb") as fh:
        response = client.post(
            reverse("import_upload"), {"file": fh, "year": YEAR, "batch": "new"}, follow=True
        )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED and len(job.errors) == 4
    page = response.content.decode()
    url = reverse("import_errors_report", args=[job.pk])
    assert url in page and "下载问题报告" in page
    assert page.count(f'<td class="num">{bad}</td>') == 4  # every problem of the row, listed

    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb["2027年计划"]
    assert ws[f"H{bad}"].fill.fgColor.rgb == FAULT.fgColor.rgb
    assert "年度计划投资 200 万元超过项目总投资 100 万元" in ws[f"H{bad}"].comment.text
    assert wb["问题清单"].max_row == 5

    # A job with nothing to report has no report; a file gone since still has its list of problems.
    job.file.delete(save=True)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    assert wb.sheetnames == ["问题清单"]
    job.errors = []
    job.save(update_fields=["errors"])
    assert client.get(url).status_code == 404


def test_the_error_report_keeps_text_as_text(tmp_path):
    path = tmp_path / "formula.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws["A1"] = "项目名称"
    ws["A2"] = '\'=HYPERLINK("http://example.com")'
    wb.save(path)
    data = error_report(
        path,
        name=path.name,
        rejections=[
            {"sheet": "清单", "row": 2, "letter": "A", "column": "项目名称", "message": "坏", "value": ""}
        ],
    )
    ws = openpyxl.load_workbook(io.BytesIO(data))["清单"]
    assert ws["A2"].data_type == "s" and ws["A2"].comment.text == "问题：坏"


# 6. Sums that cannot be


def test_it_warns_when_the_totals_row_or_a_section_count_disagrees(world, tmp_path):
    path = tmp_path / "totals.xlsx"
    sections = [
        ("一、续建项目（3项）", []),
        (
            "（一）产业项目（2项）",
            [
                project("南宁市智能制造园", years="2027—2029年", total=5000, done=0, planned=1234.5678),
                project("南宁市物流园", years="2027—2028年", total=3000, done=0, planned=1000),
            ],
        ),
    ]
    rows = published_list(path, sections, totals=[8000, 0, 3000], count=3)
    plan = preview(path, name=path.name, year=YEAR)
    assert plan.ok, messages(plan)  # worth a look, not a rejection
    total_row = min(rows.values()) - 3  # 合计, then the two section rows
    warnings = {(w.row, w.letter): w.message for w in plan.warnings}
    assert warnings[total_row, "H"] == (
        "“合计”行的年度计划投资为 3,000 万元，各项目之和为 2,234.5678 万元，相差 765.4322 万元。"
    )
    assert warnings[total_row, ""] == "“合计”行注明 3 项，文件中实际有 2 个项目。"
    assert warnings[total_row + 1, ""] == "分组“续建项目”注明 3 项，其下实际有 2 个项目。"
    assert (total_row, "F") not in warnings  # 8,000 is right

    # A 合计 rounded to the cent of a 万元 is not a disagreement.
    published_list(path, sections, totals=[8000, 0, 2234.57])
    plan = preview(path, name=path.name, year=YEAR)
    assert not [w for w in plan.warnings if "合计" in w.message]


def test_the_entry_services_refuse_the_same_sums(world):
    annual = services.annual_list_ensure(year=YEAR, by=world.staff)
    batch = services.batch_create(year=YEAR, by=world.staff)
    fields = {"annual_list": annual, "batch": batch, "project": world.project_b, "by": world.staff}
    # project B's total is 8,000 万元
    with pytest.raises(ValidationError) as caught:
        services.entry_create(**fields, category=Category.CONTINUING, planned_investment=9000 * WAN)
    assert caught.value.message_dict["planned_investment"] == [
        "年度计划投资 9,000 万元超过项目总投资 8,000 万元。"
    ]
    with pytest.raises(ValidationError) as caught:
        services.entry_create(
            **fields,
            category=Category.CONTINUING,
            planned_investment=3000 * WAN,
            completed_before_year=6000 * WAN,
        )
    assert caught.value.message_dict["planned_investment"] == [
        "年度计划投资 3,000 万元超过总投资 8,000 万元减去截至上年底累计完成投资 6,000 万元"
        "后尚余的 2,000 万元。"
    ]
    entry = services.entry_create(
        **fields,
        category=Category.CONTINUING,
        planned_investment=2000 * WAN,
        completed_before_year=6000 * WAN,
    )
    with pytest.raises(ValidationError) as caught:
        services.entry_update(
            entry=entry, by=world.staff, expected_version=1, completed_before_year=9000 * WAN
        )
    assert "截至上年底累计完成投资 9,000 万元超过项目总投资 8,000 万元。" in caught.value.messages


def test_the_sum_rules_say_nothing_while_the_total_is_unknown():
    assert investment_errors(total_investment=None, completed_before_year=5, planned_investment=9) == {}
    assert investment_errors(total_investment=10, completed_before_year=None, planned_investment=10) == {}


def test_the_bulk_writer_marks_the_assumed_month_as_the_services_do(world, tmp_path, settings):
    settings.KP_IMPORT_BULK_ROWS = 1  # write in bulk (bulk.py) however short the list
    path = tmp_path / "completing.xlsx"
    published_list(
        path,
        [
            ("一、竣工投产项目（2项）", []),
            (
                "（一）产业项目（2项）",
                [project("南宁市电子信息产业园一期"), project("南宁市新材料产业园", years="2026—2030年")],
            ),
        ],
    )
    run_import(path, name=path.name, year=YEAR, by=world.staff)
    assert sorted(
        AnnualEntry.objects.values_list("planned_completion_month", "completion_month_assumed")
    ) == [(12, True), (12, True)]
