"""What the monthly-report tests share: a fixed today, the cast's list published before the year, and
small helpers to post a report as a person would."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from keyprojects.lib.money import wan_to_yuan
from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.tests.cast import plans_cast

TZ = ZoneInfo("Asia/Shanghai")
# A Friday in November 2026: January–October have ended; October's deadline (2026-11-06) has passed.
TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
Status = MonthlyReport.Status


def reports_world(cast):
    """The cast with its 2026 list published in December 2025, so every month of 2026 is owed."""
    plans_cast(cast)
    cast.batch.published_at = dt.datetime(2025, 12, 20, 9, 0, tzinfo=TZ)
    cast.batch.save(update_fields=["published_at"])
    cast.entry_a.batch = cast.entry_b.batch = cast.batch
    return cast


def yuan(wan) -> int:
    return wan_to_yuan(Decimal(str(wan)))


def make_report(entry, month, wan, *, status=Status.SUBMITTED, by=None, **extra) -> MonthlyReport:
    """A report written straight to the database (the state a test starts from, not the one it checks)."""
    handed_in = status in (Status.SUBMITTED, Status.APPROVED)
    return MonthlyReport.objects.create(
        entry=entry,
        month=month,
        amount=yuan(wan),
        progress=extra.pop("progress", f"{month}月形象进度"),
        status=status,
        submitted_by=by if handed_in else None,
        submitted_at=extra.pop("submitted_at", timezone.now() if handed_in else None),
        **extra,
    )


def fill_url(entry, month) -> str:
    return reverse("report_fill", args=[entry.pk, month])


def post_report(client, entry, month, amount, *, action="submit", version="", **fields):
    data = {
        "amount": str(amount),
        "progress": fields.pop("progress", "主体结构施工"),
        "problems": fields.pop("problems", ""),
        "explanation": fields.pop("explanation", ""),
        "version": version,
        "action": action,
        **fields,
    }
    return client.post(fill_url(entry, month), data)


def form_errors(response) -> list[str]:
    """Every error message the form page shows (field and non-field)."""
    form = response.context["form"]
    return [m for messages in form.errors.values() for m in messages]
