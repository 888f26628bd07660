"""The client of inference engines: the one way the rest of SupportBot reaches a model.

    generation = engine_client().start(request)   # submitted at once
    async for event in generation:                # TokenDelta ..., then Finished
        ...
    generation.close()                            # cancels the request unless it finished

`InProcessClient` runs the engine inside this process (the embedded setup); `RedisClient`
(redis_client.py) hands requests to `manage.py inference_worker` processes. One is built per
process, at start-up, by this app's config. Nothing here knows about conversations, frames or the
database: callers pass a GenerationRequest and read engine events.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cachetools import LRUCache
from django.conf import settings
from PIL import Image

from inference.types import ChatMessage, Event, GenerationRequest, InferenceError

if TYPE_CHECKING:
    from inference.engine import Engine
    from inference.event_stream import EventStream

NO_WORKER = "No inference worker is available right now. Please try again in a moment."


class NoEngine(InferenceError):
    """No engine can take the request (no live worker, or its queue is full)."""

    def __init__(self) -> None:
        super().__init__(NO_WORKER)


class RequestLost(InferenceError):
    """The engine running a request was lost after it had streamed part of the reply: only the
    caller can say whether to start it again."""


@dataclass(frozen=True)
class ImageFile:
    """A screenshot on storage that the engine's host can read (the web process and the workers
    share the media volume): requests carry the path, and the host decodes it when it runs."""

    path: str


@dataclass(frozen=True)
class Readiness:
    ok: bool
    detail: str


class Generation(Protocol):
    """One submitted request. `worker_id`, `attempts` and `model` say where and how often it ran
    (a request whose worker was lost before it streamed anything is submitted again), and which
    model answered (known by its Finished event)."""

    worker_id: str
    attempts: int
    model: str

    def __aiter__(self) -> AsyncIterator[Event]: ...

    def close(self) -> None: ...


class EngineClient(Protocol):
    def prepare(self) -> None:
        """Someone is about to ask: load the model now if it lives in this process."""

    def start(self, request: GenerationRequest, affinity: str = "") -> Generation:
        """Submit `request` now. `affinity`: requests with the same key go to the same worker
        while it lives, where their KV cache is (the conversation, or a prefix fingerprint)."""

    async def available(self) -> bool:
        """Whether a request would be taken now."""

    async def readiness(self) -> Readiness:
        """For /readyz: can this process's turns be answered?"""

    def local_engine(self) -> Engine | None:
        """The engine running in this process, if any (metrics)."""


# Decoded screenshots by path, bounded by their pixels' bytes (a count would let a few 25 Mpx
# images take gigabytes). Stored screenshots were checked and re-encoded on upload; every turn
# resends them, so the decoded images of recent conversations stay in memory.
def _rgb_bytes(image: Image.Image) -> int:
    return 3 * image.width * image.height


_decoded: LRUCache[str, Image.Image] = LRUCache(maxsize=settings.DECODED_IMAGE_CACHE_BYTES, getsizeof=_rgb_bytes)
_decoded_lock = threading.Lock()


def decoded_image(path: str) -> Image.Image:
    """The screenshot stored at `path`, decoded; raises FileNotFoundError once it was erased."""
    with _decoded_lock:
        image = _decoded.get(path)
    if image is not None and os.path.exists(path):
        return image
    with Image.open(path) as stored:
        image = stored.convert("RGB")
    with _decoded_lock:
        if _rgb_bytes(image) <= _decoded.maxsize:  # else it is larger than the whole cache
            _decoded[path] = image
    return image


def forget_erased_images() -> None:
    """Drop the decoded screenshots whose files were erased (retention, unsent uploads): whatever
    process erased them, this one keeps no copy past its next request."""
    with _decoded_lock:
        for path in [path for path in _decoded if not os.path.exists(path)]:
            del _decoded[path]


def forget_prepared_images(paths: Iterable[str]) -> None:
    """Call before erasing the screenshots at `paths`: the engine running in this process, if
    any, drops what it prepared from them (pixel patches or OCR text, cached by pixel hash, so each
    file is decoded again unless its decoded copy is still here). Inference workers in other
    processes keep theirs until it ages out of their byte-bounded cache: a key that only the
    erased pixels can produce, so no request reaches it again."""
    from supportbot.inference_bridge import engine_client

    engine = engine_client().local_engine()
    if engine is None:
        return
    for path in paths:
        with _decoded_lock:
            image = _decoded.get(path)
        try:
            if image is None:
                with Image.open(path) as stored:
                    image = stored.convert("RGB")
        except OSError:  # gone already, or not an image: nothing the engine could have prepared
            continue
        engine.media.forget(image)


def with_decoded_images(request: GenerationRequest) -> GenerationRequest:
    """The request with every ImageFile decoded, as the engine takes it (blocking: disk and
    decoding)."""
    forget_erased_images()
    messages = [
        ChatMessage(
            m.role,
            m.text,
            images=[decoded_image(i.path) if isinstance(i, ImageFile) else i for i in m.images],
        )
        for m in request.messages
    ]
    return GenerationRequest(
        request.session_id, messages, request.sampling, request.timeout_s, request.request_id
    )


def load_engine(model_name: str, kv_budget_bytes: int, max_batch: int) -> Engine:
    """Load a model and start its engine (blocking: seconds for a real model). torch is imported
    here, lazily, so that processes without an engine never load it."""
    import atexit
    import gc

    from inference import TRANSFORMERS_LOCK

    with TRANSFORMERS_LOCK:
        from inference.engine import Engine, EngineConfig
        from inference.models import load_model
        from inference.models.hub import default_model_spec

        loaded = load_model(model_name or default_model_spec())
    config = EngineConfig(kv_budget_bytes=kv_budget_bytes, max_batch=max_batch)
    engine = Engine(loaded, config).start()
    # Stopped before the interpreter goes: torch must not be mid-step in a thread then.
    atexit.register(engine.shutdown)
    # The model and libraries just loaded are millions of long-lived objects: out of the cyclic
    # collector's sight, its full collections take milliseconds instead of ~300 ms during which
    # every stream of the process stood still.
    gc.freeze()
    return engine


class InProcessGeneration:
    def __init__(self, client: InProcessClient, request: GenerationRequest) -> None:
        self.worker_id = client.worker_id
        self.attempts = 1
        self.model = ""
        self._stream: EventStream | None = None
        self._closed = False
        engine = client.local_engine()
        if engine is not None and not any(m.images for m in request.messages):
            # Text only, engine loaded: submitted before this returns (a task would first wait its
            # turn behind the loop's other work, and that wait counts in the time to first token).
            self._started: asyncio.Future[None] = self._submit(engine, request)
        else:
            self._started = asyncio.ensure_future(self._start(client, request))
        # A refused request (InvalidRequest) is raised to the reader; unread, nobody asks.
        self._started.add_done_callback(lambda started: started.cancelled() or started.exception())

    def _submit(self, engine: Engine, request: GenerationRequest) -> asyncio.Future[None]:
        self.model = str(engine.stats().get("model", ""))
        self._stream = engine.event_stream(request)
        return self._stream.start_now()

    async def _start(self, client: InProcessClient, request: GenerationRequest) -> None:
        # Loading the model and decoding screenshots block: off the event loop, in one hop.
        engine, request = await asyncio.to_thread(lambda: (client.load(), with_decoded_images(request)))
        if not self._closed:
            await self._submit(engine, request)

    async def __aiter__(self) -> AsyncIterator[Event]:
        try:
            await self._started
            assert self._stream is not None
            async for event in self._stream:
                yield event
        finally:
            self.close()

    def close(self) -> None:
        self._closed = True
        if self._stream is not None:
            self._stream.close()  # a request still being submitted is cancelled once it is


class InProcessClient:
    """The engine inside this process, loaded when the first visitor or API call comes."""

    def __init__(self, model_name: str, kv_budget_bytes: int, max_batch: int) -> None:
        # Unique per process start, so that replies left by a previous run are not taken as ours.
        self.worker_id = f"web-{os.getpid()}-{secrets.token_hex(3)}"
        self._load_args = (model_name, kv_budget_bytes, max_batch)
        self._engine: Engine | None = None
        self._lock = threading.Lock()  # held exactly while the model loads

    def load(self) -> Engine:
        """The engine, loaded first if need be (blocking: seconds for a real model)."""
        with self._lock:
            if self._engine is None:
                self._engine = load_engine(*self._load_args)
            return self._engine

    def prepare(self) -> None:
        # Loading a real model takes seconds: start while the visitor is still typing.
        if self._engine is None and not self._lock.locked():
            loading = asyncio.ensure_future(asyncio.to_thread(self.load))
            loading.add_done_callback(lambda done: done.cancelled() or done.exception())

    def start(self, request: GenerationRequest, affinity: str = "") -> Generation:
        return InProcessGeneration(self, request)

    async def available(self) -> bool:
        return True

    async def readiness(self) -> Readiness:
        # Not ready while loading (turns wait for it); readiness itself never starts a load.
        if self._engine is not None:
            return Readiness(True, "loaded")
        if self._lock.locked():
            return Readiness(False, "loading")
        return Readiness(True, "not loaded yet: the first conversation loads it")

    def local_engine(self) -> Engine | None:
        return self._engine
