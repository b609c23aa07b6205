import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache

from keyprojects.api.tests.world import TODAY, api_world


@pytest.fixture(autouse=True)
def _api_today():
    # Deadlines and report months count from "today": a day in a year the working-day calendar knows.
    moment = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(cast):
    return api_world(cast)
