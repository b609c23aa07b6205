"""Writes of the dashboard app: the district boundaries of the project map, and the office's reminders
to late reporters (催报) from the home page."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_entry_build, audit_record
from keyprojects.dashboard.geojson import geojson_clean
from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.lib.uploads import upload_name
from keyprojects.notifications.models import Kind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.access import require_office
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import AnnualList
from keyprojects.plans.report_selectors import Deadlines, deadline_label, missing_state, report_missing_late


def _summary(boundary: DistrictBoundary) -> dict:
    return {
        str(_("城区")): str(boundary.organisation),
        str(_("文件名")): boundary.original_name,
        str(_("顶点数")): str(boundary.vertices),
    }


def boundary_upload(
    *, by, organisation: Organisation, raw: bytes | str, filename: str = ""
) -> DistrictBoundary:
    """Replace ORGANISATION's boundary with the GeoJSON RAW (validated, normalised to one named
    MultiPolygon feature). Office only; audited."""
    require_office(by)
    if organisation.kind != Organisation.Kind.DISTRICT:
        raise ValidationError(_("只能为城区/县/开发区上传边界。"), code="not_district")
    collection, vertices = geojson_clean(raw, name=organisation.label)
    with transaction.atomic():
        boundary = DistrictBoundary.objects.select_for_update().filter(organisation=organisation).first()
        before = _summary(boundary) if boundary else {}
        if boundary is None:
            boundary = DistrictBoundary(organisation=organisation)
        boundary.geojson = collection
        boundary.vertices = vertices
        boundary.original_name = upload_name(filename)
        boundary.uploaded_by = by
        boundary.save()
        audit_record(
            by=by,
            instance=boundary,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            before=before,
            after=_summary(boundary),
        )
    return boundary


def boundary_delete(*, by, boundary: DistrictBoundary) -> None:
    require_office(by)
    with transaction.atomic():
        audit_record(by=by, instance=boundary, action=AuditEntry.Action.DELETE, before=_summary(boundary))
        boundary.delete()


def report_reminders_send(*, by, annual_list: AnnualList, month: int, today: dt.date) -> dict:
    """催报: tell the owners of the projects on ANNUAL_LIST that still owe MONTH's report (none, a draft,
    or returned and not resubmitted) to report, through their inbox and channels: one message per
    owner naming its projects, linking to its to-do. At most one a day per owner and month (a second
    click the same day sends nothing); each project reminded gets an entry in its history. Office
    only. Returns {"owners": owners told, "projects": their projects, "repeated": owners already told
    today, "unreachable": owners with nobody to tell}."""
    require_office(by)
    owing = [
        e for e in report_missing_late(by, annual_list=annual_list, month=month) if missing_state(e) != "late"
    ]
    by_owner = {}
    for entry in owing:
        by_owner.setdefault(entry.project.owner_id, []).append(entry)
    people = {}
    for user in User.objects.filter(organisation_id__in=list(by_owner), role=User.Role.OWNER, is_active=True):
        people.setdefault(user.organisation_id, []).append(user)
    deadlines = Deadlines()
    deadline = deadlines.of(annual_list, month)
    period = _("%(year)s年%(month)s月") % {"year": annual_list.year, "month": month}
    result = {"owners": 0, "projects": 0, "repeated": 0, "unreachable": 0}
    with transaction.atomic():
        history = []
        for owner_id, entries in by_owner.items():
            recipients = people.get(owner_id, [])
            if not recipients:
                result["unreachable"] += 1
                continue
            sent = notification_send(
                recipients=recipients,
                kind=Kind.REPORT,
                title=_("催报：请尽快报送%(period)s的月度报送") % {"period": period},
                body=_("尚未报送的项目：%(projects)s。统计截止 %(date)s（%(left)s）。")
                % {
                    "projects": "、".join(e.project.name for e in entries),
                    "date": deadline.isoformat() if deadline else "—",
                    "left": deadline_label(deadlines.workdays_left(today, deadline)),
                },
                url=reverse("report_todo"),
                key=f"report-remind:{owner_id}:{annual_list.year}-{month:02d}:{today.isoformat()}",
                organisations=[owner_id],
            )
            if not sent:
                result["repeated"] += 1
                continue
            result["owners"] += 1
            result["projects"] += len(entries)
            note = _("%(period)s月度报送，已通知 %(people)s") % {
                "period": period,
                "people": "、".join(u.full_name or u.username for u in recipients),
            }
            history += [
                audit_entry_build(
                    by=by,
                    instance=entry,
                    action=AuditEntry.Action.UPDATE,
                    after={str(_("催报")): note},
                    project=entry.project,
                )
                for entry in entries
            ]
        AuditEntry.objects.bulk_create(history)
    return result
