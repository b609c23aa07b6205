"""Global search in a real browser: pinyin initials typed into the header box drop down grouped results
within the user's scope, and a click opens the project."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from keyprojects.coordination.models import Problem

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(cast):
    Problem.objects.create(
        project=cast.project_a,
        category=Problem.Category.LAND,
        title="南宁市轨道交通站点征地拆迁滞后",
        description="站点用地尚未交付",
        source=Problem.Source.DISTRICT,
        raised_by=cast.district,
        raised_by_org=cast.district_a,
        lead_unit=cast.district_a,
        level_since=dt.date(2026, 11, 2),
    )
    return cast


def test_district_finds_a_project_by_pinyin_initials_from_the_header(page, login, world, artifacts):
    # Eight test runs may share two cores: slower pages are not what this test is about.
    page.set_default_timeout(20_000)
    page.set_default_navigation_timeout(20_000)
    login(world.district)
    box = page.locator("#global-search-input")
    box.click()
    box.press_sequentially("nnsgd", delay=40)

    dropdown = page.locator("#search-results-quick")
    expect(dropdown).to_be_visible()
    expect(dropdown.locator('[data-kind="project"]').first).to_contain_text("项目")
    expect(dropdown.locator('[data-kind="problem"]').first).to_contain_text("问题")
    expect(dropdown.get_by_role("link", name="南宁市轨道交通站点征地拆迁滞后")).to_be_visible()
    project_link = dropdown.locator('a[data-kind="project"]', has_text="南宁市轨道交通5号线二期工程")
    expect(project_link).to_be_visible()
    expect(dropdown).not_to_contain_text("西乡塘")  # district B stays out of district A's search
    page.screenshot(path=artifacts / "search-dropdown.png")

    project_link.click()
    page.wait_for_url(f"**/projects/{world.project_a.pk}/")
    expect(page.locator("h1")).to_contain_text("南宁市轨道交通5号线二期工程")

    # Enter in the box opens the full results page, grouped by kind with counts.
    box = page.locator("#global-search-input")
    box.fill("南寧")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.locator("#search-results")
    expect(results.locator('[data-kind="project"]')).to_contain_text("南宁市轨道交通5号线二期工程")
    expect(results.locator('[data-kind="owner"]')).to_contain_text("南宁轨道交通集团有限责任公司")
    page.screenshot(path=artifacts / "search-results.png", full_page=True)


def test_office_sees_what_is_public_and_downloads_the_oc4ids_package(page, login, world, artifacts):
    import json

    from keyprojects.plans.tests.cast import plans_cast
    from keyprojects.reports import oc4ids
    from keyprojects.reports.models import PublicDataSetting

    plans_cast(world)
    PublicDataSetting.objects.create(pk=1, include_reserve=True)
    page.set_default_timeout(20_000)
    page.set_default_navigation_timeout(20_000)
    login(world.staff)
    page.goto("/open-data/")
    expect(page.locator("#public-total")).to_have_text("2")
    expect(page.locator("#status-chart canvas").first).to_be_visible()
    page.screenshot(path=artifacts / "open-data.png", full_page=True)
    with page.expect_download() as download:
        page.locator("#download-link").click()
    package = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert {p["title"] for p in package["projects"]} == {world.project_a.name, world.project_b.name}
    assert oc4ids.package_errors(package) == []
