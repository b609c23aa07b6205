"""Writes of the ops app: backups and restores, and the records background processes leave behind.

A backup is one .tar.gz: the database snapshot (databases.SNAPSHOT_FILE), the uploaded files under
media/, manifest.json (when, which database, which code, the migrations applied, every table's rows and
content digest, every file's size and sha256) and SHA256SUMS (for `sha256sum -c` after unpacking)."""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.ops import databases, selectors
from keyprojects.ops.databases import BackupError
from keyprojects.ops.models import Backup, Heartbeat, JobRun
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import Project

__all__ = ["BackupError", "backup_create", "backup_if_due", "backup_restore"]

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MEDIA = "media/"
FORMAT = 1


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backup_create(*, directory: Path | str | None = None, keep: int | None = None) -> Backup:
    """Back up the database and the uploaded files into a new archive in DIRECTORY (KP_BACKUP_DIR) and
    delete all but the newest KEEP (KP_BACKUP_KEEP) there. A failure is recorded too, then raised."""
    directory = Path(directory or settings.KP_BACKUP_DIR)
    keep = settings.KP_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError(_("保留份数至少为 1。"))
    started = timezone.now()
    vendor = databases.vendor_of(connections["default"].settings_dict)
    try:
        path, manifest = _archive_write(directory, started)
        kept = backups_prune(directory=directory, keep=keep)
    except Exception as exc:
        Backup.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            ok=False,
            path=str(directory),
            host=_host(),
            vendor=vendor,
            error=f"{exc}"[:4000] or type(exc).__name__,
        )
        if isinstance(exc, OSError):  # a full disk, a lost mount: a message, not a traceback
            raise BackupError(str(exc)) from exc
        raise
    tables = manifest["tables"]
    return Backup.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        ok=True,
        path=str(path.resolve()),
        host=_host(),
        size=path.stat().st_size,
        vendor=vendor,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        files=len(manifest["files"]),
        generations=kept,
    )


def backup_if_due(*, now: dt.datetime) -> Backup | None:
    """The nightly job: back up unless tonight's backup exists (selectors.backup_due)."""
    if not selectors.backup_due(now=now):
        return None
    return backup_create()


def backups_prune(*, directory: Path, keep: int) -> int:
    """Delete all but the newest KEEP archives in DIRECTORY, and what a backup killed over a day ago left
    (a .part archive, a snapshot directory); return how many archives are left."""
    archives = selectors.backup_archives(directory)
    for old in archives[:-keep]:
        old.unlink(missing_ok=True)
    day_ago = time.time() - 24 * 3600
    for left in [*directory.glob("keyprojects-*.tar.gz.part"), *directory.glob(".kp-backup-*")]:
        if left.stat().st_mtime >= day_ago:
            continue
        if left.is_dir():
            shutil.rmtree(left, ignore_errors=True)
        else:
            left.unlink(missing_ok=True)
    return min(len(archives), keep)


def _claim(directory: Path, started: dt.datetime) -> tuple[Path, Path]:
    """A new archive name (a suffix when one exists already from the same second), its .part claimed."""
    stamp = timezone.localtime(started).strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        final = directory / (f"keyprojects-{stamp}.tar.gz" if n == 1 else f"keyprojects-{stamp}-{n}.tar.gz")
        part = final.with_name(final.name + ".part")
        if final.exists():
            continue
        try:
            part.open("xb").close()
        except FileExistsError:
            continue
        return final, part
    raise BackupError(_("备份目录中同一时间的备份过多：%(dir)s") % {"dir": directory})


def _archive_write(directory: Path, started: dt.datetime) -> tuple[Path, dict]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            _("无法创建备份目录 %(dir)s：%(error)s") % {"dir": directory, "error": exc}
        ) from exc
    db = connections["default"].settings_dict
    vendor = databases.vendor_of(db)
    final, part = _claim(directory, started)
    try:
        # The snapshot is made beside the archives: /tmp is often small, and the backup disk is not.
        with tempfile.TemporaryDirectory(prefix=".kp-backup-", dir=directory) as work:
            dump = Path(work) / databases.SNAPSHOT_FILE[vendor]
            figures = databases.snapshot(db, dump)
            with tarfile.open(part, "w:gz", compresslevel=6) as tar:
                with dump.open("rb") as f:
                    dump_sha = _add(tar, dump.name, f, dump.stat().st_size)
                files = {}
                for name in selectors.media_names():
                    size = default_storage.size(name)
                    with default_storage.open(name, "rb") as f:
                        files[name] = {"size": size, "sha256": _add(tar, MEDIA + name, f, size)}
                manifest = {
                    "format": FORMAT,
                    "created_at": started.isoformat(),
                    "app": {"version": _version(), "commit": _commit()},
                    "database": {
                        "vendor": vendor,
                        "file": dump.name,
                        "size": dump.stat().st_size,
                        "sha256": dump_sha,
                    },
                    "migrations": figures["migrations"],
                    "tables": figures["tables"],
                    "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                _add(tar, MANIFEST, io.BytesIO(data), len(data))
                sums = [(dump_sha, dump.name), (hashlib.sha256(data).hexdigest(), MANIFEST)]
                sums += [(f["sha256"], MEDIA + name) for name, f in files.items()]
                listing = "".join(f"{sha}  {name}\n" for sha, name in sums).encode()
                _add(tar, SUMS, io.BytesIO(listing), len(listing))
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return final, manifest


class _Hashing:
    """A file read through, its sha256 taken on the way."""

    def __init__(self, f):
        self.f, self.sha = f, hashlib.sha256()

    def read(self, n=-1):
        chunk = self.f.read(n)
        self.sha.update(chunk)
        return chunk


def _add(tar: tarfile.TarFile, name: str, f, size: int) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o644
    reader = _Hashing(f)
    tar.addfile(info, reader)
    return reader.sha.hexdigest()


def _version() -> str:
    try:
        return metadata.version("keyprojects")
    except metadata.PackageNotFoundError:
        return ""


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


@dataclass
class Restored:
    manifest: dict
    tables: int = 0
    rows: int = 0
    files: int = 0
    unapplied: list = field(default_factory=list)  # this code's migrations the backup had not applied


def business_data() -> dict[str, int]:
    """What the database holds that only an office makes (load_demo's test too): {label: count}, empty
    for an empty instance (never migrated, or migrated with only its seeded reference data)."""
    tables = set(connection.introspection.table_names())
    found = {}
    for label, model in [(_("单位"), Organisation), (_("用户"), User), (_("项目"), Project)]:
        if model._meta.db_table in tables:
            n = model.objects.count()
            if n:
                found[str(label)] = n
    return found


def archive_manifest(archive: Path) -> dict:
    """The manifest of ARCHIVE, or a BackupError saying it is no backup of this system."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return _manifest_of(tar, archive)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(
            _("无法读取备份文件 %(file)s：%(error)s") % {"file": archive, "error": exc}
        ) from exc


def _manifest_of(tar, archive) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(
            _("%(file)s 不是本系统的备份文件（没有有效的 manifest.json）。") % {"file": archive}
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("备份文件格式版本 %(v)s 不受支持。") % {"v": manifest.get("format")})
    return manifest


def backup_restore(*, archive: Path | str, replace: bool = False) -> Restored:
    """Restore ARCHIVE into this instance's database and upload storage, then verify every table's rows
    and content digest and every file's checksum against its manifest.

    Refused when the database holds an office's data, unless REPLACE; the database is replaced in one
    transaction (SQLite: one backup step; PostgreSQL: pg_restore --single-transaction)."""
    archive = Path(archive)
    db = connections["default"].settings_dict
    vendor = databases.vendor_of(db)
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(
            _("无法读取备份文件 %(file)s：%(error)s") % {"file": archive, "error": exc}
        ) from exc
    with tar:
        manifest = _manifest_of(tar, archive)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                _("这是 %(theirs)s 数据库的备份，本实例使用 %(ours)s，不能直接恢复。")
                % {"theirs": manifest["database"]["vendor"], "ours": vendor}
            )
        with tempfile.TemporaryDirectory(prefix="kp-restore-", dir=settings.DATA_DIR) as work:
            dump = Path(work) / manifest["database"]["file"]
            _extract_checked(tar, manifest["database"]["file"], dump, manifest["database"]["sha256"])
            found = business_data()
            if found and not replace:
                listed = "，".join(f"{label} {n} 个" for label, n in found.items())
                raise BackupError(
                    _(
                        "目标数据库不是空的（%(found)s），恢复只能在空实例上进行。"
                        "确需用备份覆盖现有全部数据，请加 --replace。"
                    )
                    % {"found": listed}
                )
            connections.close_all()
            databases.load(db, dump)
        restored_files = _files_restore(tar, manifest["files"])
    connections.close_all()
    problems = _differences(manifest, databases.figures(db), restored_files)
    if problems:
        raise BackupError(_("恢复后校验不一致：") + "；".join(problems[:20]))
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    tables = manifest["tables"]
    return Restored(
        manifest=manifest,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        files=len(restored_files),
        unapplied=[f"{m.app_label}.{m.name}" for m, _backwards in unapplied],
    )


def _extract_checked(tar, name: str, target: Path, sha256: str) -> None:
    try:
        source = tar.extractfile(name)
    except KeyError:
        source = None
    if source is None:
        raise BackupError(_("备份文件不完整：缺少 %(name)s。") % {"name": name})
    reader = _Hashing(source)
    with target.open("wb") as out:
        while chunk := reader.read(1 << 20):
            out.write(chunk)
    if reader.sha.hexdigest() != sha256:
        raise BackupError(_("备份文件已损坏：%(name)s 的校验和与清单不符，未做任何恢复。") % {"name": name})


def _files_restore(tar, files: dict) -> dict:
    """Write every uploaded file of the manifest to storage; return {name: sha256 as read back}."""
    restored = {}
    for name in files:
        try:
            source = tar.extractfile(MEDIA + name)
        except KeyError:
            source = None
        if source is None:
            raise BackupError(_("备份文件不完整：缺少上传文件 %(name)s。") % {"name": name})
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, File(source, name=name))
        if saved != name:
            raise BackupError(_("上传文件 %(name)s 被存为 %(saved)s。") % {"name": name, "saved": saved})
        sha = hashlib.sha256()
        with default_storage.open(name, "rb") as f:
            while chunk := f.read(1 << 20):
                sha.update(chunk)
        restored[name] = sha.hexdigest()
    return restored


def _differences(manifest: dict, figures: dict, files: dict) -> list[str]:
    problems = []
    for table, expected in manifest["tables"].items():
        got = figures["tables"].get(table)
        if got is None:
            problems.append(_("缺少数据表 %(t)s") % {"t": table})
        elif got["rows"] != expected["rows"]:
            problems.append(
                _("数据表 %(t)s 备份 %(a)s 行，恢复后 %(b)s 行")
                % {"t": table, "a": expected["rows"], "b": got["rows"]}
            )
        elif got["sha256"] != expected["sha256"]:
            problems.append(_("数据表 %(t)s 的内容摘要不一致") % {"t": table})
    for name, expected in manifest["files"].items():
        if files.get(name) != expected["sha256"]:
            problems.append(_("上传文件 %(name)s 的校验和不一致") % {"name": name})
    return problems


def heartbeat_beat(*, name: str) -> None:
    """A background process NAME is alive (the scheduler loop sends it on every pass and after each job)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now(), "host": _host()})


def job_claim(*, name: str, every: int, now: dt.datetime) -> bool:
    """Claim scheduled job NAME's run due at NOW: True for exactly one claimant per interval (EVERY
    seconds), however many scheduler loops ask. A conditional UPDATE decides, on SQLite and PostgreSQL."""
    JobRun.objects.get_or_create(name=name)
    return bool(
        JobRun.objects.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now), name=name).update(
            next_run_at=now + dt.timedelta(seconds=every), claimed_by=_host()
        )
    )


def job_run_record(*, name: str, started_at: dt.datetime, finished_at: dt.datetime, error: str = "") -> None:
    """Scheduled job NAME ran from STARTED_AT to FINISHED_AT, failing with ERROR unless it is empty."""
    with transaction.atomic():
        run, _created = JobRun.objects.get_or_create(name=name)
        changes = {
            "started_at": started_at,
            "finished_at": finished_at,
            "ok": not error,
            "error": error[:4000],
            "runs": F("runs") + 1,
        }
        if error:
            changes.update(failures=F("failures") + 1, failed_at=finished_at)
        JobRun.objects.filter(pk=run.pk).update(**changes)
