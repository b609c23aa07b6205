"""The office's settings page (/settings/office/): what it shows, how it saves (audited, stale forms
refused), and that the values are read once per request. Who may open it is in the role matrix; the
places that use each value test it beside them (minutes, statistics deadline, reminders, open data)."""

import pytest
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import OfficeSettings
from keyprojects.orgs.selectors import office_settings, office_settings_memo

pytestmark = pytest.mark.django_db


def _form(cast, **changes):
    data = {
        "name": cast.office.name,
        "short_name": "",
        "minutes_prefix": "邕重点办纪",
        "report_deadline_workdays": "5",
        "reminder_hour": "0",
        "open_data_prefix": "oc4ids-xxxxxx",
        "version": "1",
    }
    data.update(changes)
    return data


def test_it_shows_todays_values_until_the_office_saves_its_own(client, cast):
    client.force_login(cast.admin)

    page = client.get(reverse("office_settings"))

    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["name"] == "测试市重点项目建设办公室"
    assert form.initial["minutes_prefix"] == "邕重点办纪"
    assert form.initial["report_deadline_workdays"] == 5
    assert form.initial["reminder_hour"] == 0
    assert form.initial["open_data_prefix"] == "oc4ids-xxxxxx"
    assert not OfficeSettings.objects.exists()


def test_it_saves_the_settings_and_the_office_name_and_keeps_both_in_the_history(client, cast):
    client.force_login(cast.admin)

    response = client.post(
        reverse("office_settings"),
        _form(cast, name="测试市重大项目建设办公室", short_name="市重大办", minutes_prefix="测重大办纪"),
    )

    assert response.status_code == 302
    cast.office.refresh_from_db()
    assert (cast.office.name, cast.office.short_name) == ("测试市重大项目建设办公室", "市重大办")
    saved = office_settings()
    assert saved.minutes_prefix == "测重大办纪" and saved.updated_by == cast.admin
    history = AuditEntry.objects.filter(user=cast.admin)
    office_change = history.get(model="orgs.Organisation").changes
    assert office_change["名称"] == ["测试市重点项目建设办公室", "测试市重大项目建设办公室"]
    assert office_change["简称"] == ["", "市重大办"]
    assert history.get(model="orgs.OfficeSettings").changes == {
        "会议纪要文号前缀": ["邕重点办纪", "测重大办纪"]
    }
    assert "系统设置已保存" in client.get(response["Location"]).content.decode()


def test_it_refuses_a_form_someone_saved_over_instead_of_overwriting(client, cast):
    client.force_login(cast.admin)
    first = client.post(reverse("office_settings"), _form(cast, reminder_hour="8"))
    assert first.status_code == 302

    # A second admin's form, opened before the first save.
    stale = client.post(reverse("office_settings"), _form(cast, minutes_prefix="另一前缀"))

    assert stale.status_code == 200
    assert "其他人已修改" in stale.content.decode()
    saved = office_settings()
    assert (saved.reminder_hour, saved.minutes_prefix) == (8, "邕重点办纪")
    # The page now carries the stored version: saving again is a choice made after seeing it.
    assert stale.context["form"].data["version"] == saved.version == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("open_data_prefix", "OC4IDS-x", "前缀格式"),
        ("report_deadline_workdays", "0", "1"),
        ("reminder_hour", "24", "23"),
        ("name", "市发展和改革委员会", "已是单位"),
        ("minutes_prefix", "", "必填"),
    ],
)
def test_it_refuses_values_that_cannot_work(client, cast, field, value, message):
    client.force_login(cast.admin)

    page = client.post(reverse("office_settings"), _form(cast, **{field: value}))

    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors[field])
    assert not OfficeSettings.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_keeps_the_page_from_office_staff(client, cast):
    client.force_login(cast.staff)

    response = client.post(reverse("office_settings"), _form(cast, minutes_prefix="员工前缀"))

    assert response.status_code == 403
    assert office_settings().minutes_prefix == "邕重点办纪"


def test_it_links_the_page_for_office_admins_only(client, cast):
    client.force_login(cast.admin)
    assert reverse("office_settings") in client.get(reverse("organisation_list")).content.decode()
    client.force_login(cast.staff)
    assert reverse("office_settings") not in client.get(reverse("organisation_list")).content.decode()


def test_it_reads_the_settings_once_per_request(cast, django_assert_num_queries):
    with office_settings_memo():
        with django_assert_num_queries(1):
            first = office_settings()
            assert office_settings() is first
            assert first.office_name == cast.office.name
    # Outside a request (a job, a command) every read sees the latest row.
    OfficeSettings.objects.create(office=cast.office, reminder_hour=9)
    assert office_settings().reminder_hour == 9
