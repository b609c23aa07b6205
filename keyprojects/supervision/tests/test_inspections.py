"""Inspections (督查): findings with photos become rectification items, answered with evidence and
signed off or returned by the office."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.notifications.models import Notification
from keyprojects.supervision import services
from keyprojects.supervision.models import Finding, FindingPhoto, Rectification
from keyprojects.supervision.services import ItemDraft
from keyprojects.supervision.tests.support import day, find, inspect, pdf, png

Status = Rectification.Status


def test_it_turns_a_finding_into_one_item_per_unit_due_in_working_days(cast):
    finding = find(cast, inspect(cast), units=[cast.district_a, cast.department], photos=[png()])
    items = list(finding.rectifications.order_by("unit__name"))
    assert [(i.unit, i.assigned_on, i.deadline, i.status) for i in items] == [
        (cast.department, day("2026-11-16"), day("2026-11-23"), Status.OPEN),
        (cast.district_a, day("2026-11-16"), day("2026-11-23"), Status.OPEN),
    ]
    assert [p.original_name for p in finding.photos.all()] == ["现场.png"]
    assert Notification.objects.filter(recipient=cast.department_user, title__startswith="督查整改").exists()


def test_it_refuses_a_finding_on_a_project_not_inspected_or_without_a_unit(cast):
    inspection = services.inspection_create(
        by=cast.staff,
        title="督查",
        date=day("2026-11-10"),
        inspectors=[cast.staff],
        projects=[cast.project_b],
    )
    with pytest.raises(ValidationError) as error:
        find(cast, inspection)
    assert error.value.message_dict["project"] == ["该项目不在本次督查范围内。"]
    with pytest.raises(ValidationError):
        services.finding_add(by=cast.staff, inspection=inspection, description="x", items=[])
    with pytest.raises(ValidationError):
        find(cast, inspect(cast), units=[cast.office])
    assert not Finding.objects.exists()


def test_it_refuses_a_photo_that_is_not_an_image_and_keeps_nothing(cast):
    fake = SimpleUploadedFile("现场.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        find(cast, inspect(cast), photos=[fake])
    assert error.value.message_dict["photos"] == ["“现场.png”不是 JPEG、PNG 或 WebP 图片。"]
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()


def test_it_lets_only_the_office_record_inspections(cast):
    with pytest.raises(PermissionDenied):
        services.inspection_create(
            by=cast.leader,
            title="督查",
            date=day("2026-11-10"),
            inspectors=[cast.leader],
            projects=[cast.project_a],
        )
    inspection = inspect(cast)
    with pytest.raises(PermissionDenied):
        services.finding_add(
            by=cast.district,
            inspection=inspection,
            description="x",
            items=[ItemDraft(cast.district_a, "y", 5)],
        )


def test_it_refuses_a_submission_without_evidence_or_from_another_unit(cast):
    item = find(cast, inspect(cast)).rectifications.get()
    with pytest.raises(ValidationError) as error:
        services.rectification_submit(item=item, by=cast.district, note="已整改。", files=[])
    assert error.value.message_dict["files"] == ["提交整改情况须附佐证材料，请上传至少一个文件。"]
    with pytest.raises(PermissionDenied):
        services.rectification_submit(item=item, by=cast.district_b_user, note="已整改。", files=[pdf()])


def test_it_signs_off_or_returns_a_submission(cast):
    item = find(cast, inspect(cast)).rectifications.get()
    item = services.rectification_submit(
        item=item, by=cast.district, note="已整改。", files=[pdf()], today=day("2026-11-20")
    )
    assert (item.status, item.submitted_on) == (Status.SUBMITTED, day("2026-11-20"))
    with pytest.raises(ValidationError) as error:
        services.rectification_decide(item=item, by=cast.staff, accept=False, note="")
    assert error.value.message_dict["note"] == ["请写明退回理由。"]
    item = services.rectification_decide(item=item, by=cast.staff, accept=False, note="照片不清晰。")
    assert item.status == Status.RETURNED
    item = services.rectification_submit(
        item=item, by=cast.district, note="补充照片。", files=[pdf()], today=day("2026-11-23")
    )
    item = services.rectification_decide(item=item, by=cast.staff, accept=True, today=day("2026-11-24"))
    assert (item.status, item.signed_off_on) == (Status.SIGNED_OFF, day("2026-11-24"))
    assert list(item.actions.values_list("kind", flat=True)) == [
        "assign",
        "submit",
        "return",
        "submit",
        "sign_off",
    ]
    with pytest.raises(PermissionDenied):
        services.rectification_decide(item=item, by=cast.leader, accept=True)
