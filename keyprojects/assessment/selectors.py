"""Reads of the assessment pages: schemes and their versions, rankings with their history, a score
explained line by line with the records behind it, red/black lists and the 通报 page. Every read starts
from the gates in assessment.access."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from keyprojects.assessment import curves
from keyprojects.assessment.access import ranking_lists_visible_to, runs_visible_to, scores_visible_to
from keyprojects.assessment.indicators import ADJUSTMENTS, BONUS, INDICATORS, Context, Record, listed_entries
from keyprojects.assessment.models import AssessmentRun, RankingList, Scheme, SchemeVersion, Score, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.projects.models import Project

RANKED_KINDS = (UnitKind.DISTRICT, UnitKind.DEPARTMENT)


# Schemes


def scheme_list() -> list[Scheme]:
    """Every scheme with its current (newest) version as `.current`: two queries."""
    schemes = list(Scheme.objects.all())
    current = {}
    for version in SchemeVersion.objects.order_by("scheme_id", "-number"):
        current.setdefault(version.scheme_id, version)
    for scheme in schemes:
        scheme.current = current.get(scheme.pk)
    return schemes


@dataclass
class IndicatorRow:
    code: str
    label: str
    weight: Decimal
    curve: str
    curve_label: str
    rule: str
    params_text: str


def version_rows(version: SchemeVersion) -> dict:
    """A version's indicators and bonuses/deductions as the scheme page shows them."""
    indicators = [
        IndicatorRow(
            code=i.code,
            label=str(INDICATORS[i.code].label) if i.code in INDICATORS else i.code,
            weight=i.weight,
            curve=i.curve,
            curve_label=i.get_curve_display(),
            rule=curves.describe(i.curve, i.params),
            params_text=curves.params_to_text(i.curve, i.params),
        )
        for i in version.indicators.all()
    ]
    adjustments = [
        {
            "code": a.code,
            "label": ADJUSTMENTS[a.code].label if a.code in ADJUSTMENTS else a.code,
            "bonus": a.code in ADJUSTMENTS and ADJUSTMENTS[a.code].sign == BONUS,
            "points": a.points,
            "cap": a.cap,
            "params": a.params,
        }
        for a in version.adjustments.all()
    ]
    target = ""
    if version.target_indicator in INDICATORS:
        target = _("%(label)s不低于 %(value)s%%") % {
            "label": INDICATORS[version.target_indicator].label,
            "value": curves.plain(version.target_value),
        }
    else:
        target = _("总分不低于 %(value)s 分") % {"value": curves.plain(version.target_value)}
    return {"indicators": indicators, "adjustments": adjustments, "target": target}


# Runs and rankings


def runs_for(user, *, period_kind: str | None = None) -> list[AssessmentRun]:
    runs = runs_visible_to(user)
    if period_kind:
        runs = runs.filter(period_kind=period_kind)
    return list(runs.order_by("-year", "-number", "period_kind"))


def ranking(run: AssessmentRun, unit_kind: str) -> list[Score]:
    """RUN's scores of UNIT_KIND in rank order (without their lines: a ranking has no use for them)."""
    return list(
        run.scores.filter(unit_kind=unit_kind)
        .defer("lines")
        .select_related("organisation", "project")
        .order_by("rank")
    )


def rank_history(user, *, period_kind: str, unit_kind: str, last: int = 12) -> dict:
    """The rank of each unit of UNIT_KIND over the LAST periods of PERIOD_KIND that USER may see, for
    the history chart: {"periods": [labels], "series": [{"name", "data": [rank or None]}]}. Two queries."""
    runs = list(runs_visible_to(user).filter(period_kind=period_kind).order_by("-year", "-number")[:last])
    runs.reverse()
    index = {run.pk: n for n, run in enumerate(runs)}
    series: dict = {}
    rows = (
        Score.objects.filter(run__in=runs, unit_kind=unit_kind)
        .order_by("name")
        .values_list("run_id", "organisation_id", "name", "rank")
    )
    for run_id, org_id, name, rank in rows:
        entry = series.setdefault(org_id, {"name": name, "data": [None] * len(runs)})
        entry["data"][index[run_id]] = rank
    return {"periods": [str(run) for run in runs], "series": list(series.values())}


def visible_score_ids(user, run: AssessmentRun | None) -> set[int]:
    """The scores of RUN whose page USER may open: a ranking links only those."""
    if run is None:
        return set()
    return set(scores_visible_to(user).filter(run=run).values_list("pk", flat=True))


# A score explained


@dataclass
class Line:
    code: str
    label: str
    kind: str  # "indicator", "bonus", "deduction"
    figures: str
    rule: str
    working: str
    weight: str
    points: str
    records_label: str = ""
    records_url: str = ""


def score_lines(score: Score) -> list[Line]:
    """Every line of SCORE: the value with its numbers, the curve, the working, weight and points, and a
    link to the records behind it where there are any."""
    lines = []
    for line in score.lines:
        code = line["code"]
        url = reverse("score_records", args=[score.pk, code])
        if line["kind"] == "indicator":
            indicator = INDICATORS.get(code)
            if indicator is None:
                continue
            weight = Decimal(line["weight"])
            has_records = bool(indicator.records_label) and (
                line["late"] or indicator.money or (indicator.kind == "score" and line["count"])
            )
            lines.append(
                Line(
                    code=code,
                    label=str(indicator.label),
                    kind="indicator",
                    figures=indicator.figures(line),
                    rule=curves.describe(line["curve"], line["params"]),
                    working=curves.working(
                        line["curve"],
                        line["params"],
                        weight,
                        line["value"],
                        Decimal(line["points"]),
                        rank=line.get("rank"),
                        count=line.get("of"),
                    ),
                    weight=line["weight"],
                    points=line["points"],
                    records_label=str(indicator.records_label) if has_records else "",
                    records_url=url if has_records else "",
                )
            )
        else:
            adjustment = ADJUSTMENTS.get(code)
            if adjustment is None:
                continue
            lines.append(
                Line(
                    code=code,
                    label=str(adjustment.label),
                    kind=line["kind"],
                    figures=_("%(n)s %(item)s") % {"n": line["count"], "item": adjustment.item},
                    rule=_("每%(item)s %(per)s 分，上限 %(cap)s 分")
                    % {
                        "item": adjustment.item,
                        "per": line["per"],
                        "cap": line["cap"],
                    },
                    working=_("%(n)s × %(per)s = %(raw)s，计 %(pts)s 分")
                    % {
                        "n": line["count"],
                        "per": line["per"],
                        "raw": curves.cents(Decimal(line["per"]) * line["count"]),
                        "pts": line["points"],
                    },
                    weight="",
                    points=("+" if line["kind"] == BONUS else "−") + line["points"],
                    records_label=str(adjustment.label) if line["count"] else "",
                    records_url=url if line["count"] else "",
                )
            )
    return lines


def score_records(score: Score, code: str) -> tuple[str, list[Record]] | None:
    """The records behind line CODE of SCORE, for SCORE's own unit only: (title, records), or None when
    the score has no such line."""
    line = next((x for x in score.lines if x["code"] == code), None)
    if line is None:
        return None
    ctx = Context(period=score.run.period_obj, unit_kind=score.unit_kind)
    if line["kind"] == "indicator" and code in INDICATORS:
        indicator = INDICATORS[code]
        return str(indicator.records_label or indicator.label), indicator.records(ctx, score.unit_id)
    if code in ADJUSTMENTS:
        adjustment = ADJUSTMENTS[code]
        return str(adjustment.label), adjustment.records(ctx, line.get("params") or {}, score.unit_id)
    return None


def score_history(score: Score, user) -> list[Score]:
    """The same unit's scores in the other periods of the same kind USER may see, oldest first."""
    scores = Score.objects.filter(
        run__in=runs_visible_to(user).filter(period_kind=score.run.period_kind), unit_kind=score.unit_kind
    )
    if score.unit_kind == UnitKind.PROJECT:
        scores = scores.filter(project_id=score.project_id)
    else:
        scores = scores.filter(organisation_id=score.organisation_id)
    return list(scores.defer("lines").select_related("run").order_by("run__year", "run__number"))


# Red/black lists and notices


def ranking_list_sections(ranking_list: RankingList) -> dict:
    """The list's entries by side: {"red": [...], "black": [...], "out": [removed or exempted]}."""
    sections = {"red": [], "black": [], "out": []}
    entries = ranking_list.entries.select_related(
        "organisation", "project", "problem", "added_by", "removed_by"
    )
    for entry in entries:
        sections["out" if not entry.is_listed else entry.side].append(entry)
    return sections


def listed_projects(year: int):
    """The projects on YEAR's list (published batches), by name: those a list may name by hand."""
    return Project.objects.filter(id__in=listed_entries(year).values("project_id")).order_by("name")


def ranking_lists_for(user) -> list[RankingList]:
    return list(
        ranking_lists_visible_to(user).select_related("run", "drafted_by", "reviewed_by", "published_by")
    )


def notices_for(user) -> dict:
    """The 通报 page: the published lists (current and corrected) and the monthly briefings (one per
    published month)."""
    lists = list(
        ranking_lists_visible_to(user)
        .filter(status__in=(RankingList.Status.PUBLISHED, RankingList.Status.SUPERSEDED))
        .select_related("run")
        .order_by("-published_at")
    )
    months = [
        Period(run.period_kind, run.year, run.number)
        for run in runs_visible_to(user)
        .filter(period_kind="month", status=AssessmentRun.Status.PUBLISHED)
        .order_by("-year", "-number")
    ]
    return {"lists": lists, "months": months}


def find_run(user, period: Period) -> AssessmentRun | None:
    return runs_visible_to(user).filter(period=period.code).first()
