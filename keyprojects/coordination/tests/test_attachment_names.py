"""A file with a very long name (Word makes them of a document's title) is attached under a shortened
name that keeps its type, instead of failing the whole form."""

import datetime as dt

import pytest
import time_machine

from keyprojects.coordination.models import Problem
from keyprojects.coordination.tests.support import pdf

LONG = (
    "关于南宁市轨道交通5号线二期工程施工许可办理过程中消防设计审查意见迟迟未出具的情况说明及相关附件材料" * 4
    + "（补充材料）"
)


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 11, 2, 10), tick=False):
        yield


def test_it_attaches_a_file_with_a_name_longer_than_200_characters(cast, client):
    assert 200 < len(LONG + ".pdf") < 255  # Django itself cuts names past 255
    client.force_login(cast.owner)
    response = client.post(
        f"/problems/new/project/{cast.project_a.pk}/",
        {
            "category": "approval",
            "title": "施工许可办理受阻",
            "description": "消防审查意见未出具。",
            "lead_unit": cast.department.pk,
            "files": [pdf(LONG + ".pdf")],
        },
    )

    problem = Problem.objects.get(title="施工许可办理受阻")
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    attachment = problem.attachments.get()
    assert attachment.original_name.endswith(".pdf") and len(attachment.original_name) == 200
    assert attachment.original_name.startswith(LONG[:50])
    download = client.get(f"/problems/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert ".pdf" in download["Content-Disposition"]
