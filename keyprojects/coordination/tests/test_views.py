"""The problem pages as people use them: the ledger (scoped, filtered, fixed query count), statistics,
Excel export, a problem's page with its forms, raising from a project or a monthly report, files."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects.coordination import services
from keyprojects.coordination.models import Problem, ProblemAction
from keyprojects.coordination.tests.support import pdf, raise_problem
from keyprojects.plans.models import MonthlyReport
from keyprojects.plans.tests.cast import plans_cast

TODAY = dt.datetime(2026, 11, 2, 10)


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def problems(cast):
    """A: owner A's, led by the department. B: owner B's, led by district B. C: on project A, led by
    district A with the department not involved."""
    a = raise_problem(cast, title="用地预审未批复")
    b = raise_problem(
        cast,
        user=cast.owner_b_user,
        project=cast.project_b,
        lead_unit=cast.district_b,
        title="老旧小区管线迁改",
        category=Problem.Category.CONSTRUCTION,
    )
    c = raise_problem(
        cast, lead_unit=cast.district_a, title="征地补偿款未到位", category=Problem.Category.LAND
    )
    return a, b, c


def _titles(client, user, url="/problems/"):
    client.force_login(user)
    html = client.get(url).content.decode()
    return {t for t in ("用地预审未批复", "老旧小区管线迁改", "征地补偿款未到位") if t in html}


def test_it_shows_each_role_only_the_problems_in_its_scope(cast, client, problems):
    assert _titles(client, cast.staff) == {"用地预审未批复", "老旧小区管线迁改", "征地补偿款未到位"}
    assert _titles(client, cast.leader) == {"用地预审未批复", "老旧小区管线迁改", "征地补偿款未到位"}
    # The department sees only the problem it handles, though it is responsible for project A.
    assert _titles(client, cast.department_user) == {"用地预审未批复"}
    # The owner sees its own projects' problems.
    assert _titles(client, cast.owner) == {"用地预审未批复", "征地补偿款未到位"}
    assert _titles(client, cast.owner_b_user) == {"老旧小区管线迁改"}
    assert _titles(client, cast.district) == {"用地预审未批复", "征地补偿款未到位"}
    assert _titles(client, cast.outsider) == set()


def test_it_lets_the_department_see_a_problem_once_it_co_handles_it(cast, client, problems):
    services.problem_add_co_unit(problem=problems[2], by=cast.staff, unit=cast.department)
    assert _titles(client, cast.department_user) == {"用地预审未批复", "征地补偿款未到位"}


def test_it_scopes_the_export_and_the_statistics_like_the_ledger(cast, client, problems):
    client.force_login(cast.department_user)
    book = load_workbook(io.BytesIO(client.get("/problems/export.xlsx").content))
    titles = [row[4] for row in book.active.iter_rows(min_row=4, values_only=True) if row[0]]
    assert titles == ["用地预审未批复"]
    stats = client.get("/problems/stats/").context["stats"]
    assert stats["total"].total == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=land", {"征地补偿款未到位"}),
        ("state=open", {"用地预审未批复", "老旧小区管线迁改", "征地补偿款未到位"}),
        ("state=closed", set()),
        ("level=2", {"老旧小区管线迁改"}),
        ("unit={district_b}", {"老旧小区管线迁改"}),
        ("district={district_a}", {"用地预审未批复", "征地补偿款未到位"}),
        ("project={project_b}", {"老旧小区管线迁改"}),
        ("q=管线", {"老旧小区管线迁改"}),
        ("overdue=on", set()),
    ],
)
def test_it_filters_the_ledger(cast, client, problems, query, expected):
    services.problem_escalate(problem=problems[1], by=cast.staff, reason="需重点办协调")
    query = query.format(
        district_a=cast.district_a.pk, district_b=cast.district_b.pk, project_b=cast.project_b.pk
    )
    assert _titles(client, cast.staff, f"/problems/?{query}") == expected


def test_it_exports_the_ledger_in_the_office_layout(cast, client, problems):
    a = problems[0]
    services.problem_assign(
        problem=a, by=cast.staff, lead_unit=cast.department, co_units=[cast.other_department]
    )
    services.problem_progress(problem=a, by=cast.department_user, note="已会同自然资源局现场踏勘。")
    client.force_login(cast.staff)
    response = client.get("/problems/export.xlsx?category=approval")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "重点项目问题协调台账"
    header = [c.value for c in ws[3]]
    assert header[:13] == [
        "序号",
        "项目名称",
        "所在城区",
        "问题类别",
        "问题概述",
        "问题描述",
        "牵头单位",
        "协办单位",
        "当前层级",
        "办理时限",
        "时限情况",
        "状态",
        "办理情况",
    ]
    row = [c.value for c in ws[4]]
    assert row[1] == cast.project_a.name
    assert row[6:13] == [
        "市发展和改革委员会",
        "市生态环境局",
        "1. 责任单位办理",
        "2026-11-09",
        "剩余 5 个工作日",
        "办理中",
        "已会同自然资源局现场踏勘。",
    ]
    assert ws.cell(row=5, column=2).value == "合计：1 个"


def test_it_keeps_text_that_looks_like_a_formula_as_text(cast, client):
    raise_problem(cast, title='=HYPERLINK("http://x")')
    client.force_login(cast.staff)
    ws = load_workbook(io.BytesIO(client.get("/problems/export.xlsx").content)).active
    assert ws["E4"].data_type == "s"


def _many(cast, n):
    from keyprojects.coordination.models import Problem as P

    today = timezone.localdate()
    rows = [
        P(
            project=cast.project_a if i % 2 else cast.project_b,
            category=P.Category.values[i % 6],
            title=f"批量问题{i}",
            description="描述",
            source=P.Source.OFFICE,
            raised_by=cast.staff,
            raised_by_org=cast.office,
            lead_unit=cast.department if i % 3 else cast.district_a,
            level=1 + i % 4,
            level_since=today,
            level_deadline=today - dt.timedelta(days=i % 9),
            status=P.Status.values[i % 4],
        )
        for i in range(n)
    ]
    created = P.objects.bulk_create(rows)
    P.co_units.through.objects.bulk_create(
        [P.co_units.through(problem_id=p.pk, organisation_id=cast.other_department.pk) for p in created]
    )


@pytest.mark.parametrize("user", ["staff", "department_user", "owner"])
def test_it_shows_the_ledger_in_a_fixed_number_of_queries(cast, client, django_assert_num_queries, user):
    client.force_login(getattr(cast, user))
    _many(cast, 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the filter choices cold, as on the first load: the worst case, the same for both
    with CaptureQueriesContext(connection) as small:
        assert client.get("/problems/?sort=deadline").status_code == 200
    _many(cast, 200)
    cache.clear()
    with django_assert_num_queries(len(small)):
        response = client.get("/problems/?sort=deadline")
    assert response.status_code == 200
    # 15 cold: with the 超时 / 待交办超时 counts above the table (one count each, on their indexes) and
    # the calendar's official years (暂定 marks).
    assert len(small) <= 15
    # Warm, the units, districts and levels come from the cache; the table alone (htmx) skips the counts.
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/problems/?sort=deadline").status_code == 200
    with CaptureQueriesContext(connection) as table:
        assert client.get("/problems/?sort=deadline", headers={"HX-Request": "true"}).status_code == 200
    assert len(warm) <= len(small) - 3 and len(table) <= len(warm) - 2


def test_it_shows_statistics_with_rates_the_median_and_chart_data(cast, client, problems):
    a, b, c = problems
    with time_machine.travel(TODAY + dt.timedelta(days=3), tick=False):
        services.problem_resolve(problem=a, by=cast.department_user, note="已批复。")
        services.problem_confirm(problem=a, by=cast.owner)
    with time_machine.travel(TODAY + dt.timedelta(days=9), tick=False):
        services.problem_resolve(problem=b, by=cast.district_b_user, note="已迁改。")
        services.problem_confirm(problem=b, by=cast.staff)
    client.force_login(cast.staff)
    response = client.get("/problems/stats/")
    stats = response.context["stats"]
    assert (stats["total"].total, stats["total"].closed, stats["total"].rate) == (3, 2, 66.7)
    assert stats["median_days"] == 6.0  # 3 and 9 days
    land = next(r for r in stats["categories"] if r.key == "land")
    assert (land.total, land.open, land.rate) == (1, 1, 0.0)
    html = response.content.decode()
    assert 'id="problem-stats-data"' in html and "category-chart" in html


def test_it_raises_a_problem_from_the_project_page_with_a_file(cast, client):
    client.force_login(cast.owner)
    page = client.get(f"/projects/{cast.project_a.pk}/").content.decode()
    assert f"/problems/new/project/{cast.project_a.pk}/" in page
    form = client.get(f"/problems/new/project/{cast.project_a.pk}/")
    assert form.context["form"]["lead_unit"].value() == cast.department.pk
    response = client.post(
        f"/problems/new/project/{cast.project_a.pk}/",
        {
            "category": "approval",
            "title": "施工许可办理受阻",
            "description": "消防审查意见未出具。",
            "lead_unit": cast.department.pk,
            "files": [pdf("消防意见.pdf")],
        },
    )
    problem = Problem.objects.get(title="施工许可办理受阻")
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    attachment = problem.attachments.get()
    download = client.get(f"/problems/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
    client.force_login(cast.owner_b_user)
    assert client.get(f"/problems/attachments/{attachment.pk}/").status_code == 404


def test_it_refuses_a_problem_without_a_lead_unit_in_chinese(cast, client):
    client.force_login(cast.owner)
    response = client.post(
        f"/problems/new/project/{cast.project_a.pk}/",
        {"category": "approval", "title": "施工许可办理受阻", "description": "消防审查意见未出具。"},
    )
    assert response.status_code == 200
    assert "请选择牵头单位。" in response.content.decode()
    assert not Problem.objects.exists()


def test_it_refuses_a_past_deadline_on_the_form(cast, client):
    client.force_login(cast.owner)
    response = client.post(
        f"/problems/new/project/{cast.project_a.pk}/",
        {
            "category": "approval",
            "title": "施工许可办理受阻",
            "description": "消防审查意见未出具。",
            "lead_unit": cast.department.pk,
            "deadline": "2026-10-30",
        },
    )
    assert "已经过去" in response.content.decode()
    assert not Problem.objects.exists()


def test_it_raises_a_problem_from_a_monthly_reports_problems_met(cast, client):
    world = plans_cast(cast)
    report = MonthlyReport.objects.create(
        entry=world.entry_a,
        month=9,
        amount=10_000,
        problems="盾构始发井征拆滞后\n涉及 12 户未签约。",
        status=MonthlyReport.Status.SUBMITTED,
        submitted_by=cast.owner,
        submitted_at=timezone.now(),
    )
    client.force_login(cast.owner)
    assert f"/problems/new/report/{report.pk}/" in client.get(f"/plans/reports/{report.pk}/").content.decode()
    form = client.get(f"/problems/new/report/{report.pk}/").context["form"]
    assert form["title"].value() == "盾构始发井征拆滞后"
    assert "涉及 12 户未签约" in form["description"].value()
    client.post(
        f"/problems/new/report/{report.pk}/",
        {
            "category": "land",
            "title": form["title"].value(),
            "description": form["description"].value(),
            "lead_unit": cast.district_a.pk,
        },
    )
    problem = Problem.objects.get()
    assert (problem.source, problem.source_report) == (Problem.Source.REPORT, report)


def test_it_shows_each_person_the_forms_of_their_rights(cast, client, problems):
    a = problems[0]
    url = a.get_absolute_url()
    expected = {
        "staff": {"assign", "co-unit", "level", "handle"},
        "department_user": {"handle"},
        "owner": set(),
        "leader": {"instruct"},
        "district": set(),
    }
    for name, sections in expected.items():
        client.force_login(getattr(cast, name))
        html = client.get(url).content.decode()
        shown = {
            s for s in ("assign", "co-unit", "level", "handle", "instruct", "confirm") if f'id="{s}"' in html
        }
        assert shown == sections, name


def test_it_walks_a_problem_through_the_pages_to_closed(cast, client, problems):
    a = problems[0]
    client.force_login(cast.staff)
    client.post(
        f"/problems/{a.pk}/assign/",
        {"version": a.version, "lead_unit": cast.department.pk, "co_units": [cast.district_a.pk]},
    )
    a.refresh_from_db()
    assert a.status == Problem.Status.HANDLING
    client.post(f"/problems/{a.pk}/escalate/", {"level-version": a.version, "level-reason": "涉及多个部门"})
    a.refresh_from_db()
    assert a.level == 2

    client.force_login(cast.leader)
    client.post(
        f"/problems/{a.pk}/instruct/",
        {"text": "请青秀区全力配合。", "reply_unit": cast.district_a.pk, "reply_deadline": "2026-11-06"},
    )
    instruction = a.instructions.get()

    client.force_login(cast.district)
    client.post(f"/problems/instructions/{instruction.pk}/reply/", {f"r{instruction.pk}-text": "已落实。"})
    instruction.refresh_from_db()
    assert instruction.reply == "已落实。"

    client.force_login(cast.department_user)
    response = client.post(
        f"/problems/{a.pk}/resolve/",
        {"resolve-version": a.version, "resolve-note": "已批复。", "resolve-files": [pdf()]},
    )
    assert response.status_code == 302
    client.force_login(cast.owner)
    a.refresh_from_db()
    client.post(f"/problems/{a.pk}/confirm/", {"confirm-version": a.version})
    a.refresh_from_db()
    assert a.status == Problem.Status.CLOSED
    html = client.get(a.get_absolute_url()).content.decode()
    assert "已销号" in html and "已落实。" in html and "批复.pdf" in html


def test_it_keeps_the_input_and_says_so_when_someone_else_changed_the_problem(cast, client, problems):
    a = problems[0]
    seen = a.version
    services.problem_escalate(problem=a, by=cast.admin, reason="先行提级")
    client.force_login(cast.staff)
    response = client.post(f"/problems/{a.pk}/escalate/", {"level-version": seen, "level-reason": "我的理由"})
    html = response.content.decode()
    assert "其他人已修改" in html and "我的理由" in html
    a.refresh_from_db()
    assert a.level == 2


def test_it_refuses_escalation_beyond_the_top_on_the_page_in_chinese(cast, client, problems):
    a = problems[0]
    for _n in range(3):
        services.problem_escalate(problem=a, by=cast.staff, reason="提级")
    client.force_login(cast.staff)
    response = client.post(
        f"/problems/{a.pk}/escalate/", {"level-version": a.version, "level-reason": "再提"}
    )
    assert "已在最高层级" in response.content.decode()
    assert a.actions.filter(kind=ProblemAction.Kind.ESCALATE).count() == 3


def test_it_lists_a_leaders_instructions_and_the_replies(cast, client, problems):
    a, b, _c = problems
    for problem, unit in ((a, cast.department), (b, cast.district_b)):
        services.instruction_create(
            problem=problem,
            leader=cast.leader,
            text=f"请抓紧办理{problem.pk}",
            reply_unit=unit,
            reply_deadline=dt.date(2026, 11, 6),
        )
    services.instruction_reply(instruction=a.instructions.get(), by=cast.department_user, text="已办理完毕")
    client.force_login(cast.leader)
    html = client.get("/problems/instructions/").content.decode()
    assert f"请抓紧办理{a.pk}" in html and f"请抓紧办理{b.pk}" in html and "已办理完毕" in html
    waiting = client.get("/problems/instructions/?waiting=1").content.decode()
    assert f"请抓紧办理{a.pk}" not in waiting and f"请抓紧办理{b.pk}" in waiting
    client.force_login(cast.department_user)
    html = client.get("/problems/instructions/").content.decode()
    assert f"请抓紧办理{a.pk}" in html and f"请抓紧办理{b.pk}" not in html


def test_it_lets_the_office_change_a_levels_time_limit(cast, client):
    from keyprojects.coordination.models import EscalationLevel

    level = EscalationLevel.objects.get(level=2)
    client.force_login(cast.staff)
    response = client.post(
        "/problems/levels/",
        {"level": level.pk, f"l{level.pk}-name": "市重点办协调", f"l{level.pk}-deadline_workdays": 3},
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.deadline_workdays == 3
    response = client.post(
        "/problems/levels/",
        {"level": level.pk, f"l{level.pk}-name": "市重点办协调", f"l{level.pk}-deadline_workdays": ""},
    )
    assert "只有最高层级可以不设办理时限" in response.content.decode()


def test_it_lets_the_office_set_its_assignment_limit_beside_the_ladder(cast, client):
    from keyprojects.audit.models import AuditEntry
    from keyprojects.coordination.models import EscalationSetting

    client.force_login(cast.staff)
    page = client.get("/problems/levels/").content.decode()
    assert 'id="assign-limit"' in page and 'value="3"' in page  # the default, three working days
    response = client.post("/problems/levels/", {"s-assign_workdays": 5})
    assert response.status_code == 302
    assert EscalationSetting.objects.get().assign_workdays == 5
    assert AuditEntry.objects.filter(model="coordination.EscalationSetting").exists()
    # A problem raised now waits five working days (3, 4, 5, 6, 9 November) before it is late.
    problem = raise_problem(cast)
    assert problem.assign_deadline == dt.date(2026, 11, 9)
    response = client.post("/problems/levels/", {"s-assign_workdays": 0})
    assert response.status_code == 200
    assert EscalationSetting.objects.get().assign_workdays == 5


def test_it_counts_the_problems_past_their_limits_above_the_ledger(cast, client, problems):
    a, b, c = problems
    services.problem_assign(problem=a, by=cast.staff, lead_unit=cast.department)
    with time_machine.travel(dt.datetime(2026, 11, 10, 10), tick=False):
        client.force_login(cast.staff)  # that day: a session ends after 12 hours
        response = client.get("/problems/")
        waiting = client.get("/problems/?assign_overdue=on").content.decode()
        overdue = client.get("/problems/?overdue=on").content.decode()
    # A (assigned 2 November, five working days) is 超时; B and C, never assigned, are 待交办超时.
    assert response.context["counts"] == {"overdue": 1, "assign_overdue": 2}
    html = response.content.decode()
    assert "超时 1 个" in html and "待交办超时 2 个" in html
    assert a.title in overdue and b.title not in overdue
    assert a.title not in waiting and b.title in waiting and c.title in waiting


def test_it_does_not_name_a_project_outside_the_users_scope_in_the_filter(cast, client, problems):
    client.force_login(cast.owner)
    html = client.get(f"/problems/?project={cast.project_b.pk}").content.decode()
    assert cast.project_b.name not in html


def test_the_ledger_shows_each_clock_its_units_and_marks_deadlines_in_unscheduled_years(
    cast, client, problems
):
    import re

    a, b, c = problems
    services.problem_assign(
        problem=a, by=cast.staff, lead_unit=cast.department, co_units=[cast.other_department, cast.district_b]
    )
    services.problem_assign(problem=c, by=cast.staff, lead_unit=cast.department, co_units=[])
    Problem.objects.filter(pk=a.pk).update(level_deadline=dt.date(2026, 10, 30))  # the Friday before
    Problem.objects.filter(pk=c.pk).update(level_deadline=dt.date(2099, 1, 5))  # no schedule for 2099
    client.force_login(cast.staff)
    html = client.get("/problems/").content.decode()

    def row(problem):
        return re.search(rf'<tr id="problem-{problem.pk}"(.*?)</tr>', html, re.S).group(1)

    assert 'class="table-danger"' in row(a)
    assert "2026-10-30" in row(a) and "逾期 1 个工作日" in row(a) and "暂定" not in row(a)
    assert "2099-01-05" in row(c) and "剩余" in row(c) and "kp-provisional" in row(c)
    # The co-handling units in the organisations' own order (by kind, then name) and the lead unit.
    co = f"{cast.other_department.label}、{cast.district_b.label}"
    assert co in row(a) and cast.department.label in row(a)
    assert "待交办" in row(b) and "kp-provisional" not in row(b)


def test_sorting_by_deadline_puts_the_nearest_clock_first_and_finished_problems_last(cast, client, problems):
    import re

    a, b, c = problems
    services.problem_assign(problem=a, by=cast.staff, lead_unit=cast.department, co_units=[])
    services.problem_assign(problem=c, by=cast.staff, lead_unit=cast.district_a, co_units=[])
    # C was closed long ago: its old level deadline is the earliest date of all, but it has no clock.
    Problem.objects.filter(pk=c.pk).update(status=Problem.Status.CLOSED, level_deadline=dt.date(2026, 1, 5))
    Problem.objects.filter(pk=a.pk).update(level_deadline=dt.date(2026, 11, 20))
    Problem.objects.filter(pk=b.pk).update(assign_deadline=dt.date(2026, 11, 4))  # still 待交办
    client.force_login(cast.staff)

    def order(url):
        return [int(x) for x in re.findall(r'<tr id="problem-(\d+)"', client.get(url).content.decode())]

    assert order("/problems/?sort=deadline") == [b.pk, a.pk, c.pk]
    # Only problems in hand: their level deadlines, nearest first.
    in_hand = {"status": Problem.Status.HANDLING, "level_deadline": dt.date(2026, 12, 1)}
    Problem.objects.filter(pk=b.pk).update(**in_hand)
    assert order("/problems/?sort=deadline&state=handling") == [a.pk, b.pk]
