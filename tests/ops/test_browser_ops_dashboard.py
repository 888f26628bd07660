"""The metrics dashboard in a real browser with a month of demo data: an ops user logs in through
the admin, the charts are drawn, and a transcript shows its screenshot. Same Daphne and Chromium
setup as test_browser_chat; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.agent_fixtures import PASSWORD
from tests.chat.test_browser_chat import ARTIFACTS, app, browser  # noqa: F401 (pytest fixtures)

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

OPS_USER = """
from tests.ops_fixtures import ops_user
ops_user("olivia")
"""


def test_a_month_of_data_on_the_dashboard_and_a_transcript_with_its_screenshot(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    app.manage("generate_demo_data", "--days", "30")
    app.manage("shell", "-c", OPS_USER)
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(app.base_url + "/admin/login/?next=/admin/ops/dashboard/")
    page.locator("#id_username").fill("olivia")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/ops/dashboard/")

    expect(page.locator("svg.ops-chart")).to_have_count(8)
    expect(page.locator("#chart-conversations rect")).to_have_count(60)  # 30 days, two series
    expect(page.locator("#chart-ttft polyline")).to_have_count(2)
    expect(page.locator("#chart-ratings rect")).to_have_count(5)
    drawn = page.locator("#chart-conversations rect").evaluate_all(
        "(bars) => bars.filter((bar) => bar.getBBox().height > 0).length"
    )
    assert drawn >= 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    page.screenshot(path=str(ARTIFACTS / "ops-dashboard.png"), full_page=True)

    page.get_by_role("link", name="7 days").click()
    expect(page.locator("#chart-conversations rect")).to_have_count(14)

    page.goto(app.base_url + "/admin/chat/conversation/?screenshot=yes")
    page.locator("#result_list tbody tr a").first.click()
    screenshot = page.locator("img.ops-screenshot").first
    expect(screenshot).to_be_visible()
    assert screenshot.evaluate("(image) => image.complete && image.naturalWidth") == 360
    expect(page.locator(".ops-usage").first).to_contain_text("prompt tokens")
    page.screenshot(path=str(ARTIFACTS / "ops-transcript.png"), full_page=True)
