"""Role × endpoint matrix entries of the assessment (see keyprojects/matrix.py).

The world: the default schemes; January 2026 published (scores of both districts, the department and
both cast projects; its list with an exempted 黑榜 entry); February 2026 computed but not published
(a score of district A and a draft list). District users see their own unit's score only, owners
their own projects'; drafts are the office's."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from keyprojects.assessment.models import AssessmentRun, RankingEntry, RankingList, Scheme, Score, UnitKind
from keyprojects.assessment.tests.world import seed_schemes
from keyprojects.matrix import everyone, row

OFFICE = row(leader=403, district=403, department=403, owner=403, outsider=403)
DRAFT = row(leader=404, district=404, department=404, owner=404, outsider=404)
OFFICE_POST = {**OFFICE, "office_admin": 302, "office_staff": 302}
DRAFT_POST = {**DRAFT, "office_admin": 302, "office_staff": 302}
SCORE_A = row(department=404, owner=404, outsider=404)
SCORE_B = row(district=404, department=404, owner=404, outsider=404)
SCORE_DEPARTMENT = row(district=404, owner=404, outsider=404)
SCORE_PROJECT_A = row(district=404, department=404, outsider=404)
EDIT_PUBLISHED = {**OFFICE, "office_admin": 302, "office_staff": 302}

MATRIX = {
    "scheme_list": [("", lambda c: [], row(), None)],
    "scheme_detail": [("", lambda c: [c.scheme.pk], row(), None)],
    "scheme_edit": [("", lambda c: [c.scheme.pk], OFFICE, OFFICE)],
    "score_overview": [("", lambda c: [], row(), None)],
    "assessment_compute": [("", lambda c: [], everyone(405), OFFICE_POST)],
    "assessment_compute_status": [("", lambda c: [], OFFICE, everyone(405))],
    "score_detail": [
        ("district A", lambda c: [c.score_a.pk], SCORE_A, None),
        ("district B", lambda c: [c.score_b.pk], SCORE_B, None),
        ("department", lambda c: [c.score_department.pk], SCORE_DEPARTMENT, None),
        ("project A", lambda c: [c.score_project_a.pk], SCORE_PROJECT_A, None),
        ("draft", lambda c: [c.score_draft.pk], DRAFT, None),
    ],
    "score_records": [
        ("district A", lambda c: [c.score_a.pk, "report_on_time"], SCORE_A, None),
        ("district B", lambda c: [c.score_b.pk, "report_on_time"], SCORE_B, None),
        ("draft", lambda c: [c.score_draft.pk, "report_on_time"], DRAFT, None),
    ],
    "ranking_list_index": [("", lambda c: [], row(), None)],
    "ranking_list_draft": [("", lambda c: [c.run_draft.pk], everyone(405), OFFICE_POST)],
    "ranking_list_detail": [
        ("published", lambda c: [c.list_published.pk], row(), None),
        ("draft", lambda c: [c.list_draft.pk], DRAFT, None),
    ],
    "ranking_entry_add": [
        ("draft", lambda c: [c.list_draft.pk], DRAFT, DRAFT),
        ("published", lambda c: [c.list_published.pk], EDIT_PUBLISHED, EDIT_PUBLISHED),
    ],
    "ranking_entry_remove": [
        ("draft", lambda c: [c.entry_draft.pk], DRAFT, DRAFT),
        ("published", lambda c: [c.entry_published.pk], EDIT_PUBLISHED, EDIT_PUBLISHED),
    ],
    "ranking_entry_exempt": [
        ("draft", lambda c: [c.entry_draft.pk], DRAFT, DRAFT),
        ("published", lambda c: [c.entry_published.pk], EDIT_PUBLISHED, EDIT_PUBLISHED),
    ],
    "ranking_exemption_file": [("", lambda c: [c.entry_published.pk], row(), None)],
    "ranking_list_review": [("", lambda c: [c.list_draft.pk], everyone(405), DRAFT_POST)],
    "ranking_list_publish": [("", lambda c: [c.list_draft.pk], everyone(405), DRAFT_POST)],
    "ranking_list_correct": [("", lambda c: [c.list_published.pk], OFFICE, OFFICE)],
    "ranking_list_notice": [
        ("published", lambda c: [c.list_published.pk], row(), None),
        ("draft", lambda c: [c.list_draft.pk], DRAFT, None),
    ],
    "notice_list": [("", lambda c: [], row(), None)],
    "briefing_download": [
        ("published", lambda c: [2026, 1], row(), None),
        ("draft", lambda c: [2026, 2], DRAFT, None),
    ],
}

LINES = [
    {
        "kind": "indicator",
        "code": "report_on_time",
        "weight": "100",
        "curve": "linear",
        "params": {"low": "0", "high": "100"},
        "numerator": 1,
        "denominator": 2,
        "count": 0,
        "value": "50.0",
        "rank": None,
        "of": None,
        "late": 1,
        "points": "50.00",
    }
]


def _score(run, version, rank, *, organisation=None, project=None):
    return Score.objects.create(
        run=run,
        unit_kind=UnitKind.PROJECT if project else organisation.kind,
        organisation=organisation,
        project=project,
        version=version,
        name=(project or organisation).name,
        base=Decimal(50),
        total=Decimal(50),
        rank=rank,
        lines=LINES,
    )


def prepare(world):
    seed_schemes()
    world.scheme = Scheme.objects.get(period_kind="month", unit_kind=UnitKind.DISTRICT)
    version = world.scheme.versions.get()
    now = timezone.now()
    published = AssessmentRun.objects.create(
        period="2026-01",
        period_kind="month",
        year=2026,
        number=1,
        status=AssessmentRun.Status.PUBLISHED,
        computed_at=now,
        published_at=now,
    )
    world.score_a = _score(published, version, 1, organisation=world.district_a)
    world.score_b = _score(published, version, 2, organisation=world.district_b)
    world.score_department = _score(published, version, 1, organisation=world.department)
    world.score_project_a = _score(published, version, 1, project=world.project_a)
    _score(published, version, 2, project=world.project_b)
    world.list_published = RankingList.objects.create(
        run=published,
        status=RankingList.Status.PUBLISHED,
        run_revision=1,
        number="邕重点办通〔2026〕1号",
        drafted_by=world.staff,
        drafted_at=now,
        reviewed_by=world.admin,
        reviewed_at=now,
        published_by=world.admin,
        published_at=now,
    )
    world.entry_published = RankingEntry(
        ranking_list=world.list_published,
        side=RankingEntry.Side.BLACK,
        rule=RankingEntry.Rule.BOTTOM,
        unit_kind=UnitKind.DISTRICT,
        organisation=world.district_b,
        name=world.district_b.name,
        reason="得分最低",
        exempt=True,
        exempt_reason="暴雨停工",
        exempt_file_name="证明.pdf",
    )
    world.entry_published.exempt_file.save("proof.pdf", ContentFile(b"%PDF-1.4 proof"), save=True)
    world.run_draft = AssessmentRun.objects.create(
        period="2026-02", period_kind="month", year=2026, number=2, computed_at=now
    )
    world.score_draft = _score(world.run_draft, version, 1, organisation=world.district_a)
    world.list_draft = RankingList.objects.create(
        run=world.run_draft, run_revision=1, drafted_by=world.staff, drafted_at=now
    )
    world.entry_draft = RankingEntry.objects.create(
        ranking_list=world.list_draft,
        side=RankingEntry.Side.BLACK,
        rule=RankingEntry.Rule.BOTTOM,
        unit_kind=UnitKind.DISTRICT,
        organisation=world.district_a,
        name=world.district_a.name,
        reason="得分最低",
    )
