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
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supportbot.chat import address_limits, delivery
from supportbot.chat.address_limits import scope_address
from supportbot.chat.access import TooManyNewConversations, browser_language, visitor_conversation
from supportbot.chat.frames import (
    CancelFrame,
    EmailFrame,
    EscalateFrame,
    FeedbackFrame,
    FrameError,
    PingFrame,
    RatingFrame,
    ResumeFrame,
    SendFrame,
    TypingFrame,
    client_message_id_of,
    error_frame,
    parse_client_frame,
    pong_frame,
    reply_end_frame,
    typing_frame,
)
from supportbot.chat.grounding import NOTHING, Grounding, ground_chat_turn
from supportbot.chat.hooks import NotAllowed, people_rules
from supportbot.chat.rate_limit import VisitorRateLimiter
from supportbot.chat.replies import chat_sampling, ended_among, reply_runner
from supportbot.chat.shutdown import open_sockets
from supportbot.chat.stopping import stop_reply
from supportbot.chat.transcript import as_read
from supportbot.chat.sockets import DirectDispatchConsumer
from supportbot.chat.turns import (
    AcceptedTurn,
    ReplyInProgress,
    TurnRejected,
    accept_user_turn,
    missed_messages,
)
from supportbot.inference_bridge import engine_client
from supportbot.inference_bridge.client import NO_WORKER
from supportbot.lib.database import concurrent_database_sync_to_async
from supportbot.lib.languages import socket_language

log = logging.getLogger(__name__)

frame_rate_limiter = VisitorRateLimiter(settings.CHAT_FRAME_BURST, settings.CHAT_FRAMES_PER_SECOND)

# Close codes (4000-4999 are the application's): the client must not reconnect after these.
CLOSE_NOT_FOUND = 4404

DATABASE_UNAVAILABLE = gettext_lazy(
    "The service is briefly unavailable; your message was not saved. Please send it again."
)


class ChatConsumer(DirectDispatchConsumer):
    """Accepts a visitor's frames and starts replies (chat.replies owns them from there)."""

    conversation_id: uuid.UUID | None = None
    _rate_limit_reported_at = 0.0
    _last_relayed_at = 0.0  # when the last frame of the conversation's group came (monotonic)
    # Sends reply.end frames from the database that pub/sub lost (CHAT_FRAMES_MAY_BE_LOST).
    _lost_end_watch: asyncio.Task[None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Replies this socket showed generating whose reply.end it has not passed on yet.
        self._unended: set[int] = set()

    @cached_property
    def language(self) -> str:
        """The visitor's page's language: what server messages are in, and what the bot is told
        to answer in."""
        return socket_language(self.scope)

    async def dispatch(self, message: dict[str, Any]) -> None:
        with translation.override(self.language):
            await super().dispatch(message)

    async def connect(self) -> None:
        visitor_id = self.scope.get("visitor_id")
        try:
            conversation = await database_sync_to_async(visitor_conversation)(
                self.scope["url_route"]["kwargs"]["conversation_id"],
                visitor_id,
                self._language(),
                scope_address(self.scope),
            )
        except DatabaseError:
            # Refused at the handshake: the page sees a failed connect and backs off further each
            # time, where an accepted socket would count as an open (docs/protocol.md).
            log.warning("database unavailable while opening a chat socket", exc_info=True)
            await self.close()
            return
        except TooManyNewConversations:
            # Refused at the handshake too, before any row was stored; the page backs off.
            await self.close()
            return
        # Accepted before the refusal of a missing conversation, so that it can say why in a frame
        # (a refused handshake cannot) and the page stops trying.
        await self.accept()
        if conversation is None:
            await self.send(error_frame("not_found", _("No such conversation.")))
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.conversation_id = conversation.id
        open_sockets.add(self)
        self.visitor_id = visitor_id
        await self.channel_layer.group_add(delivery.conversation_group(conversation.id), self.channel_name)
        engine_client().prepare()
        reply_runner().conversation_opened(conversation.id)

    def _language(self) -> str:
        accept_language = dict(self.scope.get("headers", [])).get(b"accept-language", b"")
        return browser_language(accept_language.decode("latin-1"))

    async def disconnect(self, code: int) -> None:
        open_sockets.discard(self)
        if self._lost_end_watch is not None:
            self._lost_end_watch.cancel()
        if self.conversation_id is not None:
            await self.channel_layer.group_discard(
                delivery.conversation_group(self.conversation_id), self.channel_name
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
                await self.send(pong_frame())
            elif isinstance(frame, CancelFrame):
                await stop_reply(reply_runner(), self.conversation_id, frame.message_id)
            else:
                await self._people_frame(frame)
        except DatabaseError:
            # Nothing of this frame was stored (each turn is one transaction): say so, keep the
            # socket, and let the client send it again once the database is back.
            log.warning("database unavailable while handling a %s frame", frame.type, exc_info=True)
            await self.send(
                error_frame("unavailable", DATABASE_UNAVAILABLE, getattr(frame, "client_message_id", None))
            )

    async def _people_frame(
        self, frame: EscalateFrame | FeedbackFrame | RatingFrame | TypingFrame | EmailFrame
    ) -> None:
        """The frames about people: the rules are the agents app's (chat.hooks)."""
        if isinstance(frame, TypingFrame):
            await delivery.send_to_group(
                delivery.console_conversation_group(self.conversation_id), typing_frame("user", frame.typing)
            )
            return
        rules = people_rules()
        try:
            if isinstance(frame, EscalateFrame):
                await database_sync_to_async(rules.visitor_asks_for_person)(self.conversation_id, frame.message_id)
            elif isinstance(frame, FeedbackFrame):
                await database_sync_to_async(rules.record_feedback)(
                    self.conversation_id, frame.message_id, frame.helpful
                )
                # The page says it was taken (and shows the thumbs so after a reload).
                await self.send(
                    json.dumps({"type": "feedback.saved", "message_id": frame.message_id, "helpful": frame.helpful})
                )
            elif isinstance(frame, EmailFrame):
                # Confirmed to every tab by an email.saved frame from the people side.
                await database_sync_to_async(rules.leave_email)(self.conversation_id, frame.address)
            else:
                await database_sync_to_async(rules.rate)(self.conversation_id, frame.score, frame.comment)
                await self.send(json.dumps({"type": "rating.thanks"}))
        except NotAllowed as refused:
            await self.send(error_frame(refused.code, str(refused)))

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """A frame for everyone in the conversation (tokens, finished replies), already encoded."""
        self._last_relayed_at = time.monotonic()
        if event.get("except_channel") != self.channel_name:
            await self.send(text_data=event["frame"])
            self._unended.discard(event.get("ended_reply"))

    async def _within_rate_limit(self, text_data: str | None) -> bool:
        """The visitor's own bucket, then their address's count (a new cookie does not reset it)."""
        bucket = frame_rate_limiter.bucket(self.visitor_id)
        if not bucket.take():
            retry_after, message = round(bucket.seconds_until_next(), 2), _("Too many messages; slow down.")
        else:
            address_wait = await address_limits.atake(
                "frames", scope_address(self.scope), settings.CHAT_FRAMES_PER_ADDRESS_PER_MINUTE
            )
            if address_wait is None:
                return True
            retry_after, message = address_wait, _("Too many messages from your network; slow down.")
        # One notice per second at most, so a flood is not answered with a flood.
        now = time.monotonic()
        if now - self._rate_limit_reported_at >= 1.0:
            self._rate_limit_reported_at = now
            await self.send(
                error_frame(
                    "rate_limited", message, client_message_id_of(text_data or ""), retry_after_s=retry_after
                )
            )
        return False

    async def _send_turn(self, frame: SendFrame) -> None:
        if not await engine_client().available():
            await self.send(error_frame("unavailable", NO_WORKER, frame.client_message_id))
            return
        # Replies generating at once for this address, whatever visitor ids it uses.
        slot = await address_limits.aacquire(
            "generations", scope_address(self.scope), settings.GENERATIONS_PER_ADDRESS, settings.REPLY_DEADLINE_S
        )
        if slot is None:
            message = _("Too many replies are being written for your network; send again once one has finished.")
            await self.send(error_frame("rate_limited", message, frame.client_message_id))
            return
        reply: asyncio.Task[Any] | None = None
        try:
            reply = await self._store_and_start(frame)
        finally:
            if reply is None:
                await address_limits.arelease(slot)
            else:
                reply.add_done_callback(lambda _task: reply_runner().run_in_background(address_limits.arelease(slot)))

    async def _store_and_start(self, frame: SendFrame) -> asyncio.Task[Any] | None:
        """Store the turn and start its reply; the reply's task when one started here."""
        runner = reply_runner()
        grounding = await self._ground(frame)
        # The reply starts generating while the turn is stored, where it can.
        model_text = as_read(frame.text.strip(), grounding.context, self.language)
        generates = not (frame.attachment_ids or grounding.unanswered)
        sampling = chat_sampling(grounding.citations)
        early = runner.start_early(self.conversation_id, model_text, sampling) if generates else None
        turn = None
        try:
            turn = await self._store_turn(frame, early is not None, grounding)
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
            return None
        await self.send(json.dumps(turn.ack))
        if not turn.duplicate:
            # The visitor's other tabs and devices show the turn too (this one has it already).
            turn_frame = {"type": "turn", "message": turn.ack["message"], "reply": turn.ack["reply"]}
            await delivery.send_to_group(
                delivery.conversation_group(self.conversation_id), turn_frame, except_channel=self.channel_name
            )
        if turn.reply is None:
            return None  # people own the conversation: nothing for the bot to do
        started = None
        if not turn.duplicate and turn.reply.is_generating:
            started = runner.start(
                self.conversation_id, turn.reply.id, sampling=sampling, early=early, opening=turn.reply.opening
            )
        if turn.reply.is_generating:
            self._expect_ends({turn.reply.id})
        return started

    async def _ground(self, frame: SendFrame) -> Grounding:
        """What the help center says about the message; nothing when retrieval fails (the bot
        answers without it rather than not at all)."""
        try:
            return await ground_chat_turn(self.conversation_id, frame.text, frame.attachment_ids, self.language)
        except Exception:
            log.warning("help-center retrieval failed; answering without it", exc_info=True)
            return NOTHING

    async def _store_turn(self, frame: SendFrame, with_history: bool, grounding: Grounding) -> AcceptedTurn | None:
        """The stored turn; None when it was refused (the client was told why). `with_history`:
        with the ids of the messages before it, which an early start must match."""
        accept = concurrent_database_sync_to_async(accept_user_turn)
        try:
            try:
                return await accept(self.conversation_id, frame, with_history, grounding, self.language)
            except ReplyInProgress:
                # Unless that reply lost its process: then it is started again or failed, and
                # this send goes on if it ended.
                await reply_runner().recover(self.conversation_id)
                return await accept(self.conversation_id, frame, with_history, grounding, self.language)
        except TurnRejected as rejected:
            await self.send(error_frame(rejected.code, rejected.message, frame.client_message_id))
            return None

    async def _resume(self, last_message_id: int | None) -> None:
        await reply_runner().recover(self.conversation_id)
        messages = await database_sync_to_async(missed_messages)(self.conversation_id, last_message_id)
        await self.send(json.dumps({"type": "history", "messages": messages}))
        # Waiting for a person: where the visitor stands now (frames sent while away are lost).
        waiting = await database_sync_to_async(people_rules().waiting_state)(self.conversation_id)
        if waiting is not None:
            await self.send(json.dumps(waiting, ensure_ascii=False))
        self._expect_ends({message["id"] for message in messages if message.get("state") == "generating"})

    def _expect_ends(self, reply_ids: set[int]) -> None:
        if not reply_ids or not settings.CHAT_FRAMES_MAY_BE_LOST:
            return
        self._unended |= reply_ids
        if self._lost_end_watch is None or self._lost_end_watch.done():
            self._lost_end_watch = asyncio.create_task(self._send_lost_ends())

    async def _send_lost_ends(self) -> None:
        """While replies are expected: those that ended in the database, without their reply.end
        reaching this socket through a whole quiet spell (no frame relayed), get it from the
        database. Frames that are merely slow (a busy process) keep the spell from starting."""
        quiet_s = settings.INFERENCE_WORKER_TTL_S
        ended: list[Any] = []
        while self._unended:
            await asyncio.sleep(quiet_s)
            if time.monotonic() - self._last_relayed_at < quiet_s:
                ended = []  # frames are still coming: nothing is known to be lost
                continue
            for reply in ended:  # ended a whole quiet spell ago, and still no frame
                if reply.id in self._unended:
                    log.info("reply %s ended without its frame reaching this socket; sent from the database", reply.id)
                    self._unended.discard(reply.id)
                    await self.send(reply_end_frame(reply))
            ended = await database_sync_to_async(ended_among)(set(self._unended)) if self._unended else []
