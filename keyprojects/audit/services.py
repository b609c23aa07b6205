from decimal import Decimal
from functools import cache

from django.db import models
from django.utils import timezone, translation

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.money import MoneyField, format_wan


@cache
def _labels(model, language) -> dict:
    """Each field's label as the history shows it: its verbose name; a relation that has none (Django
    falls back to the bare name, "problem") is named after its model (问题) where no other field of
    MODEL is. In LANGUAGE, the one active."""
    fields = [f for f in model._meta.get_fields() if f.concrete and not f.auto_created]
    labels = {}
    for field in fields:
        label = str(field.verbose_name)
        if field.is_relation and label == field.name.replace("_", " "):
            label = str(field.related_model._meta.verbose_name)
        labels[field.name] = label
    taken = list(labels.values())
    return {
        field.name: labels[field.name] if taken.count(labels[field.name]) == 1 else str(field.verbose_name)
        for field in fields
    }


def snapshot(instance: models.Model, fields=None) -> dict:
    """The displayed value of each concrete field, keyed by its label (many-to-many included); times
    in local time to the minute."""
    values = {}
    labels = _labels(type(instance), translation.get_language())
    for field in instance._meta.get_fields():
        if not field.concrete or field.auto_created or not getattr(field, "editable", True):
            continue
        if fields is not None and field.name not in fields:
            continue
        label = labels[field.name]
        if field.many_to_many:
            if instance.pk:
                values[label] = "、".join(sorted(str(o) for o in getattr(instance, field.name).all()))
            continue
        value = getattr(instance, field.name)
        if isinstance(field, MoneyField):
            value = format_wan(value) if value is not None else ""
        elif field.choices and value:
            value = str(dict(field.flatchoices).get(value, value))
        elif value is None:
            value = ""
        elif isinstance(field, models.DateTimeField):
            value = f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        elif isinstance(field, models.DecimalField):
            # As stored, so "22.817" typed over a stored 22.817000 is no change.
            value = str(Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places)))
        else:
            value = str(value)
        values[label] = value
    return values


def audit_entry_build(*, by, instance, action, before=None, after=None, project=None) -> AuditEntry | None:
    """The history entry of one change, unsaved (for bulk writes); None for an update that changed nothing."""
    before = before or {}
    after = after if after is not None else (snapshot(instance) if action != AuditEntry.Action.DELETE else {})
    changes = {
        key: [before.get(key, ""), after.get(key, "")]
        for key in list(dict.fromkeys([*before, *after]))
        if before.get(key, "") != after.get(key, "")
    }
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    return AuditEntry(
        user=by,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        project=project,
        changes=changes,
    )


def audit_record(*, by, instance, action, before=None, after=None, project=None) -> AuditEntry | None:
    """Keep one change in the history; an update that changed nothing is not recorded."""
    entry = audit_entry_build(
        by=by, instance=instance, action=action, before=before, after=after, project=project
    )
    if entry is not None:
        entry.save()
    return entry
