"""The project registry as people use it, in a real browser (Chromium, zh-CN)."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from keyprojects.orgs.models import Organisation
from keyprojects.projects import services
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Sector, Stage
from keyprojects.test import make_project

pytestmark = pytest.mark.e2e

DETAIL_URL = re.compile(r"/projects/\d+/$")


def test_owner_sees_only_own_project(page, login, cast):
    login(cast.owner)
    expect(page.locator("nav")).to_contain_text("南宁轨道交通集团有限责任公司")

    page.get_by_role("link", name="项目库").click()
    table = page.locator("#projects")
    expect(table.get_by_role("link", name=cast.project_a.name)).to_be_visible()
    expect(table).not_to_contain_text(cast.project_b.name)
    expect(page.locator("#project-table")).to_contain_text("共 1 个项目")
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"

    response = page.goto(f"/projects/{cast.project_b.pk}/")
    assert response.status == 404
    response = page.goto(f"/projects/{cast.project_a.pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.project_a.name)


def test_staff_creates_project_and_moves_it_to_construction(page, login, cast):
    login(cast.staff)
    page.goto("/projects/")
    page.get_by_role("link", name="新建项目").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建项目")

    page.get_by_label("项目名称").fill("南宁市邕江综合整治和开发利用工程（二期）")
    page.get_by_label("项目业主").select_option(label="南宁轨道交通集团有限责任公司")
    page.get_by_label("所在城区").select_option(label="青秀区")
    page.get_by_label("行业领域").select_option(label="基础设施")
    page.get_by_label("总投资（万元）").fill("123456.78")
    page.get_by_label("建设起始年").fill("2025")
    page.get_by_label("建设截止年").fill("2028")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(DETAIL_URL)
    expect(page.get_by_role("alert")).to_contain_text("已入库")
    expect(page.get_by_role("heading", level=1)).to_have_text("南宁市邕江综合整治和开发利用工程（二期）")
    expect(page.locator("#overview")).to_contain_text("123,456.78 万元")
    expect(page.locator("#overview")).to_contain_text("亿元以上")
    expect(page.locator(".kp-stagebar .step.current")).to_have_text("谋划储备")
    detail_url = page.url

    # 谋划储备 → 前期, on today's date as the form proposes (an <input type=date> shows only ISO dates).
    page.get_by_role("link", name="变更阶段").click()
    expect(page.get_by_label("变更日期")).to_have_value(timezone.localdate().isoformat())
    page.get_by_label("转为阶段").select_option(label="前期")
    page.get_by_role("button", name="确认变更").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("alert")).to_contain_text("项目已转为“前期”")

    # 前期 → 在建 without the actual start date is refused, in Chinese, on the form.
    page.get_by_role("link", name="变更阶段").click()
    page.get_by_label("转为阶段").select_option(label="在建")
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("必须填写实际开工日期")
    expect(page.get_by_label("实际开工日期")).to_have_class(re.compile(r"\bis-invalid\b"))

    started = timezone.localdate() - dt.timedelta(days=3)
    page.get_by_label("实际开工日期").fill(started.isoformat())
    page.get_by_label("说明").fill("主体工程开工")
    page.get_by_role("button", name="确认变更").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("alert")).to_contain_text("项目已转为“在建”")

    moves = page.locator("#timeline > li")
    expect(moves).to_have_count(3)
    expect(moves.nth(0)).to_contain_text("谋划储备")
    expect(moves.nth(0)).to_contain_text("项目入库")
    expect(moves.nth(1)).to_contain_text("谋划储备 → 前期")
    expect(moves.nth(2)).to_contain_text("前期 → 在建")
    expect(moves.nth(2)).to_contain_text("主体工程开工")
    expect(page.locator(".kp-stagebar .step.current")).to_have_text("在建")
    expect(page.locator(".kp-stagebar .step.done")).to_have_text(["谋划储备", "前期"])
    expect(page.locator("#overview")).to_contain_text(started.isoformat())

    project = Project.objects.get(name="南宁市邕江综合整治和开发利用工程（二期）")
    assert (project.stage, project.start_date, project.total_investment) == (
        Stage.CONSTRUCTION,
        started,
        1_234_567_800,
    )


def _search(page, text):
    """Type TEXT into the filter box and wait for htmx's answer to exactly that query."""
    box = page.locator("#id_q")
    box.fill("")
    with page.expect_response(lambda r: parse_qs(urlsplit(r.url).query).get("q") == [text]) as answer:
        if text.isascii():
            box.press_sequentially(text, delay=30)
        else:
            # Chinese arrives through an input method: the text is committed, then a key is released.
            box.fill(text)
            box.press("End")
    assert answer.value.request.headers.get("hx-request") == "true"


def test_search_by_pinyin_initials_and_traditional_characters(page, login, cast):
    login(cast.staff)
    page.goto("/projects/")
    table = page.locator("#project-table")
    expect(table).to_contain_text(cast.project_b.name)

    _search(page, "nnsgd")
    expect(table).not_to_contain_text(cast.project_b.name)
    expect(table.get_by_role("link", name=cast.project_a.name)).to_be_visible()
    expect(table).to_contain_text("共 1 个项目")
    expect(page).to_have_url(re.compile(r"[?&]q=nnsgd(&|$)"))  # hx-push-url keeps the search in the address

    _search(page, "xxt")
    expect(table.get_by_role("link", name=cast.project_b.name)).to_be_visible()
    expect(table).not_to_contain_text(cast.project_a.name)

    _search(page, "南寧")
    expect(table.get_by_role("link", name=cast.project_a.name)).to_be_visible()
    expect(table).not_to_contain_text(cast.project_b.name)
    # The export link follows the filter (out-of-band swap), so Excel gets what the table shows.
    expect(page.locator("#export-link")).to_have_attribute("href", re.compile(r"q=%E5%8D%97%E5%AF%A7"))


NAMES = [
    ("南宁吴圩国际机场T3航站楼及配套工程", 1_580_000),
    ("南宁至玉林城际铁路南宁段", 980_000),
    ("五象新区总部基地二期", 650_000),
    ("邕江南岸滨江公园提升工程", 86_500),
    ("南宁市第一人民医院五象院区", 320_000),
    ("广西大学新校区建设项目", 450_000),
    ("那考河流域治理二期（PPP）", 102_300),
    ("南宁国际会展中心改扩建工程", 210_000),
    ("良庆区大塘镇乡村振兴示范带", 12_800),
    ("兴宁区三塘镇保障性租赁住房", 45_600),
    ("江南区沙井物流园一期", 78_000),
    ("邕宁区蒲庙古镇保护利用工程", Decimal("23450.5")),
    ("南宁东站综合交通枢纽配套道路", 56_000),
    ("青秀山风景区提质改造", 34_000),
    ("中国—东盟信息港南宁核心基地", 260_000),
    ("南宁市城市更新示范片区（民族大道段）", 150_000),
    ("西乡塘区心圩江环境综合整治", 66_000),
    ("南宁六景工业园区标准厂房", 38_900),
    ("南宁市中心城区排水防涝工程", 120_000),
    ("广西体育中心二期", 175_000),
    ("南宁市第三水厂扩建工程", 48_000),
    ("南宁经开区新能源汽车零部件产业园", 300_000),
    ("邕江大桥维修加固工程", 9_800),
    ("南宁市殡仪馆迁建项目", 27_000),
    ("仙葫经济开发区智能制造基地", 88_000),
]


@pytest.fixture
def registry(cast):
    """The cast plus 25 more projects across districts, sectors and stages, and a history on project_a."""
    districts = [cast.district_a, cast.district_b] + [
        Organisation.objects.create(kind=Organisation.Kind.DISTRICT, name=n)
        for n in ("兴宁区", "江南区", "良庆区")
    ]
    owners = [
        cast.owner_a,
        cast.owner_b,
        Organisation.objects.create(
            kind=Organisation.Kind.OWNER, name="南宁城市建设投资集团有限责任公司", short_name="南宁城投"
        ),
    ]
    sectors = [cast.sector] + [
        Sector.objects.get_or_create(name=n, defaults={"sort": i})[0]
        for i, n in enumerate(["产业", "社会民生", "生态环保"])
    ]
    stages = [Stage.CONSTRUCTION, Stage.PRELIMINARY, Stage.RESERVE, Stage.CONSTRUCTION, Stage.COMPLETED]
    for i, (name, wan) in enumerate(NAMES):
        make_project(
            name=name,
            owner=owners[i % 3],
            district=districts[i % 5],
            sector=sectors[i % 4],
            total_wan=wan,
            stage=stages[i % 5],
            start_year=2023 + i % 3,
            end_year=2026 + i % 4,
            code=f"25{i % 12 + 1:02d}-450100-04-01-{637100 + i}" if i % 4 else None,
            leader=cast.leader if i % 6 == 0 else None,
        )

    project, today = cast.project_a, timezone.localdate()
    project.location = "南宁市青秀区、江南区"
    project.content = "线路全长约 8.6 公里，设车站 6 座，全部为地下站。\n同步建设车辆段 1 处。"
    project.contact, project.phone = "李工", "0771-5550123"
    project.save()
    for to_stage, days, note in [
        (Stage.PRELIMINARY, 400, "纳入年度计划"),
        (Stage.CONSTRUCTION, 120, "项目开工建设"),
    ]:
        services.project_change_stage(
            project=project,
            to_stage=to_stage,
            on=today - dt.timedelta(days=days),
            by=cast.staff,
            note=note,
            start_date=today - dt.timedelta(days=days) if to_stage == Stage.CONSTRUCTION else None,
        )
    for kind, days, doc in [
        (PrelimItem.Kind.APPROVAL, 390, "南发改审批〔2024〕112号"),
        (PrelimItem.Kind.FEASIBILITY, 300, "桂发改交通〔2024〕865号"),
        (PrelimItem.Kind.CONSTRUCTION_PERMIT, 130, "450103202500012"),
    ]:
        PrelimItem.objects.create(
            project=project,
            kind=kind,
            actual_date=today - dt.timedelta(days=days),
            planned_date=today - dt.timedelta(days=days + 20),
            document_no=doc,
        )
    FactorNeed.objects.create(
        project=project,
        kind=FactorNeed.Kind.FUNDS,
        fund_source=FactorNeed.FundSource.SPECIAL_BOND,
        need_yuan=120_000 * 10_000,
        secured_yuan=80_000 * 10_000,
    )
    FactorNeed.objects.create(
        project=project,
        kind=FactorNeed.Kind.LAND,
        need_quantity=Decimal("356.5"),
        secured_quantity=Decimal("300"),
    )
    return cast


def test_screenshots_of_list_and_detail(page, login, registry, artifacts):
    login(registry.staff)
    expect(page.locator("#chart-stages canvas")).to_have_count(1)  # echarts drew the dashboard
    page.screenshot(path=artifacts / "home.png", full_page=True)

    page.goto("/projects/")
    expect(page.locator("#project-table")).to_contain_text("共 27 个项目")
    expect(page.locator("#projects tbody tr")).to_have_count(20)
    expect(page.locator(".pagination")).to_contain_text("下一页")
    page.screenshot(path=artifacts / "project_list.png", full_page=True)

    page.get_by_role("link", name=registry.project_a.name).click()
    expect(page.locator(".kp-stagebar .step.current")).to_have_text("在建")
    expect(page.locator("#timeline > li")).to_have_count(2)
    page.screenshot(path=artifacts / "project_detail.png", full_page=True)
