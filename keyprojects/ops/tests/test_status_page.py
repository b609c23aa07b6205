"""The office admin's operations page: the last backup, the jobs' runs, the queues."""

import datetime as dt
import re

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from keyprojects.ops.services import BackupError, backup_create, job_run_record

T = dt.datetime(2027, 3, 10, 1, 0, tzinfo=dt.UTC)


def _text(html, element_id):
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|ul|div|p)>', html, re.S)
    return re.sub(r"<[^>]+>", "", found[1]) if found else None


def test_it_shows_the_last_backup_its_size_and_the_generations_kept(cast, client, tmp_path, settings):
    settings.KP_BACKUP_DIR = str(tmp_path)
    settings.KP_BACKUP_KEEP = 2
    last = [backup_create() for _ in range(3)][-1]
    client.force_login(cast.admin)
    html = client.get(reverse("ops_status")).content.decode()
    assert _text(html, "backup-file") == last.file_name
    assert _text(html, "backup-size") == filesizeformat(last.size)
    assert str(tmp_path) in _text(html, "backup-where")
    assert _text(html, "backup-generations") == "2 份（最多保留 2 份）"
    assert _text(html, "archives").count(".tar.gz") == 2
    assert _text(html, "backup-failed") is None


def test_it_shows_a_failed_backup_after_the_last_good_one(cast, client, tmp_path, settings):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(BackupError):
        backup_create(directory=tmp_path / "a-file" / "backups")
    client.force_login(cast.admin)
    html = client.get(reverse("ops_status")).content.decode()
    assert _text(html, "backup-none") == "还没有成功的备份。"
    assert "无法创建备份目录" in _text(html, "backup-failed")


def test_it_shows_each_jobs_last_run_and_the_outbox_backlog(cast, client, django_assert_max_num_queries):
    job_run_record(name="deliver_notifications", started_at=T, finished_at=T + dt.timedelta(seconds=2))
    job_run_record(name="escalate_problems", started_at=T, finished_at=T, error="DatabaseError: 连接中断")
    client.force_login(cast.admin)
    with django_assert_max_num_queries(18):
        html = client.get(reverse("ops_status")).content.decode()
    row = re.search(r'id="job-deliver_notifications">(.*?)</tr>', html, re.S)[1]
    assert "成功" in row and "2.0" in row and "1 / 0" in row
    row = re.search(r'id="job-escalate_problems">(.*?)</tr>', html, re.S)[1]
    assert "失败" in row and "连接中断" in row and "1 / 1" in row
    assert "未运行" in re.search(r'id="job-nightly_backup">(.*?)</tr>', html, re.S)[1]
    assert _text(html, "outbox-backlog") == "0"


def test_it_is_the_office_admins_alone(cast, client):
    url = reverse("ops_status")
    assert client.get(url).status_code == 302
    client.force_login(cast.staff)
    assert client.get(url).status_code == 403
    client.force_login(cast.admin)
    assert client.post(url).status_code == 405
