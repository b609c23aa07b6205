"""The database half of a backup, per vendor: a consistent snapshot written to one file, every table's
figures (rows and a digest of its content) read from that same snapshot, and loading a snapshot back.

Figures are read through a plain DB-API connection, not Django's (which converts dates and JSON its own
way), so that the backup and the check after a restore read values alike."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import psycopg
from django.utils.translation import gettext as _

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SNAPSHOT_FILE = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, in Chinese."""


def vendor_of(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return SQLITE
    if engine.endswith("postgresql"):
        return POSTGRESQL
    raise BackupError(_("不支持备份这种数据库：%(engine)s。") % {"engine": engine})


def snapshot(db: dict, path: Path) -> dict:
    """Write database DB's consistent snapshot to PATH; return its figures, read from that snapshot."""
    if vendor_of(db) == SQLITE:
        # The online backup API copies every page in one step under one read transaction: a consistent
        # copy while the site keeps writing, never a copy of a live WAL file.
        with (
            closing(sqlite3.connect(db["NAME"], timeout=60)) as source,
            closing(sqlite3.connect(path)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return _figures(copy, SQLITE)
    # pg_dump reads the snapshot this transaction exports, so the dump and the figures are the same data.
    with closing(_pg_connect(db)) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run(
            [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}", f"--file={path}"],
            _pg_env(db),
        )
        figures = _figures(conn, POSTGRESQL)
        conn.rollback()
        return figures


def load(db: dict, path: Path) -> None:
    """Load the snapshot at PATH into database DB, replacing what its tables hold, all or nothing."""
    if vendor_of(db) == SQLITE:
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(path)) as source,
            closing(sqlite3.connect(db["NAME"], timeout=60)) as target,
        ):
            source.backup(target)
        return
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={db['NAME']}",
            str(path),
        ],
        _pg_env(db),
    )


def figures(db: dict) -> dict:
    """Database DB's figures as it stands now (after a restore, to compare with the manifest)."""
    if vendor_of(db) == SQLITE:
        with closing(sqlite3.connect(db["NAME"], timeout=60)) as conn:
            return _figures(conn, SQLITE)
    with closing(_pg_connect(db)) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        result = _figures(conn, POSTGRESQL)
        conn.rollback()
        return result


def _figures(conn, vendor) -> dict:
    """{"tables": {table: {"rows", "sha256"}}, "migrations": {app: [applied migration, …]}}."""
    tables = _tables(conn, vendor)
    result = {"tables": {table: _digest(conn, vendor, table) for table in tables}, "migrations": {}}
    if "django_migrations" in tables:
        for app, name in conn.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name"
        ).fetchall():
            result["migrations"].setdefault(app, []).append(name)
    return result


def _tables(conn, vendor) -> list[str]:
    if vendor == SQLITE:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return sorted(name for (name,) in conn.execute(sql).fetchall())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _primary_key(conn, vendor, table) -> list[str]:
    if vendor == SQLITE:
        columns = conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        return [row[1] for row in sorted(columns, key=lambda row: row[5]) if row[5]]
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indisprimary "
        "AND i.indrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident(%s)) "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def _digest(conn, vendor, table) -> dict:
    key = _primary_key(conn, vendor, table)
    if key:
        order = ", ".join(_quote(c) for c in key)
    else:
        width = len(conn.execute(f"SELECT * FROM {_quote(table)} LIMIT 0").description)
        order = ", ".join(str(i) for i in range(1, width + 1))
    sql = f"SELECT * FROM {_quote(table)} ORDER BY {order}"
    # A server-side cursor on PostgreSQL: a large table is read in batches, not into memory at once.
    cursor = conn.cursor() if vendor == SQLITE else conn.cursor(name=f"kp_digest_{abs(hash(table))}")
    digest, rows = hashlib.sha256(), 0
    with closing(cursor):
        cursor.execute(sql)
        while batch := cursor.fetchmany(2000):
            for row in batch:
                values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                digest.update(repr(values).encode())
                digest.update(b"\n")
            rows += len(batch)
    return {"rows": rows, "sha256": digest.hexdigest()}


def _pg_connect(db: dict):
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    # UTC whatever the server's setting, so a restore on another server reads the same timestamps.
    return psycopg.connect(**{k: v for k, v in params.items() if v}, options="-c TimeZone=UTC")


def _pg_env(db: dict) -> dict:
    # The password goes through the environment: a command line is visible to every user of the machine.
    env = dict(os.environ)
    for var, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库服务器版本一致的 PostgreSQL 客户端（postgresql-client）。")
            % {"tool": name}
        )
    return path


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(
            _("%(tool)s 失败：%(error)s") % {"tool": Path(args[0]).name, "error": done.stderr.strip()[-2000:]}
        )
