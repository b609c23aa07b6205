"""Passwords: each user changes their own from the account page (which shows their previous login); an
office admin resets someone else's from the organisation's page and may make them change it at their
next login, which sends them to the change-password page from every page until they do. No password ever
goes into the history. Who may open the pages is in the role matrix."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs import services
from keyprojects.orgs.models import User
from keyprojects.test import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Xq7-lantern-river"


def _login(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def test_it_shows_the_login_before_this_one_on_the_account_page(client, cast):
    earlier = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 15))
    User.objects.filter(pk=cast.owner.pk).update(last_login=earlier)

    assert _login(client, cast.owner).status_code == 302
    page = client.get(reverse("account"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-03-02 08:15" in html
    assert reverse("password_change") in html
    # Reached from the user menu in the header, on every page.
    assert reverse("account") in client.get(reverse("project_list")).content.decode()


def test_it_changes_ones_own_password_and_keeps_the_session(client, cast):
    client.force_login(cast.owner)

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200
    assert "旧密码不正确" in wrong.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response["Location"] == reverse("account")
    assert client.get(reverse("account")).status_code == 200  # still logged in
    cast.owner.refresh_from_db()
    assert cast.owner.check_password(NEW)
    change = AuditEntry.objects.get(model="orgs.User", object_id=str(cast.owner.pk))
    assert change.user == cast.owner and change.changes["密码"] == ["", "本人已修改"]
    assert NEW not in str(change.changes) and cast.owner.password not in str(change.changes)


def test_it_refuses_a_weak_new_password_in_chinese(client, cast):
    client.force_login(cast.owner)

    page = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert page.status_code == 200
    assert "密码" in " ".join(page.context["form"].errors["new_password2"])
    assert "password" not in " ".join(page.context["form"].errors["new_password2"]).lower()


def test_it_lists_an_organisations_users_with_a_reset_for_office_admins(client, cast):
    client.force_login(cast.admin)
    html = client.get(reverse("organisation_detail", args=[cast.owner_a.pk])).content.decode()
    assert "owner" in html and reverse("user_password_reset", args=[cast.owner.pk]) in html

    client.force_login(cast.staff)
    html = client.get(reverse("organisation_detail", args=[cast.owner_a.pk])).content.decode()
    assert "owner" in html and reverse("user_password_reset", args=[cast.owner.pk]) not in html


def test_it_sends_a_user_whose_password_was_reset_to_change_it_until_they_do(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("user_password_reset", args=[cast.owner.pk]),
        {"new_password1": NEW, "new_password2": NEW, "must_change": "on"},
    )
    assert response["Location"] == reverse("organisation_detail", args=[cast.owner_a.pk])
    reset = AuditEntry.objects.get(model="orgs.User", object_id=str(cast.owner.pk))
    assert reset.user == cast.admin
    assert reset.changes["密码"] == ["", "已由重点办管理员重置"]
    assert reset.changes["下次登录须修改密码"] == ["否", "是"]

    client.logout()
    assert _login(client, cast.owner, NEW).status_code == 302
    for page in (reverse("home"), reverse("project_list"), reverse("account")):
        assert client.get(page)["Location"] == reverse("password_change"), page
    htmx = client.get(reverse("project_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("password_change")
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and "请先设置只有您本人知道的新密码" in form.content.decode()
    assert client.get(reverse("favicon")).status_code == 302

    same = client.post(
        reverse("password_change"), {"old_password": NEW, "new_password1": NEW, "new_password2": NEW}
    )
    assert "新密码不能与重点办设置的初始密码相同" in same.content.decode()
    assert client.get(reverse("home"))["Location"] == reverse("password_change")

    mine = "Own-choice-2026!"
    client.post(
        reverse("password_change"), {"old_password": NEW, "new_password1": mine, "new_password2": mine}
    )

    assert client.get(reverse("home")).status_code == 200
    cast.owner.refresh_from_db()
    assert not cast.owner.must_change_password and cast.owner.check_password(mine)


def test_it_lets_a_user_who_must_change_the_password_log_out(client, cast):
    User.objects.filter(pk=cast.owner.pk).update(must_change_password=True)
    client.force_login(cast.owner)

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_it_forces_a_change_of_every_reset_password(client, cast):
    # The office knows a password it set: the user always chooses their own at the next login.
    client.force_login(cast.admin)

    client.post(
        reverse("user_password_reset", args=[cast.owner.pk]), {"new_password1": NEW, "new_password2": NEW}
    )

    cast.owner.refresh_from_db()
    assert cast.owner.check_password(NEW) and cast.owner.must_change_password


def test_it_refuses_resets_of_oneself_and_of_people_without_an_account(cast):
    with pytest.raises(Exception, match="账号"):
        services.user_password_reset(by=cast.admin, user=cast.admin, password=NEW)
    leader = services.leader_create(by=cast.admin, full_name="李四")
    with pytest.raises(Exception, match="没有可用的登录账号"):
        services.user_password_reset(by=cast.admin, user=leader, password=NEW)
    with pytest.raises(Exception, match="重点办管理员"):
        services.user_password_reset(by=cast.staff, user=cast.owner, password=NEW)
    cast.owner.refresh_from_db()
    assert cast.owner.check_password(PASSWORD)


def test_it_makes_a_leader_change_the_first_password_the_office_gave(cast):
    leader = services.leader_create(by=cast.admin, full_name="李四")

    services.leader_account_open(by=cast.admin, leader=leader, username="lisi", password=NEW)

    leader.refresh_from_db()
    assert leader.must_change_password
