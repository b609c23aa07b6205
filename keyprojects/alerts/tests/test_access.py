"""The warning gate (alerts.access): which warnings each role sees. The warning centre's pages, the API
and the cockpit all count through it, so they agree.

The world, on top of the cast (project A in district A, owned by owner A, the department responsible;
project B in district B, owned by owner B): a red light on A, a yellow one on B, and a red one on A
whose rule the office has switched off.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from keyprojects.alerts.access import get_warning_for_user, warnings_visible_to
from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.dashboard.selectors import cockpit_warnings

ALL = {"red_a", "yellow_b", "off_a"}


@pytest.fixture
def world(cast):
    on, off = WarningRule.objects.order_by("pk")[:2]
    WarningRule.objects.filter(pk=off.pk).update(is_active=False)
    now = timezone.now()

    def warning(rule, project, level, subject):
        return ProjectWarning.objects.create(
            rule=rule,
            project=project,
            subject=subject,
            level=level,
            message=f"{project.name}：{level}",
            level_since=now,
            first_raised_at=now,
        )

    cast.warnings = {
        "red_a": warning(on, cast.project_a, Level.RED, f"project:{cast.project_a.pk}"),
        "yellow_b": warning(on, cast.project_b, Level.YELLOW, f"project:{cast.project_b.pk}"),
        "off_a": warning(off, cast.project_a, Level.RED, f"project:{cast.project_a.pk}"),
    }
    return cast


def _keys(world, queryset):
    names = {w.pk: key for key, w in world.warnings.items()}
    return {names[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", ALL),
        ("staff", ALL),
        ("leader", ALL),
        ("district", {"red_a", "off_a"}),
        ("district_b_user", {"yellow_b"}),
        ("department_user", {"red_a", "off_a"}),
        ("owner", {"red_a", "off_a"}),
        ("owner_b_user", {"yellow_b"}),
        ("outsider", set()),
    ],
)
def test_it_shows_each_role_the_warnings_of_its_projects(world, username, expected):
    user = getattr(world, username)
    assert _keys(world, warnings_visible_to(user)) == expected
    for key, warning in world.warnings.items():
        if key in expected:
            assert get_warning_for_user(user, warning.pk) == warning
        else:
            with pytest.raises(Http404):
                get_warning_for_user(user, warning.pk)


def test_it_shows_an_inactive_user_or_a_visitor_no_warning(world):
    world.leader.is_active = False
    world.leader.save()
    assert _keys(world, warnings_visible_to(world.leader)) == set()
    assert _keys(world, warnings_visible_to(AnonymousUser())) == set()


def test_it_answers_404_for_a_warning_that_does_not_exist(world):
    with pytest.raises(Http404):
        get_warning_for_user(world.admin, max(w.pk for w in world.warnings.values()) + 1)


@pytest.mark.parametrize(
    ("username", "red", "yellow"),
    [
        ("staff", 2, 1),
        ("leader", 2, 1),
        ("district", 2, 0),
        ("district_b_user", 0, 1),
        ("owner", 2, 0),
        ("outsider", 0, 0),
    ],
)
def test_it_counts_the_same_warnings_on_the_cockpit(world, username, red, yellow):
    counts = cockpit_warnings(user=getattr(world, username))
    assert (counts["red"], counts["yellow"]) == (red, yellow)
