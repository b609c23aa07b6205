"""Who may see notifications: each user only their own; someone else's does not exist for them. The
robots and the outbox are the office's (orgs.access.require_office)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.notifications.models import Notification


def notifications_visible_to(user) -> QuerySet[Notification]:
    """USER's own notifications (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def get_notification_for_user(user, pk) -> Notification:
    """One of USER's notifications; someone else's does not exist for them (404)."""
    notification = notifications_visible_to(user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("通知不存在。"))
    return notification
