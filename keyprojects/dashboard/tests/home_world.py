"""A small hand-counted world for the home page's to-do, on the shared cast and its 2026 list
(published in December 2025, so every month of 2026 is owed). Today is Thursday 2026-04-02: March's
reports are due by its statistics deadline, 2026-04-08 (the fifth working day after March, the
清明 holiday of 4–6 April in between), three working days away.

Reports (owner A has projects A and A2 in district A; owner B has project B in district B):
- A: January and February approved; March returned ("请补充三月形象进度照片").
- A2: January submitted (awaiting district A's review); February none (past its deadline); March none.
- B: January and February approved; March submitted (awaiting district B's review).
Tasks of owner A: one overdue, one due today, one due 2026-04-07 (within five working days), one due
2026-04-30, one done late. Of the department: one overdue.
Problems: raised by owner A and resolved (to confirm); A's approval at level 1 past its limit (the
department's); A's land at level 3 (district A's, the leader's project); B's funding at level 3 past
its limit (the department's; not the leader's project); one on A waiting past the office's assignment
limit. Instructions of the leader: one on A's land awaiting district A's reply; one on A's approval
answered by the department on 2026-03-30.
Warnings: A red since 2026-04-01 (new), A yellow, B red since 2026-03-20.
Meetings: one planned 2026-04-09 with two agenda items, one planned 2026-04-20, one held in March.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.coordination.models import (
    AgendaItem,
    DispatchMeeting,
    Instruction,
    Problem,
)
from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
from keyprojects.plans.tests.report_world import make_report, reports_world
from keyprojects.tasks.models import Task
from keyprojects.test import make_project

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 4, 2)
NOW = dt.datetime(2026, 4, 2, 10, 0, tzinfo=TZ)
MARCH_DEADLINE = dt.date(2026, 4, 8)
RETURN_REASON = "请补充三月形象进度照片"
S = MonthlyReport.Status


def _at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def task(world, project, unit, deadline, title, status=Task.Status.TODO):
    return Task.objects.create(
        project=project,
        title=title,
        responsible_unit=unit,
        deadline=deadline,
        status=status,
        created_by=world.staff,
    )


def problem(world, project, title, *, lead, raised_by_org=None, status, level=1, deadline=None, **extra):
    return Problem.objects.create(
        project=project,
        category=extra.pop("category", Problem.Category.APPROVAL),
        title=title,
        description="—",
        source=Problem.Source.OFFICE,
        raised_by=world.staff,
        raised_by_org=raised_by_org or world.office,
        lead_unit=lead,
        status=status,
        level=level,
        level_since=dt.date(2026, 3, 2) if status != Problem.Status.OPEN else None,
        level_deadline=deadline,
        **extra,
    )


def warning(rule, project, level, since, subject, message):
    return ProjectWarning.objects.create(
        rule=rule,
        project=project,
        subject=subject,
        level=level,
        message=message,
        level_since=since,
        first_raised_at=since,
    )


def home_world(world):
    reports_world(world)
    a, b = world.entry_a, world.entry_b
    world.project_a2 = make_project(
        name="青秀区五象大道综合管廊工程",
        owner=world.owner_a,
        district=world.district_a,
        sector=world.sector,
    )
    world.entry_a2 = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.batch,
        project=world.project_a2,
        category=Category.CONTINUING,
        planned_investment=10_000 * 10_000,
    )
    owner_a, owner_b = world.owner, world.owner_b_user
    for month in (1, 2):
        make_report(
            a, month, "300", status=S.APPROVED, by=owner_a, submitted_at=_at(dt.date(2026, month + 1, 3))
        )
        make_report(
            b, month, "100", status=S.APPROVED, by=owner_b, submitted_at=_at(dt.date(2026, month + 1, 3))
        )
    world.report_a_march = make_report(
        a, 3, "500", status=S.RETURNED, by=owner_a, return_reason=RETURN_REASON
    )
    world.report_a2_january = make_report(
        world.entry_a2, 1, "80", by=owner_a, submitted_at=_at(dt.date(2026, 2, 4))
    )
    world.report_b_march = make_report(b, 3, "120", by=owner_b, submitted_at=_at(dt.date(2026, 4, 1)))

    world.task_overdue = task(world, a.project, world.owner_a, dt.date(2026, 3, 31), "完成施工图审查")
    world.task_today = task(world, a.project, world.owner_a, TODAY, "提交环评报告")
    world.task_soon = task(world, world.project_a2, world.owner_a, dt.date(2026, 4, 7), "落实施工单位")
    task(world, a.project, world.owner_a, dt.date(2026, 4, 30), "完成招标")
    task(world, a.project, world.owner_a, dt.date(2026, 3, 20), "完成立项", status=Task.Status.DONE)
    world.task_department = task(world, a.project, world.department, dt.date(2026, 3, 25), "可研批复")

    H = Problem.Status
    world.problem_confirm = problem(
        world,
        a.project,
        "施工临时用电报装未落实",
        lead=world.department,
        raised_by_org=world.owner_a,
        status=H.RESOLVED,
        deadline=dt.date(2026, 4, 10),
    )
    world.problem_approval = problem(
        world,
        a.project,
        "可研批复办理滞后",
        lead=world.department,
        status=H.HANDLING,
        deadline=dt.date(2026, 3, 30),
    )
    world.problem_land = problem(
        world,
        a.project,
        "车辆段用地征收未完成",
        lead=world.district_a,
        status=H.HANDLING,
        level=3,
        deadline=dt.date(2026, 4, 20),
        category=Problem.Category.LAND,
    )
    world.problem_funding = problem(
        world,
        b.project,
        "改造资金缺口",
        lead=world.department,
        status=H.HANDLING,
        level=3,
        deadline=dt.date(2026, 3, 1),
        category=Problem.Category.FUNDING,
    )
    world.problem_waiting = problem(
        world,
        a.project,
        "管线迁改协调",
        lead=world.department,
        status=H.OPEN,
        assign_deadline=dt.date(2026, 3, 31),
    )
    world.instruction_waiting = Instruction.objects.create(
        problem=world.problem_land,
        leader=world.leader,
        text="请青秀区加快征收进度。",
        reply_unit=world.district_a,
        reply_deadline=dt.date(2026, 4, 10),
    )
    world.instruction_replied = Instruction.objects.create(
        problem=world.problem_approval,
        leader=world.leader,
        text="请发改委一周内办结。",
        reply_unit=world.department,
        reply_deadline=dt.date(2026, 3, 31),
        reply="已完成技术审查，下周出批复。",
        replied_by=world.department_user,
        replied_at=_at(dt.date(2026, 3, 30), 15),
    )

    task_rule = WarningRule.objects.get_or_create(code=WarningRule.Code.TASK)[0]
    investment = WarningRule.objects.get_or_create(code=WarningRule.Code.INVESTMENT)[0]
    world.red_new = warning(
        task_rule,
        a.project,
        Level.RED,
        _at(dt.date(2026, 4, 1), 8),
        f"task:{world.task_overdue.pk}",
        "任务“完成施工图审查”已逾期 2 个工作日",
    )
    warning(
        investment,
        a.project,
        Level.YELLOW,
        _at(dt.date(2026, 3, 25)),
        f"entry:{a.pk}",
        "投资完成进度滞后 8.5 个百分点",
    )
    warning(
        task_rule,
        b.project,
        Level.RED,
        _at(dt.date(2026, 3, 20)),
        "task:b",
        "任务“完成设计招标”已逾期 9 个工作日",
    )

    world.meeting_next = DispatchMeeting.objects.create(
        title="四月重点项目调度会", date=dt.date(2026, 4, 9), chair=world.leader, created_by=world.staff
    )
    for order, p in enumerate((world.problem_land, world.problem_funding)):
        AgendaItem.objects.create(meeting=world.meeting_next, problem=p, order=order)
    DispatchMeeting.objects.create(title="四月下旬调度会", date=dt.date(2026, 4, 20), created_by=world.staff)
    DispatchMeeting.objects.create(
        title="三月调度会",
        date=dt.date(2026, 3, 12),
        status=DispatchMeeting.Status.HELD,
        created_by=world.staff,
    )
    return world
