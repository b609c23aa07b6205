"""`manage.py assess`: the scheduled job that scores a period, idempotent, with a dry run."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from keyprojects.assessment.models import AssessmentRun, Score
from keyprojects.assessment.tests.world import NOW, seed_schemes, small_city


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def city(cast):
    seed_schemes()
    return small_city(cast)


def assess(*args) -> str:
    out = io.StringIO()
    call_command("assess", *args, stdout=out)
    return out.getvalue()


def test_it_scores_a_period_once_and_then_changes_nothing(city):
    dry = assess("--period", "2027Q1", "--today", "2027-05-10", "--dry-run")
    assert "     1    95.00  兴宁区" in dry and "试算完成，未写入" in dry
    assert not AssessmentRun.objects.exists()
    first = assess("--period", "2027Q1", "--today", "2027-05-10")
    assert "新增 10 个" in first and Score.objects.count() == 10
    assert "2027年第一季度得分没有变化" in assess("--period", "2027q1", "--today", "2027-06-01")
    assert AssessmentRun.objects.get().revision == 1


def test_it_says_why_it_cannot_score_a_period(city):
    with pytest.raises(CommandError, match="格式不正确"):
        assess("--period", "Q1-2027")
    with pytest.raises(CommandError, match="尚未结束"):
        assess("--period", "2027-05", "--today", "2027-05-10")


def test_it_leaves_a_published_period_alone(city):
    assess("--period", "2027Q1", "--today", "2027-05-10")
    AssessmentRun.objects.update(status=AssessmentRun.Status.PUBLISHED, published_at=NOW)
    assert "发布的得分不再重新计算" in assess("--period", "2027Q1", "--today", "2027-05-10")
