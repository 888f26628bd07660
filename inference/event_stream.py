"""One request's events for asyncio callers: the engine thread hands each event to the caller's
event loop, which reads them in order, the last being Finished."""

from __future__ import annotations

import asyncio
from typing import Callable, Protocol

from .types import EngineTimeout, Event, Finished, GenerationRequest


class Submitter(Protocol):
    """What an EventStream needs of the engine (inference.engine.Engine is one)."""

    @property
    def request_timeout_s(self) -> float: ...  # for requests that set no timeout_s

    def submit(self, request: GenerationRequest, emit: Callable[[Event], None]) -> int: ...

    def cancel(self, seq_id: int) -> None: ...


class EventStream:
    """Submit with start(), then iterate; close() cancels the request unless it has finished.

    Split from iterating so that a request can start generating before anyone reads it (the web
    layer starts a reply while its turn is still being stored)."""

    def __init__(self, engine: Submitter, request: GenerationRequest) -> None:
        self.request = request
        self._engine = engine
        self._loop = asyncio.get_running_loop()
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()  # None: closed
        self._seq_id: int | None = None
        self._done = False  # finished, or closed by the caller
        # The engine enforces the request's deadline itself; this guards against a wedged thread.
        self._limit = (request.timeout_s or engine.request_timeout_s) + 5.0

    def _has_images(self) -> bool:
        return any(message.images for message in self.request.messages)

    async def start(self) -> None:
        """Validate and queue the request (InvalidRequest, ImageError when it cannot be)."""
        if not self._has_images():  # cheap: a thread hop would cost more than it saves
            self._seq_id = self._engine.submit(self.request, self._emit)
            return
        # Image preparation (and OCR) can take a while: keep it off the event loop.
        seq_id = await self._loop.run_in_executor(None, self._engine.submit, self.request, self._emit)
        self._seq_id = seq_id
        if self._done:  # closed while the images were being prepared
            self._engine.cancel(seq_id)

    def start_now(self) -> asyncio.Future[None]:
        """start() without awaiting it; the future holds its outcome. A request without images is
        submitted before this returns: as a task it would first wait its turn behind the other
        work of a busy event loop, and that wait would count in the time to first token."""
        if self._has_images():
            return asyncio.ensure_future(self.start())
        started = self._loop.create_future()
        try:
            self._seq_id = self._engine.submit(self.request, self._emit)
            started.set_result(None)
        except Exception as refused:  # InvalidRequest: for whoever awaits the future
            started.set_exception(refused)
        return started

    def _emit(self, event: Event) -> None:  # the engine thread
        self._loop.call_soon_threadsafe(self._events.put_nowait, event)

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        if self._done:
            raise StopAsyncIteration
        try:
            event = self._events.get_nowait()  # no timer for an event that is already here
        except asyncio.QueueEmpty:
            try:
                async with asyncio.timeout(self._limit):
                    event = await self._events.get()
            except TimeoutError:
                raise EngineTimeout(f"no answer from the inference engine within {self._limit:.0f} s") from None
        if event is None:
            raise StopAsyncIteration
        if isinstance(event, Finished):
            self._done = True
        return event

    def close(self) -> None:
        """Cancel the request; a reader waiting for its next event stops at once. Called on the
        event loop's thread."""
        if not self._done:
            self._done = True
            self._events.put_nowait(None)
            if self._seq_id is not None:
                self._engine.cancel(self._seq_id)
