"""Agents never miss one, in a real browser: offers stay on screen with Open and Decline, sound a
beep and raise a desktop notification; a visitor writing in a conversation the agent owns but is
not looking at raises the tab title's count, the row's unread badge and a notification; opening it
clears them. Same Daphne and Chromium setup as test_browser_chat."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.agents.test_browser_handoff import sign_in_to_the_console
from tests.chat.test_browser_chat import ARTIFACTS, app, browser  # noqa: F401 (pytest fixtures)
from tests.live_app import LiveApp

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

AGENT_SETUP = """
from tests.agent_fixtures import agent, team
agent("alex", team(), online=False)
"""
TITLE = "Agent console · SupportBot"
# Records what the page asks of the Notification and Web Audio APIs (headless Chromium shows
# neither), then lets the real ones run.
RECORD_ALERTS = """
window.__notifications = [];
window.__beeps = 0;
const RealNotification = window.Notification;
window.Notification = function (title, options) {
  window.__notifications.push({ title, body: (options || {}).body || "" });
  try { return new RealNotification(title, options); } catch (error) { return {}; }
};
Object.defineProperty(window.Notification, "permission", { get: () => RealNotification.permission });
window.Notification.requestPermission = (...args) => RealNotification.requestPermission(...args);
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__beeps += 1;
  return createOscillator.call(this);
};
"""
UUID_PREFIX = re.compile(r"[0-9a-f]{8}-?")


def console_with_alerts(app: LiveApp, browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["notifications"], origin=app.base_url)
    context.add_init_script(RECORD_ALERTS)
    page = context.new_page()
    sign_in_to_the_console(page, app)
    return page


def visitor_asks_for_a_person(browser: Browser, app: LiveApp) -> Page:
    visitor = browser.new_context().new_page()  # a context of its own: no admin session
    visitor.goto(app.base_url + "/")
    expect(visitor.locator("#connection")).to_have_text("Online")
    visitor.get_by_role("button", name="Talk to a human").click()
    expect(visitor.locator(".message.system")).to_contain_text("an agent is joining")
    return visitor


def notifications(page: Page) -> list[dict]:
    return page.evaluate("window.__notifications")


def test_offers_and_visitor_messages_alert_the_agent_until_read(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    app.manage("shell", "-c", AGENT_SETUP)
    console = console_with_alerts(app, browser)
    expect(console).to_have_title(TITLE)
    # Permission granted: no banner asking for it; the agent has a profile and is online.
    expect(console.locator("#alerts-banner")).to_be_hidden()
    expect(console.locator("#availability")).to_be_hidden()
    console.locator("body").click()  # a gesture, as a real agent's, lets the page play sound

    first = visitor_asks_for_a_person(browser, app)
    offer = console.locator(".offer")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text("asked for a person")
    expect(offer.get_by_role("button", name="Open")).to_be_visible()
    expect(offer.get_by_role("button", name="Decline")).to_be_visible()
    expect(console).to_have_title(f"(1) {TITLE}")
    console.wait_for_function("window.__notifications.length >= 1")
    assert notifications(console)[0]["title"] == "A conversation is offered to you"
    assert console.evaluate("window.__beeps") >= 1
    console.wait_for_timeout(9000)  # the old banner vanished after 8 s: an offer stays
    expect(offer).to_have_count(1)

    second = visitor_asks_for_a_person(browser, app)
    expect(console.locator(".offer")).to_have_count(2)
    expect(console).to_have_title(f"(2) {TITLE}")

    console.locator(".offer").first.get_by_role("button", name="Open").click()
    expect(console.locator("#conversation-status")).to_have_text("open")
    heading = console.locator("#conversation-title")
    expect(heading).to_contain_text("Visitor ")
    assert not UUID_PREFIX.search(heading.inner_text())
    expect(first.locator(".message.system").last).to_have_text("Alex has joined the conversation.")
    console.locator(".offer").get_by_role("button", name="Open").click()
    expect(second.locator(".message.system").last).to_have_text("Alex has joined the conversation.")
    expect(console.locator(".offer")).to_have_count(0)
    expect(console).to_have_title(TITLE)

    # The first conversation is Alex's, but the second is on screen: the first one's news counts.
    before = len(notifications(console))
    first.locator("#text").fill("Where is my refund? 我的退款呢？")
    first.locator("#text").press("Enter")
    expect(console).to_have_title(f"(1) {TITLE}")
    console.wait_for_function(f"window.__notifications.length > {before}")
    assert notifications(console)[-1]["body"] == "Where is my refund? 我的退款呢？"
    console.get_by_role("tab", name=re.compile("Mine")).click()
    row = console.locator(".queue-row", has_text="Where is my refund?")
    expect(row.locator(".unread")).to_have_text("1")
    expect(row).to_contain_text("asked for a person")
    expect(row.locator(".row-visitor")).to_contain_text("Visitor ")
    expect(row.locator(".row-title")).to_have_text("Where is my refund? 我的退款呢？")
    console.screenshot(path=str(ARTIFACTS / "agent-alerts.png"))

    console.locator("#queue-search").fill("refund")
    expect(console.locator(".queue-row")).to_have_count(1)
    row.locator(".open-row").click()
    expect(console.locator(".message.user").last).to_contain_text("Where is my refund?")
    expect(console).to_have_title(TITLE)
    expect(row.locator(".unread")).to_have_count(0)
