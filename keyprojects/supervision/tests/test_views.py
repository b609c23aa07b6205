"""The supervision pages: one click from a light or a problem, letters in bulk from the warning centre,
replies with evidence, inspections and tours, in Chinese with the site's layout."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from keyprojects.coordination.tests.support import raise_problem
from keyprojects.supervision import services
from keyprojects.supervision.models import Letter, Rectification, Tour, TourScore
from keyprojects.supervision.tests.support import day, find, inspect, issue, light, pdf, png


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def test_it_links_the_supervision_pages_from_the_menu(client, cast):
    html = _login(client, cast.staff).get(reverse("letter_list")).content.decode()
    assert 'id="supervision-menu"' in html
    for name, label in (("letter_list", "督办函"), ("inspection_list", "督查"), ("tour_list", "观摩评比")):
        assert f'href="{reverse(name)}">{label}<' in html


def test_it_requires_login_and_a_get(client, cast):
    assert client.get(reverse("letter_list")).status_code == 302
    assert _login(client, cast.staff).post(reverse("letter_list")).status_code == 405
    assert client.get(reverse("tour_close", args=[1])).status_code == 405


def test_it_offers_a_letter_from_a_warning_filled_in(client, cast):
    warning = light(cast.project_a, "prelim:1")
    client = _login(client, cast.staff)
    html = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert f"{reverse('letter_create')}?warning={warning.pk}" in html

    response = client.get(reverse("letter_create") + f"?warning={warning.pk}")
    form = response.context["form"]
    assert form.initial["unit"] == cast.district_a.pk
    assert form.initial["subject"] == "南宁市轨道交通5号线二期工程前期工作事项预警整改"
    assert "签发督办函" in response.content.decode()


def test_it_issues_a_letter_in_one_click_from_a_problem(client, cast):
    problem = raise_problem(cast)
    client = _login(client, cast.staff)
    assert (
        f"{reverse('letter_create')}?problem={problem.pk}"
        in client.get(problem.get_absolute_url()).content.decode()
    )
    url = reverse("letter_create") + f"?problem={problem.pk}"
    response = client.post(
        url,
        {
            "unit": cast.department.pk,
            "subject": "用地预审办理",
            "requirement": "限期办结。",
            "deadline_workdays": 5,
        },
    )
    letter = Letter.objects.get()
    assert response.url == letter.get_absolute_url()
    assert (letter.problem, letter.project, letter.unit, letter.deadline) == (
        problem,
        cast.project_a,
        cast.department,
        day("2026-11-23"),
    )


def test_it_hides_the_one_click_buttons_from_everyone_but_the_office(client, cast):
    warning = light(cast.project_a, "prelim:1")
    html = _login(client, cast.leader).get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert reverse("letter_create") not in html
    assert client.get(reverse("letter_create") + f"?warning={warning.pk}").status_code == 403


def test_it_previews_then_issues_a_letter_per_unit_and_project_for_the_filtered_lights(client, cast):
    lights = [
        light(cast.project_a, "prelim:1"),
        light(cast.project_a, "prelim:2", code="start", message="计划开工已滞后 3 个月"),
        light(cast.project_b, "prelim:3"),
        light(cast.project_b, "prelim:4", level="yellow"),
    ]
    client = _login(client, cast.staff)
    html = client.get(reverse("warning_list") + "?level=red").content.decode()
    assert f"{reverse('letter_bulk')}?level=red" in html

    url = reverse("letter_bulk") + "?level=red"
    preview = client.get(url)
    drafts = preview.context["drafts"]
    # Ordered by unit (kind, the office's sort, name), so that a unit's letters are numbered together.
    assert [(d.unit.name, len(d.warnings)) for d in drafts] == [("西乡塘区", 1), ("青秀区", 2)]
    assert "合并为 2 份督办函" in preview.content.decode()
    assert not Letter.objects.exists()  # a preview issues nothing

    shown = preview.context["form"]["shown"].value()
    response = client.post(url, {"requirement": "按期整改。", "deadline_workdays": 10, "shown": shown})
    assert response.status_code == 302
    letters = list(Letter.objects.order_by("sequence"))
    assert [(x.number, x.unit.name) for x in letters] == [
        ("邕重点督〔2026〕1号", "西乡塘区"),
        ("邕重点督〔2026〕2号", "青秀区"),
    ]
    assert set(letters[1].warnings.all()) == {lights[0], lights[1]}
    assert not lights[3].supervision_letters.exists()


def test_it_issues_nothing_when_the_lights_changed_since_the_preview(client, cast):
    light(cast.project_a, "prelim:1")
    client = _login(client, cast.staff)
    url = reverse("letter_bulk") + "?level=red"
    shown = client.get(url).context["form"]["shown"].value()
    light(cast.project_b, "prelim:2")  # a light turns red meanwhile
    response = client.post(url, {"requirement": "按期整改。", "deadline_workdays": 10, "shown": shown})
    assert response.status_code == 200
    assert "筛选出的预警在预览后有变化" in response.content.decode()
    assert not Letter.objects.exists()


def test_it_takes_a_reply_with_evidence_and_refuses_one_without(client, cast):
    letter = issue(cast)
    client = _login(client, cast.district)
    page = client.get(letter.get_absolute_url()).content.decode()
    assert "回复督办函" in page and "邕重点督〔2026〕1号" in page

    url = reverse("letter_reply", args=[letter.pk])
    response = client.post(url, {"reply-note": "已办理。", "reply-version": letter.version})
    assert response.status_code == 200
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.ISSUED
    assert "回复督办函须附佐证材料，请上传至少一个文件。" in response.content.decode()

    response = client.post(
        url, {"reply-note": "已办理。", "reply-version": letter.version, "reply-files": [pdf()]}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.REPLIED
    evidence = letter.evidence.get()
    download = client.get(reverse("letter_evidence", args=[evidence.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_it_signs_off_from_the_letters_page(client, cast):
    letter = services.letter_reply(letter=issue(cast), by=cast.district, note="已办理。", files=[pdf()])
    client = _login(client, cast.staff)
    assert "审核通过，办结" in client.get(letter.get_absolute_url()).content.decode()
    response = client.post(
        reverse("letter_sign_off", args=[letter.pk]),
        {"sign_off-note": "同意。", "sign_off-version": letter.version},
    )
    assert response.status_code == 302
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.SIGNED_OFF


def test_it_lists_a_units_own_letters_only(client, cast, django_assert_max_num_queries):
    issue(cast)
    issue(cast, unit=cast.district_b)
    client = _login(client, cast.district)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("letter_list"))
    assert [x.unit for x in response.context["page"]] == [cast.district_a]


def test_it_records_a_finding_with_photos_and_assigns_its_items(client, cast):
    inspection = inspect(cast)
    client = _login(client, cast.staff)
    assert "录入发现的问题" in client.get(inspection.get_absolute_url()).content.decode()
    response = client.post(
        reverse("finding_create", args=[inspection.pk]),
        {
            "project": cast.project_a.pk,
            "description": "围挡破损。",
            "photos": [png()],
            "units": [cast.district_a.pk, cast.department.pk],
            "requirement": "修复围挡。",
            "deadline_workdays": 5,
        },
    )
    assert response.status_code == 302
    assert sorted(Rectification.objects.values_list("unit__name", flat=True)) == [
        "市发展和改革委员会",
        "青秀区",
    ]


def test_it_lets_the_unit_submit_its_item_and_the_office_decide(client, cast):
    item = find(cast, inspect(cast)).rectifications.get()
    client = _login(client, cast.district)
    response = client.post(
        reverse("rectification_submit", args=[item.pk]),
        {"submit-note": "已修复。", "submit-version": item.version, "submit-files": [pdf()]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    client = _login(client, cast.staff)
    response = client.post(
        reverse("rectification_decide", args=[item.pk]),
        {"decide-decision": "accept", "decide-version": item.version},
    )
    assert response.status_code == 302
    assert Rectification.objects.get(pk=item.pk).status == Rectification.Status.SIGNED_OFF


def test_it_lets_a_juror_score_and_shows_the_result(client, cast):
    tour = services.tour_create(
        by=cast.staff,
        title="四季度观摩",
        date=day("2026-11-20"),
        projects=[cast.project_a],
        jurors=[cast.leader],
    )
    client = _login(client, cast.leader)
    url = reverse("tour_score", args=[tour.pk, cast.project_a.pk])
    criteria = list(tour.criteria.all())
    response = client.post(url, {f"c{c.pk}": c.max_points for c in criteria} | {f"c{criteria[0].pk}": 31})
    assert response.status_code == 200
    assert "“项目建设进度”的得分应在 0 至 30 之间" in response.content.decode()
    assert not TourScore.objects.exists()

    response = client.post(url, {f"c{c.pk}": c.max_points - 1 for c in criteria})
    assert response.status_code == 302
    page = client.get(tour.get_absolute_url())
    assert page.context["results"][0]["result"] == 95
    assert "去掉一个最高分和一个最低分" in page.content.decode()


def test_it_closes_a_tour_for_the_office(client, cast):
    tour = services.tour_create(
        by=cast.staff,
        title="四季度观摩",
        date=day("2026-11-20"),
        projects=[cast.project_a],
        jurors=[cast.leader],
    )
    criteria = list(tour.criteria.all())
    services.tour_score(tour=tour, by=cast.leader, project=cast.project_a, points={c.pk: 1 for c in criteria})
    response = _login(client, cast.staff).post(reverse("tour_close", args=[tour.pk]))
    assert response.status_code == 302
    assert Tour.objects.get(pk=tour.pk).status == Tour.Status.CLOSED
