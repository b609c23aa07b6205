"""The statistics deadline the office sets (系统设置): this year's list and later ones take it at once,
earlier years keep the one they ran under, and a new year's list starts with it."""

import datetime as dt

import pytest
import time_machine

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.services import office_settings_update
from keyprojects.plans.models import AnnualList
from keyprojects.plans.report_selectors import month_deadline
from keyprojects.plans.services import annual_list_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10), tick=False):
        yield


def _save(cast, **changes):
    fields = {
        "name": cast.office.name,
        "short_name": "",
        "minutes_prefix": "邕重点办纪",
        "report_deadline_workdays": 5,
        "reminder_hour": 0,
        "open_data_prefix": "oc4ids-xxxxxx",
        **changes,
    }
    return office_settings_update(by=cast.admin, expected_version=1, **fields)


def test_it_applies_a_new_deadline_to_this_year_and_later_only(cast):
    lists = {y: AnnualList.objects.create(year=y, title=f"{y}年重点项目清单") for y in (2025, 2026, 2027)}
    before = month_deadline(lists[2026], 11)

    _save(cast, report_deadline_workdays=7)

    now = {y: AnnualList.objects.get(pk=al.pk) for y, al in lists.items()}
    assert {y: al.report_deadline_workdays for y, al in now.items()} == {2025: 5, 2026: 7, 2027: 7}
    assert month_deadline(now[2026], 11) > before
    change = AuditEntry.objects.get(model="plans.AnnualList", object_id=str(lists[2026].pk))
    assert change.user == cast.admin and list(change.changes.values()) == [["5", "7"]]
    assert not AuditEntry.objects.filter(model="plans.AnnualList", object_id=str(lists[2025].pk)).exists()


def test_it_starts_a_new_years_list_with_the_offices_deadline(cast):
    _save(cast, report_deadline_workdays=3)

    assert annual_list_ensure(year=2028, by=cast.staff).report_deadline_workdays == 3


def test_it_leaves_the_lists_alone_when_the_deadline_did_not_change(cast):
    AnnualList.objects.create(year=2026, title="2026年重点项目清单", report_deadline_workdays=6)

    _save(cast, minutes_prefix="测重点办纪")

    assert AnnualList.objects.get(year=2026).report_deadline_workdays == 6
