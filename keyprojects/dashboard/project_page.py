"""The project page (项目详情), the one place for a project: its registry record and what the higher apps
know of it — this year's plan and monthly completion, its reports, tasks, problems, warnings and land
work. Each section reads through its own app's access gate, so a role sees on the page exactly what it
sees on the section's full page, and the page costs the same number of queries however much the
project has."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from keyprojects.alerts.access import warnings_visible_to
from keyprojects.alerts.models import Level
from keyprojects.alerts.selectors import LEVEL_RANK
from keyprojects.coordination.access import can_raise_problem, problems_visible_to
from keyprojects.coordination.models import Problem
from keyprojects.coordination.selectors import overdue_q, problem_list, problem_rows
from keyprojects.land.access import can_edit_land, land_tasks_visible_to
from keyprojects.land.selectors import LedgerRow, land_row_for_task
from keyprojects.lib.money import YUAN_PER_WAN, yuan_to_wan
from keyprojects.lib.numbers import percent
from keyprojects.plans.access import can_report, entries_visible_to
from keyprojects.plans.models import AnnualEntry, MonthlyReport
from keyprojects.plans.report_selectors import entry_months
from keyprojects.projects import selectors as project_selectors
from keyprojects.projects.access import can_edit_project, can_move_stage
from keyprojects.projects.models import Project
from keyprojects.projects.services import TRANSITIONS
from keyprojects.tasks.access import can_manage_tasks
from keyprojects.tasks.models import Task
from keyprojects.tasks.selectors import task_status_counts, tasks_for_project, with_countdowns

SHOWN = 5  # rows a section lists before it hands over to its full page
HISTORY_SHOWN = 200


@dataclass
class PlanSection:
    """This year's entry (or None) with its twelve months, and the project's earlier years."""

    year: int
    entry: AnnualEntry | None = None
    months: list[dict] = field(default_factory=list)
    ytd: int = 0
    percent: object = None
    chart: dict = field(default_factory=dict)
    earlier: list[AnnualEntry] = field(default_factory=list)
    can_report: bool = False


def plan_section(*, user, project: Project, today: dt.date) -> PlanSection:
    """The project's entries USER may see up to this year (one query, with each year's counted total
    and report count); this year's months (two queries: its reports and the month locks)."""
    counted = Q(reports__status__in=MonthlyReport.COUNTED)
    entries = list(
        entries_visible_to(user)
        .filter(project=project, annual_list__year__lte=today.year)
        .select_related("annual_list", "batch", "leader")
        .annotate(
            completed=Sum("reports__amount", filter=counted), report_count=Count("reports", filter=counted)
        )
        .order_by("-annual_list__year")
    )
    section = PlanSection(year=today.year, can_report=can_report(user, project))
    if entries and entries[0].annual_list.year == today.year:
        section.entry = entries.pop(0)
    section.earlier = entries
    entry = section.entry
    if entry is None:
        return section
    section.months = entry_months(entry, today=today)
    for m in section.months:
        # An even split of the plan falls between yuan (891.6666 万元): shown to the whole 万元.
        m["planned"] = _whole_wan(entry.planned_through(m["month"]))
        m["percent"] = percent(m["ytd"], entry.planned_investment) if m["report"] else None
    section.ytd = entry.completed or 0
    section.percent = percent(section.ytd, entry.planned_investment)
    section.chart = _plan_chart(section.months)
    return section


def _whole_wan(yuan: int) -> int:
    return (yuan + YUAN_PER_WAN // 2) // YUAN_PER_WAN * YUAN_PER_WAN


def _wan(yuan) -> str | None:
    return None if yuan is None else str(yuan_to_wan(yuan))


def _plan_chart(months: list[dict]) -> dict:
    """What the small chart draws (json_script): each month's counted amount, the running total up to
    the last month reported, and the planned running total, as exact 万元 strings; labels translated."""
    counted = {m["month"] for m in months if m["report"] and m["report"].status in MonthlyReport.COUNTED}
    last = max(counted, default=0)
    return {
        "months": [_("%(m)s月") % {"m": m["month"]} for m in months],
        "amount": [_wan(m["report"].amount) if m["month"] in counted else None for m in months],
        "ytd": [_wan(m["ytd"]) if m["month"] <= last else None for m in months],
        "planned": [_wan(m["planned"]) for m in months],
        "labels": {
            "amount": _("当月完成"),
            "ytd": _("累计完成"),
            "planned": _("计划累计"),
            "unit": _("万元"),
        },
    }


@dataclass
class Section:
    """A section listing a few rows (the most pressing first) with its counts and its full page."""

    rows: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    link: str = ""
    can_act: bool = False


def task_section(*, user, project: Project, today: dt.date) -> Section:
    """Counts of the project's tasks USER sees, and the open ones nearest their deadline."""
    tasks = tasks_for_project(user=user, project=project)
    rows = with_countdowns(tasks.filter(status__in=Task.OPEN)[:SHOWN], today=today)
    return Section(
        rows=rows,
        counts=task_status_counts(tasks, today=today),
        link=reverse("task_project", args=[project.pk]),
        can_act=can_manage_tasks(user, project),
    )


def problem_section(*, user, project: Project, today: dt.date) -> Section:
    """Counts of the project's problems USER sees, and the unresolved ones nearest their limit."""
    mine = problems_visible_to(user).filter(project=project).order_by()
    counts = mine.aggregate(
        total=Count("id"),
        unresolved=Count("id", filter=Q(status__in=Problem.UNRESOLVED)),
        overdue=Count("id", filter=overdue_q(today)),
        closed=Count("id", filter=Q(status=Problem.Status.CLOSED)),
    )
    filters = {"project": project.pk, "state": "unresolved", "sort": "deadline"}
    rows = problem_rows(problem_list(user=user, filters=filters, today=today)[:SHOWN], today=today)
    return Section(
        rows=rows,
        counts=counts,
        link=f"{reverse('problem_list')}?project={project.pk}",
        can_act=can_raise_problem(user, project),
    )


def warning_section(*, user, project: Project) -> Section:
    """The project's lights USER sees under active rules: red first, then yellow."""
    warnings = warnings_visible_to(user).filter(project=project, rule__is_active=True).order_by()
    counts = warnings.aggregate(
        red=Count("id", filter=Q(level=Level.RED)), yellow=Count("id", filter=Q(level=Level.YELLOW))
    )
    rows = list(
        warnings.filter(level__in=(Level.RED, Level.YELLOW))
        .select_related("rule")
        .order_by(LEVEL_RANK, "-level_since", "id")[:SHOWN]
    )
    return Section(rows=rows, counts=counts, link=f"{reverse('warning_list')}?project={project.pk}")


@dataclass
class LandSection:
    row: LedgerRow | None
    link: str
    can_edit: bool


def land_section(*, user, project: Project, today: dt.date) -> LandSection:
    """The project's land task (if any) with its latest month's figures and lag."""
    task = land_tasks_visible_to(user).filter(project=project).select_related("responsible_unit").first()
    return LandSection(
        row=land_row_for_task(task, today) if task else None,
        link=reverse("land_project", args=[project.pk]),
        can_edit=can_edit_land(user, project),
    )


def project_page(*, user, project: Project, today: dt.date) -> dict:
    """Everything the project page shows of PROJECT (which USER may see: projects.access gate)."""
    stage_changes = list(project.stage_changes.select_related("by"))
    return {
        "project": project,
        "lifecycle": project_selectors.project_lifecycle_steps(project, stage_changes),
        "departments": list(project.departments.all()),
        "stage_changes": stage_changes,
        "prelim_rows": project_selectors.project_prelim_rows(project),
        "factor_needs": list(project.factor_needs.all()),
        "children": list(project.children.select_related("owner", "district")),
        "history": project_selectors.project_history(project)[:HISTORY_SHOWN],
        "can_edit": can_edit_project(user, project),
        "can_move_stage": can_move_stage(user, project),
        "allowed_stages": TRANSITIONS[project.stage],
        "plan": plan_section(user=user, project=project, today=today),
        "tasks": task_section(user=user, project=project, today=today),
        "problems": problem_section(user=user, project=project, today=today),
        "warnings": warning_section(user=user, project=project),
        "land": land_section(user=user, project=project, today=today),
    }
