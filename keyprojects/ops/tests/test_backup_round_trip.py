"""Fault test: the demo city with uploaded files, backed up and restored into an empty instance (a second
SQLite file, or a second PostgreSQL database when the suite runs on PostgreSQL), is identical table by
table (row count and a digest of the rows) and file by file (sha256).

The restore runs as IT staff would run it: `manage.py restore` in a process of its own, pointed at the
new instance by DATABASE_URL and KEYPROJECTS_DATA_DIR. The figures are read here with code of the
test's own, so a fault in the backup's own digest cannot hide itself."""

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from keyprojects.coordination.models import Problem, ProblemAttachment
from keyprojects.orgs.models import User
from keyprojects.plans.models import MonthlyReport, ReportPhoto

# About 7 s on SQLite, 20 s on PostgreSQL (an idle machine): started first among its group.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_it_restores_the_demo_city_into_an_empty_instance_identically(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", "--projects", "30", "--today", "2026-12-07", stdout=StringIO())
    _upload_files()
    db = connection.settings_dict
    source, files = _contents(db), _checksums(Path(settings.MEDIA_ROOT))
    assert source["tables"]["projects_project"]["rows"] == 30 and len(files) == 3

    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=StringIO())
    [archive] = (tmp_path / "backups").glob("keyprojects-*.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {t: f["rows"] for t, f in manifest["tables"].items()} == {
        t: f["rows"] for t, f in source["tables"].items() if not t.startswith("sqlite_")
    }
    assert {name: f["sha256"] for name, f in manifest["files"].items()} == files

    with pytest.raises(CommandError, match="目标数据库不是空的（单位 .*，恢复只能在空实例上进行"):
        call_command("restore", str(archive), "--yes")

    with _empty_instance(tmp_path / "restored", db) as (target, env):
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", str(archive), "--yes"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert "恢复完成并已校验" in done.stdout
        restored = _contents(target)
    assert restored == source
    assert _checksums(tmp_path / "restored" / "media") == files


def _upload_files():
    owner = User.objects.get(username="owner")
    report = MonthlyReport.objects.order_by("pk").first()
    problem = Problem.objects.order_by("pk").first()
    ReportPhoto.objects.create(
        report=report,
        image=ContentFile(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40, name="工地 东侧.jpg"),
        uploaded_by=owner,
    )
    ReportPhoto.objects.create(
        report=report, image=ContentFile(b"\x89PNG" * 500, name="site.png"), uploaded_by=owner
    )
    ProblemAttachment.objects.create(
        problem=problem,
        file=ContentFile("用地批复".encode() * 100, name="批复.pdf"),
        original_name="批复.pdf",
        uploaded_by=owner,
    )


def _checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _connect(db):
    if db["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(db["NAME"])
    conn = psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        options="-c TimeZone=UTC",
    )
    return conn


def _contents(db) -> dict[str, dict]:
    """{"tables": every table's row count and a digest of its rows (sorted here, so no order is assumed),
    "sequences": on PostgreSQL every sequence's position (SQLite keeps them in the sqlite_sequence
    table), so that the restored instance does not hand out used ids again}."""
    sqlite = db["ENGINE"].endswith("sqlite3")
    with contextlib.closing(_connect(db)) as conn:
        if sqlite:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            tables = [
                r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ]
        result = {"tables": {}, "sequences": {}}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            lines = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)) for r in rows)
            result["tables"][table] = {
                "rows": len(rows),
                "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
            }
        if not sqlite:
            sequences = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            result["sequences"] = dict(conn.execute(sequences).fetchall())
    return result


@contextlib.contextmanager
def _empty_instance(root: Path, db):
    """A new instance's database (none yet: a file to come, or a new PostgreSQL database) and the
    environment its commands run with."""
    env = {**os.environ, "KEYPROJECTS_DATA_DIR": str(root)}
    if db["ENGINE"].endswith("sqlite3"):
        target = {**db, "NAME": str(root / "keyprojects.sqlite3")}
        yield target, {**env, "DATABASE_URL": f"sqlite:///{target['NAME']}"}
        return
    target = {**db, "NAME": f"{db['NAME']}_restored"[:63]}
    with contextlib.closing(_connect(db)) as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{target["NAME"]}"')
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    url = f"postgres://{user}{password}@{where}/{target['NAME']}"
    try:
        yield target, {**env, "DATABASE_URL": url}
    finally:
        with contextlib.closing(_connect(db)) as conn:
            conn.autocommit = True
            conn.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
