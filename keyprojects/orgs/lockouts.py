"""Login lockouts (django-axes keeps the failures in the database, shared by every app server): which
accounts and addresses are locked now, and the office admin lifting a lock."""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum

from keyprojects.orgs.access import require_office_admin
from keyprojects.orgs.hooks import login_unlocked
from keyprojects.orgs.models import User


@dataclass
class Lockout:
    key: str  # the username or the address
    failures: int
    last: datetime
    until: datetime | None  # None: locked until unlocked
    person: User | None = None


def _locked_by(field: str, *, now: datetime) -> list[Lockout]:
    attempts = AccessAttempt.objects.exclude(**{f"{field}__isnull": True})
    if field == "username":  # (an empty address would compare as NULL and exclude every row)
        attempts = attempts.exclude(username="")
    cool_off = settings.AXES_COOLOFF_TIME
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=now - cool_off)
    rows = (
        attempts.values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return [
        Lockout(
            key=row[field],
            failures=row["failures"],
            last=row["last"],
            until=row["last"] + cool_off if cool_off else None,
        )
        for row in rows
    ]


def lockouts_now(*, now: datetime) -> dict[str, list[Lockout]]:
    """The accounts (typed usernames, whether or not such an account exists) and the addresses locked
    out at NOW; each account with the person it belongs to, if any."""
    accounts = _locked_by("username", now=now)
    people = User.objects.select_related("organisation").in_bulk(
        [a.key for a in accounts], field_name="username"
    )
    for account in accounts:
        account.person = people.get(account.key)
    return {"accounts": accounts, "addresses": _locked_by("ip_address", now=now)}


@transaction.atomic
def lockout_release(*, by: User, username: str | None = None, ip: str | None = None, request=None) -> int:
    """Forget the failed logins of USERNAME or of the address IP, which lifts its lockout; returns how
    many failure records went. Office admins only. REQUEST, the admin's, gives the log their address."""
    require_office_admin(by)
    if not (username or ip):
        return 0
    count = reset(username=username) if username else reset(ip=ip)
    login_unlocked.send(by=by, username=username, ip=ip, request=request)
    return count
