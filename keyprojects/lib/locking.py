"""Optimistic locking: an edit based on an old version is refused, never silently applied."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    message = _("保存失败：在您打开此页面后，其他人已修改了这条记录。您的输入保留在下方，请核对最新内容后再保存。")


def save_versioned(instance, *, expected_version: int):
    """Save INSTANCE only if its row still has EXPECTED_VERSION; bump the version. Call inside a transaction."""
    assert transaction.get_connection().in_atomic_block, "save_versioned must run inside a transaction"
    current = type(instance).objects.select_for_update().values_list("version", flat=True).get(pk=instance.pk)
    if current != expected_version:
        raise EditConflict()
    instance.version = current + 1
    instance.save()
