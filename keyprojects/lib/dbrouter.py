"""Reads from a streaming replica (DATABASE_REPLICA_URL) for the read-only pages that ask for it.

Nothing reads from the replica by default: a request that writes and then reads must see its own write,
and a replica lags behind. A view opts in with `@reads_from_replica` (or code with `using_replica()`);
inside, reads go to the "replica" alias when one is configured, writes always to "default".
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_replica: ContextVar[bool] = ContextVar("kp_reading_replica", default=False)


def replica_alias() -> str:
    """The alias reads may use: "replica" when one is configured, else the default database."""
    return REPLICA if REPLICA in connections.settings else DEFAULT_DB_ALIAS


@contextmanager
def using_replica():
    """Within this block, reads go to the replica (when configured); writes still go to the default."""
    token = _reading_replica.set(True)
    try:
        yield replica_alias()
    finally:
        _reading_replica.reset(token)


def reads_from_replica(view):
    """A view decorator for read-only pages. Put it below @login_required: the session and the user are
    then read from the default database, so someone who has just logged in is never logged out by lag."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with using_replica():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return replica_alias() if _reading_replica.get() else None

    def db_for_write(self, model, **hints):
        # Also for objects read from the replica: left to Django, saving one would go back where it came from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
