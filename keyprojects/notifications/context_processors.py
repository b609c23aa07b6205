"""The unread count of the header's bell, counted only when a page shows it (one COUNT query)."""

from functools import cache

from keyprojects.notifications.selectors import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Templates call a callable variable when they resolve it: the count runs on first use, once.
    @cache
    def inbox_unread():
        return unread_count(user)

    return {"inbox_unread": inbox_unread}
