import datetime as dt
import zoneinfo

import pytest
import time_machine

# The plans cast lists its projects for 2026 (cast.py): its tests live in late 2026, whatever the wall
# clock says. A test that needs another day travels there itself, inside this clock.
CAST_TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _cast_today():
    with time_machine.travel(CAST_TODAY, tick=True):
        yield
