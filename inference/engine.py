"""The engine: one thread owns the model and runs batched steps; callers stream events.

    engine = Engine(load_model("tiny-random"), EngineConfig())
    engine.start()
    async for event in engine.stream(request):  # TokenDelta ..., then Finished
        ...

A request carries the whole conversation; the engine renders it, reuses the longest cached
prefix of that session, prefills only the rest (images included) and decodes together with every
other running session. After it is accepted, a request always ends with one Finished event whose
usage says why (stop, length, cancelled, timeout, error); a request that is wrong from the start
raises InvalidRequest instead.

Each step: drain the inbox -> Scheduler.schedule -> ModelRunner.run -> Scheduler.postprocess ->
emit the events.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter

import torch
from PIL import Image

from inference.chat_format import ChatFormat, chat_format_for
from inference.config import EngineConfig
from inference.decoding import resolved
from inference.detokenizer import Detokenizer
from inference.event_stream import EventStream
from inference.kv_store import KVStore
from inference.media import MediaPreparer
from inference.model_runner import ModelRunner
from inference.models import LoadedModel
from inference.scheduler import Scheduler
from inference.sequence import Sequence
from inference.types import ChatMessage, EngineStopped, Event, Finished, FinishReason, GenerationRequest, TokenDelta
from inference.validation import prepare_images, validate

log = logging.getLogger(__name__)

STATS_EVERY_S = 0.25  # how fresh stats() is while requests run (it is also refreshed on finish)
EXPIRE_IDLE_EVERY_S = 10.0


class Engine:
    def __init__(self, loaded: LoadedModel, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        if self.config.torch_threads and loaded.device.type == "cpu":
            torch.set_num_threads(self.config.torch_threads)
        self.loaded = loaded
        self.runner = ModelRunner(loaded)
        merge = getattr(getattr(loaded.model.config, "vision_config", None), "spatial_merge_size", 2)
        self.format: ChatFormat = chat_format_for(loaded.family, loaded.tokenizer, merge)
        self.media = MediaPreparer(loaded.image_processor, merge)
        self.max_context = self.config.max_context or min(self.runner.max_positions, 8192)
        config = self.config
        offload = torch.device("cpu") if loaded.device.type != "cpu" and config.kv_offload_budget_bytes else None
        self.store = KVStore(
            self.runner.new_cache, loaded.device, config.kv_budget_bytes, config.session_ttl_s,
            offload_device=offload, offload_budget_bytes=config.kv_offload_budget_bytes,
        )
        self.detokenizer = Detokenizer(loaded.tokenizer)
        self.scheduler = Scheduler(
            self.store, self.format, self.detokenizer,
            max_batch=config.max_batch, max_step_tokens=config.max_step_tokens, max_context=self.max_context,
        )
        self._banned = self.format.banned_token_ids(self.runner.vocab_size)
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._stats: dict = {}
        self._peak_batch = 0
        self._last_arrival = float("-inf")
        self._snapshot_at = float("-inf")
        self._finished = Counter()

    # ----- public API (any thread) -----

    def start(self) -> Engine:
        if self.config.warmup:
            self._warm_up()
        self._thread = threading.Thread(target=self._loop, name="inference-engine", daemon=True)
        self._thread.start()
        return self

    def shutdown(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._inbox.put(("wake", None))
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def request_timeout_s(self) -> float:
        return self.config.request_timeout_s

    def submit(self, request: GenerationRequest, emit) -> int:
        """Validate and queue a request; `emit` is called from the engine thread with each event."""
        if self._stopping or self._thread is None:
            raise EngineStopped("the inference engine is not running")
        validate(request, self.config)
        request.sampling = resolved(request.sampling, self.loaded.decoding)
        images = [prepare_images(self.media, m) for m in request.messages]
        timeout = request.timeout_s or self.config.request_timeout_s
        seq = Sequence(request=request, images=images, emit=emit, deadline=time.monotonic() + timeout)
        seq.previous_arrival, self._last_arrival = self._last_arrival, seq.arrival
        self._inbox.put(("add", seq))
        return seq.seq_id

    def cancel(self, seq_id: int) -> None:
        self._inbox.put(("cancel", seq_id))

    def drop_session(self, session_id: str) -> None:
        """The conversation is over: free its cache now rather than at the idle TTL."""
        self._inbox.put(("drop", session_id))

    def evict_session(self, session_id: str) -> None:
        self._inbox.put(("evict", session_id))

    def stats(self) -> dict:
        return dict(self._stats)

    def event_stream(self, request: GenerationRequest) -> EventStream:
        """The request's events for an asyncio caller, once it calls start() (see EventStream)."""
        return EventStream(self, request)

    async def stream(self, request: GenerationRequest):
        """Submit and yield the request's events; leaving early cancels it."""
        events = self.event_stream(request)
        await events.start()
        try:
            async for event in events:
                yield event
        finally:
            events.close()

    def generate(self, request: GenerationRequest) -> Finished:
        """Blocking convenience for scripts and tests."""
        events: queue.SimpleQueue = queue.SimpleQueue()
        self.submit(request, events.put)
        while True:
            event = events.get()
            if isinstance(event, Finished):
                return event

    # ----- the engine thread -----

    def _loop(self) -> None:
        last_expiry = time.monotonic()
        while True:
            self._drain_inbox(block=len(self.scheduler) == 0 and not self._stopping)
            if self._stopping:
                for seq in self.scheduler.all():
                    self._finish(seq, "error", "the inference engine is shutting down")
                return
            self._wait_for_batch()
            self._expire_deadlines()
            self._step()
            now = time.monotonic()
            if now - last_expiry > EXPIRE_IDLE_EVERY_S:
                self.store.expire_idle()
                last_expiry = now
            if now - self._snapshot_at > STATS_EVERY_S:  # sums every session's cache: not per step
                self._stats = self._snapshot()

    def _step(self) -> None:
        plan, refused = self.scheduler.schedule()
        for seq, error in refused:
            self._finish(seq, "error", error)
        if not plan:
            return
        self._peak_batch = max(self._peak_batch, len(plan))
        try:
            sampled = self.runner.run(plan, self._banned)
        except Exception as exc:  # keep serving the others: end this batch with a clear error
            log.exception("model step failed")
            for seq, _ in plan:
                self.store.evict(seq.session_id)
                self._finish(seq, "error", f"the model failed: {type(exc).__name__}")
            return
        for seq, reason in self.scheduler.postprocess(plan, sampled):
            if reason != "stop":  # a stop's Finished streams the rest of the text in one piece
                self._stream_text(seq)
            if reason is not None:
                self._finish(seq, reason)

    def _drain_inbox(self, block: bool) -> None:
        try:
            command = self._inbox.get(timeout=1.0) if block else self._inbox.get_nowait()
        except queue.Empty:
            return
        while True:
            self._handle(*command)
            try:
                command = self._inbox.get_nowait()
            except queue.Empty:
                return

    def _handle(self, kind: str, arg) -> None:
        if kind == "add" and arg.request.sampling.after_quote and not self.loaded.decoding.words_after_quote:
            self._finish(arg, "stop")  # the quote is the answer; this model's words would not help
        elif kind == "add":
            self.scheduler.add(arg)
        elif kind == "cancel":
            seq = self.scheduler.find(arg)
            if seq is not None:
                self._finish(seq, "cancelled")
        elif kind in ("drop", "evict"):
            for seq in [s for s in self.scheduler.all() if s.session_id == arg]:
                self._finish(seq, "cancelled")
            if kind == "drop":
                self.store.drop(arg)
            else:
                self.store.evict(arg)

    def _wait_for_batch(self) -> None:
        """An idle engine starts a lone request at once; when requests come in a burst (this one
        arrived within the window of the previous one), it waits up to the window for the rest
        of the burst so their prefills share one step."""
        window = self.config.batch_window_s
        waiting = self.scheduler.waiting
        if self.scheduler.running or not waiting or window <= 0:
            return
        first = waiting[0]
        if len(waiting) == 1 and first.arrival - first.previous_arrival > window:
            return
        until = first.arrival + window
        while len(waiting) < self.scheduler.max_batch and (left := until - time.monotonic()) > 0:
            try:
                self._handle(*self._inbox.get(timeout=left))
            except queue.Empty:
                return

    def _expire_deadlines(self) -> None:
        now = time.monotonic()
        for seq in self.scheduler.all():
            if seq.deadline is not None and now > seq.deadline:
                self._finish(seq, "timeout", f"the request timed out after {now - seq.arrival:.1f} s")

    def _stream_text(self, seq: Sequence) -> None:
        if text := self.detokenizer.streamable(seq):
            self._emit(seq, TokenDelta(text, seq.generated[-1]))
            seq.sent += len(text)

    def _finish(self, seq: Sequence, reason: FinishReason, error: str = "") -> None:
        self.scheduler.finish(seq, reason, error)
        if reason != "error" and len(seq.text) > seq.sent:
            self._emit(seq, TokenDelta(seq.text[seq.sent :], seq.generated[-1] if seq.generated else -1))
        self._finished[reason] += 1
        self._stats = self._snapshot()
        self._emit(seq, Finished(seq.text, seq.usage, seq.logprobs))

    @staticmethod
    def _emit(seq: Sequence, event: Event) -> None:
        if isinstance(event, TokenDelta) and seq.sent == 0:
            # Time to first token is until the first text streamed: a sampled token can show
            # nothing (part of a character, a skipped special token) until a later one.
            seq.usage.ttft_ms = (time.monotonic() - seq.arrival) * 1000
        try:
            seq.emit(event)
        except RuntimeError:  # the caller's event loop is gone: nobody is listening any more
            pass

    def _snapshot(self) -> dict:
        self._snapshot_at = time.monotonic()
        return {
            **self.store.snapshot(),
            "running": len(self.scheduler.running),
            "waiting": len(self.scheduler.waiting),
            "peak_batch": self._peak_batch,
            "finished": dict(self._finished),
            "kv_bytes_per_token": self.runner.kv_bytes_per_token,
            "model": self.loaded.name,
        }

    def _warm_up(self) -> None:
        """The first forward is ~50x slower than steady state; pay that before serving."""
        images = [Image.new("RGB", (64, 64), (255, 255, 255))] if self.loaded.image_processor is not None else []
        request = GenerationRequest(session_id="__warmup__", messages=[ChatMessage("user", "Hello", images)])
        request.sampling.max_new_tokens = 2
        prepared = [[self.media.prepare(image) for image in images]]  # the vision tower warms up too
        self.scheduler.add(Sequence(request=request, images=prepared, emit=lambda event: None, deadline=None))
        while len(self.scheduler):
            self._step()
        self.store.drop("__warmup__")
