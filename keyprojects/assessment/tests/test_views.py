"""The assessment pages as people use them: a score explained down to the records, a district's view
of its own breakdown and everyone's ranking, computing a period from the page, editing a scheme, the
list's workflow and the 通报 page."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyprojects.assessment import services
from keyprojects.assessment.models import AssessmentRun, RankingEntry, RankingList, Scheme, Score, UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.assessment.tests.world import NOW, TODAY, seed_schemes, small_city
from keyprojects.ops.tests.worker_support import work

Q1 = Period.parse("2027Q1")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def city(cast):
    seed_schemes()
    return small_city(cast)


@pytest.fixture
def published(city):
    run = services.assessment_run(period=Q1, today=TODAY).run
    draft = services.ranking_list_draft(run=run, by=city.staff)
    services.ranking_list_review(ranking_list=draft, by=city.admin)
    city.list = services.ranking_list_publish(ranking_list=draft, by=city.admin, today=TODAY)
    city.run = run
    city.score_a = Score.objects.get(run=run, organisation=city.district_a)
    city.score_b = Score.objects.get(run=run, organisation=city.district_b)
    return city


def test_it_computes_a_period_from_the_page(client, city):
    client.force_login(city.staff)
    response = client.post(reverse("assessment_compute"), {"period": "2027Q1"}, follow=True)
    assert "2027年第一季度已计算：新增 10 个得分" in response.content.decode()
    assert AssessmentRun.objects.get().scores.count() == 10
    response = client.post(reverse("assessment_compute"), {"period": "2027Q1"}, follow=True)
    assert "得分没有变化" in response.content.decode()
    response = client.post(reverse("assessment_compute"), {"period": "2027-04"}, follow=True)
    assert "2027年4月尚未结束" in response.content.decode()
    response = client.post(reverse("assessment_compute"), {"period": "2027-13"}, follow=True)
    assert "月份应为 1 至 12" in response.content.decode()


def test_a_large_installation_scores_a_period_in_the_worker(client, city, settings, monkeypatch):
    """Above KP_ASSESS_SYNC_PROJECTS the page checks the period, queues the scoring once however often
    it is asked, and shows it queued; the worker scores it and the overview shows the result."""
    settings.KP_ASSESS_SYNC_PROJECTS = 0
    client.force_login(city.staff)
    response = client.post(reverse("assessment_compute"), {"period": "2027-04"}, follow=True)
    assert "2027年4月尚未结束" in response.content.decode()
    assert not DBTaskResult.objects.exists()

    response = client.post(reverse("assessment_compute"), {"period": "2027Q1"}, follow=True)
    html = response.content.decode()
    assert "2027年第一季度的得分已交由后台计算" in html
    assert "2027年第一季度的得分已排队等待计算" in html and 'hx-trigger="every 3s"' in html
    client.post(reverse("assessment_compute"), {"period": "2027Q1"})
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    assert not AssessmentRun.objects.exists()

    work(monkeypatch)
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert AssessmentRun.objects.get().scores.count() == 10
    status = reverse("assessment_compute_status") + "?period=2027Q1"
    fragment = client.get(status).content.decode()
    assert "2027年第一季度已计算：新增 10 个得分" in fragment and "every 3s" not in fragment
    html = client.get(reverse("score_overview") + "?period=2027Q1").content.decode()
    assert "2027年第一季度已计算：新增 10 个得分" in html and "ranking-table" in html

    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        client.post(reverse("assessment_compute"), {"period": "2027Q1"})
        work(monkeypatch)
        assert "得分没有变化" in client.get(status).content.decode()


def test_a_queued_scoring_refused_in_the_worker_shows_why(client, city, settings, monkeypatch):
    settings.KP_ASSESS_SYNC_PROJECTS = 0
    client.force_login(city.staff)
    client.post(reverse("assessment_compute"), {"period": "2027Q1"})
    services.assessment_run(period=Q1, today=TODAY)
    run = AssessmentRun.objects.get()
    run.status, run.published_at = AssessmentRun.Status.PUBLISHED, run.computed_at
    run.save(update_fields=["status", "published_at"])
    work(monkeypatch)
    html = client.get(reverse("score_overview") + "?period=2027Q1").content.decode()
    assert "2027年第一季度的得分未能计算：2027年第一季度的考核结果已" in html


def test_it_explains_a_score_with_its_numbers_and_links_the_records(client, published):
    client.force_login(published.district)
    response = client.get(reverse("score_detail", args=[published.score_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "累计完成投资 480 万元 ÷ 序时计划投资 500 万元 = 96.0%" in html
    assert "(96.0 − 60) ÷ (100 − 60) × 20 = 18.00" in html
    assert "按时报送 5 份 ÷ 应报送 6 份 = 83.3%" in html
    assert "83.3 ≥ 80，0.3 × 10 = 3.00" in html
    assert "5 − 1 × 2 = 3.00" in html
    assert 'id="score-total">59.04<' in html
    records = reverse("score_records", args=[published.score_a.pk, "report_on_time"])
    assert records in html
    page = client.get(records).content.decode()
    assert "南宁市轨道交通5号线二期工程" in page and "逾期报送" in page and "3月报送" in page
    problems = client.get(
        reverse("score_records", args=[published.score_a.pk, "problem_on_time"])
    ).content.decode()
    assert "P2 施工许可" in problems and "P3 资金拨付" in problems and "P1 征地补偿" not in problems
    letters = client.get(
        reverse("score_records", args=[published.score_a.pk, "letters_on_time"])
    ).content.decode()
    assert "邕重点督〔2027〕2号" in letters and "邕重点督〔2027〕1号" not in letters


def test_a_district_sees_everyones_rank_but_only_its_own_records(client, published):
    client.force_login(published.district)
    response = client.get(reverse("score_overview"))
    html = response.content.decode()
    assert [s.name for s in response.context["rankings"][0][1]] == ["兴宁区", "西乡塘区", "青秀区"]
    assert reverse("score_detail", args=[published.score_a.pk]) in html
    assert reverse("score_detail", args=[published.score_b.pk]) not in html
    assert client.get(reverse("score_detail", args=[published.score_b.pk])).status_code == 404
    assert (
        client.get(reverse("score_records", args=[published.score_b.pk, "report_on_time"])).status_code == 404
    )
    history = json.loads(html.split('id="history-1" type="application/json">')[1].split("</script>")[0])
    assert history["periods"] == ["2027年第一季度"]
    assert {s["name"]: s["data"] for s in history["series"]} == {
        "兴宁区": [1],
        "西乡塘区": [2],
        "青秀区": [3],
    }
    assert "vendor/echarts/echarts.min.js" in html
    assert "方案第一项指标的数值高者在前" in html


def test_unpublished_scores_are_the_offices(client, city):
    run = services.assessment_run(period=Q1, today=TODAY).run
    client.force_login(city.district)
    assert list(client.get(reverse("score_overview")).context["runs"]) == []
    score = Score.objects.get(run=run, organisation=city.district_a)
    assert client.get(reverse("score_detail", args=[score.pk])).status_code == 404
    client.force_login(city.staff)
    assert client.get(reverse("score_detail", args=[score.pk])).status_code == 200


def test_it_answers_the_ranking_page_with_a_fixed_number_of_queries(
    client, published, django_assert_max_num_queries
):
    client.force_login(published.staff)
    with django_assert_max_num_queries(20):
        client.get(reverse("score_overview"))


def test_it_saves_a_scheme_change_as_a_new_version_and_refuses_bad_weights(client, city):
    scheme = Scheme.objects.get(period_kind="month", unit_kind=UnitKind.DEPARTMENT)
    client.force_login(city.admin)
    form = client.get(reverse("scheme_edit", args=[scheme.pk])).context["form"]
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update({"note": "提高任务权重", "w_task_on_time": "30", "w_problem_on_time": "20"})
    response = client.post(reverse("scheme_edit", args=[scheme.pk]), data)
    assert response.status_code == 302
    assert [v.number for v in scheme.versions.all()] == [2, 1]
    current = scheme.versions.first()
    assert {i.code: str(i.weight) for i in current.indicators.all()}["task_on_time"] == "30.00"
    data.update({"note": "再调", "w_task_on_time": "35"})
    response = client.post(reverse("scheme_edit", args=[scheme.pk]), data)
    assert "各指标权重合计 105 分，与方案总分 100 分不符（相差 5 分）" in response.content.decode()
    assert scheme.versions.count() == 2
    detail = client.get(reverse("scheme_detail", args=[scheme.pk]) + "?version=1").content.decode()
    assert "默认方案" in detail and "提高任务权重" in detail


def test_the_office_reviews_and_publishes_from_the_list_page(client, city):
    run = services.assessment_run(period=Q1, today=TODAY).run
    client.force_login(city.staff)
    response = client.post(reverse("ranking_list_draft", args=[run.pk]))
    draft = RankingList.objects.get()
    assert response.url == reverse("ranking_list_detail", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert "青秀区" in page and 'id="review-button"' in page
    response = client.post(reverse("ranking_list_review", args=[draft.pk]), follow=True)
    assert "不能审核自己起草的红黑榜" in response.content.decode()
    bottom = draft.entries.get(rule=RankingEntry.Rule.BOTTOM, unit_kind=UnitKind.DISTRICT)
    response = client.post(reverse("ranking_entry_exempt", args=[bottom.pk]), {"reason": "暴雨"})
    assert "豁免必须附上依据材料" in response.content.decode()
    client.force_login(city.admin)
    client.post(reverse("ranking_list_review", args=[draft.pk]))
    response = client.post(reverse("ranking_list_publish", args=[draft.pk]), follow=True)
    assert "已发布，并已通知各城区和部门" in response.content.decode()
    client.force_login(city.owner)
    notices = client.get(reverse("notice_list")).content.decode()
    assert "邕重点办通〔2027〕1号" in notices
    assert reverse("ranking_list_notice", args=[draft.pk]) in notices
    response = client.get(reverse("ranking_list_notice", args=[draft.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_it_offers_the_monthly_briefing_of_a_published_month(client, city):
    month = Period.parse("2027-03")
    with time_machine.travel(dt.datetime(2027, 5, 10, 10, tzinfo=NOW.tzinfo), tick=False):
        run = services.assessment_run(period=month, today=TODAY).run
    client.force_login(city.district)
    url = reverse("briefing_download", args=[2027, 3])
    assert client.get(url).status_code == 404  # not yet published
    client.force_login(city.staff)
    assert client.get(url).status_code == 200
    run.status = AssessmentRun.Status.PUBLISHED
    run.save()
    client.force_login(city.district)
    assert "2027年3月重点项目建设工作简报" in client.get(reverse("notice_list")).content.decode()
    assert client.get(url).status_code == 200


def test_it_explains_a_score_in_english_too(client, published, settings):
    client.force_login(published.district)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("score_detail", args=[published.score_a.pk])).content.decode()
    assert "Investment completion (against time progress)" in html
    assert "Reported on time 5 reports ÷ Reports owed 6 reports = 83.3%" in html
    assert "83.3 ≥ 80: 0.3 × 10 = 3.00" in html
    assert "Q1 2027" in html
