"""Idle and absolute session limits; disabling a user ends its sessions; password rules and forced change."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from keyprojects.security.models import SecurityEvent, UserSession
from keyprojects.test import PASSWORD

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


def _login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def _expire_date(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_it_ends_a_session_idle_for_thirty_minutes(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, "owner")
        for _step in range(3):  # active all morning: 29 minutes between requests is never idle
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("account")).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("account"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login") + "?next=%2Faccount%2F"
        page = client.get(response["Location"]).content.decode()
        assert "较长时间未操作" in page and "请重新登录" in page
        assert client.get(reverse("account")).status_code == 302
    expired = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EXPIRED)
    assert expired.user == cast.owner and expired.detail == "空闲超时"


def test_it_writes_the_last_seen_time_at_most_once_a_minute(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, "owner")
        first = _expire_date(client)
        clock.shift(dt.timedelta(seconds=30))
        client.get(reverse("account"))
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/account/"})
        assert _expire_date(client) == first  # no session write
        clock.shift(dt.timedelta(seconds=40))
        client.get(reverse("account"))
        assert _expire_date(client) == first + dt.timedelta(seconds=70)


def test_it_ends_a_session_after_the_absolute_limit_however_active(client, cast, settings):
    settings.KP_SESSION_ABSOLUTE_HOURS = 1
    with time_machine.travel(START, tick=False) as clock:
        _login(client, "owner")
        for _step in range(3):
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("account")).status_code == 200
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        response = client.get(reverse("account"), follow=True)
        assert "登录时间已超过上限" in response.content.decode()
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.EXPIRED).detail == "超过最长登录时间"


def test_it_answers_htmx_with_a_redirect_header_after_expiry(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, "owner")
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("account"), headers={"HX-Request": "true"})
        assert response.status_code == 204 and response["HX-Redirect"] == reverse("login")


def test_it_ends_every_session_of_a_user_who_is_disabled(client, cast):
    phone, laptop = client.__class__(), client.__class__()
    _login(phone, "owner")
    _login(laptop, "owner")
    _login(client, "staff")
    assert UserSession.objects.filter(user=cast.owner).count() == 2
    cast.owner.is_active = False
    cast.owner.save()
    assert not Session.objects.filter(session_key__in=[phone.session.session_key, laptop.session.session_key])
    assert phone.get(reverse("account")).status_code == 302
    assert laptop.get(reverse("account")).status_code == 302
    assert client.get(reverse("account")).status_code == 200  # others keep theirs
    assert not UserSession.objects.filter(user=cast.owner).exists()


def test_it_forgets_the_session_at_logout(client, cast):
    _login(client, "owner")
    assert UserSession.objects.filter(user=cast.owner).count() == 1
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=cast.owner).exists()
    kinds = list(SecurityEvent.objects.values_list("kind", flat=True))
    assert kinds == [SecurityEvent.Kind.LOGOUT, SecurityEvent.Kind.LOGIN]


def test_it_wants_ten_characters_and_says_so_in_chinese(db):
    with pytest.raises(ValidationError) as error:
        validate_password("Kp-2027ab")
    assert "至少" in " ".join(error.value.messages) and "10" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        validate_password("password123")
    assert "太常见" in " ".join(error.value.messages)
    validate_password("Kp-admin-2027")


def test_it_forces_a_change_of_a_password_the_office_reset(client, cast):
    client.force_login(cast.admin)
    new = "Kp-reset-2027x"
    client.post(
        reverse("user_password_reset", args=[cast.owner.pk]), {"new_password1": new, "new_password2": new}
    )
    cast.owner.refresh_from_db()
    assert cast.owner.must_change_password


def test_it_follows_the_new_session_key_after_a_password_change(client, cast):
    _login(client, "owner")
    new = "Kp-owner-own-2027"
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    key = client.session.session_key
    assert client.get(reverse("account")).status_code == 200
    assert UserSession.objects.filter(user=cast.owner, session_key=key).exists()
    cast.owner.is_active = False
    cast.owner.save()
    assert not Session.objects.filter(session_key=key).exists()
