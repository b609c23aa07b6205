"""The level clock starts at assignment (交办), not when a problem is raised.

A problem still 待交办 has no level clock (level_since and level_deadline empty) and, instead, the office's
own assignment limit (assign_deadline: ASSIGN_WORKDAYS working days after it was raised), which is a
warning for the office and never an escalation. Existing 待交办 rows are brought to that state here; one
that the old job escalated by itself (and nobody moved by hand) goes back to the level it was raised at,
with a log entry saying why."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

ASSIGN_WORKDAYS = 3  # EscalationSetting.assign_workdays's default


def _workday(day, overrides):
    """The calendar as of this migration: the office's overrides, the package's years, else weekdays
    (self-contained, so that later changes to keyprojects.lib.workdays never change this migration)."""
    import chinese_calendar

    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _local_date(moment):
    return timezone.localtime(moment).date() if settings.USE_TZ else moment.date()


def stop_open_clocks(apps, schema_editor):
    Problem = apps.get_model("coordination", "Problem")
    CalendarOverride = apps.get_model("lib", "CalendarOverride")
    rows = list(Problem.objects.filter(status="open").values_list("pk", "created_at"))
    if not rows:
        return
    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    by_deadline = {}
    for pk, created in rows:
        day, left = _local_date(created), ASSIGN_WORKDAYS
        while left:
            day += dt.timedelta(days=1)
            left -= _workday(day, overrides)
        by_deadline.setdefault(day, []).append(pk)
    for deadline, pks in by_deadline.items():
        for start in range(0, len(pks), 500):
            Problem.objects.filter(pk__in=pks[start : start + 500]).update(
                level_since=None, level_deadline=None, assign_deadline=deadline
            )
    _undo_automatic_escalations(apps, [pk for pk, _created in rows])


def _undo_automatic_escalations(apps, pks):
    """Waiting problems moved up by the old job alone (no level change by hand) go back to the level
    they had before its first automatic escalation."""
    Problem = apps.get_model("coordination", "Problem")
    ProblemAction = apps.get_model("coordination", "ProblemAction")
    actions = ProblemAction.objects.filter(
        problem_id__in=pks, kind__in=("auto_escalate", "escalate", "deescalate")
    ).order_by("problem_id", "at", "id")
    first_auto, by_hand = {}, set()
    for problem_id, kind, from_level in actions.values_list("problem_id", "kind", "from_level"):
        if kind == "auto_escalate":
            first_auto.setdefault(problem_id, from_level)
        else:
            by_hand.add(problem_id)
    for problem_id, level in first_auto.items():
        if problem_id in by_hand or level is None:
            continue
        current = Problem.objects.filter(pk=problem_id).values_list("level", flat=True).first()
        if current is None or current == level:
            continue
        Problem.objects.filter(pk=problem_id).update(level=level, version=models.F("version") + 1)
        ProblemAction.objects.create(
            problem_id=problem_id,
            kind="deescalate",
            note="待交办问题自交办之日起才计算办理时限，撤销此前未交办期间的超时自动提级。",
            from_level=current,
            to_level=level,
        )


def restart_open_clocks(apps, schema_editor):
    # Reversed: level_since is required again; the day the problem was raised (no deadline is rebuilt).
    Problem = apps.get_model("coordination", "Problem")
    for pk, created in Problem.objects.filter(status="open", level_since__isnull=True).values_list(
        "pk", "created_at"
    ):
        Problem.objects.filter(pk=pk).update(level_since=_local_date(created))


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0003_escalation_levels'),
        ('lib', '0001_initial'),
        ('orgs', '0001_initial'),
        ('plans', '0001_initial'),
        ('projects', '0002_project_statistics_date_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EscalationSetting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('assign_workdays', models.PositiveSmallIntegerField(default=3, verbose_name='交办时限（工作日）')),
            ],
            options={
                'verbose_name': '提级设置',
                'verbose_name_plural': '提级设置',
            },
        ),
        migrations.AddField(
            model_name='problem',
            name='assign_deadline',
            field=models.DateField(blank=True, null=True, verbose_name='交办时限'),
        ),
        migrations.AlterField(
            model_name='problem',
            name='level_since',
            field=models.DateField(blank=True, null=True, verbose_name='本层级起始日'),
        ),
        migrations.AddIndex(
            model_name='problem',
            index=models.Index(fields=['status', 'assign_deadline'], name='coordinatio_status_f52e95_idx'),
        ),
        migrations.RunPython(stop_open_clocks, restart_open_clocks),
    ]
