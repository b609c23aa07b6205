"""Checking an uploaded district boundary: GeoJSON (RFC 7946) polygons in WGS-84 longitude/latitude.

What the map needs and nothing more: a Polygon or MultiPolygon — bare, in a Feature, or in a
FeatureCollection — with closed rings of at least four numeric [lng, lat] positions inside the valid
range, and not so many vertices that the page becomes slow. Every error is a sentence in Chinese that
says where the problem is."""

import json
import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_VERTICES = 200_000
POLYGONAL = ("Polygon", "MultiPolygon")


def _fail(message, **params):
    raise ValidationError(message % params if params else message, code="invalid_geojson")


def _position(value, where):
    if not isinstance(value, list) or len(value) < 2:
        _fail(_("%(where)s的坐标应为 [经度, 纬度] 数组。"), where=where)
    lng, lat = value[0], value[1]
    for number in (lng, lat):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            _fail(_("%(where)s的坐标必须是数字，收到 %(value)s。"), where=where, value=json.dumps(value)[:60])
    if not -180 <= lng <= 180 or not -90 <= lat <= 90:
        _fail(
            _("%(where)s的坐标 %(value)s 超出范围：经度应在 -180～180，纬度应在 -90～90（先经度后纬度）。"),
            where=where,
            value=json.dumps(value[:2]),
        )


def _polygon(rings, where) -> int:
    if not isinstance(rings, list) or not rings:
        _fail(_("%(where)s的 coordinates 应为至少含一个环的数组。"), where=where)
    count = 0
    for r, ring in enumerate(rings, start=1):
        at = _("%(where)s第 %(ring)s 个环") % {"where": where, "ring": r}
        if not isinstance(ring, list) or len(ring) < 4:
            _fail(_("%(where)s至少需要 4 个坐标点（首尾相同）。"), where=at)
        for position in ring:
            _position(position, at)
        if ring[0][:2] != ring[-1][:2]:
            _fail(_("%(where)s没有闭合：首尾坐标点必须相同。"), where=at)
        count += len(ring)
    return count


def _geometry(geometry, where) -> tuple[list, int]:
    """The polygons (each a list of rings) of GEOMETRY and their vertex count."""
    if not isinstance(geometry, dict):
        _fail(_("%(where)s缺少 geometry 对象。"), where=where)
    kind = geometry.get("type")
    if kind not in POLYGONAL:
        _fail(
            _("%(where)s的几何类型为“%(kind)s”，城区边界只能是 Polygon 或 MultiPolygon。"),
            where=where,
            kind=str(kind)[:30],
        )
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [coordinates], _polygon(coordinates, where)
    if not isinstance(coordinates, list) or not coordinates:
        _fail(_("%(where)s的 MultiPolygon 坐标应为多边形数组。"), where=where)
    count = 0
    for p, polygon in enumerate(coordinates, start=1):
        count += _polygon(polygon, _("%(where)s第 %(n)s 个多边形") % {"where": where, "n": p})
    return coordinates, count


def geojson_clean(raw: bytes | str, *, name: str) -> tuple[dict, int]:
    """RAW (the uploaded file) as a FeatureCollection of one MultiPolygon feature named NAME, and its
    vertex count. Raises ValidationError (Chinese) for anything the map could not draw."""
    if len(raw) > MAX_BYTES:
        _fail(
            _("文件过大（%(size)s MB），城区边界文件不能超过 %(max)s MB，请先简化边界。"),
            size=f"{len(raw) / 1024 / 1024:.1f}",
            max=MAX_BYTES // 1024 // 1024,
        )
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            _fail(_("文件不是 UTF-8 编码的文本，请上传 GeoJSON 文件（.geojson 或 .json）。"))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        # Python's own message is English ("Expecting ',' delimiter"): say where, in Chinese.
        _fail(
            _("文件不是有效的 JSON：第 %(line)s 行第 %(column)s 列附近有语法错误。"),
            line=error.lineno,
            column=error.colno,
        )
    except (ValueError, RecursionError):
        _fail(_("文件不是有效的 JSON：嵌套层次过深或含无法识别的内容。"))
    if not isinstance(data, dict) or "type" not in data:
        _fail(_("GeoJSON 必须是带 type 字段的对象。"))
    kind = data["type"]
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            _fail(_("FeatureCollection 中没有要素（features 为空）。"))
        geometries = [
            (f.get("geometry") if isinstance(f, dict) else None, _("第 %(n)s 个要素") % {"n": i})
            for i, f in enumerate(features, start=1)
        ]
    elif kind == "Feature":
        geometries = [(data.get("geometry"), _("要素"))]
    elif kind in POLYGONAL:
        geometries = [(data, _("几何对象"))]
    else:
        _fail(
            _("不支持的 GeoJSON 类型“%(kind)s”：应为 FeatureCollection、Feature、Polygon 或 MultiPolygon。"),
            kind=str(kind)[:30],
        )
    polygons, vertices = [], 0
    for geometry, where in geometries:
        more, count = _geometry(geometry, where)
        polygons.extend(more)
        vertices += count
    if vertices > MAX_VERTICES:
        _fail(_("边界顶点过多（%(n)s 个，上限 %(max)s 个），请先简化边界。"), n=vertices, max=MAX_VERTICES)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        ],
    }
    return collection, vertices
