"""Reads of task lists: filtered lists through the access gate (tasks.access), and each task's
working-day countdown ("剩余 N 个工作日" / "逾期 N 个工作日") computed for a whole page from one calendar
load."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.lib.links import pk_link
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.plans.models import AnnualEntry
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks.access import tasks_visible_to
from keyprojects.tasks.models import Task, TaskTemplate

Status = Task.Status
# A task this close to its deadline (working days) shows yellow; the warning centre's default too.
DUE_SOON_WORKDAYS = 3


def task_list(*, user, filters: dict | None = None, today: dt.date | None = None) -> QuerySet[Task]:
    """Tasks USER may see, narrowed by FILTERS: project, unit (responsible organisation), district,
    category (the project's category on this year's list), status ("open", "overdue" or a status),
    due_by (open tasks due from today up to that date), q (title or project name)."""
    filters = filters or {}
    today = today or timezone.localdate()
    tasks = tasks_visible_to(user).select_related(
        "project", "project__district", "responsible_unit", "responsible_user"
    )
    if filters.get("project"):
        tasks = tasks.filter(project=filters["project"])
    if filters.get("unit"):
        tasks = tasks.filter(responsible_unit=filters["unit"])
    if filters.get("district"):
        tasks = tasks.filter(project__district=filters["district"])
    if filters.get("category"):
        tasks = tasks.filter(
            Exists(
                AnnualEntry.objects.filter(
                    project_id=OuterRef("project_id"),
                    annual_list__year=filters.get("year") or today.year,
                    category=filters["category"],
                )
            )
        )
    status = filters.get("status")
    if status == "open":
        tasks = tasks.filter(status__in=Task.OPEN)
    elif status == "overdue":
        tasks = tasks.filter(status__in=Task.OPEN, deadline__lt=today)
    elif status:
        tasks = tasks.filter(status=status)
    if filters.get("due_by"):
        tasks = tasks.filter(status__in=Task.OPEN, deadline__gte=today, deadline__lte=filters["due_by"])
    if filters.get("q"):
        q = filters["q"].strip()
        tasks = tasks.filter(Q(title__icontains=q) | Q(project__name__icontains=q))
    return tasks.order_by("deadline", "id")


def tasks_for_project(*, user, project) -> QuerySet[Task]:
    return task_list(user=user, filters={"project": project}).order_by("deadline", "id")


def tasks_mine(*, user, filters: dict | None = None) -> QuerySet[Task]:
    """The tasks USER's unit is responsible for, across every project."""
    return task_list(user=user, filters={**(filters or {}), "unit": user.organisation_id or -1})


def task_status_counts(tasks: QuerySet[Task], *, today: dt.date | None = None) -> dict:
    """Open, overdue, done and cancelled counts of TASKS in one query."""
    today = today or timezone.localdate()
    return tasks.order_by().aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=Task.OPEN)),
        overdue=Count("id", filter=Q(status__in=Task.OPEN, deadline__lt=today)),
        done=Count("id", filter=Q(status=Status.DONE)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
    )


def task_prelim_item(task: Task) -> PrelimItem | None:
    """The project's record of the preliminary item TASK was generated from, when there is one."""
    if not task.prelim_kind:
        return None
    return PrelimItem.objects.filter(project_id=task.project_id, kind=task.prelim_kind).first()


def templates_for(category: str | None = None) -> QuerySet[TaskTemplate]:
    templates = TaskTemplate.objects.filter(is_active=True)
    if category:
        templates = templates.filter(category=category)
    return templates


def project_plan_year(project, *, today: dt.date) -> int:
    """The list year a project's task list is planned from: next year's once the project is on it (the
    office prepares next year's new starts in the last months of a year), otherwise this year's."""
    on_next = AnnualEntry.objects.filter(project=project, annual_list__year=today.year + 1).exists()
    return today.year + 1 if on_next else today.year


def project_category(project, *, year: int) -> str | None:
    """PROJECT's category on YEAR's list (for picking a template), or None."""
    return (
        AnnualEntry.objects.filter(project=project, annual_list__year=year)
        .values_list("category", flat=True)
        .first()
    )


def project_planned_start(project, *, year: int) -> dt.date | None:
    """The first day of PROJECT's planned start month on YEAR's list, when one is set."""
    month = (
        AnnualEntry.objects.filter(project=project, annual_list__year=year, planned_start_month__isnull=False)
        .values_list("planned_start_month", flat=True)
        .first()
    )
    return dt.date(year, month, 1) if month else None


# Countdown


class DayCounter:
    """Working days between any two dates of a span, from one calendar load and a running sum."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        calendar = WorkCalendar.for_years(range(first.year, last.year + 1))
        running, counts, day = 0, [0], first
        for _i in range((last - first).days):
            day += dt.timedelta(days=1)
            running += calendar.is_workday(day)
            counts.append(running)
        self.counts = counts

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (START, END], negative when END is before START."""
        low, high = min(start, end), max(start, end)
        n = self.counts[(high - self.first).days] - self.counts[(low - self.first).days]
        return n if end >= start else -n


@dataclass
class Countdown:
    state: str  # remaining, due_today, overdue, done, done_late, cancelled
    days: int | None = None

    @property
    def label(self) -> str:
        if self.state == "remaining":
            return _("剩余 %(n)s 个工作日") % {"n": self.days}
        if self.state == "due_today":
            return _("今日到期")
        if self.state == "overdue":
            return _("逾期 %(n)s 个工作日") % {"n": self.days} if self.days else _("已逾期")
        if self.state == "done":
            return _("按期完成")
        if self.state == "done_late":
            return _("逾期 %(n)s 个工作日完成") % {"n": self.days} if self.days else _("逾期完成")
        return _("已取消")

    @property
    def level(self) -> str:
        """Traffic light: red overdue, yellow due within DUE_SOON_WORKDAYS, green otherwise."""
        if self.state == "overdue" or self.state == "done_late":
            return "red" if self.state == "overdue" else "grey"
        if self.state == "due_today" or (self.state == "remaining" and self.days <= DUE_SOON_WORKDAYS):
            return "yellow"
        if self.state in ("done", "cancelled"):
            return "grey"
        return "green"

    @property
    def badge(self) -> str:
        return {
            "red": "text-bg-danger",
            "yellow": "text-bg-warning",
            "green": "text-bg-success",
            "grey": "text-bg-light border",
        }[self.level]


def countdown_for(task: Task, counter: DayCounter, today: dt.date) -> Countdown:
    if task.status == Status.CANCELLED:
        return Countdown("cancelled")
    if task.status == Status.DONE:
        done_on = task.completed_date or today
        if done_on <= task.deadline:
            return Countdown("done")
        return Countdown("done_late", counter.between(task.deadline, done_on))
    if task.deadline == today:
        return Countdown("due_today", 0)
    n = counter.between(today, task.deadline)
    if task.deadline < today:
        return Countdown("overdue", -n)
    return Countdown("remaining", n)


def with_countdowns(tasks, *, today: dt.date | None = None) -> list[Task]:
    """TASKS as a list, each with `.countdown`, from one calendar query for the years in view."""
    today = today or timezone.localdate()
    tasks = list(tasks)
    days = [today]
    for task in tasks:
        days.append(task.deadline)
        if task.completed_date:
            days.append(task.completed_date)
    counter = DayCounter(min(days), max(days))
    for task in tasks:
        task.countdown = countdown_for(task, counter, today)
    return tasks


def task_table_rows(tasks, *, today: dt.date) -> list[Task]:
    """A page of the task list: with_countdowns, and each row's links and status label prepared once
    for the page (a reverse() and get_status_display per row were a fifth of the page)."""
    rows = with_countdowns(tasks, today=today)
    task_link, project_link = pk_link("task_detail"), pk_link("task_project")
    statuses = {value: str(label) for value, label in Task.Status.choices}
    for task in rows:
        task.url = task_link(task.pk)
        task.project_url = project_link(task.project_id)
        task.status_label = statuses.get(task.status, task.status)
    return rows


def timeline_rows(tasks: list[Task], *, today: dt.date) -> dict:
    """Bars of a Gantt-like timeline: each task from its start (or the previous deadline, or its
    creation) to its deadline, as percentages of the span that holds every bar and today."""
    if not tasks:
        return {"rows": [], "today": None, "months": []}
    starts = {}
    for task in tasks:
        start = task.start_date or min(task.created_at.date(), task.deadline)
        starts[task.pk] = min(start, task.deadline)
    first = min([*starts.values(), today])
    last = max([*(t.deadline for t in tasks), *(t.completed_date for t in tasks if t.completed_date), today])
    first = first.replace(day=1)
    last = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # the first of the next month
    span = max((last - first).days, 1)

    def pos(day):
        return round((day - first).days * 100 / span, 2)

    rows = []
    for task in tasks:
        left = pos(starts[task.pk])
        width = max(pos(task.deadline + dt.timedelta(days=1)) - left, 0.6)
        rows.append({"task": task, "left": left, "width": round(width, 2)})
    months, day = [], first
    while day < last:
        months.append(
            {"label": f"{day.year}-{day.month:02d}", "left": pos(day), "year_start": day.month == 1}
        )
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {"rows": rows, "today": pos(today), "months": months, "first": first, "last": last}
