"""Open tasks generated from a preliminary item that the project's checklist already settles (the item
is done, or the construction permit was granted) are done on that item's date, as they are from now on
whenever an item is recorded (tasks.services.tasks_follow_checklist)."""

from django.db import migrations
from django.utils import timezone

PERMIT = "construction_permit"
LABELS = {
    "approval": "立项（审批/核准/备案）",
    "feasibility": "可研批复",
    "land_precheck": "用地预审与选址",
    "land_grant": "用地批复/出让",
    "land_planning": "用地规划许可",
    "works_planning": "工程规划许可",
    "eia": "环评",
    "energy": "节能审查",
    "prelim_design": "初步设计",
    "drawing_review": "施工图审查",
    "tender": "招投标",
    "construction_permit": "施工许可",
}


def settle(apps, schema_editor):
    Task = apps.get_model("tasks", "Task")
    TaskEvidence = apps.get_model("tasks", "TaskEvidence")
    TaskStatusChange = apps.get_model("tasks", "TaskStatusChange")
    PrelimItem = apps.get_model("projects", "PrelimItem")
    tasks = list(Task.objects.filter(status__in=["todo", "doing"]).exclude(prelim_kind=""))
    if not tasks:
        return
    done = {}
    for item in PrelimItem.objects.filter(
        project_id__in={t.project_id for t in tasks},
        actual_date__isnull=False,
        actual_date__lte=timezone.localdate(),
    ):
        done.setdefault(item.project_id, {})[item.kind] = item
    changed, evidence, changes = [], [], []
    for task in tasks:
        items = done.get(task.project_id, {})
        item = items.get(task.prelim_kind) or items.get(PERMIT)
        if item is None:
            continue
        note = f"前期事项“{LABELS.get(item.kind, item.kind)}”已于 {item.actual_date.isoformat()} 办结"
        if item.document_no:
            note += f"，批复文号：{item.document_no}"
        note += "（据前期工作事项记录）。"
        previous = task.status
        task.status, task.completed_date, task.version = "done", item.actual_date, task.version + 1
        if task.start_date and task.start_date > item.actual_date:
            task.start_date = None
        changed.append(task)
        evidence.append(TaskEvidence(task=task, note=note, uploaded_by_id=task.created_by_id))
        changes.append(
            TaskStatusChange(
                task=task,
                from_status=previous,
                to_status="done",
                note=note[:500],
                completed_date=item.actual_date,
                by_id=task.created_by_id,
            )
        )
    Task.objects.bulk_update(changed, ["status", "completed_date", "start_date", "version"], batch_size=500)
    TaskEvidence.objects.bulk_create(evidence, batch_size=500)
    TaskStatusChange.objects.bulk_create(changes, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0003_default_templates"),
        ("projects", "0005_standard_sectors"),
    ]

    operations = [migrations.RunPython(settle, migrations.RunPython.noop)]
