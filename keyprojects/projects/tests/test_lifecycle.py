"""Lifecycle stages: explicit, dated, recorded and gated moves (谋划储备 → 前期 → 在建 → 竣工 → 投产达效)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from keyprojects.audit.models import AuditEntry
from keyprojects.projects.models import Project, Stage, StageChange
from keyprojects.projects.services import project_change_stage

DAY = dt.timedelta(days=1)


def _today():
    return timezone.localdate()


def _move(project, to_stage, by, **kwargs):
    kwargs.setdefault("on", _today())
    return project_change_stage(project=project, to_stage=to_stage, by=by, **kwargs)


def _refused(project, to_stage, by, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        _move(project, to_stage, by, **kwargs)
    return caught.value.message_dict


def _stored(project):
    return Project.objects.get(pk=project.pk)


# The service


def test_it_moves_along_the_main_line_and_records_each_move(cast):
    project, today = cast.project_a, _today()
    started, finished = today - 400 * DAY, today - 10 * DAY

    change = _move(project, Stage.PRELIMINARY, cast.staff, on=today - 500 * DAY, note="可研已批复")
    assert (change.from_stage, change.to_stage) == (Stage.RESERVE, Stage.PRELIMINARY)
    assert change.date == today - 500 * DAY
    assert change.by == cast.staff
    assert change.note == "可研已批复"

    _move(project, Stage.CONSTRUCTION, cast.district, on=started, start_date=started)
    _move(project, Stage.COMPLETED, cast.staff, on=finished, completion_date=finished)
    _move(project, Stage.OPERATING, cast.staff)

    stored = _stored(project)
    assert stored.stage == Stage.OPERATING
    assert stored.start_date == started
    assert stored.completion_date == finished
    moves = list(
        StageChange.objects.filter(project=project).values_list("from_stage", "to_stage", "by__username")
    )
    assert moves == [
        (Stage.RESERVE, Stage.PRELIMINARY, "staff"),
        (Stage.PRELIMINARY, Stage.CONSTRUCTION, "district"),
        (Stage.CONSTRUCTION, Stage.COMPLETED, "staff"),
        (Stage.COMPLETED, Stage.OPERATING, "staff"),
    ]


def test_it_records_an_audit_entry_for_a_stage_move(cast):
    project, started = cast.project_a, _today() - 30 * DAY
    _move(project, Stage.PRELIMINARY, cast.staff)
    _move(project, Stage.CONSTRUCTION, cast.staff, start_date=started)

    entry = AuditEntry.objects.filter(project=project, action=AuditEntry.Action.STAGE).first()
    assert entry.user == cast.staff
    assert entry.object_id == str(project.pk)
    assert entry.changes["阶段"] == ["前期", "在建"]
    assert entry.changes["实际开工日期"] == ["", str(started)]
    assert AuditEntry.objects.filter(project=project, action=AuditEntry.Action.STAGE).count() == 2


def test_it_bumps_the_version_so_an_open_edit_form_cannot_undo_the_move(cast):
    _move(cast.project_a, Stage.PRELIMINARY, cast.staff)
    assert _stored(cast.project_a).version == 2


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Stage.RESERVE, Stage.COMPLETED),
        (Stage.RESERVE, Stage.CONSTRUCTION),
        (Stage.RESERVE, Stage.OPERATING),
        (Stage.CONSTRUCTION, Stage.RESERVE),
        (Stage.COMPLETED, Stage.CONSTRUCTION),
        (Stage.OPERATING, Stage.SUSPENDED),
        (Stage.CANCELLED, Stage.PRELIMINARY),
        (Stage.CANCELLED, Stage.CONSTRUCTION),
        (Stage.CANCELLED, Stage.RESERVE),
    ],
)
def test_it_refuses_a_forbidden_move_naming_the_current_stage(cast, current, target):
    past = _today() - 100 * DAY
    Project.objects.filter(pk=cast.project_a.pk).update(stage=current, start_date=past, completion_date=past)
    project = _stored(cast.project_a)

    errors = _refused(project, target, cast.staff, start_date=past, completion_date=past)

    message = errors["to_stage"][0]
    assert f"项目当前处于“{Stage(current).label}”" in message
    assert f"不能直接转为“{Stage(target).label}”" in message
    stored = _stored(project)
    assert stored.stage == current
    assert not StageChange.objects.filter(project=project).exists()
    assert not AuditEntry.objects.filter(project=project).exists()


def test_it_says_a_cancelled_project_can_go_nowhere(cast):
    _move(cast.project_a, Stage.CANCELLED, cast.staff, note="规划调整，项目取消")
    errors = _refused(cast.project_a, Stage.PRELIMINARY, cast.staff)
    assert errors["to_stage"] == ["项目当前处于“终止”，不能直接转为“前期”。可转为：无。"]


def test_it_refuses_construction_without_a_start_date(cast):
    _move(cast.project_a, Stage.PRELIMINARY, cast.staff)
    errors = _refused(cast.project_a, Stage.CONSTRUCTION, cast.staff)
    assert errors == {"start_date": ["转为“在建”必须填写实际开工日期。"]}
    assert _stored(cast.project_a).stage == Stage.PRELIMINARY


def test_it_refuses_a_start_date_in_the_future(cast):
    _move(cast.project_a, Stage.PRELIMINARY, cast.staff)
    errors = _refused(cast.project_a, Stage.CONSTRUCTION, cast.staff, start_date=_today() + DAY)
    assert errors == {"start_date": ["实际开工日期不能晚于今天。"]}


def test_it_refuses_a_move_dated_in_the_future(cast):
    errors = _refused(cast.project_a, Stage.PRELIMINARY, cast.staff, on=_today() + DAY)
    assert errors == {"on": ["变更日期不能晚于今天。"]}
    assert _stored(cast.project_a).stage == Stage.RESERVE


@pytest.fixture
def building(cast):
    """Project A under construction since 200 days ago."""
    started = _today() - 200 * DAY
    _move(cast.project_a, Stage.PRELIMINARY, cast.staff, on=started - DAY)
    _move(cast.project_a, Stage.CONSTRUCTION, cast.staff, on=started, start_date=started)
    return cast.project_a


def test_it_refuses_completion_without_a_completion_date(cast, building):
    errors = _refused(building, Stage.COMPLETED, cast.staff)
    assert errors == {"completion_date": ["转为“竣工”必须填写实际竣工日期。"]}
    assert _stored(building).stage == Stage.CONSTRUCTION


def test_it_refuses_completion_before_the_start(cast, building):
    errors = _refused(building, Stage.COMPLETED, cast.staff, completion_date=building.start_date - DAY)
    assert errors == {"completion_date": [f"实际竣工日期不能早于实际开工日期（{building.start_date}）。"]}
    assert _stored(building).completion_date is None


def test_it_refuses_a_completion_date_in_the_future(cast, building):
    errors = _refused(building, Stage.COMPLETED, cast.staff, completion_date=_today() + DAY)
    assert errors == {"completion_date": ["实际竣工日期不能晚于今天。"]}


def test_it_completes_on_the_start_day_itself(cast, building):
    _move(building, Stage.COMPLETED, cast.staff, completion_date=building.start_date)
    assert _stored(building).stage == Stage.COMPLETED


def test_it_suspends_and_resumes_construction_keeping_the_start_date(cast, building):
    started = building.start_date
    _move(building, Stage.SUSPENDED, cast.staff, note="资金未到位，停工")
    assert _stored(building).stage == Stage.SUSPENDED

    _move(building, Stage.CONSTRUCTION, cast.staff, note="复工")

    stored = _stored(building)
    assert stored.stage == Stage.CONSTRUCTION
    assert stored.start_date == started
    assert list(StageChange.objects.filter(project=building).values_list("to_stage", flat=True))[-2:] == [
        Stage.SUSPENDED,
        Stage.CONSTRUCTION,
    ]


def test_it_refuses_a_move_from_a_stale_page(cast):
    """Two people on the stage page: the second move is based on a stage that no longer holds."""
    stale = _stored(cast.project_a)
    _move(cast.project_a, Stage.PRELIMINARY, cast.staff)
    errors = _refused(stale, Stage.CANCELLED, cast.district)
    assert "项目阶段已被他人变更为“前期”" in errors["to_stage"][0]
    assert _stored(cast.project_a).stage == Stage.PRELIMINARY


# Through the pages


def test_it_moves_the_stage_from_the_page_and_shows_it_on_the_timeline(client, cast):
    client.force_login(cast.staff)
    url = reverse("project_stage", args=[cast.project_a.pk])
    on = _today() - 3 * DAY

    page = client.get(url)
    assert page.status_code == 200
    assert "当前阶段" in page.content.decode()

    response = client.post(url, {"to_stage": "preliminary", "on": on.isoformat(), "note": "列入前期工作计划"})

    assert response.status_code == 302
    assert response["Location"] == cast.project_a.get_absolute_url()
    assert _stored(cast.project_a).stage == Stage.PRELIMINARY
    change = StageChange.objects.get(project=cast.project_a)
    assert (change.date, change.by, change.note) == (on, cast.staff, "列入前期工作计划")

    detail = client.get(response["Location"]).content.decode()
    assert "项目已转为“前期”。" in detail
    timeline = detail.split('id="timeline"')[1].split("</ul>")[0]
    assert on.isoformat() in timeline
    assert "谋划储备 → <strong>前期</strong>" in timeline
    assert "staff · 列入前期工作计划" in timeline


def test_it_rerenders_a_bad_stage_post_with_the_field_error_in_chinese(client, cast):
    _move(cast.project_a, Stage.PRELIMINARY, cast.staff)
    client.force_login(cast.district)
    url = reverse("project_stage", args=[cast.project_a.pk])

    response = client.post(url, {"to_stage": "construction", "on": _today().isoformat()})

    assert response.status_code == 200
    html = response.content.decode()
    assert "转为“在建”必须填写实际开工日期。" in html
    assert 'name="start_date"' in html and "is-invalid" in html
    assert _stored(cast.project_a).stage == Stage.PRELIMINARY
    assert StageChange.objects.filter(project=cast.project_a).count() == 1


def test_it_refuses_a_stage_not_offered_from_the_current_one_in_chinese(client, cast):
    client.force_login(cast.staff)
    url = reverse("project_stage", args=[cast.project_a.pk])

    response = client.post(url, {"to_stage": "completed", "on": _today().isoformat()})

    assert response.status_code == 200
    html = response.content.decode()
    assert "项目当前处于“谋划储备”，不能直接转为“竣工”" in html
    assert _stored(cast.project_a).stage == Stage.RESERVE


def test_it_refuses_a_stage_post_from_a_cancelled_project(client, cast):
    _move(cast.project_a, Stage.CANCELLED, cast.staff)
    client.force_login(cast.staff)
    url = reverse("project_stage", args=[cast.project_a.pk])

    assert "该项目已处于终态，不能再变更阶段。" in client.get(url).content.decode()
    response = client.post(
        url, {"to_stage": "construction", "on": _today().isoformat(), "start_date": _today().isoformat()}
    )

    assert response.status_code == 200
    assert _stored(cast.project_a).stage == Stage.CANCELLED


def test_it_refuses_a_badly_typed_date_in_chinese(client, cast):
    client.force_login(cast.staff)
    url = reverse("project_stage", args=[cast.project_a.pk])
    response = client.post(url, {"to_stage": "preliminary", "on": "昨天"})
    assert response.status_code == 200
    assert "输入一个有效的日期。" in response.content.decode()
    assert _stored(cast.project_a).stage == Stage.RESERVE
