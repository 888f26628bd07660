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
"""

from __future__ import annotations

from collections import Counter
import logging
import queue
import threading
import time
from dataclasses import dataclass

import torch
from PIL import Image

from inference.chat_format import ChatFormat, RenderedPrompt, chat_format_for
from inference.event_stream import EventStream
from inference.kv_store import KVStore, SessionState
from inference.media import MediaPreparer, PreparedImage
from inference.model_runner import ModelRunner, Segment
from inference.models import LoadedModel
from inference.scheduler import Scheduler
from inference.sequence import Sequence, sample
from inference.types import (
    ChatMessage,
    EngineStopped,
    Event,
    Finished,
    GenerationRequest,
    ImageError,
    InvalidRequest,
    TokenDelta,
)

log = logging.getLogger(__name__)

STATS_EVERY_S = 0.25  # how fresh stats() is while requests run (it is also refreshed on finish)


@dataclass
class EngineConfig:
    max_batch: int = 16
    max_step_tokens: int = 1024  # prompt tokens fed per step across the batch (chunked prefill)
    batch_window_s: float = 0.032  # an idle engine waits this long for more requests to batch
    kv_budget_bytes: int = 2 * 1024**3
    kv_offload_budget_bytes: int = 0  # CPU-memory tier for evicted GPU caches (0: off)
    session_ttl_s: float = 3600.0
    request_timeout_s: float = 120.0
    max_context: int | None = None  # tokens; default: the model's limit, at most 8192
    max_new_tokens_limit: int = 2048
    max_message_chars: int = 16_000
    max_images_per_message: int = 8
    torch_threads: int | None = 1  # the shared 2-core CPU box wants one thread per engine
    warmup: bool = True


def _could_become_stop(text: str, stops: list[str]) -> int:
    """How many characters at the end of `text` are the start of a stop string: they are held
    back from streaming until the stop string completes or cannot. Usually none, so an always-on
    stop string (the chat's handoff marker) costs no streaming delay."""
    longest = 0
    for stop in stops:
        for length in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:length]):
                longest = length
                break
    return longest


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
        offload = torch.device("cpu") if loaded.device.type != "cpu" and self.config.kv_offload_budget_bytes else None
        self.store = KVStore(
            self.runner.new_cache,
            loaded.device,
            self.config.kv_budget_bytes,
            self.config.session_ttl_s,
            offload_device=offload,
            offload_budget_bytes=self.config.kv_offload_budget_bytes,
        )
        self.scheduler = Scheduler(self.config.max_batch, self.config.max_step_tokens)
        self._banned = self._banned_token_ids()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._stats: dict = {}
        self._peak_batch = 0
        self._last_arrival = float("-inf")
        self._snapshot_at = float("-inf")
        self._finished = Counter()

    # ----- public API (any thread) -----

    def start(self) -> "Engine":
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

    def submit(self, request: GenerationRequest, emit) -> int:
        """Validate and queue a request; `emit` is called from the engine thread with each event."""
        if self._stopping or self._thread is None:
            raise EngineStopped("the inference engine is not running")
        self._validate(request)
        images = [self._prepare_images(m) for m in request.messages]
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

    # ----- request checks (caller's thread) -----

    def _validate(self, request: GenerationRequest) -> None:
        messages = request.messages
        if not messages or messages[-1].role != "user":
            raise InvalidRequest("the conversation must end with a user message")
        last = messages[-1]
        if not last.text.strip() and not last.images:
            raise InvalidRequest("the message is empty")
        for message in messages:
            if message.role not in ("system", "user", "assistant"):
                raise InvalidRequest(f"unknown role {message.role!r}")
            if len(message.text) > self.config.max_message_chars:
                raise InvalidRequest(f"a message is longer than {self.config.max_message_chars} characters")
            if len(message.images) > self.config.max_images_per_message:
                raise InvalidRequest(f"at most {self.config.max_images_per_message} images per message")
        sampling = request.sampling
        if not 0 <= sampling.temperature <= 2:
            raise InvalidRequest("temperature must be between 0 and 2")
        if not 0 < sampling.top_p <= 1:
            raise InvalidRequest("top_p must be in (0, 1]")
        if not 1 <= sampling.max_new_tokens <= self.config.max_new_tokens_limit:
            raise InvalidRequest(f"max_new_tokens must be between 1 and {self.config.max_new_tokens_limit}")

    def _prepare_images(self, message: ChatMessage) -> list[PreparedImage]:
        if message.images and message.role != "user":
            raise InvalidRequest("only user messages can carry images")
        try:
            return [self.media.prepare(image) for image in message.images]
        except ImageError:
            raise
        except Exception as exc:  # a processor failing on odd pixels must not look like a crash
            raise ImageError(f"the image could not be processed: {exc}") from exc

    def _banned_token_ids(self) -> torch.Tensor:
        """Ids the model must never emit: image placeholders and framing, and padding rows of
        the output layer that the tokenizer cannot decode."""
        banned = [self.format.image_token_id] if self.format.image_token_id >= 0 else []
        for token in ("<|begin_of_image|>", "<|end_of_image|>", "[gMASK]", "<sop>"):
            token_id = self.loaded.tokenizer.convert_tokens_to_ids(token)
            if isinstance(token_id, int) and token_id != self.loaded.tokenizer.unk_token_id:
                banned.append(token_id)
        banned.extend(range(len(self.loaded.tokenizer), self.runner.vocab_size))
        return torch.tensor(sorted(set(banned)), dtype=torch.long)

    # ----- the engine thread -----

    def _loop(self) -> None:
        last_expiry = time.monotonic()
        while True:
            self._drain_inbox(block=len(self.scheduler) == 0 and not self._stopping)
            if self._stopping:
                for seq in [*self.scheduler.running, *self.scheduler.waiting]:
                    self._finish(seq, "error", "the inference engine is shutting down")
                return
            self._wait_for_batch()
            self._expire_deadlines()
            for seq in self.scheduler.admit():
                self._begin(seq)
            plan = self.scheduler.plan()
            if plan:
                self._step(plan)
            now = time.monotonic()
            if now - last_expiry > 10:
                self.store.expire_idle()
                last_expiry = now
            if now - self._snapshot_at > STATS_EVERY_S:  # sums every session's cache: not per step
                self._stats = self._snapshot()

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
        if kind == "add":
            self.scheduler.add(arg)
        elif kind == "cancel":
            seq = self.scheduler.find(arg)
            if seq is not None:
                self._finish(seq, "cancelled")
        elif kind in ("drop", "evict"):
            for seq in [s for s in (*self.scheduler.running, *self.scheduler.waiting) if s.session_id == arg]:
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
        if self.scheduler.running or not self.scheduler.waiting or window <= 0:
            return
        first = self.scheduler.waiting[0]
        if len(self.scheduler.waiting) == 1 and first.arrival - first.previous_arrival > window:
            return
        until = first.arrival + window
        while len(self.scheduler.waiting) < self.scheduler.max_batch and (left := until - time.monotonic()) > 0:
            try:
                self._handle(*self._inbox.get(timeout=left))
            except queue.Empty:
                return

    def _expire_deadlines(self) -> None:
        now = time.monotonic()
        for seq in [*self.scheduler.running, *self.scheduler.waiting]:
            if seq.deadline is not None and now > seq.deadline:
                waited = now - seq.arrival
                self._finish(seq, "timeout", f"the request timed out after {waited:.1f} s")

    def _begin(self, seq: Sequence) -> None:
        """Render the prompt, fit it in the context, and take over the cached prefix."""
        sessionless = not seq.session_id
        state = SessionState("", reply_memo=self.store.shared_memo) if sessionless else self.store.session(seq.session_id)
        try:
            prompt = self._fit_context(seq, state)
        except InvalidRequest as exc:
            self._finish(seq, "error", str(exc))
            return
        if sessionless:
            state = self.store.session_for_prefix(prompt.keys)
        seq.session, seq.prompt = state, prompt
        seq.max_new_tokens = min(seq.request.sampling.max_new_tokens, self.max_context - len(prompt))
        seq.next_position = int(prompt.positions.max()) + 1
        seq.fed = self.store.claim_prefix(state, prompt.keys)
        state.busy = True
        self.store.reserve(state, len(prompt) + seq.max_new_tokens)
        seq.usage.prompt_tokens = len(prompt)
        seq.usage.cached_tokens = seq.fed
        if seq.request.sampling.seed is not None:
            seq.generator = torch.Generator().manual_seed(seq.request.sampling.seed)

    def _fit_context(self, seq: Sequence, state: SessionState) -> RenderedPrompt:
        """Context overflow policy: drop the oldest turns (never the system prompt or the new
        message). Turns are dropped down to 3/4 of the context at once, and the cut is kept for
        the session, so the following turns still share a prefix and reuse the cache."""
        messages, images = seq.request.messages, seq.images
        system = 0
        while system < len(messages) - 1 and messages[system].role == "system":
            system += 1
        reply_room = min(seq.request.sampling.max_new_tokens, self.max_context // 4)
        start = state.window_start if system <= state.window_start < len(messages) else system
        limit = self.max_context - reply_room
        while True:
            kept = list(range(system)) + list(range(start, len(messages)))
            prompt = self.format.render([messages[i] for i in kept], [images[i] for i in kept], state.reply_memo)
            if len(prompt) <= limit:
                state.window_start = start
                return prompt
            later_users = [i for i in range(start + 1, len(messages)) if messages[i].role == "user"]
            if not later_users:
                raise InvalidRequest(
                    f"the message is too long for the model's context ({len(prompt)} tokens, limit {limit})"
                )
            start = later_users[0]
            limit = self.max_context * 3 // 4 - reply_room  # once dropping, drop to the low watermark

    def _step(self, plan: list[tuple[Sequence, int]]) -> None:
        segments = [self._segment(seq, n) for seq, n in plan]
        self._peak_batch = max(self._peak_batch, len(segments))
        try:
            logits = self.runner.forward(segments)
        except Exception as exc:  # keep serving the others: end this batch with a clear error
            log.exception("model step failed")
            for seq, _ in plan:
                self.store.evict(seq.session_id)
                self._finish(seq, "error", f"the model failed: {type(exc).__name__}")
            return
        logits[:, self._banned.to(logits.device)] = float("-inf")
        # Each row's log-normaliser, computed where the logits are (on a GPU nearly free): the
        # sampled token's log-probability is then one subtraction.
        norms = torch.logsumexp(logits, dim=-1).tolist()
        logits = logits.cpu()  # sampling uses per-request CPU generators
        for (seq, n), row, norm in zip(plan, logits, norms):
            state = seq.session
            if seq.prefilling:
                state.keys.extend(seq.prompt.keys[seq.fed : seq.fed + n])
                seq.fed += n
                if seq.prefilling:
                    continue
            else:
                state.keys.append(seq.generated[-1])
            self._accept_token(seq, row, norm)

    def _segment(self, seq: Sequence, n: int) -> Segment:
        cache = seq.session.cache
        if seq.prefilling:
            start, end = seq.fed, seq.fed + n
            images = [(s.start - start, s.image) for s in seq.prompt.images if start <= s.start < end]
            return Segment(cache, start, seq.prompt.token_ids[start:end], seq.prompt.positions[:, start:end], images)
        rows = seq.prompt.positions.shape[0]
        position = torch.full((rows, 1), seq.next_position - 1, dtype=torch.long)
        return Segment(cache, len(seq.session.keys), [seq.generated[-1]], position)

    def _accept_token(self, seq: Sequence, logits: torch.Tensor, log_normaliser: float) -> None:
        sampling = seq.request.sampling
        token = sample(logits, sampling.temperature, sampling.top_p, seq.generator)
        seq.logprobs.append(float(logits[token]) - log_normaliser)  # its log-softmax
        now = time.monotonic()
        if seq.first_token_at is None:
            seq.first_token_at = now
            seq.usage.ttft_ms = (now - seq.arrival) * 1000
        seq.generated.append(token)
        seq.next_position += 1
        if token in self.format.stop_token_ids and not sampling.ignore_eos:
            self._finish(seq, "stop")
            return
        seq.text = self.loaded.tokenizer.decode(seq.generated, skip_special_tokens=True)
        hit = next((s for s in sampling.stop if s and s in seq.text), None)
        if hit is not None:
            seq.text = seq.text[: seq.text.index(hit)]
            seq.usage.stop_string = hit
            self._finish(seq, "stop")
            return
        ready = len(seq.text) - _could_become_stop(seq.text, sampling.stop)
        if seq.text.endswith("\ufffd"):  # half a character: wait for the rest of its bytes
            ready = min(ready, seq.text.rfind("\ufffd"))
        if ready > seq.sent:
            self._emit(seq, TokenDelta(seq.text[seq.sent : ready], token))
            seq.sent = ready
        if len(seq.generated) >= seq.max_new_tokens:
            self._finish(seq, "length")

    def _finish(self, seq: Sequence, reason: str, error: str = "") -> None:
        self.scheduler.remove(seq)
        state = seq.session
        if state is not None:
            state.busy = False
            ended_by_stop_token = seq.generated and seq.generated[-1] in self.format.stop_token_ids
            reply = seq.generated[:-1] if ended_by_stop_token and reason == "stop" else seq.generated
            if reply and reason != "error":
                state.remember_reply(self.loaded.tokenizer.decode(reply, skip_special_tokens=True), reply)
        if reason != "error" and len(seq.text) > seq.sent:
            self._emit(seq, TokenDelta(seq.text[seq.sent :], seq.generated[-1] if seq.generated else -1))
        usage = seq.usage
        usage.completion_tokens = len(seq.generated)
        usage.mean_logprob = sum(seq.logprobs) / len(seq.logprobs) if seq.logprobs else None
        usage.total_ms = (time.monotonic() - seq.arrival) * 1000
        usage.finish_reason, usage.error = reason, error
        self._finished[reason] += 1
        self._stats = self._snapshot()
        self._emit(seq, Finished(seq.text, usage, seq.logprobs))

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
        seq = Sequence(request=request, images=prepared, emit=lambda event: None, deadline=None)
        self.scheduler.add(seq)
        while len(self.scheduler):
            for admitted in self.scheduler.admit():
                self._begin(admitted)
            if plan := self.scheduler.plan():
                self._step(plan)
        self.store.drop("__warmup__")
