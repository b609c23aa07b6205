"""Writes of the dashboard app: the district boundaries of the project map."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record
from keyprojects.dashboard.geojson import geojson_clean
from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.orgs.access import require_office
from keyprojects.orgs.models import Organisation


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
        boundary.original_name = filename[:200]
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
