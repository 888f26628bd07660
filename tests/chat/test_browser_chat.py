"""The page in a real browser: headless Debian Chromium driven by Playwright against Daphne running
the embedded setup (SQLite, in-process tiny model). Screenshots go to test-artifacts/."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect, sync_playwright

from tests.chat_fixtures import screenshot_png
from tests.live_app import ROOT, LiveApp, live_app

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def app(tmp_path) -> Iterator[LiveApp]:
    with live_app({"SUPPORTBOT_VAR_DIR": str(tmp_path / "var")}, tmp_path) as app:
        yield app


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def count_token_frames(page: Page) -> list[int]:
    """A one-element list holding how many token frames the page's socket has received so far."""
    received = [0]

    def watch(socket) -> None:
        socket.on(
            "framereceived",
            lambda payload: received.__setitem__(0, received[0] + ('"token"' in str(payload))),
        )

    page.on("websocket", watch)
    return received


def paste_image(page: Page, png: bytes) -> None:
    """What the browser does when a screenshot is pasted with Ctrl+V."""
    page.evaluate(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "pasted.png", {type: "image/png"}));
            document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer}));
        }""",
        base64.b64encode(png).decode(),
    )


def drop_image(page: Page, png: bytes) -> None:
    """What the browser does when a screenshot file is dragged onto the page and dropped."""
    page.evaluate(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
            const target = document.getElementById("log");
            target.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
            target.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        base64.b64encode(png).decode(),
    )


def test_upload_ask_watch_the_reply_stream_and_find_it_after_reload(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    tokens = count_token_frames(page)
    page.goto(app.base_url + "/")
    expect(page.locator("#connection")).to_have_text("Online")

    page.locator("#file-input").set_input_files(
        {"name": "error.png", "mimeType": "image/png", "buffer": screenshot_png(label="Error 42")}
    )
    expect(page.locator(".preview.uploaded")).to_have_count(1)
    page.locator("#text").fill("What does this error mean?")
    page.locator("#text").press("Enter")

    reply = page.locator(".message.assistant").first
    expect(reply).not_to_have_class("message assistant generating", timeout=60_000)
    expect(reply.locator(".body")).not_to_be_empty()
    assert tokens[0] > 0, "the reply did not stream token by token"
    user_image = page.locator(".message.user img").first
    expect(user_image).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"), full_page=True)
    first_reply = reply.locator(".body").inner_text()

    # A second turn with a pasted screenshot.
    paste_image(page, screenshot_png(label="Settings > Network"))
    expect(page.locator(".preview.uploaded")).to_have_count(1)
    page.locator("#text").fill("And this one?")
    page.locator("#send").click()
    expect(page.locator(".message.assistant")).to_have_count(2)
    expect(page.locator(".message.assistant").nth(1)).not_to_have_class(
        "message assistant generating", timeout=60_000
    )

    page.reload()
    expect(page.locator(".message.user")).to_have_count(2)
    expect(page.locator(".message.user").first).to_contain_text("What does this error mean?")
    expect(page.locator(".message.assistant").first.locator(".body")).to_have_text(first_reply)
    expect(page.locator(".message.user img")).to_have_count(2)
    loaded = page.locator(".message.user img").first.evaluate(
        "img => img.complete && img.naturalWidth"
    )
    assert loaded == 320

    # The same conversation on a 375 px wide phone screen: nothing scrolls sideways.
    phone = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(app.base_url + "/")
    expect(phone.locator(".message.user")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    expect(phone.locator("#send")).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "chat-phone.png"), full_page=True)


def test_the_page_is_usable_from_the_keyboard_and_takes_dropped_images(app, browser):
    page = browser.new_page()
    page.goto(app.base_url + "/")
    expect(page.locator("#connection")).to_have_text("Online")
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.id || document.activeElement.className")
        )
    assert "attach" in focused and "text" in focused
    drop_image(page, screenshot_png(label="Dropped"))
    expect(page.locator(".preview.uploaded")).to_have_count(1)
    page.locator("#text").focus()
    page.keyboard.type("Hello from the keyboard")
    page.keyboard.press("Enter")
    expect(page.locator(".message.user img")).to_have_count(1)
    expect(page.locator(".message.assistant")).to_have_count(1)
    expect(page.locator(".message.assistant")).not_to_have_class(
        "message assistant generating", timeout=60_000
    )


def test_a_message_sent_while_its_image_uploads_goes_out_once_the_upload_is_done(app, browser):
    page = browser.new_page()
    held_uploads = []
    # Uploads are answered only when the test says so.
    page.route("**/attachments/", lambda route: held_uploads.append(route))
    page.goto(app.base_url + "/")
    expect(page.locator("#connection")).to_have_text("Online")
    page.locator("#file-input").set_input_files(
        {"name": "screen.png", "mimeType": "image/png", "buffer": screenshot_png(label="Blank")}
    )
    page.locator("#text").fill("Is this screen normal?")
    page.locator("#text").press("Enter")
    expect(page.locator("#notice")).to_contain_text("once the images are uploaded")
    expect(page.locator(".message.user")).to_have_count(0)
    expect(page.locator("#text")).to_have_value("Is this screen normal?")

    page.wait_for_function("() => document.querySelector('.preview progress') !== null")
    assert len(held_uploads) == 1
    held_uploads[0].continue_()
    user_message = page.locator(".message.user")
    expect(user_message).to_contain_text("Is this screen normal?")
    expect(user_message.locator("img")).to_have_count(1)
    expect(page.locator("#notice")).to_be_hidden()  # said nothing true any more
    expect(page.locator(".message.assistant")).not_to_have_class(
        "message assistant generating", timeout=60_000
    )


def test_a_server_that_keeps_dropping_the_socket_is_retried_ever_later_with_jitter(app, browser):
    """Each try opens and is dropped at once: a brief open must not count as success (or the page
    would retry at the shortest delay forever), and the delays are jittered so that the pages of
    one lost server spread out. Every scheduled delay is logged to the browser console."""
    page = browser.new_page()
    page.add_init_script("window.SupportBotReconnect = {baseMs: 40}")
    delays: list[int] = []
    closes: list[str] = []

    def log_delay(message) -> None:
        found = re.search(r"reconnecting in (\d+) ms \(close code (\d+)\)", message.text)
        if found:
            delays.append(int(found.group(1)))
            closes.append(found.group(2))

    page.on("console", log_delay)
    dropping = [True]

    def route(socket: WebSocketRoute) -> None:
        if dropping[0]:
            # A code of our own reaches the page only once it is open (a failed try reads 1006).
            socket.close(code=1011)
        else:
            socket.connect_to_server()

    page.route_web_socket("**/ws/chat/**", route)
    page.goto(app.base_url + "/")
    # Playwright hands over console messages and sockets only while one of its calls runs.
    for _ in range(300):
        if len(delays) >= 6:
            break
        page.wait_for_timeout(100)
    assert len(delays) >= 6, delays
    expect(page.locator("#connection")).to_have_text("Offline, reconnecting…")
    first = delays[:6]
    assert set(closes[:6]) == {"1011"}, closes
    assert all(later >= earlier for earlier, later in zip(first, first[1:])), first
    assert first[-1] >= 8 * first[0], first
    # The same schedule without jitter would be base · 2^n.
    assert len({round(delay / 2**n) for n, delay in enumerate(first)}) > 1, first

    dropping[0] = False
    expect(page.locator("#connection")).to_have_text("Online", timeout=20_000)


def test_a_grounded_answer_shows_its_quote_and_sources(tmp_path, browser):
    env = {"SUPPORTBOT_VAR_DIR": str(tmp_path / "var"), "SUPPORTBOT_KB_EMBEDDINGS": "0"}
    with live_app(env, tmp_path) as app:
        app.manage("kb_import", "supportbot/knowledge/sample")
        ARTIFACTS.mkdir(exist_ok=True)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(app.base_url + "/")
        expect(page.locator("#connection")).to_have_text("Online")
        page.locator("#text").fill("My account is locked after too many wrong passwords, how long must I wait?")
        page.locator("#text").press("Enter")
        reply = page.locator(".message.assistant").first
        expect(reply).not_to_have_class("message assistant generating", timeout=60_000)
        quote = reply.locator(".body blockquote")
        expect(quote).to_be_visible()
        expect(reply.locator(".body strong a").first).to_have_text("Account locked after failed sign-in attempts (ERR-1102)")
        sources = reply.locator(".sources a")
        expect(sources.first).to_have_attribute("href", re.compile(r"^https://help\.lumora\.example/"))
        page.screenshot(path=str(ARTIFACTS / "chat-grounded-phone.png"), full_page=True)
