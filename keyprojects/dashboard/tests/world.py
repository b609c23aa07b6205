"""A small hand-counted world for the cockpit tests, on the shared cast and its 2026 annual list.

2026, through March (today 2026-04-15):
- entry A (青秀区, 新开工, plan 120,000 万元, planned start March; started 2026-02-10): reports Jan 2,000
  approved, Feb 1,000 submitted, Mar 500 draft (not counted) → 3,000 万元.
- entry B (西乡塘区, 竣工投产, plan 5,000 万元, planned completion Feb; completed 2026-02-20): Jan 1,000
  approved → 1,000 万元.
- entry C (西乡塘区, 竣工投产, no plan, planned completion Jan, not completed).
- 2025: project B on the list, Jan 400 approved, May 100 approved.
- Funds: A needs 10,000 secured 2,500; B needs 1,000 secured 1,000.
- Problems: A approval L1 overdue, A land L2 in time, B approval L1 overdue, B funding closed.
- Warnings: A red and yellow, B red.
"""

import datetime as dt

from django.utils import timezone

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.coordination.models import Problem
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.projects.models import FactorNeed, Stage
from keyprojects.test import make_project

TODAY = dt.date(2026, 4, 15)
WAN = 10_000


def report(entry, month, wan, status=MonthlyReport.Status.APPROVED):
    return MonthlyReport.objects.create(entry=entry, month=month, amount=wan * WAN, status=status)


def problem(world, project, category, level, deadline, status=Problem.Status.HANDLING):
    return Problem.objects.create(
        project=project,
        category=category,
        title=f"{project.name} {category}",
        description="—",
        source=Problem.Source.OFFICE,
        raised_by=world.staff,
        raised_by_org=world.office,
        lead_unit=world.department,
        status=status,
        level=level,
        level_since=dt.date(2026, 3, 1),
        level_deadline=deadline,
    )


def cockpit_world(world):
    plans_cast(world)
    a, b = world.project_a, world.project_b
    a.stage, a.start_date = Stage.CONSTRUCTION, dt.date(2026, 2, 10)
    a.latitude, a.longitude = 22.815, 108.42
    a.save()
    b.stage, b.completion_date = Stage.COMPLETED, dt.date(2026, 2, 20)
    b.latitude, b.longitude = 22.85, 108.27
    b.save()
    world.project_c = make_project(
        name="西乡塘区体育中心",
        owner=world.owner_b,
        district=world.district_b,
        sector=world.sector,
        stage=Stage.PRELIMINARY,
    )
    entry_b = world.entry_b
    entry_b.category, entry_b.planned_completion_month = Category.COMPLETING, 2
    entry_b.save()
    world.entry_c = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.batch,
        project=world.project_c,
        category=Category.COMPLETING,
        planned_completion_month=1,
    )
    report(world.entry_a, 1, 2000)
    report(world.entry_a, 2, 1000, MonthlyReport.Status.SUBMITTED)
    report(world.entry_a, 3, 500, MonthlyReport.Status.DRAFT)
    report(entry_b, 1, 1000)

    last = AnnualList.objects.create(year=2025, title="2025年重点项目清单")
    last_batch = Batch.objects.create(
        annual_list=last, number=1, name="第一批", status=Batch.Status.PUBLISHED, published_at=timezone.now()
    )
    world.entry_b_2025 = AnnualEntry.objects.create(
        annual_list=last,
        batch=last_batch,
        project=b,
        category=Category.CONTINUING,
        planned_investment=4000 * WAN,
    )
    report(world.entry_b_2025, 1, 400)
    report(world.entry_b_2025, 5, 100)

    FactorNeed.objects.create(
        project=a,
        kind=FactorNeed.Kind.FUNDS,
        fund_source="loan",
        need_yuan=10_000 * WAN,
        secured_yuan=2_500 * WAN,
    )
    FactorNeed.objects.create(
        project=b,
        kind=FactorNeed.Kind.FUNDS,
        fund_source="self",
        need_yuan=1_000 * WAN,
        secured_yuan=1_000 * WAN,
    )

    C = Problem.Category
    problem(world, a, C.APPROVAL, 1, dt.date(2026, 4, 10))
    problem(world, a, C.LAND, 2, dt.date(2026, 4, 30), Problem.Status.HANDLING)
    problem(world, b, C.APPROVAL, 1, dt.date(2026, 4, 1))
    problem(world, b, C.FUNDING, 1, dt.date(2026, 3, 1), Problem.Status.CLOSED)

    rule = WarningRule.objects.get_or_create(code=WarningRule.Code.TASK)[0]
    rule2 = WarningRule.objects.get_or_create(code=WarningRule.Code.INVESTMENT)[0]
    now = timezone.now()
    for r, project, level in ((rule, a, Level.RED), (rule2, a, Level.YELLOW), (rule, b, Level.RED)):
        ProjectWarning.objects.create(
            rule=r,
            project=project,
            subject=f"project:{project.pk}",
            level=level,
            message="—",
            level_since=now,
            first_raised_at=now,
        )
    return world
