"""A screenshot's telling lines are quoted at the top of the reply, labelled as what SupportBot
read, so the visitor sees the code or amount even when the model does not repeat it."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw, ImageFont

from supportbot.lib.screen_text import salient_lines
from tests.chat_fixtures import chat_socket, cookie_header, image_bytes, new_conversation, say

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_a_short_screen_is_quoted_whole_and_noise_dropped():
    assert salient_lines("Payment failed\n\n  ~ \nERR-4031 declined\nRetry") == ["Payment failed", "ERR-4031 declined", "Retry"]


def test_a_long_screen_keeps_codes_amounts_trouble_and_what_was_asked_in_screen_order():
    screen = "\n".join([
        "Billing", "Home", "Devices", "Settings", "Help", "Invoice INV-20931", "Amount due $42.50",
        "Your card was declined", "Language English", "Theme Light", "Newsletter on", "Contact us",
    ])
    kept = salient_lines(screen, "why is my newsletter on?", limit=5)
    assert kept == ["Billing", "Invoice INV-20931", "Amount due $42.50", "Your card was declined", "Newsletter on"]


def test_chinese_lines_of_trouble_are_kept():
    screen = "\n".join(["首页", "订单", "我的", "设置", "帮助", "关于", "支付失败：银行卡已过期", "联系我们"])
    assert "支付失败：银行卡已过期" in salient_lines(screen, limit=3)


async def test_a_reply_opens_with_what_was_read_on_the_screenshot(settings):
    settings.KB_EMBEDDINGS = False
    conversation = await database_sync_to_async(new_conversation)()
    image = Image.new("RGB", (700, 180), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 30), "Upload failed", fill="black", font=ImageFont.truetype(LATIN_FONT, 28))
    draw.text((20, 100), "Error E1207: file larger than 25 MB", fill="black", font=ImageFont.truetype(LATIN_FONT, 24))

    def upload() -> str:
        client = Client()
        client.cookies.load(cookie_header(conversation.visitor_id))
        response = client.post(
            f"/conversations/{conversation.id}/attachments/", {"image": SimpleUploadedFile("shot.png", image_bytes(image, "PNG"), content_type="image/png")}
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    attachment_id = await database_sync_to_async(upload)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        frames = await say(socket, "m1", "what does this mean?", attachment_ids=[attachment_id])
    reply = frames[-1]["message"]
    assert reply["text"].startswith("**What I read on your screenshot:**")
    assert "> Error E1207: file larger than 25 MB" in reply["text"]
    assert frames[1]["type"] == "token" and frames[1]["text"].startswith("**What I read")  # streamed first
    assert reply["offers_person"] is False
