import datetime as dt
import os
import zoneinfo

import pytest
import time_machine

from keyprojects.test import make_cast


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        default=os.environ.get("KP_TEST_TODAY") or None,
        help="Run the whole suite with today moved to this date (YYYY-MM-DD, Beijing time); "
        "also KP_TEST_TODAY. Proves that no test depends on the wall-clock date.",
    )


def pytest_configure(config):
    day = config.getoption("--today")
    if not day:
        return
    try:
        day = dt.date.fromisoformat(day)
    except ValueError:
        raise pytest.UsageError(f"--today wants a date as YYYY-MM-DD, not {day!r}") from None
    # From before the test database exists until the end; the clock ticks, and a test that freezes
    # time itself still wins inside its own block.
    moment = dt.datetime.combine(day, dt.time(9, 30), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    config._kp_clock = time_machine.travel(moment, tick=True)
    config._kp_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_kp_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    if getattr(config, "_kp_clock", None) is not None:
        return f"today moved to {config.getoption('--today')} (Asia/Shanghai)"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast logs in with real passwords; a slow hasher would make every test pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db):
    return make_cast()
