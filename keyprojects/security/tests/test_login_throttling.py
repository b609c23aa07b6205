"""Brute force through the real login view: per account and per address, lockout page, office-admin unlock."""

import re

from django.urls import reverse

from keyprojects.security.models import SecurityEvent
from keyprojects.test import PASSWORD

Kind = SecurityEvent.Kind


def _login(client, username, password="not-the-password", ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _page(response):
    # The page less its CSRF tokens, which differ on every answer.
    return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]*', "", response.content.decode())


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_it_locks_an_account_on_the_eleventh_failure_until_the_office_admin_unlocks_it(client, cast):
    # From ten addresses: only the account's count reaches the limit.
    for n in range(10):
        response = _login(client, "owner", ip=f"10.0.0.{n + 1}")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = _login(client, "owner", ip="10.0.1.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已被暂时锁定" in page and "重点办系统管理员" in page and "owner" not in page

    # Locked: the right password is refused too, from any address.
    response = _login(client, "owner", PASSWORD, ip="10.0.2.2")
    assert response.status_code == 429 and not _logged_in(client)
    # Another account from the same addresses is not affected.
    assert _login(client, "staff", PASSWORD, ip="10.0.0.1").status_code == 302
    client.logout()

    admin = client.__class__()
    admin.force_login(cast.admin)
    page = admin.get(reverse("lockout_list")).content.decode()
    assert "<code>owner</code>" in page
    response = admin.post(
        reverse("lockout_release"), {"username": "owner"}, follow=True, REMOTE_ADDR="10.0.9.9"
    )
    assert "已解除“owner”的登录锁定" in response.content.decode()
    assert "<code>owner</code>" not in admin.get(reverse("lockout_list")).content.decode()

    response = _login(client, "owner", PASSWORD, ip="10.0.2.2")
    assert response.status_code == 302 and _logged_in(client)
    kinds = list(SecurityEvent.objects.filter(username="owner").values_list("kind", flat=True))
    assert kinds.count(Kind.FAILURE) == 12 and Kind.LOCKOUT in kinds and kinds[0] == Kind.LOGIN
    unlock = SecurityEvent.objects.get(kind=Kind.UNLOCK)
    assert unlock.user == cast.admin and unlock.detail == "账号 owner"
    assert unlock.ip == "10.0.9.9" and unlock.path == reverse("lockout_release")  # the admin's address


def test_it_locks_an_address_that_tries_many_usernames(client, cast):
    for n in range(10):
        assert _login(client, f"guess{n}", ip="10.9.9.9").status_code == 200
    assert _login(client, "nobody", ip="10.9.9.9").status_code == 429
    # The address is locked for every account, a real one with its right password too ...
    assert _login(client, "staff", PASSWORD, ip="10.9.9.9").status_code == 429
    # ... and the same page answers for accounts that do not exist: nothing to enumerate.
    real, made_up = _login(client, "owner", PASSWORD, ip="10.9.9.9"), _login(client, "nobody2", ip="10.9.9.9")
    assert _page(real) == _page(made_up)
    # Another address logs in.
    assert _login(client, "staff", PASSWORD, ip="10.9.9.10").status_code == 302
    client.logout()

    admin = client.__class__()
    admin.force_login(cast.admin)
    assert "<code>10.9.9.9</code>" in admin.get(reverse("lockout_list")).content.decode()
    admin.post(reverse("lockout_release"), {"ip": "10.9.9.9"})
    assert _login(client, "staff", PASSWORD, ip="10.9.9.9").status_code == 302


def test_it_lets_only_the_office_admin_unlock(client, cast):
    for n in range(11):
        _login(client, "owner", ip=f"10.0.3.{n + 1}")
    client.force_login(cast.staff)
    assert client.post(reverse("lockout_release"), {"username": "owner"}).status_code == 403
    assert client.get(reverse("lockout_list")).status_code == 403
    client.logout()
    assert _login(client, "owner", PASSWORD, ip="10.0.4.1").status_code == 429
