"""Reads of the orgs app: the office's settings, and the users an organisation page lists."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import F, QuerySet

from keyprojects.orgs.models import OfficeSettings, Organisation, User

# One read per request: orgs.middleware.office_settings_memo opens the memo for the request and drops
# it after; outside a request (jobs, commands, a long-running scheduler) every call reads the row, so
# a change on the settings page is seen at once by every process.
_memo: ContextVar[dict | None] = ContextVar("office_settings_memo", default=None)


def office_settings() -> OfficeSettings:
    """The office's settings, with the office organisation (`.office`, or office_id None before an
    office exists): one query, once per request. Defaults (unsaved) until an admin first saves them.
    The office is the office-kind organisation that has settings, else the first (by sort, id)."""
    memo = _memo.get()
    if memo is not None and "settings" in memo:
        return memo["settings"]
    office = (
        Organisation.objects.filter(kind=Organisation.Kind.OFFICE)
        .select_related("office_settings")
        .order_by(F("office_settings__office").asc(nulls_last=True), "sort", "id")
        .first()
    )
    if office is None:
        found = OfficeSettings()
    else:
        try:
            found = office.office_settings
        except OfficeSettings.DoesNotExist:
            found = OfficeSettings(office=office)
    if memo is not None:
        memo["settings"] = found
    return found


@contextmanager
def office_settings_memo():
    """Within this block office_settings() reads the row once (orgs.middleware opens one per request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def office_settings_forget() -> None:
    """After a save: the rest of the request reads the new values."""
    memo = _memo.get()
    if memo is not None:
        memo.pop("settings", None)


def users_of(organisation: Organisation) -> QuerySet[User]:
    """ORGANISATION's people, for its page: active ones first."""
    return organisation.users.order_by("-is_active", "role", "sort", "username")
