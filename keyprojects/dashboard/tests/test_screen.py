"""The cockpit and its meeting-room screen in English: the charts name the standard sectors and the
escalation levels in the reader's language, as the tables beside them do."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from keyprojects.coordination.models import EscalationLevel
from keyprojects.dashboard.tests.world import cockpit_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


def _chart(html):
    match = re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


@pytest.mark.parametrize("url_name", ["cockpit", "cockpit_screen"])
def test_it_names_sectors_and_escalation_levels_in_english(client, cast, url_name):
    world = cockpit_world(cast)
    client.force_login(world.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(f"{reverse(url_name)}?year=2026&month=3").content.decode()
    chart = _chart(html)

    assert [s["name"] for s in chart["sectors"]] == ["Infrastructure"]
    assert chart["problems"]["levels"][:2] == ["Responsible unit", "Key projects office"]
    assert re.search(r'<a href="[^"]*">Responsible unit</a>', html)
    assert "责任单位办理" not in html


def test_it_shows_an_offices_own_level_name_as_entered(client, cast):
    world = cockpit_world(cast)
    EscalationLevel.objects.filter(level=1).update(name="城区专班办理")
    client.force_login(world.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    chart = _chart(client.get(f"{reverse('cockpit')}?year=2026&month=3").content.decode())

    assert chart["problems"]["levels"][0] == "城区专班办理"
