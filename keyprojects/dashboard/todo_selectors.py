"""Reads of the home page: each role's to-do (待办).

Every line counts what the page it links to lists, with that page's own selector or filter, so a click
never shows a different number; every count goes through the access gates, so nobody sees a count of
things outside their scope. A fixed number of queries per role, whatever the data.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyprojects.alerts.access import warnings_visible_to
from keyprojects.alerts.models import Level
from keyprojects.alerts.selectors import warning_filter
from keyprojects.coordination.access import meetings_visible_to, problems_visible_to
from keyprojects.coordination.leader_selectors import leader_project_ids
from keyprojects.coordination.models import DispatchMeeting, EscalationLevel
from keyprojects.coordination.selectors import (
    instruction_list,
    overdue_q,
    problem_filter,
    problem_warning_counts,
)
from keyprojects.lib.workdays import add_workdays
from keyprojects.orgs.models import User
from keyprojects.plans.access import reports_visible_to, reviews_reports
from keyprojects.plans.models import AnnualList, MonthlyReport
from keyprojects.plans.report_selectors import (
    Deadlines,
    deadline_label,
    missing_state,
    report_missing_late,
    report_status_by_district,
    report_todo_for,
    state_label,
)
from keyprojects.plans.selectors import annual_list_of, default_period
from keyprojects.projects.access import projects_visible_to
from keyprojects.tasks.selectors import task_list

TODO_DUE_WORKDAYS = 5  # tasks due within this many working days are "coming up"
TODO_NAMED = 5  # at most this many things named under a line; its page lists them all
TODO_REPLIED_DAYS = 7  # a leader sees the replies of the last week


@dataclass
class TodoLink:
    """One thing named under a line: a returned report, a new red light, a reply."""

    text: str
    url: str
    note: str = ""


@dataclass
class TodoLine:
    key: str  # stable, for the page's ids and the tests
    label: str
    url: str  # the filtered page this line counts
    count: int | None = None  # None: a line that is not a count (the next meeting)
    note: str = ""
    urgent: bool = False  # red while there is anything to count
    warn: bool = False  # yellow (a yellow light)
    links: list[TodoLink] = field(default_factory=list)
    remind: dict | None = None  # the office's 催报 form: {"year", "month"}

    @property
    def tone(self) -> str:
        if not self.count:
            return "done"
        return "urgent" if self.urgent else "warn" if self.warn else "due"


@dataclass
class TodoSection:
    key: str
    title: str
    lines: list[TodoLine]
    note: str = ""


@dataclass
class ReportingMonth:
    """The month whose reports are due now (the last that has ended) and its statistics deadline."""

    annual_list: AnnualList
    year: int
    month: int
    deadline: dt.date | None
    left: int | None  # working days from today; negative once passed

    @property
    def passed(self) -> bool:
        return self.left is not None and self.left < 0

    @property
    def label(self) -> str:
        return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.month}

    @property
    def note(self) -> str:
        return _("%(period)s报送统计截止 %(date)s（%(left)s）") % {
            "period": self.label,
            "date": self.deadline.isoformat() if self.deadline else "—",
            "left": deadline_label(self.left),
        }


def _link(name, *args, **params) -> str:
    path = reverse(name, args=args)
    query = urlencode({k: v for k, v in params.items() if v is not None and v != ""})
    return f"{path}?{query}" if query else path


def reporting_month(*, today: dt.date) -> ReportingMonth | None:
    """The last month that has ended by TODAY, on its year's list (None without one): three queries."""
    year, month = default_period(today)
    annual_list = annual_list_of(year)
    if annual_list is None:
        return None
    deadlines = Deadlines()
    deadline = deadlines.of(annual_list, month)
    return ReportingMonth(annual_list, year, month, deadline, deadlines.workdays_left(today, deadline))


def _owner_report_lines(user, *, today: dt.date) -> list[TodoLine]:
    """An owner's reports, as its to-do page (report_todo) counts them: returned first, then those due,
    then those past their deadline."""
    items = report_todo_for(user, today=today)["items"]
    returned = [i for i in items if i.returned]
    pending = [i for i in items if not i.returned]
    overdue = [i for i in pending if i.left is not None and i.left < 0]
    due = [i for i in pending if i.left is None or i.left >= 0]
    url = reverse("report_todo")

    def named(item):
        return TodoLink(
            _("%(project)s %(year)s年%(month)s月")
            % {"project": item.entry.project.name, "year": item.entry.annual_list.year, "month": item.month},
            reverse("report_fill", args=[item.entry.pk, item.month]),
            _("退回原因：%(reason)s") % {"reason": item.report.return_reason}
            if item.returned
            else item.label,
        )

    return [
        TodoLine(
            "reports-returned",
            _("被退回、待修改重报的月度报送"),
            url,
            len(returned),
            urgent=True,
            links=[named(i) for i in returned[:TODO_NAMED]],
        ),
        TodoLine(
            "reports-due",
            _("待报送的月度报送"),
            url,
            len(due),
            note=(
                _("最近截止 %(date)s（%(left)s）")
                % {"date": due[0].deadline.isoformat(), "left": due[0].label}
                if due and due[0].deadline
                else ""
            ),
            links=[named(i) for i in due[:TODO_NAMED]],
        ),
        TodoLine(
            "reports-overdue",
            _("已过统计截止日仍未报送"),
            url,
            len(overdue),
            urgent=True,
            links=[named(i) for i in overdue[:TODO_NAMED]],
        ),
    ]


def _review_lines(user, *, period: ReportingMonth | None) -> list[TodoLine]:
    """A reviewer's queue as the queue page (plans review_queue_for: the reports in scope) counts it,
    and its scope's projects that have not reported the month."""
    if not reviews_reports(user):
        return []
    this_month = Q(entry__annual_list=period.annual_list, month=period.month) if period else Q(pk__in=[])
    counts = reports_visible_to(user).aggregate(
        submitted=Count("id", filter=Q(status=MonthlyReport.Status.SUBMITTED)),
        this_month=Count("id", filter=Q(status=MonthlyReport.Status.SUBMITTED) & this_month),
        returned=Count("id", filter=Q(status=MonthlyReport.Status.RETURNED)),
    )
    queue = reverse("report_queue")
    lines = [
        TodoLine(
            "queue",
            _("待审核的月度报送"),
            queue,
            counts["submitted"],
            urgent=period is not None and period.passed,
        ),
    ]
    if period is not None:
        lines.append(
            TodoLine(
                "queue-month",
                _("其中%(period)s的报送") % {"period": period.label},
                _link("report_queue", period=f"{period.year}-{period.month:02d}"),
                counts["this_month"],
                note=_("截止后该月锁定，只能审核通过，不能退回"),
                urgent=period.left is not None and period.left <= 1,
            )
        )
    lines.append(
        TodoLine(
            "queue-returned",
            _("已退回、等待业主重报"),
            _link("report_queue", status="returned"),
            counts["returned"],
        )
    )
    if period is not None:
        totals = report_status_by_district(user, annual_list=period.annual_list, month=period.month)["totals"]
        lines.append(
            TodoLine(
                "reports-missing",
                _("%(period)s尚未报送的项目") % {"period": period.label},
                _link("report_status", year=period.year, month=period.month),
                totals["missing"],
                urgent=period.passed,
            )
        )
    return lines


def _late_reporter_lines(user, *, period: ReportingMonth | None) -> list[TodoLine]:
    """The office's late reporters: the projects that owe the month's report (none, a draft, or
    returned and not resubmitted), as the reporting overview (report_status) lists them."""
    if period is None:
        return []
    totals = report_status_by_district(user, annual_list=period.annual_list, month=period.month)["totals"]
    owing = totals["missing"] + totals["returned"]
    late = report_missing_late(user, annual_list=period.annual_list, month=period.month).filter(
        Q(report_status__isnull=True) | ~Q(report_status__in=MonthlyReport.COUNTED)
    )
    named = [
        TodoLink(
            entry.project.name,
            reverse("report_entry", args=[entry.pk]),
            f"{entry.project.owner.name} · {state_label(missing_state(entry))}",
        )
        for entry in late[:TODO_NAMED]
    ]
    label = _("%(period)s逾期未报的项目") if period.passed else _("%(period)s尚未报送的项目")
    return [
        TodoLine(
            "late-reporters",
            label % {"period": period.label},
            _link("report_status", year=period.year, month=period.month) + "#missing",
            owing,
            note=_("应报 %(expected)s 个，已报 %(handed_in)s 个，其中退回未重报 %(returned)s 个") % totals,
            urgent=period.passed,
            links=named,
            remind={"year": period.year, "month": period.month} if owing else None,
        )
    ]


def _task_lines(user, *, today: dt.date) -> list[TodoLine]:
    """The tasks of USER's unit (我的任务), as its list's filters count them."""
    if user.organisation_id is None:
        return []
    unit = {"unit": user.organisation_id}
    soon = task_list(
        user=user, filters={**unit, "due_by": add_workdays(today, TODO_DUE_WORKDAYS)}, today=today
    )
    due_today = task_list(user=user, filters={**unit, "due_by": today}, today=today)
    overdue = task_list(user=user, filters={**unit, "status": "overdue"}, today=today)
    return [
        TodoLine(
            "tasks-overdue",
            _("已逾期的任务"),
            _link("task_mine", status="overdue"),
            overdue.count(),
            urgent=True,
        ),
        TodoLine(
            "tasks-today",
            _("今天到期的任务"),
            _link("task_mine", due_within=0),
            due_today.count(),
            urgent=True,
        ),
        TodoLine(
            "tasks-soon",
            _("%(n)s 个工作日内到期的任务（含今天）") % {"n": TODO_DUE_WORKDAYS},
            _link("task_mine", due_within=TODO_DUE_WORKDAYS),
            soon.count(),
        ),
    ]


def _problem_lines(user, *, today: dt.date) -> list[TodoLine]:
    """Problems waiting for USER's unit: resolutions of the problems it raised to confirm (or reject),
    and, for a handling unit (district, department), those it handles and the leaders' instructions
    it must answer."""
    org = user.organisation_id
    if org is None:
        return []
    visible = problems_visible_to(user)
    confirm = {"state": "resolved", "raised_by": org}
    lines = [
        TodoLine(
            "problems-confirm",
            _("已办结、待本单位确认的问题"),
            _link("problem_list", **confirm),
            problem_filter(visible, confirm, today=today).count(),
            note=_("确认销号，或退回重办"),
        )
    ]
    if user.role in (User.Role.DISTRICT, User.Role.DEPARTMENT):
        handling = {"state": "unresolved", "unit": org}
        overdue = {**handling, "overdue": 1}
        waiting = instruction_list(user=user, mine=True, waiting=True).order_by()
        replies = waiting.aggregate(n=Count("id"), late=Count("id", filter=Q(reply_deadline__lt=today)))
        lines += [
            TodoLine(
                "problems-overdue",
                _("本单位承办、已超过办理时限的问题"),
                _link("problem_list", **overdue),
                problem_filter(visible, overdue, today=today).count(),
                urgent=True,
            ),
            TodoLine(
                "problems-handling",
                _("本单位承办、未办结的问题"),
                _link("problem_list", **handling),
                problem_filter(visible, handling, today=today).count(),
            ),
            TodoLine(
                "instructions-waiting",
                _("待本单位回复的领导批示"),
                _link("instruction_list", waiting=1),
                replies["n"],
                note=_("其中已过回复时限 %(n)s 条") % {"n": replies["late"]} if replies["late"] else "",
                urgent=True,
            ),
        ]
    return lines


def _office_lines(user, *, today: dt.date) -> list[TodoLine]:
    """Red lights new since the last working day, problems past their limits, the next meeting."""
    since = add_workdays(today, -1)
    reds = warning_filter(user, since=since).filter(level=Level.RED)
    red_rows = list(reds.select_related("project").order_by("-level_since", "-id")[:TODO_NAMED])
    problems = problem_warning_counts(user=user, today=today)
    meeting = (
        meetings_visible_to(user)
        .filter(status=DispatchMeeting.Status.PLANNED, date__gte=today)
        .annotate(items=Count("agenda"))
        .order_by("date", "id")
        .first()
    )
    if meeting is not None:
        next_meeting = TodoLine(
            "meeting-next",
            _("下次调度会"),
            reverse("meeting_detail", args=[meeting.pk]),
            note=_("%(date)s · %(title)s · 议题 %(n)s 项")
            % {"date": meeting.date.isoformat(), "title": meeting.title, "n": meeting.items},
        )
    else:
        next_meeting = TodoLine("meeting-next", _("下次调度会"), reverse("meeting_list"), note=_("尚未安排"))
    return [
        TodoLine(
            "red-new",
            _("%(month)s月%(day)s日以来新亮的红灯") % {"month": since.month, "day": since.day},
            _link("warning_list", level=Level.RED, since=since.isoformat()),
            reds.count(),
            urgent=True,
            links=[
                TodoLink(w.project.name, reverse("warning_detail", args=[w.pk]), w.message) for w in red_rows
            ],
        ),
        TodoLine(
            "problems-overdue",
            _("超过办理时限的问题"),
            _link("problem_list", state="unresolved", overdue=1),
            problems["overdue"],
            urgent=True,
        ),
        TodoLine(
            "problems-assign-overdue",
            _("超过交办时限、仍待交办的问题"),
            _link("problem_list", state="open", assign_overdue=1),
            problems["assign_overdue"],
            urgent=True,
        ),
        next_meeting,
    ]


def _leader_sections(user, *, today: dt.date) -> list[TodoSection]:
    """A leader's projects' lights (as the leader's page counts them), the unresolved problems on them
    at the leader's levels (3 and up), and the leader's instructions: awaiting a reply, and replied
    this past week."""
    ids = leader_project_ids(user.pk)
    projects = projects_visible_to(user).filter(id__in=ids).count()
    warnings = warnings_visible_to(user).filter(project_id__in=ids)
    lights = warnings.aggregate(
        red=Count("id", filter=Q(level=Level.RED)), yellow=Count("id", filter=Q(level=Level.YELLOW))
    )
    red_rows = list(
        warnings.filter(level=Level.RED)
        .select_related("project")
        .order_by("-level_since", "-id")[:TODO_NAMED]
    )
    page = reverse("leader_page", args=[user.pk])
    ladder = dict(EscalationLevel.objects.filter(level__gte=3).values_list("level", "name"))
    by_level = {
        r["level"]: r
        for r in problem_filter(
            problems_visible_to(user), {"state": "unresolved", "leader": user.pk}, today=today
        )
        .filter(level__gte=3)
        .order_by()
        .values("level")
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q(today)))
    }
    problem_lines = []
    for level in sorted({*ladder, *by_level}):
        row = by_level.get(level, {"n": 0, "overdue": 0})
        problem_lines.append(
            TodoLine(
                f"problems-level-{level}",
                _("提级至“%(name)s”的问题") % {"name": ladder.get(level) or _("第%(n)s级") % {"n": level}},
                _link("problem_list", state="unresolved", level=level, leader=user.pk),
                row["n"],
                note=_("其中超时 %(n)s 个") % {"n": row["overdue"]} if row["overdue"] else "",
                urgent=True,
            )
        )
    mine = instruction_list(user=user, mine=True).order_by()
    waiting = mine.filter(replied_at__isnull=True).aggregate(
        n=Count("id"), late=Count("id", filter=Q(reply_deadline__lt=today))
    )
    since = today - dt.timedelta(days=TODO_REPLIED_DAYS)
    replied = instruction_list(user=user, mine=True, replied_since=since).order_by("-replied_at", "-id")
    replied_rows = list(replied[:TODO_NAMED])
    return [
        TodoSection(
            "leader-projects",
            _("我联系的项目"),
            [
                TodoLine(
                    "lights-red",
                    _("红灯预警"),
                    page,
                    lights["red"],
                    urgent=True,
                    links=[
                        TodoLink(w.project.name, reverse("warning_detail", args=[w.pk]), w.message)
                        for w in red_rows
                    ],
                ),
                TodoLine("lights-yellow", _("黄灯预警"), page, lights["yellow"], warn=True),
            ],
            note=ngettext("共 %(n)s 个项目", "共 %(n)s 个项目", projects) % {"n": projects},
        ),
        TodoSection(
            "leader-problems",
            _("问题与批示"),
            [
                *problem_lines,
                TodoLine(
                    "instructions-waiting",
                    _("等待回复的批示"),
                    _link("instruction_list", waiting=1),
                    waiting["n"],
                    note=_("其中已过回复时限 %(n)s 条") % {"n": waiting["late"]} if waiting["late"] else "",
                ),
                TodoLine(
                    "instructions-replied",
                    _("近 %(n)s 天已回复的批示") % {"n": TODO_REPLIED_DAYS},
                    _link("instruction_list", replied_since=since.isoformat()),
                    replied.count(),
                    links=[
                        TodoLink(
                            i.problem.title,
                            reverse("problem_detail", args=[i.problem_id]) + f"#instruction-{i.pk}",
                            _("%(unit)s：%(reply)s") % {"unit": i.reply_unit.name, "reply": i.reply},
                        )
                        for i in replied_rows
                    ],
                ),
            ],
        ),
    ]


def _sections(user, *, today: dt.date) -> list[TodoSection]:
    if user.is_leader:
        return _leader_sections(user, today=today)
    period = reporting_month(today=today)
    deadline = period.note if period else ""
    if user.is_office:
        return [
            TodoSection("reports", _("月度报送"), _late_reporter_lines(user, period=period), deadline),
            TodoSection("coordination", _("预警、问题与调度会"), _office_lines(user, today=today)),
        ]
    if user.role in (User.Role.DISTRICT, User.Role.DEPARTMENT):
        return [
            TodoSection("reports", _("审核月度报送"), _review_lines(user, period=period), deadline),
            TodoSection("tasks", _("本单位的任务"), _task_lines(user, today=today)),
            TodoSection("problems", _("问题与批示"), _problem_lines(user, today=today)),
        ]
    if user.role == User.Role.OWNER:
        return [
            TodoSection("reports", _("月度报送"), _owner_report_lines(user, today=today), deadline),
            TodoSection("tasks", _("本单位的任务"), _task_lines(user, today=today)),
            TodoSection("problems", _("问题"), _problem_lines(user, today=today)),
        ]
    return []


def todo_for(user, *, today: dt.date) -> list[TodoSection]:
    """What USER's role has to do as of TODAY, in sections of lines, each counting what the page it
    links to lists (in USER's scope). A section with nothing to count (no list for the year yet, no
    unit) is left out."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [section for section in _sections(user, today=today) if section.lines]
