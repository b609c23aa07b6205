import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest

from keyprojects.assessment.models import AssessmentRun, RankingList
from keyprojects.demo.loader import load_demo
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.demo import PASSWORD, RAIL_OWNER_NAME
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage, StageChange
from keyprojects.supervision.models import Finding, Letter

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def snapshot():
    return list(Project.objects.order_by("name").values_list("code", "name", "total_investment"))


def test_it_loads_a_small_city():
    counts = load_demo(projects=120, today=TODAY)

    assert counts["projects"] == Project.objects.count() == 120
    assert Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).count() == 15
    assert Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).count() == 25
    assert Organisation.objects.filter(kind=Organisation.Kind.OWNER).count() == 300
    assert User.objects.filter(role=User.Role.LEADER).count() == 8
    assert StageChange.objects.count() == counts["stage_changes"] > 120
    assert PrelimItem.objects.exists() and FactorNeed.objects.exists()
    assert not Project.objects.filter(search_text="").exists()
    project = Project.objects.exclude(code=None).first()
    project.full_clean()
    assert project.code.lower() in project.search_text


def test_it_is_deterministic():
    with transaction.atomic():
        load_demo(projects=120, today=TODAY)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Project.objects.exists()

    load_demo(projects=120, today=TODAY)

    assert snapshot() == first
    assert len({name for _code, name, _total in first}) == 120


def test_it_gives_the_rail_lines_sections_and_stations():
    load_demo(projects=120, today=TODAY)

    lines = Project.objects.filter(name__startswith="南宁市轨道交通", parent=None)
    assert sorted(lines.values_list("name", flat=True)) == [
        "南宁市轨道交通6号线一期工程",
        "南宁市轨道交通7号线一期工程",
    ]
    for line in lines:
        assert line.owner.name == RAIL_OWNER_NAME
        children = line.children.all()
        assert children.filter(name__endswith="站").count() == 8
        assert children.filter(name__contains="标").exists()
        assert {child.owner_id for child in children} == {line.owner_id}


def test_it_keeps_stages_and_dates_consistent():
    load_demo(projects=120, today=TODAY)

    assert not Project.objects.filter(stage=Stage.CONSTRUCTION, start_date=None).exists()
    assert not Project.objects.filter(
        stage__in=[Stage.COMPLETED, Stage.OPERATING], completion_date=None
    ).exists()
    assert not Project.objects.filter(start_date__gt=TODAY).exists()
    assert not StageChange.objects.filter(date__gt=TODAY).exists()
    assert not PrelimItem.objects.filter(actual_date__gt=TODAY).exists()
    for project in Project.objects.prefetch_related("stage_changes"):
        history = list(project.stage_changes.all())
        assert history[0].from_stage == ""
        assert history[-1].to_stage == project.stage
        assert [c.date for c in history] == sorted(c.date for c in history)


def test_it_lets_every_demo_user_log_in(client):
    load_demo(projects=30, today=TODAY)

    for username in ("admin", "staff", "leader", "district", "department", "owner"):
        user = User.objects.get(username=username)
        user.full_clean()
        assert user.full_name
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD), username
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="district").organisation.name == "青秀区"
    assert User.objects.get(username="department").organisation.department_projects.exists()
    assert User.objects.get(username="leader").linked_projects.exists()


def test_the_command_loads_once_and_refuses_a_second_time():
    out = StringIO()
    call_command("load_demo", "--projects", "40", "--today", "2026-12-07", stdout=out)
    assert "演示数据已加载（2026-12-07" in out.getvalue()
    assert Project.objects.count() == 40

    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert Project.objects.count() == 40

    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())


def test_it_opens_supervision_and_assessment_with_work_in_hand(client):
    load_demo(projects=300, today=TODAY)

    letters = Letter.objects.all()
    assert letters.count() >= 6
    assert letters.filter(status=Letter.Status.REPLIED).exists()
    assert letters.filter(status=Letter.Status.SIGNED_OFF).exists()
    assert letters.filter(level__gt=1).exists()  # overdue ones climbed the ladder
    assert Finding.objects.exists()
    run = AssessmentRun.objects.get()
    # November's reports are still within their deadline on 7 December: October is the latest month.
    assert run.period == "2026-10" and run.scores.exists()
    assert RankingList.objects.get(run=run).status == RankingList.Status.DRAFT
    client.force_login(User.objects.get(username="staff"))
    page = client.get(Letter.objects.first().get_absolute_url())
    assert page.status_code == 200
