"""Optimistic locking: an edit based on an old version is refused, never silently applied."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    message = _(
        "保存失败：在您打开此页面后，其他人已修改了这条记录。您的输入保留在下方，请核对最新内容后再保存。"
    )


def save_versioned(instance, *, expected_version: int):
    """Save INSTANCE only if its row still has EXPECTED_VERSION, and bump the version.

    Call inside a transaction: the row stays locked until it commits."""
    assert transaction.get_connection().in_atomic_block, "save_versioned must run inside a transaction"
    rows = type(instance).objects.select_for_update().filter(pk=instance.pk)
    current = rows.values_list("version", flat=True).first()
    # A row deleted by someone else is a conflict too: saving would silently bring it back.
    if current is None or current != expected_version:
        raise EditConflict()
    instance.version = current + 1
    instance.save()


def stored_version(model, **lookup) -> int | None:
    """The version stored now for the row LOOKUP finds; None when someone has deleted it."""
    return model.objects.filter(**lookup).values_list("version", flat=True).first()


def show_conflict(form, error: EditConflict, latest_version) -> None:
    """After an EditConflict: keep the user's input and say why it was refused, and let the form carry
    the stored version, so the next save is a choice made after seeing the latest values (with the old
    one it would be refused again and again)."""
    form.add_error(None, error.message)
    data = form.data.copy()
    data["version"] = latest_version
    form.data = data
