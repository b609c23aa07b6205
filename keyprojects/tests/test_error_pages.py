"""The error pages a user meets with DEBUG off (as `make run` serves the demo): 403, 404 and 500 in the
site's language with a way back home; the 500 page renders without the database. And the favicon."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import translation
from django.views.defaults import server_error

from keyprojects.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urlpatterns]


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("english", "title", "text"),
    [(False, "页面不存在", "不在您的查看范围内"), (True, "Page not found", "outside what you can see")],
)
def test_it_answers_a_missing_page_in_the_sites_layout(client, cast, english, title, text):
    client.force_login(cast.owner)
    if english:
        _english(client)

    page = client.get("/no-such-page/")

    assert page.status_code == 404
    html = page.content.decode()
    assert title in html and text in html
    assert f'href="{reverse("home")}"' in html
    assert 'class="navbar' in html and "/no-such-page/" in html


@pytest.mark.parametrize(
    ("english", "title", "reason"),
    [
        (False, "无权访问", "只有重点办管理员可以执行此操作。"),
        (True, "Access denied", "Only office administrators"),
    ],
)
def test_it_answers_a_forbidden_page_with_the_reason(client, cast, english, title, reason):
    client.force_login(cast.staff)
    if english:
        _english(client)

    page = client.get(reverse("office_settings"))

    assert page.status_code == 403
    html = page.content.decode()
    assert title in html and reason in html
    assert f'href="{reverse("home")}"' in html


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    ("english", "title", "text"),
    [(False, "系统出错", "错误已记录"), (True, "Something went wrong", "The error has been logged")],
)
def test_it_answers_a_server_error_with_its_own_page(client, cast, english, title, text):
    client.raise_request_exception = False
    client.force_login(cast.owner)
    if english:
        _english(client)

    page = client.get("/boom/")

    assert page.status_code == 500
    html = page.content.decode()
    assert title in html and text in html
    assert 'href="/"' in html


def test_it_renders_the_server_error_page_without_the_database(django_assert_num_queries):
    with translation.override("zh-hans"), django_assert_num_queries(0):
        page = server_error(RequestFactory().get("/"))
    assert page.status_code == 500 and "系统出错" in page.content.decode()


def test_it_serves_the_demo_with_debug_off_as_make_run_does(client, cast, tmp_path):
    # What collectstatic leaves in STATIC_ROOT for WhiteNoise to serve.
    shutil.copy(Path(settings.BASE_DIR) / "static/keyprojects/site.css", tmp_path / "site.css")
    (tmp_path / "keyprojects").mkdir()
    shutil.move(tmp_path / "site.css", tmp_path / "keyprojects/site.css")
    client.force_login(cast.owner)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1", "localhost"], STATIC_ROOT=tmp_path):
        page = client.get(reverse("project_list"), HTTP_HOST="127.0.0.1:8000")
        css = client.get("/static/keyprojects/site.css", HTTP_HOST="127.0.0.1:8000")
        icon = client.get("/favicon.ico", HTTP_HOST="127.0.0.1:8000")
        elsewhere = client.get(reverse("project_list"), HTTP_HOST="kp.example.com")

    assert page.status_code == 200
    assert "/static/keyprojects/site.css" in page.content.decode()
    assert '<link rel="icon"' in page.content.decode()
    assert css.status_code == 200 and b".kp-navbar" in b"".join(css.streaming_content)
    assert icon.status_code == 302 and icon["Location"] == "/static/keyprojects/favicon.ico"
    assert elsewhere.status_code == 400
