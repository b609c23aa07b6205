#!/usr/bin/env python
"""Fault test: the task worker SIGKILLed during an import's apply, 20 times.

Run on demand (`.venv/bin/python scripts/fault_worker_kill.py`); the suite runs one round of it
(keyprojects/ops/tests/test_worker_kill.py). Like bench/import_list.py it builds a throw-away database —
a temporary SQLite file by default, or the PostgreSQL database named by --database-url (its name must
contain 'bench'; created, then dropped) — migrates it, loads a small demo city and writes a list the
way offices publish it (bench/import_list.write_list). Each round then starts from that same database
(restored from a snapshot), starts a real `manage.py db_worker` process, uploads the list (the worker
parses it), confirms it, waits for the worker to claim the apply, SIGKILLs it at a random moment of
the apply (a first, unkilled round measures how long an apply takes), runs the reaper and checks:

  * the database holds the state before the import (every count unchanged) or after it (every row of
    the list an entry of the year's list) — never part of it;
  * the job ends DONE, or FAILED with its reason; no task is left running.

It prints a table of the rounds and exits 1 if any round broke the rules.
"""

import argparse
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as in bench/project_list.py; default a temporary SQLite file")
    parser.add_argument("--kills", type=int, default=20, help="rounds with a kill (default 20)")
    parser.add_argument("--rows", type=int, default=2000, help="projects in the list (default 2000)")
    parser.add_argument("--demo-projects", type=int, default=200, help="demo city size (default 200)")
    parser.add_argument("--seed", type=int, default=15, help="of the kill moments")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    args = parser.parse_args()
    args.reuse = False
    args.debug = False
    return args


def start_worker(env: dict, log) -> subprocess.Popen:
    """A real `manage.py db_worker`, as `make run` starts it."""
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(check, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if worker is not None and worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({worker.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout} s")
        time.sleep(0.02)


def import_round(
    *, staff, path: Path, year: int, env: dict, kill_after: float | None, log, timeout=600
) -> dict:
    """Upload PATH, let a new worker parse it, confirm, then SIGKILL the worker KILL_AFTER seconds after
    it claimed the apply (None: let it finish); reap; return what happened and whether it kept the rules."""
    from django.core.files import File
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from keyprojects.lib.background import progress_read
    from keyprojects.ops.worker import tasks_reap
    from keyprojects.plans.imports import jobs
    from keyprojects.plans.models import AnnualEntry, ImportJob
    from keyprojects.plans.tests.import_support import counts

    Status = ImportJob.Status
    before = counts()
    worker = start_worker(env, log)
    row = {"kill_after": kill_after, "progress": "", "apply_seconds": None}
    try:
        with path.open("rb") as f:
            job = jobs.import_job_create(upload=File(f, name=path.name), year=year, batch="new", by=staff)

        def settled():
            job.refresh_from_db()
            return job.status not in jobs.RUNNING

        _wait(settled, timeout=timeout, what="parse", worker=worker)
        if job.status != Status.PREVIEW:
            raise RuntimeError(f"the list was not previewed: {job.status} {job.errors[:3]}")
        jobs.import_job_apply(job=job, by=staff)
        task = DBTaskResult.objects.filter(
            task_path=jobs.import_job_apply_task.module_path, args_kwargs__args__0=job.pk
        )
        _wait(
            lambda: task.exclude(status=TaskResultStatus.READY).exists(),
            timeout=timeout,
            what="claim",
            worker=worker,
        )
        claimed = time.monotonic()
        if kill_after is None:
            _wait(settled, timeout=timeout, what="apply", worker=worker)
            row["apply_seconds"] = time.monotonic() - claimed
        else:
            while time.monotonic() - claimed < kill_after and worker.poll() is None:
                job.refresh_from_db()
                if job.status != Status.APPLYING:
                    break
                time.sleep(0.01)
            seen = progress_read(f"import-job-{job.pk}")
            row["progress"] = f"{seen[0]}/{seen[1]}" if seen else "-"
            os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    reaped = tasks_reap()
    job.refresh_from_db()
    after = counts()
    entries = AnnualEntry.objects.filter(annual_list__year=year).count()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    reason = (job.errors or [{}])[0].get("message", "") if job.status == Status.FAILED else ""
    if job.status == Status.DONE:
        state = (
            "after"
            if entries == job.summary["result"]["created"] + job.summary["result"]["updated"]
            else "PART"
        )
        ok = state == "after" and entries > 0
    elif job.status == Status.FAILED:
        state = "before" if after == before else "PART"
        ok = state == "before" and "意外中止" in reason
    else:
        state, ok = "STUCK", False
    row.update(
        status=job.status,
        state=state,
        entries=entries,
        reaped=len(reaped),
        running=running,
        reason=reason,
        ok=ok and running == 0,
    )
    return row


def _snapshot_sqlite(db: str, copy: str, *, restore=False):
    source, target = (copy, db) if restore else (db, copy)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main():
    args = parse_args()
    from project_list import _pg_admin_connect, _pg_drop, _pg_name, drop_database, prepare_database

    url, tmp = prepare_database(args)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from import_list import YEAR, reference_data, write_list

    from keyprojects.demo.loader import load_demo
    from keyprojects.orgs.models import User

    logging.getLogger("keyprojects.ops.worker").setLevel(logging.ERROR)  # the table says what was reaped
    settings.KP_IMPORT_SYNC_BYTES = 0  # every upload goes to the worker
    settings.KP_IMPORT_SYNC_APPLY_ROWS = 0
    rng = random.Random(args.seed)
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        load_demo(projects=args.demo_projects)
        path = Path(tmp) / f"list-{args.rows}.xlsx"
        rows = write_list(path, args.rows, reference_data(), existing_share=0.3)
        size = path.stat().st_size
        print(f"setup {time.perf_counter() - start:.1f} s; list of {rows:,} projects ({size:,} bytes)")
        sqlite = url.startswith("sqlite:///")
        name = None if sqlite else _pg_name(url)
        connections.close_all()
        if sqlite:
            db = url.removeprefix("sqlite:///")
            _snapshot_sqlite(db, f"{tmp}/snapshot.sqlite3")
        else:
            with _pg_admin_connect(url) as conn:
                _pg_drop(conn, f"{name}_snap")
                conn.execute(f'CREATE DATABASE "{name}_snap" TEMPLATE "{name}"')

        def reset():
            connections.close_all()
            if sqlite:
                _snapshot_sqlite(db, f"{tmp}/snapshot.sqlite3", restore=True)
            else:
                with _pg_admin_connect(url) as conn:
                    _pg_drop(conn, name)
                    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_snap"')

        env = {**os.environ, "LOG_LEVEL": "WARNING"}
        results = []
        with open(Path(tmp) / "worker.log", "w") as log:
            staff = User.objects.get(username="staff")
            first = import_round(staff=staff, path=path, year=YEAR, env=env, kill_after=None, log=log)
            apply_seconds = first["apply_seconds"]
            print(f"unkilled: {first['status']}, {first['entries']:,} entries, apply {apply_seconds:.2f} s\n")
            header = (
                f"{'#':>3} {'kill at s':>9} {'progress':>11} {'job':>9} {'database':>9} {'entries':>8} "
                f"{'reaped':>6}  reason"
            )
            print(header)
            print("-" * len(header))
            for n in range(1, args.kills + 1):
                reset()
                staff = User.objects.get(username="staff")
                kill_after = rng.uniform(0, apply_seconds * 1.1)
                row = import_round(staff=staff, path=path, year=YEAR, env=env, kill_after=kill_after, log=log)
                results.append(row)
                print(
                    f"{n:>3} {kill_after:>9.2f} {row['progress']:>11} {row['status']:>9} {row['state']:>9} "
                    f"{row['entries']:>8,} {row['reaped']:>6}  {row['reason'][:40]}"
                    + ("" if row["ok"] else "  ← BROKEN"),
                    flush=True,
                )
        bad = [r for r in results if not r["ok"]]
        done = sum(r["status"] == "done" for r in results)
        print(
            f"\n{len(results)} kills on {connections['default'].vendor}: {done} done (killed after commit),"
            f" {len(results) - done} failed with their reason; {len(bad)} broke the rules "
            "(part written, stuck, or a task left running)."
        )
        if not sqlite:
            connections.close_all()
            with _pg_admin_connect(url) as conn:
                _pg_drop(conn, f"{name}_snap")
        sys.exit(1 if bad else 0)
    finally:
        drop_database(url, tmp, args.keep)


if __name__ == "__main__":
    main()
