"""Observation and appraisal tours (观摩评比): the scoring form, the jurors' scores and the results."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.supervision import selectors, services
from keyprojects.supervision.models import Tour, TourScore
from keyprojects.supervision.tests.support import day
from keyprojects.test import make_user


@pytest.fixture
def tour(cast):
    return services.tour_create(
        by=cast.staff,
        title="2026年四季度重点项目观摩评比",
        date=day("2026-11-20"),
        projects=[cast.project_a, cast.project_b],
        jurors=[cast.staff, cast.leader],
    )


def _form(tour, *values):
    return {c.pk: v for c, v in zip(tour.criteria.all(), values, strict=True)}


def test_it_starts_from_the_usual_form(tour):
    assert [(c.name, c.max_points) for c in tour.criteria.all()] == [
        ("项目建设进度", 30),
        ("投资完成", 25),
        ("建设质量与安全", 20),
        ("要素保障", 15),
        ("现场管理", 10),
    ]


def test_it_refuses_scores_out_of_range_or_missing(cast, tour):
    with pytest.raises(ValidationError) as error:
        services.tour_score(
            tour=tour, by=cast.leader, project=cast.project_a, points=_form(tour, 31, 20, 15, 10, 5)
        )
    assert list(error.value.message_dict.values()) == [
        ["“项目建设进度”的得分应在 0 至 30 之间，最多一位小数。"]
    ]
    for bad in (-1, "12.25", "abc", None):
        with pytest.raises(ValidationError):
            services.tour_score(
                tour=tour, by=cast.leader, project=cast.project_a, points=_form(tour, 20, bad, 15, 10, 5)
            )
    assert not TourScore.objects.exists()


def test_it_lets_only_a_juror_score_a_project_of_the_tour(cast, tour):
    points = _form(tour, 20, 20, 15, 10, 5)
    with pytest.raises(ValidationError):
        services.tour_score(tour=tour, by=cast.admin, project=cast.project_a, points=points)
    other = services.tour_create(
        by=cast.staff, title="另一场", date=day("2026-11-21"), projects=[cast.project_b], jurors=[cast.leader]
    )
    with pytest.raises(ValidationError):
        services.tour_score(
            tour=other, by=cast.leader, project=cast.project_a, points=_form(other, 1, 1, 1, 1, 1)
        )


def test_it_averages_the_jurors_totals_out_of_100(cast, tour):
    services.tour_score(
        tour=tour, by=cast.leader, project=cast.project_a, points=_form(tour, 27, 20, 18, 12, 8)
    )
    services.tour_score(
        tour=tour, by=cast.staff, project=cast.project_a, points=_form(tour, "25.5", 22, 16, 13, 9)
    )
    results = {r["project"].pk: r for r in selectors.tour_results(tour)}
    assert results[cast.project_a.pk]["result"] == Decimal("85.25")  # (85 + 85.5) / 2
    assert results[cast.project_a.pk]["rank"] == 1
    assert results[cast.project_b.pk]["result"] is None


def test_it_drops_the_highest_and_lowest_total_from_five_jurors(cast):
    jurors = [make_user(f"j{n}", cast.office, "office_staff") for n in range(5)]
    tour = services.tour_create(
        by=cast.staff,
        title="观摩",
        date=day("2026-11-20"),
        projects=[cast.project_a],
        jurors=jurors,
        criteria=[("综合", 100)],
    )
    for juror, total in zip(jurors, (50, 80, 82, 84, 100), strict=True):
        services.tour_score(tour=tour, by=juror, project=cast.project_a, points=_form(tour, total))
    assert selectors.tour_results(tour)[0]["result"] == Decimal("82.00")


def test_it_keeps_the_form_once_scoring_has_begun_and_scores_once_closed(cast, tour):
    services.tour_criteria_set(tour=tour, by=cast.staff, criteria=[("进度", 60), ("质量", 40)])
    assert tour.criteria.count() == 2
    services.tour_score(tour=tour, by=cast.leader, project=cast.project_a, points=_form(tour, 50, 30))
    with pytest.raises(ValidationError):
        services.tour_criteria_set(tour=tour, by=cast.staff, criteria=[("进度", 100)])
    with pytest.raises(PermissionDenied):
        services.tour_close(tour=tour, by=cast.leader)
    services.tour_close(tour=tour, by=cast.staff)
    assert Tour.objects.get(pk=tour.pk).status == Tour.Status.CLOSED
    with pytest.raises(ValidationError):
        services.tour_score(tour=tour, by=cast.leader, project=cast.project_a, points=_form(tour, 40, 30))


def test_it_refuses_a_criterion_without_points_or_named_twice(cast):
    with pytest.raises(ValidationError):
        services.tour_create(
            by=cast.staff,
            title="x",
            date=day("2026-11-20"),
            projects=[cast.project_a],
            jurors=[cast.leader],
            criteria=[("进度", 0)],
        )
    with pytest.raises(ValidationError):
        services.tour_create(
            by=cast.staff,
            title="x",
            date=day("2026-11-20"),
            projects=[cast.project_a],
            jurors=[cast.leader],
            criteria=[("进度", 50), ("进度", 50)],
        )
