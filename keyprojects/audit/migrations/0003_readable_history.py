"""History written before labels and local times: a bare field name ("problem") becomes the label the
history now writes (问题), a stored UTC time with microseconds Beijing time to the minute."""

import datetime as dt
import re

from django.apps import apps as live_apps
from django.db import migrations
from django.utils import timezone, translation

UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")


def _time(value):
    if isinstance(value, str) and UTC_TIME.match(value):
        return f"{timezone.localtime(dt.datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
    return value


def _renames(label) -> dict:
    """Bare field name → label, as audit.services names fields now, for today's model LABEL (the
    migration state holds no other app's labels here)."""
    try:
        model = live_apps.get_model(label)
    except LookupError:
        return {}
    fields = [f for f in model._meta.get_fields() if f.concrete and not f.auto_created]
    labels = {}
    for field in fields:
        bare, label = field.name.replace("_", " "), str(field.verbose_name)
        if field.is_relation and label == bare:
            label = str(field.related_model._meta.verbose_name)
        labels[bare] = label
    taken = list(labels.values())
    return {bare: label for bare, label in labels.items() if label != bare and taken.count(label) == 1}


def relabel(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    renames = {}
    changed = []
    with translation.override("zh-hans"):
        for entry in AuditEntry.objects.only("model", "changes").iterator(chunk_size=2000):
            if entry.model not in renames:
                renames[entry.model] = _renames(entry.model)
            rename = renames[entry.model]
            changes = {
                rename.get(key, key): [_time(v) for v in pair] if isinstance(pair, list) else pair
                for key, pair in (entry.changes or {}).items()
            }
            if changes != entry.changes:
                entry.changes = changes
                changed.append(entry)
            if len(changed) >= 500:
                AuditEntry.objects.bulk_update(changed, ["changes"])
                changed = []
    AuditEntry.objects.bulk_update(changed, ["changes"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
