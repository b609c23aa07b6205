"""The first-login page: on an empty database the home page leads to it; it creates the office and its
first admin and logs them in; once an office exists it is gone."""

import pytest
from django.urls import reverse

from keyprojects.orgs.models import Organisation, User

pytestmark = pytest.mark.django_db
PASSWORD = "Kp-setup-2026!"
FORM = {
    "name": "南宁市重点项目建设办公室",
    "full_name": "张三",
    "username": "zhangsan",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_it_sends_the_first_visitor_of_an_empty_database_to_setup(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("office_setup")
    page = client.get(reverse("office_setup"))
    assert page.status_code == 200
    assert "初始设置" in page.content.decode() and "市重点项目建设办公室" in page.content.decode()


def test_it_creates_the_office_and_its_admin_and_logs_them_in(client):
    response = client.post(reverse("office_setup"), FORM)
    assert response.status_code == 302 and response.url == reverse("home")
    admin = User.objects.get()
    assert (admin.username, admin.full_name, admin.role) == ("zhangsan", "张三", User.Role.OFFICE_ADMIN)
    assert admin.organisation == Organisation.objects.get(kind=Organisation.Kind.OFFICE)
    assert admin.organisation.name == "南宁市重点项目建设办公室"
    assert client.get(reverse("home")).status_code == 200  # logged in
    assert client.get(reverse("office_setup")).status_code == 404
    client.logout()
    assert client.get(reverse("office_setup")).status_code == 404
    assert client.post(reverse("office_setup"), FORM).status_code == 404
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_it_refuses_different_passwords_and_writes_nothing(client):
    response = client.post(reverse("office_setup"), {**FORM, "password2": "something-else-2026"})
    assert response.status_code == 200
    assert "两次输入的密码不一致。" in response.content.decode()
    assert not User.objects.exists() and not Organisation.objects.exists()


def test_it_shows_every_reason_the_service_refuses(client):
    response = client.post(
        reverse("office_setup"), {**FORM, "username": "a b", "password1": "1234", "password2": "1234"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "用户名“a b”无效" in page and "密码不符合要求" in page
    assert not User.objects.exists()


def test_it_is_gone_once_an_office_exists(client, cast):
    assert client.get(reverse("office_setup")).status_code == 404
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("login"))


def test_it_is_gone_when_users_exist_without_an_office(client):
    User.objects.create_user(username="someone", password=PASSWORD)
    assert client.get(reverse("office_setup")).status_code == 404


def test_it_answers_only_get_and_post(client):
    assert client.put(reverse("office_setup")).status_code == 405
