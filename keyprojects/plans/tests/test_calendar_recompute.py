"""Statistics deadlines when a year's official holiday schedule is confirmed: they are computed, never
stored, so open months follow the official calendar at once; a month the job locked on a provisional
deadline that the official schedule moves later is opened again, in its history."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from keyprojects.audit.models import AuditEntry
from keyprojects.calendars.services import calendar_year_confirm
from keyprojects.lib.tests.notices import schedule_2027
from keyprojects.plans import report_services
from keyprojects.plans.models import AnnualList, MonthLock
from keyprojects.plans.report_selectors import month_deadline

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def test_it_reopens_a_month_locked_on_a_provisional_deadline_and_counts_the_moved_ones(cast):
    annual_list = AnnualList.objects.create(year=2027, title="2027年重点项目清单", report_deadline_workdays=5)
    with time_machine.travel(dt.datetime(2027, 2, 12, 9, 0, tzinfo=TZ), tick=False):
        # Provisional: Sun 31 January + 5 = Feb 1–4 and Thu 11 (Feb 5–10 off by rule): locked on the 12th.
        assert month_deadline(annual_list, 1) == D(2027, 2, 11)
        report_services.months_lock_due()
        assert list(annual_list.locks.values_list("month", flat=True)) == [1]

        holidays, workdays = schedule_2027()
        result = calendar_year_confirm(year=2027, holidays=holidays, workdays=workdays, by=cast.admin)

        # Officially Feb 5–13 are off: the deadline is Mon 15 February, still ahead — January reopens.
        assert month_deadline(annual_list, 1) == D(2027, 2, 15)
        assert not MonthLock.objects.exists()
        # January and September (officially 1–7 October off, Saturday 9 worked) moved; the rest did not.
        assert dict(result.recomputed)["月度报送截止日"] == 2
        assert month_deadline(annual_list, 9) == D(2027, 10, 13)
        entry = AuditEntry.objects.get(model="plans.MonthLock", action=AuditEntry.Action.DELETE)
        assert entry.user == cast.admin
        # The next run keeps it open until the official deadline has passed.
        report_services.months_lock_due()
        assert not MonthLock.objects.exists()
