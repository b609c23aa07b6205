"""Applying an import: all rows or none, re-planned inside the transaction, the batch rules."""

import pytest
from django.core.exceptions import ValidationError

from keyprojects.plans.imports import apply
from keyprojects.plans.imports import jobs as import_jobs
from keyprojects.plans.imports.apply import BATCH_NEW, run_import
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, ImportJob
from keyprojects.plans.tests.import_support import GOOD, WAN, YEAR, counts, import_world
from keyprojects.projects.models import Project


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads of the jobs
    return import_world(cast)


def test_it_writes_nothing_when_a_row_fails_half_way(world, monkeypatch):
    """The fifth entry's save blows up after four projects, owners, a list and a batch were written:
    the transaction takes them all back."""
    real = apply.entry_create
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["project"].name)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(apply, "entry_create", failing)
    before = counts()
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(GOOD / "messy_sections.xlsx", name="messy_sections.xlsx", year=YEAR, by=world.staff)
    assert len(calls) == 5
    assert counts() == before
    assert not Project.objects.filter(name="南宁市新能源汽车产业园项目").exists()


def test_it_writes_nothing_when_the_entry_save_itself_fails(world, monkeypatch):
    saves = []
    real_save = AnnualEntry.save

    def save(self, *args, **kwargs):
        saves.append(self.project_id)
        if len(saves) == 3:
            raise RuntimeError("constraint")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(AnnualEntry, "save", save)
    before = counts()
    with pytest.raises(RuntimeError):
        run_import(GOOD / "messy_sections.xlsx", name="messy_sections.xlsx", year=YEAR, by=world.staff)
    assert counts() == before


def make_job(world, path, *, batch=BATCH_NEW):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return import_jobs.import_job_create(upload=upload, year=YEAR, batch=batch, by=world.staff)


def test_a_job_previews_then_applies(world):
    job = make_job(world, GOOD / "messy_sections.xlsx")
    assert job.status == ImportJob.Status.PREVIEW
    assert job.summary["counts"]["create"] == 7 and job.errors == []
    assert job.rows_done == job.rows_total > 0
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 0  # a preview writes nothing

    job = import_jobs.import_job_apply(job=job, by=world.staff)
    assert job.status == ImportJob.Status.DONE
    assert job.summary["result"]["created"] == 7
    assert AnnualEntry.objects.filter(annual_list__year=YEAR).count() == 7
    with pytest.raises(ValidationError):
        import_jobs.import_job_apply(job=job, by=world.staff)  # never twice


def test_a_job_that_fails_half_way_is_failed_and_wrote_nothing(world, monkeypatch):
    job = make_job(world, GOOD / "messy_sections.xlsx")

    def failing(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(apply, "entry_create", failing)
    before = counts()
    job = import_jobs.import_job_apply(job=job, by=world.staff)
    assert job.status == ImportJob.Status.FAILED
    assert "未写入任何数据" in job.errors[0]["message"]
    assert counts() == before


def test_it_plans_again_when_applying_and_refuses_what_changed_since_the_preview(world):
    job = make_job(world, GOOD / "messy_sections.xlsx")
    # Meanwhile project A joins the published 2027 list with another plan.
    annual = AnnualList.objects.create(year=YEAR, title="2027年重点项目清单")
    batch = Batch.objects.create(annual_list=annual, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    AnnualEntry.objects.create(
        annual_list=annual, batch=batch, project=world.project_a, category="new_start", planned_investment=WAN
    )
    before = counts()
    job = import_jobs.import_job_apply(job=job, by=world.staff)
    assert job.status == ImportJob.Status.REJECTED
    assert [(e["row"], e["letter"]) for e in job.errors] == [(12, "K")]
    assert counts() == before


def test_a_rejected_job_cannot_be_applied(world):
    job = make_job(world, GOOD.parent / "bad" / "row_code.xlsx")
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["row"] == 6 and job.errors[0]["letter"] == "C"
    with pytest.raises(ValidationError):
        import_jobs.import_job_apply(job=job, by=world.staff)


def test_a_refused_file_keeps_its_reason(world):
    job = make_job(world, GOOD.parent / "bad" / "zip_bomb.xlsx")
    assert job.status == ImportJob.Status.REJECTED
    assert "压缩炸弹" in job.errors[0]["message"]


def test_it_creates_the_numbered_batch_the_command_line_asks_for(world):
    annual = AnnualList.objects.create(year=YEAR, title="2027年重点项目清单")
    Batch.objects.create(annual_list=annual, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    with pytest.raises(ValidationError, match="下一个新批次是第二批"):
        run_import(
            GOOD / "messy_units.xlsx", name="messy_units.xlsx", year=YEAR, by=world.staff, batch={"number": 3}
        )
    _plan, result = run_import(
        GOOD / "messy_units.xlsx", name="messy_units.xlsx", year=YEAR, by=world.staff, batch={"number": 2}
    )
    assert result["batch"] == "第二批"
    assert Batch.objects.get(annual_list=annual, number=2).status == Batch.Status.DRAFT
