"""Role × endpoint matrix entries of monthly reports (see keyprojects/matrix.py).

Project A lies in district A, is owned by owner A and has the department responsible; project B lies
in district B and is owned by owner B. Owners report their own; the district and the department
review (and read) theirs; the leader reads everything; the office does everything.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from keyprojects.matrix import ROLES, everyone, row
from keyprojects.plans.models import MonthLock, MonthlyReport, ReportPhoto
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.plans.tests.report_images import png_bytes

# Months of the cast's 2026 list this module uses: others' modules stay clear of them.
DRAFT_MONTH, SUBMITTED_MONTH, LOCKED_MONTH, FILL_MONTH = 6, 7, 8, 9

READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)
# Filling in: the owner and the office; readers get 403, those who cannot see the project 404.
REPORT_A = row(leader=403, district=403, department=403, outsider=404)
REPORT_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
# Reviewing: the district, the responsible department and the office.
REVIEW_A = row(leader=403, owner=403, outsider=404)
REVIEW_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
# Office only, on a record the others may or may not see.
OFFICE_A = row(leader=403, district=403, department=403, owner=403, outsider=404)
OFFICE_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
REVIEWERS = row(leader=403, owner=403, outsider=403)
OVERVIEW = row(owner=403, outsider=403)
OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)
GET_405 = everyone(405)


def _posted(statuses, status=302):
    """A POST that works redirects (302) where a GET would show a page (200)."""
    return {role: (status if code == 200 else code) for role, code in statuses.items()}


MATRIX = {
    "report_todo": [("", lambda c: [], row(), None)],
    "report_queue": [("", lambda c: [], REVIEWERS, None)],
    # Nothing ticked: back to the queue with a message (302); only reviewers get that far.
    "report_approve_batch": [("", lambda c: [], GET_405, _posted(REVIEWERS))],
    "report_status": [("", lambda c: [], OVERVIEW, None)],
    "report_status_export": [("", lambda c: [], OVERVIEW, None)],
    "report_locks": [("", lambda c: [], OFFICE, _posted(OFFICE))],
    "report_entry": [
        ("A", lambda c: [c.entry_a.pk], READ_A, None),
        ("B", lambda c: [c.entry_b.pk], READ_B, None),
    ],
    "report_fill": [
        # An empty POST is a form with errors (200); nothing is written.
        ("A", lambda c: [c.entry_a.pk, FILL_MONTH], REPORT_A, REPORT_A),
        ("B", lambda c: [c.entry_b.pk, FILL_MONTH], REPORT_B, REPORT_B),
        ("A draft", lambda c: [c.entry_a.pk, DRAFT_MONTH], REPORT_A, REPORT_A),
        # A handed-in report opens on its page (302); a POST is refused on the form (200).
        ("A submitted", lambda c: [c.entry_a.pk, SUBMITTED_MONTH], _posted(REPORT_A), REPORT_A),
    ],
    "report_preview": [
        ("A", lambda c: [c.entry_a.pk, FILL_MONTH], REPORT_A, None),
        ("B", lambda c: [c.entry_b.pk, FILL_MONTH], REPORT_B, None),
    ],
    "report_detail": [
        ("A", lambda c: [c.report_a.pk], READ_A, None),
        ("B", lambda c: [c.report_b.pk], READ_B, None),
    ],
    "report_approve": [
        ("A", lambda c: [c.report_a.pk], GET_405, _posted(REVIEW_A)),
        ("B", lambda c: [c.report_b.pk], GET_405, _posted(REVIEW_B)),
    ],
    "report_return": [
        # Without a reason the return is refused, with a message, back on the report (302).
        ("A", lambda c: [c.report_a.pk], GET_405, _posted(REVIEW_A)),
        ("B", lambda c: [c.report_b.pk], GET_405, _posted(REVIEW_B)),
    ],
    "report_adjust": [
        ("A", lambda c: [c.locked_a.pk], OFFICE_A, OFFICE_A),
        ("B", lambda c: [c.locked_b.pk], OFFICE_B, OFFICE_B),
    ],
    "report_photo": [
        ("A", lambda c: [c.photo_a.pk], READ_A, None),
        ("B", lambda c: [c.photo_b.pk], READ_B, None),
    ],
    "report_photo_delete": [
        ("A", lambda c: [c.photo_a.pk], GET_405, _posted(REPORT_A)),
        ("B", lambda c: [c.photo_b.pk], GET_405, _posted(REPORT_B)),
    ],
}
assert all(
    set(statuses) == set(ROLES)
    for entries in MATRIX.values()
    for e in entries
    for statuses in e[2:]
    if statuses
)

PHOTO_NAME = "report-photos/matrix/cast.png"


def _report(world, entry, month, status, amount=10_000):
    report, _created = MonthlyReport.objects.get_or_create(
        entry=entry,
        month=month,
        defaults={
            "amount": amount,
            "progress": "主体施工",
            "status": status,
            "submitted_by": world.owner if status != MonthlyReport.Status.DRAFT else None,
            "submitted_at": timezone.now() if status != MonthlyReport.Status.DRAFT else None,
        },
    )
    return report


def prepare(world):
    plans_cast(world)
    Status = MonthlyReport.Status
    world.report_a = _report(world, world.entry_a, SUBMITTED_MONTH, Status.SUBMITTED)
    world.report_b = _report(world, world.entry_b, SUBMITTED_MONTH, Status.SUBMITTED)
    world.locked_a = _report(world, world.entry_a, LOCKED_MONTH, Status.APPROVED)
    world.locked_b = _report(world, world.entry_b, LOCKED_MONTH, Status.APPROVED)
    MonthLock.objects.get_or_create(annual_list=world.annual_list, month=LOCKED_MONTH)
    draft_a = _report(world, world.entry_a, DRAFT_MONTH, Status.DRAFT)
    draft_b = _report(world, world.entry_b, DRAFT_MONTH, Status.DRAFT)
    # One small real image in the media folder, shared by both photos (deleting a photo in a test
    # leaves the file: the storage removes it only after a commit, which a test never makes).
    if not default_storage.exists(PHOTO_NAME):
        default_storage.save(PHOTO_NAME, ContentFile(png_bytes()))
    world.photo_a = ReportPhoto.objects.create(report=draft_a, image=PHOTO_NAME, uploaded_by=world.owner)
    world.photo_b = ReportPhoto.objects.create(
        report=draft_b, image=PHOTO_NAME, uploaded_by=world.owner_b_user
    )
