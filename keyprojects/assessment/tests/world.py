"""A small city for the assessment tests: three districts and two departments on the 2027 list, with
everything the default schemes score in the first quarter of 2027. test_scoring.py computes every
figure of it by hand.

Today is 2027-05-10 (after the first quarter's statistics deadline); the list was published in
December 2026, so every month of 2027 is owed a report.
"""

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps

from keyprojects.coordination.models import Instruction, Problem, ProblemAction
from keyprojects.orgs.models import Organisation
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport, ReportAdjustment
from keyprojects.projects.models import PrelimItem, Project
from keyprojects.supervision.models import (
    Finding,
    Inspection,
    Letter,
    Rectification,
    Tour,
    TourCriterion,
    TourScore,
)
from keyprojects.tasks.models import Task
from keyprojects.test import make_project

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2027, 5, 10)
NOW = dt.datetime(2027, 5, 10, 10, 0, tzinfo=TZ)
YEAR = 2027
WAN = 10_000


def at(year, month, day, hour=10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=TZ)


def seed_schemes():
    """The default schemes (a transactional test's flush may have removed what the migration seeded)."""
    importlib.import_module("keyprojects.assessment.migrations.0002_default_schemes").seed(apps, None)


def year_list(cast, year=YEAR) -> Batch:
    annual_list = AnnualList.objects.create(year=year, title=f"{year}年重点项目清单")
    return Batch.objects.create(
        annual_list=annual_list,
        number=1,
        name="第一批",
        status=Batch.Status.PUBLISHED,
        published_at=at(year - 1, 12, 20),
        published_by=cast.staff,
    )


def entry(batch, project, category, plan_wan, **extra) -> AnnualEntry:
    return AnnualEntry.objects.create(
        annual_list=batch.annual_list,
        batch=batch,
        project=project,
        category=category,
        planned_investment=plan_wan * WAN,
        baseline_investment=plan_wan * WAN,
        completed_before_year=0,
        **extra,
    )


def report(
    entry, month, wan, submitted, *, by, status=MonthlyReport.Status.SUBMITTED, **extra
) -> MonthlyReport:
    return MonthlyReport.objects.create(
        entry=entry,
        month=month,
        amount=int(Decimal(str(wan)) * WAN),
        status=status,
        submitted_by=by,
        submitted_at=submitted,
        **extra,
    )


def on_time(entry, amounts, *, by):
    """Reports for January… handed in early in the next month, well before each deadline."""
    for month, wan in enumerate(amounts, start=1):
        report(entry, month, wan, at(YEAR, month + 1, 2), by=by)


def problem(
    cast, project, lead, title, *, created, level=1, status=Problem.Status.HANDLING, **extra
) -> Problem:
    found = Problem.objects.create(
        project=project,
        category=Problem.Category.APPROVAL,
        title=title,
        description=title,
        source=Problem.Source.OFFICE,
        raised_by=cast.staff,
        raised_by_org=cast.office,
        lead_unit=lead,
        status=status,
        level=level,
        **extra,
    )
    Problem.objects.filter(pk=found.pk).update(created_at=created)
    return found


def task(cast, project, unit, title, deadline, *, done=None, prelim_kind="") -> Task:
    return Task.objects.create(
        project=project,
        title=title,
        responsible_unit=unit,
        deadline=deadline,
        status=Task.Status.DONE if done else Task.Status.DOING,
        completed_date=done,
        prelim_kind=prelim_kind,
        created_by=cast.staff,
    )


def letter(cast, unit, n, issued, deadline, *, status=Letter.Status.ISSUED, replied=None) -> Letter:
    return Letter.objects.create(
        prefix="邕重点督",
        year=YEAR,
        sequence=n,
        unit=unit,
        subject=f"督办事项{n}",
        requirement="按期办结",
        deadline_workdays=10,
        issued_on=issued,
        deadline=deadline,
        level_deadline=deadline,
        status=status,
        replied_on=replied,
        signed_off_on=replied if status == Letter.Status.SIGNED_OFF else None,
        issued_by=cast.staff,
    )


def small_city(cast):
    """Districts A (青秀区), B (西乡塘区) and C (兴宁区); departments 发改委 and 生态环境局.
    See test_scoring.py for every figure."""
    batch = year_list(cast)
    owner = cast.owner
    district_c = Organisation.objects.create(kind=Organisation.Kind.DISTRICT, name="兴宁区")
    Project.objects.filter(pk=cast.project_a.pk).update(total_investment=150_000 * WAN)  # 15 亿元
    cast.project_a.refresh_from_db()
    project_a2 = make_project(
        name="青秀区第二实验学校", owner=cast.owner_a, district=cast.district_a, sector=cast.sector
    )
    project_b2 = make_project(
        name="西乡塘区污水处理厂", owner=cast.owner_b, district=cast.district_b, sector=cast.sector
    )
    project_c = make_project(
        name="兴宁区综合管廊", owner=cast.owner_a, district=district_c, sector=cast.sector
    )
    Project.objects.filter(pk=cast.project_a.pk).update(start_date=dt.date(2027, 2, 15))
    Project.objects.filter(pk=project_b2.pk).update(completion_date=dt.date(2027, 3, 20))

    # District A
    pa1 = entry(batch, cast.project_a, Category.NEW_START, 1000, planned_start_month=2)
    pa1.departments.add(cast.department)
    pa2 = entry(batch, project_a2, Category.CONTINUING, 1000)
    jan = report(pa1, 1, 80, at(YEAR, 2, 2), by=owner)
    ReportAdjustment.objects.create(
        report=jan, old_amount=100 * WAN, new_amount=80 * WAN, reason="核减虚报", by=cast.staff
    )
    ReportAdjustment.objects.filter(report=jan).update(at=at(YEAR, 2, 20))
    report(pa1, 2, 100, at(YEAR, 3, 2), by=owner)
    report(pa1, 3, 100, at(YEAR, 4, 30), by=owner)  # late
    report(pa2, 1, 50, at(YEAR, 2, 2), by=owner)
    report(pa2, 2, 50, at(YEAR, 3, 2), by=owner, return_reason="金额有误")  # returned once, handed in again
    report(pa2, 3, 100, at(YEAR, 4, 1), by=owner)
    PrelimItem.objects.create(
        project=cast.project_a,
        kind="eia",
        planned_date=dt.date(2027, 1, 20),
        actual_date=dt.date(2027, 1, 18),
    )
    PrelimItem.objects.create(
        project=cast.project_a,
        kind="land_grant",
        planned_date=dt.date(2027, 3, 10),
        actual_date=dt.date(2027, 3, 5),
    )
    PrelimItem.objects.create(project=cast.project_a, kind="tender", planned_date=dt.date(2027, 2, 28))
    PrelimItem.objects.create(project=cast.project_a, kind="energy", planned_date=dt.date(2027, 4, 10))
    a = cast.district_a
    resolved = Problem.Status.RESOLVED
    problem(
        cast,
        cast.project_a,
        a,
        "P1 征地补偿",
        created=at(YEAR, 1, 5),
        status=resolved,
        resolved_at=at(YEAR, 2, 10),
    )
    problem(
        cast,
        cast.project_a,
        a,
        "P5 管线迁改",
        created=at(YEAR, 1, 6),
        status=resolved,
        resolved_at=at(YEAR, 2, 11),
    )
    problem(
        cast,
        project_a2,
        a,
        "P6 临时用电",
        created=at(YEAR, 1, 7),
        status=resolved,
        resolved_at=at(YEAR, 3, 1),
    )
    cast.p2 = problem(
        cast,
        cast.project_a,
        a,
        "P2 施工许可",
        created=at(YEAR, 1, 10),
        level=3,
        level_deadline=dt.date(2027, 3, 15),
    )
    p3 = problem(
        cast,
        project_a2,
        a,
        "P3 资金拨付",
        created=at(2026, 12, 1),
        status=resolved,
        resolved_at=at(YEAR, 3, 20),
    )
    action = ProblemAction.objects.create(
        problem=p3, kind=ProblemAction.Kind.AUTO_ESCALATE, from_level=1, to_level=2
    )
    ProblemAction.objects.filter(pk=action.pk).update(at=at(YEAR, 1, 15))
    problem(cast, project_a2, a, "P4 未到期", created=at(YEAR, 3, 1), level_deadline=dt.date(2027, 4, 20))
    letter(
        cast,
        a,
        1,
        dt.date(2027, 1, 10),
        dt.date(2027, 1, 24),
        status=Letter.Status.SIGNED_OFF,
        replied=dt.date(2027, 1, 20),
    )
    letter(cast, a, 2, dt.date(2027, 2, 1), dt.date(2027, 2, 22))
    letter(
        cast,
        a,
        3,
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 15),
        status=Letter.Status.SIGNED_OFF,
        replied=dt.date(2027, 3, 10),
    )
    inspection = Inspection.objects.create(
        title="一季度督查", date=dt.date(2027, 2, 1), created_by=cast.staff
    )
    finding = Finding.objects.create(
        inspection=inspection, project=cast.project_a, description="围挡破损", created_by=cast.staff
    )
    Rectification.objects.create(
        finding=finding,
        unit=a,
        requirement="修复围挡",
        deadline_workdays=10,
        assigned_on=dt.date(2027, 2, 1),
        deadline=dt.date(2027, 2, 20),
        status=Rectification.Status.SIGNED_OFF,
        submitted_on=dt.date(2027, 2, 18),
        signed_off_on=dt.date(2027, 2, 19),
    )
    tour = Tour.objects.create(
        title="一季度观摩", date=dt.date(2027, 3, 15), status=Tour.Status.CLOSED, created_by=cast.staff
    )
    criterion = TourCriterion.objects.create(tour=tour, name="综合", max_points=100)
    for project, points in ((cast.project_a, 80), (project_a2, 90)):
        TourScore.objects.create(
            tour=tour, juror=cast.leader, project=project, criterion=criterion, points=points
        )

    # District B
    pb1 = entry(batch, cast.project_b, Category.CONTINUING, 500)
    pb2 = entry(batch, project_b2, Category.COMPLETING, 500, planned_completion_month=3)
    on_time(pb1, [50, 50, 50], by=cast.owner_b_user)
    on_time(pb2, [100, 100, 100], by=cast.owner_b_user)

    # District C
    pc = entry(batch, project_c, Category.CONTINUING, 1000)
    on_time(pc, [200, 150, 150], by=owner)

    # Departments
    d1 = cast.department
    task(
        cast,
        cast.project_a,
        d1,
        "立项批复",
        dt.date(2027, 2, 10),
        done=dt.date(2027, 2, 8),
        prelim_kind="approval",
    )
    task(
        cast,
        cast.project_a,
        d1,
        "可研批复",
        dt.date(2027, 3, 5),
        done=dt.date(2027, 3, 5),
        prelim_kind="feasibility",
    )
    task(
        cast,
        cast.project_a,
        d1,
        "节能审查",
        dt.date(2027, 3, 10),
        done=dt.date(2027, 3, 20),
        prelim_kind="energy",
    )
    task(cast, cast.project_a, d1, "要素协调", dt.date(2027, 1, 31), done=dt.date(2027, 1, 30))
    task(cast, cast.project_a, d1, "资金申报", dt.date(2027, 3, 31))
    task(cast, cast.project_a, d1, "下季度任务", dt.date(2027, 4, 30))
    problem(
        cast,
        cast.project_a,
        d1,
        "P7 审批提速",
        created=at(YEAR, 1, 3),
        status=resolved,
        resolved_at=at(YEAR, 2, 1),
    )
    p8 = problem(cast, cast.project_a, d1, "P8 用地报批", created=at(YEAR, 1, 4))
    for deadline, replied in ((dt.date(2027, 2, 10), at(YEAR, 2, 9)), (dt.date(2027, 3, 1), at(YEAR, 3, 5))):
        Instruction.objects.create(
            problem=p8,
            leader=cast.leader,
            text="请加快办理",
            reply_unit=d1,
            reply_deadline=deadline,
            reply="已办理",
            replied_by=cast.department_user,
            replied_at=replied,
        )
    cast.district_c = district_c
    cast.entries = {"pa1": pa1, "pa2": pa2, "pb1": pb1, "pb2": pb2, "pc": pc}
    return cast
