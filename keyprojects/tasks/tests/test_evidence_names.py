"""Evidence with a very long file name is kept under a shortened name that keeps its extension, so that
it downloads as the kind of file it is."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.tasks import services

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
LONG = "南宁市轨道交通5号线二期工程建筑工程施工许可证及施工图设计文件审查合格书扫描件" * 8


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def test_it_keeps_the_extension_of_a_long_evidence_name(cast, client):
    task = services.task_create(
        by=cast.staff,
        project=cast.project_a,
        title="取得施工许可",
        responsible_unit=cast.department,
        deadline=dt.date(2026, 12, 15),
    )
    (evidence,) = services.task_add_evidence(
        by=cast.department_user, task=task, files=[SimpleUploadedFile(LONG + ".pdf", PDF)]
    )
    assert len(LONG) > 200
    assert evidence.original_name.endswith(".pdf") and len(evidence.original_name) == 200
    client.force_login(cast.department_user)
    download = client.get(f"/tasks/evidence/{evidence.pk}/")
    assert download.status_code == 200 and ".pdf" in download["Content-Disposition"]
