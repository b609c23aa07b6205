"""City leaders are people first: a leader has a name, title and order and may have no login account;
the office adds, edits and opens an account for one, each change kept in the history and no edit based
on stale values applied."""

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.orgs.models import User
from keyprojects.orgs.services import (
    leader_account_open,
    leader_create,
    leader_name_split,
    leader_update,
)

pytestmark = pytest.mark.django_db


def test_a_leader_from_a_list_is_a_person_who_cannot_log_in(cast, client):
    leader = leader_create(by=cast.staff, full_name=" 李明 ", title="副市长")

    assert (leader.full_name, leader.title, leader.role) == ("李明", "副市长", User.Role.LEADER)
    assert leader.organisation == cast.office and not leader.has_account
    assert leader.sees_everything  # as a leader, once an account is opened
    assert not client.login(request=HttpRequest(), username=leader.username, password="")
    # Listed after the leaders already there.
    assert leader.sort > cast.leader.sort


@pytest.mark.parametrize(
    "written, expected",
    [
        ("张三（副市长）", ("张三", "副市长")),
        ("张三(市委常委、常务副市长)", ("张三", "市委常委、常务副市长")),
        ("  张 三 ", ("张三", "")),
        ("韦建平", ("韦建平", "")),
    ],
)
def test_it_reads_the_title_a_list_writes_after_the_name(written, expected):
    assert leader_name_split(written) == expected


def test_it_refuses_a_second_leader_of_the_same_name_or_an_empty_one(cast):
    leader_create(by=cast.staff, full_name="李明")
    with pytest.raises(ValidationError) as caught:
        leader_create(by=cast.staff, full_name="李明")
    assert caught.value.message_dict["full_name"] == ["已有名为“李明”的市领导。"]
    with pytest.raises(ValidationError) as caught:
        leader_create(by=cast.staff, full_name="  ")
    assert caught.value.message_dict["full_name"] == ["请填写市领导姓名。"]
    assert User.objects.filter(role=User.Role.LEADER, full_name="李明").count() == 1


def test_an_edit_based_on_stale_values_is_refused(cast):
    leader = leader_create(by=cast.staff, full_name="李明", title="副市长", sort=3)
    shown = {"full_name": "李明", "title": "副市长", "sort": 3}
    leader_update(by=cast.staff, leader=leader, full_name="李明", title="常务副市长", sort=2, based_on=shown)

    with pytest.raises(ValidationError, match="已被他人修改"):
        leader_update(by=cast.admin, leader=leader, full_name="李明", title="市长", sort=1, based_on=shown)
    leader.refresh_from_db()
    assert (leader.title, leader.sort) == ("常务副市长", 2)


def test_the_office_opens_an_account_and_the_leader_logs_in(cast, client):
    leader = leader_create(by=cast.staff, full_name="李明", title="副市长")
    with pytest.raises(ValidationError) as caught:
        leader_account_open(by=cast.admin, leader=leader, username=cast.owner.username, password="123")
    assert set(caught.value.message_dict) == {"username", "password"}
    leader.refresh_from_db()
    assert not leader.has_account

    leader_account_open(by=cast.admin, leader=leader, username="liming", password="Kp-liming-2027")
    assert client.login(request=HttpRequest(), username="liming", password="Kp-liming-2027")
    with pytest.raises(ValidationError, match="已有登录账号"):
        leader_account_open(by=cast.admin, leader=leader, username="liming2", password="Kp-liming-2028")

    history = AuditEntry.objects.filter(model="orgs.User", object_id=str(leader.pk)).order_by("id")
    assert [(e.action, e.user) for e in history] == [("create", cast.staff), ("update", cast.admin)]


def test_the_leaders_page_adds_edits_and_opens_an_account(cast, client):
    client.force_login(cast.admin)
    response = client.post(
        reverse("city_leader_add"), {"full_name": "李明", "title": "副市长", "sort": 5}, follow=True
    )
    leader = User.objects.get(full_name="李明")
    page = response.content.decode()
    assert "已添加市领导李明（未开通登录账号）" in page and "开通账号" in page

    page = client.get(reverse("city_leader_list")).content.decode()
    assert f'id="leader-{leader.pk}"' in page and "未开通" in page

    stale = {"full_name": "李明", "title": "市长", "sort": 5}
    stale.update({"shown_full_name": "李明", "shown_title": "", "shown_sort": 5})
    response = client.post(reverse("city_leader_edit", args=[leader.pk]), stale)
    assert "已被他人修改" in response.content.decode()
    leader.refresh_from_db()
    assert leader.title == "副市长"

    response = client.post(
        reverse("city_leader_account", args=[leader.pk]),
        {"username": "liming", "password": "Kp-liming-2027"},
        follow=True,
    )
    assert "已为李明开通登录账号“liming”" in response.content.decode()
    client.logout()
    assert client.login(request=HttpRequest(), username="liming", password="Kp-liming-2027")
    # The office gave the first password: the leader chooses their own before anything else.
    assert client.get(reverse("leader_page", args=[leader.pk]))["Location"] == reverse("password_change")
    mine = {
        "old_password": "Kp-liming-2027",
        "new_password1": "Liming-own-2027",
        "new_password2": "Liming-own-2027",
    }
    client.post(reverse("password_change"), mine)
    assert client.get(reverse("leader_page", args=[leader.pk])).status_code == 200
