"""The scoring engine: every unit of a kind scored for a period under one scheme version, set-based.

Each indicator and each bonus/deduction is measured once for all the units (assessment.indicators: a
fixed number of grouped queries each), then every unit's points are added up here, in memory:

    points of an indicator = its curve applied to its value, out of its weight (assessment.curves)
    bonus     = Σ min(points per item × items, the item's cap), at most the version's bonus cap
    deduction = Σ min(points per item × items, the item's cap)
    total     = max(0, Σ points + bonus − deduction)

so 0 ≤ total ≤ the scheme's total + its bonus cap. Ranks run 1…n within the kind of unit; equal totals
are separated by TIE_BREAK, in this order:
  1. the higher value of the version's first indicator (for districts, investment completion against
     the annual plan), a unit without a value after those with one;
  2. fewer late or overdue items (reports, problems, tasks, letters … behind the indicators);
  3. the unit's name, in pinyin order.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.utils.translation import gettext_lazy as _

from keyprojects.assessment import curves
from keyprojects.assessment.indicators import (
    ADJUSTMENTS,
    BONUS,
    COUNT,
    INDICATORS,
    Context,
    Measure,
    listed_entries,
)
from keyprojects.assessment.models import SchemeVersion, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.lib.text import pinyin_initials
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project

TIE_BREAK = (
    _("总分相同的，依次比较：方案第一项指标的数值高者在前（城区为年度投资完成率）；"),
    _("逾期事项（逾期报送、超时问题、逾期任务和督办函等）少者在前；"),
    _("单位名称按拼音排序。"),
)
ZERO = Decimal(0)


@dataclass
class ScoreRow:
    """A unit's score as computed (assessment.models.Score holds it once written)."""

    unit_kind: str
    key: int
    name: str
    version: SchemeVersion
    base: Decimal = ZERO
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    total: Decimal = ZERO
    rank: int = 0
    met_target: bool = False
    tie_value: Decimal | None = None
    late_items: int = 0
    lines: list = field(default_factory=list)
    pinyin: str | None = None  # the name's pinyin initials when known (projects keep them for search)


def units_for(unit_kind: str, period: Period) -> dict:
    """{id: (name, pinyin initials or None)} of the units scored: active districts or departments, or
    the projects on the year's list (published batches), whose search text already holds their
    initials. One query."""
    if unit_kind == UnitKind.PROJECT:
        projects = Project.objects.filter(id__in=listed_entries(period.year).values("project_id"))
        return {
            pk: (name, search.split("|")[1] if search.count("|") >= 2 else None)
            for pk, name, search in projects.order_by("id").values_list("id", "name", "search_text")
        }
    orgs = Organisation.objects.filter(kind=unit_kind, is_active=True).order_by("sort", "name")
    return {pk: (name, None) for pk, name in orgs.values_list("id", "name")}


def _text(value) -> str | None:
    return None if value is None else str(value)


def score_units(period: Period, version: SchemeVersion, *, units: dict | None = None) -> list[ScoreRow]:
    """Every unit of VERSION's kind scored for PERIOD, ranked. UNITS (as units_for gives them) defaults
    to units_for(); a unit with no record of an indicator has nothing due there (value None: full
    points)."""
    unit_kind = version.scheme.unit_kind
    units = units_for(unit_kind, period) if units is None else units
    ctx = Context(period=period, unit_kind=unit_kind)
    indicators = list(version.indicators.all())
    adjustments = list(version.adjustments.all())
    measures = {i.code: INDICATORS[i.code].measure(ctx) for i in indicators}
    counts = {a.code: ADJUSTMENTS[a.code].count(ctx, a.params) for a in adjustments}
    places = {}
    for ind in indicators:
        if ind.curve == curves.RANK:
            values = {key: _measure(measures, ind, key).value for key in units}
            places[ind.code] = (curves.ranks(values), sum(v is not None for v in values.values()))
    rows = []
    for key, (name, pinyin) in units.items():
        row = ScoreRow(unit_kind=unit_kind, key=key, name=name, version=version, pinyin=pinyin)
        for ind in indicators:
            m = _measure(measures, ind, key)
            rank, count = None, None
            if ind.code in places:
                rank, count = places[ind.code][0][key], places[ind.code][1]
            pts = curves.points(ind.curve, ind.params, ind.weight, m.value, rank=rank or 1, count=count or 1)
            row.base += pts
            row.late_items += m.late
            row.lines.append(
                {
                    "kind": "indicator",
                    "code": ind.code,
                    "weight": str(ind.weight),
                    "curve": ind.curve,
                    "params": ind.params,
                    "numerator": m.numerator,
                    "denominator": m.denominator,
                    "count": m.count,
                    "value": _text(m.value),
                    "rank": rank,
                    "of": count,
                    "late": m.late,
                    "points": str(pts),
                }
            )
        for adj in adjustments:
            n = counts[adj.code].get(key, 0)
            pts = curves.cents(min(adj.points * n, adj.cap))
            sign = ADJUSTMENTS[adj.code].sign
            if sign == BONUS:
                row.bonus += pts
            else:
                row.deduction += pts
            row.lines.append(
                {
                    "kind": sign,
                    "code": adj.code,
                    "count": n,
                    "per": str(adj.points),
                    "cap": str(adj.cap),
                    "params": adj.params,
                    "points": str(pts),
                }
            )
        row.bonus = min(row.bonus, version.bonus_cap)
        row.total = max(ZERO, row.base + row.bonus - row.deduction)
        row.tie_value = _measure(measures, indicators[0], key).value if indicators else None
        row.met_target = _met(version, measures, indicators, key, row.total)
        rows.append(row)
    return rank_rows(rows)


def _measure(measures: dict, ind, key) -> Measure:
    found = measures[ind.code].get(key)
    if found is not None:
        return found
    # Nothing counted: a count indicator counts none; a rate or score had nothing due.
    return Measure(value=ZERO) if INDICATORS[ind.code].kind == COUNT else Measure()


def _met(version: SchemeVersion, measures: dict, indicators, key, total: Decimal) -> bool:
    """Met the period target: the target indicator's value (or, without one, the total) at least the
    target value. A unit with nothing due on the target indicator has met it."""
    if not version.target_indicator:
        return total >= version.target_value
    ind = next((i for i in indicators if i.code == version.target_indicator), None)
    if ind is None:
        return total >= version.target_value
    value = _measure(measures, ind, key).value
    return value is None or Decimal(value) >= version.target_value


def rank_rows(rows: list[ScoreRow]) -> list[ScoreRow]:
    """ROWS in rank order with RANK set 1…n (TIE_BREAK). Names go to pinyin only among rows still
    equal on the figures, so a ranking of 20,000 projects does not transliterate 20,000 names."""

    def figures(row):
        return (-row.total, row.tie_value is None, -(row.tie_value or ZERO), row.late_items)

    ordered = []
    for _key, group in groupby(sorted(rows, key=figures), key=figures):
        group = list(group)
        if len(group) > 1:
            group.sort(
                key=lambda r: (r.pinyin if r.pinyin is not None else pinyin_initials(r.name), r.name, r.key)
            )
        ordered.extend(group)
    for rank, row in enumerate(ordered, start=1):
        row.rank = rank
    return ordered
