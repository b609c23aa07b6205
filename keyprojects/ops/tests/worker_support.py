"""Running the task worker inside a test."""

from django.core.management import call_command
from django_tasks_db.management.commands import db_worker


def work(monkeypatch, **options):
    """`manage.py db_worker --batch`: run every queued task here, then return. The worker checks its
    connection between tasks as a request does; inside the test's transaction it must not close it (Django's
    TestCase keeps requests from closing it alike)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0, **options
    )
