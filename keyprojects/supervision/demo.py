"""The demo city's supervision (called by keyprojects/demo/loader.py after the alerts): letters issued
from red lights three weeks ago (some replied with evidence, one signed off, the rest overdue and
escalated) and a few days ago (still running), and an inspection whose findings are being rectified.
Through the services, so numbers, deadlines, notices and history are what the office would see."""

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.alerts.models import Level, ProjectWarning
from keyprojects.lib.officedoc import OfficialDocument
from keyprojects.lib.workdays import add_workdays
from keyprojects.orgs.models import User
from keyprojects.projects.models import Project, Stage
from keyprojects.supervision import services
from keyprojects.supervision.models import Letter

REQUIREMENT = (
    "请按照市重点项目推进要求，逐项核实预警事项，制定整改措施，明确完成时限，"
    "并将办理情况和佐证材料报市重点办。"
)


def _evidence(title: str, body: str) -> SimpleUploadedFile:
    doc = OfficialDocument()
    doc.title(title)
    doc.paragraph(body)
    return SimpleUploadedFile(f"{title}.docx", doc.to_bytes())


def _unit_user(unit_id):
    return User.objects.filter(organisation_id=unit_id, is_active=True).order_by("pk").first()


def _issue(office, warnings, *, day, limit):
    drafts, _covered = services.letter_drafts_for_warnings(
        warnings, requirement=REQUIREMENT, deadline_workdays=10
    )
    # Units with an account first, so that some letters can be answered whichever lights are red.
    answerable = set(
        User.objects.filter(organisation__in=[d.unit for d in drafts], is_active=True).values_list(
            "organisation_id", flat=True
        )
    )
    drafts.sort(key=lambda d: d.unit.pk not in answerable)
    drafts = drafts[:limit]
    return services.letters_issue_bulk(by=office, drafts=drafts, today=day) if drafts else []


def load_supervision_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    rng = random.Random(seed)
    office = User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk").first()
    if office is None:
        return {"letters": 0, "findings": 0}
    reds = list(
        ProjectWarning.objects.filter(level=Level.RED).select_related("project", "rule").order_by("pk")[:400]
    )
    rng.shuffle(reds)
    half = len(reds) // 2
    earlier = _issue(office, reds[:half], day=add_workdays(today, -15), limit=12)
    recent = _issue(office, reds[half:], day=add_workdays(today, -2), limit=6)
    replied = 0
    answering = [(letter, user) for letter in earlier if (user := _unit_user(letter.unit_id))][:6]
    for n, (letter, unit_user) in enumerate(answering):
        services.letter_reply(
            letter=letter,
            by=unit_user,
            note="已召开专题会研究，明确责任人和完成时限，相关工作正在按计划推进。",
            files=[_evidence("督办事项办理情况报告", f"关于{letter.subject}的办理情况。")],
            today=add_workdays(today, -8 + n % 3),
        )
        replied += 1
    # Two signed off, but always one left waiting for the office's review.
    for letter, _user in answering[: min(2, len(answering) - 1)]:
        services.letter_sign_off(letter=Letter.objects.get(pk=letter.pk), by=office, today=today)
    services.letters_escalate_due(today=today)

    findings = 0
    inspectors = list(User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk")[:2])
    building = list(Project.objects.filter(stage=Stage.CONSTRUCTION).order_by("pk")[:40])
    visited = rng.sample(building, min(4, len(building)))
    if inspectors and visited:
        day = add_workdays(today, -6)
        inspection = services.inspection_create(
            by=office,
            title=f"{day.month}月重点项目现场督查",
            date=day,
            inspectors=inspectors,
            projects=visited,
            summary="对在建重点项目的施工进度、安全文明施工和问题整改情况进行现场督查。",
        )
        for project in visited[:3]:
            unit = project.owner
            services.finding_add(
                by=office,
                inspection=inspection,
                project=project,
                description="现场施工人员和机械投入不足，实际进度落后于月度计划。",
                items=[
                    services.ItemDraft(
                        unit=unit, requirement="增加施工力量，报送赶工计划。", deadline_workdays=10
                    )
                ],
                today=day,
            )
            findings += 1
    counts = {"letters": len(earlier) + len(recent), "replied": replied, "findings": findings}
    if stdout:
        stdout.write(f"督办函 {counts['letters']} 份（已回复 {replied} 份），督查发现问题 {findings} 个。")
    return counts
