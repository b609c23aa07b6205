"""Background tasks: Django's tasks framework (the django-tasks backport), queued in the database by
django-tasks-db and run by `manage.py db_worker` processes, on SQLite and PostgreSQL alike.

A task says what happens when its worker dies in the middle of it (keyprojects.ops reaps such tasks): run
it again when it is idempotent (up to MAX_ATTEMPTS claims), else fail it and call its `abandoned`
handler, which puts the app's own record (an import job …) in a final state with a reason.

Progress that must be seen from inside a long transaction (nobody else sees the database there, and on
SQLite the transaction holds the write lock) goes to a small JSON file per key under KP_PROGRESS_DIR, a
directory every app server mounts."""

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

MAX_ATTEMPTS = 3

_rerun: set[str] = set()
_abandoned: dict[str, Callable] = {}


def background_task(*, idempotent: bool = False, abandoned: Callable | None = None, **options):
    """@task(**OPTIONS), remembering what to do with a run its worker did not finish: run it again
    (IDEMPOTENT), or call ABANDONED(*args, message=…, **kwargs) once it is failed."""

    def wrap(func):
        made = task(**options)(func)
        if idempotent:
            _rerun.add(made.module_path)
        if abandoned is not None:
            _abandoned[made.module_path] = abandoned
        return made

    return wrap


def reruns(task_path: str) -> bool:
    return task_path in _rerun


def abandoned_handler(task_path: str) -> Callable | None:
    return _abandoned.get(task_path)


def waiting(made, first_arg) -> bool:
    """Whether task MADE, called with FIRST_ARG, is queued already and not yet started."""
    return DBTaskResult.objects.filter(
        task_path=made.module_path, status=TaskResultStatus.READY, args_kwargs__args__0=first_arg
    ).exists()


def pending_first_args(*made) -> set:
    """The first arguments of the tasks MADE that are queued or running."""
    return set(
        DBTaskResult.objects.filter(
            task_path__in=[m.module_path for m in made],
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs__args__0", flat=True)
    )


def _progress_path(key: str) -> Path:
    return Path(settings.KP_PROGRESS_DIR) / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".json")


def progress_write(key: str, done: int, total: int) -> None:
    """Publish KEY's progress: a new file replaces the old in one step, so a reader never sees half."""
    path = _progress_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=".progress-", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        json.dump({"done": done, "total": total, "at": time.time()}, f)
    os.replace(part, path)


def progress_read(key: str) -> tuple[int, int] | None:
    """(done, total) last published for KEY, or None."""
    try:
        data = json.loads(_progress_path(key).read_text())
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_clear(key: str) -> None:
    _progress_path(key).unlink(missing_ok=True)
