"""The land gate (land.access): who reads and who keeps a project's land ledger.

On top of the cast (project A in district A, owned by owner A, the department responsible; project B in
district B, owned by owner B), each project has a land task.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyprojects.land.access import can_edit_land, get_land_project_for_user, land_tasks_visible_to
from keyprojects.land.models import LandTask


@pytest.fixture
def world(cast):
    cast.land = {
        "a": LandTask.objects.create(project=cast.project_a, responsible_unit=cast.district_a),
        "b": LandTask.objects.create(project=cast.project_b, responsible_unit=cast.district_b),
    }
    return cast


@pytest.mark.parametrize(
    ("username", "reads", "keeps"),
    [
        ("admin", {"a", "b"}, {"a", "b"}),
        ("staff", {"a", "b"}, {"a", "b"}),
        ("leader", {"a", "b"}, set()),
        ("district", {"a"}, {"a"}),
        ("district_b_user", {"b"}, {"b"}),
        ("department_user", {"a"}, set()),
        ("owner", {"a"}, set()),  # the owner reads its ledger; the district keeps it
        ("outsider", set(), set()),
    ],
)
def test_it_lets_the_office_and_the_district_keep_the_ledgers_others_read(world, username, reads, keeps):
    user = getattr(world, username)
    seen = set(land_tasks_visible_to(user).values_list("project_id", flat=True))
    assert seen == {getattr(world, f"project_{k}").pk for k in reads}
    for key in "ab":
        project = getattr(world, f"project_{key}")
        assert can_edit_land(user, project) == (key in keeps)
        if key in keeps:
            assert get_land_project_for_user(user, project.pk, write=True) == project
        elif key in reads:
            assert get_land_project_for_user(user, project.pk) == project
            with pytest.raises(PermissionDenied):
                get_land_project_for_user(user, project.pk, write=True)
        else:
            with pytest.raises(Http404):
                get_land_project_for_user(user, project.pk)
