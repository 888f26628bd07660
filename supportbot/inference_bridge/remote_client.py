"""The client of a remote OpenAI-compatible engine (vLLM, SGLang, llama.cpp's server), for
deployments past one GPU: SUPPORTBOT_INFERENCE_URL (docs/deploy.md).

A request is one streamed `/chat/completions` call (remote_request.py builds its body,
remote_reply.py reads its chunks). It carries its conversation id as the `X-Session-ID` header and
as `user`, so that a session-affine router keeps a conversation on the replica holding its prefix
cache. A call that fails before any text was relayed (server down, restarting, overloaded) is made
again after a backoff; once text was relayed, a broken stream ends the request with RequestLost,
as a worker lost mid-reply does. Closing the generation closes the stream, which the server takes
as a cancellation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx2
from prometheus_client import Counter

from inference.types import EngineTimeout, Event, Finished, GenerationRequest, InferenceError, InvalidRequest
from supportbot.inference_bridge.client import Generation, NoEngine, Readiness, RequestLost
from supportbot.inference_bridge.redis_client import ENGINE_REQUEST_TIMEOUT_S, LOST
from supportbot.inference_bridge.remote_reply import RemoteReply
from supportbot.inference_bridge.remote_request import chat_body

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

SESSION_HEADER = "X-Session-ID"
# Waits before the 2nd and 3rd try of a call that failed before any text was relayed: long enough
# to ride out a replica's restart behind a router, short enough for a visitor who waits.
RETRY_BACKOFF_S = (0.5, 2.0)
CONNECT_TIMEOUT_S = 5.0
HEALTH_TIMEOUT_S = 2.0
# How long a health answer is believed by available() (each turn asks).
HEALTH_TTL_S = 1.0
# Statuses that say "not now" rather than "never": try again.
RETRIED_STATUSES = {408, 429, 500, 502, 503, 504}
REFUSED = "The inference server refused the request."

REMOTE_REQUESTS = Counter(
    "supportbot_remote_engine_requests",
    "Requests to the remote inference engine, by how they ended.",
    ["outcome"],
)
REMOTE_RETRIES = Counter("supportbot_remote_engine_retries", "Remote engine calls made again after a failure.")

_http_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx2.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def _http() -> httpx2.AsyncClient:
    """One pooled client per event loop: connections cannot move between loops."""
    loop = asyncio.get_running_loop()
    client = _http_clients.get(loop)
    if client is None:
        timeout = httpx2.Timeout(None, connect=CONNECT_TIMEOUT_S)  # the request's deadline bounds the rest
        limits = httpx2.Limits(max_connections=512, max_keepalive_connections=64)
        client = _http_clients[loop] = httpx2.AsyncClient(timeout=timeout, limits=limits)
    return client


class Retry(Exception):
    """This try failed in a way that another may not."""


class RemoteGeneration:
    def __init__(self, client: RemoteClient, request: GenerationRequest, affinity: str) -> None:
        self.worker_id = client.server_url
        self.attempts = 0
        self.model = client.model
        self._client = client
        self._request = request
        self._affinity = affinity or request.session_id or uuid.uuid4().hex
        # Events to read, an error to raise, or None: closed, stop reading.
        self._events: asyncio.Queue[Event | BaseException | None] = asyncio.Queue()
        self._running = asyncio.ensure_future(self._run())  # submitted now, read later

    async def __aiter__(self) -> AsyncIterator[Event]:
        try:
            while True:
                event = await self._events.get()
                if event is None:
                    return
                if isinstance(event, BaseException):
                    raise event
                yield event
                if isinstance(event, Finished):
                    return
        finally:
            self.close()

    def close(self) -> None:
        """Stop, and a reader waiting for the next event with it: closing the stream cancels the
        request on the server."""
        self._running.cancel()
        self._events.put_nowait(None)

    async def _run(self) -> None:
        limit_s = self._request.timeout_s or ENGINE_REQUEST_TIMEOUT_S
        started_at = time.monotonic()
        outcome = "ok"
        try:
            async with asyncio.timeout(limit_s):
                # Reading screenshots (and OCR for text-only models) blocks: off the event loop.
                body = await asyncio.to_thread(
                    chat_body,
                    self._request,
                    self._client.model,
                    self._client.vision,
                    self._affinity,
                    self._client.extra_body,
                )
                reply = await self._call_with_retries(body, started_at)
            for event in reply.finished():
                self._events.put_nowait(event)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except TimeoutError:
            outcome = "timeout"
            self._events.put_nowait(EngineTimeout(f"no answer from the inference server within {limit_s:.0f} s"))
        except InferenceError as error:
            outcome = type(error).__name__
            self._events.put_nowait(error)
        except Exception:  # whatever else broke: the reader must still hear of it
            log.exception("remote inference request failed")
            outcome = "error"
            self._events.put_nowait(InferenceError(REFUSED))
        finally:
            REMOTE_REQUESTS.labels(outcome).inc()

    async def _call_with_retries(self, body: dict, started_at: float) -> RemoteReply:
        """The reply of the first call that streams to its end."""
        while True:
            self.attempts += 1
            reply = RemoteReply(self._request.sampling, started_at)  # nothing kept from a failed try
            try:
                await self._call(body, reply)
                return reply
            except (Retry, httpx2.TransportError) as error:
                if reply.streamed:
                    log.warning("remote inference stream broke after text was relayed: %r", error)
                    raise RequestLost(LOST) from error
                if self.attempts > len(RETRY_BACKOFF_S):
                    log.warning("remote inference server failed %d times; last: %r", self.attempts, error)
                    raise NoEngine() from error
                backoff_s = RETRY_BACKOFF_S[self.attempts - 1]
                log.warning("remote inference call failed (%r); trying again in %.1f s", error, backoff_s)
                REMOTE_RETRIES.inc()
                await asyncio.sleep(backoff_s)

    async def _call(self, body: dict, reply: RemoteReply) -> None:
        headers = {SESSION_HEADER: self._affinity, **self._client.auth_headers}
        url = f"{self._client.base_url}/chat/completions"
        async with _http().stream("POST", url, json=body, headers=headers) as response:
            if response.status_code != 200:
                await self._refused(response)
            async for sse in httpx2.EventSource(response):
                if sse.data.strip() == "[DONE]":
                    return
                chunk = json.loads(sse.data)
                if "error" in chunk:  # vLLM reports an error met mid-stream as a chunk
                    raise Retry(str(chunk["error"]))
                for delta in reply.add(chunk):
                    self._events.put_nowait(delta)
                if reply.ended_here:
                    return  # closing the stream stops the server's generation
        if not reply.ended:
            raise Retry("the stream ended before the reply did")

    @staticmethod
    async def _refused(response: httpx2.Response) -> None:
        detail = (await response.aread()).decode(errors="replace")[:500]
        if response.status_code in RETRIED_STATUSES:
            raise Retry(f"HTTP {response.status_code}: {detail}")
        log.warning("the inference server refused a request: HTTP %s: %s", response.status_code, detail)
        if response.status_code == 400:  # the request itself (too long, a bad image): the caller's
            raise InvalidRequest(_server_message(detail) or REFUSED)
        raise InferenceError(REFUSED)


def _server_message(body: str) -> str:
    """The message of an OpenAI-style error body (`{"error": {"message": ...}}`, vLLM's `{"message": ...}`)."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    error = data.get("error", data) if isinstance(data, dict) else {}
    message = error.get("message", "") if isinstance(error, dict) else str(error)
    return str(message)[:300]


class RemoteClient:
    """Requests go to one OpenAI-compatible base URL: a server, or a router in front of replicas."""

    def __init__(
        self, base_url: str, model: str, key: str = "", vision: bool = False, extra_body: dict | None = None
    ) -> None:
        """`base_url`: as `vllm serve` prints it, ending in /v1; `vision`: whether the model sees
        images (else screenshots go as OCR text); `extra_body`: server-specific fields for every
        request (bench/peers.py's end-of-text ban on a server without `ignore_eos`)."""
        self.base_url = base_url.rstrip("/")
        # vLLM, SGLang and llama.cpp answer /health beside /v1, not under it.
        self.server_url = self.base_url.removesuffix("/v1")
        self.model = model
        self.vision = vision
        self.extra_body = extra_body or {}
        self.auth_headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._health_seen: tuple[float, Readiness] = (0.0, Readiness(False, "not asked yet"))

    def prepare(self) -> None:
        pass  # the server holds the model

    def start(self, request: GenerationRequest, affinity: str = "") -> Generation:
        return RemoteGeneration(self, request, affinity)

    async def available(self) -> bool:
        seen_at, health = self._health_seen
        if time.monotonic() - seen_at > HEALTH_TTL_S:
            health = await self.readiness()
        return health.ok

    async def readiness(self) -> Readiness:
        """The server's own /health (a router's, in front of replicas); servers without one are
        asked for their model list."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                response = await _http().get(f"{self.server_url}/health", headers=self.auth_headers)
                if response.status_code == 404:
                    response = await _http().get(f"{self.base_url}/models", headers=self.auth_headers)
            health = (
                Readiness(True, "remote engine healthy")
                if response.status_code == 200
                else Readiness(False, f"remote engine unhealthy (HTTP {response.status_code})")
            )
        except (httpx2.TransportError, TimeoutError) as error:
            log.warning("remote inference server unreachable: %r", error)
            health = Readiness(False, "remote engine unreachable")
        self._health_seen = (time.monotonic(), health)
        return health

    def local_engine(self) -> Engine | None:
        return None
