"""The Excel export: exactly the rows of the filtered list, exact 万元 amounts, a 合计 row."""

import datetime as dt
import os
import re
import zipfile
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from keyprojects.lib.background import progress_write
from keyprojects.lib.money import to_decimal
from keyprojects.ops.tests.worker_support import work
from keyprojects.projects.models import Project, Stage
from keyprojects.projects.tasks import project_export_task
from keyprojects.test import make_project

EXPORT = reverse("project_export")
HEADER_ROW = 3


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="projects-\d{8}\.xlsx"', response["Content-Disposition"])
    return load_workbook(BytesIO(response.content))


def _rows(response):
    """(data rows, 合计 row) of the exported sheet."""
    sheet = _workbook(response).active
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    return rows[:-1], rows[-1]


def _sheet_xml(response) -> str:
    with zipfile.ZipFile(BytesIO(response.content)) as xlsx:
        return xlsx.read("xl/worksheets/sheet1.xml").decode()


def _project(cast, name, yuan, *, district=None, stage=Stage.CONSTRUCTION, **extra):
    project = make_project(
        name=name, owner=cast.owner_a, district=district or cast.district_a, sector=cast.sector, **extra
    )
    Project.objects.filter(pk=project.pk).update(total_investment=yuan, stage=stage)
    return project


@pytest.fixture
def listed(cast):
    """Three projects under construction in district A, and others that a filter must leave out."""
    _project(cast, "五象新区综合管廊工程", 123_456_789, code="2411-450103-48-01-100001")  # 12,345.6789 万元
    _project(cast, "青秀区污水处理厂提标改造", 1)  # 0.0001 万元: one yuan
    _project(cast, "凤岭北片区道路工程", 9_876_543_210_987)  # 987,654,321.0987 万元
    _project(cast, "青秀区学校扩建（前期）", 50_000_000, stage=Stage.PRELIMINARY)
    _project(cast, "西乡塘区物流园", 70_000_000, district=cast.district_b)
    return cast


def test_it_exports_exactly_the_filtered_rows(client, listed):
    client.force_login(listed.staff)
    response = client.get(EXPORT, {"district": listed.district_a.pk, "stage": "construction"})

    rows, total = _rows(response)
    assert [r[1] for r in rows] == ["凤岭北片区道路工程", "五象新区综合管廊工程", "青秀区污水处理厂提标改造"]
    assert [r[0] for r in rows] == [1, 2, 3]
    assert {r[4] for r in rows} == {"青秀区"}
    assert {r[6] for r in rows} == {"在建"}
    assert rows[1][2:4] == ("2411-450103-48-01-100001", "南宁轨道交通集团有限责任公司")
    assert total[1] == "合计：3 个"


def test_it_writes_amounts_as_exact_numbers_in_wan(client, listed):
    client.force_login(listed.staff)
    response = client.get(EXPORT, {"district": listed.district_a.pk, "stage": "construction"})

    sheet = _workbook(response).active
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[7] == "总投资（万元）"
    assert sheet.cell(row=2, column=12).value == "单位：万元"
    amounts = [sheet.cell(row=r, column=8) for r in range(HEADER_ROW + 1, HEADER_ROW + 4)]
    assert all(c.data_type == "n" for c in amounts)  # numbers Excel can sum, not text
    assert [to_decimal(c.value) for c in amounts] == [
        Decimal("987654321.0987"),
        Decimal("12345.6789"),
        Decimal("0.0001"),
    ]
    # The file holds the decimal digits themselves, not a binary float's approximation.
    xml = _sheet_xml(response)
    assert "<v>12345.6789</v>" in xml
    assert "<v>987654321.0987</v>" in xml


def test_it_sums_the_filtered_rows_in_the_total_row(client, listed):
    client.force_login(listed.staff)
    response = client.get(EXPORT, {"district": listed.district_a.pk, "stage": "construction"})

    _rows_, total = _rows(response)
    assert total[1] == "合计：3 个"
    # Read as Excel reads a number: a double shown to 15 significant digits (openpyxl writes 16, so the
    # file says 987666666.7776999; Excel and lib.money.to_decimal both read back …7777).
    assert to_decimal(total[7]) == Decimal("987666666.7777")


def test_it_exports_the_whole_scope_without_filters(client, listed):
    client.force_login(listed.district)
    rows, total = _rows(client.get(EXPORT))
    names = {r[1] for r in rows}
    assert names == set(Project.objects.filter(district=listed.district_a).values_list("name", flat=True))
    assert "西乡塘区物流园" not in names
    assert total[1] == f"合计：{len(names)} 个"


def test_it_ignores_a_district_filter_outside_the_users_scope(client, listed):
    client.force_login(listed.district)
    rows, total = _rows(client.get(EXPORT, {"district": listed.district_b.pk}))
    assert "西乡塘区物流园" not in {r[1] for r in rows}
    assert {r[4] for r in rows} == {"青秀区"}


def test_it_exports_a_search(client, listed):
    client.force_login(listed.staff)
    rows, total = _rows(client.get(EXPORT, {"q": "wsclc"}))  # 污水处理厂
    assert [r[1] for r in rows] == ["青秀区污水处理厂提标改造"]
    assert total[1] == "合计：1 个"
    assert to_decimal(total[7]) == Decimal("0.0001")


def test_it_exports_an_empty_list_with_a_zero_total(client, listed):
    client.force_login(listed.staff)
    rows, total = _rows(client.get(EXPORT, {"stage": "operating"}))
    assert rows == []
    assert total[1] == "合计：0 个"
    assert total[7] == 0


def test_it_writes_text_that_looks_like_a_formula_as_text(client, cast):
    make_project(
        name='=HYPERLINK("http://evil.example","点击")',
        owner=cast.owner_a,
        district=cast.district_a,
        sector=cast.sector,
        content="+1-2",
        location="@SUM(A1)",
    )
    client.force_login(cast.staff)
    sheet = _workbook(client.get(EXPORT, {"q": "hyperlink"})).active
    name, location, content = (sheet.cell(row=HEADER_ROW + 1, column=c) for c in (2, 11, 12))
    assert name.value == '=HYPERLINK("http://evil.example","点击")'
    assert name.data_type == "s"
    assert (location.value, content.value) == ("@SUM(A1)", "+1-2")
    assert "<f>" not in _sheet_xml(client.get(EXPORT, {"q": "hyperlink"}))


def test_it_exports_text_pasted_with_control_characters(client, cast):
    """Word's manual line break (\\v) is not allowed in an xlsx file; the export must not fail on it."""
    make_project(
        name="五象湖公园\v二期",
        owner=cast.owner_a,
        district=cast.district_a,
        sector=cast.sector,
        content="一期：绿化\v二期：场馆\x01",
    )
    client.force_login(cast.staff)
    rows, total = _rows(client.get(EXPORT, {"district": cast.district_a.pk}))
    exported = next(r for r in rows if r[1].startswith("五象湖公园"))
    assert "二期" in exported[1]
    assert exported[11].startswith("一期：绿化") and "二期：场馆" in exported[11]


def test_it_exports_2000_rows_with_a_fixed_number_of_queries(client, cast):
    from keyprojects.projects.tests.test_query_budget import add_projects

    client.force_login(cast.staff)

    def count():
        cache.clear()  # the filter choices cold each time: the worst case, the same for both
        with CaptureQueriesContext(connection) as queries:
            response = client.get(EXPORT)
        return len(queries), response

    add_projects(cast, 18)
    few, _ = count()
    add_projects(cast, 1980)
    many, response = count()
    assert few == many <= 6
    rows, total = _rows(response)
    assert len(rows) == 2000
    assert total[1] == "合计：2000 个"
    expected = sum(Project.objects.values_list("total_investment", flat=True))
    assert to_decimal(total[7]) * 10_000 == expected


def test_a_large_export_is_written_by_the_worker_for_its_user_only(
    client, cast, settings, tmp_path, monkeypatch
):
    """Above KP_EXPORT_SYNC_ROWS the export is queued; the page polls its progress, then offers the file,
    with the rows the export in the request gives, to the user who asked and to no one else."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KP_PROGRESS_DIR = tmp_path / "progress"
    client.force_login(cast.staff)
    expected = _rows(client.get(EXPORT, {"district": cast.district_a.pk}))

    settings.KP_EXPORT_SYNC_ROWS = 0
    response = client.get(EXPORT, {"district": cast.district_a.pk})
    export = DBTaskResult.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "project_export_status", args=[export.pk]
    )
    status = response["Location"]
    page = client.get(status).content.decode()
    assert "排队等待导出" in page and 'hx-trigger="every 1s"' in page and "export-download" not in page
    download = reverse("project_export_download", args=[export.pk])
    assert client.get(download).status_code == 404  # not written yet

    work(monkeypatch)
    export.refresh_from_db()
    assert export.status == TaskResultStatus.SUCCESSFUL
    assert export.return_value["path"] == f"exports/{cast.staff.pk}/{export.pk}.xlsx"
    fragment = client.get(status, HTTP_HX_REQUEST="true").content.decode()
    assert download in fragment and "every 1s" not in fragment
    response = client.get(download)
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="projects-\d{8}\.xlsx"', response["Content-Disposition"])
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert (rows[:-1], rows[-1]) == expected and len(rows) > 1

    for other in (cast.admin, cast.district, cast.outsider):
        client.force_login(other)
        assert client.get(status).status_code == 404
        assert client.get(download).status_code == 404

    # The daily prune_exports keeps a week's files, then deletes them; the page then says so.
    # (Its age is the file's time, set here: the wall clock writes it, whatever day the test runs as.)
    written = settings.MEDIA_ROOT / export.return_value["path"]
    for age, kept in ((6, True), (8, False)):
        stamp = (timezone.now() - dt.timedelta(days=age)).timestamp()
        os.utime(written, (stamp, stamp))
        call_command("prune_exports", stdout=StringIO())
        assert written.exists() is kept, age
    client.force_login(cast.staff)
    assert client.get(download).status_code == 404


def test_the_export_page_shows_the_progress_the_worker_publishes(client, cast, settings, tmp_path):
    settings.KP_PROGRESS_DIR = tmp_path
    export_id = project_export_task.enqueue(cast.staff.pk, "", "zh-hans").id
    DBTaskResult.objects.filter(pk=export_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    progress_write(f"export-{export_id}", 500, 2000)
    client.force_login(cast.staff)
    url = reverse("project_export_status", args=[export_id])
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "25%" in fragment and "已处理 500 行" in fragment and 'hx-trigger="every 1s"' in fragment
