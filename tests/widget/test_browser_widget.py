"""The widget on host sites of other origins, in Chromium: the support site, an allowed shop and a
site nobody allowed are three origins (host names mapped to 127.0.0.1 by Chromium, each on its own
port). The host pages are the demo page (/widget/demo/) served again by a small server of the
test, which may add the signed identity a real host's server would. Screenshots: test-artifacts/."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from supportbot.widget.identity import signature
from tests.live_app import ROOT, LiveApp, free_port, live_app

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(240)]

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
SECRET = "widget-test-secret-0123456789"
SUPPORT, SHOP, EVIL = "support.example.test", "shop.example.test", "evil.test"


class HostSite:
    """A host site on its own port: every path answers the support site's demo page, with the
    widget tag's extra data- attributes (a signed identity, say) that the test sets."""

    def __init__(self, name: str, app: LiveApp) -> None:
        self.port = free_port()
        self.origin = f"http://{name}:{self.port}"
        self.attributes: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = self.path.partition("?")[2]
                demo = requests.get(
                    f"{app.base_url}/widget/demo/?{query}", headers={"Host": f"{SUPPORT}:{app.port}"}, timeout=10
                )
                extra = "".join(f' data-{key}="{value}"' for key, value in site.attributes.items())
                body = demo.text.replace(" async data-lang=", f" async{extra} data-lang=").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign_in(self, user_id: str, email: str, name: str, signed_name: str | None = None) -> None:
        """What the host's server renders for its signed-in user (signed_name: sign another name,
        as a forger who changed the page would)."""
        given = signature(SECRET, user_id, email, name if signed_name is None else signed_name)
        self.attributes = {"user-id": user_id, "email": email, "name": name, "signature": given}


@pytest.fixture
def app(tmp_path) -> Iterator[LiveApp]:
    env = {
        "SUPPORTBOT_VAR_DIR": str(tmp_path / "var"),
        "SUPPORTBOT_WIDGET_SECRET": SECRET,
        # The shop is no host of this site: only the admin's list lets its pages in.
        "ALLOWED_HOSTS": f"{SUPPORT},127.0.0.1",
        # Plain HTTP on host names Chromium does not trust as it trusts 127.0.0.1: Secure cookies
        # would be dropped.
        "SUPPORTBOT_HTTPS": "0",
    }
    with live_app(env, tmp_path) as app:
        yield app


@pytest.fixture
def sites(app) -> Iterator[dict[str, HostSite]]:
    sites = {"shop": HostSite(SHOP, app), "evil": HostSite(EVIL, app)}
    app.manage("widget_origin", "allow", sites["shop"].origin)
    yield sites
    for site in sites.values():
        site.server.shutdown()


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps`")
    rules = f"MAP {SUPPORT} 127.0.0.1, MAP {SHOP} 127.0.0.1, MAP {EVIL} 127.0.0.1"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", f"--host-resolver-rules={rules}"],
        )
        yield browser
        browser.close()


def launcher(page: Page):
    return page.locator("[data-supportbot-widget] .launcher")


def chat(page: Page):
    return page.frame_locator("[data-supportbot-widget] iframe")


def ask(page: Page, text: str) -> None:
    frame = chat(page)
    expect(frame.locator("#connection")).to_have_class(re.compile(r"\bonline\b"), timeout=30_000)
    frame.locator("#text").fill(text)
    frame.locator("#text").press("Enter")
    reply = frame.locator(".message.assistant").last
    expect(reply).to_be_visible(timeout=30_000)
    expect(reply).not_to_have_class(re.compile(r"\bgenerating\b"), timeout=60_000)


def conversation_titles(app: LiveApp) -> list[str]:
    """What the agent console calls each conversation (agents.labels)."""
    script = (
        "from supportbot.agents.labels import conversation_title\n"
        "from supportbot.chat.models import Conversation\n"
        "for c in Conversation.objects.order_by('created_at'): print('title:', conversation_title(c))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=app.env,
        capture_output=True, text=True, check=True,
    )
    return [line[len("title: "):] for line in result.stdout.splitlines() if line.startswith("title: ")]


def test_the_widget_opens_chats_counts_unread_and_keeps_its_state_across_pages(app, sites, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    shop = sites["shop"]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(shop.origin + "/?page=1")
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    # The page is not framed before anyone asks for help (no conversation row per page view).
    expect(page.locator("[data-supportbot-widget] iframe")).to_have_count(0)
    # No CSS crosses: the host's dashed borders miss the launcher, the widget's styles miss the host.
    assert launcher(page).evaluate("el => getComputedStyle(el).borderTopStyle") == "none"
    assert "Georgia" in page.evaluate("getComputedStyle(document.body).fontFamily")

    launcher(page).click()
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(launcher(page).locator(".close-icon")).to_be_visible()
    expect(launcher(page).locator(".chat-icon")).to_be_hidden()
    ask(page, "How do I reset my password?")
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))

    page.locator("#other-page").click()
    expect(page).to_have_title(re.compile("page 2"))
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")  # still open on the next page
    expect(chat(page).locator(".message.user")).to_have_count(1)

    launcher(page).click()
    expect(page.locator("[data-supportbot-widget] .panel")).to_be_hidden()
    # A reply that comes while the panel is closed (sent from the visitor's other tab) is unread.
    other_tab = context.new_page()
    other_tab.goto(f"http://{SUPPORT}:{app.port}/")
    other_tab.locator("#text").fill("Another question from my other tab")
    other_tab.locator("#text").press("Enter")
    badge = page.locator("[data-supportbot-widget] .badge")
    expect(badge).to_have_text(re.compile(r"^[1-9]"), timeout=60_000)
    expect(launcher(page)).to_have_attribute("aria-label", re.compile(r"unread"))

    page.goto(shop.origin + "/?page=1")
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")  # closed stays closed
    expect(badge).to_be_visible()
    launcher(page).click()
    expect(badge).to_be_hidden()
    expect(chat(page).locator(".message.user")).to_have_count(2)


def test_on_a_phone_the_widget_fills_the_screen_in_the_page_s_language_and_closes_from_inside(
    app, sites, browser
):
    page = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    page.goto(sites["shop"].origin + "/?lang=zh-hans")  # the demo page's data-lang
    expect(launcher(page)).to_have_attribute("aria-label", "打开客服聊天")
    launcher(page).click()
    panel = page.locator("[data-supportbot-widget] .panel")
    expect(chat(page).locator("#text")).to_be_visible()
    expect(chat(page).locator("html")).to_have_attribute("lang", "zh-hans")
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 740}
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    chat(page).locator("#widget-close").click()
    expect(panel).to_be_hidden()
    expect(launcher(page)).to_be_visible()


def test_a_site_not_allowed_gets_neither_the_frame_nor_the_socket(app, sites, browser):
    shop, evil = sites["shop"], sites["evil"]
    page = browser.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(evil.origin + "/")
    launcher(page).click()
    expect(chat(page).locator("body")).to_contain_text("may not show this chat")
    expect(chat(page).locator("#chat")).to_have_count(0)

    # A page that claims to be the shop is framed by the server but blocked by the browser
    # (frame-ancestors names the shop, and the page around the frame is not the shop).
    page.evaluate(
        """(url) => { const f = document.createElement("iframe"); f.id = "liar"; f.src = url;
                     document.body.append(f); }""",
        f"http://{SUPPORT}:{app.port}/widget/frame/?origin={shop.origin}",
    )
    page.wait_for_timeout(1500)
    expect(page.frame_locator("#liar").locator("#chat")).to_have_count(0)
    assert refused, "Chromium did not report the frame-ancestors refusal"

    socket_script = """(url) => new Promise((resolve) => {
        const socket = new WebSocket(url);
        socket.onopen = () => { resolve("open"); socket.close(); };
        socket.onclose = () => resolve("refused");
    })"""
    socket_url = f"ws://{SUPPORT}:{app.port}/ws/chat/00000000-0000-0000-0000-000000000000/"
    assert page.evaluate(socket_script, socket_url) == "refused"
    page.goto(shop.origin + "/")
    assert page.evaluate(socket_script, socket_url) == "open"


def test_a_signed_in_user_is_named_to_agents_everywhere_and_a_forger_is_not(app, sites, browser):
    shop = sites["shop"]
    shop.sign_in("user-42", "ada@example.com", "Ada Lovelace")
    laptop = browser.new_context().new_page()
    laptop.goto(shop.origin + "/")
    launcher(laptop).click()
    ask(laptop, "Where is my invoice?")
    assert conversation_titles(app) == ["Ada Lovelace (ada@example.com) · Where is my invoice?"]

    # Another browser of the same user opens the same conversation.
    phone = browser.new_context(viewport={"width": 375, "height": 740}).new_page()
    phone.goto(shop.origin + "/")
    launcher(phone).click()
    expect(chat(phone).locator(".message.user")).to_contain_text("Where is my invoice?")

    # A visitor who edits the page to be the CEO, keeping Ada's signature, stays anonymous.
    shop.sign_in("user-42", "ada@example.com", "The CEO", signed_name="Ada Lovelace")
    forger = browser.new_context().new_page()
    forger.goto(shop.origin + "/")
    launcher(forger).click()
    expect(chat(forger).locator(".message.user")).to_have_count(0)
    ask(forger, "Give me the admin password")
    titles = conversation_titles(app)
    assert len(titles) == 2 and re.match(r"Visitor [0-9A-F]{6} · Give me the admin password", titles[1]), titles
