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


# How snapshot() shows a field's value.
_MONEY, _CHOICE, _DATETIME, _DECIMAL, _M2M, _OTHER = range(6)


@cache
def _shown(model, language) -> tuple:
    """(name, label, how, choices or decimal places) of each field snapshot() shows, in model order,
    in LANGUAGE: the labels and choice names translated once per model, not once per record."""
    labels = _labels(model, language)
    shown = []
    for field in model._meta.get_fields():
        if not field.concrete or field.auto_created or not getattr(field, "editable", True):
            continue
        extra = None
        if field.many_to_many:
            how = _M2M
        elif isinstance(field, MoneyField):
            how = _MONEY
        elif field.choices:
            how, extra = _CHOICE, {key: str(label) for key, label in field.flatchoices}
        elif isinstance(field, models.DateTimeField):
            how = _DATETIME
        elif isinstance(field, models.DecimalField):
            how, extra = _DECIMAL, Decimal(1).scaleb(-field.decimal_places)
        else:
            how = _OTHER
        shown.append((field.name, labels[field.name], how, extra))
    return tuple(shown)


def snapshot(instance: models.Model, fields=None) -> dict:
    """The displayed value of each concrete field, keyed by its label (many-to-many included); times
    in local time to the minute."""
    values = {}
    for name, label, how, extra in _shown(type(instance), translation.get_language()):
        if fields is not None and name not in fields:
            continue
        if how == _M2M:
            if instance.pk:
                # What prefetch_related left, as .all() would give it, without making its manager.
                objects = getattr(instance, "_prefetched_objects_cache", {}).get(name)
                if objects is None:
                    objects = getattr(instance, name).all()
                values[label] = "、".join(sorted(str(o) for o in objects))
            continue
        value = getattr(instance, name)
        if how == _MONEY:
            value = format_wan(value) if value is not None else ""
        elif how == _CHOICE and value:
            value = extra.get(value, value)
            value = value if type(value) is str else str(value)
        elif value is None:
            value = ""
        elif how == _DATETIME:
            value = f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        elif how == _DECIMAL:
            # As stored, so "22.817" typed over a stored 22.817000 is no change.
            value = str(Decimal(str(value)).quantize(extra))
        elif type(value) is not str:
            value = str(value)
        values[label] = value
    return values


def audit_changes(*, action, before=None, after=None) -> dict | None:
    """{label: [before, after]} of the values that differ; None for an update that changed nothing."""
    before = before or {}
    after = after or {}
    changes = {
        key: [before.get(key, ""), after.get(key, "")]
        for key in dict.fromkeys([*before, *after])
        if before.get(key, "") != after.get(key, "")
    }
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    return changes


def audit_entry_build(*, by, instance, action, before=None, after=None, project=None) -> AuditEntry | None:
    """The history entry of one change, unsaved (for bulk writes); None for an update that changed nothing."""
    after = after if after is not None else (snapshot(instance) if action != AuditEntry.Action.DELETE else {})
    changes = audit_changes(action=action, before=before, after=after)
    if changes is None:
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
