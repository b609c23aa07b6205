"""A refused import keeps no copy of the refused file in media: only the error report the office
downloads, written from it before it was deleted."""

import io

import openpyxl
import pytest
from django.urls import reverse

from keyprojects.plans.imports.report import FAULT
from keyprojects.plans.models import ImportJob
from keyprojects.plans.tests.import_support import BAD, YEAR, import_world


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return import_world(cast)


def _upload(client, path):
    with path.open("rb") as fh:
        return client.post(reverse("import_upload"), {"file": fh, "year": YEAR, "batch": "new"}, follow=True)


def _stored(tmp_path):
    return sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file())


@pytest.mark.parametrize("name", ["row_negative.xlsx", "encrypted.xlsx"])
def test_it_deletes_the_file_of_a_refused_import_and_keeps_its_error_report(world, client, tmp_path, name):
    client.force_login(world.staff)
    response = _upload(client, BAD / name)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    assert "文件被拒绝" in response.content.decode()
    assert _stored(tmp_path) == [f"import-{YEAR}-errors.xlsx"]
    report = client.get(reverse("import_errors_report", args=[job.pk]))
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    assert "问题清单" in book.sheetnames
    if name == "row_negative.xlsx":  # the faulty cells are marked on a copy of the sheet
        fills = {c.fill.fgColor.rgb for ws in book.worksheets for row in ws.iter_rows() for c in row}
        assert FAULT.fgColor.rgb in fills
