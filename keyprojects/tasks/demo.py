"""The demo city's tasks (called by keyprojects/projects/demo.py after the annual lists and reports).

Every 新开工 project on the reference year's list gets the standard list of the 新开工 template, its
deadlines set back from its planned start month. Most tasks due before the reference date are done
(a few late, some still open and so overdue); those due later are mostly open. Bulk inserts only."""

import datetime as dt
import random

from keyprojects.orgs.models import Organisation, User
from keyprojects.plans.models import AnnualEntry, Category
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks.models import Task, TaskEvidence, TaskStatusChange, TaskTemplate, TaskTemplateItem
from keyprojects.tasks.services import template_deadlines

Status = Task.Status
R = TaskTemplateItem.Responsible
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄敏", "赵勇", "周婷", "吴刚"]


def load_tasks_demo(*, seed=2026, stdout=None) -> dict:
    from keyprojects.projects.demo import REFERENCE_DATE

    rng = random.Random(seed)
    template = TaskTemplate.objects.filter(category=Category.NEW_START, is_active=True).first()
    author = User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk").first()
    if template is None or author is None:
        return {"tasks": 0}
    items = sorted(template.items.all(), key=lambda i: (i.offset_workdays, i.order, i.pk))
    entries = list(
        AnnualEntry.objects.filter(
            annual_list__year=REFERENCE_DATE.year,
            category=Category.NEW_START,
            planned_start_month__isnull=False,
        )
        .select_related("project", "project__owner", "project__district")
        .prefetch_related("project__departments")
        .order_by("pk")
    )
    office = Organisation.objects.filter(kind=Organisation.Kind.OFFICE).order_by("sort", "pk").first()
    approvals = {
        (p.project_id, p.kind): p.actual_date
        for p in PrelimItem.objects.filter(
            project__in=[e.project_id for e in entries],
            actual_date__isnull=False,
            actual_date__lte=REFERENCE_DATE,
        )
    }
    deadlines_by_month = {}
    tasks = []
    for entry in entries:
        project = entry.project
        month = entry.planned_start_month
        if month not in deadlines_by_month:
            deadlines_by_month[month] = template_deadlines(
                template=template, planned_start=dt.date(REFERENCE_DATE.year, month, 1), items=items
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
            approval = approvals.get((project.pk, item.prelim_kind)) if item.prelim_kind else None
            if approval is not None:
                task.status, task.completed_date = Status.DONE, approval
            elif deadline < REFERENCE_DATE:
                roll = rng.random()
                if roll < 0.7:
                    late = rng.choice([0, 0, 0, -3, -1, 2, 5, 12])
                    task.status = Status.DONE
                    task.completed_date = min(deadline + dt.timedelta(days=late), REFERENCE_DATE)
                else:
                    task.status = Status.DOING if roll < 0.9 else Status.TODO  # overdue
            else:
                roll = rng.random()
                if roll < 0.1 and start and start < REFERENCE_DATE:
                    task.status = Status.DONE
                    task.completed_date = REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 10))
                elif roll < 0.45:
                    task.status = Status.DOING
            if task.start_date and task.completed_date and task.completed_date < task.start_date:
                task.start_date = None
            tasks.append(task)
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
    overdue = sum(1 for t in tasks if t.status in Task.OPEN and t.deadline < REFERENCE_DATE)
    done = sum(1 for t in tasks if t.status == Status.DONE)
    if stdout is not None:
        stdout.write(
            f"任务 {len(tasks)} 项（{len(entries)} 个新开工项目；"
            f"已完成 {done} 项，逾期未完成 {overdue} 项）\n"
        )
    return {"tasks": len(tasks), "done": done, "overdue": overdue}
