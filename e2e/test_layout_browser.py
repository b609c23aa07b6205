"""The interface holds in English and on the big screen, in a real browser: no main page scrolls sideways
at 1366 or 1440 pixels with English selected, the charts speak English, the meeting-room screen fits
1920×1080 with every figure on one line and its stage chips readable, and the project page shows each of
its sections."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from keyprojects.dashboard.tests.project_world import project_world

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u4e00-\u9fff]")
WIDTHS = (1366, 1440)
PAGES = [
    "/",
    "/cockpit/?year=2026&month=3",
    "/projects/",
    "/projects/{a}/",
    "/plans/?year=2026",
    "/plans/reports/",
    "/plans/reports/review/",
    "/plans/completion/?year=2026&month=3",
    "/tasks/",
    "/warnings/",
    "/problems/",
    "/problems/stats/",
    "/land/",
    "/inbox/",
    "/problems/meetings/",
]
SECTIONS = [
    "lifecycle",
    "plan",
    "months",
    "project-warnings",
    "project-tasks",
    "project-problems",
    "project-land",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=True):
        yield


@pytest.fixture(autouse=True)
def _warm(page):
    """The live server's first answer imports every view module; on a busy machine that takes longer
    than the navigation limit the assertions keep."""
    page.goto("/login/", timeout=60_000)


@pytest.fixture
def world(cast):
    return project_world(cast)


def _in_english(page):
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="中文")).to_be_visible()


def _sideways(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _chart_option(page, chart_id):
    """The chart's option once it is drawn (after a reload the script may not have run yet)."""
    return page.wait_for_function(
        "(id) => window.echarts && echarts.getInstanceByDom(document.getElementById(id))?.getOption()",
        arg=chart_id,
    ).json_value()


def test_no_main_page_scrolls_sideways_in_english_at_1366_and_1440(page, login, world, artifacts):
    login(world.admin)  # the office's administrator has the longest menu
    _in_english(page)
    wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in PAGES:
            response = page.goto(url.format(a=world.project_a.pk))
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
            if _sideways(page) > 0:
                wide.append((width, url, _sideways(page)))
            if width == 1366 and url in ("/cockpit/?year=2026&month=3", "/warnings/", "/problems/"):
                name = url.strip("/").split("/")[0].split("?")[0]
                page.screenshot(path=artifacts / f"layout-en-1366-{name}.png", full_page=True)
    assert not wide, wide


def test_the_charts_speak_english(page, login, world):
    login(world.staff)
    _in_english(page)
    page.goto("/cockpit/?year=2026&month=3")
    expect(page.locator("#chart-problems canvas").first).to_be_visible()

    words = []
    for chart in ("chart-curve", "chart-sectors", "chart-categories", "chart-funnel", "chart-problems"):
        option = _chart_option(page, chart)
        words += [s.get("name") or "" for s in option["series"]]
        words += [d["name"] for s in option["series"] for d in s.get("data") or [] if isinstance(d, dict)]
        words += [c for axis in option.get("yAxis", []) for c in axis.get("data") or []]
        words += [c for axis in option.get("xAxis", []) for c in axis.get("data") or []]
    # District names are names: the only Chinese a chart may keep. None is on these five charts.
    assert words and not [w for w in words if CJK.search(str(w))], words
    assert "Responsible unit" in words and "Infrastructure" in words


def test_the_big_screen_fits_1920_by_1080_with_every_figure_on_one_line(page, login, world, artifacts):
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(world.leader)
    for language in ("zh-hans", "en"):
        if language == "en":
            page.goto("/cockpit/?year=2026&month=3")
            _in_english(page)
        page.goto("/cockpit/screen/?year=2026&month=3")
        expect(page.locator("#chart-districts canvas").first).to_be_visible()
        fit = page.evaluate(
            """() => ({
                sideways: document.documentElement.scrollWidth - window.innerWidth,
                downwards: document.documentElement.scrollHeight - window.innerHeight,
            })"""
        )
        assert fit == {"sideways": 0, "downwards": 0}, (language, fit)
        wrapped = page.evaluate(
            """() => [...document.querySelectorAll('.kp-card-figure, .kp-chip b, .kp-mini-table .num')]
                .filter((el) => {
                    const line = parseFloat(getComputedStyle(el).lineHeight);
                    return el.getBoundingClientRect().height > 1.5 * line;
                })
                .map((el) => el.textContent.trim())"""
        )
        assert not wrapped, (language, wrapped)
        page.screenshot(path=artifacts / f"layout-screen-1920-{language}.png")

    contrast = page.evaluate(
        """() => {
            const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
            const lum = ([r, g, b]) => {
                const c = [r, g, b].map((v) => {
                    v /= 255;
                    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                });
                return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
            };
            return [...document.querySelectorAll('#stage-counts .kp-chip')].map((chip) => {
                const style = getComputedStyle(chip);
                const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
                return (a + 0.05) / (b + 0.05);
            });
        }"""
    )
    assert contrast and min(contrast) >= 4.5, contrast


def test_the_project_page_shows_each_section_and_draws_this_years_months(page, login, world, artifacts):
    login(world.staff)
    page.goto(f"/projects/{world.project_a.pk}/")
    for section in SECTIONS:
        expect(page.locator(f"#{section}")).to_be_visible()
    expect(page.locator("#plan-chart canvas").first).to_be_visible()
    option = _chart_option(page, "plan-chart")
    assert [s["name"] for s in option["series"]] == ["当月完成", "累计完成", "计划累计"]
    expect(page.locator("#months tbody tr")).to_have_count(12)
    expect(page.locator("#project-tasks")).to_contain_text("取得施工许可")
    expect(page.locator("#project-warnings [data-level]")).to_have_count(2)
    page.screenshot(path=artifacts / "layout-project-page.png", full_page=True)

    page.locator("#project-problems-link").click()
    page.wait_for_url(f"**/problems/?project={world.project_a.pk}", wait_until="domcontentloaded")
    expect(page.locator("h1")).to_contain_text(world.project_a.name)

    page.goto(f"/projects/{world.project_a.pk}/")
    _in_english(page)
    assert _sideways(page) == 0
    option = _chart_option(page, "plan-chart")
    assert [s["name"] for s in option["series"]] == ["This month", "Completed to date", "Planned to date"]
    page.screenshot(path=artifacts / "layout-project-page-en.png", full_page=True)
