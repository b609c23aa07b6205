"""The red/black list: drafted by rule, exempted and edited with reasons, reviewed by a second office
user, published once and for all, corrected by a new version; and schemes versioned under it."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.assessment import services
from keyprojects.assessment.models import AssessmentRun, RankingEntry, RankingList, Scheme, Score, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.assessment.tests.world import NOW, TODAY, YEAR, at, entry, report, seed_schemes, small_city
from keyprojects.notifications.models import Notification
from keyprojects.plans.models import Category
from keyprojects.test import make_project

Q1 = Period.parse("2027Q1")
Side, Rule = RankingEntry.Side, RankingEntry.Rule


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def city(cast):
    seed_schemes()
    small_city(cast)
    cast.run = services.assessment_run(period=Q1, today=TODAY).run
    return cast


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 force majeure", content_type="application/pdf")


def listed(ranking_list) -> set:
    return {(e.side, e.rule, e.name) for e in ranking_list.entries.all() if e.is_listed}


def test_it_drafts_the_list_by_rule(city):
    draft = services.ranking_list_draft(run=city.run, by=city.staff)
    assert listed(draft) == {
        # Districts: B and C met 序时进度 (red, top 3); A missed it (black, bottom 3) and leads P2, left at
        # level 3 past its limit (black, hard criterion).
        (Side.RED, Rule.TOP, "兴宁区"),
        (Side.RED, Rule.TOP, "西乡塘区"),
        (Side.BLACK, Rule.BOTTOM, "青秀区"),
        (Side.BLACK, Rule.PROBLEM, "青秀区"),
        # Departments: the target is 80 points.
        (Side.RED, Rule.TOP, "市生态环境局"),
        (Side.BLACK, Rule.BOTTOM, "市发展和改革委员会"),
    }
    bottom = draft.entries.get(rule=Rule.BOTTOM, unit_kind=UnitKind.DISTRICT)
    assert bottom.reason.startswith(
        "得分 59.04，排名第 3/3；投资完成率（对序时进度） 96.0%（目标 100%），未达标"
    )
    assert draft.entries.get(rule=Rule.PROBLEM).problem == city.p2
    assert draft.status == RankingList.Status.DRAFT and draft.run_revision == city.run.revision


def test_it_lists_a_new_start_three_months_late(city):
    batch = city.entries["pa1"].batch
    late = make_project(
        name="兴宁区新能源产业园", owner=city.owner_a, district=city.district_c, sector=city.sector
    )
    entry(batch, late, Category.NEW_START, 300, planned_start_month=4)
    soon = make_project(name="兴宁区物流园", owner=city.owner_a, district=city.district_c, sector=city.sector)
    entry(batch, soon, Category.NEW_START, 300, planned_start_month=5)
    report(city.entries["pc"], 7, 100, at(YEAR, 8, 2), by=city.owner)
    with time_machine.travel(dt.datetime(2027, 8, 20, 10, tzinfo=NOW.tzinfo), tick=False):
        run = services.assessment_run(period=Period.parse("2027-07"), today=dt.date(2027, 8, 20)).run
        draft = services.ranking_list_draft(run=run, by=city.staff)
    # Planned for April: not started by the end of July, three months after April. May's has time left.
    late_entries = draft.entries.filter(rule=Rule.LATE_START)
    assert [(e.project, e.organisation, e.side) for e in late_entries] == [
        (late, city.district_c, Side.BLACK)
    ]
    assert "计划 4 月开工" in late_entries[0].reason


def test_it_exempts_only_with_a_reason_and_an_attachment(city):
    draft = services.ranking_list_draft(run=city.run, by=city.staff)
    bottom = draft.entries.get(rule=Rule.BOTTOM, unit_kind=UnitKind.DISTRICT)
    with pytest.raises(ValidationError) as refused:
        services.ranking_entry_exempt(entry=bottom, by=city.staff, reason="", attachment=None)
    assert set(refused.value.message_dict) == {"reason", "attachment"}
    with pytest.raises(ValidationError, match="依据材料"):
        services.ranking_entry_exempt(entry=bottom, by=city.staff, reason="暴雨停工", attachment=None)
    services.ranking_entry_exempt(entry=bottom, by=city.staff, reason="暴雨停工 20 天", attachment=pdf())
    bottom.refresh_from_db()
    assert bottom.exempt and bottom.exempt_file_name == "证明.pdf" and not bottom.is_listed
    red = draft.entries.filter(side=Side.RED).first()
    with pytest.raises(ValidationError, match="只有黑榜"):
        services.ranking_entry_exempt(entry=red, by=city.staff, reason="x", attachment=pdf())


def test_it_takes_manual_edits_with_reasons_only(city):
    draft = services.ranking_list_draft(run=city.run, by=city.staff)
    with pytest.raises(ValidationError, match="理由"):
        services.ranking_entry_add(
            ranking_list=draft, by=city.staff, side=Side.RED, reason=" ", organisation=city.department
        )
    added = services.ranking_entry_add(
        ranking_list=draft,
        by=city.staff,
        side=Side.RED,
        reason="审批提速成效明显",
        organisation=city.department,
    )
    assert (added.rule, added.rank, added.score) == (Rule.MANUAL, 2, Decimal("45.52"))
    red = draft.entries.get(name="西乡塘区")
    with pytest.raises(ValidationError, match="理由"):
        services.ranking_entry_remove(entry=red, by=city.staff, reason="")
    services.ranking_entry_remove(entry=red, by=city.staff, reason="存在安全生产事故")
    assert ("red", "top", "西乡塘区") not in listed(draft)
    with pytest.raises(PermissionDenied):
        services.ranking_entry_remove(entry=added, by=city.district, reason="不服")


def test_it_needs_a_second_office_user_to_review_before_publishing(city):
    draft = services.ranking_list_draft(run=city.run, by=city.staff)
    with pytest.raises(ValidationError, match="尚未审核"):
        services.ranking_list_publish(ranking_list=draft, by=city.admin, today=TODAY)
    with pytest.raises(ValidationError, match="不能审核自己起草"):
        services.ranking_list_review(ranking_list=draft, by=city.staff)
    services.ranking_list_review(ranking_list=draft, by=city.admin, note="核对无误")
    draft.refresh_from_db()
    assert draft.status == RankingList.Status.REVIEWED
    # An edit after the review needs a new one.
    services.ranking_entry_add(
        ranking_list=draft, by=city.admin, side=Side.BLACK, reason="迟报", organisation=city.district_c
    )
    draft.refresh_from_db()
    assert draft.status == RankingList.Status.DRAFT and draft.reviewed_by is None


def test_it_refuses_a_review_after_the_scores_moved(city):
    draft = services.ranking_list_draft(run=city.run, by=city.staff)
    city.entries["pc"].reports.filter(month=3).update(amount=0)
    assert not services.assessment_run(period=Q1, today=TODAY).unchanged
    with pytest.raises(ValidationError, match="重新起草"):
        services.ranking_list_review(ranking_list=draft, by=city.admin)
    redrafted = services.ranking_list_draft(run=AssessmentRun.objects.get(), by=city.staff)
    assert redrafted.pk == draft.pk and redrafted.run_revision == 2


def _publish(city):
    draft = services.ranking_list_draft(run=city.run, by=city.staff)
    services.ranking_list_review(ranking_list=draft, by=city.admin)
    return services.ranking_list_publish(ranking_list=draft, by=city.admin, today=TODAY)


def test_it_publishes_once_numbers_the_notice_and_tells_every_unit(city):
    published = _publish(city)
    assert published.status == RankingList.Status.PUBLISHED
    assert published.number == "邕重点办通〔2027〕1号"
    run = AssessmentRun.objects.get()
    assert run.is_published
    inbox = Notification.objects.filter(key=f"ranking-list:{published.pk}:published")
    mine = inbox.get(recipient=city.district)
    assert mine.url == f"/assessment/scores/{Score.objects.get(run=run, organisation=city.district_a).pk}/"
    assert "本单位得分 59.04，排名第 3。" in mine.body and "本单位列入黑榜。" in mine.body
    assert set(inbox.values_list("recipient__username", flat=True)) == {
        "district",
        "district_b",
        "department",
    }
    # Nothing published changes in place.
    entry = published.entries.first()
    with pytest.raises(ValidationError, match="已发布的红黑榜不能修改"):
        services.ranking_entry_remove(entry=entry, by=city.staff, reason="改")
    with pytest.raises(ValidationError, match="已发布"):
        services.ranking_list_draft(run=run, by=city.staff)
    with pytest.raises(ValidationError, match="发布的得分不再重新计算"):
        services.assessment_run(period=Q1, today=TODAY)


def test_it_corrects_a_published_list_with_a_new_version(city):
    published = _publish(city)
    with pytest.raises(ValidationError, match="理由"):
        services.ranking_list_correct(ranking_list=published, by=city.staff, reason="")
    correction = services.ranking_list_correct(
        ranking_list=published, by=city.staff, reason="青秀区提供停工证明"
    )
    assert (correction.version, correction.supersedes, correction.status) == (
        2,
        published,
        RankingList.Status.DRAFT,
    )
    bottom = correction.entries.get(rule=Rule.BOTTOM, unit_kind=UnitKind.DISTRICT)
    services.ranking_entry_exempt(entry=bottom, by=city.staff, reason="暴雨停工", attachment=pdf())
    services.ranking_list_review(ranking_list=correction, by=city.admin)
    services.ranking_list_publish(ranking_list=correction, by=city.admin, today=TODAY)
    correction.refresh_from_db()
    published.refresh_from_db()
    assert published.status == RankingList.Status.SUPERSEDED
    assert correction.number == "邕重点办通〔2027〕2号"
    assert correction.changes == ["黑榜撤销：青秀区（豁免：暴雨停工）"]
    # The version it corrects keeps its entries as published.
    assert ("black", "bottom", "青秀区") in listed(published)


def test_it_keeps_the_published_version_and_applies_a_new_one_next_period(city):
    _publish(city)
    scheme = Scheme.objects.get(period_kind="quarter", unit_kind=UnitKind.DISTRICT)
    v1 = scheme.versions.get()
    stored = list(Score.objects.order_by("pk").values())
    v2 = services.scheme_version_create(
        scheme=scheme,
        by=city.admin,
        note="只考核序时进度",
        total=100,
        bonus_cap=0,
        target_indicator="investment_pace",
        target_value=100,
        indicators=[
            {
                "code": "investment_pace",
                "weight": Decimal(100),
                "curve": "linear",
                "params": {"low": "60", "high": "100"},
            }
        ],
    )
    with pytest.raises(ValidationError):
        services.assessment_run(period=Q1, today=TODAY)
    assert list(Score.objects.order_by("pk").values()) == stored
    q1 = AssessmentRun.objects.get(period="2027Q1")
    assert v1 in q1.versions.all() and v2 not in q1.versions.all()
    for key in ("pa1", "pa2", "pb1", "pb2", "pc"):
        for month in (4, 5, 6):
            report(city.entries[key], month, 100, at(YEAR, month + 1, 2), by=city.owner)
    with time_machine.travel(dt.datetime(2027, 7, 20, 10, tzinfo=NOW.tzinfo), tick=False):
        q2 = services.assessment_run(period=Period.parse("2027Q2"), today=dt.date(2027, 7, 20)).run
    assert v2 in q2.versions.all()
    a = Score.objects.get(run=q2, organisation=city.district_a)
    # Q2 under v2: 序时 plan 1,000 of 2,000 by June; done 480 + 600 = 1,080: 108% → the full 100.
    assert [line["code"] for line in a.lines] == ["investment_pace"] and a.total == Decimal("100.00")
    assert Score.objects.get(run=q1, organisation=city.district_a).total == Decimal("59.04")


def test_it_refuses_weights_that_do_not_add_up(city):
    scheme = Scheme.objects.get(period_kind="month", unit_kind=UnitKind.DEPARTMENT)
    with pytest.raises(ValidationError) as refused:
        services.scheme_version_create(
            scheme=scheme,
            by=city.admin,
            note="调整",
            total=100,
            bonus_cap=0,
            indicators=[
                {
                    "code": "task_on_time",
                    "weight": Decimal(60),
                    "curve": "linear",
                    "params": {"low": "50", "high": "100"},
                },
                {
                    "code": "problem_on_time",
                    "weight": Decimal("35.5"),
                    "curve": "linear",
                    "params": {"low": "50", "high": "100"},
                },
            ],
        )
    assert "各指标权重合计 95.5 分，与方案总分 100 分不符（相差 4.5 分）" in refused.value.messages[0]
    assert scheme.versions.count() == 1
