"""The one owner of a bot reply's life: created generating (with its visitor's turn), started,
streamed to the conversation's sockets, then finished or failed, once.

Every reply ends, whatever fails. The process that runs a reply holds a lease on its row and
renews it while it streams; if that process dies (or the database refuses the finish until the
lease lapses), any process finds the lapsed lease (at the next send, at a reconnect, or in its
periodic sweep) and starts the reply again, or fails it after MAX_ATTEMPTS. Lost engine requests
(a worker killed, Redis restarted) are the engine client's to resubmit; the owner's own deadline
bounds the rest. Each write is conditional on the reply still generating under the same attempt,
so a process that lost its lease cannot overwrite the one that took over.

    runner = reply_runner()
    runner.start(conversation_id, reply_id, attempt=1)   # background: stream, finish, announce
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from inference.types import ChatMessage, Finished, InferenceError, TokenDelta, Usage
from supportbot.chat import delivery
from supportbot.chat.frames import reply_end_frame, token_frame
from supportbot.chat.grounding import NO_ANSWER
from supportbot.chat.hooks import ReplyOutcome, people_rules
from supportbot.chat.models import Conversation, Message
from supportbot.chat.transcript import (
    Transcript,
    TranscriptMemo,
    as_generated,
    read_transcript,
    reply_request,
    settled_transcript,
)
from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.inference_bridge import engine_client
from supportbot.inference_bridge.client import Generation, RequestLost
from supportbot.lib.database import concurrent_database_sync_to_async

log = logging.getLogger(__name__)

HANDING_OVER = "I cannot help with this myself; let me bring in a person."
INTERRUPTED = "The assistant was interrupted before it finished. Please send your message again."
FAILED = "The assistant could not answer because of an internal error."
# A reply lost with the process running it is started again at most this many times in all.
MAX_ATTEMPTS = 3
# Retries of a finish the database refused, before the lease is left to lapse.
FINISH_RETRIES_S = (0.2, 1.0, 3.0)

OnDelta = Callable[[int, str], Awaitable[None]]


# --- The reply's row: every state change -------------------------------------------------------


def _lease_end() -> Any:
    return timezone.now() + timedelta(seconds=settings.REPLY_LEASE_S)


def create_generating(
    conversation: Conversation, citations: list[dict[str, Any]] | None = None, opening: str = ""
) -> Message:
    """The visitor's turn is being stored: its reply, generating and leased to this process, with
    the help-center articles it will draw on and the quotes it opens with (chat.grounding)."""
    return Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        lease_expires_at=_lease_end(),
        citations=citations or [],
        opening=opening,
    )


def chat_sampling(citations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What a chat reply asks of the engine beyond the defaults: that it follows a quote of the
    help center's answer, when its citations carry one (chat.grounding), so that a model whose
    words add nothing to a quote writes none."""
    return {"after_quote": True} if any(cited.get("quote") for cited in citations) else None


def create_no_answer(conversation: Conversation, lang: str) -> Message:
    """The visitor's turn asks what the help center does not answer: a finished reply that says
    so and offers a person (the page shows the button), instead of a generated guess."""
    reply = Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text=NO_ANSWER.get(lang, NO_ANSWER["en"]),
        finish_reason=Message.FinishReason.STOP,
        offers_person=True,
    )
    record_event(Event.Kind.MESSAGE_OUT, conversation.id, message=reply.id, no_answer=True)
    return reply


def _generating(reply_id: int, attempt: int | None = None):  # noqa: ANN202 (a QuerySet)
    replies = Message.objects.filter(pk=reply_id, finish_reason="")
    return replies if attempt is None else replies.filter(generation_attempts=attempt)


def finish(
    reply_id: int, attempt: int, outcome: Finished, worker_id: str = "", model: str = "", resubmissions: int = 0
) -> Message | None:
    """Store the finished reply, its usage and its event; None when it is no longer this
    attempt's. `resubmissions`: how often the engine client submitted it again (lost on the
    way). The handoff rules judge it in the same transaction."""
    usage = outcome.usage
    text = outcome.text
    if not text.strip() and usage.stop_string == settings.HANDOFF_MARKER:
        text = HANDING_OVER  # the marker alone: say something rather than show an empty reply
    with transaction.atomic():
        updated = _generating(reply_id, attempt).update(
            text=text,
            worker_id=worker_id,
            generation_attempts=attempt + resubmissions,
            lease_expires_at=None,
            **_usage_fields(usage),
        )
        if not updated:
            return None
        reply = Message.objects.get(pk=reply_id)
        record_event(
            Event.Kind.MODEL_ERROR if usage.error else Event.Kind.MESSAGE_OUT,
            reply.conversation_id,
            message=reply.id,
            mean_logprob=usage.mean_logprob,  # for calibrating HANDOFF_MIN_MEAN_LOGPROB
            **({"model": model} if model else {}),
            **_usage_fields(usage),
        )
        people_rules().after_bot_reply(
            reply.conversation_id,
            ReplyOutcome(usage.finish_reason, usage.error, usage.stop_string, usage.mean_logprob),
        )
    return reply


def _usage_fields(usage: Usage) -> dict[str, Any]:
    """The engine's usage, as stored on the reply and in its event (same names in both)."""
    names = ("finish_reason", "error", "prompt_tokens", "cached_tokens", "completion_tokens", "ttft_ms", "total_ms")
    return {name: getattr(usage, name) for name in names}


def fail(reply_id: int, error: str, attempt: int | None = None) -> Message | None:
    """End a reply that will never finish normally; None when it already ended (or, given an
    attempt, is no longer that attempt's)."""
    with transaction.atomic():
        updated = _generating(reply_id, attempt).update(
            text="", finish_reason=Message.FinishReason.ERROR, error=error, lease_expires_at=None
        )
        if not updated:
            return None
        reply = Message.objects.get(pk=reply_id)
        record_event(Event.Kind.MODEL_ERROR, reply.conversation_id, message=reply.id, error=error)
        people_rules().after_bot_reply(reply.conversation_id, ReplyOutcome("error", error))
    return reply


def renew_leases(reply_ids: set[int]) -> None:
    Message.objects.filter(pk__in=reply_ids, finish_reason="").update(lease_expires_at=_lease_end())


def take_over_lapsed(conversation_id: uuid.UUID | str | None = None) -> tuple[list[Message], list[Message]]:
    """The generating replies whose lease lapsed (of one conversation, or all): (those this
    process now leases to start again, those failed for good: too many attempts, or an API
    call's)."""
    lapsed = Message.objects.filter(
        Q(lease_expires_at__lt=timezone.now()) | Q(lease_expires_at__isnull=True),
        role=Message.Role.ASSISTANT,
        finish_reason="",
    )
    if conversation_id is not None:
        lapsed = lapsed.filter(conversation_id=conversation_id)
    restart, failed = [], []
    for reply_id, attempts, source in lapsed.values_list("id", "generation_attempts", "conversation__source"):
        log.warning("reply %s lost the process that ran it", reply_id)
        # An API caller waited on the process that died: nobody would read a new attempt.
        if attempts >= MAX_ATTEMPTS or source == Conversation.Source.API:
            if (reply := fail(reply_id, INTERRUPTED, attempts)) is not None:
                failed.append(reply)
        elif _generating(reply_id, attempts).update(
            generation_attempts=F("generation_attempts") + 1, lease_expires_at=_lease_end()
        ):
            restart.append(Message.objects.get(pk=reply_id))
    return restart, failed


def ended_among(reply_ids: set[int]) -> list[Message]:
    """Those of these replies that have ended."""
    return list(Message.objects.filter(pk__in=reply_ids).exclude(finish_reason="").order_by("id"))


# --- Running replies ------------------------------------------------------------------------------


class EarlyStart:
    """A reply generating from a remembered transcript while its turn is being stored; it goes on
    as that turn's reply only if the stored history is exactly the one remembered."""

    def __init__(
        self,
        conversation_id: uuid.UUID,
        known: Transcript,
        text: str,
        runner: ReplyRunner,
        sampling: dict[str, Any] | None = None,
    ) -> None:
        self.conversation_id = conversation_id
        self.known = known
        self.transcript: Transcript | None = None  # once adopted: `known` and the user message
        self._text = text
        self._runner = runner
        asked = Transcript([*known.messages, ChatMessage("user", text)], ())
        self.request = reply_request(conversation_id, f"early-{conversation_id}", asked, sampling)
        self.generation = engine_client().start(self.request, affinity=str(conversation_id))

    def adopt(self, history_ids: tuple[int, ...], user_message_id: int) -> bool:
        """The turn was stored after `history_ids` as `user_message_id`: True if that is the
        history this start assumed, else the caller abandons it."""
        if history_ids != self.known.message_ids:
            return False
        self.transcript = self.known.followed_by("user", self._text, user_message_id)
        return True

    def abandon(self) -> None:
        """Stop generating and forget the transcript, which proved stale or belongs to a
        conversation the bot is not answering."""
        self.generation.close()
        self._runner.memo.forget(self.conversation_id)


class ReplyRunner:
    """This process's replies: started here, their leases renewed here, lapsed ones swept up."""

    def __init__(self) -> None:
        self.memo = TranscriptMemo()
        self._tasks: set[asyncio.Task[Any]] = set()
        # The replies this process runs, and when their lease was last set (monotonic seconds).
        self._leased: dict[int, float] = {}
        self._keeper: asyncio.Task[None] | None = None
        # The replies generating in this process now, and those the visitor stopped.
        self._generations: dict[int, Generation] = {}
        self._stopped: set[int] = set()

    def start_early(
        self, conversation_id: uuid.UUID, text: str, sampling: dict[str, Any] | None = None
    ) -> EarlyStart | None:
        known = self.memo.recall(conversation_id)
        if known is None or not text.strip():
            return None
        return EarlyStart(conversation_id, known, text.strip(), self, sampling)

    def conversation_opened(self, conversation_id: uuid.UUID) -> None:
        """A visitor opened the conversation: from now on this process sweeps up lapsed replies
        (the visitor may be waiting for one), and its transcript is read so that the first turn
        starts early."""
        self._keep_leases()
        if self.memo.recall(conversation_id) is None:
            self.run_in_background(self._read_transcript(conversation_id))

    async def _read_transcript(self, conversation_id: uuid.UUID) -> None:
        transcript = await database_sync_to_async(settled_transcript)(conversation_id)
        # A reply that finished meanwhile remembered a newer one.
        if transcript is not None and self.memo.recall(conversation_id) is None:
            self.memo.remember(conversation_id, transcript)

    def start(
        self,
        conversation_id: uuid.UUID | str,
        reply_id: int,
        attempt: int = 1,
        sampling: dict[str, Any] | None = None,
        early: EarlyStart | None = None,
        on_delta: OnDelta | None = None,
        affinity: str = "",
        opening: str = "",
    ) -> asyncio.Task[Message | None]:
        """Generate the stored reply in the background: tokens go to the conversation's sockets
        (and to `on_delta`), then the reply is stored and its end announced. The task's result is
        the ended reply (None when another process ended it). `opening`: what the reply shows
        before the model's words (Message.opening)."""
        self._leased[reply_id] = time.monotonic()
        self._keep_leases()
        return self.run_in_background(
            self._run(conversation_id, reply_id, attempt, sampling, early, on_delta, affinity, opening)
        )

    def stop(self, reply_id: int) -> bool:
        """The visitor's Stop: end a reply generating in this process now. The engine frees its
        slot, and the reply keeps the text it had (finish_reason "cancelled"). False when the
        reply is not generating here."""
        generation = self._generations.get(reply_id)
        if generation is None:
            return False
        self._stopped.add(reply_id)
        generation.close()
        return True

    def run_in_background(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        # A fresh context: the caller's would tie the task's database calls to the caller's thread
        # executor (asgiref), which an HTTP request's handler shuts down when it returns.
        task = asyncio.create_task(work, context=contextvars.Context())
        # Held here, not by the caller, so that the reply outlives the visitor's connection.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(
        self,
        conversation_id: uuid.UUID | str,
        reply_id: int,
        attempt: int,
        sampling: dict[str, Any] | None,
        early: EarlyStart | None,
        on_delta: OnDelta | None,
        affinity: str,
        opening: str,
    ) -> Message | None:
        pieces = delivery.PieceStream(
            delivery.conversation_group(conversation_id), functools.partial(token_frame, reply_id)
        )
        # The quotes go first, at once: the visitor reads what the screen and the help center
        # say while the model writes its own words after them.
        parts: list[str] = [opening] if opening else []
        for part in parts:
            await pieces.add(part)
        transcript: Transcript | None = None
        generation: Generation | None = None
        restarts = 0
        affinity = affinity or str(conversation_id)
        try:
            async with asyncio.timeout(settings.REPLY_DEADLINE_S):
                if early is not None:
                    transcript, request, generation = early.transcript, early.request, early.generation
                else:
                    transcript = await concurrent_database_sync_to_async(read_transcript)(conversation_id, reply_id)
                    request = reply_request(conversation_id, str(reply_id), transcript, sampling)
                    generation = engine_client().start(request, affinity=affinity)
                self._generations[reply_id] = generation
                while True:
                    try:
                        outcome = await _stream(generation, pieces, parts, on_delta)
                        if opening:
                            outcome = Finished(opening + outcome.text, outcome.usage, outcome.logprobs)
                        break
                    except RequestLost:
                        # Its worker died mid-stream. The visitor's page drops the partial text when
                        # the pieces start again at index 0; an API caller already has it: no restart.
                        if on_delta is not None or restarts + 1 >= MAX_ATTEMPTS:
                            raise
                        log.warning("reply %s lost its engine mid-stream; starting it again", reply_id)
                        restarts += 1
                        generation.close()
                        await pieces.restart()
                        del parts[1 if opening else 0 :]
                        for part in parts:
                            await pieces.add(part)
                        generation = self._generations[reply_id] = engine_client().start(request, affinity=affinity)
        except TimeoutError:
            outcome = Finished("".join(parts), Usage(finish_reason="timeout", error="The reply took too long."))
        except InferenceError as error:
            outcome = Finished("".join(parts), Usage(finish_reason="error", error=str(error)))
        except Exception:
            log.exception("reply %s of conversation %s failed", reply_id, conversation_id)
            outcome = Finished("".join(parts), Usage(finish_reason="error", error=FAILED))
        finally:
            if generation is not None:
                generation.close()
            self._generations.pop(reply_id, None)
        if reply_id in self._stopped:
            self._stopped.discard(reply_id)
            outcome = Finished("".join(parts), Usage(finish_reason="cancelled"))
        await pieces.flush()  # every piece before the end
        ended = await self._finish(reply_id, attempt, outcome, generation, restarts)
        if transcript is not None and not transcript.from_api:
            if ended is not None and not ended.error:
                said = as_generated(ended.text, ended.opening)
                self.memo.remember(conversation_id, transcript.followed_by("assistant", said, reply_id))
            else:
                self.memo.forget(conversation_id)
        await announce_end(conversation_id, ended)
        return ended

    async def _finish(
        self, reply_id: int, attempt: int, outcome: Finished, generation: Generation | None, restarts: int
    ) -> Message | None:
        store = concurrent_database_sync_to_async(finish)
        ran_on = (
            (generation.worker_id, generation.model, generation.attempts - 1 + restarts)
            if generation is not None
            else ("", "", 0)
        )
        try:
            for pause in (*FINISH_RETRIES_S, None):
                try:
                    return await store(reply_id, attempt, outcome, *ran_on)
                except DatabaseError:
                    if pause is None:
                        # The lease lapses now that nobody renews it; a sweep starts the reply again.
                        log.exception("reply %s could not be stored; its lease will lapse", reply_id)
                        return None
                    log.warning("storing reply %s failed; retrying in %.1f s", reply_id, pause)
                    await asyncio.sleep(pause)
            return None
        finally:
            self._leased.pop(reply_id, None)

    async def recover(self, conversation_id: uuid.UUID | str | None = None) -> None:
        """Start again, or fail, the replies (of a conversation, or all) whose lease lapsed."""
        restart, failed = await database_sync_to_async(take_over_lapsed)(conversation_id)
        for reply in failed:
            await announce_end(reply.conversation_id, reply)
        for reply in restart:
            self.start(
                reply.conversation_id,
                reply.id,
                reply.generation_attempts,
                sampling=chat_sampling(reply.citations),
                opening=reply.opening,
            )

    def _keep_leases(self) -> None:
        keeper = self._keeper
        if keeper is None or keeper.done() or keeper.get_loop() is not asyncio.get_running_loop():
            self._keeper = self.run_in_background(self._renew_and_sweep())

    async def _renew_and_sweep(self) -> None:
        """Every third of a lease: renew this process's leases, and take up lapsed ones."""
        while True:
            await asyncio.sleep(settings.REPLY_LEASE_S / 3)
            try:
                # Most replies end within their first lease: only older ones cost a write.
                renewed_before = time.monotonic() - settings.REPLY_LEASE_S / 3
                due = {reply_id for reply_id, set_at in self._leased.items() if set_at < renewed_before}
                if due:
                    await database_sync_to_async(renew_leases)(due)
                    renewed_at = time.monotonic()
                    for reply_id in due & self._leased.keys():  # not those that ended meanwhile
                        self._leased[reply_id] = renewed_at
                await self.recover()
            except Exception:  # the database away for a while: the next round tries again
                log.warning("cannot renew or sweep reply leases now", exc_info=True)


async def _stream(
    generation: Generation, pieces: delivery.PieceStream, parts: list[str], on_delta: OnDelta | None
) -> Finished:
    """Relay a generation's text as it comes (into `parts`); its Finished event."""
    async for event in generation:
        if not isinstance(event, TokenDelta):
            return event
        await pieces.add(event.text)
        if on_delta is not None:
            await on_delta(len(parts), event.text)
        parts.append(event.text)
    raise InferenceError("the engine ended the stream without finishing")


async def announce_end(conversation_id: uuid.UUID | str, reply: Message | None) -> None:
    """Send an ended reply to every connection of its conversation (None: nothing to say)."""
    if reply is not None:
        # Tagged with the reply, so that a chat socket knows which ends it has seen.
        await delivery.send_to_group(
            delivery.conversation_group(conversation_id), reply_end_frame(reply), ended_reply=reply.id
        )


def reply_runner() -> ReplyRunner:
    """This process's runner, built at start-up (ChatConfig.ready)."""
    from django.apps import apps

    return apps.get_app_config("chat").replies

