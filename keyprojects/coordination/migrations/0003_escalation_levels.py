"""The default escalation ladder (DESIGN.md): the office may change names and time limits later."""

from django.db import migrations

LADDER = [
    (1, "责任单位办理", 5),
    (2, "市重点办协调", 5),
    (3, "联系市领导协调", 10),
    (4, "市政府常务会/市委研究", None),
]


def seed(apps, schema_editor):
    EscalationLevel = apps.get_model("coordination", "EscalationLevel")
    for level, name, days in LADDER:
        EscalationLevel.objects.get_or_create(level=level, defaults={"name": name, "deadline_workdays": days})


def unseed(apps, schema_editor):
    EscalationLevel = apps.get_model("coordination", "EscalationLevel")
    EscalationLevel.objects.filter(level__in=[r[0] for r in LADDER]).delete()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0002_initial")]

    operations = [migrations.RunPython(seed, unseed)]
