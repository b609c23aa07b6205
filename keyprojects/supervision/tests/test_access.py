"""Who sees and does what in supervision (supervision.access): the office issues and decides, the unit
addressed sees and answers its own, leaders read everything, nobody else sees anything."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyprojects.supervision import access, services
from keyprojects.supervision.tests.support import day, find, inspect, issue, png


@pytest.fixture
def world(cast):
    cast.letter_a = issue(cast)
    cast.letter_b = issue(cast, unit=cast.district_b, project=cast.project_b)
    cast.finding = find(cast, inspect(cast), photos=[png()])
    cast.item = cast.finding.rectifications.get()
    cast.tour = services.tour_create(
        by=cast.staff,
        title="观摩",
        date=day("2026-11-20"),
        projects=[cast.project_a],
        jurors=[cast.department_user],
    )
    return cast


def test_it_shows_each_unit_its_own_letters_and_leaders_all(world):
    def seen(user):
        return set(access.letters_visible_to(user))

    everything = {world.letter_a, world.letter_b}
    assert seen(world.staff) == seen(world.leader) == everything
    assert seen(world.district) == {world.letter_a}
    assert seen(world.district_b_user) == {world.letter_b}
    assert seen(world.department_user) == seen(world.owner) == seen(world.outsider) == set()


def test_it_lets_the_unit_reply_and_the_office_decide_and_leaders_only_read(world):
    letter = world.letter_a
    assert access.get_letter_for_user(world.district, letter.pk, action="reply") == letter
    assert access.get_letter_for_user(world.staff, letter.pk, action="decide") == letter
    assert access.get_letter_for_user(world.leader, letter.pk) == letter
    for user, action in (
        (world.leader, "reply"),
        (world.leader, "decide"),
        (world.staff, "reply"),
        (world.district, "decide"),
    ):
        with pytest.raises(PermissionDenied):
            access.get_letter_for_user(user, letter.pk, action=action)
    with pytest.raises(Http404):
        access.get_letter_for_user(world.district_b_user, letter.pk)


def test_it_shows_a_unit_its_rectification_items_and_their_photos_but_not_the_inspection(world):
    assert list(access.rectifications_visible_to(world.district)) == [world.item]
    assert not access.rectifications_visible_to(world.department_user).exists()
    photo = world.finding.photos.get()
    assert access.get_finding_photo_for_user(world.district, photo.pk) == photo
    with pytest.raises(Http404):
        access.get_finding_photo_for_user(world.department_user, photo.pk)
    with pytest.raises(Http404):
        access.get_inspection_for_user(world.district, world.finding.inspection_id)
    with pytest.raises(PermissionDenied):
        access.get_inspection_for_user(world.leader, world.finding.inspection_id, write=True)


def test_it_shows_a_tour_to_its_jurors_and_lets_only_them_score(world):
    assert list(access.tours_visible_to(world.department_user)) == [world.tour]
    assert not access.tours_visible_to(world.district).exists()
    assert access.get_tour_for_user(world.department_user, world.tour.pk, action="score") == world.tour
    with pytest.raises(PermissionDenied):
        access.get_tour_for_user(world.staff, world.tour.pk, action="score")
    with pytest.raises(PermissionDenied):
        access.get_tour_for_user(world.department_user, world.tour.pk, action="manage")


def test_it_shows_nothing_to_someone_signed_out_or_inactive(world):
    world.district.is_active = False
    for user in (AnonymousUser(), world.district):
        assert not access.letters_visible_to(user).exists()
        assert not access.rectifications_visible_to(user).exists()
        assert not access.inspections_visible_to(user).exists()
        assert not access.tours_visible_to(user).exists()
