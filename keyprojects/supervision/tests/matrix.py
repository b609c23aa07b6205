"""Role × endpoint matrix entries of supervision (see keyprojects/matrix.py).

Letter A goes to district A about project A, letter B to district B: the district (A's) sees and
answers A only; the department, the owner and the outsider see no letter. The inspection (inspector:
office staff) gave district A a rectification item: the district sees the item and its photo, not the
inspection. The tour's jurors are the leader and the department. Steps answer GET with a redirect to
their page (302) and an empty POST with the page and the form's errors (200); nothing is written.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from keyprojects.matrix import everyone, row
from keyprojects.supervision.models import (
    Finding,
    FindingPhoto,
    Inspection,
    Letter,
    LetterAction,
    LetterEvidence,
    Rectification,
    RectificationAction,
    RectificationEvidence,
    Tour,
    TourCriterion,
)

FILE_NAME = "supervision/matrix/evidence.pdf"
PHOTO_NAME = "supervision/matrix/photo.png"

READ_ALL = row()
OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)
READ_A = row(department=404, owner=404, outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
OFFICE_LEADER = row(district=404, department=404, owner=404, outsider=404)
# Replying to letter A / submitting item A: district A only; the office and leaders see it but may not.
UNIT_A = row(office_admin=403, office_staff=403, leader=403, department=404, owner=404, outsider=404)
UNIT_B = row(
    office_admin=403, office_staff=403, leader=403, district=404, department=404, owner=404, outsider=404
)
DECIDE_A = row(leader=403, district=403, department=404, owner=404, outsider=404)
DECIDE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
WRITE_INSPECTION = row(leader=403, district=404, department=404, owner=404, outsider=404)
TOUR_READ = row(district=404, owner=404, outsider=404)
TOUR_MANAGE = row(leader=403, district=404, department=403, owner=404, outsider=404)
TOUR_SCORE = row(office_admin=403, office_staff=403, district=404, owner=404, outsider=404)


def _step(statuses):
    return {role: (302 if code == 200 else code) for role, code in statuses.items()}


MATRIX = {
    "letter_list": [("", lambda c: [], READ_ALL, None)],
    "letter_create": [("", lambda c: [], OFFICE, OFFICE)],
    "letter_bulk": [("", lambda c: [], OFFICE, OFFICE)],
    "letter_detail": [
        ("A", lambda c: [c.letter_a.pk], READ_A, None),
        ("B", lambda c: [c.letter_b.pk], READ_B, None),
    ],
    "letter_document": [
        ("A", lambda c: [c.letter_a.pk], READ_A, None),
        ("B", lambda c: [c.letter_b.pk], READ_B, None),
    ],
    "letter_evidence": [("A", lambda c: [c.letter_evidence.pk], READ_A, None)],
    "letter_reply": [
        ("A", lambda c: [c.letter_a.pk], _step(UNIT_A), UNIT_A),
        ("B", lambda c: [c.letter_b.pk], _step(UNIT_B), UNIT_B),
    ],
    "letter_sign_off": [
        ("A", lambda c: [c.letter_a.pk], _step(DECIDE_A), DECIDE_A),
        ("B", lambda c: [c.letter_b.pk], _step(DECIDE_B), DECIDE_B),
    ],
    "letter_return": [
        ("A", lambda c: [c.letter_a.pk], _step(DECIDE_A), DECIDE_A),
        ("B", lambda c: [c.letter_b.pk], _step(DECIDE_B), DECIDE_B),
    ],
    "inspection_list": [("", lambda c: [], READ_ALL, None)],
    "inspection_create": [("", lambda c: [], OFFICE, OFFICE)],
    "inspection_detail": [("", lambda c: [c.inspection.pk], OFFICE_LEADER, None)],
    "finding_create": [("", lambda c: [c.inspection.pk], _step(WRITE_INSPECTION), WRITE_INSPECTION)],
    "finding_photo": [("A", lambda c: [c.photo.pk], READ_A, None)],
    "rectification_list": [("", lambda c: [], READ_ALL, None)],
    "rectification_detail": [("A", lambda c: [c.item_a.pk], READ_A, None)],
    "rectification_submit": [("A", lambda c: [c.item_a.pk], _step(UNIT_A), UNIT_A)],
    "rectification_decide": [("A", lambda c: [c.item_a.pk], _step(DECIDE_A), DECIDE_A)],
    "rectification_evidence": [("A", lambda c: [c.item_evidence.pk], READ_A, None)],
    "tour_list": [("", lambda c: [], READ_ALL, None)],
    "tour_create": [("", lambda c: [], OFFICE, OFFICE)],
    "tour_detail": [("", lambda c: [c.tour.pk], TOUR_READ, None)],
    "tour_criteria": [("", lambda c: [c.tour.pk], _step(TOUR_MANAGE), TOUR_MANAGE)],
    "tour_score": [("A", lambda c: [c.tour.pk, c.project_a.pk], TOUR_SCORE, TOUR_SCORE)],
    # POST only; the office's empty POST is refused (no score yet) with a message on the tour's page.
    "tour_close": [("", lambda c: [c.tour.pk], everyone(405), _step(TOUR_MANAGE))],
}


def _letter(world, unit, sequence):
    today = dt.date(2026, 11, 16)
    letter = Letter.objects.create(
        prefix="邕重点督",
        year=2026,
        sequence=sequence,
        unit=unit,
        project=world.project_a if unit == world.district_a else world.project_b,
        subject="征地滞后整改",
        requirement="按期交地。",
        deadline_workdays=5,
        issued_on=today,
        deadline=dt.date(2026, 11, 23),
        level_deadline=dt.date(2026, 11, 23),
        issued_by=world.staff,
    )
    LetterAction.objects.create(letter=letter, kind=LetterAction.Kind.ISSUE, by=world.staff)
    return letter


def prepare(world):
    for name in (FILE_NAME, PHOTO_NAME):
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    world.letter_a = _letter(world, world.district_a, 9001)
    world.letter_b = _letter(world, world.district_b, 9002)
    action = LetterAction.objects.create(
        letter=world.letter_a, kind=LetterAction.Kind.REPLY, by=world.district, note="旧的回复。"
    )
    world.letter_evidence = LetterEvidence.objects.create(
        letter=world.letter_a,
        action=action,
        file=FILE_NAME,
        original_name="回复.pdf",
        uploaded_by=world.district,
    )
    world.inspection = Inspection.objects.create(
        title="督查", date=dt.date(2026, 11, 10), created_by=world.staff
    )
    world.inspection.inspectors.set([world.staff])
    world.inspection.projects.set([world.project_a])
    finding = Finding.objects.create(
        inspection=world.inspection, project=world.project_a, description="围挡破损。", created_by=world.staff
    )
    world.photo = FindingPhoto.objects.create(
        finding=finding, file=PHOTO_NAME, original_name="现场.png", uploaded_by=world.staff
    )
    world.item_a = Rectification.objects.create(
        finding=finding,
        unit=world.district_a,
        requirement="修复围挡。",
        deadline_workdays=5,
        assigned_on=dt.date(2026, 11, 16),
        deadline=dt.date(2026, 11, 23),
    )
    item_action = RectificationAction.objects.create(
        rectification=world.item_a, kind=RectificationAction.Kind.ASSIGN, by=world.staff
    )
    world.item_evidence = RectificationEvidence.objects.create(
        rectification=world.item_a,
        action=item_action,
        file=FILE_NAME,
        original_name="整改.pdf",
        uploaded_by=world.district,
    )
    world.tour = Tour.objects.create(title="观摩评比", date=dt.date(2026, 11, 20), created_by=world.staff)
    world.tour.projects.set([world.project_a])
    world.tour.jurors.set([world.leader, world.department_user])
    TourCriterion.objects.create(tour=world.tour, name="项目建设进度", max_points=100)
