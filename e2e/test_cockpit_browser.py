"""The cockpit and the project map in a real browser: every chart drawn for a leader and for a district
user, a click on a district's bar opening that district's projects, and the map's points opening theirs."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.dashboard.tests.matrix import SQUARE
from keyprojects.dashboard.tests.world import cockpit_world

pytestmark = pytest.mark.e2e

CHARTS = [
    "chart-curve",
    "chart-districts",
    "chart-sectors",
    "chart-categories",
    "chart-funnel",
    "chart-problems",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=True):
        yield


@pytest.fixture(autouse=True)
def _warm(page):
    """The live server's first answer imports every view module: on a busy machine that takes longer
    than the 5-second navigation limit the assertions keep."""
    page.goto("/login/", timeout=60_000)


@pytest.fixture
def world(cast):
    world = cockpit_world(cast)
    DistrictBoundary.objects.create(organisation=world.district_a, geojson=SQUARE, vertices=5)
    return world


def _drawn(page, chart_id):
    """How many data items the ECharts instance in #CHART_ID holds (0 when nothing is drawn)."""
    return page.evaluate(
        """(id) => {
            const chart = echarts.getInstanceByDom(document.getElementById(id));
            if (!chart) return 0;
            return chart.getOption().series.reduce((n, s) => n + (s.data || []).length, 0);
        }""",
        chart_id,
    )


def _expect_all_charts(page):
    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas").first).to_be_visible()
        assert _drawn(page, chart) > 0, f"{chart} draws nothing"


def _click_bar(page, chart_id, index):
    """Click the INDEXth bar of the first series of the chart, where ECharts draws it."""
    x, y = page.evaluate(
        """([id, index]) => {
            const chart = echarts.getInstanceByDom(document.getElementById(id));
            const value = chart.getOption().series[0].data[index].value;
            return chart.convertToPixel({ seriesIndex: 0 }, [value / 2, index]);
        }""",
        [chart_id, index],
    )
    box = page.locator(f"#{chart_id}").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_a_leader_sees_every_chart_and_a_districts_bar_opens_its_projects(page, login, world, artifacts):
    login(world.leader)
    page.goto("/cockpit/?year=2026&month=3")
    expect(page.locator("#headline")).to_contain_text("1-3月累计完成投资0.40亿元")
    _expect_all_charts(page)
    page.screenshot(path=artifacts / "cockpit-leader.png", full_page=True)
    # Each bar is labelled with its rate as the tables print it: "20.0%", not "20%".
    labels = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("chart-districts"));
            const series = chart.getOption().series[0];
            return series.data.map((d, i) => series.label.formatter({ dataIndex: i, value: d.value }));
        }"""
    )
    assert labels[0] == "20.0%", labels
    # Districts are ranked: 西乡塘区 (20.0%) first. Its bar opens the year's list for that district.
    _click_bar(page, "chart-districts", 0)
    page.wait_for_url(f"**/plans/?year=2026&district={world.district_b.pk}", wait_until="domcontentloaded")
    expect(page.get_by_text(world.project_b.name).first).to_be_visible()
    expect(page.get_by_text(world.project_a.name)).to_have_count(0)


def test_a_district_user_sees_its_own_cockpit_and_the_meeting_room_screen(page, login, world, artifacts):
    login(world.district)
    page.goto("/cockpit/?year=2026&month=3")
    _expect_all_charts(page)
    assert page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-districts')).getOption().yAxis[0].data"
    ) == ["青秀区"]
    page.screenshot(path=artifacts / "cockpit-district.png", full_page=True)
    page.get_by_role("link", name="大屏模式").click()
    page.wait_for_url("**/cockpit/screen/**", wait_until="domcontentloaded")
    _expect_all_charts(page)
    assert page.evaluate("document.body.dataset.theme") == "dark"
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=artifacts / "cockpit-screen.png", full_page=True)


def test_the_map_shows_points_on_the_boundaries_and_a_point_opens_its_project(page, login, world, artifacts):
    login(world.staff)
    page.goto("/cockpit/map/")
    expect(page.locator("#kp-map canvas").first).to_be_visible()
    assert _drawn(page, "kp-map") == 2
    page.screenshot(path=artifacts / "map-stage.png")
    page.get_by_role("link", name="按预警着色").click()
    names = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('kp-map')).getOption().series.map(s => s.name)"
    )
    assert names == ["红灯"]  # both located projects carry a red light
    page.screenshot(path=artifacts / "map-warning.png")
    x, y = page.evaluate(
        """(id) => {
            const chart = echarts.getInstanceByDom(document.getElementById('kp-map'));
            const point = chart.getOption().series[0].data.find((d) => d.p[4] === id);
            return chart.convertToPixel({ geoIndex: 0 }, point.value);
        }""",
        world.project_a.pk,
    )
    box = page.locator("#kp-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**/projects/{world.project_a.pk}/", wait_until="domcontentloaded")
