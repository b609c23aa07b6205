"""Request plumbing: a body over KP_MAX_REQUEST_BYTES is answered 413 before anything reads it (no temp
file, even for a declared gigabyte), and a signed-in user's pages are never stored by a cache."""

import io
import socket

import pytest
from django.conf import settings
from django.urls import reverse

from keyprojects.plans.report_views import MAX_POST_PHOTOS

GB = 1024**3


def _usage(directory) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def upload_tmp(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_it_caps_requests_above_the_largest_legitimate_upload():
    cap = settings.KP_MAX_REQUEST_BYTES
    # A monthly report with all its photos still reaches its own friendlier message.
    assert cap > settings.KP_PHOTO_MAX_BYTES * MAX_POST_PHOTOS + 64 * 1024
    assert cap > max(settings.KP_IMPORT_MAX_BYTES, settings.KP_EVIDENCE_MAX_BYTES)
    assert cap < 200 * 1024 * 1024


def test_it_refuses_a_declared_gigabyte_with_a_chinese_page_and_writes_nothing(client, cast, upload_tmp):
    client.force_login(cast.staff)
    body = b'--kp\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n' + b"x" * 4096

    page = client.generic(
        "POST",
        reverse("import_upload"),
        body,
        content_type="multipart/form-data; boundary=kp",
        CONTENT_LENGTH=str(GB),
    )

    assert page.status_code == 413
    html = page.content.decode()
    assert "提交的内容过大" in html and 'lang="zh-hans"' in html
    assert _usage(upload_tmp) < 1024 * 1024
    assert list(upload_tmp.iterdir()) == []


def test_it_answers_the_api_in_json(client, cast):
    client.force_login(cast.staff)

    answer = client.generic("POST", "/api/problems/", b"{}", "application/json", CONTENT_LENGTH=str(GB))

    assert answer.status_code == 413
    assert "提交的内容过大" in answer.json()["detail"]


def _chunked(client, body, **extra):
    # A de-chunking server's wsgi.input: reads to the end of the body, then b"" (the test client's own
    # stream refuses to be read past the length it declared).
    extra.setdefault("wsgi.input", io.BytesIO(body))
    return client.generic(
        "POST",
        reverse("set_language"),
        body,
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **extra,
    )


def test_it_refuses_a_chunked_body_beyond_the_cap(client, settings):
    settings.KP_MAX_REQUEST_BYTES = 1000
    terminated = {"wsgi.input_terminated": True}

    assert _chunked(client, b"language=en&next=/&pad=" + b"x" * 2000, **terminated).status_code == 413
    # Within the cap the body is read and handed on, as if it had come with its length.
    small = _chunked(client, b"language=en&next=/", **terminated)
    assert small.status_code == 302
    assert small.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # A server that passes chunks on undecoded cannot be read safely: length required.
    assert _chunked(client, b"language=en&next=/").status_code == 411


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_gigabyte_over_a_real_socket_without_reading_it(live_server, upload_tmp):
    host, port = live_server.thread.host, live_server.thread.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            b"POST /plans/import/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=kp\r\n"
            + f"Content-Length: {GB}\r\n\r\n".encode()
            + b"--kp\r\n"
            + b"x" * 65536
        )
        answer = b""
        while b"</html>" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data

    assert answer.startswith(b"HTTP/1.1 413")
    assert "提交的内容过大" in answer.decode()
    assert _usage(upload_tmp) < 1024 * 1024


def test_it_tells_caches_not_to_store_a_signed_in_users_pages(client, cast, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    client.force_login(cast.owner)
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]
    assert "no-store" in client.get("/api/projects/")["Cache-Control"]
    static = client.get("/static/keyprojects/site.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
