"""/healthz and /readyz: public, cheap, and honest about what would stop the system serving."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from keyprojects.lib import scheduler
from keyprojects.notifications.models import Channel, OutboxMessage
from keyprojects.ops.models import Heartbeat, JobRun
from keyprojects.ops.tests.worker_support import work

T = dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC)


def test_it_answers_healthz_without_touching_the_database(client):
    # No database for this test: a query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_readyz_with_every_check_in_a_few_queries(client, django_assert_max_num_queries):
    client.get("/readyz")  # the code's migrations are read from disk once per process
    with django_assert_max_num_queries(6):
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "heartbeats": True,
        "worker": True,
        "outbox": True,
    }


@pytest.mark.django_db
def test_it_records_the_schedulers_runs_and_is_not_ready_once_it_goes_quiet(client, settings, monkeypatch):
    settings.KP_READY_HEARTBEAT_MAX_AGE = 900
    monkeypatch.setattr(scheduler, "JOBS", [("lock_months", 3600), ("no_such_job", 60)])
    with time_machine.travel(T, tick=False):
        assert scheduler.run_due_jobs() == ["lock_months", "no_such_job"]
        work(monkeypatch)  # the scheduler queued them; the worker runs them
    done, failed = JobRun.objects.get(name="lock_months"), JobRun.objects.get(name="no_such_job")
    assert (done.ok, done.runs, done.failures, done.finished_at) == (True, 1, 0, T)
    assert (failed.ok, failed.runs, failed.failures, failed.failed_at) == (False, 1, 1, T)
    assert "Unknown command" in failed.error
    assert Heartbeat.objects.get(name="scheduler").beat_at == T
    assert not Heartbeat.objects.filter(name__startswith="worker:").exists()  # it stopped cleanly

    with time_machine.travel(T + dt.timedelta(minutes=15), tick=False):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel(T + dt.timedelta(minutes=16), tick=False):
        response = client.get("/readyz")
    assert response.status_code == 503
    heartbeats = response.json()["checks"]["heartbeats"]
    assert heartbeats["processes"] == {"scheduler": {"age_seconds": 960, "ok": False}}


@pytest.mark.django_db
def test_it_is_not_ready_with_more_messages_due_than_the_limit(client, settings):
    settings.KP_READY_OUTBOX_MAX = 2
    now = timezone.now()
    for i, due in enumerate([now - dt.timedelta(minutes=5)] * 3 + [now + dt.timedelta(hours=1)]):
        OutboxMessage.objects.create(
            channel=Channel.EMAIL,
            address="a@example.com",
            subject="提醒",
            key=f"ready-{i}",
            next_attempt_at=due,
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == {"ok": False, "backlog": 3, "max": 2}


@pytest.mark.django_db
def test_it_is_not_ready_while_a_migration_is_unapplied(client):
    leaf = next(name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == "ops")
    MigrationRecorder(connection).record_unapplied("ops", leaf)
    response = client.get("/readyz")
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations["ok"] is False and migrations["unapplied"] >= 1
