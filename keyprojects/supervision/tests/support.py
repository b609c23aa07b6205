"""Helpers shared by the supervision tests: lights on the cast's projects, letters, an inspection with
a finding, a tour. Dates are passed explicitly (`today=`); nothing reads the wall clock."""

import datetime as dt
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.supervision import services
from keyprojects.supervision.services import ItemDraft

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A 1 × 1 PNG.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# The days the helpers act on unless told: Monday 16 November 2026 and after.
ISSUED, REPLIED, INSPECTED = day("2026-11-16"), day("2026-11-18"), day("2026-11-10")


def pdf(name="整改报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def light(
    project, subject, *, level=Level.RED, code="prelim", message="前期事项“环评”计划完成日期已过 20 天"
):
    now = timezone.now()
    return ProjectWarning.objects.create(
        rule=WarningRule.objects.get(code=code),
        project=project,
        subject=subject,
        level=level,
        message=message,
        figures={"计划完成日期": "2026-06-01"},
        level_since=now,
        first_raised_at=now,
    )


def issue(cast, *, unit=None, today=ISSUED, workdays=5, **extra):
    return services.letter_issue(
        by=extra.pop("by", cast.staff),
        unit=unit or cast.district_a,
        subject=extra.pop("subject", "轨道交通5号线二期工程征地滞后整改"),
        requirement=extra.pop("requirement", "加快征地拆迁，按期交地。"),
        deadline_workdays=workdays,
        project=extra.pop("project", cast.project_a),
        today=today,
        **extra,
    )


def reply(cast, letter, *, by=None, today=REPLIED):
    return services.letter_reply(
        letter=letter, by=by or cast.district, note="已完成清表交地。", files=[pdf()], today=today
    )


def inspect(cast, *, date=INSPECTED):
    return services.inspection_create(
        by=cast.staff,
        title="2026年11月重点项目督查",
        date=date,
        inspectors=[cast.staff],
        projects=[cast.project_a, cast.project_b],
    )


def find(cast, inspection, *, units=None, today=ISSUED, workdays=5, photos=()):
    finding = services.finding_add(
        by=cast.staff,
        inspection=inspection,
        project=cast.project_a,
        description="施工现场围挡破损，扬尘治理不到位。",
        items=[ItemDraft(u, "修复围挡，落实洒水降尘。", workdays) for u in (units or [cast.district_a])],
        photos=photos,
        today=today,
    )
    return finding


def docx_bytes(response) -> BytesIO:
    return BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
