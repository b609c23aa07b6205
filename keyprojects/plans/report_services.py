"""Writes of monthly reports: fill in and submit, approve, return, photos, month locks, adjustments.

Each runs in one transaction and leaves an audit entry on the report's project. A refusal is a
ValidationError with the reason in Chinese, and nothing is written.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.lib.dates import month_end
from keyprojects.lib.locking import EditConflict, save_versioned
from keyprojects.lib.money import format_wan
from keyprojects.lib.uploads import upload_name
from keyprojects.notifications.models import Kind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.models import User
from keyprojects.plans.access import can_report, can_review
from keyprojects.plans.models import (
    AnnualEntry,
    AnnualList,
    MonthLock,
    MonthlyReport,
    ReportAdjustment,
    ReportPhoto,
)
from keyprojects.plans.report_selectors import (
    COUNTED,
    EDITABLE,
    counted_amounts,
    is_published,
    locked_reason,
    month_deadline,
    month_has_begun,
    month_has_ended,
    month_lock,
    running_totals,
)
from keyprojects.projects.hooks import Change, project_changed

Status = MonthlyReport.Status
PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
# A phone photo is 12–50 megapixels; more is a decompression bomb, whatever the file size.
PHOTO_MAX_PIXELS = 60_000_000
PHOTOS_PER_REPORT = 20


def _label(field: str) -> str:
    return str(MonthlyReport._meta.get_field(field).verbose_name)


def report_snapshot(report: MonthlyReport | None) -> dict:
    """The report as the history shows it (amount in 万元, status by its label)."""
    if report is None:
        return {}
    return {
        _label("amount"): format_wan(report.amount),
        _label("progress"): report.progress,
        _label("problems"): report.problems,
        _label("explanation"): report.explanation,
        _label("status"): report.get_status_display(),
        _label("return_reason"): report.return_reason,
    }


def _audit(*, by, report, action, before):
    audit_record(
        by=by,
        instance=report,
        action=action,
        before=before,
        after=report_snapshot(report),
        project=report.entry.project,
    )


def report_refusal(*, entry: AnnualEntry, month: int, today: dt.date | None = None) -> str | None:
    """Why no report for ENTRY and MONTH may be created, changed or submitted now; None when it may."""
    today = today or timezone.localdate()
    year = entry.annual_list.year
    if not is_published(entry):
        return _("该项目不在已发布的年度清单上，无需填报月度报送。")
    if not 1 <= month <= 12:
        return _("月份应为 1 至 12。")
    if not month_has_begun(year, month, today):
        return _("%(year)s年%(month)s月尚未开始，不能填报。") % {"year": year, "month": month}
    lock = month_lock(entry.annual_list, month, with_user=False)
    if lock is not None:
        return locked_reason(entry.annual_list, lock)
    return None


def check_amounts(
    *, entry: AnnualEntry, month: int, amount: int, explanation: str, amounts: dict[int, int] | None = None
) -> dict:
    """The money rules of a report counted with AMOUNT, as form errors ({} when it may stand):
    no year-to-date total below zero in this month or any later month that counts; a since-start
    total above the project's total investment only with an explanation."""
    if amounts is None:
        amounts = counted_amounts(entry, exclude_month=month)
    amounts = {**amounts, month: amount}
    running = running_totals(amounts)
    errors = {}
    for m in range(month, 13):
        if (m == month or m in amounts) and running[m] < 0:
            errors["amount"] = _(
                "填报后1-%(month)s月累计完成投资为 %(ytd)s 万元，年度累计不能为负数。"
                "请核对本月金额（冲减不能超过此前累计）。"
            ) % {"month": m, "ytd": format_wan(running[m])}
            break
    since_start = (entry.completed_before_year or 0) + running[month]
    total = entry.project.total_investment
    if since_start > total and not (explanation or "").strip():
        errors["explanation"] = _(
            "开工至今累计完成投资将达到 %(since)s 万元，超过项目总投资 %(total)s 万元，"
            "请在“超总投资说明”中说明原因。"
        ) % {"since": format_wan(since_start), "total": format_wan(total)}
    return errors


def photo_check(upload) -> str:
    """The image format of an uploaded photo (JPEG, PNG or WEBP), or a ValidationError: what it is is
    read from its content by Pillow, never from its name or the browser's content type."""
    if upload.size > settings.KP_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片“%(name)s”超过 %(size)s，请压缩后再上传。")
            % {"name": upload.name, "size": filesizeformat(settings.KP_PHOTO_MAX_BYTES)}
        )
    not_image = ValidationError(
        _("“%(name)s”不是有效的图片文件，只能上传 JPEG、PNG 或 WebP 格式的照片。") % {"name": upload.name}
    )
    too_many_pixels = _("照片“%(name)s”的像素过大，请缩小后再上传。") % {"name": upload.name}
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if kind not in PHOTO_FORMATS:
                raise not_image
            if width * height > PHOTO_MAX_PIXELS:
                raise ValidationError(too_many_pixels)
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(too_many_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_image from None
    finally:
        upload.seek(0)
    return kind


def handed_in_reason(report: MonthlyReport) -> str:
    if report.status == Status.APPROVED:
        return _("%(month)s月报送已审核通过，不能再修改；如需更正，请联系重点办。") % {"month": report.month}
    return _("%(month)s月报送已提交，正在等待审核，不能再修改。") % {"month": report.month}


def _store_photos(report, photos, by) -> list[ReportPhoto]:
    stored = []
    for upload, kind in photos:
        ext = PHOTO_FORMATS[kind][0]
        photo = ReportPhoto(report=report, uploaded_by=by, caption=upload_name(upload.name, limit=100))
        # A name of our own: the uploaded one may carry path tricks, and the format is what Pillow saw.
        photo.image.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
        stored.append(photo)
        photo.save()
    return stored


def _lock_entry(entry: AnnualEntry) -> None:
    """One writer per entry at a time, so the totals a write checks stay true until it commits. No
    ORDER BY: the model's ordering would join the list, and FOR UPDATE would lock that one row for
    every writer of the year. SQLite has no row locks: its writers already take turns, each
    transaction holding the one write lock from BEGIN IMMEDIATE on."""
    if not connection.features.has_select_for_update:
        return
    list(AnnualEntry.objects.select_for_update().filter(pk=entry.pk).order_by().values_list("pk", flat=True))


def monthly_report_save(
    *,
    entry: AnnualEntry,
    month: int,
    by,
    amount: int,
    progress: str = "",
    problems: str = "",
    explanation: str = "",
    expected_version: int | None = None,
    submit: bool = False,
    photos=(),
) -> MonthlyReport:
    """Create or change the report of ENTRY for MONTH, as a draft or (SUBMIT) handed in for review.

    Refused with the reason when the entry is not on a published list, the month has not begun or is
    locked, the report is already handed in, the year-to-date total would fall below zero, or the
    since-start total would pass the total investment without an explanation. EXPECTED_VERSION is
    the version the form was opened on (None for a new report); an edit on anything else is an
    EditConflict. PHOTOS are (upload, format) pairs already checked by photo_check."""
    if not can_report(by, entry.project):
        raise PermissionDenied(_("只有项目业主可以填报该项目的月度报送。"))
    errors = {}
    if submit and not (progress or "").strip():
        errors["progress"] = _("提交时必须填写形象进度。")
    written = []
    try:
        with transaction.atomic():
            _lock_entry(entry)
            refusal = report_refusal(entry=entry, month=month)
            if refusal:
                raise ValidationError(refusal)
            report = MonthlyReport.objects.filter(entry=entry, month=month).order_by().first()
            if report is not None and report.status not in EDITABLE:
                raise ValidationError(handed_in_reason(report))
            if (report is None) != (expected_version is None):
                raise EditConflict()
            if len(photos) + (report.photos.count() if report else 0) > PHOTOS_PER_REPORT:
                errors["photos"] = _("每月最多上传 %(n)s 张照片。") % {"n": PHOTOS_PER_REPORT}
            errors.update(check_amounts(entry=entry, month=month, amount=amount, explanation=explanation))
            if errors:
                raise ValidationError(errors)

            before = report_snapshot(report)
            created = report is None
            if created:
                report = MonthlyReport(entry=entry, month=month)
            report.amount = amount
            report.progress = progress
            report.problems = problems
            report.explanation = explanation
            if submit:
                report.status = Status.SUBMITTED
                report.submitted_by = by
                report.submitted_at = timezone.now()
            if created:
                report.save()
            else:
                save_versioned(report, expected_version=expected_version)
            report.entry = entry
            written = _store_photos(report, photos, by)
            _audit(
                by=by,
                report=report,
                action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
                before=before,
            )
            if written:
                audit_record(
                    by=by,
                    instance=report,
                    action=AuditEntry.Action.UPDATE,
                    before={str(_("现场照片")): ""},
                    after={str(_("现场照片")): _("上传 %(n)s 张") % {"n": len(written)}},
                    project=entry.project,
                )
            if submit:
                project_changed.send(project_ids=[entry.project_id], change=Change.REPORT, defer=True)
    except IntegrityError:
        # Two first saves of one month at once: the other one made it; this one is a conflict.
        _remove_files(written)
        raise EditConflict() from None
    except BaseException:
        _remove_files(written)
        raise
    return report


def _remove_files(photos):
    for photo in photos:
        photo.image.delete(save=False)


def monthly_report_approve(
    *, report: MonthlyReport, by, expected_version: int | None = None
) -> MonthlyReport:
    """The reviewer accepts a submitted report. Allowed in a locked month too: it changes no figure."""
    if not can_review(by, report.entry.project):
        raise PermissionDenied(_("您无权审核该项目的月度报送。"))
    with transaction.atomic():
        current = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        _check_reviewable(current, expected_version)
        before = report_snapshot(current)
        report.refresh_from_db()
        report.status = Status.APPROVED
        report.reviewed_by = by
        report.reviewed_at = timezone.now()
        save_versioned(report, expected_version=current.version)
        _audit(by=by, report=report, action=AuditEntry.Action.UPDATE, before=before)
        project_changed.send(project_ids=[report.entry.project_id], change=Change.REPORT, defer=True)
    return report


def monthly_reports_approve(
    *, reports: list[MonthlyReport], by, versions: dict[int, int] | None = None
) -> list[tuple[MonthlyReport, str | None]]:
    """Approve several REPORTS, each exactly as monthly_report_approve does (its own check, transaction
    and audit entry): one that cannot be approved keeps its reason and does not stop the others.
    VERSIONS: {report id: the version the reviewer saw}. Returns [(report, reason or None)]."""
    versions = versions or {}
    results = []
    for report in reports:
        try:
            monthly_report_approve(report=report, by=by, expected_version=versions.get(report.pk))
        except EditConflict:
            results.append((report, _("在您打开此页面后，该报送已被他人修改，请刷新后核对。")))
        except (PermissionDenied, ValidationError) as error:
            reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
            results.append((report, "；".join(reasons)))
        else:
            results.append((report, None))
    return results


def monthly_report_return(
    *, report: MonthlyReport, by, reason: str, expected_version: int | None = None
) -> MonthlyReport:
    """The reviewer sends a submitted report back to the owner with REASON. Not in a locked month:
    the owner could no longer fix it (a correction there is the office's adjustment)."""
    if not can_review(by, report.entry.project):
        raise PermissionDenied(_("您无权审核该项目的月度报送。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须填写退回原因。")})
    with transaction.atomic():
        current = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        _check_reviewable(current, expected_version)
        lock = month_lock(report.entry.annual_list, report.month)
        if lock is not None:
            raise ValidationError(
                _("%(year)s年%(month)s月已于%(date)s锁定，不能退回；如需更正，请由重点办办理调整。")
                % {
                    "year": report.entry.annual_list.year,
                    "month": report.month,
                    "date": timezone.localtime(lock.locked_at).strftime("%Y-%m-%d"),
                }
            )
        before = report_snapshot(current)
        report.refresh_from_db()
        report.status = Status.RETURNED
        report.return_reason = reason
        report.reviewed_by = by
        report.reviewed_at = timezone.now()
        save_versioned(report, expected_version=current.version)
        _audit(by=by, report=report, action=AuditEntry.Action.UPDATE, before=before)
        _notify_returned(report)
        project_changed.send(project_ids=[report.entry.project_id], change=Change.REPORT, defer=True)
    return report


def _notify_returned(report: MonthlyReport) -> None:
    """The owner's people must fix and resubmit a returned report: to their inbox and robots."""
    project = report.entry.project
    notification_send(
        recipients=User.objects.filter(
            organisation_id=project.owner_id, role=User.Role.OWNER, is_active=True
        ),
        kind=Kind.REPORT,
        title=_("月度报送被退回：%(project)s %(year)s年%(month)s月")
        % {"project": project.name, "year": report.entry.annual_list.year, "month": report.month},
        body=_("退回原因：%(reason)s") % {"reason": report.return_reason},
        url=reverse("report_detail", args=[report.pk]),
        key=f"report:{report.pk}:returned:{report.version}",
        organisations=[project.owner_id],
    )


def _check_reviewable(current: MonthlyReport, expected_version: int | None):
    if expected_version is not None and current.version != expected_version:
        raise EditConflict()
    if current.status != Status.SUBMITTED:
        raise ValidationError(
            _("该报送当前状态为“%(status)s”，只有已报送的报送可以审核或退回。")
            % {"status": current.get_status_display()}
        )


def report_photo_delete(*, photo: ReportPhoto, by) -> None:
    """Remove a photo from a report its owner is still editing."""
    report = photo.report
    if not can_report(by, report.entry.project):
        raise PermissionDenied(_("只有项目业主可以修改该项目的月度报送。"))
    refusal = report_refusal(entry=report.entry, month=report.month)
    if refusal:
        raise ValidationError(refusal)
    if report.status not in EDITABLE:
        raise ValidationError(_("报送已提交，照片不能再删除。"))
    with transaction.atomic():
        audit_record(
            by=by,
            instance=report,
            action=AuditEntry.Action.UPDATE,
            before={str(_("现场照片")): photo.caption or photo.image.name},
            after={str(_("现场照片")): _("已删除")},
            project=report.entry.project,
        )
        photo.delete()
        transaction.on_commit(lambda: photo.image.storage.delete(photo.image.name))


def month_lock_create(*, annual_list: AnnualList, month: int, by=None, today: dt.date | None = None):
    """Lock MONTH of ANNUAL_LIST (by the office, or by the job when BY is None). Locking a locked month
    changes nothing; a month that has not ended cannot be locked. Returns (lock, created)."""
    today = today or timezone.localdate()
    if not 1 <= month <= 12:
        raise ValidationError(_("月份应为 1 至 12。"))
    if not month_has_ended(annual_list.year, month, today):
        raise ValidationError(
            _("%(year)s年%(month)s月尚未结束，不能锁定。") % {"year": annual_list.year, "month": month}
        )
    with transaction.atomic():
        lock, created = MonthLock.objects.get_or_create(
            annual_list=annual_list, month=month, defaults={"locked_by": by}
        )
        if created:
            audit_record(by=by, instance=lock, action=AuditEntry.Action.CREATE)
    return lock, created


def months_lock_due(*, today: dt.date | None = None) -> dict:
    """Lock every month whose statistics deadline has passed (the deadline day itself is still open).
    Idempotent. Returns {"locked": [MonthLock]}."""
    today = today or timezone.localdate()
    locked = []
    locks = set(MonthLock.objects.values_list("annual_list_id", "month"))
    for annual_list in AnnualList.objects.filter(year__lte=today.year).order_by("year"):
        for month in range(1, 13):
            if (annual_list.pk, month) in locks or not month_has_ended(annual_list.year, month, today):
                continue
            if month_deadline(annual_list, month) < today:
                lock, created = month_lock_create(annual_list=annual_list, month=month, today=today)
                if created:
                    locked.append(lock)
    return {"locked": locked}


def report_adjust(
    *,
    report: MonthlyReport,
    by,
    new_amount: int,
    reason: str,
    explanation: str | None = None,
    expected_version: int | None = None,
) -> ReportAdjustment:
    """The office corrects the amount of a report in a locked month: kept as an adjustment with the
    old and new amounts and the reason, and in the report's history. The money rules still hold."""
    if not by.is_office:
        raise PermissionDenied(_("只有重点办工作人员可以调整已锁定月份的报送。"))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("调整必须填写原因。")
    entry = report.entry
    with transaction.atomic():
        _lock_entry(entry)
        current = MonthlyReport.objects.get(pk=report.pk)
        if expected_version is not None and current.version != expected_version:
            raise EditConflict()
        if month_lock(entry.annual_list, current.month) is None:
            raise ValidationError(
                _("%(month)s月尚未锁定，请由业主修改后重新报送，无需调整。") % {"month": current.month}
            )
        if current.status not in COUNTED:
            raise ValidationError(_("只有已报送或已审核的报送可以调整金额。"))
        if new_amount == current.amount:
            errors["new_amount"] = _("调整后金额与原金额相同。")
        if explanation is None:
            explanation = current.explanation
        money = check_amounts(entry=entry, month=current.month, amount=new_amount, explanation=explanation)
        if "amount" in money:
            errors["new_amount"] = money["amount"]
        if "explanation" in money:
            errors["explanation"] = money["explanation"]
        if errors:
            raise ValidationError(errors)
        before = {**report_snapshot(current), str(_("调整原因")): ""}
        adjustment = ReportAdjustment.objects.create(
            report=current, old_amount=current.amount, new_amount=new_amount, reason=reason, by=by
        )
        current.amount = new_amount
        current.explanation = explanation
        save_versioned(current, expected_version=current.version)
        current.entry = entry
        audit_record(
            by=by,
            instance=current,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after={**report_snapshot(current), str(_("调整原因")): reason},
            project=entry.project,
        )
        project_changed.send(project_ids=[entry.project_id], change=Change.REPORT, defer=True)
    report.refresh_from_db()
    return adjustment


def report_deadlines_recompute(*, year: int, before, after, by, today: dt.date) -> list:
    """When YEAR's official holiday schedule is confirmed (lib.workdays.on_calendar_confirmed, registered
    in PlansConfig.ready). Statistics deadlines are computed, never stored, so those of open months
    follow the official calendar at once; this counts the ones that moved. A month the job locked
    because its provisional deadline had passed, while the official one has not, is opened again (its
    history keeps the lock and the reopening) unless the office has already adjusted a report in it."""
    lists = list(AnnualList.objects.filter(year__in=(year - 1, year)))
    locks = {
        (lock.annual_list_id, lock.month): lock
        for lock in MonthLock.objects.filter(annual_list__in=lists).select_related("annual_list")
    }
    adjusted = set(
        ReportAdjustment.objects.filter(report__entry__annual_list__in=lists).values_list(
            "report__entry__annual_list_id", "report__month"
        )
    )
    moved = 0
    for annual_list in lists:
        for month in range(1, 13):
            end, n = month_end(annual_list.year, month), annual_list.report_deadline_workdays
            deadline = after.add(end, n)
            if before.add(end, n) == deadline:
                continue
            lock = locks.get((annual_list.pk, month))
            if lock is None:
                moved += 1
            elif lock.locked_by_id is None and deadline >= today and (annual_list.pk, month) not in adjusted:
                audit_record(by=by, instance=lock, action=AuditEntry.Action.DELETE, before=snapshot(lock))
                lock.delete()
                moved += 1
    return [(_("月度报送截止日"), moved)]
