"""Uploading district boundaries: the office only; GeoJSON checked with Chinese errors; audited."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.dashboard import geojson
from keyprojects.dashboard.models import DistrictBoundary

pytestmark = pytest.mark.django_db

RING = [[108.3, 22.7], [108.5, 22.7], [108.5, 22.9], [108.3, 22.9], [108.3, 22.7]]
POLYGON = {"type": "Polygon", "coordinates": [RING]}


def _upload(client, world, content, name="qingxiu.geojson"):
    if not isinstance(content, bytes):
        content = json.dumps(content).encode()
    return client.post(
        reverse("boundary_upload", args=[world.district_a.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/geo+json")},
    )


@pytest.mark.parametrize(
    "shape",
    [
        POLYGON,
        {"type": "Feature", "properties": {"名称": "青秀区"}, "geometry": POLYGON},
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": POLYGON}] * 2},
        {"type": "MultiPolygon", "coordinates": [[RING], [RING]]},
    ],
)
def test_it_stores_any_polygonal_upload_as_one_feature_named_after_the_district(cast, client, shape):
    client.force_login(cast.staff)
    response = _upload(client, cast, shape)
    assert response.status_code == 302
    boundary = DistrictBoundary.objects.get(organisation=cast.district_a)
    feature = boundary.geojson["features"][0]
    assert len(boundary.geojson["features"]) == 1
    assert feature["properties"] == {"name": "青秀区"}
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert boundary.vertices == 5 * len(feature["geometry"]["coordinates"])
    assert AuditEntry.objects.filter(model="dashboard.DistrictBoundary", action="create").count() == 1


def test_it_replaces_a_boundary_and_audits_both_uploads(cast, client):
    client.force_login(cast.staff)
    _upload(client, cast, POLYGON, name="v1.geojson")
    _upload(client, cast, {"type": "MultiPolygon", "coordinates": [[RING], [RING]]}, name="v2.geojson")
    boundary = DistrictBoundary.objects.get()
    assert boundary.original_name == "v2.geojson" and boundary.vertices == 10
    actions = AuditEntry.objects.filter(model="dashboard.DistrictBoundary").values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]


BAD = [
    (b"not json {", "不是有效的 JSON"),
    ("你好".encode("gbk"), "不是 UTF-8 编码"),
    ({"type": "Point", "coordinates": [108.3, 22.7]}, "不支持的 GeoJSON 类型“Point”"),
    ({"features": []}, "带 type 字段的对象"),
    ({"type": "FeatureCollection", "features": []}, "没有要素"),
    (
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": RING}},
        "只能是 Polygon 或 MultiPolygon",
    ),
    ({"type": "Polygon", "coordinates": [[RING[0], RING[1], RING[0]]]}, "至少需要 4 个坐标点"),
    ({"type": "Polygon", "coordinates": [[*RING[:-1], [108.31, 22.7]]]}, "没有闭合"),
    ({"type": "Polygon", "coordinates": [[[22.7, 208.3], *RING[1:-1], [22.7, 208.3]]]}, "超出范围"),
    ({"type": "Polygon", "coordinates": [[["108.3", 22.7], *RING[1:]]]}, "必须是数字"),
    ({"type": "Polygon", "coordinates": []}, "至少含一个环"),
    ({"type": "Feature"}, "缺少 geometry"),
]


@pytest.mark.parametrize(("content", "message"), BAD)
def test_it_refuses_bad_geojson_with_a_chinese_message(cast, client, content, message):
    client.force_login(cast.staff)
    response = _upload(client, cast, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DistrictBoundary.objects.exists()


def test_it_says_where_a_json_syntax_error_is_without_pythons_english(cast, client):
    client.force_login(cast.staff)
    response = _upload(client, cast, b'{"type": "Polygon",\n "coordinates": [[1, 2] [3, 4]]}')
    page = response.content.decode()
    assert "文件不是有效的 JSON：第 2 行第 25 列附近有语法错误。" in page
    assert "Expecting" not in page and "char " not in page
    response = _upload(client, cast, b"[" * 100_000)
    assert "嵌套层次过深" in response.content.decode()


def test_it_refuses_an_oversized_file_and_too_many_vertices(cast, client, monkeypatch):
    client.force_login(cast.staff)
    monkeypatch.setattr(geojson, "MAX_VERTICES", 8)
    response = _upload(client, cast, {"type": "MultiPolygon", "coordinates": [[RING], [RING]]})
    assert "边界顶点过多（10 个，上限 8 个）" in response.content.decode()
    big = b" " * (geojson.MAX_BYTES + 10) + json.dumps(POLYGON).encode()
    response = _upload(client, cast, big)
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert not DistrictBoundary.objects.exists()


def test_it_lets_only_the_office_upload_and_delete(cast, client):
    client.force_login(cast.district)
    assert _upload(client, cast, POLYGON).status_code == 403
    assert not DistrictBoundary.objects.exists()
    client.force_login(cast.admin)
    _upload(client, cast, POLYGON)
    page = client.get(reverse("boundary_list")).content.decode()
    assert "已上传" in page and "qingxiu.geojson" in page
    client.force_login(cast.leader)
    assert client.post(reverse("boundary_delete", args=[cast.district_a.pk])).status_code == 403
    client.force_login(cast.staff)
    assert client.post(reverse("boundary_delete", args=[cast.district_a.pk])).status_code == 302
    assert not DistrictBoundary.objects.exists()
    assert AuditEntry.objects.filter(model="dashboard.DistrictBoundary", action="delete").exists()


def test_it_uploads_boundaries_only_for_districts(cast, client):
    client.force_login(cast.staff)
    url = reverse("boundary_upload", args=[cast.department.pk])
    assert client.get(url).status_code == 404
