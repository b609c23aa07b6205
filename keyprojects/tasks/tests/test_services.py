"""Business rules of tasks: bad input refused with a Chinese message and nothing written; status moves
and their history; evidence checks; generation from templates; audit and notifications."""

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.locking import EditConflict
from keyprojects.notifications.models import Kind, Notification
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks import services
from keyprojects.tasks.models import Task, TaskEvidence, TaskStatusChange, TaskTemplate

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 20)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False):
        yield


def _task(cast, **kwargs):
    fields = {"title": "取得施工许可", "responsible_unit": cast.department, "deadline": dt.date(2026, 12, 15)}
    return services.task_create(by=cast.staff, project=cast.project_a, **{**fields, **kwargs})


def _counts():
    return (
        Task.objects.count(),
        TaskEvidence.objects.count(),
        TaskStatusChange.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _zip(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


# Creating


def test_it_creates_a_task_audits_it_and_notifies_the_responsible_unit(cast):
    task = _task(cast, requirement="12 月底前取得施工许可证")
    assert task.status == Task.Status.TODO
    assert AuditEntry.objects.filter(model="tasks.Task", object_id=str(task.pk), action="create").exists()
    note = Notification.objects.get(recipient=cast.department_user)
    assert note.kind == Kind.TASK_ASSIGNED
    assert "取得施工许可" in note.title
    assert not Notification.objects.filter(recipient=cast.owner).exists()


def test_it_refuses_a_deadline_before_the_start_and_writes_nothing(cast):
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _task(cast, start_date=dt.date(2026, 12, 1), deadline=dt.date(2026, 11, 30))
    assert refused.value.message_dict["deadline"] == [
        "完成时限（2026-11-30）不能早于开始日期（2026-12-01）。"
    ]
    assert _counts() == before


def test_it_refuses_a_task_without_any_deadline(cast):
    with pytest.raises(ValidationError) as refused:
        services.task_create(by=cast.staff, project=cast.project_a, title="x", responsible_unit=cast.owner_a)
    assert "请填写完成时限" in refused.value.message_dict["deadline"][0]
    with pytest.raises(ValidationError) as refused:
        _task(cast, deadline=None, deadline_workdays=5)
    assert "必须填写开始日期" in refused.value.message_dict["start_date"][0]


def test_it_refuses_a_responsible_user_outside_the_responsible_unit(cast):
    with pytest.raises(ValidationError) as refused:
        _task(cast, responsible_user=cast.owner)
    assert "不属于责任单位" in refused.value.message_dict["responsible_user"][0]


def test_it_lets_only_those_who_manage_tasks_create_them(cast):
    for user in (cast.department_user, cast.owner, cast.leader):
        with pytest.raises(PermissionDenied):
            services.task_create(
                by=user, project=cast.project_a, title="x", responsible_unit=cast.owner_a, deadline=TODAY
            )
    assert services.task_create(
        by=cast.district, project=cast.project_a, title="x", responsible_unit=cast.owner_a, deadline=TODAY
    )


def test_it_refuses_an_edit_made_on_an_old_version(cast):
    task = _task(cast)
    services.task_update(by=cast.staff, task=task, expected_version=1, title="取得施工许可证")
    stale = Task.objects.get(pk=task.pk)
    with pytest.raises(EditConflict):
        services.task_update(by=cast.district, task=stale, expected_version=1, title="别的标题")
    assert Task.objects.get(pk=task.pk).title == "取得施工许可证"


def test_it_notifies_a_new_responsible_unit_on_reassignment(cast):
    task = _task(cast)
    services.task_update(by=cast.staff, task=task, expected_version=1, responsible_unit=cast.owner_a)
    assert Notification.objects.filter(recipient=cast.owner, kind=Kind.TASK_ASSIGNED).count() == 1


# Status


def test_it_marks_a_task_done_with_a_note_and_keeps_history_when_reopened(cast):
    task = _task(cast)
    services.task_set_status(
        by=cast.department_user,
        task=task,
        status=Task.Status.DONE,
        completed_date=dt.date(2026, 11, 18),
        note="已取得施工许可证（编号 450100202611180101）",
    )
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_date == dt.date(2026, 11, 18)
    services.task_set_status(
        by=cast.staff, task=task, status=Task.Status.DOING, note="证照信息有误，重新办理"
    )
    task.refresh_from_db()
    assert task.status == Task.Status.DOING and task.completed_date is None
    moves = list(task.status_changes.values_list("from_status", "to_status", "completed_date"))
    assert moves == [
        ("", "todo", None),
        ("todo", "done", dt.date(2026, 11, 18)),
        ("done", "doing", None),
    ]
    assert task.evidence.count() == 1  # the evidence of the first completion stays


def test_it_refuses_a_completion_date_in_the_future(cast):
    task = _task(cast)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.task_set_status(
            by=cast.department_user,
            task=task,
            status=Task.Status.DONE,
            completed_date=dt.date(2026, 11, 21),
            note="已完成",
        )
    assert refused.value.message_dict["completed_date"] == [
        "完成日期（2026-11-21）不能晚于今天（2026-11-20）。"
    ]
    assert _counts() == before
    assert Task.objects.get(pk=task.pk).status == Task.Status.TODO


def test_it_refuses_done_without_evidence(cast):
    task = _task(cast)
    with pytest.raises(ValidationError) as refused:
        services.task_set_status(by=cast.staff, task=task, status=Task.Status.DONE, completed_date=TODAY)
    assert refused.value.message_dict["note"] == ["标记完成需要上传佐证材料，或填写完成情况说明。"]


def test_it_accepts_done_with_evidence_uploaded_before(cast):
    task = _task(cast)
    services.task_add_evidence(
        by=cast.department_user, task=task, files=[SimpleUploadedFile("施工许可证.pdf", PDF)]
    )
    services.task_set_status(
        by=cast.department_user, task=task, status=Task.Status.DONE, completed_date=TODAY
    )
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE


def test_it_lets_only_managers_cancel_and_asks_why(cast):
    task = _task(cast)
    with pytest.raises(PermissionDenied):
        services.task_set_status(by=cast.department_user, task=task, status=Task.Status.CANCELLED, note="x")
    with pytest.raises(ValidationError) as refused:
        services.task_set_status(by=cast.district, task=task, status=Task.Status.CANCELLED)
    assert "取消任务请说明原因" in refused.value.messages[0]
    services.task_set_status(by=cast.district, task=task, status=Task.Status.CANCELLED, note="项目调整")
    assert Task.objects.get(pk=task.pk).status == Task.Status.CANCELLED


def test_it_refuses_a_status_move_on_a_stale_task(cast):
    task = _task(cast)
    stale = Task.objects.get(pk=task.pk)
    services.task_set_status(by=cast.staff, task=task, status=Task.Status.DOING)
    with pytest.raises(EditConflict):
        services.task_set_status(
            by=cast.staff, task=stale, status=Task.Status.DONE, completed_date=TODAY, note="x"
        )


# Evidence


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("批复.pdf", PDF),
        ("现场.jpg", b"\xff\xd8\xff\xe0" + b"0" * 32),
        ("现场.PNG", b"\x89PNG\r\n\x1a\n" + b"0" * 32),
        ("报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 32),
        ("报告.docx", _zip(["[Content_Types].xml", "word/document.xml"])),
        ("台账.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"])),
        ("批复.ofd", _zip(["OFD.xml", "Doc_0/Document.xml"])),
        ("材料.zip", _zip(["a.pdf"])),
    ],
)
def test_it_accepts_the_allowed_evidence_types(cast, name, content):
    task = _task(cast)
    (evidence,) = services.task_add_evidence(
        by=cast.owner, task=task, files=[SimpleUploadedFile(name, content)]
    )
    assert evidence.original_name == name
    assert evidence.file.name.startswith("task-evidence/")
    assert name not in evidence.file.name  # stored under a name of our own


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"0" * 32, "文件“setup.exe”的类型不允许上传。"),
        ("说明.txt", b"hello", "文件“说明.txt”的类型不允许上传。"),
        ("伪装.pdf", b"MZ\x90\x00" + b"0" * 32, "文件“伪装.pdf”的内容与扩展名“.pdf”不符"),
        ("伪装.docx", _zip(["xl/workbook.xml"]), "文件“伪装.docx”的内容与扩展名“.docx”不符"),
        ("空文件.pdf", b"", "文件“空文件.pdf”的内容与扩展名“.pdf”不符"),
    ],
)
def test_it_refuses_a_forbidden_evidence_file_and_writes_nothing(cast, settings, name, content, message):
    task = _task(cast)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.task_add_evidence(
            by=cast.owner,
            task=task,
            files=[SimpleUploadedFile("好的.pdf", PDF), SimpleUploadedFile(name, content)],
        )
    assert message in " ".join(refused.value.messages)
    assert _counts() == before
    assert not (settings.MEDIA_ROOT / "task-evidence").exists()


def test_it_refuses_oversized_evidence_naming_the_file(cast, settings):
    settings.KP_EVIDENCE_MAX_BYTES = 1024
    task = _task(cast)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.task_set_status(
            by=cast.owner,
            task=task,
            status=Task.Status.DONE,
            completed_date=TODAY,
            files=[SimpleUploadedFile("竣工验收报告.pdf", PDF + b"0" * 2000)],
        )
    assert "文件“竣工验收报告.pdf”大小为" in refused.value.messages[0]
    assert "超过了 1.0\xa0KB 的上限" in refused.value.messages[0]
    assert _counts() == before
    assert Task.objects.get(pk=task.pk).status == Task.Status.TODO


def test_it_caps_evidence_at_20_mb_by_default():
    assert services.evidence_max_bytes() == 20 * 1024 * 1024


def test_it_lets_only_those_working_on_the_task_add_evidence(cast):
    task = _task(cast)
    for user in (cast.leader, cast.owner_b_user):
        with pytest.raises(PermissionDenied):
            services.task_add_evidence(by=user, task=task, note="x")


# Generation


def _new_start_template():
    return TaskTemplate.objects.get(category="new_start")


def test_it_seeds_a_default_template_for_every_category(db):
    assert set(TaskTemplate.objects.values_list("category", flat=True)) == {
        "new_start",
        "continuing",
        "completing",
        "preparatory",
    }
    titles = list(_new_start_template().items.values_list("title", flat=True))
    assert titles[0].startswith("立项") and titles[-2:] == ["施工许可", "开工"]
    assert len(titles) == 11


def test_it_generates_a_projects_list_once_skipping_what_it_has(cast):
    template = _new_start_template()
    _task(cast, title="环评批复", prelim_kind="eia")
    result = services.tasks_generate_from_template(
        by=cast.staff, project=cast.project_a, template=template, planned_start=dt.date(2026, 12, 1)
    )
    assert len(result.created) == 10
    assert [i.title for i in result.skipped] == ["环评"]
    tasks = {t.title: t for t in Task.objects.filter(project=cast.project_a, source=Task.Source.TEMPLATE)}
    assert tasks["开工"].deadline == dt.date(2026, 12, 1)
    assert tasks["开工"].responsible_unit == cast.owner_a
    assert tasks["可研批复"].responsible_unit == cast.department
    assert tasks["施工许可"].deadline < tasks["开工"].deadline
    assert all(t.start_date is None or t.start_date <= t.deadline for t in tasks.values())
    assert AuditEntry.objects.filter(model="tasks.Task", action="create").count() == 11
    # One message per unit for the whole list.
    assert Notification.objects.filter(recipient=cast.department_user).count() == 1 + 1
    again = services.tasks_generate_from_template(
        by=cast.staff, project=cast.project_a, template=template, planned_start=dt.date(2026, 12, 1)
    )
    assert again.created == [] and len(again.skipped) == 11
    assert Task.objects.filter(project=cast.project_a).count() == 11


def test_it_generates_items_whose_approval_is_held_as_done(cast):
    PrelimItem.objects.create(
        project=cast.project_a,
        kind="approval",
        actual_date=dt.date(2026, 3, 5),
        document_no="南发改审批〔2026〕12号",
    )
    result = services.tasks_generate_from_template(
        by=cast.staff,
        project=cast.project_a,
        template=_new_start_template(),
        planned_start=dt.date(2026, 12, 1),
    )
    (done,) = result.done
    assert done.title.startswith("立项") and done.status == Task.Status.DONE
    assert done.completed_date == dt.date(2026, 3, 5)
    assert "南发改审批〔2026〕12号" in done.evidence.get().note
    assert list(done.status_changes.values_list("to_status", flat=True)) == ["todo", "done"]


def test_it_lets_only_the_office_edit_templates(cast):
    with pytest.raises(PermissionDenied):
        services.task_template_create(by=cast.district, category="new_start", name="x")
    template = services.task_template_create(
        by=cast.staff,
        category="continuing",
        name="续建（交通）",
        items=[{"title": "完成年度投资", "offset_workdays": 200, "responsible": "owner"}],
    )
    services.task_template_update(
        by=cast.admin,
        template=template,
        expected_version=1,
        category="continuing",
        name="续建（交通）",
        is_active=True,
        items=[
            {"id": template.items.get().pk, "title": "完成年度投资目标", "offset_workdays": 210},
            {"title": "入统核查", "offset_workdays": 20, "responsible": "district"},
        ],
    )
    assert list(template.items.values_list("title", "offset_workdays")) == [
        ("完成年度投资目标", 210),
        ("入统核查", 20),
    ]
    with pytest.raises(ValidationError) as refused:
        services.task_template_update(
            by=cast.admin,
            template=template,
            expected_version=2,
            category="continuing",
            name="续建（交通）",
            is_active=True,
            items=[{"title": "太远", "offset_workdays": 5000}],
        )
    assert "超出范围" in refused.value.messages[0]
    with pytest.raises(EditConflict):
        services.task_template_update(
            by=cast.admin,
            template=template,
            expected_version=1,
            category="continuing",
            name="y",
            is_active=True,
            items=[],
        )
