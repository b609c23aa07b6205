"""Settings: production passes Django's deployment checks; the default SQLite runs in WAL with IMMEDIATE."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "KEYPROJECTS_ENV", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "keyprojects.settings"
    env.update(overrides)
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _production_env(**overrides):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return _env(
        KEYPROJECTS_ENV="production",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="kp.example.gov.cn",
        **overrides,
    )


def test_it_passes_the_deployment_checks_in_production():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


SHOW = """
import django
django.setup()
from django.conf import settings
print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.ALLOWED_HOSTS)
"""


def test_it_turns_debug_off_in_production_unless_asked():
    result = _run(["-c", SHOW], _production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "['kp.example.gov.cn']"]


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _run(["-c", SHOW], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_it_refuses_to_start_in_production_with_a_short_or_known_secret_key():
    short = _run(["-c", SHOW], {**_production_env(), "SECRET_KEY": "a-fairly-random-but-short-key-8Hq2"})
    assert short.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is 34 characters long" in short.stderr
    for known in ("dev-only-insecure-key-do-not-use-in-production", "django-insecure-" + "x7" * 30):
        result = _run(["-c", SHOW], {**_production_env(), "SECRET_KEY": known})
        assert result.returncode != 0
        assert "SECRET_KEY is a known example or development key" in result.stderr


SQLITE = """
import sqlite3
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    for pragma in ("journal_mode", "synchronous", "foreign_keys"):
        cursor.execute(f"PRAGMA {pragma}")
        print(pragma, cursor.fetchone()[0])

# IMMEDIATE: the write lock is taken when the transaction begins, before anything is written, so a
# second writer waits up front instead of failing half-way with "database is locked".
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
with transaction.atomic():
    connection.cursor().execute("SELECT 1")
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        print("second writer:", error)
    else:
        print("second writer: got the lock")
        other.rollback()
print("timeout", connection.settings_dict["OPTIONS"]["timeout"])
"""


def test_it_runs_the_default_sqlite_database_in_wal_with_immediate_transactions(tmp_path):
    url = f"sqlite:///{tmp_path / 'kp.sqlite3'}"
    assert url.startswith("sqlite:////")
    result = _run(["-c", SQLITE], _env(DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "journal_mode wal",
        "synchronous 1",  # NORMAL: safe with WAL, without an fsync per commit
        "foreign_keys 1",
        "second writer: database is locked",
        "timeout 20",
    ]


def test_it_uses_the_same_settings_for_the_default_data_file(tmp_path):
    result = _run(["-c", SQLITE], _env(KEYPROJECTS_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "journal_mode wal"
    assert (tmp_path / "keyprojects.sqlite3").exists()


SHARED_CACHE = """
import sys
import django
django.setup()
from keyprojects.lib.cache import bump, cached
step = sys.argv[1]
if step == "fill":
    print(cached("t", "all", lambda: "old"))
elif step == "read":
    print(cached("t", "all", lambda: "recomputed"))
else:
    bump("t")
"""


def test_several_app_servers_share_the_filter_cache_through_the_database(tmp_path):
    """KP_CACHE=database: a change seen by one server (a bump) retires what another server cached."""
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'kp.sqlite3'}", KP_CACHE="database")
    made = _run(["manage.py", "createcachetable"], env)
    assert made.returncode == 0, made.stderr

    def step(name):
        result = _run(["-c", SHARED_CACHE, name], env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert step("fill") == "old"
    assert step("read") == "old"  # another process finds the first one's value
    step("bump")
    assert step("read") == "recomputed"
    assert _run(["-c", "import django; django.setup()"], {**env, "KP_CACHE": "redis"}).returncode == 1
