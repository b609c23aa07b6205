import datetime as dt
import os
import shutil
import tempfile
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import translation
from pytest_django.fixtures import validate_django_db

from keyprojects.test import make_cast


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        default=os.environ.get("KP_TEST_TODAY") or None,
        help="Run the whole suite with today moved to this date (YYYY-MM-DD, Beijing time); "
        "also KP_TEST_TODAY. Proves that no test depends on the wall-clock date.",
    )


def pytest_configure(config):
    # Each test process (each pytest-xdist worker) writes uploads to a directory of its own, never to
    # data/media; a test that needs a clean one still sets MEDIA_ROOT to its tmp_path. The cast logs in
    # with real passwords, so the fast hasher is on for the whole run (module-scoped worlds included).
    config._kp_media = tempfile.mkdtemp(prefix="kp-test-media-")
    # Backups too (the scheduler's nightly job runs in tests): never into data/backups, whose oldest
    # archives each backup prunes.
    config._kp_backups = tempfile.mkdtemp(prefix="kp-test-backups-")
    config._kp_settings = override_settings(
        MEDIA_ROOT=config._kp_media,
        KP_BACKUP_DIR=config._kp_backups,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    config._kp_settings.enable()
    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            # Parallel workers (and CI's three runs side by side) share 2 cores: under that load a writer
            # among the concurrency test's 24 clients can wait longer than the 20 s a real server allows.
            database.setdefault("OPTIONS", {})["timeout"] = 60
        if database["ENGINE"] == "django.db.backends.postgresql":
            # A test database need not survive a crash: commits (live server, transactional tests, the
            # flushes between them) stop waiting for the disk.
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
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
    if getattr(config, "_kp_settings", None) is not None:
        config._kp_settings.disable()
        shutil.rmtree(config._kp_media, ignore_errors=True)
        shutil.rmtree(config._kp_backups, ignore_errors=True)


def _database_group(item):
    """pytest-django's order: tests in a transaction first (0), then those that commit and flush (1),
    then those without the database (2). A flush empties what migrations seeded, so the groups stay."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    committing = marker is not None and any(validate_django_db(marker)[:2])  # transaction, reset_sequences
    if committing or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


def pytest_collection_modifyitems(config, items):
    # pytest-xdist hands tests to its workers in this order: a test marked `slow` goes first within its
    # group, so that it runs beside the short ones instead of leaving one worker busy alone at the end.
    items.sort(key=lambda item: (_database_group(item), item.get_closest_marker("slow") is None))


def pytest_report_header(config):
    if getattr(config, "_kp_clock", None) is not None:
        return f"today moved to {config.getoption('--today')} (Asia/Shanghai)"


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture(autouse=True)
def _office_language_after():
    """A test client request in English leaves English active in the test's thread (LocaleMiddleware
    activates and never deactivates); every test starts in the office's language, and leaves it so."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Cached filter choices (lib/cache.py) belong to the data of the test that made them: a rolled-back
    test does not bump their versions, so none may reach the next test."""
    yield
    cache.clear()
