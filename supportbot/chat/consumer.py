"""The chat WebSocket (/ws/chat/<conversation uuid>/): thin on purpose. It parses frames, calls
chat.turns and the inference router, and relays the conversation group's frames to the browser.
The protocol is written down in docs/protocol.md."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.notify import console_conversation_group
from supportbot.agents.triggers import Trigger
from supportbot.chat.access import browser_language, visitor_conversation
from supportbot.chat.frames import (
    EscalateFrame,
    FeedbackFrame,
    FrameError,
    PingFrame,
    RatingFrame,
    ResumeFrame,
    SendFrame,
    TypingFrame,
    client_message_id_of,
    conversation_group,
    error_frame,
    parse_client_frame,
    reply_end_frame,
)
from supportbot.chat.rate_limit import VisitorRateLimiter
from supportbot.chat.shutdown import open_sockets
from supportbot.chat.sockets import DirectDispatchConsumer
from supportbot.chat.turns import (
    AcceptedTurn,
    ReplyInProgress,
    TurnRejected,
    accept_user_turn,
    missed_messages,
)
from supportbot.inference_bridge.replies import finished_replies, generating_replies
from supportbot.inference_bridge.routing import NO_WORKER, inference_router, settle_lost_replies
from supportbot.inference_bridge.runner import relay
from supportbot.lib.database import concurrent_database_sync_to_async

log = logging.getLogger(__name__)

frame_rate_limiter = VisitorRateLimiter(settings.CHAT_FRAME_BURST, settings.CHAT_FRAMES_PER_SECOND)

# Close codes (4000-4999 are the application's): the client must not reconnect after these.
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_AGAIN_LATER = 1013  # the standard code; clients reconnect after a pause

DATABASE_UNAVAILABLE = "The service is briefly unavailable; your message was not saved. Please send it again."


class ChatConsumer(DirectDispatchConsumer):
    conversation_id: uuid.UUID | None = None
    # Watches the conversation's generating replies, so a reply whose worker dies is reported
    # failed instead of leaving the browser waiting forever.
    _watchdog: asyncio.Task[None] | None = None
    _rate_limit_reported_at = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Replies seen generating whose reply.end this socket has not passed on yet: where frames
        # can be lost (CHAT_FRAMES_MAY_BE_LOST), the watchdog sends the end from the database.
        self._unended: set[int] = set()

    async def connect(self) -> None:
        # Accept first so that a refusal can say why in a frame (a refused handshake cannot).
        await self.accept()
        visitor_id = self.scope.get("visitor_id")
        try:
            conversation = await database_sync_to_async(visitor_conversation)(
                self.scope["url_route"]["kwargs"]["conversation_id"], visitor_id, self._language()
            )
        except DatabaseError:
            log.warning("database unavailable while opening a chat socket", exc_info=True)
            await self.send(error_frame("unavailable", DATABASE_UNAVAILABLE))
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        if conversation is None:
            await self.send(error_frame("not_found", "No such conversation."))
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.conversation_id = conversation.id
        open_sockets.add(self)
        self.visitor_id = visitor_id
        await self.channel_layer.group_add(conversation_group(conversation.id), self.channel_name)
        inference_router().prepare(conversation.id)

    def _language(self) -> str:
        accept_language = dict(self.scope.get("headers", [])).get(b"accept-language", b"")
        return browser_language(accept_language.decode("latin-1"))

    async def disconnect(self, code: int) -> None:
        open_sockets.discard(self)
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self.conversation_id is not None:
            await self.channel_layer.group_discard(
                conversation_group(self.conversation_id), self.channel_name
            )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.conversation_id is None:
            return
        if not await self._within_rate_limit(text_data):
            return
        if text_data is None:
            await self.send(error_frame("invalid_frame", "Frames must be JSON text, not binary."))
            return
        try:
            frame = parse_client_frame(text_data)
        except FrameError as error:
            await self.send(error_frame(error.code, error.message, error.client_message_id))
            return
        try:
            if isinstance(frame, SendFrame):
                await self._send_turn(frame)
            elif isinstance(frame, ResumeFrame):
                await self._resume(frame.last_message_id)
            elif isinstance(frame, PingFrame):
                await self.send(json.dumps({"type": "pong"}))
            else:
                await self._handoff_frame(frame)
        except DatabaseError:
            # Nothing of this frame was stored (each turn is one transaction): say so, keep the
            # socket, and let the client send it again once the database is back.
            log.warning("database unavailable while handling a %s frame", frame.type, exc_info=True)
            await self.send(
                error_frame("unavailable", DATABASE_UNAVAILABLE, getattr(frame, "client_message_id", None))
            )

    async def _handoff_frame(
        self, frame: EscalateFrame | FeedbackFrame | RatingFrame | TypingFrame
    ) -> None:
        """The frames about people: the rules live in agents.handoff."""
        if isinstance(frame, TypingFrame):
            await self.channel_layer.group_send(
                console_conversation_group(self.conversation_id),
                relay(json.dumps({"type": "typing", "role": "user", "typing": frame.typing})),
            )
            return
        try:
            if isinstance(frame, EscalateFrame):
                button = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")
                # A repeated press while people own the conversation changes nothing.
                await database_sync_to_async(handoff.escalate)(self.conversation_id, button)
            elif isinstance(frame, FeedbackFrame):
                await database_sync_to_async(handoff.record_feedback)(
                    self.conversation_id, frame.message_id, frame.helpful
                )
            else:
                await database_sync_to_async(handoff.rate)(
                    self.conversation_id, frame.score, frame.comment
                )
                await self.send(json.dumps({"type": "rating.thanks"}))
        except handoff.NotAllowed as refused:
            await self.send(error_frame("not_allowed", str(refused)))

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """A frame for everyone in the conversation (tokens, finished replies), already encoded."""
        if event.get("except_channel") != self.channel_name:
            await self.send(text_data=event["frame"])
            self._unended.discard(event.get("ended_reply"))

    async def _within_rate_limit(self, text_data: str | None) -> bool:
        bucket = frame_rate_limiter.bucket(self.visitor_id)
        if bucket.take():
            return True
        # One notice per second at most, so a flood is not answered with a flood.
        now = time.monotonic()
        if now - self._rate_limit_reported_at >= 1.0:
            self._rate_limit_reported_at = now
            retry_after = round(bucket.seconds_until_next(), 2)
            await self.send(
                error_frame(
                    "rate_limited",
                    "Too many messages; slow down.",
                    client_message_id_of(text_data or ""),
                    retry_after_s=retry_after,
                )
            )
        return False

    async def _send_turn(self, frame: SendFrame) -> None:
        router = inference_router()
        worker_id = await router.choose_worker(self.conversation_id)
        if worker_id is None:
            await self.send(error_frame("unavailable", NO_WORKER, frame.client_message_id))
            return
        # The reply starts generating while the turn is stored, where the router can do that.
        early = None if frame.attachment_ids else router.start_early(self.conversation_id, frame.text)
        turn = None
        try:
            turn = await self._store_turn(frame, worker_id, with_history=early is not None)
        finally:
            # Kept only as the reply of a new turn stored after exactly the history it assumed.
            if early is not None and not (
                turn is not None
                and turn.reply is not None
                and not turn.duplicate
                and early.adopt(turn.history_ids, turn.user_message_id)
            ):
                early.abandon()
                early = None
        if turn is None:
            return
        await self.send(json.dumps(turn.ack))
        if not turn.duplicate:
            # The visitor's other tabs and devices show the turn too (this one has it already).
            turn_frame = {"type": "turn", "message": turn.ack["message"], "reply": turn.ack["reply"]}
            await self.channel_layer.group_send(
                conversation_group(self.conversation_id),
                {**relay(json.dumps(turn_frame)), "except_channel": self.channel_name},
            )
        if turn.reply is None:
            return  # people own the conversation: nothing for the bot to do
        if not turn.duplicate:
            await router.dispatch(self.conversation_id, turn.reply.id, worker_id, early=early)
        if turn.reply.is_generating:
            self._watch_generating_replies({turn.reply.id})

    async def _store_turn(self, frame: SendFrame, worker_id: str, with_history: bool) -> AcceptedTurn | None:
        """The stored turn; None when it was refused (the client was told why). `with_history`:
        with the ids of the messages before it, which an early start must match."""
        accept = concurrent_database_sync_to_async(accept_user_turn)
        try:
            try:
                return await accept(self.conversation_id, frame, worker_id, with_history)
            except ReplyInProgress:
                # Unless that reply's worker is gone: then it is marked failed and this send goes on.
                if await settle_lost_replies(self.conversation_id):
                    raise
                return await accept(self.conversation_id, frame, worker_id, with_history)
        except TurnRejected as rejected:
            await self.send(error_frame(rejected.code, rejected.message, frame.client_message_id))
            return None

    async def _resume(self, last_message_id: int | None) -> None:
        still_generating = await settle_lost_replies(self.conversation_id)
        messages = await database_sync_to_async(missed_messages)(
            self.conversation_id, last_message_id
        )
        await self.send(json.dumps({"type": "history", "messages": messages}))
        if still_generating:
            self._watch_generating_replies(
                {message["id"] for message in messages if message.get("state") == "generating"}
            )

    def _watch_generating_replies(self, reply_ids: set[int]) -> None:
        self._unended |= reply_ids
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(self._settle_until_done())

    async def _settle_until_done(self) -> None:
        while True:
            await asyncio.sleep(settings.INFERENCE_WORKER_TTL_S)
            if await settle_lost_replies(self.conversation_id):
                continue
            if not settings.CHAT_FRAMES_MAY_BE_LOST or not await self._send_missed_ends():
                return

    async def _send_missed_ends(self) -> bool:
        """Send the ends of finished replies whose reply.end did not come; True while a reply that
        started meanwhile is still to be watched."""
        await asyncio.sleep(settings.INFERENCE_WORKER_TTL_S)  # one more period for a late frame
        for reply in await database_sync_to_async(finished_replies)(self._unended):
            log.info("reply %s ended without its frame reaching this socket; sent from the database", reply.id)
            await self.send(reply_end_frame(reply))
        generating = await database_sync_to_async(generating_replies)(self.conversation_id)
        self._unended &= {reply_id for reply_id, _ in generating}
        return bool(self._unended)
