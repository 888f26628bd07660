"""The remote engine client (SUPPORTBOT_INFERENCE_URL) against a scripted OpenAI-compatible server
in this process (httpx's mock transport): what it sends, how it reads the stream, and what it does
when the server fails. tests/bridge/test_remote_engine.py runs it against a real third-party server."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import httpx2
import pytest
from django.apps import apps
from django.test import Client
from PIL import Image

from inference.types import (
    ChatMessage,
    EngineTimeout,
    Finished,
    GenerationRequest,
    InvalidRequest,
    SamplingParams,
    TokenDelta,
)
from supportbot.inference_bridge import engine_client, remote_client
from supportbot.inference_bridge.client import ImageFile, NoEngine, RequestLost
from supportbot.inference_bridge.remote_client import RemoteClient
from supportbot.inference_bridge.remote_request import chat_body
from bench.peer_server import free_port
from tests.chat_fixtures import screenshot_png

MARKER = "[[HANDOFF]]"
Handler = Callable[[httpx2.Request], httpx2.Response]


@pytest.fixture
def remote(monkeypatch):
    monkeypatch.setattr(remote_client, "RETRY_BACKOFF_S", (0.01, 0.01))
    seen: list[httpx2.Request] = []

    def serve(handler: Handler) -> RemoteClient:
        def recording(request: httpx2.Request) -> httpx2.Response:
            seen.append(request)
            return handler(request)

        http = httpx2.AsyncClient(transport=httpx2.MockTransport(recording))
        monkeypatch.setattr(remote_client, "_http", lambda: http)
        return RemoteClient("http://engine.test/v1/", "smol", key="sk-test")

    serve.seen = seen
    return serve


def chunk(content: str = "", finish: str | None = None, logprob: float | None = None) -> dict:
    choice = {"index": 0, "delta": {"content": content} if content else {}, "finish_reason": finish}
    if logprob is not None:
        choice["logprobs"] = {"content": [{"token": content, "logprob": logprob}]}
    return {"choices": [choice]}


def usage_chunk(prompt: int, completion: int, cached: int) -> dict:
    return {
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }


def sse(*chunks: dict, done: bool = True, then: Callable[[], AsyncIterator[bytes]] | None = None) -> httpx2.Response:
    async def body() -> AsyncIterator[bytes]:
        for item in chunks:
            yield f"data: {json.dumps(item)}\n\n".encode()
        if then is not None:
            async for more in then():
                yield more
        if done:
            yield b"data: [DONE]\n\n"

    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body())


def request(text: str = "Where is my parcel?", **sampling) -> GenerationRequest:
    return GenerationRequest(
        session_id="conv-1",
        messages=[ChatMessage("system", "Be brief."), ChatMessage("user", text)],
        sampling=SamplingParams(**sampling),
    )


async def collect(generation) -> list:
    return [event async for event in generation]


async def test_a_turn_streams_its_text_then_finishes_with_the_servers_usage(remote):
    client = remote(
        lambda r: sse(
            chunk("It ", logprob=-0.5), chunk("ships today.", logprob=-1.5), chunk(finish="stop"), usage_chunk(40, 2, 32)
        )
    )
    events = await collect(client.start(request(max_new_tokens=30, seed=7), affinity="conv-1"))
    assert [e.text for e in events if isinstance(e, TokenDelta)] == ["It ", "ships today."]
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.text == "It ships today."
    usage = finished.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens) == (40, 2, 32)
    assert usage.finish_reason == "stop" and usage.mean_logprob == -1.0 and usage.ttft_ms > 0

    sent = remote.seen[0]
    assert sent.url == "http://engine.test/v1/chat/completions"
    assert sent.headers["X-Session-ID"] == "conv-1" and sent.headers["Authorization"] == "Bearer sk-test"
    body = json.loads(sent.content)
    assert body["user"] == "conv-1" and body["model"] == "smol" and body["stream"] is True
    assert body["max_tokens"] == 30 and body["seed"] == 7 and body["temperature"] == 0.0
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Where is my parcel?"}]


async def test_the_handoff_marker_is_never_relayed_and_ends_the_reply_with_its_name(remote):
    async def more_than_wanted() -> AsyncIterator[bytes]:
        yield f"data: {json.dumps(chunk('ignored'))}\n\n".encode()
        await asyncio.sleep(30)

    response = sse(chunk("Let me get "), chunk("someone. [["), chunk("HANDOFF]] and"), then=more_than_wanted)
    client = remote(lambda r: response)
    events = await collect(client.start(request(stop=[MARKER])))
    relayed = "".join(e.text for e in events if isinstance(e, TokenDelta))
    assert relayed == "Let me get someone. " and "[" not in relayed
    assert events[-1].text == "Let me get someone. " and events[-1].usage.stop_string == MARKER
    assert events[-1].usage.completion_tokens == 3
    assert "stop" not in json.loads(remote.seen[0].content)  # found here, not by the server
    assert response.is_closed  # the server stops generating


async def test_a_held_back_start_of_a_marker_that_never_completes_is_relayed_at_the_end(remote):
    client = remote(lambda r: sse(chunk("Press [["), chunk(finish="length")))
    events = await collect(client.start(request(stop=[MARKER])))
    assert [e.text for e in events if isinstance(e, TokenDelta)] == ["Press ", "[["]
    assert events[-1].usage.finish_reason == "length" and events[-1].usage.stop_string == ""


async def test_past_wrap_up_after_the_reply_ends_at_a_sentence_end(remote):
    client = remote(lambda r: sse(chunk("One"), chunk(" two."), chunk(" Three"), chunk(" four.")))
    events = await collect(client.start(request(wrap_up_after=2)))
    assert events[-1].text == "One two." and events[-1].usage.finish_reason == "stop"


async def test_a_server_that_is_down_or_overloaded_is_tried_again_before_anything_streamed(remote):
    answers = iter([httpx2.Response(503, text="loading"), "connect-error", sse(chunk("Hi."), chunk(finish="stop"))])

    def flaky(r: httpx2.Request) -> httpx2.Response:
        answer = next(answers)
        if answer == "connect-error":
            raise httpx2.ConnectError("refused", request=r)
        return answer

    client = remote(flaky)
    generation = client.start(request())
    events = await collect(generation)
    assert events[-1].text == "Hi." and generation.attempts == 3


async def test_a_server_down_at_every_try_makes_the_turn_unavailable(remote):
    def down(r: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=r)

    client = remote(down)
    with pytest.raises(NoEngine):
        await collect(client.start(request()))
    assert len(remote.seen) == 3
    assert not await client.available()
    assert (await client.readiness()).detail == "remote engine unreachable"


async def test_a_stream_that_breaks_after_text_was_relayed_is_lost_not_repeated(remote):
    async def broken() -> AsyncIterator[bytes]:
        raise httpx2.ReadError("connection reset")
        yield b""  # an async generator

    client = remote(lambda r: sse(chunk("Half an "), done=False, then=broken))
    with pytest.raises(RequestLost):
        await collect(client.start(request()))
    assert len(remote.seen) == 1


async def test_a_request_the_server_rejects_says_why(remote):
    error = {"error": {"message": "This model's maximum context length is 2048 tokens.", "code": 400}}
    client = remote(lambda r: httpx2.Response(400, json=error))
    with pytest.raises(InvalidRequest, match="maximum context length"):
        await collect(client.start(request()))
    assert len(remote.seen) == 1


async def test_closing_a_generation_closes_its_stream(remote):
    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield f"data: {json.dumps(chunk('la '))}\n\n".encode()
            await asyncio.sleep(0.01)

    response = sse(done=False, then=endless)
    client = remote(lambda r: response)
    generation = client.start(request())
    async for event in generation:
        assert isinstance(event, TokenDelta)
        break
    generation.close()
    for _ in range(100):
        if response.is_closed:
            break
        await asyncio.sleep(0.01)
    assert response.is_closed


async def test_stop_ends_a_reader_waiting_for_the_next_piece_at_once(remote):
    """The chat's Stop closes the generation while its reply task waits for the next event."""
    async def slow() -> AsyncIterator[bytes]:
        yield f"data: {json.dumps(chunk('First '))}\n\n".encode()
        await asyncio.sleep(30)
        yield b""

    client = remote(lambda r: sse(done=False, then=slow))
    generation = client.start(request())
    read: list = []

    async def reader() -> None:
        async for event in generation:
            read.append(event)

    reading = asyncio.create_task(reader())
    while not read:
        await asyncio.sleep(0.01)
    generation.close()
    await asyncio.wait_for(reading, 2)
    assert [e.text for e in read] == ["First "]


async def test_a_server_that_never_answers_times_out(remote):
    async def silent() -> AsyncIterator[bytes]:
        await asyncio.sleep(30)
        yield b""

    client = remote(lambda r: sse(done=False, then=silent))
    with pytest.raises(EngineTimeout):
        await collect(client.start(GenerationRequest("c", [ChatMessage("user", "hi")], timeout_s=0.3)))


async def test_readiness_asks_the_servers_health_and_falls_back_to_its_model_list(remote):
    paths: dict[str, int] = {"/health": 404, "/v1/models": 200}
    client = remote(lambda r: httpx2.Response(paths[r.url.path], json={}))
    assert (await client.readiness()).ok
    assert [r.url.path for r in remote.seen] == ["/health", "/v1/models"]
    paths["/v1/models"] = 503
    assert not (await client.readiness()).ok


def stored_screenshot(tmp_path, label: str) -> ImageFile:
    path = tmp_path / f"{label}.png"
    path.write_bytes(screenshot_png(size=(480, 160), label=label))
    return ImageFile(str(path))


def test_screenshots_go_as_ocr_text_to_text_only_models_and_as_data_urls_to_vision_ones(tmp_path):
    shot = stored_screenshot(tmp_path, "ERROR 4711")
    turn = GenerationRequest("c", [ChatMessage("user", "What does this mean?", images=[shot])])

    text_only = chat_body(turn, "smol", vision=False, affinity="c")["messages"][0]["content"]
    assert text_only.startswith("[Screenshot 1 text]\n") and "4711" in text_only
    assert text_only.endswith("What does this mean?")

    parts = chat_body(turn, "glm", vision=True, affinity="c")["messages"][0]["content"]
    assert parts[-1] == {"type": "text", "text": "What does this mean?"}
    url = parts[0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == open(shot.path, "rb").read()


def test_the_next_turns_body_starts_with_this_turns_messages_unchanged(tmp_path):
    """The server's prefix cache reuses the history only if it is sent the same way every turn."""
    shot = stored_screenshot(tmp_path, "Code 42")
    first = [ChatMessage("system", "Be brief."), ChatMessage("user", "Look:", images=[shot])]
    second = [*first, ChatMessage("assistant", "That is code 42."), ChatMessage("user", "And now?")]
    for vision in (False, True):
        turn1 = chat_body(GenerationRequest("c", first), "m", vision, "c")["messages"]
        turn2 = chat_body(GenerationRequest("c", second), "m", vision, "c")["messages"]
        assert turn2[: len(turn1)] == turn1


def test_an_image_given_in_memory_goes_as_png():
    image = Image.new("RGB", (40, 30), "red")
    body = chat_body(GenerationRequest("", [ChatMessage("user", "?", images=[image])]), "m", True, "x")
    assert body["messages"][0]["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")


def test_an_inference_url_makes_the_remote_client_this_processes_engine_client(settings):
    settings.SUPPORTBOT_INFERENCE_URL = "http://vllm:8000/v1"
    settings.SUPPORTBOT_INFERENCE_MODEL = "zai-org/GLM-4.6V-Flash"
    settings.SUPPORTBOT_INFERENCE_VISION = True
    config = apps.get_app_config("inference_bridge")
    embedded = config.client
    try:
        config.ready()
        client = engine_client()
        assert isinstance(client, RemoteClient) and client.vision and client.local_engine() is None
        assert client.server_url == "http://vllm:8000" and client.model == "zai-org/GLM-4.6V-Flash"
    finally:
        config.client = embedded


@pytest.mark.parametrize(
    ("environment", "error"),
    [
        ({"SUPPORTBOT_INFERENCE_URL": "vllm:8000/v1", "SUPPORTBOT_INFERENCE_MODEL": "m"}, "not an http(s) URL"),
        ({"SUPPORTBOT_INFERENCE_URL": "http://vllm:8000/v1"}, "set SUPPORTBOT_INFERENCE_MODEL"),
        ({"SUPPORTBOT_INFERENCE_URL": "http://vllm:8000/v1", "SUPPORTBOT_INFERENCE_MODEL": "m",
          "SUPPORTBOT_INFERENCE_VISION": "maybe"}, "not a boolean"),
    ],
)
def test_a_bad_remote_engine_setting_stops_the_start_with_a_clear_error(environment, error):
    started = subprocess.run(
        [sys.executable, "-c", "import supportbot.settings"],
        env={**os.environ, "SUPPORTBOT_INFERENCE_MODEL": "", **environment},
        capture_output=True, text=True, timeout=60,
    )
    assert started.returncode != 0 and error in started.stderr


@pytest.mark.django_db
def test_readiness_asks_the_remote_engine_itself_even_with_redis_down(settings, monkeypatch):
    """With a remote engine, Redis carries no inference: its outage says nothing about the engine."""
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.SUPPORTBOT_INFERENCE_URL = f"http://127.0.0.1:{free_port()}/v1"
    client = RemoteClient(settings.SUPPORTBOT_INFERENCE_URL, "m")
    monkeypatch.setattr(apps.get_app_config("inference_bridge"), "client", client)
    ready = Client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["inference"] == "remote engine unreachable"
