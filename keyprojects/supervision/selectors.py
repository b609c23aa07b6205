"""Reads of supervision: the lists behind the pages, who a warning's letter goes to, tour results, and
the counts assessment scores units by.

What assessment counts, per unit and period [START, END] (dates inclusive), as of TODAY:

Letters (督办函) — "issued": letters issued in the period. "on_time": of those, the ones the office
signed off on a reply the unit made by the deadline (the office's own delay in signing off is not the
unit's). "overdue": letters whose deadline falls in the period and has passed (before TODAY) without a
reply made by the deadline that the office accepted or has yet to decide on — a letter sent back, or
answered late, is overdue. A letter counts as overdue once, in the period of its deadline.

Rectification items (整改) — "items": items assigned in the period. "on_time": of those, the ones
signed off on evidence submitted by the deadline. "open_overdue": items whose deadline passed on or
before END (and before TODAY) and which were still not rectified at END: not signed off by then, and
not awaiting the office's decision on evidence submitted in time. An item left unrectified counts
against its unit in every period it stays so.

Tours (观摩评比) — a project's result in a closed tour is the average of its jurors' totals, as a
score out of 100 (tour_average); its score for a period is the mean of its results in the closed
tours held in the period.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from keyprojects.alerts.models import ProjectWarning
from keyprojects.orgs.models import Organisation
from keyprojects.supervision.access import letters_visible_to, rectifications_visible_to
from keyprojects.supervision.models import Letter, Rectification, Tour, TourCriterion, TourScore
from keyprojects.tasks.models import Task

LetterStatus = Letter.Status
ItemStatus = Rectification.Status
HUNDREDTH = Decimal("0.01")
# With this many jurors or more, a project's highest and lowest totals are left out of its average.
TRIM_FROM = 5


def _today(today):
    return today or timezone.localdate()


# --------------------------------------------------------------------------------------------------
# What assessment counts
# --------------------------------------------------------------------------------------------------


def _letter_on_time_q() -> Q:
    return Q(status=LetterStatus.SIGNED_OFF, replied_on__lte=F("deadline"))


def _letter_answered_in_time_q() -> Q:
    """A reply made by the deadline that the office accepted or has yet to decide on."""
    return Q(status__in=(LetterStatus.REPLIED, LetterStatus.SIGNED_OFF), replied_on__lte=F("deadline"))


def _letter_q(start: dt.date, end: dt.date, overdue, today: dt.date) -> Q:
    if overdue is None:
        return Q(issued_on__gte=start, issued_on__lte=end)
    if overdue:
        return Q(deadline__gte=start, deadline__lte=end, deadline__lt=today) & ~_letter_answered_in_time_q()
    return Q(issued_on__gte=start, issued_on__lte=end) & _letter_on_time_q()


def letter_counts_by_unit(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> dict[int, dict]:
    """Organisation id → {"issued", "on_time", "overdue"} for [START, END] (see the module's docstring).
    Units without a letter in the period are left out. Three grouped queries."""
    today = _today(today)
    counts: dict[int, dict] = defaultdict(lambda: {"issued": 0, "on_time": 0, "overdue": 0})
    for key, overdue in (("issued", None), ("on_time", False), ("overdue", True)):
        rows = (
            Letter.objects.filter(_letter_q(start, end, overdue, today))
            .values("unit_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[row["unit_id"]][key] = row["n"]
    return dict(counts)


def letters_for_unit(
    organisation_id: int, start: dt.date, end: dt.date, *, overdue=None, today: dt.date | None = None
) -> QuerySet[Letter]:
    """The letters behind letter_counts_by_unit: OVERDUE None the issued ones, True the overdue ones,
    False the ones done on time; oldest deadline first."""
    return (
        Letter.objects.filter(unit_id=organisation_id)
        .filter(_letter_q(start, end, overdue, _today(today)))
        .select_related("unit", "project")
        .order_by("deadline", "id")
    )


def _item_in_time_q() -> Q:
    return Q(status__in=(ItemStatus.SUBMITTED, ItemStatus.SIGNED_OFF), submitted_on__lte=F("deadline"))


def _item_q(start: dt.date, end: dt.date, overdue, today: dt.date) -> Q:
    if overdue is None:
        return Q(assigned_on__gte=start, assigned_on__lte=end)
    if overdue:
        rectified_by_end = Q(status=ItemStatus.SIGNED_OFF, signed_off_on__lte=end)
        return Q(deadline__lte=end, deadline__lt=today) & ~_item_in_time_q() & ~rectified_by_end
    return Q(assigned_on__gte=start, assigned_on__lte=end, status=ItemStatus.SIGNED_OFF) & Q(
        submitted_on__lte=F("deadline")
    )


def rectification_counts_by_unit(
    start: dt.date, end: dt.date, *, today: dt.date | None = None
) -> dict[int, dict]:
    """Organisation id → {"items", "on_time", "open_overdue"} for [START, END] (see the module's
    docstring). Units without an item to count are left out."""
    today = _today(today)
    counts: dict[int, dict] = defaultdict(lambda: {"items": 0, "on_time": 0, "open_overdue": 0})
    for key, overdue in (("items", None), ("on_time", False), ("open_overdue", True)):
        rows = (
            Rectification.objects.filter(_item_q(start, end, overdue, today))
            .values("unit_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[row["unit_id"]][key] = row["n"]
    return dict(counts)


def rectifications_for_unit(
    organisation_id: int, start: dt.date, end: dt.date, *, overdue=None, today: dt.date | None = None
) -> QuerySet[Rectification]:
    """The items behind rectification_counts_by_unit: OVERDUE None those assigned in the period, True
    the open overdue ones, False those rectified on time."""
    return (
        Rectification.objects.filter(unit_id=organisation_id)
        .filter(_item_q(start, end, overdue, _today(today)))
        .select_related("unit", "finding__inspection", "finding__project")
        .order_by("deadline", "id")
    )


def tour_average(totals: list[Decimal], max_total: int) -> Decimal | None:
    """One project's result in a tour from its jurors' TOTALS, out of 100 to two places (half up):
    the mean of the totals — leaving out one highest and one lowest when there are TRIM_FROM (5) or
    more jurors, as juries do against a single favour or grudge — scaled from MAX_TOTAL (the form's
    points) to 100. None without a total."""
    if not totals or not max_total:
        return None
    kept = sorted(totals)
    if len(kept) >= TRIM_FROM:
        kept = kept[1:-1]
    mean = sum(kept, Decimal(0)) / len(kept)
    return (mean * 100 / max_total).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def tour_scores_by_project(start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Project id → its average result (0–100, two places) in the closed tours held in [START, END]."""
    tours = list(
        Tour.objects.filter(status=Tour.Status.CLOSED, date__gte=start, date__lte=end).values_list(
            "pk", flat=True
        )
    )
    results = defaultdict(list)
    for rows in _tour_rows(tours).values():
        for project_id, row in rows.items():
            if row.result is not None:
                results[project_id].append(row.result)
    return {
        pk: (sum(values, Decimal(0)) / len(values)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        for pk, values in results.items()
    }


# --------------------------------------------------------------------------------------------------
# Tours
# --------------------------------------------------------------------------------------------------


@dataclass
class TourResult:
    project_id: int
    totals: dict = field(default_factory=dict)  # juror id → total (complete forms only)
    result: Decimal | None = None
    trimmed: bool = False


def _tour_rows(tour_ids) -> dict[int, dict[int, TourResult]]:
    """Tour id → project id → TourResult. A juror's form counts only once every criterion is scored."""
    criteria = defaultdict(dict)
    for c in TourCriterion.objects.filter(tour_id__in=tour_ids):
        criteria[c.tour_id][c.pk] = c.max_points
    sums = defaultdict(lambda: defaultdict(lambda: [Decimal(0), 0]))
    for tour_id, project_id, juror_id, points in TourScore.objects.filter(tour_id__in=tour_ids).values_list(
        "tour_id", "project_id", "juror_id", "points"
    ):
        cell = sums[(tour_id, project_id)][juror_id]
        cell[0] += Decimal(str(points))
        cell[1] += 1
    out = defaultdict(dict)
    for (tour_id, project_id), jurors in sums.items():
        needed = len(criteria[tour_id])
        totals = {j: total for j, (total, n) in jurors.items() if n == needed}
        max_total = sum(criteria[tour_id].values())
        out[tour_id][project_id] = TourResult(
            project_id=project_id,
            totals=totals,
            result=tour_average(list(totals.values()), max_total),
            trimmed=len(totals) >= TRIM_FROM,
        )
    return out


def tour_results(tour: Tour) -> list[dict]:
    """Each project of TOUR with its jurors' totals, the result out of 100 and its rank (best first;
    projects without a complete form last)."""
    rows = _tour_rows([tour.pk]).get(tour.pk, {})
    jurors = list(tour.jurors.order_by("sort", "username"))
    out = []
    for project in tour.projects.select_related("district").order_by("name"):
        row = rows.get(project.pk) or TourResult(project_id=project.pk)
        out.append(
            {
                "project": project,
                "totals": [row.totals.get(j.pk) for j in jurors],
                "result": row.result,
                "trimmed": row.trimmed,
                "forms": len(row.totals),
            }
        )
    out.sort(key=lambda r: (r["result"] is None, -(r["result"] or 0), r["project"].name))
    rank = 0
    for r in out:
        if r["result"] is not None:
            rank += 1
            r["rank"] = rank
    return out


def tour_form(tour: Tour, juror, project) -> dict[int, Decimal]:
    """Criterion id → the points JUROR gave PROJECT so far."""
    return {
        c: Decimal(str(p))
        for c, p in TourScore.objects.filter(tour=tour, juror=juror, project=project).values_list(
            "criterion_id", "points"
        )
    }


def tour_progress(tour: Tour, juror) -> dict[int, int]:
    """Project id → criteria JUROR has scored on TOUR."""
    return dict(
        TourScore.objects.filter(tour=tour, juror=juror)
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("project_id", "n")
    )


# --------------------------------------------------------------------------------------------------
# Letters: who they go to, what is open
# --------------------------------------------------------------------------------------------------


def warning_units(warnings) -> dict[int, Organisation]:
    """Warning id → the unit a letter about it goes to: a task's responsible unit for a task's light,
    else the district the project lies in (属地责任). Two queries, whatever the number of lights."""
    warnings = list(warnings)
    task_ids = {
        int(w.subject.split(":", 1)[1]): w.pk
        for w in warnings
        if w.subject.startswith("task:") and w.subject.split(":", 1)[1].isdigit()
    }
    task_units = dict(Task.objects.filter(pk__in=list(task_ids)).values_list("pk", "responsible_unit_id"))
    unit_of = {}
    for w in warnings:
        task = w.subject.split(":", 1)[1] if w.subject.startswith("task:") else None
        unit_of[w.pk] = task_units.get(int(task)) if task and task.isdigit() else None
        unit_of[w.pk] = unit_of[w.pk] or w.project.district_id
    units = Organisation.objects.in_bulk(set(unit_of.values()))
    return {pk: units[org] for pk, org in unit_of.items() if org in units}


def open_letter_q() -> Q:
    """Letters not yet signed off."""
    return ~Q(status=LetterStatus.SIGNED_OFF)


def warnings_with_open_letters(warnings) -> set[int]:
    """Which of WARNINGS already have a letter in hand (not yet signed off)."""
    return set(
        ProjectWarning.objects.filter(pk__in=[w.pk for w in warnings])
        .filter(
            Exists(
                Letter.warnings.through.objects.filter(
                    projectwarning_id=OuterRef("pk"), letter__in=Letter.objects.filter(open_letter_q())
                )
            )
        )
        .values_list("pk", flat=True)
    )


LETTER_STATES = {
    "open": Q(status__in=Letter.AWAITING_UNIT),
    "replied": Q(status=LetterStatus.REPLIED),
    "signed_off": Q(status=LetterStatus.SIGNED_OFF),
}


def letter_list(user, *, state=None, unit=None, overdue=False, today=None) -> QuerySet[Letter]:
    """USER's letters, newest first, narrowed by STATE (open / replied / signed_off), UNIT, OVERDUE."""
    letters = letters_visible_to(user)
    if state in LETTER_STATES:
        letters = letters.filter(LETTER_STATES[state])
    if unit:
        letters = letters.filter(unit_id=unit)
    if overdue:
        letters = letters.filter(status__in=Letter.AWAITING_UNIT, deadline__lt=_today(today))
    return letters.select_related("unit", "project").order_by("-issued_on", "-year", "-sequence")


def letter_counts(user, *, today=None) -> dict:
    """USER's letters by state, and how many are overdue (one query)."""
    today = _today(today)
    return letters_visible_to(user).aggregate(
        open=Count("id", filter=LETTER_STATES["open"]),
        replied=Count("id", filter=LETTER_STATES["replied"]),
        signed_off=Count("id", filter=LETTER_STATES["signed_off"]),
        overdue=Count("id", filter=Q(status__in=Letter.AWAITING_UNIT, deadline__lt=today)),
    )


def letter_actions(letter: Letter) -> list:
    return list(letter.actions.select_related("by", "by_org").prefetch_related("evidence"))


def rectification_list(user, *, state=None, today=None) -> QuerySet[Rectification]:
    """USER's rectification items (a unit's own), nearest deadline first; STATE open / submitted /
    signed_off / overdue."""
    items = rectifications_visible_to(user)
    if state == "open":
        items = items.filter(status__in=Rectification.AWAITING_UNIT)
    elif state == "overdue":
        items = items.filter(status__in=Rectification.AWAITING_UNIT, deadline__lt=_today(today))
    elif state in (ItemStatus.SUBMITTED, ItemStatus.SIGNED_OFF):
        items = items.filter(status=state)
    return items.select_related("unit", "finding__inspection", "finding__project").order_by("deadline", "id")
