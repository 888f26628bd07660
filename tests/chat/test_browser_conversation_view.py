"""The conversation as a visitor sees it, in Chromium against the live app (same setup as
test_browser_chat): times and delivery states, a composer that shrinks back, a live region that
speaks finished messages only, the image viewer, thumbs kept after a reload, the star rating and
a new conversation after a resolved one."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.chat.test_browser_chat import ARTIFACTS, app, browser, count_token_frames  # noqa: F401 (fixtures)
from tests.chat_fixtures import screenshot_png
from tests.live_app import LiveApp

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

FINISHED = 60_000  # ms a tiny-model reply may take to end
TOUCH = 44  # px: the smallest touch target

RESOLVE_BY_AN_AGENT = """
from django.contrib.auth.models import Group, User
from supportbot.agents import handoff
from supportbot.chat.models import Conversation
alex = User.objects.create_user("alex", "alex@example.com", "pw-alex-1", is_staff=True, first_name="Alex")
alex.groups.add(Group.objects.get(name="agents"))
conversation = Conversation.objects.get(status="pending")
assert handoff.claim(conversation.id, alex)
handoff.resolve(conversation.id, alex)
"""


def open_chat(page: Page, app: LiveApp) -> None:
    page.goto(app.base_url + "/")
    expect(page.locator("#connection")).to_have_text("Online")


def refuse_first_send(page: Page) -> None:
    """The socket passes every frame through, except that the first `send` is answered by a
    refusal (as the server answers a send while a reply is still being written)."""

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        refused: list[str] = []

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame["type"] == "send" and not refused:
                refused.append(frame["client_message_id"])
                socket.send(json.dumps({
                    "type": "error", "code": "busy", "client_message_id": frame["client_message_id"],
                    "message": "Please wait until the current reply has finished.",
                }))
                return
            server.send(message)

        socket.on_message(from_page)

    page.route_web_socket(re.compile(r".*/ws/chat/.*"), route)


def finished_reply(page: Page, index: int = 0):
    reply = page.locator(".message.assistant").nth(index)
    expect(reply).to_have_class("message assistant", timeout=FINISHED)
    return reply


def test_delivery_states_times_the_composer_and_what_a_screen_reader_hears(app, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    tokens = count_token_frames(page)
    refuse_first_send(page)
    open_chat(page, app)
    assert page.locator("#log").get_attribute("aria-live") is None  # not re-read on every token
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert stops[:5] == ["language-select", "talk-to-human", "attach", "text", "send"], stops  # no hidden input
    page.evaluate("""() => {
        window.announced = [];
        const announcer = document.getElementById("announcer");
        new MutationObserver(() => window.announced.push(announcer.textContent))
            .observe(announcer, {childList: true, characterData: true, subtree: true});
    }""")

    text = page.locator("#text")
    one_line = text.evaluate("(box) => box.getBoundingClientRect().height")
    text.fill("My order")
    for line in ("has not arrived", "it was due Monday", "order 1234"):
        text.press("Shift+Enter")
        text.press_sequentially(line)
    four_lines = text.evaluate("(box) => box.getBoundingClientRect().height")
    assert four_lines > one_line * 2
    text.press("Enter")
    expect(text).to_have_value("")
    assert text.evaluate("(box) => box.getBoundingClientRect().height") == one_line

    # Refused: said on the message, which can be sent again.
    sent = page.locator(".message.user")
    expect(sent).to_have_class(re.compile(r"\bfailed\b"))
    expect(sent.locator(".delivery")).to_have_text("Not sent")
    expect(sent.locator(".status")).to_have_text("Please wait until the current reply has finished.")
    sent.get_by_role("button", name="Send again").click()
    expect(sent.locator(".delivery")).to_have_text("Sent")
    expect(sent).not_to_have_class(re.compile(r"\bfailed\b|\bpending\b"))
    expect(sent.locator(".body")).to_have_text("My order\nhas not arrived\nit was due Monday\norder 1234")
    assert re.fullmatch(r"\d{1,2}:\d{2}( [AP]M)?", sent.locator("time").inner_text())  # the page language's clock
    assert sent.locator("time").get_attribute("datetime")

    reply = finished_reply(page)
    assert tokens[0] > 1
    reply_text = reply.locator(".body").inner_text().strip()
    page.wait_for_function("() => window.announced.length > 0")
    announced = page.evaluate("window.announced")
    assert announced == [f"SupportBot: {reply_text}"], "the reply was announced other than once, whole"
    assert reply.locator("time").count() == 1

    for control in ("#talk-to-human", "#send", "#language-select", ".attach", ".feedback"):
        box = page.locator(control).first.bounding_box()
        assert box["height"] >= TOUCH and box["width"] >= TOUCH, (control, box)
    for small_text in (".message .author", ".message .meta", "#connection"):
        size = page.locator(small_text).first.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 14, (small_text, size)


def test_the_image_viewer_and_thumbs_kept_after_a_reload(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_chat(page, app)
    page.locator("#file-input").set_input_files(
        {"name": "error.png", "mimeType": "image/png", "buffer": screenshot_png(size=(1200, 800), label="Error 42")}
    )
    expect(page.locator(".preview.uploaded")).to_have_count(1)
    page.locator("#text").fill("What does this error mean?")
    page.locator("#text").press("Enter")
    reply = finished_reply(page)

    thumbnail = page.locator(".message.user .thumbnail")
    small = thumbnail.bounding_box()
    thumbnail.click()
    viewer = page.locator("#image-viewer")
    expect(viewer).to_have_attribute("open", "")
    page.wait_for_function("() => document.getElementById('image-viewer-image').complete")
    large = page.locator("#image-viewer-image").bounding_box()
    assert large["width"] > 3 * small["width"]
    expect(page.locator("#image-viewer-close")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#image-viewer-close")).to_be_focused()  # focus stays in the viewer
    page.screenshot(path=str(ARTIFACTS / "chat-image-viewer.png"))
    page.keyboard.press("Escape")
    expect(viewer).not_to_have_attribute("open", "")
    expect(thumbnail).to_be_focused()
    page.keyboard.press("Enter")  # the thumbnail is a button: the keyboard opens it too
    expect(viewer).to_have_attribute("open", "")
    page.get_by_role("button", name="Close").click()
    expect(viewer).not_to_have_attribute("open", "")

    reply.get_by_role("button", name="Not helpful").click()
    expect(reply.locator(".feedback-saved")).to_have_text("Thanks for telling us. We will use it to improve.")
    page.reload()
    reply = finished_reply(page)
    expect(reply.get_by_role("button", name="Not helpful")).to_have_attribute("aria-pressed", "true")
    expect(reply.get_by_role("button", name="Helpful answer")).to_have_attribute("aria-pressed", "false")


def test_a_resolved_conversation_is_rated_with_stars_and_followed_by_a_new_one(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 375, "height": 740})
    open_chat(page, app)
    page.locator("#text").fill("I was charged twice")
    page.locator("#text").press("Enter")
    finished_reply(page)
    first_id = page.locator("#chat").get_attribute("data-conversation-id")
    page.get_by_role("button", name="Talk to a human").click()
    expect(page.locator(".message.system")).to_have_count(1)
    app.manage("shell", "-c", RESOLVE_BY_AN_AGENT)
    page.reload()

    rating = page.locator("#rating")
    expect(rating).to_be_visible()
    stars = rating.get_by_role("radio")
    expect(stars).to_have_count(5)
    for index in range(5):
        box = rating.locator(".star").nth(index).bounding_box()
        assert box["width"] >= TOUCH and box["height"] >= TOUCH
    stars.first.focus()
    page.keyboard.press("Space")  # the first star is chosen
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # a radio group: arrows move the choice
    expect(rating.get_by_role("radio", name="4 stars")).to_be_checked()
    colours = rating.locator(".star").evaluate_all("(all) => all.map((s) => getComputedStyle(s).color)")
    assert len(set(colours[:4])) == 1 and colours[4] != colours[0], colours  # four filled, one not
    rating.get_by_label("Anything to add? (optional)").fill("Sorted quickly")
    page.screenshot(path=str(ARTIFACTS / "chat-rating-phone.png"), full_page=True)
    rating.get_by_role("button", name="Send rating").click()
    expect(page.locator("#rating-thanks")).to_be_visible()

    expect(page.locator("#resolved")).to_be_visible()
    page.get_by_role("button", name="Start a new conversation").click()
    page.wait_for_function(
        "(first) => document.getElementById('chat').dataset.conversationId !== first", arg=first_id
    )
    expect(page.locator("#connection")).to_have_text("Online")
    expect(page.locator(".message")).to_have_count(0)
    expect(page.locator("#resolved")).to_be_hidden()
    expect(page.locator("#rating")).to_be_hidden()
    page.locator("#text").fill("A new question")
    page.locator("#text").press("Enter")
    finished_reply(page)
