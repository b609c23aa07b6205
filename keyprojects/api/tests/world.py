"""The records the API tests and the role × endpoint matrices need, on top of the shared cast.

Everything comes in pairs: *_a in district A / owner A's scope (department responsible), *_b in
district B / owner B's, outside the district's, the department's and the owner's scope.
Idempotent: `api_world(world)` returns at once when it has already run.
"""

import datetime as dt

from django.utils import timezone

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.api.services import api_token_create
from keyprojects.coordination.models import Instruction, Problem
from keyprojects.plans.models import AnnualList, Batch, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.reports.selectors import public_data_setting
from keyprojects.tasks.models import Task

# A fixed day inside a year the working-day calendar knows; tests run at this time.
TODAY = dt.date(2026, 11, 10)


def _report(entry, month, status, by):
    return MonthlyReport.objects.create(
        entry=entry,
        month=month,
        amount=1_000_000,
        progress="完成桩基施工",
        status=status,
        submitted_by=by if status != MonthlyReport.Status.DRAFT else None,
        submitted_at=timezone.now() if status != MonthlyReport.Status.DRAFT else None,
    )


def _problem(world, project, *, raiser, lead_unit, status=Problem.Status.OPEN, level=2):
    return Problem.objects.create(
        project=project,
        category=Problem.Category.APPROVAL,
        title=f"{project.name}施工许可办理滞后",
        description="施工许可证尚未核发。",
        source=Problem.Source.OWNER,
        raised_by=raiser,
        raised_by_org=raiser.organisation,
        lead_unit=lead_unit,
        status=status,
        level=level,
        level_since=TODAY,
        level_deadline=TODAY + dt.timedelta(days=30),
        resolved_at=timezone.now() if status in (Problem.Status.RESOLVED, Problem.Status.CLOSED) else None,
        closed_at=timezone.now() if status == Problem.Status.CLOSED else None,
    )


def api_world(world):
    if getattr(world, "api_ready", False):
        return world
    plans_cast(world)
    owner_a, owner_b = world.owner, world.owner_b_user
    # Open data: publish the cast's listed projects although they are still in 谋划储备.
    setting = public_data_setting()
    setting.include_reserve = True
    setting.save()
    # Reports: a draft to edit and submit, a submitted one to approve or return, in each scope.
    # (Months 3 and 4: the other apps' matrices use 2 and 6–9; the API tests create month 10.)
    world.api_report_a = _report(world.entry_a, 3, MonthlyReport.Status.DRAFT, owner_a)
    world.api_report_b = _report(world.entry_b, 3, MonthlyReport.Status.DRAFT, owner_b)
    world.api_submitted_a = _report(world.entry_a, 4, MonthlyReport.Status.SUBMITTED, owner_a)
    world.api_submitted_b = _report(world.entry_b, 4, MonthlyReport.Status.SUBMITTED, owner_b)
    # Next year's list, with a draft batch the office may add entries to.
    world.api_list_next, _ = AnnualList.objects.get_or_create(
        year=2027, defaults={"title": "2027年重点项目清单"}
    )
    world.api_batch_next, _ = Batch.objects.get_or_create(
        annual_list=world.api_list_next, number=9, defaults={"name": "第九批"}
    )

    def task(project, unit):
        return Task.objects.create(
            project=project,
            title=f"{project.name}取得施工许可",
            responsible_unit=unit,
            deadline=dt.date(2026, 12, 15),
            created_by=world.staff,
        )

    world.api_task_a = task(world.project_a, world.owner_a)
    world.api_task_b = task(world.project_b, world.owner_b)

    world.api_problem_a = _problem(world, world.project_a, raiser=owner_a, lead_unit=world.department)
    world.api_problem_b = _problem(world, world.project_b, raiser=owner_b, lead_unit=world.district_b)
    world.api_resolved_a = _problem(
        world, world.project_a, raiser=owner_a, lead_unit=world.department, status=Problem.Status.RESOLVED
    )
    world.api_resolved_b = _problem(
        world, world.project_b, raiser=owner_b, lead_unit=world.district_b, status=Problem.Status.RESOLVED
    )
    world.api_closed_a = _problem(
        world, world.project_a, raiser=owner_a, lead_unit=world.department, status=Problem.Status.CLOSED
    )
    world.api_closed_b = _problem(
        world, world.project_b, raiser=owner_b, lead_unit=world.district_b, status=Problem.Status.CLOSED
    )
    world.api_instruction_a = Instruction.objects.create(
        problem=world.api_problem_a,
        leader=world.leader,
        text="请市发改委加快办理。",
        reply_unit=world.department,
        reply_deadline=TODAY + dt.timedelta(days=7),
    )
    world.api_instruction_b = Instruction.objects.create(
        problem=world.api_problem_b,
        leader=world.leader,
        text="请西乡塘区加快办理。",
        reply_unit=world.district_b,
        reply_deadline=TODAY + dt.timedelta(days=7),
    )

    rule, _created = WarningRule.objects.get_or_create(code=WarningRule.Code.TASK)

    def warning(project, subject):
        return ProjectWarning.objects.create(
            rule=rule,
            project=project,
            subject=subject,
            level=Level.RED,
            message=f"{project.name}：任务逾期 3 个工作日",
            figures={"逾期工作日": 3},
            level_since=timezone.now(),
            first_raised_at=timezone.now(),
        )

    world.api_warning_a = warning(world.project_a, f"task:{world.api_task_a.pk}")
    world.api_warning_b = warning(world.project_b, f"task:{world.api_task_b.pk}")

    world.api_token_a, world.api_token_a_key = api_token_create(
        organisation=world.district_a, name="青秀区系统", by=world.staff
    )
    world.api_ready = True
    return world
