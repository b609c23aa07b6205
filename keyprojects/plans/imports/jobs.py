"""jobs: the life of an ImportJob: upload → parse (a task in the worker for large files) → preview → apply.

Large files are parsed and applied by tasks (keyprojects.lib.background) that `manage.py db_worker` runs;
each is queued in the same transaction as the job's change, so no job waits for a task that was lost.
Parsing reports its progress through ImportJob.rows_done/rows_total, written in short transactions the
page polls. Applying runs in one transaction, all rows or none, with the job's DONE in it, so its
progress cannot go through the database (nobody else sees inside the transaction, and on SQLite it holds
the write lock): it goes to a progress file every app server reads (background.progress_write). A worker
killed mid-job leaves it to the reaper, which fails the job with a reason (nothing was written) or, for
a parse, runs it again.
"""

import datetime as dt
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.lib.background import (
    background_task,
    pending_first_args,
    progress_clear,
    progress_read,
    progress_write,
)
from keyprojects.lib.locking import EditConflict
from keyprojects.lib.uploads import local_path, upload_name
from keyprojects.orgs.models import User
from keyprojects.plans.imports.apply import BATCH_NEW, ApplyRejected, run_import
from keyprojects.plans.imports.names import NameChoices
from keyprojects.plans.imports.plan import preview
from keyprojects.plans.imports.rejections import ImportRefused
from keyprojects.plans.imports.report import error_report
from keyprojects.plans.models import ImportJob

logger = logging.getLogger(__name__)
Status = ImportJob.Status
RUNNING = (Status.PENDING, Status.PARSING, Status.APPLYING)
MAX_STORED_ERRORS = 2000
# summary key of a refused job whose file is its error report (the upload itself is deleted).
REPORT_KEPT = "error_report_kept"
# A running job with no task queued or running for it this long after it started (a small file handled in
# a request whose server died) will never finish: the reaper fails it.
ORPHAN_AFTER = dt.timedelta(hours=1)


def _sync_bytes():
    # Files up to this size are parsed inside the upload request (about 2,000 rows): no page to poll.
    return getattr(settings, "KP_IMPORT_SYNC_BYTES", 256 * 1024)


def _sync_rows():
    return getattr(settings, "KP_IMPORT_SYNC_APPLY_ROWS", 200)


def import_job_create(*, upload, year: int, batch, by) -> ImportJob:
    """Store the upload and parse it: now when small, else by the worker (a task queued with the job)."""
    job = ImportJob(
        year=year, original_name=upload_name(upload.name), created_by=by, summary={"batch": batch}
    )
    job.file.save(f"import-{year}{Path(upload.name).suffix.lower()[:6]}", upload, save=False)
    small = upload.size <= _sync_bytes()
    with transaction.atomic():
        job.save()
        if not small:
            import_job_parse_task.enqueue(job.pk)
    if small:
        import_job_parse(job.pk)
        job.refresh_from_db()
    return job


def _progress_key(job_id: int) -> str:
    return f"import-job-{job_id}"


def _progress_writer(job_id):
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] < 0.25 and done < total:
            return
        last[0] = now
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

    return progress


def _finish(job_id, status, *, errors=None, summary=None, only_from=None) -> int:
    """Put the job in STATUS (when it is in ONLY_FROM, if given); return 1 when it was."""
    values = {"status": status, "finished_at": timezone.now()}
    if errors is not None:
        values["errors"] = errors[:MAX_STORED_ERRORS]
    if summary is not None:
        values["summary"] = summary
    jobs = ImportJob.objects.filter(pk=job_id)
    if only_from is not None:
        jobs = jobs.filter(status__in=only_from)
    return jobs.update(**values)


def _refuse(job_id, status, *, errors, summary=None):
    """Finish a refused or failed job without keeping its upload in media: the error report (the
    faulty sheet with each problem marked, and the list) is written from it first and kept in its
    place, then the upload is deleted."""
    _finish(job_id, status, errors=errors, summary=summary)
    _keep_report_only(job_id)


def _keep_report_only(job_id):
    job = ImportJob.objects.get(pk=job_id)
    upload = job.file.name
    if not upload:
        return
    storage = job.file.storage
    try:
        report = _error_report(job) if job.errors else None
    except Exception:
        logger.exception("import job %s: the error report could not be written", job_id)
        report = None
    kept = ""
    if report is not None:
        job.file.save(f"import-{job.year}-errors.xlsx", ContentFile(report), save=False)
        kept = job.file.name
    ImportJob.objects.filter(pk=job_id).update(file=kept, summary={**job.summary, REPORT_KEPT: bool(kept)})
    storage.delete(upload)


def import_job_parse(job_id: int) -> None:
    """Parse, validate and plan the job's file; leave the job in PREVIEW, or REJECTED with the reasons."""
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=Status.PARSING, rows_done=0, rows_total=0)
    batch = job.summary.get("batch", BATCH_NEW)
    try:
        with local_path(job.file) as path:
            plan = preview(path, name=job.original_name, year=job.year, progress=_progress_writer(job_id))
    except ImportRefused as exc:
        _refuse(job_id, Status.REJECTED, errors=[exc.rejection.as_dict()], summary={"batch": batch})
        return
    except Exception:
        logger.exception("import job %s: parsing failed", job_id)
        _refuse(
            job_id,
            Status.FAILED,
            errors=[{"message": _("解析时出现内部错误，文件未导入。请联系系统管理员。")}],
            summary={"batch": batch},
        )
        return
    summary = {**plan.summary(), "batch": batch, "rejections_total": len(plan.rejections)}
    # Unknown names are a question the preview asks, not a reason to refuse the file.
    if plan.rejections:
        _refuse(job_id, Status.REJECTED, errors=[r.as_dict() for r in plan.rejections], summary=summary)
    else:
        _finish(job_id, Status.PREVIEW, errors=[], summary=summary)


def import_job_apply(*, job: ImportJob, by, choices: dict | None = None) -> ImportJob:
    """Confirm a previewed job: apply it (now when small, else by the worker), all rows or none. CHOICES
    answers the preview's unknown names, {ref: "create" or an existing id}; every name without a
    default needs one."""
    if job.status != Status.PREVIEW:
        raise ValidationError(
            _("该导入的状态为“%(status)s”，不能确认导入。") % {"status": job.get_status_display()}
        )
    choices = choices or {}
    missing = [
        u["name"] for u in job.summary.get("unknown", []) if not u.get("default") and u["ref"] not in choices
    ]
    if missing:
        raise ValidationError(
            _("请为系统中没有的名称选择对应的已有单位或新建：%(names)s。") % {"names": "、".join(missing)}
        )
    job.summary = {**job.summary, "choices": choices, "confirmed_at": timezone.now().isoformat()}
    ImportJob.objects.filter(pk=job.pk).update(summary=job.summary)
    counts = job.summary.get("counts", {})
    small = counts.get("create", 0) + counts.get("update", 0) + counts.get("waiting_rows", 0) <= _sync_rows()
    with transaction.atomic():
        # Only one confirmation wins, however often the button is pressed.
        if not ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
            status=Status.APPLYING, rows_done=0
        ):
            raise ValidationError(_("该导入已在进行或已完成。"))
        if not small:
            import_job_apply_task.enqueue(job.pk, by.pk)
    if small:
        _apply(job.pk, by.pk)
    job.refresh_from_db()
    return job


class _Overtaken(Exception):
    """The job left APPLYING while it was being applied (the reaper judged its worker dead)."""


def _apply(job_id: int, user_id: int) -> None:
    job = ImportJob.objects.get(pk=job_id)
    by = User.objects.get(pk=user_id)
    summary = dict(job.summary)
    key = _progress_key(job_id)
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] < 0.25 and done < total:
            return
        last[0] = now
        try:
            progress_write(key, done, total)
        except OSError:  # a full or lost disk costs the bar, never the import
            logger.warning("import job %s: progress not written", job_id, exc_info=True)

    try:
        # DONE is written in the apply's transaction: the job is done exactly when its rows are there.
        with transaction.atomic(), local_path(job.file) as path:
            plan, result = run_import(
                path,
                name=job.original_name,
                year=job.year,
                by=by,
                batch=summary.get("batch", BATCH_NEW),
                choices=NameChoices(decisions=summary.get("choices") or {}),
                progress=progress,
            )
            summary["result"] = result
            if not _finish(job_id, Status.DONE, summary=summary, only_from=[Status.APPLYING]):
                raise _Overtaken
    except _Overtaken:
        logger.warning("import job %s was failed while it ran; its rows were rolled back", job_id)
    except ApplyRejected as exc:
        # The database changed since the preview (a project added, a batch published …).
        summary.update(exc.plan.summary())
        summary["rejections_total"] = len(exc.plan.rejections)
        _refuse(job_id, Status.REJECTED, errors=[r.as_dict() for r in exc.plan.rejections], summary=summary)
    except ImportRefused as exc:
        _refuse(job_id, Status.REJECTED, errors=[exc.rejection.as_dict()], summary=summary)
    except (ValidationError, EditConflict) as exc:
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc.message)
        _refuse(job_id, Status.FAILED, errors=[{"message": _("导入未完成，未写入任何数据：") + message}])
    except Exception:
        logger.exception("import job %s: applying failed", job_id)
        _refuse(
            job_id,
            Status.FAILED,
            errors=[{"message": _("导入时出现内部错误，未写入任何数据。请联系系统管理员。")}],
        )
    finally:
        progress_clear(key)


def import_job_abandoned(job_id: int, *args, message: str = "") -> None:
    """The worker running this job's task died: fail the job, if it is still running, with the reason."""
    parsing = ImportJob.objects.filter(pk=job_id, status__in=[Status.PENDING, Status.PARSING]).exists()
    if parsing:
        reason = _("解析进程意外中止，文件未导入，请重新上传。")
    else:
        reason = _("导入进程意外中止，未写入任何数据，请重新上传。")
    if _finish(job_id, Status.FAILED, errors=[{"message": reason}], only_from=RUNNING):
        _keep_report_only(job_id)
    progress_clear(_progress_key(job_id))


def import_jobs_orphaned_fail(*, now: dt.datetime) -> list[int]:
    """Fail the running jobs that nothing will finish: no task queued or running for them ORPHAN_AFTER
    after they started (a small file is parsed and applied inside the request; its server may die)."""
    cutoff = now - ORPHAN_AFTER
    pending = pending_first_args(import_job_parse_task, import_job_apply_task)
    failed = []
    for job in ImportJob.objects.filter(status__in=RUNNING, created_at__lt=cutoff).exclude(pk__in=pending):
        confirmed = (job.summary or {}).get("confirmed_at")
        if job.status == Status.APPLYING and confirmed and dt.datetime.fromisoformat(confirmed) > cutoff:
            continue
        import_job_abandoned(job.pk)
        failed.append(job.pk)
    return failed


# Parsing writes nothing but the job's own fields, so a parse cut short is run again; an apply is all
# or nothing, and one cut short is failed (nothing was written) for the office to upload again.
@background_task(idempotent=True, abandoned=import_job_abandoned)
def import_job_parse_task(job_id: int) -> None:
    import_job_parse(job_id)


@background_task(abandoned=import_job_abandoned)
def import_job_apply_task(job_id: int, user_id: int) -> None:
    _apply(job_id, user_id)


def job_progress(job: ImportJob) -> tuple[int, int | None]:
    """(percent, rows) for the progress bar; percent None when it cannot be known yet."""
    if job.status == Status.APPLYING:
        found = progress_read(_progress_key(job.pk))
        if found is None:
            return None, None
        done, total = found
        return min(100, done * 100 // max(total, 1)), done
    if job.status in (Status.PENDING, Status.PARSING):
        return (job.percent if job.rows_total else 0), job.rows_done
    return 100, job.rows_done


def import_job_error_report(job: ImportJob) -> bytes:
    """The error report (.xlsx, see report.py) of a job's file and the problems found in it: the one
    written when the job was refused, else made now; the problems alone when the file is gone."""
    if (job.summary or {}).get(REPORT_KEPT):
        try:
            with job.file.open("rb") as handle:
                return handle.read()
        except (FileNotFoundError, ValueError):  # gone since, or no file at all
            return _error_report(job, uploaded=False)
    return _error_report(job)


def _error_report(job: ImportJob, *, uploaded=True) -> bytes:
    def report(path):
        return error_report(
            path,
            name=job.original_name,
            rejections=[e for e in job.errors if e.get("message")],
            warnings=(job.summary or {}).get("warnings", []),
            total=(job.summary or {}).get("rejections_total"),
        )

    if not (uploaded and job.file and job.file.storage.exists(job.file.name)):
        return report(None)
    with local_path(job.file) as path:
        return report(path)
