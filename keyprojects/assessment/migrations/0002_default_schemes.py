"""The default schemes: one per period kind (month, quarter, year) and kind of unit (districts and
development zones, city departments, projects), version 1 each.

Drawn from the assessment rules cities publish for their key projects (重点项目考核办法 of Nanning,
Yinchuan, Hefei and others): districts are scored on investment against the annual plan and against
序时进度, the start rate of new projects, completion of those due to finish, preliminary work on time,
problems solved within their limits, reporting on time and its corrections, supervision letters and
rectification on time, and observation tours; departments on approvals and tasks on time, problems
solved within their limits and replies to leaders' instructions on time, plus letters and
rectification. Bonuses for large new starts and completions; deductions for false reporting (amounts
cut back after the fact) and for problems left at a high level past their limit.

`seed` is idempotent (the test cast calls it again after a flush).
"""

from django.db import migrations

STEP_HIGH = {"steps": [["100", "1"], ["90", "0.8"], ["80", "0.6"], ["60", "0.3"]]}
STEP_REPORT = {"steps": [["100", "1"], ["95", "0.8"], ["90", "0.6"], ["80", "0.3"]]}
STEP_REPLY = {"steps": [["100", "1"], ["90", "0.7"], ["80", "0.4"]]}


def linear(low, high):
    return {"low": str(low), "high": str(high)}


DISTRICT = {
    "bonus_cap": "3",
    "target_indicator": "investment_pace",
    "target_value": "100",
    "indicators": [
        ("investment_plan", "10", "linear", linear(0, 100)),
        ("investment_pace", "20", "linear", linear(60, 100)),
        ("start_rate", "10", "step", STEP_HIGH),
        ("completion_rate", "10", "step", STEP_HIGH),
        ("prelim_on_time", "10", "linear", linear(50, 100)),
        ("problem_on_time", "10", "linear", linear(50, 100)),
        ("report_on_time", "10", "step", STEP_REPORT),
        ("report_quality", "5", "per_item", {"per_item": "1"}),
        ("letters_on_time", "5", "linear", linear(50, 100)),
        ("rectification_on_time", "5", "linear", linear(50, 100)),
        ("tour_score", "5", "linear", linear(60, 100)),
    ],
    "adjustments": [
        ("bonus_big_start", "0.5", "2", {"min_total_wan": "100000"}),
        ("bonus_completion", "0.5", "2", {}),
        ("deduction_false_report", "2", "6", {}),
        ("deduction_stalled_problem", "1", "3", {"level": 3}),
    ],
}
DEPARTMENT = {
    "bonus_cap": "2",
    "target_indicator": "",
    "target_value": "80",
    "indicators": [
        ("approval_on_time", "30", "linear", linear(50, 100)),
        ("task_on_time", "25", "linear", linear(50, 100)),
        ("problem_on_time", "25", "linear", linear(50, 100)),
        ("instruction_on_time", "10", "step", STEP_REPLY),
        ("letters_on_time", "5", "linear", linear(50, 100)),
        ("rectification_on_time", "5", "linear", linear(50, 100)),
    ],
    "adjustments": [
        ("bonus_big_start", "0.5", "2", {"min_total_wan": "100000"}),
        ("deduction_stalled_problem", "1", "3", {"level": 3}),
    ],
}
PROJECT = {
    "bonus_cap": "0",
    "target_indicator": "",
    "target_value": "60",
    "indicators": [
        ("investment_pace", "35", "linear", linear(60, 100)),
        ("report_on_time", "20", "step", STEP_REPORT),
        ("task_on_time", "15", "linear", linear(50, 100)),
        ("problem_on_time", "10", "linear", linear(50, 100)),
        ("prelim_on_time", "10", "linear", linear(50, 100)),
        ("report_quality", "5", "per_item", {"per_item": "1"}),
        ("tour_score", "5", "linear", linear(60, 100)),
    ],
    "adjustments": [("deduction_false_report", "2", "6", {})],
}
RULES = {"district": DISTRICT, "department": DEPARTMENT, "project": PROJECT}
PERIODS = {"month": "月度", "quarter": "季度", "year": "年度"}
UNITS = {"district": "城区（县、开发区）", "department": "市直部门", "project": "重点项目"}
NOTE = "默认方案（参照各地重点项目考核办法）"


def seed(apps, schema_editor):
    Scheme = apps.get_model("assessment", "Scheme")
    SchemeVersion = apps.get_model("assessment", "SchemeVersion")
    SchemeIndicator = apps.get_model("assessment", "SchemeIndicator")
    SchemeAdjustment = apps.get_model("assessment", "SchemeAdjustment")
    for unit_kind, rules in RULES.items():
        for period_kind, period_label in PERIODS.items():
            scheme, _created = Scheme.objects.get_or_create(
                period_kind=period_kind,
                unit_kind=unit_kind,
                defaults={"name": f"{UNITS[unit_kind]}{period_label}考核方案"},
            )
            if SchemeVersion.objects.filter(scheme=scheme).exists():
                continue
            version = SchemeVersion.objects.create(
                scheme=scheme,
                number=1,
                total="100",
                bonus_cap=rules["bonus_cap"],
                target_indicator=rules["target_indicator"],
                target_value=rules["target_value"],
                note=NOTE,
            )
            for order, (code, weight, curve, params) in enumerate(rules["indicators"]):
                SchemeIndicator.objects.create(
                    version=version, order=order, code=code, weight=weight, curve=curve, params=params
                )
            for order, (code, points, cap, params) in enumerate(rules["adjustments"]):
                SchemeAdjustment.objects.create(
                    version=version, order=order, code=code, points=points, cap=cap, params=params
                )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
