"""The notification gate (notifications.access): each user sees only their own notifications."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from keyprojects.notifications.access import get_notification_for_user, notifications_visible_to
from keyprojects.notifications.models import Kind, Notification


@pytest.fixture
def notes(cast):
    def note(user, key):
        return Notification.objects.create(recipient=user, kind=Kind.TASK_DUE, title="任务即将到期", key=key)

    return {"owner": note(cast.owner, "task:1"), "district": note(cast.district, "task:2")}


def test_it_shows_each_user_only_their_own_notifications(cast, notes):
    assert list(notifications_visible_to(cast.owner)) == [notes["owner"]]
    assert list(notifications_visible_to(cast.district)) == [notes["district"]]
    assert not notifications_visible_to(cast.admin).exists()  # not even the office sees others'
    assert not notifications_visible_to(AnonymousUser()).exists()


def test_it_answers_404_for_someone_elses_notification(cast, notes):
    assert get_notification_for_user(cast.owner, notes["owner"].pk) == notes["owner"]
    for user in (cast.district, cast.admin, cast.owner_b_user):
        with pytest.raises(Http404):
            get_notification_for_user(user, notes["owner"].pk)
