"""axe-core finds no serious or critical accessibility violation on the chat page (English and
Chinese, desktop and phone, empty and with a conversation, the image viewer and the rating open)
or on the agent console with a conversation open. Same live app and Chromium as
test_browser_chat; axe-core comes from npm (tests/axe.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.agents.test_browser_handoff import AGENT_SETUP, sign_in_to_the_console
from tests.axe import axe_violations, describe
from tests.chat.test_browser_chat import app, browser  # noqa: F401 (pytest fixtures)
from tests.chat_fixtures import screenshot_png
from tests.live_app import LiveApp

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(240)]


def assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


def visitor_page(browser: Browser, app: LiveApp, locale: str, width: int) -> Page:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(app.base_url + "/")
    expect(page.locator("#connection")).not_to_have_text("Connecting…")
    return page


@pytest.mark.parametrize(("locale", "width"), [("en-US", 1280), ("zh-CN", 375)])
def test_the_chat_page_has_no_serious_violations(app, browser, locale, width):
    page = visitor_page(browser, app, locale, width)
    assert_accessible(page, f"empty chat page ({locale}, {width} px)")

    page.locator("#file-input").set_input_files(
        {"name": "error.png", "mimeType": "image/png", "buffer": screenshot_png(label="Error 42")}
    )
    expect(page.locator(".preview.uploaded")).to_have_count(1)
    assert_accessible(page, "chat page with an image to send")
    page.locator("#text").fill("What does this error mean?")
    page.locator("#text").press("Enter")
    expect(page.locator(".message.assistant")).to_have_class("message assistant", timeout=60_000)
    assert_accessible(page, "chat page with a conversation")

    page.locator(".message.user .thumbnail").click()
    expect(page.locator("#image-viewer")).to_have_attribute("open", "")
    assert_accessible(page, "the image viewer")
    page.keyboard.press("Escape")

    page.evaluate("document.getElementById('rating').hidden = false")  # as after a resolved handoff
    assert_accessible(page, "the star rating")


def test_the_agent_console_has_no_serious_violations(app, browser):
    app.manage("shell", "-c", AGENT_SETUP)
    visitor = visitor_page(browser, app, "en-US", 1280)
    visitor.locator("#text").fill("Why was I charged twice?")
    visitor.locator("#text").press("Enter")
    expect(visitor.locator(".message.assistant")).to_have_class("message assistant", timeout=60_000)
    visitor.get_by_role("button", name="Talk to a human").click()

    console = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True).new_page()
    sign_in_to_the_console(console, app, "alex")
    assert_accessible(console, "the console's queue")
    console.locator(".open-row").click()
    expect(console.locator("#conversation-status")).to_have_text("pending")
    assert_accessible(console, "the console with a conversation open")
