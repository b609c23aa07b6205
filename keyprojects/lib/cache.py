"""Values computed once and kept in Django's cache until what they are made from changes: the filter
choices of the list pages (districts, sectors, leaders, handling units, owner names).

Each topic has a version; a cached value's key carries it, so bumping the version (when a row the
topic is made from is saved or deleted: the apps connect `bump_on` to those models) retires every value
at once. With a shared cache (Redis, the database) a bump reaches every server at once; with the
per-process default, another worker's values age out after TIMEOUT.
"""

import uuid
from collections.abc import Callable

from django.core.cache import cache

TIMEOUT = 300  # seconds


def _version_key(topic: str) -> str:
    return f"kp:v:{topic}"


def _version(topic: str) -> str:
    version = cache.get(_version_key(topic))
    if version is None:
        # A fresh random version, never a counter from 1: values under an old key may still be cached.
        cache.add(_version_key(topic), uuid.uuid4().hex[:12], None)
        version = cache.get(_version_key(topic)) or "0"
    return version


def bump(topic: str) -> None:
    cache.set(_version_key(topic), uuid.uuid4().hex[:12], None)


def bump_on(*topics: str, ignore_fields: frozenset = frozenset({"last_login"})):
    """A post_save / post_delete receiver that bumps TOPICS (not for a save of IGNORE_FIELDS only)."""

    def receiver(sender, update_fields=None, **kwargs):
        if update_fields and set(update_fields) <= ignore_fields:
            return
        for topic in topics:
            bump(topic)

    return receiver


def cached(topic: str, key: str, compute: Callable[[], object], timeout: int = TIMEOUT):
    """COMPUTE() once per version of TOPIC and KEY (a scope: "all", "district:12" …)."""
    full_key = f"kp:{topic}:{_version(topic)}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value
