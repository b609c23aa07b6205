"""Scores of the small city (world.py), every figure computed by hand under the default schemes."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.assessment import services
from keyprojects.assessment.models import Scheme, Score, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.assessment.scoring import ScoreRow, rank_rows, score_units
from keyprojects.assessment.tests.world import NOW, TODAY, seed_schemes, small_city
from keyprojects.orgs.models import Organisation

Q1 = Period.parse("2027Q1")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def city(cast):
    seed_schemes()
    return small_city(cast)


def lines_of(row) -> dict:
    return {line["code"]: line for line in row.lines}


def points(row) -> dict:
    return {code: Decimal(line["points"]) for code, line in lines_of(row).items()}


def test_it_scores_every_district_indicator_as_computed_by_hand(city):
    result = services.assessment_run(period=Q1, today=TODAY, dry_run=True)
    rows = {r.name: r for r in result.rows[UnitKind.DISTRICT]}
    a = rows["青秀区"]
    lines = lines_of(a)
    # 累计完成 80+100+100 + 50+50+100 = 480 万元 of a plan of 1,000 + 1,000; 序时 3/12 of it = 500.
    assert (lines["investment_plan"]["numerator"], lines["investment_plan"]["denominator"]) == (
        480 * 10_000,
        2000 * 10_000,
    )
    assert lines["investment_plan"]["value"] == "24.0"
    assert lines["investment_pace"]["value"] == "96.0"
    assert points(a) == {
        "investment_plan": Decimal("2.40"),  # linear 0–100: 24.0 / 100 × 10
        "investment_pace": Decimal("18.00"),  # linear 60–100: (96 − 60) / 40 × 20
        "start_rate": Decimal("10.00"),  # 1 of 1 new start planned by March started: step 100 → 1 × 10
        "completion_rate": Decimal("10.00"),  # none due: full weight
        "prelim_on_time": Decimal("3.34"),  # 2 of 3 due in the quarter: (66.7 − 50) / 50 × 10
        "problem_on_time": Decimal("2.00"),  # P1, P5, P6 of P1, P5, P6, P2 (late), P3 (escalated): 60%
        "report_on_time": Decimal("3.00"),  # 5 of 6 (March late): 83.3 → the 80 step, 0.3 × 10
        "report_quality": Decimal("3.00"),  # one return + one adjustment: 5 − 1 × 2
        "letters_on_time": Decimal("1.67"),  # 2 of 3 on time: (66.7 − 50) / 50 × 5
        "rectification_on_time": Decimal("5.00"),  # 1 of 1
        "tour_score": Decimal("3.13"),  # (80 + 90) / 2 = 85: (85 − 60) / 40 × 5 = 3.125, half up
        "bonus_big_start": Decimal("0.50"),  # the 15 亿元 new start began in February
        "bonus_completion": Decimal("0.00"),
        "deduction_false_report": Decimal("2.00"),  # January cut back from 100 to 80 万元
        "deduction_stalled_problem": Decimal("1.00"),  # P2, at level 3 past its limit
    }
    assert lines["problem_on_time"]["numerator"] == 3 and lines["problem_on_time"]["denominator"] == 5
    assert (a.base, a.bonus, a.deduction, a.total) == (
        Decimal("61.54"),
        Decimal("0.50"),
        Decimal("3.00"),
        Decimal("59.04"),
    )
    assert not a.met_target  # 序时进度 96.0% < 100%
    b, c = rows["西乡塘区"], rows["兴宁区"]
    # B: 450 of 1,000 (45.0%, 4.50), 序时 180%; the completing project finished in March (+0.5).
    assert (b.base, b.bonus, b.total) == (Decimal("94.50"), Decimal("0.50"), Decimal("95.00"))
    # C: 500 of 1,000 (50.0%, 5.00), 序时 200%, nothing else due.
    assert (c.base, c.bonus, c.total) == (Decimal("95.00"), Decimal("0.00"), Decimal("95.00"))
    # B and C tie at 95.00: C's investment completion (50.0%) beats B's (45.0%).
    assert [(r.name, r.rank) for r in result.rows[UnitKind.DISTRICT]] == [
        ("兴宁区", 1),
        ("西乡塘区", 2),
        ("青秀区", 3),
    ]
    assert b.met_target and c.met_target


def test_it_scores_departments_and_projects_as_computed_by_hand(city):
    result = services.assessment_run(period=Q1, today=TODAY, dry_run=True)
    departments = {r.name: r for r in result.rows[UnitKind.DEPARTMENT]}
    d1 = departments["市发展和改革委员会"]
    assert points(d1) == {
        "approval_on_time": Decimal("10.02"),  # 2 of 3 approvals on time: (66.7 − 50) / 50 × 30
        "task_on_time": Decimal("0.00"),  # 1 of 2: 50% is the zero threshold
        "problem_on_time": Decimal("25.00"),  # P7 on time; P8 has no limit yet
        "instruction_on_time": Decimal("0.00"),  # 1 of 2 replies on time: below the 80 step
        "letters_on_time": Decimal("5.00"),
        "rectification_on_time": Decimal("5.00"),
        "bonus_big_start": Decimal("0.50"),  # responsible for the 15 亿元 new start
        "deduction_stalled_problem": Decimal("0.00"),
    }
    assert d1.total == Decimal("45.52") and not d1.met_target  # target: 80 points
    d2 = departments["市生态环境局"]
    assert d2.total == Decimal("100.00") and d2.met_target and d2.rank == 1
    projects = {r.name: r for r in result.rows[UnitKind.PROJECT]}
    pa = projects["南宁市轨道交通5号线二期工程"]
    assert points(pa) == {
        "investment_pace": Decimal("35.00"),  # 280 of 250 序时
        "report_on_time": Decimal("0.00"),  # 2 of 3
        "task_on_time": Decimal("0.00"),  # 1 of 2 (approvals are counted apart)
        "problem_on_time": Decimal("5.00"),  # P1, P5, P7 of those and P2: 75%
        "prelim_on_time": Decimal("3.34"),
        "report_quality": Decimal("4.00"),  # the adjustment
        "tour_score": Decimal("2.50"),  # 80: (80 − 60) / 40 × 5
        "deduction_false_report": Decimal("2.00"),
    }
    assert pa.total == Decimal("47.84")


def test_it_breaks_ties_by_first_indicator_then_late_items_then_pinyin():
    version = Scheme(unit_kind=UnitKind.DISTRICT)

    def row(name, total, first, late):
        return ScoreRow(
            UnitKind.DISTRICT,
            len(name),
            name,
            version,
            total=Decimal(total),
            tie_value=first,
            late_items=late,
        )

    rows = rank_rows(
        [
            row("兴宁区", "90", Decimal("50.0"), 2),
            row("江南区", "90", Decimal("50.0"), 2),  # same figures as 兴宁区: jnq before xnq
            row("良庆区", "90", Decimal("50.0"), 1),  # fewer late items
            row("邕宁区", "90", Decimal("60.0"), 9),  # higher first indicator
            row("武鸣区", "90", None, 0),  # no value on the first indicator: after those with one
            row("青秀区", "91", Decimal("0.0"), 9),
        ]
    )
    assert [(r.name, r.rank) for r in rows] == [
        ("青秀区", 1),
        ("邕宁区", 2),
        ("良庆区", 3),
        ("江南区", 4),
        ("兴宁区", 5),
        ("武鸣区", 6),
    ]


def test_it_scores_a_rank_curve_by_place(city, cast):
    district = Scheme.objects.get(period_kind="quarter", unit_kind=UnitKind.DISTRICT)
    version = services.scheme_version_create(
        scheme=district,
        by=cast.staff,
        note="按序时进度排名计分",
        total=100,
        bonus_cap=0,
        indicators=[
            {"code": "investment_pace", "weight": Decimal(100), "curve": "rank", "params": {"last": "0.6"}}
        ],
    )
    rows = {r.name: r for r in score_units(Q1, version)}
    # 序时进度: C 200%, B 180%, A 96%: first full, last 0.6 × 100, the middle 0.6 + 0.4 × (3 − 2) / 2.
    assert {name: r.total for name, r in rows.items()} == {
        "兴宁区": Decimal("100.00"),
        "西乡塘区": Decimal("80.00"),
        "青秀区": Decimal("60.00"),
    }
    assert lines_of(rows["西乡塘区"])["investment_pace"]["rank"] == 2


def test_it_scores_a_kind_with_a_fixed_number_of_queries_whatever_the_units(city, cast):
    version = Scheme.objects.get(period_kind="quarter", unit_kind=UnitKind.DISTRICT).versions.get()
    with CaptureQueriesContext(connection) as few:
        score_units(Q1, version)
    for n in range(12):
        Organisation.objects.create(kind=Organisation.Kind.DISTRICT, name=f"测试开发区{n}")
    with CaptureQueriesContext(connection) as many:
        rows = score_units(Q1, version)
    assert len(rows) == 15
    assert len(many) == len(few)


def test_it_keeps_the_scores_and_recomputing_changes_nothing(city):
    first = services.assessment_run(period=Q1, today=TODAY)
    assert first.created == 3 + 2 + 5 and first.run.revision == 1
    stored = list(Score.objects.order_by("pk").values())
    again = services.assessment_run(period=Q1, today=TODAY + dt.timedelta(days=30))
    assert again.unchanged and again.run.revision == 1
    assert list(Score.objects.order_by("pk").values()) == stored
    assert set(first.run.versions.values_list("scheme__unit_kind", flat=True)) == set(UnitKind.values)


def test_it_refuses_a_period_not_closed_or_without_data(city):
    with pytest.raises(ValidationError, match="尚未结束"):
        services.assessment_run(period=Q1, today=dt.date(2027, 4, 2))
    with pytest.raises(ValidationError, match="没有任何月度报送数据"):
        services.assessment_run(period=Period.parse("2027-04"), today=TODAY + dt.timedelta(days=60))
    with pytest.raises(ValidationError, match="2026年没有已发布的年度重点项目清单"):
        services.assessment_run(period=Period.parse("2026"), today=TODAY)
