"""The shared cast's annual list: 2026, first batch published, both cast projects on it.

`plans_cast(world)` is idempotent, so every matrix module and test may call it.
"""

from django.utils import timezone

from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category
from keyprojects.projects.models import Project

YEAR = 2026
PROJECT_A_TOTAL = 150_000 * 10_000  # 15 亿元


def plans_cast(world):
    if getattr(world, "annual_list", None):
        return world
    world.annual_list = AnnualList.objects.create(year=YEAR, title=f"{YEAR}年重点项目清单")
    world.batch = Batch.objects.create(
        annual_list=world.annual_list,
        number=1,
        name="第一批",
        status=Batch.Status.PUBLISHED,
        published_at=timezone.now(),
        published_by=world.staff,
    )
    # A year planning 12 亿元 needs a project larger than that (plans.entry_rules.investment_errors).
    Project.objects.filter(pk=world.project_a.pk).update(total_investment=PROJECT_A_TOTAL)
    world.project_a.total_investment = PROJECT_A_TOTAL
    world.entry_a = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.batch,
        project=world.project_a,
        category=Category.NEW_START,
        planned_investment=120_000_000 * 10,  # 12 亿元
        baseline_investment=120_000_000 * 10,
        completed_before_year=0,
        goal="完成主体结构施工",
        planned_start_month=3,
        leader=world.leader,
    )
    world.entry_a.departments.add(world.department)
    world.entry_b = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.batch,
        project=world.project_b,
        category=Category.CONTINUING,
        planned_investment=50_000_000,  # 5,000 万元
        baseline_investment=50_000_000,
        completed_before_year=20_000_000,
        goal="完成 12 个小区改造",
    )
    return world
