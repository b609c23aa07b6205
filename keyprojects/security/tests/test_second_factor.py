"""TOTP for office admins when KP_REQUIRE_ADMIN_2FA: enrolment, the step after the password, reset."""

import datetime as dt
import time
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from keyprojects.security.models import SecurityEvent
from keyprojects.test import PASSWORD

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
Kind = SecurityEvent.Kind


@pytest.fixture(autouse=True)
def _required(settings):
    settings.KP_REQUIRE_ADMIN_2FA = True


def _code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _login(client, username):
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302


def test_it_makes_an_office_admin_enrol_then_verify_at_each_login(client, cast):
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ), tick=False) as clock:
        _login(client, "admin")
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
        response = client.get(response["Location"])  # no device yet: enrol first
        assert response["Location"].startswith(reverse("otp_enrol"))
        page = client.get(reverse("otp_enrol")).content.decode()
        assert "otpauth://totp/" in page and "<svg" in page and "绑定动态口令" in page
        device = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
        assert "动态口令不正确" in client.post(reverse("otp_enrol"), {"token": "000000"}).content.decode()
        clock.shift(dt.timedelta(seconds=5))  # django-otp slows down guesses
        response = client.post(reverse("otp_enrol"), {"token": _code(device)})
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200
        client.post(reverse("logout"))

        clock.shift(dt.timedelta(minutes=1))
        _login(client, "admin")
        assert client.get(reverse("security_log")).status_code == 302  # not before the second factor
        response = client.post(reverse("otp_verify"), {"token": "123456", "next": "/security/log/"})
        assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
        clock.shift(dt.timedelta(seconds=31))
        device.refresh_from_db()
        response = client.post(reverse("otp_verify"), {"token": _code(device), "next": "/security/log/"})
        assert response["Location"] == "/security/log/"
        assert client.get(reverse("security_log")).status_code == 200
    kinds = set(SecurityEvent.objects.filter(user=cast.admin).values_list("kind", flat=True))
    assert {Kind.OTP_ENROL, Kind.OTP_FAIL, Kind.OTP_OK} <= kinds


def test_it_asks_no_second_factor_of_other_roles(client, cast):
    _login(client, "staff")
    assert client.get(reverse("account")).status_code == 200


def test_it_asks_none_when_the_setting_is_off(client, cast, settings):
    settings.KP_REQUIRE_ADMIN_2FA = False
    _login(client, "admin")
    assert client.get(reverse("account")).status_code == 200


def test_it_lets_an_admin_reset_another_admins_device(client, cast):
    other = cast.admin.__class__.objects.create_user(
        username="admin2", password=PASSWORD, organisation=cast.office, role="office_admin"
    )
    TOTPDevice.objects.create(user=other, name="default", confirmed=True)
    client.force_login(cast.admin)
    # force_login is not the password login: mark the session verified as the verify step would.
    mine = TOTPDevice.objects.create(user=cast.admin, name="default", confirmed=True)
    session = client.session
    session["otp_device_id"] = mine.persistent_id
    session.save()
    assert "admin2" in client.get(reverse("otp_devices")).content.decode()
    response = client.post(reverse("otp_device_reset", args=[other.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert SecurityEvent.objects.get(kind=Kind.OTP_RESET).detail.startswith("admin2")
