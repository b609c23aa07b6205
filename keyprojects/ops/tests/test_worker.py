"""The task worker: its heartbeat, the reaper that settles a dead worker's tasks (an import then fails
with its reason, a parse runs again), /readyz's worker check and the ops page's task queue."""

import datetime as dt
import io
import os
import re
import socket
import subprocess
import threading

import pytest
import time_machine
from django.core.files import File
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyprojects.lib import scheduler
from keyprojects.ops.models import Heartbeat, JobRun
from keyprojects.ops.services import job_claim
from keyprojects.ops.tests.worker_support import work
from keyprojects.ops.worker import LOST, heartbeat_name
from keyprojects.plans.imports import jobs
from keyprojects.plans.models import ImportJob
from keyprojects.plans.tests.import_support import GOOD, YEAR, counts, import_world

T = dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC)
Status = ImportJob.Status


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KP_PROGRESS_DIR = tmp_path / "progress"
    settings.KP_IMPORT_SYNC_BYTES = 0
    settings.KP_IMPORT_SYNC_APPLY_ROWS = 0
    return import_world(cast)


def _queued_job(world, monkeypatch, *, applying: bool) -> ImportJob:
    with (GOOD / "messy_sections.xlsx").open("rb") as f:
        job = jobs.import_job_create(upload=File(f, name="list.xlsx"), year=YEAR, batch="new", by=world.staff)
    if applying:
        work(monkeypatch)
        job.refresh_from_db()
        assert job.status == Status.PREVIEW, job.errors
        job = jobs.import_job_apply(job=job, by=world.staff)
    return job


def _claimed_by(worker_id: str, *, host: str, beat_at: dt.datetime) -> DBTaskResult:
    """The queued task, as a worker WORKER_ID that beat last at BEAT_AT on HOST had claimed it."""
    result = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    result.claim(worker_id)
    Heartbeat.objects.update_or_create(
        name=heartbeat_name(worker_id), defaults={"beat_at": beat_at, "host": host}
    )
    return result


def _finished_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_it_fails_an_import_whose_worker_died_and_says_so(world, monkeypatch, client, settings):
    job = _queued_job(world, monkeypatch, applying=True)
    before = counts()
    # Another machine's worker, silent for longer than the limit.
    settings.KP_WORKER_DEAD_AFTER = 120
    result = _claimed_by("w-gone", host="other-host:4242", beat_at=timezone.now() - dt.timedelta(seconds=121))
    call_command("reap_tasks", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.errors == [{"message": "导入进程意外中止，未写入任何数据，请重新上传。"}]
    assert counts() == before
    result.refresh_from_db()
    assert (result.status, result.exception_class_path) == (TaskResultStatus.FAILED, LOST)
    assert "w-gone" in result.traceback
    assert not Heartbeat.objects.filter(name=heartbeat_name("w-gone")).exists()

    client.force_login(world.admin)
    html = client.get(reverse("ops_status")).content.decode()
    assert re.search(r'id="tasks-failed"[^>]*>1<', html)
    failures = re.search(r'id="task-failures">(.*?)</ul>', html, re.S)[1]
    assert "import_job_apply_task" in failures and "w-gone" in failures

    client.force_login(world.staff)
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "导入进程意外中止，未写入任何数据，请重新上传。" in page


def test_it_leaves_a_live_workers_task_alone(world, monkeypatch, settings):
    _queued_job(world, monkeypatch, applying=True)
    settings.KP_WORKER_DEAD_AFTER = 120
    # Another machine, beating; and this machine, whose process runs (this one) however old its beat.
    result = _claimed_by("w-far", host="other-host:1", beat_at=timezone.now() - dt.timedelta(seconds=60))
    call_command("reap_tasks", stdout=io.StringIO())
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING
    Heartbeat.objects.filter(name=heartbeat_name("w-far")).update(
        host=f"{socket.gethostname()}:{os.getpid()}", beat_at=timezone.now() - dt.timedelta(seconds=600)
    )
    call_command("reap_tasks", stdout=io.StringIO())
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


def test_it_reaps_at_once_the_task_of_a_worker_process_gone_from_this_machine(world, monkeypatch):
    job = _queued_job(world, monkeypatch, applying=True)
    _claimed_by("w-killed", host=f"{socket.gethostname()}:{_finished_pid()}", beat_at=timezone.now())
    # A new worker reaps when it starts, then has nothing left to run.
    work(monkeypatch)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "意外中止" in job.errors[0]["message"]


def test_it_runs_a_parse_cut_short_again_and_gives_up_after_three_claims(world, monkeypatch):
    job = _queued_job(world, monkeypatch, applying=False)
    old = timezone.now() - dt.timedelta(hours=1)
    _claimed_by("w-1", host="other-host:1", beat_at=old)
    call_command("reap_tasks", stdout=io.StringIO())
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.READY and result.worker_ids == ["w-1"]
    work(monkeypatch)
    job.refresh_from_db()
    assert job.status == Status.PREVIEW  # parsed the second time

    job2 = _queued_job(world, monkeypatch, applying=False)
    for n in (1, 2, 3):
        _claimed_by(f"w-{n}", host="other-host:1", beat_at=old)
        call_command("reap_tasks", stdout=io.StringIO())
    job2.refresh_from_db()
    assert job2.status == Status.FAILED
    assert job2.errors == [{"message": "解析进程意外中止，文件未导入，请重新上传。"}]


def test_readyz_fails_while_tasks_wait_and_no_worker_beats(client, db, settings):
    settings.KP_READY_TASK_WAIT_MAX = 600
    with time_machine.travel(T, tick=False):
        scheduler.run_command.enqueue("lock_months")
    with time_machine.travel(T + dt.timedelta(minutes=10), tick=False):
        assert client.get("/readyz").json()["checks"]["worker"]["ok"] is True
    with time_machine.travel(T + dt.timedelta(minutes=11), tick=False):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["worker"] == {
            "ok": False,
            "workers": 0,
            "waited_seconds": 660,
            "max_wait_seconds": 600,
        }
        Heartbeat.objects.create(name=heartbeat_name("w"), beat_at=timezone.now(), host="h:1")
        assert client.get("/readyz").status_code == 200


def test_two_schedulers_on_one_database_run_each_job_once_per_interval(db, monkeypatch):
    """Two scheduler loops (two servers) tick against one database for ten minutes; the worker runs
    what they queue. Each job ran once per interval."""
    monkeypatch.setattr(scheduler, "JOBS", [("clearsessions", 60), ("lock_months", 120), ("reap_tasks", 60)])
    for tick in range(20):  # every 30 s, both loops
        with time_machine.travel(T + dt.timedelta(seconds=30 * tick), tick=False):
            first = scheduler.run_due_jobs()
            second = scheduler.run_due_jobs()
            assert not set(first) & set(second)
            work(monkeypatch)
    runs = {run.name: run.runs for run in JobRun.objects.all()}
    assert runs == {"clearsessions": 10, "lock_months": 5, "reap_tasks": 10}
    queued = DBTaskResult.objects.filter(task_path=scheduler.run_command.module_path)
    assert sorted(r.args_kwargs["args"][0] for r in queued) == ["clearsessions"] * 10 + ["lock_months"] * 5
    assert {r.status for r in queued} == {TaskResultStatus.SUCCESSFUL}


@pytest.mark.django_db(transaction=True)
def test_claims_racing_from_threads_win_once(settings):
    """Eight loops claim the same job at the same moment, each through its own connection: one wins."""
    now = timezone.now()
    job_claim(name="race", every=60, now=now - dt.timedelta(minutes=5))  # the row exists; due now
    start, wins = threading.Barrier(8), []

    def claim():
        try:
            start.wait()
            wins.append(job_claim(name="race", every=60, now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_it_fails_a_job_a_dead_web_server_was_applying_an_hour_on(world, monkeypatch, settings):
    """A small file is applied inside its request: no task exists to reap when that server dies."""
    settings.KP_IMPORT_SYNC_BYTES = 10**9
    with time_machine.travel(T, tick=False):
        stuck = _queued_job(world, monkeypatch, applying=False)  # parsed in the "request"
        fresh = _queued_job(world, monkeypatch, applying=False)
        ImportJob.objects.filter(pk=stuck.pk).update(
            status=Status.APPLYING, summary={"confirmed_at": T.isoformat()}
        )
    later = T + dt.timedelta(hours=1, minutes=1)
    ImportJob.objects.filter(pk=fresh.pk).update(
        status=Status.APPLYING, summary={"confirmed_at": (later - dt.timedelta(seconds=5)).isoformat()}
    )
    with time_machine.travel(later, tick=False):
        call_command("reap_tasks", stdout=io.StringIO())
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == Status.FAILED and "意外中止" in stuck.errors[0]["message"]
    assert fresh.status == Status.APPLYING  # its request may still be running
