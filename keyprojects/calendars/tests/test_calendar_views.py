"""The office's holiday-schedule pages: the list of years, one year's entry from the pasted notice with
its preview, confirmation with the count of recomputed deadlines; and the office admin's reminder."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from keyprojects.lib.models import CalendarYear
from keyprojects.lib.notice import days_to_lines
from keyprojects.lib.tests.notices import NOTICE_2027, schedule_2027
from keyprojects.lib.workdays import is_provisional

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def _at(day):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with _at(D(2026, 12, 6)):
        yield


def _post(client, user, data):
    client.force_login(user)
    return client.post(reverse("calendar_year", args=[2027]), data)


def test_it_lists_the_years_with_their_state(client, cast):
    client.force_login(cast.staff)
    body = client.get(reverse("calendar_years")).content.decode()
    assert 'id="year-2026" data-state="package"' in body
    assert 'id="year-2027" data-state="provisional"' in body
    assert "暂定" in body and "官方" in body


def test_it_requires_login_and_the_office(client, cast):
    for url in (reverse("calendar_years"), reverse("calendar_year", args=[2027])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    for user in (cast.district, cast.leader, cast.outsider):
        client.force_login(user)
        assert client.get(reverse("calendar_years")).status_code == 403
        assert client.post(reverse("calendar_year", args=[2027]), {"action": "confirm"}).status_code == 403
    assert not CalendarYear.objects.exists()


def test_it_answers_a_wrong_method_with_405_and_an_unlikely_year_with_404(client, cast):
    client.force_login(cast.staff)
    assert client.post(reverse("calendar_years")).status_code == 405
    assert client.put(reverse("calendar_year", args=[2027])).status_code == 405
    assert client.get(reverse("calendar_year", args=[1900])).status_code == 404


def test_it_fills_the_dates_in_from_a_pasted_notice_without_saving(client, cast):
    response = _post(client, cast.staff, {"action": "parse", "notice": NOTICE_2027})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="parse-result"' in body and "已识别全部分项" in body
    assert "2027-02-05 至 2027-02-13 春节" in body
    assert "2027-01-31 春节" in body
    assert 'id="preview-table"' in body and 'id="workdays-data"' in body
    assert not CalendarYear.objects.exists()


def test_it_shows_back_what_it_could_not_read(client, cast):
    text = "一、元旦：1月1日（周五）放假。\n二、春节：2月5日前后另行通知。"
    body = _post(client, cast.staff, {"action": "parse", "notice": text}).content.decode()
    assert 'id="parse-problems"' in body
    assert "2月5日前后另行通知" in body
    assert "2027-01-01 元旦" in body  # what it did understand is filled in
    assert "缺少法定节假日" in body  # and what confirming would still refuse


def test_it_saves_a_draft_then_confirms_and_reports_the_recomputed_count(client, cast):
    holidays, workdays = schedule_2027()
    form = {"notice": NOTICE_2027, "holidays": days_to_lines(holidays), "workdays": days_to_lines(workdays)}
    response = _post(client, cast.staff, {**form, "action": "save"})
    assert response.status_code == 302
    assert CalendarYear.objects.get().status == CalendarYear.Status.DRAFT
    body = client.get(reverse("calendar_year", args=[2027])).content.decode()
    assert "2027-02-05 至 2027-02-13 春节" in body and "草稿" in body

    response = _post(client, cast.staff, {**form, "action": "confirm"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "已确认 2027 年节假日安排" in body
    assert "没有需要调整的未完成期限" in body
    assert not is_provisional(D(2027, 3, 1))
    assert CalendarYear.objects.get().source_text.startswith("国务院办公厅关于2027年")


def test_it_refuses_a_bad_schedule_with_the_reason(client, cast):
    holidays, workdays = schedule_2027()
    form = {
        "holidays": days_to_lines({d: n for d, n in holidays.items() if n != "国庆节"}),
        "workdays": days_to_lines(workdays) + "\n2027-02-15 春节",
        "action": "confirm",
    }
    response = _post(client, cast.staff, form)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="form-errors"' in body
    assert "国庆节（10月1日）" in body and "2027-02-15（周一）" in body
    assert not CalendarYear.objects.exists()
    response = _post(client, cast.staff, {"holidays": "明年春节", "action": "confirm"})
    assert "无法识别的一行" in response.content.decode()


def test_it_shows_a_package_year_without_a_form(client, cast):
    client.force_login(cast.staff)
    body = client.get(reverse("calendar_year", args=[2026])).content.decode()
    assert "无需录入" in body and 'id="schedule-form"' not in body
    assert 'id="preview-table"' in body


@pytest.mark.parametrize(("day", "shown"), [(D(2026, 10, 30), False), (D(2026, 11, 2), True)])
def test_it_reminds_the_office_admin_from_november(client, cast, day, shown):
    with _at(day):
        client.force_login(cast.admin)
        body = client.get(reverse("calendar_years")).content.decode()
        assert ('id="calendar-reminder"' in body) is shown
        if shown:
            assert "2027 年的节假日安排尚未录入" in body
            assert reverse("calendar_year", args=[2027]) in body
        client.force_login(cast.staff)
        assert 'id="calendar-reminder"' not in client.get(reverse("calendar_years")).content.decode()


def test_it_stops_reminding_once_next_year_is_confirmed(client, cast):
    holidays, workdays = schedule_2027()
    with _at(D(2026, 11, 2)):
        form = {"holidays": days_to_lines(holidays), "workdays": days_to_lines(workdays), "action": "confirm"}
        assert _post(client, cast.admin, form).status_code == 302
        body = client.get(reverse("calendar_years")).content.decode()
        assert 'id="calendar-reminder"' not in body
