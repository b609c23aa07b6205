"""Reads of problem coordination: the ledger (问题台账) with its filters, its statistics, a problem's page
and the instructions pages. Every read starts from the access gates (coordination.access)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from keyprojects.coordination.access import instructions_visible_to, problems_visible_to
from keyprojects.coordination.leader_selectors import leader_project_ids
from keyprojects.coordination.models import EscalationLevel, Instruction, Problem, ProblemAction
from keyprojects.lib.cache import cached
from keyprojects.lib.links import pk_link
from keyprojects.lib.text import search_term
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.orgs.models import Organisation

Status = Problem.Status
# The units that handle problems (lead or co-handle): districts and departments.
HANDLER_KINDS = (Organisation.Kind.DISTRICT, Organisation.Kind.DEPARTMENT)

SORTS = {
    "new": ["-created_at", "-id"],
    "old": ["created_at", "id"],
    "deadline": [F("level_deadline").asc(nulls_last=True), "id"],
    "level": ["-level", "level_deadline", "id"],
}
# 办理时限临近 sorts by the deadline of the clock a row shows (clock_for's rule, in SQL): the level's in
# hand, the assignment limit while 待交办, none once resolved (last). Narrowed to problems in hand, that
# is the level deadline alone, which SORTS["deadline"] reads in its index's order.
CLOCK_DEADLINE = Case(
    When(status=Status.HANDLING, then=F("level_deadline")),
    When(status=Status.OPEN, then=F("assign_deadline")),
)
STATES = {
    "unresolved": Q(status__in=Problem.UNRESOLVED),
    "open": Q(status=Status.OPEN),
    "handling": Q(status=Status.HANDLING),
    "resolved": Q(status=Status.RESOLVED),
    "closed": Q(status=Status.CLOSED),
}


def _today(today=None) -> dt.date:
    return today or timezone.localdate()


def overdue_q(today: dt.date) -> Q:
    """超时 (逾期): a problem in hand whose level's time limit ended before TODAY. Only a problem in hand
    (办理中) has a level clock. The ledger's filter, its statistics, the cockpit and the escalation job
    all count with this one condition, so their figures agree."""
    return Q(status=Status.HANDLING, level_deadline__lt=today)


def assign_overdue_q(today: dt.date) -> Q:
    """待交办超时: a problem raised but not assigned by the office's own limit (a warning for the office;
    such a problem never escalates)."""
    return Q(status=Status.OPEN, assign_deadline__lt=today)


def problem_filter(problems: QuerySet, filters: dict, *, today=None) -> QuerySet:
    """PROBLEMS narrowed by FILTERS (cleaned values of ProblemFilterForm)."""
    if filters.get("category"):
        problems = problems.filter(category=filters["category"])
    if filters.get("level"):
        problems = problems.filter(level=filters["level"])
    if filters.get("state") in STATES:
        problems = problems.filter(STATES[filters["state"]])
    if filters.get("unit"):
        unit = filters["unit"]
        problems = problems.filter(
            Q(lead_unit=unit)
            | Q(id__in=Problem.co_units.through.objects.filter(organisation=unit).values("problem_id"))
        )
    if filters.get("district"):
        problems = problems.filter(project__district=filters["district"])
    if filters.get("project"):
        problems = problems.filter(project_id=getattr(filters["project"], "pk", filters["project"]))
    if filters.get("source"):
        problems = problems.filter(source=filters["source"])
    if filters.get("raised_by"):
        problems = problems.filter(raised_by_org_id=filters["raised_by"])
    if filters.get("leader"):
        problems = problems.filter(project_id__in=leader_project_ids(filters["leader"]))
    if filters.get("overdue"):
        problems = problems.filter(overdue_q(_today(today)))
    if filters.get("assign_overdue"):
        problems = problems.filter(assign_overdue_q(_today(today)))
    if filters.get("q"):
        term = search_term(filters["q"])
        problems = problems.filter(
            Q(title__icontains=filters["q"].strip())
            | Q(project__search_text__contains=term)
            | Q(project__code__icontains=filters["q"].strip())
        )
    return problems


def problem_list(*, user, filters: dict | None = None, today=None) -> QuerySet[Problem]:
    """problem_ledger as model instances with what a row shows, for the export and a project's page
    (one query for the rows and one for all their co-handling units, however many rows)."""
    return (
        problem_ledger(user=user, filters=filters, today=today)
        .select_related("project__district", "lead_unit", "raised_by_org")
        .prefetch_related(
            Prefetch("co_units", queryset=Organisation.objects.only("id", "name", "short_name"))
        )
    )


# What a row of the ledger shows (problem_ledger_rows), and nothing else: the page sorts a unit's whole
# scope, and every column carried (a project's text, an organisation's contacts) makes that dearer.
LEDGER_FIELDS = (
    "id",
    "title",
    "category",
    "status",
    "level",
    "level_deadline",
    "assign_deadline",
    "created_at",
    "project__name",
    "project__district__name",
    "project__district__short_name",
    "lead_unit__name",
    "lead_unit__short_name",
    "raised_by_org__name",
    "raised_by_org__short_name",
)


def problem_ledger(*, user, filters: dict | None = None, today=None) -> QuerySet[Problem]:
    """Problems USER may see, narrowed by FILTERS and sorted, without joins: the ledger page counts
    them bare and reads a page of them with problem_ledger_rows."""
    filters = filters or {}
    problems = problem_filter(problems_visible_to(user), filters, today=today)
    sort = filters.get("sort") or "new"
    if sort == "deadline" and not (filters.get("overdue") or filters.get("state") == "handling"):
        return problems.order_by(CLOCK_DEADLINE.asc(nulls_last=True), "id")
    return problems.order_by(*SORTS.get(sort, SORTS["new"]))


def problem_warning_counts(*, user, today=None) -> dict:
    """How many problems USER may see are 超时 (overdue_q) and 待交办超时 (assign_overdue_q)."""
    today = _today(today)
    visible = problems_visible_to(user).order_by()
    if user.sees_everything:
        # Two ranges of the (status, deadline) indexes rather than one pass over every problem.
        return {
            "overdue": visible.filter(overdue_q(today)).count(),
            "assign_overdue": visible.filter(assign_overdue_q(today)).count(),
        }
    # A unit's scope is a few of its own indexes (lead, co-handle, raised); one pass over those rows.
    # Given the status condition too, SQLite walks the status index across the whole city instead.
    return visible.aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        assign_overdue=Count("pk", filter=assign_overdue_q(today)),
    )


# The cache topic of the ledger's filter choices; bumped when an organisation or a level changes.
FILTER_TOPIC = "problem-filters"


def problem_filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The handling units, districts and escalation levels the ledger's filter offers, as (value,
    label), and the levels' names ("names": {level: name}, untranslated): a few queries once, then
    from the cache until an organisation or a level changes (coordination/apps.py)."""

    def compute():
        active = Organisation.objects.filter(is_active=True)
        ladder = levels()
        return {
            "unit": [
                (o.pk, o.name) for o in active.filter(kind__in=HANDLER_KINDS).order_by("kind", "sort", "name")
            ],
            "district": [(o.pk, o.name) for o in active.filter(kind=Organisation.Kind.DISTRICT)],
            "level": [(n, f"{n}. {lv.name}") for n, lv in sorted(ladder.items())],
            "names": {n: lv.name for n, lv in ladder.items()},
        }

    return cached(FILTER_TOPIC, "choices", compute)


def _badge(level: int) -> str:
    if level >= 3:
        return "text-bg-danger"
    return "text-bg-warning" if level == 2 else "text-bg-light border"


STATUS_BADGES = {
    Status.CLOSED: "text-bg-success",
    Status.RESOLVED: "text-bg-info",
    Status.OPEN: "text-bg-secondary",
}


def problem_ledger_rows(problems, *, today=None) -> list[dict]:
    """One page of the ledger (PROBLEMS: a slice of problem_ledger) as the rows its table shows:
    labels, links, badges and clocks prepared here, so the template only prints them. Read as values:
    model instances and the co-units' prefetch cost a page of twenty more than its SQL."""
    today = _today(today)
    problems = list(problems.values(*LEDGER_FIELDS))
    names = problem_filter_choices()["names"]
    calendar = ledger_calendar(today)
    co_units = {}
    for problem_id, name, short_name in (
        Problem.co_units.through.objects.filter(problem_id__in=[p["id"] for p in problems])
        .order_by("organisation__kind", "organisation__sort", "organisation__name")
        .values_list("problem_id", "organisation__name", "organisation__short_name")
    ):
        co_units.setdefault(problem_id, []).append(short_name or name)
    link = pk_link("problem_detail")
    categories = {value: str(label) for value, label in Problem.Category.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    rows = []
    for p in problems:
        clock = clock_for(
            p["status"], p["level_deadline"], p["assign_deadline"], today=today, calendar=calendar
        )
        row_css = ""
        if clock is not None and clock.overdue:
            row_css = "table-warning" if clock.assign else "table-danger"
        deadline = clock.deadline if clock is not None else None
        name = names.get(p["level"])
        rows.append(
            {
                "pk": p["id"],
                "url": link(p["id"]),
                "title": p["title"],
                "project": p["project__name"],
                "district": p["project__district__short_name"] or p["project__district__name"],
                "category": categories.get(p["category"], p["category"]),
                "lead_unit": p["lead_unit__short_name"] or p["lead_unit__name"],
                "co_units": "、".join(co_units.get(p["id"], ())) or "—",
                "level_badge": _badge(p["level"]),
                "level": f"{p['level']}. {gettext(name) if name else p['level']}",
                "deadline": deadline.isoformat() if deadline is not None else "—",
                # The 暂定 badge's day, for a deadline in a year without an official holiday schedule.
                "provisional_day": deadline
                if deadline is not None and calendar.is_provisional(deadline)
                else None,
                "clock_css": clock.css if clock is not None else "",
                "clock_label": clock.label if clock is not None else "",
                "row_css": row_css,
                "status_badge": STATUS_BADGES.get(p["status"], "text-bg-primary"),
                "status": statuses.get(p["status"], p["status"]),
                "created": timezone.localtime(p["created_at"]).date().isoformat(),
                "raised_by": p["raised_by_org__short_name"] or p["raised_by_org__name"],
            }
        )
    return rows


@dataclass
class Clock:
    """Where a problem stands against its level's time limit, in working days; for a problem still
    待交办 (ASSIGN), against the office's assignment limit instead: a warning, never an escalation."""

    deadline: dt.date | None
    left: int | None = None  # working days left (0 on the last day); None without a limit
    overdue: int = 0  # working days past the limit
    assign: bool = False

    @property
    def label(self) -> str:
        from django.utils.translation import gettext as _

        if self.assign:
            if self.deadline is None:
                return _("待交办")
            if self.overdue:
                return _("待交办超时 %(n)s 个工作日") % {"n": self.overdue}
            return _("待交办，%(n)s 个工作日内交办") % {"n": self.left}
        if self.deadline is None:
            return _("无时限")
        if self.overdue:
            return _("逾期 %(n)s 个工作日") % {"n": self.overdue}
        return _("剩余 %(n)s 个工作日") % {"n": self.left}

    @property
    def css(self) -> str:
        if self.assign:
            return "text-warning-emphasis fw-bold" if self.overdue else "text-muted"
        if self.overdue:
            return "text-danger fw-bold"
        if self.left is not None and self.left <= 1:
            return "text-warning-emphasis fw-bold"
        return "text-muted"


def problem_clock(problem: Problem, *, today: dt.date, calendar: WorkCalendar) -> Clock | None:
    """The clock of an unresolved problem: its level's time limit once in hand (办理中), the office's
    assignment limit while 待交办; None once it is resolved (the clock stops)."""
    return clock_for(
        problem.status, problem.level_deadline, problem.assign_deadline, today=today, calendar=calendar
    )


def clock_for(
    status, level_deadline, assign_deadline, *, today: dt.date, calendar: WorkCalendar
) -> Clock | None:
    """problem_clock from a problem's values."""
    if status not in Problem.UNRESOLVED:
        return None
    waiting = status == Status.OPEN
    deadline = assign_deadline if waiting else level_deadline
    clock = Clock(deadline=deadline, assign=waiting)
    if deadline is None:
        return clock
    if deadline < today:
        clock.overdue = calendar.between(deadline, today)
        clock.left = 0
    else:
        clock.left = calendar.between(today, deadline)
    return clock


class MemoCalendar(WorkCalendar):
    """A WorkCalendar that remembers each day's answer: the chinese_calendar package validates every
    date it is asked about, which costs more than the rest of a 50,000-row export."""

    def __init__(self, overrides):
        super().__init__(overrides)
        self._known = {}

    def is_workday(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = super().is_workday(day)
        return known


def ledger_calendar(today: dt.date) -> WorkCalendar:
    """One calendar (one query) for every clock on a page."""
    return MemoCalendar.for_years(range(today.year - 2, today.year + 2))


def problem_rows(problems, *, today=None) -> list[Problem]:
    """PROBLEMS (a page) with .clock and .level_name set for the template."""
    today = _today(today)
    ladder = levels()
    calendar = ledger_calendar(today)
    rows = list(problems)
    for p in rows:
        p.clock = problem_clock(p, today=today, calendar=calendar)
        p.level_name = gettext(ladder[p.level].name) if p.level in ladder else str(p.level)
    return rows


# --------------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------------


@dataclass
class StatRow:
    key: str
    label: str
    total: int = 0
    open: int = 0
    handling: int = 0
    resolved: int = 0
    closed: int = 0
    overdue: int = 0
    link: dict = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.resolved + self.closed

    @property
    def rate(self) -> float | None:
        """办结率: resolved or closed ÷ all, in percent to one place."""
        return round(100 * self.done / self.total, 1) if self.total else None

    @property
    def close_rate(self) -> float | None:
        return round(100 * self.closed / self.total, 1) if self.total else None


def _counts(problems, today):
    return {
        "total": Count("id"),
        "open": Count("id", filter=Q(status=Status.OPEN)),
        "handling": Count("id", filter=Q(status=Status.HANDLING)),
        "resolved": Count("id", filter=Q(status=Status.RESOLVED)),
        "closed": Count("id", filter=Q(status=Status.CLOSED)),
        "overdue": Count("id", filter=overdue_q(today)),
    }


def median_days_to_close(problems) -> float | None:
    """The median of (closed − raised) in days over the closed problems, in SQL (two queries)."""
    closed = problems.filter(status=Status.CLOSED, closed_at__isnull=False).order_by()
    n = closed.count()
    if not n:
        return None
    spans = closed.annotate(
        span=ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    ).order_by("span")
    middle = list(spans.values_list("span", flat=True)[(n - 1) // 2 : n // 2 + 1])
    seconds = sum(d.total_seconds() for d in middle) / len(middle)
    return round(seconds / 86400, 1)


def problem_stats(*, user, filters: dict | None = None, today=None) -> dict:
    """Totals, the median days to close, and rows by category, by lead unit and by level: one grouped
    query each, whatever the number of problems."""
    today = _today(today)
    filters = dict(filters or {})
    problems = problem_filter(problems_visible_to(user), filters, today=today).order_by()
    counts = _counts(problems, today)
    total = StatRow(key="", label="", **problems.aggregate(**counts))
    by_category = {
        r["category"]: r for r in problems.values("category").annotate(**counts).order_by("category")
    }
    categories = [
        StatRow(key=value, label=str(label), link={"category": value}, **_only(by_category.get(value)))
        for value, label in Problem.Category.choices
    ]
    units = [
        StatRow(
            key=str(r["lead_unit_id"]),
            label=r["lead_unit__short_name"] or r["lead_unit__name"],
            link={"unit": r["lead_unit_id"]},
            **_only(r),
        )
        for r in problems.values("lead_unit_id", "lead_unit__name", "lead_unit__short_name")
        .annotate(**counts)
        .order_by("-total", "lead_unit__name")
    ]
    ladder = levels()
    by_level = {r["level"]: r for r in problems.values("level").annotate(**counts).order_by("level")}
    level_rows = [
        StatRow(key=str(n), label=f"{n}. {gettext(lv.name)}", link={"level": n}, **_only(by_level.get(n)))
        for n, lv in sorted(ladder.items())
    ]
    return {
        "total": total,
        "median_days": median_days_to_close(problems),
        "categories": categories,
        "units": units,
        "levels": level_rows,
    }


def _only(row) -> dict:
    keys = ("total", "open", "handling", "resolved", "closed", "overdue")
    return {k: (row or {}).get(k, 0) or 0 for k in keys}


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------

REPORTED = (
    ProblemAction.Kind.ASSIGN,
    ProblemAction.Kind.PROGRESS,
    ProblemAction.Kind.RESOLVE,
    ProblemAction.Kind.REJECT,
    ProblemAction.Kind.REPLY,
)


def problem_export_rows(*, user, filters: dict | None = None, today=None) -> QuerySet[Problem]:
    """The ledger's rows for Excel, with the latest handling note (办理情况) in the same query."""
    latest = (
        ProblemAction.objects.filter(problem=OuterRef("pk"), kind__in=REPORTED)
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return problem_list(user=user, filters=filters, today=today).annotate(latest_note=Subquery(latest))


# --------------------------------------------------------------------------------------------------
# A problem's page and instructions
# --------------------------------------------------------------------------------------------------


def problem_actions(problem: Problem) -> list[ProblemAction]:
    return list(
        problem.actions.select_related("by", "by_org").prefetch_related("attachments").order_by("at", "id")
    )


def problem_instructions(problem: Problem) -> list[Instruction]:
    return list(problem.instructions.select_related("leader", "reply_unit", "replied_by"))


def instruction_list(
    *, user, mine: bool = False, waiting: bool = False, replied_since: dt.date | None = None
) -> QuerySet[Instruction]:
    """MINE: written by USER (a leader) or to be replied by USER's unit; WAITING: not replied yet;
    REPLIED_SINCE: replied on that day (local time) or later."""
    rows = instructions_visible_to(user)
    if mine:
        rows = rows.filter(Q(leader=user) | Q(reply_unit_id=user.organisation_id))
    if waiting:
        rows = rows.filter(replied_at__isnull=True)
    if replied_since:
        start = timezone.make_aware(dt.datetime.combine(replied_since, dt.time.min))
        rows = rows.filter(replied_at__gte=start)
    return rows.select_related(
        "problem__project", "problem__lead_unit", "leader", "reply_unit", "replied_by"
    ).order_by("-created_at", "-id")


def escalation_levels() -> list[EscalationLevel]:
    return list(EscalationLevel.objects.order_by("level"))


# The default ladder (DESIGN.md), seeded by migration 0003; also used, unsaved, if the table is empty.
# Pages show these names in the reader's language (gettext); names an office gives its own stay as entered.
DEFAULT_LADDER = [
    (1, gettext_noop("责任单位办理"), 5),
    (2, gettext_noop("市重点办协调"), 5),
    (3, gettext_noop("联系市领导协调"), 10),
    (4, gettext_noop("市政府常务会/市委研究"), None),
]


def levels() -> dict[int, EscalationLevel]:
    """The escalation ladder by level number."""
    ladder = {lv.level: lv for lv in EscalationLevel.objects.all()}
    if not ladder:
        ladder = {
            level: EscalationLevel(level=level, name=name, deadline_workdays=days)
            for level, name, days in DEFAULT_LADDER
        }
    return ladder
