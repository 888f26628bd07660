"""The Content-Security-Policy in Chromium: the chat page, the agent console, the admin and the
ops dashboard work under it without a single violation (every script a file, screenshot previews
as blob: images, the socket to this host), and script injected into the page does not run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.chat.test_browser_chat import app, browser, paste_image  # noqa: F401 (pytest fixtures)
from tests.chat_fixtures import screenshot_png

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]


def test_the_pages_run_under_the_policy_and_injected_script_does_not(app, browser):
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto(app.base_url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#connection")).to_have_text("Online", timeout=30_000)
    paste_image(page, screenshot_png())
    preview = page.locator("#previews img").first
    expect(preview).to_be_visible(timeout=10_000)
    assert preview.get_attribute("src").startswith("blob:")
    assert page.evaluate("document.querySelector('#previews img').naturalWidth") > 0  # it loaded
    page.locator("#text").fill("What does this error mean?")
    page.locator("#text").press("Enter")
    expect(page.locator(".message.assistant").last).not_to_have_class("message assistant generating", timeout=60_000)
    for path in ("/admin/login/", "/admin/console/"):
        page.goto(app.base_url + path)
        page.wait_for_load_state("load")
    assert violations == []

    # Markup that slipped into the page cannot run script: the policy refuses inline code.
    page.goto(app.base_url + "/")
    page.evaluate(
        """() => {
            const el = document.createElement("div");
            el.innerHTML = '<img src="x" onerror="window.injected = true">';
            document.body.append(el);
        }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in text for text in violations)
