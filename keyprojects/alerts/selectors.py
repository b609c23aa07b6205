"""Reads of the warning centre. Every list starts from the access gates (alerts.access.warnings_visible_to,
projects.access.projects_visible_to)."""

import datetime as dt

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from keyprojects.alerts.access import warnings_visible_to
from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.alerts.rules import BORROWS, defaults, threshold_labels
from keyprojects.plans.models import AnnualEntry
from keyprojects.projects.access import projects_visible_to
from keyprojects.projects.models import Project, Stage

ACTIVE = (Level.YELLOW, Level.RED)
# Red first, then yellow, then green again.
LEVEL_RANK = Case(
    When(level=Level.RED, then=Value(0)),
    When(level=Level.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def warning_filter(
    user,
    *,
    rule=None,
    level=None,
    district=None,
    sector=None,
    category=None,
    year=None,
    since=None,
    project=None,
):
    """USER's warnings narrowed by the filters (everything but LEVEL; see warning_list). SINCE (a
    date): lights that took their level on that day (local time) or later."""
    active = WarningRule.objects.filter(is_active=True).values("id")
    warnings = warnings_visible_to(user).filter(rule_id__in=active)
    if rule:
        warnings = warnings.filter(rule_id__in=WarningRule.objects.filter(code=rule).values("id"))
    if district:
        warnings = warnings.filter(project__district_id=district)
    if project:
        warnings = warnings.filter(project_id=project)
    if sector:
        warnings = warnings.filter(project__sector_id=sector)
    if category:
        year = year or timezone.localdate().year
        on_list = AnnualEntry.objects.filter(
            project_id=OuterRef("project_id"), annual_list__year=year, category=category
        )
        warnings = warnings.filter(Exists(on_list))
    if since:
        warnings = warnings.filter(
            level_since__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        )
    return warnings.order_by()


def warning_list(warnings, level=None):
    """The rows shown: yellow and red unless LEVEL says otherwise; red first ("red" sorts before
    "yellow", so the (level, level_since) index serves the order), the newest light first."""
    if level:
        warnings = warnings.filter(level=level)
    else:
        warnings = warnings.filter(level__in=ACTIVE)
    return warnings.select_related("rule", "project__district", "project__sector").order_by(
        "level", "-level_since", "-id"
    )


def warning_counts(warnings) -> tuple[list[dict], dict]:
    """Per rule (in the rules' order): yellow, red and green-again counts, and the totals. One query."""
    codes = dict(WarningRule.objects.values_list("id", "code"))
    counted = {}
    for r in warnings.values("rule_id", "level").annotate(n=Count("id")).order_by():
        key = (codes.get(r["rule_id"]), r["level"])
        counted[key] = counted.get(key, 0) + r["n"]
    rows, totals = [], {"yellow": 0, "red": 0, "green": 0}
    for code, label in WarningRule.Code.choices:
        row = {"code": code, "label": str(label)}
        for level in totals:
            row[level] = counted.get((code, level), 0)
            totals[level] += row[level]
        rows.append(row)
    return rows, totals


def current_thresholds(code) -> dict:
    """The parameters rule CODE fires on now (for the combined rule: the start and investment rules')."""
    codes = (code, *BORROWS.get(code, ()))
    values = {}
    for source in codes:
        values.update(defaults(source))
    stored = dict(WarningRule.objects.filter(code__in=codes).values_list("code", "params"))
    for source in codes:
        values.update(stored.get(source) or {})
    return values


def threshold_rows(code, thresholds: dict, current: dict | None = None) -> list[dict]:
    """THRESHOLDS (as kept on a light or a history row) labelled, in the rule's order; with CURRENT
    each row also says what the office has set since, where that differs."""
    labels = threshold_labels(code)
    keys = [key for key in labels if key in thresholds] + [key for key in thresholds if key not in labels]
    rows = []
    for key in keys:
        row = {"key": key, "label": str(labels.get(key, key)), "value": thresholds[key], "now": None}
        if current is not None and key in current and current[key] != thresholds[key]:
            row["now"] = current[key]
        rows.append(row)
    return rows


def warning_history(warning: ProjectWarning) -> list:
    """The light's changes, oldest first, each with its thresholds labelled (change.threshold_rows)."""
    code = warning.rule.code
    changes = list(warning.changes.all())
    for change in changes:
        change.threshold_rows = threshold_rows(code, change.thresholds or {})
    return changes


def project_warnings(project: Project) -> list[ProjectWarning]:
    """The lights of one project: yellow and red first, then the ones green again."""
    return list(
        project.warnings.filter(rule__is_active=True)
        .select_related("rule")
        .order_by(LEVEL_RANK, "-level_since", "id")
    )


def operating_projects_visible_to(user):
    """Projects in 竣工 or 投产达效 that USER may see."""
    return projects_visible_to(user).filter(stage__in=(Stage.COMPLETED, Stage.OPERATING))


def operating_list(user, *, year: int):
    """Operating projects with their targets and YEAR's output, tax and latest jobs (aggregates)."""
    from django.db.models import Max, Sum
    from django.db.models.functions import Coalesce

    year_rows = Q(operating_actuals__year=year)
    return (
        operating_projects_visible_to(user)
        .select_related("district", "sector")
        .annotate(
            target_output=F("operating_target__output_value"),
            output_year=Coalesce(Sum("operating_actuals__output_value", filter=year_rows), Value(0)),
            tax_year=Coalesce(Sum("operating_actuals__tax", filter=year_rows), Value(0)),
            months_year=Count("operating_actuals", filter=year_rows),
            last_month=Max("operating_actuals__month", filter=year_rows),
            # Exists, not a join: a second to-many join would multiply the sums.
            warning_level=Exists(
                ProjectWarning.objects.filter(
                    project=OuterRef("pk"), rule__code=WarningRule.Code.OPERATING, level__in=ACTIVE
                )
            ),
        )
        .order_by("-completion_date", "id")
    )
