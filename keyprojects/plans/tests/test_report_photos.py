"""Site photos: images only (as Pillow reads them, whatever the name says), capped in size, stored
under MEDIA_ROOT with names of our own, and downloaded only through the scoped view."""

import io
import os
import struct
import zlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from PIL import Image

from keyprojects.plans.models import MonthlyReport, ReportPhoto
from keyprojects.plans.tests.report_images import image_bytes
from keyprojects.plans.tests.report_world import TODAY, Status, fill_url, make_report, reports_world


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(cast):
    return reports_world(cast)


@pytest.fixture
def owner(client, world):
    client.force_login(world.owner)
    return client


def _upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _post(client, entry, month, *files, action="save", version=""):
    data = {"amount": "10", "progress": "施工中", "action": action, "version": version, "photos": list(files)}
    return client.post(fill_url(entry, month), data)


def _png_bomb(width=20_000, height=20_000) -> bytes:
    """A PNG header claiming 400 megapixels: tiny on disk, enormous once decoded."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("kind", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_it_stores_a_real_photo_under_a_name_of_its_own(world, owner, settings, kind, ext):
    response = _post(owner, world.entry_a, 10, _upload("../../现场 照片.bin", image_bytes(kind)))
    assert response.status_code == 302
    photo = ReportPhoto.objects.get()
    assert photo.image.name.startswith("report-photos/2026/11/") and photo.image.name.endswith(f".{ext}")
    assert ".." not in photo.image.name and "现场" not in photo.image.name
    assert (settings.MEDIA_ROOT / photo.image.name).is_file()
    assert photo.uploaded_by == world.owner


BAD_FILES = {
    "a GIF": (lambda: image_bytes("GIF"), "image/gif", "不是有效的图片文件"),
    "a text file named .jpg": (lambda: b"<?php echo 1; ?>", "image/jpeg", "不是有效的图片文件"),
    "an HTML page named .png": (
        lambda: b"<html><script>alert(1)</script></html>",
        "image/png",
        "不是有效的图片",
    ),
    "a truncated PNG": (lambda: image_bytes("PNG")[:40], "image/png", "不是有效的图片文件"),
    "a decompression bomb": (_png_bomb, "image/png", "像素过大"),
    "an empty file": (lambda: b"", "image/jpeg", "的是空文件"),  # Django: 所提交的…, DRF (installed): 提交的…
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_it_refuses_what_is_not_a_photo_and_writes_nothing(world, owner, settings, case):
    content, content_type, reason = BAD_FILES[case]
    response = _post(owner, world.entry_a, 10, _upload("photo.jpg", content(), content_type))
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not MonthlyReport.objects.exists() and not ReportPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "report-photos").exists()


def test_it_refuses_a_photo_over_the_size_cap(world, owner, settings):
    settings.KP_PHOTO_MAX_BYTES = 1024
    noise = io.BytesIO()
    Image.frombytes("RGB", (32, 32), os.urandom(32 * 32 * 3)).save(noise, format="PNG")
    response = _post(owner, world.entry_a, 10, _upload("big.png", noise.getvalue(), "image/png"))
    assert f"照片“big.png”超过 {filesizeformat(1024)}，请压缩后再上传" in response.content.decode()
    assert not ReportPhoto.objects.exists()


def test_it_refuses_an_oversized_post_before_reading_it(world, owner, settings):
    settings.KP_PHOTO_MAX_BYTES = 10
    response = _post(owner, world.entry_a, 10, _upload("a.png", os.urandom(100 * 1024)))
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_it_serves_a_photo_only_to_those_who_see_the_report(world, owner):
    _post(owner, world.entry_a, 10, _upload("site.png", image_bytes("PNG"), "image/png"))
    photo = ReportPhoto.objects.get()
    url = reverse("report_photo", args=[photo.pk])
    assert not url.startswith("/media/")

    response = owner.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == image_bytes("PNG")

    for user, status in [
        (world.district, 200),
        (world.leader, 200),
        (world.owner_b_user, 404),
        (world.outsider, 404),
    ]:
        other = Client()
        other.force_login(user)
        assert other.get(url).status_code == status, user
    assert Client().get(url).status_code == 302  # to the login page


def test_it_deletes_a_photo_only_while_the_report_is_a_draft(
    world, owner, django_capture_on_commit_callbacks
):
    _post(owner, world.entry_a, 10, _upload("a.png", image_bytes("PNG"), "image/png"))
    photo = ReportPhoto.objects.get()
    path = photo.image.path
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(reverse("report_photo_delete", args=[photo.pk])).status_code == 302
    assert not ReportPhoto.objects.exists()
    assert not os.path.exists(path)

    report = MonthlyReport.objects.get()
    _post(
        owner,
        world.entry_a,
        10,
        _upload("b.png", image_bytes("PNG"), "image/png"),
        action="submit",
        version=report.version,
    )
    photo = ReportPhoto.objects.get()
    response = owner.post(reverse("report_photo_delete", args=[photo.pk]), follow=True)
    assert "报送已提交，照片不能再删除" in response.content.decode()
    assert ReportPhoto.objects.filter(pk=photo.pk).exists()


def test_it_shows_the_photos_on_the_report_page(world, owner):
    report = make_report(world.entry_a, 9, "5", status=Status.DRAFT)
    _post(
        owner, world.entry_a, 9, _upload("a.webp", image_bytes("WEBP"), "image/webp"), version=report.version
    )
    photo = ReportPhoto.objects.get()
    html = owner.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert f'src="{reverse("report_photo", args=[photo.pk])}"' in html
    assert "/media/" not in html
