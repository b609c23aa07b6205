"""Backups on their own: generations kept, a damaged archive refused, a failure recorded, once a night."""

import datetime as dt
import io
import os
import tarfile
import time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from keyprojects.lib.scheduler import JOBS
from keyprojects.ops.models import Backup
from keyprojects.ops.selectors import backup_archives, backup_due
from keyprojects.ops.services import BackupError, backup_create
from keyprojects.orgs.models import User

TZ = ZoneInfo("Asia/Shanghai")


def test_it_keeps_the_newest_generations_and_deletes_older_ones(cast, tmp_path):
    made = [backup_create(directory=tmp_path, keep=2) for _ in range(3)]
    kept = [p.name for p in backup_archives(tmp_path)]
    assert kept == [made[1].file_name, made[2].file_name]
    assert len(set(b.file_name for b in made)) == 3  # even within one second
    assert made[2].generations == 2 and made[2].ok and made[2].size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)  # no snapshot or .part left behind


def test_it_clears_what_a_backup_killed_over_a_day_ago_left_behind(cast, tmp_path):
    old_part, old_snapshot = tmp_path / "keyprojects-20270101-020000.tar.gz.part", tmp_path / ".kp-backup-x"
    old_part.write_bytes(b"half")
    old_snapshot.mkdir()
    (old_snapshot / "database.sqlite3").write_bytes(b"half")
    fresh = tmp_path / "keyprojects-20270102-020000.tar.gz.part"  # perhaps another backup, still running
    fresh.write_bytes(b"half")
    now = time.time()  # the test clock's, which may be far from the file system's
    os.utime(fresh, (now, now))
    two_days_ago = now - 2 * 24 * 3600
    for path in (old_part, old_snapshot):
        os.utime(path, (two_days_ago, two_days_ago))
    made = backup_create(directory=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([made.file_name, fresh.name])


def test_it_refuses_a_damaged_archive_before_touching_the_database(cast, tmp_path):
    backup = backup_create(directory=tmp_path)
    _damage(tmp_path / backup.file_name, "database.sqlite3", "database.pgdump")
    users = User.objects.count()
    with pytest.raises(CommandError, match="备份文件已损坏：database.* 的校验和与清单不符，未做任何恢复"):
        call_command("restore", str(tmp_path / backup.file_name), "--yes", "--replace")
    assert User.objects.count() == users


def test_it_refuses_a_file_that_is_no_backup(tmp_path, db):
    other = tmp_path / "keyprojects-20270101-020000.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("readme.txt"), io.BytesIO())
    with pytest.raises(CommandError, match="不是本系统的备份文件"):
        call_command("restore", str(other), "--yes")


def test_it_records_a_failed_backup_and_says_why(cast, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(CommandError, match="备份失败：无法创建备份目录"):
        call_command("backup", "--dir", str(blocker / "backups"), stdout=StringIO())
    failed = Backup.objects.get()
    assert not failed.ok and "无法创建备份目录" in failed.error


def test_it_backs_up_once_a_night_however_often_the_job_runs(cast, tmp_path, settings):
    settings.KP_BACKUP_DIR = str(tmp_path)
    settings.KP_BACKUP_HOUR = 2
    assert ("nightly_backup", 3600) in JOBS
    # The loop was down at 2 o'clock: it makes the night's backup when it runs again, then no more.
    with time_machine.travel(dt.datetime(2027, 3, 10, 9, 30, tzinfo=TZ), tick=False):
        call_command("nightly_backup", stdout=StringIO())
        again = StringIO()
        call_command("nightly_backup", stdout=again)
    assert len(backup_archives(tmp_path)) == 1 and "无需再备份" in again.getvalue()
    assert not backup_due(now=dt.datetime(2027, 3, 11, 1, 59, tzinfo=TZ))
    assert backup_due(now=dt.datetime(2027, 3, 11, 2, 0, tzinfo=TZ))
    with time_machine.travel(dt.datetime(2027, 3, 11, 2, 5, tzinfo=TZ), tick=False):
        call_command("nightly_backup", stdout=StringIO())
    assert len(backup_archives(tmp_path)) == 2


def test_it_does_not_count_a_failed_backup_as_the_nights(cast, tmp_path, settings):
    settings.KP_BACKUP_DIR = str(tmp_path / "a-file" / "backups")
    (tmp_path / "a-file").write_text("")
    night = dt.datetime(2027, 3, 10, 2, 5, tzinfo=TZ)
    with time_machine.travel(night, tick=False), pytest.raises(BackupError):
        backup_create()
    assert backup_due(now=night + dt.timedelta(hours=1))


def _damage(archive, *names):
    """Rewrite ARCHIVE with one byte changed in the middle of the member among NAMES it has."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if member.name in names:
                data = bytearray(data)
                data[len(data) // 2] ^= 0xFF
            tar.addfile(member, io.BytesIO(bytes(data)))
