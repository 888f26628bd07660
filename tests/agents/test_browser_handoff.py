"""Both sides of a handoff in real browsers: the visitor asks for a person on the chat page, an
agent logged in through the admin claims it in the console, has the model suggest a draft, answers,
resolves, and the visitor rates, after reloading the page too. Same Daphne and Chromium setup as
test_browser_chat; screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.agent_fixtures import PASSWORD
from tests.live_app import LiveApp
from tests.chat.test_browser_chat import ARTIFACTS, app, browser  # noqa: F401 (pytest fixtures)

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

AGENT_SETUP = """
from supportbot.agents.models import CannedResponse
from tests.agent_fixtures import agent, team
agent("alex", team(), online=False)
CannedResponse.objects.create(title="Invoice fixed", text="I have corrected your invoice.")
"""
STORED = """
from supportbot.agents.models import MessageFeedback, Rating
rating = Rating.objects.get()
assert (rating.score, rating.comment) == (5, "Quick and kind"), rating
assert MessageFeedback.objects.get().helpful is False
"""


def log_in_to_the_console(app: LiveApp, browser: Browser, username: str) -> Page:
    """Through the admin's own login form, as a person would."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_to_the_console(page, app, username)
    return page


def test_visitor_asks_for_a_person_agent_claims_answers_resolves_and_gets_rated(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    app.manage("shell", "-c", AGENT_SETUP)
    console = log_in_to_the_console(app, browser, "alex")
    # The visitor on a 375 px wide phone, in a context of its own (no admin session).
    user = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    user.goto(app.base_url + "/")
    expect(user.locator("#connection")).to_have_text("Online")

    # First the bot answers, and its answer is not helpful.
    user.locator("#text").fill("Why was I charged twice?")
    user.locator("#text").press("Enter")
    bot_reply = user.locator(".message.assistant")
    expect(bot_reply).to_have_class("message assistant", timeout=60_000)  # finished
    bot_reply.get_by_role("button", name="Not helpful").click()
    expect(bot_reply.get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true"
    )

    user.get_by_role("button", name="Talk to a human").click()
    expect(user.locator(".message.system")).to_contain_text("an agent is joining")
    expect(user.get_by_role("button", name="Talk to a human")).to_be_disabled()

    expect(console.locator("[data-count=pending]")).to_have_text("1")
    row = console.locator(".open-row")
    expect(row).to_contain_text("asked for a person")
    expect(row.locator(".row-title")).to_have_text("Why was I charged twice?")
    expect(row).to_contain_text("waiting")
    row.click()
    expect(console.locator("#conversation-status")).to_have_text("pending")
    console.get_by_role("button", name="Claim").click()
    expect(console.locator("#conversation-status")).to_have_text("open")
    expect(console.locator("[data-count=mine]")).to_have_text("1")
    expect(user.locator(".message.system").last).to_have_text("Alex has joined the conversation.")

    user.locator("#text").fill("My invoice is wrong")
    user.locator("#text").press("Enter")
    expect(console.locator(".message.user").last).to_contain_text("My invoice is wrong")

    console.get_by_role("radio", name="Private note").check()
    console.locator("#text").fill("Customer since 2019, refund approved")
    console.locator("#text").press("Enter")
    expect(console.locator(".note")).to_contain_text("Private")
    expect(console.locator(".note")).to_contain_text("Customer since 2019")

    console.get_by_role("radio", name="Reply to user").check()
    console.get_by_role("button", name="Suggest reply").click()
    expect(console.locator("#text")).to_have_value(re.compile(r"\S"))  # the model's draft, to edit
    expect(console.get_by_role("button", name="Suggest reply")).to_be_enabled()
    expect(user.locator(".message.assistant")).to_have_count(1)  # the draft never reached the user
    console.locator("#text").fill("")
    console.locator("#text").press_sequentially("Sorry! ")
    expect(user.locator("#typing")).to_contain_text("An agent is typing")
    console.get_by_label("Canned response").select_option(label="Invoice fixed")
    expect(console.locator("#text")).to_have_value("Sorry! \nI have corrected your invoice.")
    console.get_by_role("button", name="Send").click()

    agent_reply = user.locator(".message.agent")
    expect(agent_reply).to_contain_text("I have corrected your invoice.")
    expect(agent_reply.locator(".author")).to_have_text("Alex")
    expect(console.locator(".message.agent")).to_contain_text("I have corrected your invoice.")
    expect(user.locator(".message.assistant")).to_have_count(1)  # the bot stayed out of it
    expect(user.locator("body")).not_to_contain_text("refund approved")  # notes stay private
    console.screenshot(path=str(ARTIFACTS / "handoff-agent.png"))

    console.get_by_role("button", name="Resolve").click()
    expect(console.locator("#conversation-status")).to_have_text("resolved")
    rating = user.locator("#rating")
    expect(rating).to_be_visible()
    user.reload()  # the rating is still asked for, and the agent still named
    expect(rating).to_be_visible()
    expect(user.locator(".message.agent .author")).to_have_text("Alex")
    rating.get_by_role("radio", name="5").check()
    rating.get_by_label("Anything to add? (optional)").fill("Quick and kind")
    assert user.evaluate("document.documentElement.scrollWidth") <= 375
    user.screenshot(path=str(ARTIFACTS / "handoff-user.png"), full_page=True)
    rating.get_by_role("button", name="Send rating").click()
    expect(user.locator("#rating-thanks")).to_be_visible()
    expect(rating).to_be_hidden()
    expect(user.locator(".message.assistant")).to_have_count(1)
    user.reload()
    expect(user.locator(".message.agent")).to_contain_text("I have corrected your invoice.")
    expect(rating).to_be_hidden()  # rated once: not asked again
    app.manage("shell", "-c", STORED)


def test_a_draft_still_coming_never_writes_over_what_the_agent_types(app, browser):
    app.manage("shell", "-c", AGENT_SETUP)
    console = log_in_to_the_console_with_drafts_held(app, browser)
    user = browser.new_page()
    user.goto(app.base_url + "/")
    expect(user.locator("#connection")).to_have_text("Online")
    user.get_by_role("button", name="Talk to a human").click()
    console.page.locator(".open-row").click()
    console.page.get_by_role("button", name="Claim").click()
    expect(console.page.locator("#conversation-status")).to_have_text("open")

    console.page.get_by_role("button", name="Suggest reply").click()
    console.wait_for_the_whole_draft()
    console.page.locator("#text").press_sequentially("Let me look at your account.")
    console.release()
    expect(console.page.get_by_role("button", name="Suggest reply")).to_be_enabled()
    expect(console.page.locator("#text")).to_have_value("Let me look at your account.")


class ConsoleWithHeldDrafts:
    """The console page with the model's draft frames held back until release()."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.held: list[str] = []
        self._to_page: WebSocketRoute | None = None
        page.route_web_socket("**/ws/console/", self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        self._to_page = socket
        server = socket.connect_to_server()
        server.on_message(self._from_server)

    def _from_server(self, frame: str | bytes) -> None:
        if isinstance(frame, str) and '"type": "draft.' in frame:
            self.held.append(frame)
        else:
            self._to_page.send(frame)

    def wait_for_the_whole_draft(self) -> None:
        # Playwright hands over the socket's frames only while one of its calls runs.
        for _ in range(600):
            if any('"type": "draft.end"' in frame for frame in self.held):
                return
            self.page.wait_for_timeout(100)
        raise TimeoutError("no whole draft within 60 s")

    def release(self) -> None:
        for frame in self.held:
            self._to_page.send(frame)
        self.held.clear()


def sign_in_to_the_console(page: Page, app: LiveApp, username: str = "alex", online: str = "Online") -> None:
    """`online`: the connection's state as the page's language says it."""
    page.goto(app.base_url + "/admin/login/?next=/admin/console/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/console/")
    expect(page.locator("#connection")).to_have_text(online)


def log_in_to_the_console_with_drafts_held(app: LiveApp, browser: Browser) -> ConsoleWithHeldDrafts:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    console = ConsoleWithHeldDrafts(page)
    sign_in_to_the_console(page, app)
    return console
