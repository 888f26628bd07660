"""Screenshot uploads: accepted by content, re-encoded clean, refused with a clear HTTP error."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

import pytest
from channels.testing import HttpCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw, ImageFont

from supportbot.asgi import application
from supportbot.chat import views
from supportbot.chat.models import Attachment
from supportbot.chat.rate_limit import VisitorRateLimiter
from tests.agent_fixtures import role
from tests.chat_fixtures import cookie_header, image_bytes, new_conversation, screenshot_png
from tests.ops_fixtures import ops_user

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_limit(monkeypatch, settings):
    """A fresh per-visitor upload bucket for each test; tests may shrink it."""
    limiter = VisitorRateLimiter(settings.UPLOAD_BURST, settings.UPLOADS_PER_SECOND)
    monkeypatch.setattr(views, "upload_rate_limiter", limiter)
    return limiter


@pytest.fixture
def conversation():
    return new_conversation()


@pytest.fixture
def client(conversation):
    client = Client()
    client.cookies.load(cookie_header(conversation.visitor_id))
    return client


def upload(client: Client, conversation, data: bytes, name: str = "shot.png"):
    return client.post(
        f"/conversations/{conversation.id}/attachments/",
        {"image": SimpleUploadedFile(name, data, content_type="image/png")},
    )


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb's first bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_png_is_stored_under_a_random_name_and_served_to_its_owner(client, conversation):
    response = upload(client, conversation, screenshot_png((320, 200)))
    assert response.status_code == 201
    body = response.json()
    assert (body["width"], body["height"], body["content_type"]) == (320, 200, "image/png")
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.conversation == conversation and attachment.message is None
    assert "shot" not in attachment.file.name and len(attachment.sha256) == 64

    served = client.get(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (320, 200)


def test_jpeg_orientation_is_applied_and_metadata_dropped(client, conversation):
    photo = Image.new("RGB", (80, 40), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: display 90 degrees clockwise
    exif[0x010E] = "secret description"
    response = upload(client, conversation, image_bytes(photo, "JPEG", exif=exif), "photo.jpg")
    assert response.status_code == 201
    body = response.json()
    assert (body["width"], body["height"], body["content_type"]) == (40, 80, "image/jpeg")
    stored = Image.open(Attachment.objects.get(pk=body["id"]).file.path)
    assert not stored.getexif()
    assert b"secret" not in open(stored.filename, "rb").read()


@pytest.mark.parametrize("image_format", ["WEBP", "GIF"])
def test_webp_and_gif_are_accepted_as_png(client, conversation, image_format):
    frames = [Image.new("RGB", (30, 20), color) for color in ("blue", "green")]
    data = image_bytes(frames[0], image_format, save_all=True, append_images=frames[1:])
    response = upload(client, conversation, data, "anim.gif")
    assert response.status_code == 201
    stored = Image.open(Attachment.objects.get(pk=response.json()["id"]).file.path)
    assert stored.format == "PNG" and stored.size == (30, 20)
    assert stored.convert("RGB").getpixel((5, 5))[2] > 200  # the first (blue) frame


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"%PDF-1.4 not an image at all" * 10, "invoice.png", 415, "unsupported_type"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "icon.svg",
            415,
            "unsupported_type",
        ),
        (
            image_bytes(Image.new("RGB", (200, 200), "blue"), "BMP"),
            "old.png",
            415,
            "unsupported_type",
        ),
        (
            image_bytes(Image.new("RGB", (400, 300), "red"), "JPEG")[:700],
            "cut.jpg",
            422,
            "bad_image",
        ),
        (png_claiming_size(30_000, 30_000), "bomb.png", 422, "bad_image"),
        (b"", "empty.png", 415, "unsupported_type"),
    ],
    ids=["renamed-pdf", "svg", "bmp", "truncated-jpeg", "decompression-bomb", "empty"],
)
def test_bad_files_are_refused_by_content(client, conversation, data, name, status, code):
    response = upload(client, conversation, data, name)
    assert response.status_code == status, response.content
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert not Attachment.objects.exists()


def test_file_over_ten_megabytes_is_refused(client, conversation, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = upload(client, conversation, b"\x89PNG" + b"\x00" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


async def test_fifty_megabyte_request_is_refused_before_its_body_is_read():
    conversation_path = f"/conversations/{uuid.uuid4()}/attachments/"
    http = HttpCommunicator(
        application,
        "POST",
        conversation_path,
        body=b"x" * 1024,
        headers=[
            (b"content-length", str(50 * 1024 * 1024).encode()),
            (b"content-type", b"multipart/form-data; boundary=x"),
        ],
    )
    response = await http.get_response(timeout=10)
    assert response["status"] == 413


def test_upload_to_a_foreign_conversation_is_not_found(client):
    foreign = new_conversation()
    response = upload(client, foreign, screenshot_png())
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_attachment_is_hidden_from_other_visitors_but_not_from_staff_in_a_role(
    client, conversation, django_user_model
):
    url = upload(client, conversation, screenshot_png()).json()["url"]
    stranger = Client()
    stranger.cookies.load(cookie_header(uuid.uuid4()))
    assert stranger.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    # A conversation never handed to people is the bot's: supervisors see it, agents do not
    # (the console's rule, agents.access; tests/security/test_screenshot_scope.py).
    for name, expected in (("supervisors", 200), ("agents", 404)):
        staff = Client()
        user = django_user_model.objects.create_user(name, is_staff=True)
        user.groups.add(role(name))
        staff.force_login(user)
        assert staff.get(url).status_code == expected, name
    ops = Client()
    ops.force_login(ops_user())
    assert ops.get(url).status_code == 200


def test_staff_without_a_role_cannot_fetch_a_screenshot(client, conversation, django_user_model):
    url = upload(client, conversation, screenshot_png()).json()["url"]
    clerk = Client()
    clerk.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    assert clerk.get(url).status_code == 403
    assert client.get(url).status_code == 200  # the visitor still sees their own


def test_upload_needs_the_csrf_token(conversation):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies.load(cookie_header(conversation.visitor_id))
    response = upload(strict, conversation, screenshot_png())
    assert response.status_code == 403
    page = strict.get("/")
    token = page.cookies["csrftoken"].value
    ok = strict.post(
        f"/conversations/{conversation.id}/attachments/",
        {"image": SimpleUploadedFile("a.png", screenshot_png())},
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 201


def test_upload_flood_is_rate_limited(client, conversation, upload_limit):
    upload_limit.burst = 2
    statuses = [upload(client, conversation, screenshot_png()).status_code for _ in range(4)]
    assert statuses[:2] == [201, 201] and statuses[2:] == [429, 429]


def test_the_text_on_a_screenshot_is_read_at_upload_in_english_and_chinese(client, conversation):
    image = Image.new("RGB", (720, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 30), "Payment failed: ERR-4031", fill="black", font=ImageFont.truetype(LATIN_FONT, 28))
    draw.text((20, 110), "银行卡已过期，请更新付款方式", fill="black", font=ImageFont.truetype(CJK_FONT, 28))
    response = upload(client, conversation, image_bytes(image, "PNG"))
    assert response.status_code == 201
    text = Attachment.objects.get(pk=response.json()["id"]).text
    assert "ERR-4031" in text and "银行卡已过期" in text


def test_a_greyed_out_button_is_read_as_greyed_out(client, conversation):
    image = Image.new("RGB", (700, 220), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(LATIN_FONT, 24)
    draw.text((20, 20), "Error ERR-4031: card declined", fill="black", font=font)
    draw.rectangle([20, 110, 220, 160], fill=(235, 235, 235))
    draw.text((40, 120), "Submit order", fill=(150, 150, 150), font=font)  # disabled
    draw.rectangle([300, 110, 520, 160], fill=(30, 90, 200))
    draw.text((320, 120), "Update card", fill="white", font=font)
    response = upload(client, conversation, image_bytes(image, "PNG"))
    text = Attachment.objects.get(pk=response.json()["id"]).text
    assert "Submit order (greyed out)" in text
    assert "Update card (greyed out)" not in text and "declined (greyed out)" not in text
