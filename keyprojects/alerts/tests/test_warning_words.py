"""A warning's message and figures in the reader's language: written once in the office's language,
whoever set the recomputation off, and read in Chinese or English."""

import ast
import datetime as dt
import inspect
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from keyprojects.alerts import rules, wording
from keyprojects.alerts.models import ProjectWarning
from keyprojects.alerts.services import warnings_refresh
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def lights(cast):
    """Project A: a task three working days overdue (red) and an environmental assessment planned in
    June and not done (red)."""
    Task.objects.create(
        project=cast.project_a,
        title="取得施工许可",
        responsible_unit=cast.department,
        created_by=cast.staff,
        deadline=dt.date(2026, 11, 17),
    )
    PrelimItem.objects.create(project=cast.project_a, kind="eia", planned_date=dt.date(2026, 6, 1))
    return cast


def test_it_writes_a_warning_in_the_offices_language_whoever_set_it_off(lights):
    with translation.override("en"):  # an English reader saved something that moves the lights
        warnings_refresh(project_ids=[lights.project_a.pk])

    messages = sorted(ProjectWarning.objects.values_list("message", flat=True))
    assert messages == [
        "任务“取得施工许可”逾期 3 个工作日",
        "前期事项“环评”计划2026-06-01完成，已过 172 天仍未办结",
    ]
    task = ProjectWarning.objects.get(subject__startswith="task:")
    assert sorted(task.figures) == sorted(["完成时限", "责任单位", "工作日"])  # jsonb keeps no order


def test_it_shows_a_warning_and_its_figures_in_english_to_an_english_reader(client, lights):
    warnings_refresh(project_ids=[lights.project_a.pk])
    client.force_login(lights.staff)
    chinese = client.get(reverse("warning_list")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("warning_list")).content.decode()

    assert "任务“取得施工许可”逾期 3 个工作日" in chinese and "完成时限：2026-11-17" in chinese
    # The task's title is the user's text and stays; the words around it are translated.
    assert "Task “取得施工许可”: 3 workday(s) overdue" in english
    assert "Deadline: 2026-11-17" in english and "Workdays: 3 workday(s) overdue" in english
    assert (
        "Preliminary item “Environmental impact assessment” was planned for completion on 2026-06-01 "
        "and is still not done 172 days later"
    ) in english
    assert "逾期" not in english and "环评" not in english and "完成时限" not in english


def test_it_shows_the_warning_page_in_english(client, lights):
    warnings_refresh(project_ids=[lights.project_a.pk])
    warning = ProjectWarning.objects.get(subject__startswith="prelim:")
    client.force_login(lights.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    figures = re.search(r'id="warning-figures">(.*?)</table>', page, re.S).group(1)

    assert not CJK.search(figures), figures
    assert "Environmental impact assessment" in figures


def test_it_leaves_what_the_rules_copied_in_as_it_is():
    with translation.override("en"):
        assert wording.warning_text("南宁市发展和改革委员会") == "南宁市发展和改革委员会"
        assert wording.warning_text("2026-11-17") == "2026-11-17"
        assert wording.warning_text(3) == 3
        assert wording.warning_text("否") == "No"
    with translation.override("zh-hans"):
        assert wording.warning_text("否") == "否"


def _rule_texts() -> list[str]:
    """Every literal rules.py passes to its gettext wrapper `_`."""
    tree = ast.parse(inspect.getsource(rules))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def test_every_text_the_rules_write_can_be_read_in_english():
    texts = _rule_texts()
    filled_in = {t for t in texts if "%(" in t}

    assert filled_in <= set(wording.TEMPLATES), filled_in - set(wording.TEMPLATES)
    with translation.override("en"):
        untranslated = [t for t in texts if translation.gettext(t) == t]
    assert not untranslated, untranslated
