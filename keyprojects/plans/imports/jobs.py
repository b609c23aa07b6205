"""jobs: the life of an ImportJob: upload → parse (in the background for large files) → preview → apply.

Parsing reports its progress through ImportJob.rows_done/rows_total, written in short transactions the
page polls. Applying runs in one transaction, all rows or none, so its progress cannot go through the
database (nobody else sees inside the transaction, and on SQLite it holds the write lock): it is kept
in this process's memory, and a page served by another process shows an indeterminate bar.
"""

import logging
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.lib.locking import EditConflict
from keyprojects.lib.uploads import upload_name
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

APPLY_PROGRESS: dict[int, tuple[int, int]] = {}
THREADS: dict[int, threading.Thread] = {}


def _sync_bytes():
    # Files up to this size are parsed inside the upload request (about 2,000 rows): no page to poll.
    return getattr(settings, "KP_IMPORT_SYNC_BYTES", 256 * 1024)


def _sync_rows():
    return getattr(settings, "KP_IMPORT_SYNC_APPLY_ROWS", 200)


def import_job_create(*, upload, year: int, batch, by) -> ImportJob:
    """Store the upload and parse it: now when small, else in a thread once the job is committed."""
    job = ImportJob(
        year=year, original_name=upload_name(upload.name), created_by=by, summary={"batch": batch}
    )
    job.file.save(f"import-{year}{Path(upload.name).suffix.lower()[:6]}", upload, save=False)
    job.save()
    if upload.size <= _sync_bytes():
        import_job_parse(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: start_thread(import_job_parse, job.pk))
    return job


def start_thread(target, job_id, *args):
    def run():
        close_old_connections()
        try:
            target(job_id, *args)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name=f"import-job-{job_id}", daemon=True)
    THREADS[job_id] = thread
    thread.start()
    return thread


def _progress_writer(job_id):
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] < 0.25 and done < total:
            return
        last[0] = now
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

    return progress


def _finish(job_id, status, *, errors=None, summary=None):
    values = {"status": status, "finished_at": timezone.now()}
    if errors is not None:
        values["errors"] = errors[:MAX_STORED_ERRORS]
    if summary is not None:
        values["summary"] = summary
    ImportJob.objects.filter(pk=job_id).update(**values)


def _refuse(job_id, status, *, errors, summary=None):
    """Finish a refused or failed job without keeping its upload in media: the error report (the
    faulty sheet with each problem marked, and the list) is written from it first and kept in its
    place, then the upload is deleted."""
    _finish(job_id, status, errors=errors, summary=summary)
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
        plan = preview(
            job.file.path, name=job.original_name, year=job.year, progress=_progress_writer(job_id)
        )
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
    """Confirm a previewed job: apply it (now when small, else in a thread), all rows or none. CHOICES
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
    job.summary = {**job.summary, "choices": choices}
    ImportJob.objects.filter(pk=job.pk).update(summary=job.summary)
    # Only one confirmation wins, however often the button is pressed.
    if not ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
        status=Status.APPLYING, rows_done=0
    ):
        raise ValidationError(_("该导入已在进行或已完成。"))
    counts = job.summary.get("counts", {})
    if counts.get("create", 0) + counts.get("update", 0) + counts.get("waiting_rows", 0) <= _sync_rows():
        _apply(job.pk, by.pk)
    else:
        transaction.on_commit(lambda: start_thread(_apply, job.pk, by.pk))
    job.refresh_from_db()
    return job


def _apply(job_id: int, user_id: int) -> None:
    job = ImportJob.objects.get(pk=job_id)
    by = User.objects.get(pk=user_id)
    summary = dict(job.summary)
    APPLY_PROGRESS[job_id] = (0, 1)

    def progress(done, total):
        APPLY_PROGRESS[job_id] = (done, total)

    try:
        plan, result = run_import(
            job.file.path,
            name=job.original_name,
            year=job.year,
            by=by,
            batch=summary.get("batch", BATCH_NEW),
            choices=NameChoices(decisions=summary.get("choices") or {}),
            progress=progress,
        )
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
    else:
        summary["result"] = result
        _finish(job_id, Status.DONE, summary=summary)
    finally:
        APPLY_PROGRESS.pop(job_id, None)


def job_progress(job: ImportJob) -> tuple[int, int | None]:
    """(percent, rows) for the progress bar; percent None when it cannot be known here."""
    if job.status == Status.APPLYING:
        done, total = APPLY_PROGRESS.get(job.pk, (None, None))
        if done is None:
            return None, None
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
    path = None
    try:
        if uploaded and job.file and Path(job.file.path).is_file():
            path = job.file.path
    except (ValueError, NotImplementedError):  # no file, or a storage without local paths
        path = None
    return error_report(
        path,
        name=job.original_name,
        rejections=[e for e in job.errors if e.get("message")],
        warnings=(job.summary or {}).get("warnings", []),
        total=(job.summary or {}).get("rejections_total"),
    )
