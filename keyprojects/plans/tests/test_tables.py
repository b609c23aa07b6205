"""The official progress table: layout, exact numbers, groups with counts, safe text, print set-up, scope,
and a file LibreOffice opens."""

import os
import shutil
import subprocess
import zipfile
from decimal import Decimal
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.lib.money import to_decimal
from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.projects.models import Sector
from keyprojects.test import make_project

URL = reverse("completion_table")
WAN = 10_000
YI = 100_000_000
HEADER = [
    "序号",
    "项目名称",
    "建设单位",
    "建设起止年限",
    "总投资",
    "年计划投资",
    "年计划形象进度",
    "1-10月完成投资",
    "占年计划%",
    "开工至今累计完成投资",
    "形象进度",
    "存在问题",
]


@pytest.fixture
def world(cast):
    plans_cast(cast)
    industry = Sector.objects.get(name="产业")  # seeded by the migrations
    factory = make_project(
        name='=HYPERLINK("http://example.com","点我")',
        owner=cast.owner_a,
        district=cast.district_a,
        sector=industry,
        total_wan=30000,
    )
    cast.entry_c = AnnualEntry.objects.create(
        annual_list=cast.annual_list,
        batch=cast.batch,
        project=factory,
        category=Category.NEW_START,
        planned_investment=8000 * WAN,
        goal="+年底前完成厂房主体",
        planned_start_month=5,
    )
    reserve = make_project(
        name="预备项目", owner=cast.owner_b, district=cast.district_b, sector=cast.sector, start_year=2027
    )
    AnnualEntry.objects.create(
        annual_list=cast.annual_list, batch=cast.batch, project=reserve, category=Category.PREPARATORY
    )
    report = MonthlyReport.objects.create
    report(entry=cast.entry_a, month=3, amount=123_456_789, status="approved", progress="旧进度")
    report(
        entry=cast.entry_a,
        month=9,
        amount=100_000_000,
        status="submitted",
        progress="盾构掘进 1.2 公里",
        problems="-征地拆迁滞后",
    )
    report(entry=cast.entry_a, month=10, amount=5, status="draft", progress="草稿不算")
    report(entry=cast.entry_b, month=10, amount=10_000_000, status="approved", progress="@完成 8 个小区")
    report(entry=cast.entry_c, month=6, amount=2000 * WAN, status="approved", progress="厂房基础施工")
    return cast


def _download(client, user, **params):
    client.force_login(user)
    response = client.get(URL, {"year": 2026, "month": 10, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = b"".join(response.streaming_content)
    return response, content


def _values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_it_lays_out_the_table_as_offices_do(client, world):
    response, content = _download(client, world.staff)
    disposition = unquote(response["Content-Disposition"])
    assert "2026年重点项目1-10月投资完成情况表.xlsx" in disposition
    wb = load_workbook(BytesIO(content))
    assert wb.sheetnames == ["投资完成情况表", "按城区汇总"]
    ws = wb["投资完成情况表"]
    rows = _values(ws)
    assert rows[0][0] == "2026年测试市重点项目1-10月投资完成情况表"
    assert rows[1][0] == "报送单位：测试市重点项目建设办公室"
    assert rows[1][-1] == "单位：万元"
    assert rows[2] == HEADER
    labels = [row[1] for row in rows[3:]]
    assert labels[:4] == [
        "合计（4项）",
        "一、新开工项目（2项）",
        "（一）产业项目（1项）",
        world.entry_c.project.name,
    ]
    assert labels[4:6] == ["（二）基础设施项目（1项）", "南宁市轨道交通5号线二期工程"]
    assert labels[6:8] == ["二、续建项目（1项）", "（一）基础设施项目（1项）"]
    assert labels[9:11] == ["三、预备项目（1项）", "（一）基础设施项目（1项）"]
    assert rows[-1][0].startswith("注：")
    assert ("A1:L1" in {str(r) for r in ws.merged_cells.ranges}) and ws.freeze_panes == "C5"


def test_it_writes_exact_numbers_and_percentages(client, world):
    _response, content = _download(client, world.staff)
    ws = load_workbook(BytesIO(content))["投资完成情况表"]
    rows = {row[1].value: row for row in ws.iter_rows(min_row=4) if row[1].value}
    rail = rows["南宁市轨道交通5号线二期工程"]
    assert to_decimal(rail[7].value) == Decimal("22345.6789")  # 1-10月: March + September, not the draft
    assert rail[7].number_format == "#,##0.00"
    assert to_decimal(rail[4].value) == Decimal("150000")  # raised by plans_cast above its 12 亿 plan
    assert rail[8].value == pytest.approx(0.186214, abs=1e-6)  # 2.23456789 亿 ÷ 12 亿
    assert rail[8].number_format == "0.0%"
    assert rail[10].value == "盾构掘进 1.2 公里"  # the latest counted report, not the draft
    assert rail[0].value == 2
    total = rows["合计（4项）"]
    assert to_decimal(total[5].value) == Decimal("133000")  # 12 亿 + 5,000 万 + 8,000 万; 预备 has none
    assert to_decimal(total[7].value) == Decimal("25345.6789")
    continuing = rows["南宁市轨道交通5号线二期工程"]
    assert continuing is rail
    old_town = rows["西乡塘区老旧小区改造项目"]
    assert to_decimal(old_town[9].value) == Decimal("3000")  # 2,000 before the year + 1,000 this year
    reserve = rows["预备项目"]
    assert reserve[5].value is None and reserve[8].value is None


def test_it_writes_text_that_looks_like_a_formula_as_text(client, world):
    _response, content = _download(client, world.staff)
    with zipfile.ZipFile(BytesIO(content)) as xlsx:
        sheets = [name for name in xlsx.namelist() if name.startswith("xl/worksheets/sheet")]
        xml = "".join(xlsx.read(name).decode() for name in sheets)
    assert "<f>" not in xml and "<f " not in xml
    ws = load_workbook(BytesIO(content))["投资完成情况表"]
    texts = {c.value: c.data_type for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for text in (
        '=HYPERLINK("http://example.com","点我")',
        "+年底前完成厂房主体",
        "-征地拆迁滞后",
        "@完成 8 个小区",
    ):
        assert texts[text] == "s", text


def test_it_sets_up_the_page_for_printing(client, world):
    _response, content = _download(client, world.staff)
    wb = load_workbook(BytesIO(content))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 8  # A3
        assert ws.page_setup.fitToWidth in (1, "1")
        assert ws.page_setup.fitToHeight in (0, "0")
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$3:$3"
        assert ws.column_dimensions["B"].width > 15
        header = ws["A3"]
        assert header.border.top.style == "thin" and header.border.bottom.style == "thin"


def test_it_sums_up_by_district_on_the_second_sheet(client, world):
    _response, content = _download(client, world.staff)
    ws = load_workbook(BytesIO(content))["按城区汇总"]
    rows = _values(ws)
    assert rows[0][0] == "2026年测试市重点项目1-10月投资完成情况（按城区）"
    assert rows[2][:3] == ["序号", "城区（县、开发区）", "项目数"]
    total, *districts = [r for r in rows[3:] if r[2] is not None]
    assert total[1] == "合计" and total[2] == 4
    assert {r[1] for r in districts} == {"青秀区", "西乡塘区"}
    a = next(r for r in districts if r[1] == "青秀区")
    assert to_decimal(a[4]) == Decimal("24345.6789")
    assert a[6] == pytest.approx(10 / 12, abs=1e-5)  # time progress
    assert (a[9], a[10]) == (2, 0)  # 新开工 planned by October, started
    assert rows[-1][0].startswith("注：")


def test_it_gives_a_district_only_its_own_rows(client, world):
    _response, content = _download(client, world.district)
    wb = load_workbook(BytesIO(content))
    names = [r[1] for r in _values(wb["投资完成情况表"])[3:]]
    assert "西乡塘区老旧小区改造项目" not in names and "预备项目" not in names
    assert "南宁市轨道交通5号线二期工程" in names
    assert _values(wb["投资完成情况表"])[1][0] == "报送单位：青秀区"
    assert [r[1] for r in _values(wb["按城区汇总"])[4:] if r[2] is not None] == ["青秀区"]


def test_it_gives_an_outsider_an_empty_table(client, world):
    _response, content = _download(client, world.outsider)
    rows = _values(load_workbook(BytesIO(content))["投资完成情况表"])
    assert rows[3][1] == "合计（0项）"
    assert rows[4][0].startswith("注：")


# CI installs LibreOffice (.ci/run), so there a missing one fails instead of skipping.
@pytest.mark.skipif(
    not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice is not installed"
)
def test_it_opens_cleanly_in_libreoffice(client, world, tmp_path):
    _response, content = _download(client, world.staff)
    source = tmp_path / "table.xlsx"
    source.write_bytes(content)
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    pdf = tmp_path / "table.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_it_titles_the_table_with_the_configured_city(client, world, settings):
    settings.KP_CITY_NAME = "南宁市"
    _, content = _download(client, world.staff)
    rows = _values(load_workbook(BytesIO(content))["投资完成情况表"])
    assert rows[0][0] == "2026年南宁市重点项目1-10月投资完成情况表"
