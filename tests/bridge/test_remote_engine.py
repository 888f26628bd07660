"""SupportBot served by a real third-party engine: llama.cpp's OpenAI-compatible server
(bench/peer_server.py, built by `make peer-server`) serving the packaged SmolLM2-135M, with the
web app started as a real process pointed at it (SUPPORTBOT_INFERENCE_URL). A chat of three turns
(the first with a screenshot, read by OCR for this text-only model) streams its frames and keeps
the server's prefix cache warm; Stop cancels a reply; a server that is down makes turns
`unavailable` and the app not ready."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time

import pytest
import requests

from bench.peer_server import MODEL_ALIAS, llama_server, peer_python
from tests.chat_fixtures import screenshot_png
from tests.live_app import LiveApp, Visitor, live_app, turn

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    try:
        peer_python()
    except FileNotFoundError as missing:  # `make test` builds it; CI must not pass without it
        (pytest.fail if os.environ.get("CI") else pytest.skip)(str(missing))
    with llama_server(tmp_path_factory.mktemp("peer") / "llama-server.log") as server:
        yield server


@pytest.fixture
def app(peer, tmp_path):
    env = {
        "SUPPORTBOT_INFERENCE_URL": peer.base_url,
        "SUPPORTBOT_INFERENCE_MODEL": MODEL_ALIAS,
        "SUPPORTBOT_VAR_DIR": str(tmp_path / "var"),
        "SUPPORTBOT_MAX_NEW_TOKENS": "40",
    }
    with live_app(env, tmp_path) as running:
        yield running


def upload(app: LiveApp, visitor: Visitor, png: bytes) -> str:
    csrf = dict(part.split("=", 1) for part in visitor.cookie.split("; "))["csrftoken"]
    response = requests.post(
        f"{app.base_url}/conversations/{visitor.conversation_id}/attachments/",
        files={"image": ("screen.png", png, "image/png")},
        headers={"Cookie": visitor.cookie, "X-CSRFToken": csrf},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["id"]


def stored_usage(app: LiveApp, conversation_id: str) -> list[tuple[int, int, str]]:
    """(prompt_tokens, cached_tokens, finish_reason) of each bot reply, oldest first."""
    with sqlite3.connect(os.path.join(app.env["SUPPORTBOT_VAR_DIR"], "supportbot.sqlite3")) as db:
        return db.execute(
            "SELECT prompt_tokens, cached_tokens, finish_reason FROM chat_message"
            " WHERE conversation_id = ? AND role = 'assistant' ORDER BY id",
            (conversation_id.replace("-", ""),),
        ).fetchall()


async def test_a_chat_streams_through_the_server_reusing_its_prefix_cache_and_stop_cancels(app, peer):
    logged_before = len(peer.prefix_hits())
    visitor = app.visit()
    screenshot = upload(app, visitor, screenshot_png(size=(480, 160), label="ERROR 4711 Card declined"))
    async with app.socket(visitor) as socket:
        await socket.send(json.dumps({
            "type": "send", "client_message_id": "m1", "text": "My payment fails with this.",
            "attachment_ids": [screenshot],
        }))
        frames = []
        while not frames or frames[-1]["type"] not in ("reply.end", "error"):
            frames.append(json.loads(await socket.recv()))
        replies = [frames]
        for n, text in enumerate(["What does that error mean?", "How do I pay another way?"], 2):
            replies.append(await turn(socket, f"m{n}", text))
        for frames in replies:
            tokens = [f for f in frames if f["type"] == "token"]
            end = frames[-1]
            assert end["type"] == "reply.end", frames
            assert tokens and "".join(f["text"] for f in tokens).strip() == end["message"]["text"].strip()
            assert end["message"]["state"] == "done" and end["message"]["finish_reason"] in ("stop", "length")

        await socket.send(json.dumps({"type": "send", "client_message_id": "m4", "text": "Tell me everything you know."}))
        frames = [json.loads(await socket.recv())]
        while frames[-1]["type"] != "token":
            frames.append(json.loads(await socket.recv()))
        await socket.send(json.dumps({"type": "cancel", "message_id": frames[-1]["message_id"]}))
        async with asyncio.timeout(10):  # at once, not at the reply's deadline
            while frames[-1]["type"] != "reply.end":
                frames.append(json.loads(await socket.recv()))
        assert frames[-1]["message"]["finish_reason"] == "cancelled"

    usage = stored_usage(app, visitor.conversation_id)
    assert [reason for _, _, reason in usage][-1] == "cancelled" and len(usage) == 4
    if any(cached for _, cached, _ in usage):  # servers that report it: vLLM, SGLang
        assert all(cached > 0 for _, cached, _ in usage[1:3])
    # llama-cpp-python reports no usage when streaming, but logs each request that found part of
    # its prompt in the cache (a cold one logs nothing). Turns 2 to 4 each found one, and each
    # reused at least the whole prompt of the turn before: the history is sent the same way
    # every turn.
    hits = peer.prefix_hits()[logged_before:]
    assert len(hits) == 3, hits
    for (hit, _), (previous_hit, previous_rest) in zip(hits[1:], hits[:-1]):
        assert hit >= previous_hit + previous_rest, hits


async def test_a_server_that_is_down_makes_turns_unavailable_and_the_app_not_ready(app, peer):
    visitor = app.visit()
    assert requests.get(f"{app.base_url}/readyz", timeout=10).status_code == 200
    peer.stop()
    time.sleep(1.5)  # past the client's memory of the last health answer
    async with app.socket(visitor) as socket:
        frames = await turn(socket, "m1", "Hello?")
    assert frames[-1]["type"] == "error" and frames[-1]["code"] == "unavailable"
    ready = requests.get(f"{app.base_url}/readyz", timeout=10)
    assert ready.status_code == 503 and "inference" in ready.json()["failed"]
