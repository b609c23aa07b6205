"""The import pages: upload, progress, preview, confirm, template; office only."""

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyprojects.lib.background import progress_read, progress_write
from keyprojects.ops.tests.worker_support import work
from keyprojects.plans.models import AnnualEntry, ImportJob
from keyprojects.plans.tests.import_support import BAD, GOOD, YEAR, counts, import_world


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return import_world(cast)


def upload(client, path, **data):
    with path.open("rb") as fh:
        return client.post(
            reverse("import_upload"), {"file": fh, "year": YEAR, "batch": "new", **data}, follow=True
        )


def test_it_uploads_previews_and_applies(world, client):
    client.force_login(world.staff)
    response = client.get(reverse("import_upload"))
    assert response.status_code == 200
    assert "下载空白模板" in response.content.decode()

    response = upload(client, GOOD / "messy_sections.xlsx")
    job = ImportJob.objects.get()
    assert response.redirect_chain == [(reverse("import_job", args=[job.pk]), 302)]
    page = response.content.decode()
    assert job.status == ImportJob.Status.PREVIEW
    assert "确认导入" in page and "南宁市新能源汽车产业园项目" in page
    assert "新项目按“谋划储备”入库" in page  # the note on a new 续建 project
    assert "61,877.0432" in page  # the planned total, 万元
    assert AnnualEntry.objects.count() == 0

    response = client.post(reverse("import_apply", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert "导入完成：新增 7 个，更新 0 个，未变 0 个。" in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 7


def test_it_shows_every_rejection_with_its_place(world, client):
    client.force_login(world.admin)
    before = counts()
    response = upload(client, BAD / "row_negative.xlsx")
    page = response.content.decode()
    assert "文件被拒绝" in page
    assert "金额不能为负数" in page and "年度计划投资" in page and ">H<" in page
    assert "确认导入" not in page
    job = ImportJob.objects.get()
    response = client.post(reverse("import_apply", args=[job.pk]), follow=True)
    assert "不能确认导入" in response.content.decode()
    assert counts() == before


def test_it_refuses_an_oversized_upload_in_the_form(world, client, settings):
    settings.KP_IMPORT_MAX_BYTES = 1024
    client.force_login(world.staff)
    response = upload(client, GOOD / "messy_sections.xlsx")
    assert "超过上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_refuses_a_batch_of_another_year(world, client):
    from keyprojects.plans.models import AnnualList, Batch

    other = Batch.objects.create(
        annual_list=AnnualList.objects.create(year=2030, title="2030"), number=1, name="第一批"
    )
    client.force_login(world.staff)
    response = upload(client, GOOD / "messy_units.xlsx", batch=str(other.pk))
    assert "与清单年度 2027 不一致" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_keeps_everyone_but_the_office_out(world, client):
    for user in (world.leader, world.district, world.department_user, world.owner, world.outsider):
        client.force_login(user)
        assert client.get(reverse("import_upload")).status_code == 403
        assert client.get(reverse("import_template")).status_code == 403


def test_the_progress_bar_reloads_the_page_once_parsed(world, client):
    job = ImportJob.objects.create(
        year=YEAR,
        file="x.xlsx",
        original_name="x.xlsx",
        created_by=world.staff,
        status=ImportJob.Status.PARSING,
        rows_total=400,
        rows_done=100,
    )
    client.force_login(world.staff)
    url = reverse("import_progress", args=[job.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'hx-trigger="every 500ms"' in page and "25%" in page
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert 'id="import-progress"' in page
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PREVIEW)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"


def test_a_large_file_is_parsed_and_applied_by_the_worker(world, client, settings, tmp_path, monkeypatch):
    """Above the size for inline parsing the upload returns at once with a task queued in the database;
    the worker parses (reporting rows_done/rows_total) and, once confirmed, applies."""
    settings.KP_PROGRESS_DIR = tmp_path / "progress"
    settings.KP_IMPORT_SYNC_BYTES = 0
    settings.KP_IMPORT_SYNC_APPLY_ROWS = 0
    client.force_login(world.staff)
    page = upload(client, GOOD / "messy_sections.xlsx").content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING and 'id="import-progress"' in page
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    work(monkeypatch)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    assert job.rows_total >= job.rows_done > 0

    client.post(reverse("import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLYING
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 0
    work(monkeypatch)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 7
    assert [r.status for r in DBTaskResult.objects.all()] == [TaskResultStatus.SUCCESSFUL] * 2
    assert progress_read(f"import-job-{job.pk}") is None  # the progress file is gone


def test_the_apply_progress_comes_from_the_shared_progress_file(world, client, settings, tmp_path):
    """The apply's progress is written by the worker to a file every server reads, not to memory."""
    settings.KP_PROGRESS_DIR = tmp_path / "progress"
    job = ImportJob.objects.create(
        year=YEAR,
        file="x.xlsx",
        original_name="x.xlsx",
        created_by=world.staff,
        status=ImportJob.Status.APPLYING,
    )
    client.force_login(world.staff)
    url = reverse("import_progress", args=[job.pk])
    assert (
        "处理中…" in client.get(url, headers={"HX-Request": "true"}).content.decode()
    )  # not begun: no figure
    progress_write(f"import-job-{job.pk}", 300, 1200)
    assert "25%" in client.get(url, headers={"HX-Request": "true"}).content.decode()
