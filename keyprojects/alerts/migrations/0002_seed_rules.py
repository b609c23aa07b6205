"""Seed one WarningRule per rule code with its default thresholds (see alerts/rules.py PARAMS)."""

from django.db import migrations

DEFAULTS = {
    "task": {"yellow_workdays": 3},
    "prelim": {"red_after_days": 30},
    "start": {"red_months": 3},
    "investment": {"yellow_points": 10, "red_points": 30},
    "reporting": {"red_months": 2},
    "statistics": {"yellow_months": 1, "red_months": 2},
    "funds": {"yellow_below_percent": 60, "red_below_percent": 0},
    "combined": {},
    "operating": {"default_months": 6, "red_extra_months": 6, "sector_keyword": "产业"},
}


def seed(apps, schema_editor):
    WarningRule = apps.get_model("alerts", "WarningRule")
    for code, params in DEFAULTS.items():
        WarningRule.objects.get_or_create(code=code, defaults={"params": params})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
