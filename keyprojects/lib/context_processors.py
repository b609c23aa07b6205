"""The calendar's state for every page: the official years (for the 暂定 marks on deadlines) and the
office admin's reminder to enter a year's holiday schedule. Each is one small query, run only when a
page uses it, once per page."""

from functools import cache

from django.utils import timezone

from keyprojects.lib.selectors import calendar_banner
from keyprojects.lib.workdays import official_years


def calendar(request):
    # Templates call a callable variable when they resolve it: the query runs on first use, once.
    @cache
    def calendar_official_years():
        return official_years()

    context = {"calendar_official_years": calendar_official_years}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "role", None) == "office_admin":

        @cache
        def calendar_reminder():
            return calendar_banner(user=user, today=timezone.localdate(), official=calendar_official_years())

        context["calendar_reminder"] = calendar_reminder
    return context
