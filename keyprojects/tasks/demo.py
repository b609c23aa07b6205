"""The demo city's tasks (called by keyprojects/demo/loader.py after the annual lists and reports).

Every 新开工 project on this year's list gets the standard list of the 新开工 template, its deadlines
set back from its planned start month. As in an office that keeps up: tasks due more than a week and a
half ago are done (some late, a rare one stuck); of those due in the last days some are still open,
overdue by a few days; those due later are mostly open. The office's own follow-up tasks (督办) fall due
around today: due today, in the next working days, and missed by a day or three. Bulk inserts only."""

import datetime as dt
import random

from keyprojects.lib.workdays import WorkCalendar
from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import AnnualEntry, Category
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks.models import Task, TaskEvidence, TaskStatusChange, TaskTemplate, TaskTemplateItem
from keyprojects.tasks.services import settling_item, template_deadlines

Status = Task.Status
R = TaskTemplateItem.Responsible
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄敏", "赵勇", "周婷", "吴刚"]
# The office's follow-up tasks around today: (title, requirement).
FOLLOW_UPS = (
    ("报送项目开工准备情况", "报送施工许可、施工图审查、施工单位进场等开工准备情况及存在问题。"),
    ("完成施工图审查意见回复", "按审查机构意见修改施工图设计文件并回复，确保按期取得审查合格书。"),
    ("补正用地报批材料", "按自然资源部门意见补正用地报批材料，明确补正完成时间。"),
    ("落实项目资本金到位", "落实项目资本金，提供资金到位证明材料。"),
    ("报送征地拆迁进展", "报送红线范围内征地签约、房屋征收及场地移交进展。"),
    ("提交年度投资计划调整说明", "说明年度投资计划执行偏差原因及下一步赶超措施。"),
    ("完成施工临时用电接入", "协调供电部门完成施工临时用电接入，保障大型设备进场。"),
    ("报送月度形象进度照片", "补充上传本月项目现场形象进度照片。"),
)
# Working days from today of the follow-ups: due today, due soon, missed by a few days.
FOLLOW_UP_OFFSETS = (0, 0, 0, 1, 1, 2, 3, 5, -1, -1, -2, -3)
# Tasks due longer ago than this are closed, but for the rare stuck one.
SETTLED_DAYS = 10


def _follow_ups(*, rng, today, calendar, entries, office, author) -> list:
    """The office's follow-up tasks on this year's projects, the demo logins' own units first."""
    if not entries:
        return []
    logins = set(User.objects.filter(is_active=True).values_list("organisation_id", flat=True))
    favoured = [e for e in entries if e.project.owner_id in logins or e.project.district_id in logins]
    tasks = []
    for n, offset in enumerate(FOLLOW_UP_OFFSETS):
        entry = rng.choice(favoured if favoured and n % 2 == 0 else entries)
        project = entry.project
        deadline = today if offset == 0 else calendar.add(today, offset)
        while not calendar.is_workday(deadline):  # due "today" on a weekend: the next working day
            deadline += dt.timedelta(days=1)
        title, requirement = FOLLOW_UPS[n % len(FOLLOW_UPS)]
        unit = project.owner if n % 3 else project.district
        tasks.append(
            Task(
                project=project,
                title=title,
                requirement=requirement,
                responsible_unit=unit or office,
                responsible_person=rng.choice(PEOPLE),
                start_date=calendar.add(deadline, -rng.choice((5, 10, 15))),
                deadline=deadline,
                status=Status.DOING if rng.random() < 0.5 else Status.TODO,
                source=Task.Source.MANUAL,
                created_by=author,
            )
        )
    return tasks


def load_tasks_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    rng = random.Random(seed)
    template = TaskTemplate.objects.filter(category=Category.NEW_START, is_active=True).first()
    author = User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk").first()
    if template is None or author is None:
        return {"tasks": 0}
    items = sorted(template.items.all(), key=lambda i: (i.offset_workdays, i.order, i.pk))
    entries = list(
        AnnualEntry.objects.filter(
            annual_list__year=today.year,
            category=Category.NEW_START,
            planned_start_month__isnull=False,
        )
        .select_related("project", "project__owner", "project__district")
        .prefetch_related("project__departments")
        .order_by("pk")
    )
    office = Organisation.objects.filter(kind=Organisation.Kind.OFFICE).order_by("sort", "pk").first()
    approvals = {}
    for p in PrelimItem.objects.filter(
        project__in=[e.project_id for e in entries],
        actual_date__isnull=False,
        actual_date__lte=today,
    ):
        approvals.setdefault(p.project_id, {})[p.kind] = p
    deadlines_by_month = {}
    tasks = []
    for entry in entries:
        project = entry.project
        month = entry.planned_start_month
        if month not in deadlines_by_month:
            deadlines_by_month[month] = template_deadlines(
                template=template, planned_start=dt.date(today.year, month, 1), items=items
            )
        deadlines = deadlines_by_month[month]
        departments = list(project.departments.all())
        units = {
            R.OWNER: project.owner,
            R.DISTRICT: project.district,
            R.DEPARTMENT: departments[0] if departments else project.district,
            R.OFFICE: office or project.district,
        }
        previous = None
        for item in items:
            deadline = deadlines[item]
            start, previous = previous, deadline
            task = Task(
                project=project,
                title=item.title,
                requirement=item.requirement,
                responsible_unit=units[item.responsible],
                responsible_person=rng.choice(PEOPLE),
                start_date=start,
                deadline=deadline,
                source=Task.Source.TEMPLATE,
                template_item=item,
                prelim_kind=item.prelim_kind,
                created_by=author,
            )
            approval = settling_item(item.prelim_kind, approvals.get(project.pk, {}))
            if approval is not None:
                task.status, task.completed_date = Status.DONE, approval.actual_date
            elif deadline < today:
                roll = rng.random()
                settled = deadline < today - dt.timedelta(days=SETTLED_DAYS)
                if roll < (0.995 if settled else 0.55):
                    late = rng.choice([0, 0, 0, -3, -1, 2, 5, 8] if settled else [0, -1, -2, -3])
                    task.status = Status.DONE
                    task.completed_date = min(deadline + dt.timedelta(days=late), today)
                else:
                    task.status = Status.DOING if roll < 0.85 else Status.TODO  # overdue
            else:
                roll = rng.random()
                if roll < 0.1 and start and start < today:
                    task.status = Status.DONE
                    task.completed_date = today - dt.timedelta(days=rng.randint(1, 10))
                elif roll < 0.45:
                    task.status = Status.DOING
            if task.start_date and task.completed_date and task.completed_date < task.start_date:
                task.start_date = None
            tasks.append(task)
    calendar = WorkCalendar.for_years(range(today.year - 1, today.year + 2))
    tasks += _follow_ups(
        rng=rng, today=today, calendar=calendar, entries=entries, office=office, author=author
    )
    Task.objects.bulk_create(tasks, batch_size=2000)
    changes, evidence = [], []
    # Only the moves that matter are recorded (not each creation): the demo loads fast.
    for task in tasks:
        if task.status == Status.DOING:
            changes.append(
                TaskStatusChange(task=task, from_status=Status.TODO, to_status=Status.DOING, by=author)
            )
        if task.status == Status.DONE:
            note = f"已于 {task.completed_date.isoformat()} 完成「{task.title}」，相关批复/证明文件已报送。"
            changes.append(
                TaskStatusChange(
                    task=task,
                    from_status=Status.TODO,
                    to_status=Status.DONE,
                    note=note,
                    completed_date=task.completed_date,
                    by=author,
                )
            )
            evidence.append(TaskEvidence(task=task, note=note, uploaded_by=author))
    TaskStatusChange.objects.bulk_create(changes, batch_size=2000)
    TaskEvidence.objects.bulk_create(evidence, batch_size=2000)
    overdue = sum(1 for t in tasks if t.status in Task.OPEN and t.deadline < today)
    done = sum(1 for t in tasks if t.status == Status.DONE)
    if stdout is not None:
        stdout.write(
            f"任务 {len(tasks)} 项（{len(entries)} 个新开工项目；"
            f"已完成 {done} 项，逾期未完成 {overdue} 项）\n"
        )
    return {"tasks": len(tasks), "done": done, "overdue": overdue}
