"""The project map: scoped points coloured by stage and warning, the uploaded boundaries, the optional
intranet map service, and the demo's synthetic boundaries."""

import json
import re

import pytest
from django.urls import reverse

from keyprojects.dashboard.demo import load_dashboard_demo
from keyprojects.dashboard.geojson import geojson_clean
from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.dashboard.selectors import map_points
from keyprojects.dashboard.tests.matrix import SQUARE
from keyprojects.dashboard.tests.world import cockpit_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    return cockpit_world(cast)


def _data(response):
    match = re.search(
        r'<script id="map-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def test_it_places_each_located_project_with_its_stage_and_worst_light(world):
    points = {p[4]: p for p in map_points(user=world.staff)}
    assert set(points) == {world.project_a.pk, world.project_b.pk}  # project C has no coordinates
    a = points[world.project_a.pk]
    assert a[:4] == [108.42, 22.815, "construction", "red"]
    assert a[5] == world.project_a.name and a[6] == "青秀区"


def test_it_shows_a_district_only_its_own_points(world, client):
    client.force_login(world.district)
    data = _data(client.get(reverse("map_projects")))
    assert [p[4] for p in data["points"]] == [world.project_a.pk]


def test_it_draws_the_uploaded_boundaries_and_links_points_to_projects(world, client):
    DistrictBoundary.objects.create(organisation=world.district_a, geojson=SQUARE, vertices=5)
    client.force_login(world.leader)
    response = client.get(f"{reverse('map_projects')}?colour=warning")
    data = _data(response)
    assert [f["properties"]["name"] for f in data["boundaries"]["features"]] == ["青秀区"]
    assert data["colour"] == "warning"
    assert data["projectUrl"].replace("{id}", str(world.project_a.pk)) == world.project_a.get_absolute_url()
    assert "tile-link" not in response.content.decode()  # no map service unless one is configured


def test_it_offers_the_intranet_map_service_when_one_is_configured(world, client, settings):
    settings.KP_MAP_TILE_URL = "http://map.intranet/?lat={lat}&lng={lng}&z={zoom}"
    client.force_login(world.staff)
    page = client.get(reverse("map_projects")).content.decode()
    assert 'data-template="http://map.intranet/?lat={lat}&amp;lng={lng}&amp;z={zoom}"' in page


def test_it_ships_plausible_demo_boundaries_around_each_district(world):
    result = load_dashboard_demo(seed=2026)
    assert result == {"boundaries": 2}  # the cast has two of the demo's districts
    boundary = DistrictBoundary.objects.get(organisation=world.district_a)
    collection, vertices = geojson_clean(json.dumps(boundary.geojson), name="青秀区")
    assert vertices == boundary.vertices == 49
    ring = collection["features"][0]["geometry"]["coordinates"][0][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lngs) < 108.42 < max(lngs) and min(lats) < 22.815 < max(lats)  # around the centre
