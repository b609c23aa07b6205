"""The security log: what goes in (logins, failures, downloads, 403s), and its page and export."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.security.models import SecurityEvent
from keyprojects.test import PASSWORD

Kind = SecurityEvent.Kind


def test_it_logs_logins_failures_downloads_and_denied_access(client, cast):
    client.post(reverse("login"), {"username": "owner", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert client.get(reverse("security_log")).status_code == 403
    assert client.get(reverse("organisation_import_template")).status_code == 403
    client.force_login(cast.admin)
    response = client.get(reverse("organisation_import_template"))
    assert response["Content-Disposition"].startswith("attachment")

    events = list(SecurityEvent.objects.order_by("pk"))
    assert [e.kind for e in events] == [
        Kind.FAILURE,
        Kind.LOGIN,
        Kind.DENIED,
        Kind.DENIED,
        Kind.LOGIN,
        Kind.EXPORT,
    ]
    failure, login, denied = events[:3]
    assert (failure.username, failure.user, failure.ip, failure.path) == (
        "owner",
        None,
        "10.1.2.3",
        "/login/",
    )
    assert (login.user, login.ip) == (cast.owner, "10.1.2.3")
    assert (denied.user, denied.path) == (cast.owner, "/security/log/")
    assert events[-1].user == cast.admin and ".xlsx" in events[-1].detail


def test_it_costs_no_query_on_an_ordinary_page(client, cast, settings):
    client.force_login(cast.owner)
    client.get(reverse("account"))
    with CaptureQueriesContext(connection) as with_log:
        assert client.get(reverse("account")).status_code == 200
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("keyprojects.security.")]
    with CaptureQueriesContext(connection) as without:
        assert client.get(reverse("account")).status_code == 200
    assert len(with_log) == len(without)


def test_it_shows_the_office_admin_the_log_filtered_and_exports_it(client, cast):
    client.post(reverse("login"), {"username": "ghost", "password": "x"})
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    client.force_login(cast.admin)
    page = client.get(reverse("security_log")).content.decode()
    assert "ghost" in page and "登录失败" in page and "登录成功" in page
    page = client.get(reverse("security_log"), {"kind": "failure"}).content.decode()
    assert "ghost" in page and "<td>owner" not in page
    page = client.get(reverse("security_log"), {"user": "owner"}).content.decode()
    assert "ghost" not in page
    page = client.get(
        reverse("security_log"), {"day_from": "2000-01-01", "day_to": "2000-01-02"}
    ).content.decode()
    assert "没有记录" in page

    response = client.get(reverse("security_log_export"), {"kind": "failure"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert [r[1:3] for r in rows] == [["登录失败", "ghost"]]
    assert SecurityEvent.objects.filter(kind=Kind.EXPORT, user=cast.admin).exists()
