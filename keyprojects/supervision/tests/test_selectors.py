"""What assessment counts (supervision.selectors): letters and rectification items per unit and period,
and tour results per project — on a small world computed by hand."""

from decimal import Decimal

import pytest

from keyprojects.supervision import selectors, services
from keyprojects.supervision.models import Letter, Rectification, Tour
from keyprojects.supervision.tests.support import day, find, inspect, issue, pdf, reply

Q3 = (day("2026-07-01"), day("2026-09-30"))
Q4 = (day("2026-10-01"), day("2026-12-31"))
LATER = day("2027-01-10")


def _sign_off(cast, letter, on):
    return services.letter_sign_off(letter=letter, by=cast.staff, today=day(on))


@pytest.fixture
def letters(cast):
    """District A's letters of Q4 2026 (deadline five working days after issue unless said):
    L1 replied in time and signed off; L2 replied late; L3 never replied; L4 due in 2027; L5 issued in
    Q3 and due in Q4, never replied; L6 replied in time, awaiting the office. The department's L7 was
    replied to in time but sent back, and not answered again."""
    l1 = issue(cast, today=day("2026-10-12"))  # due 19 October
    _sign_off(cast, reply(cast, l1, today=day("2026-10-15")), "2026-10-20")
    l2 = issue(cast, today=day("2026-11-02"))  # due 9 November
    _sign_off(cast, reply(cast, l2, today=day("2026-11-12")), "2026-11-13")
    l3 = issue(cast, today=day("2026-11-16"))  # due 23 November
    l4 = issue(cast, today=day("2026-12-28"), workdays=10)
    l5 = issue(cast, today=day("2026-09-28"))  # due 10 October
    l6 = issue(cast, today=day("2026-12-01"))  # due 8 December
    reply(cast, l6, today=day("2026-12-03"))
    l7 = issue(cast, unit=cast.department, today=day("2026-11-16"))
    reply(cast, l7, by=cast.department_user, today=day("2026-11-20"))
    services.letter_return(letter=l7, by=cast.staff, reason="材料不全。", today=day("2026-11-24"))
    return {"l1": l1, "l2": l2, "l3": l3, "l4": l4, "l5": l5, "l6": l6, "l7": l7}


def test_it_counts_each_units_letters_issued_on_time_and_overdue(cast, letters):
    counts = selectors.letter_counts_by_unit(*Q4, today=LATER)
    assert counts == {
        cast.district_a.pk: {"issued": 5, "on_time": 1, "overdue": 3},
        cast.department.pk: {"issued": 1, "on_time": 0, "overdue": 1},
    }


def test_it_lists_the_letters_behind_each_count(cast, letters):
    def listed(**kw):
        return [x.pk for x in selectors.letters_for_unit(cast.district_a.pk, *Q4, today=LATER, **kw)]

    assert listed(overdue=True) == [letters["l5"].pk, letters["l2"].pk, letters["l3"].pk]
    assert listed(overdue=False) == [letters["l1"].pk]
    assert sorted(listed()) == sorted(letters[k].pk for k in ("l1", "l2", "l3", "l4", "l6"))


def test_it_counts_a_letter_overdue_only_once_its_last_day_has_passed(cast):
    issue(cast, today=day("2026-11-16"))  # due 23 November
    assert selectors.letter_counts_by_unit(*Q4, today=day("2026-11-23"))[cast.district_a.pk]["overdue"] == 0
    assert selectors.letter_counts_by_unit(*Q4, today=day("2026-11-24"))[cast.district_a.pk]["overdue"] == 1


def test_it_leaves_out_units_without_letters_in_the_period(cast, letters):
    assert selectors.letter_counts_by_unit(day("2025-01-01"), day("2025-12-31"), today=LATER) == {}


def _submit(cast, item, on, *, by=None):
    return services.rectification_submit(
        item=item, by=by or cast.district, note="已整改。", files=[pdf()], today=day(on)
    )


def _decide(cast, item, on, accept=True):
    return services.rectification_decide(
        item=item, by=cast.staff, accept=accept, note="" if accept else "未到位。", today=day(on)
    )


@pytest.fixture
def items(cast):
    """District A's rectification items (five working days each): R1 submitted in time and signed off;
    R2 submitted late and signed off in Q4; R3 never; R4 assigned in Q3, still open; R5 submitted in
    time, awaiting the office; R6 submitted late in January and signed off then."""
    inspection = inspect(cast)

    def item(on):
        return find(cast, inspection, today=day(on)).rectifications.get()

    r1 = item("2026-11-16")  # due 23 November
    _decide(cast, _submit(cast, r1, "2026-11-20"), "2026-11-24")
    r2 = item("2026-11-16")
    _decide(cast, _submit(cast, r2, "2026-11-25"), "2026-11-26")
    r3 = item("2026-11-16")
    r4 = item("2026-09-14")  # due 21 September
    r5 = item("2026-12-07")  # due 14 December
    _submit(cast, r5, "2026-12-10")
    r6 = item("2026-11-16")
    _decide(cast, _submit(cast, r6, "2027-01-04"), "2027-01-05")
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5, "r6": r6}


def test_it_counts_each_units_rectification_items(cast, items):
    assert selectors.rectification_counts_by_unit(*Q4, today=LATER) == {
        cast.district_a.pk: {"items": 5, "on_time": 1, "open_overdue": 3}
    }
    # R4 counted in Q3 too: an item left unrectified counts against its unit in every period.
    assert selectors.rectification_counts_by_unit(*Q3, today=LATER) == {
        cast.district_a.pk: {"items": 1, "on_time": 0, "open_overdue": 1}
    }


def test_it_lists_the_items_behind_each_count(cast, items):
    def listed(**kw):
        return [x.pk for x in selectors.rectifications_for_unit(cast.district_a.pk, *Q4, today=LATER, **kw)]

    assert sorted(listed(overdue=True)) == sorted(items[k].pk for k in ("r3", "r4", "r6"))
    assert listed(overdue=False) == [items["r1"].pk]
    assert len(listed()) == 5


def test_it_counts_an_item_returned_after_a_timely_submission_as_overdue_once_its_time_is_up(cast):
    item = find(cast, inspect(cast), today=day("2026-11-16")).rectifications.get()
    _submit(cast, item, "2026-11-20")
    assert selectors.rectification_counts_by_unit(*Q4, today=LATER)[cast.district_a.pk]["open_overdue"] == 0
    _decide(cast, Rectification.objects.get(pk=item.pk), "2026-11-24", accept=False)
    assert selectors.rectification_counts_by_unit(*Q4, today=LATER)[cast.district_a.pk]["open_overdue"] == 1


def test_it_averages_a_tours_totals_dropping_the_extremes_from_five_jurors():
    assert selectors.tour_average([Decimal(80), Decimal(90), Decimal(70)], 100) == Decimal("80.00")
    totals = [Decimal(n) for n in (60, 80, 85, 90, 100)]
    assert selectors.tour_average(totals, 100) == Decimal("85.00")  # (80 + 85 + 90) / 3
    assert selectors.tour_average([Decimal("40"), Decimal("45.5")], 50) == Decimal("85.50")
    assert selectors.tour_average([], 100) is None


def _tour(cast, date, scores, *, close=True):
    """A tour of project A on DATE with one juror per total in SCORES (each scored wholly on the first
    criterion, the rest 0)."""
    from keyprojects.test import make_user

    jurors = [make_user(f"juror{date}{n}", cast.office, "office_staff") for n in range(len(scores))]
    tour = services.tour_create(
        by=cast.staff, title="观摩", date=day(date), projects=[cast.project_a], jurors=jurors
    )
    criteria = list(tour.criteria.all())
    for juror, total in zip(jurors, scores, strict=True):
        points = {c.pk: 0 for c in criteria}
        rest = Decimal(total)
        for c in criteria:
            points[c.pk] = min(rest, c.max_points)
            rest -= points[c.pk]
        services.tour_score(tour=tour, by=juror, project=cast.project_a, points=points)
    if close:
        services.tour_close(tour=tour, by=cast.staff)
    return tour


def test_it_gives_each_project_the_mean_of_its_results_in_closed_tours_of_the_period(cast):
    _tour(cast, "2026-10-20", [80, 90])  # 85
    _tour(cast, "2026-12-01", [60, 70, 75, 80, 99])  # (70 + 75 + 80) / 3 = 75
    _tour(cast, "2026-12-05", [10], close=False)  # still scoring: not counted
    _tour(cast, "2027-01-05", [10])  # another period
    assert selectors.tour_scores_by_project(*Q4) == {cast.project_a.pk: Decimal("80.00")}
    assert Tour.objects.filter(status=Tour.Status.CLOSED).count() == 3


def test_it_keeps_its_counts_when_computed_again(cast, letters, items):
    first = (
        selectors.letter_counts_by_unit(*Q4, today=LATER),
        selectors.rectification_counts_by_unit(*Q4, today=LATER),
    )
    assert first == (
        selectors.letter_counts_by_unit(*Q4, today=LATER),
        selectors.rectification_counts_by_unit(*Q4, today=LATER),
    )
    assert Letter.objects.count() == 7
