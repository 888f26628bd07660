"""The agent console's WebSocket (/ws/console/): staff with the use_console permission only. Its
connection is the agent's presence. Every frame naming a conversation is first checked against
agents.access (who may view it, who may act on it); agents.handoff then decides what the
conversation's state allows. A refused frame is answered with an error frame that says nothing of
the conversation: `not_found` when the agent may not even view it (or it does not exist),
`not_allowed` when they view it but do not own it.

Everything this socket says in words is in its agent's language (lib.languages.socket_language):
its queue and conversation frames and its errors are built for it, and the offers and visitor
messages broadcast to it by whoever caused them are given their title and reason in words again
here, from the codes they carry."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Annotated, Any, Literal

from channels.db import database_sync_to_async
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, IntegrityError
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from pydantic import Field, StringConstraints, TypeAdapter, ValidationError

from supportbot.agents import access, handoff, offers, queue
from supportbot.agents.access import may_use_console
from supportbot.agents.drafts import request_draft
from supportbot.agents.labels import SCREENSHOT_ONLY, conversation_title, reason_in_words
from supportbot.agents.models import ConsolePresence, Team
from supportbot.agents.unread import mark_read
from supportbot.chat import delivery
from supportbot.chat.frames import ClientFrame, PingFrame, error_frame, pong_frame, typing_frame
from supportbot.chat.frames import TypingFrame as VisitorTypingFrame
from supportbot.chat.models import Conversation
from supportbot.chat.sockets import DirectDispatchConsumer
from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.inference_bridge.client import NO_WORKER
from supportbot.lib.languages import socket_language

Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class ConversationFrame(ClientFrame):
    """open (show it, subscribe, mark it read), claim, resolve, reopen, hand_back, decline (the
    offer of it), read (everything in it so far): one conversation each."""

    type: Literal["open", "claim", "resolve", "reopen", "hand_back", "decline", "read"]
    conversation_id: uuid.UUID


class TextFrame(ClientFrame):
    type: Literal["reply", "note"]
    conversation_id: uuid.UUID
    text: Text


class TypingFrame(VisitorTypingFrame):
    conversation_id: uuid.UUID


class TransferFrame(ClientFrame):
    """To a named agent (who owns it at once), else back to a team's queue (or the same team's)."""

    type: Literal["transfer"]
    conversation_id: uuid.UUID
    to_agent_id: int | None = None
    to_team_id: int | None = None


class SuggestFrame(ClientFrame):
    """Ask the model for a reply draft; it comes back to this socket only."""

    type: Literal["suggest"]
    conversation_id: uuid.UUID


ConsoleFrame = TypeAdapter(
    Annotated[
        PingFrame | ConversationFrame | TextFrame | TypingFrame | TransferFrame | SuggestFrame,
        Field(discriminator="type"),
    ]
)

ACTIONS = {
    "claim": handoff.claim,
    "resolve": handoff.resolve,
    "reopen": handoff.reopen,
    "hand_back": handoff.hand_back,
    "decline": offers.decline,
}

# What each frame needs of agents.access, beyond its state rules in agents.handoff: viewing (open,
# read, note, claim a pending one, decline one's offer) or owning (the rest).
VIEW_FRAMES = {"open", "read", "note", "claim", "decline"}
ACT_FRAMES = {"reply", "typing", "resolve", "reopen", "hand_back", "transfer", "suggest"}
log = logging.getLogger(__name__)

NOT_FOUND = ("not_found", _("No such conversation."))
DATABASE_UNAVAILABLE = _("The service is briefly unavailable; nothing was changed. Please try again.")
NOT_YOURS = ("not_allowed", _("Only the agent who owns this conversation (or a supervisor) may do that."))

__all__ = ["ConsoleConsumer", "ConsoleFrame", "may_use_console"]


def refusal(user: Any, frame: Any) -> tuple[str, str] | None:
    """Why this frame is refused (an error frame's code and message), or None when it may go on."""
    conversation_id = frame.conversation_id
    if not Conversation.objects.filter(pk=conversation_id).exists():
        return NOT_FOUND
    if not access.may_view(user, conversation_id):
        return NOT_FOUND  # another team's conversation looks exactly like a missing one
    if frame.type in ACT_FRAMES and not access.may_act(user, conversation_id):
        return NOT_YOURS
    if frame.type not in VIEW_FRAMES | ACT_FRAMES:
        return ("not_allowed", _("Unknown action."))
    if isinstance(frame, TransferFrame) and frame.to_team_id is not None:
        if not Team.objects.filter(pk=frame.to_team_id).exists():
            return ("not_found", _("No such team."))
    return None


# One draft at a time per console, so a held-down button cannot queue work on the engine; one
# whose draft.end never came (its worker died) stops counting after this long.
DRAFT_TIMEOUT_S = 60.0


class ConsoleConsumer(DirectDispatchConsumer):
    # The conversation last opened, whose frames this socket receives.
    following: uuid.UUID | None = None
    # When the draft still being written for this console was asked for.
    draft_asked_at: float | None = None

    @cached_property
    def language(self) -> str:
        """The console page's language, which every word this socket sends is in."""
        return socket_language(self.scope)

    async def dispatch(self, message: dict[str, Any]) -> None:
        with translation.override(self.language):
            await super().dispatch(message)

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        try:
            allowed = await database_sync_to_async(may_use_console)(self.user)
            if allowed:
                await database_sync_to_async(self._refresh_presence)()
        except DatabaseError:
            # Refused at the handshake like a stranger: the page backs off further each time.
            log.warning("database unavailable while opening a console socket", exc_info=True)
            allowed = False
        if not allowed:
            await self.close()  # refused at the handshake: HTTP 403
            return
        await self.accept()
        await self.channel_layer.group_add(delivery.CONSOLE_QUEUE_GROUP, self.channel_name)
        await self.channel_layer.group_add(
            delivery.console_agent_group(self.user.pk), self.channel_name
        )
        await self._send_queue()

    async def disconnect(self, code: int) -> None:
        await database_sync_to_async(
            ConsolePresence.objects.filter(channel_name=self.channel_name).delete
        )()

    def _refresh_presence(self) -> None:
        ConsolePresence.objects.update_or_create(
            channel_name=self.channel_name,
            defaults={"user": self.user, "last_seen": timezone.now()},
        )

    async def chat_frame(self, event: dict[str, str]) -> None:
        frame = json.loads(event["frame"])
        kind = frame.get("type")
        if kind == "queue.changed":
            # Every console hears of every change; only those who may view the conversation hear
            # which one changed, and one that is no longer theirs to view stops being followed.
            if await database_sync_to_async(access.may_view)(self.user, frame.get("conversation_id")):
                await self.send(text_data=event["frame"])
            elif self.following is not None and frame.get("conversation_id") == str(self.following):
                await self._unfollow()
            await self._send_queue()
            return
        if kind in ("offer", "visitor.message"):
            await self.send(json.dumps(await database_sync_to_async(in_own_words)(frame)))
            return
        await self.send(text_data=event["frame"])
        if kind == "draft.end":
            self.draft_asked_at = None

    async def _send_queue(self) -> None:
        snapshot = await database_sync_to_async(queue.snapshot)(self.user)
        await self.send(json.dumps({"type": "queue", **snapshot}))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = ConsoleFrame.validate_json(text_data or "")
        except ValidationError as invalid:
            await self.send(error_frame("invalid_frame", str(invalid.errors()[0]["msg"])))
            return
        try:
            await self._carry_out(frame)
        except DatabaseError:
            # The database is away: say so and keep the socket (its queue and following stay).
            log.warning("database unavailable while handling a console %s frame", frame.type, exc_info=True)
            await self.send(error_frame("unavailable", DATABASE_UNAVAILABLE))

    async def _carry_out(self, frame: Any) -> None:
        if isinstance(frame, PingFrame):
            await database_sync_to_async(self._refresh_presence)()
            await self.send(pong_frame())
            return
        conversation_id = frame.conversation_id
        refused = await database_sync_to_async(refusal)(self.user, frame)
        if refused is not None:
            await self.send(error_frame(*refused))
            return
        try:
            if isinstance(frame, TypingFrame):
                await delivery.send_to_group(
                    delivery.conversation_group(conversation_id), typing_frame("agent", frame.typing)
                )
            elif isinstance(frame, TextFrame):
                write = handoff.post_agent_message if frame.type == "reply" else handoff.add_note
                await database_sync_to_async(write)(conversation_id, self.user, frame.text)
            elif isinstance(frame, TransferFrame):
                await database_sync_to_async(handoff.transfer)(
                    conversation_id, self.user, frame.to_agent_id, frame.to_team_id
                )
            elif isinstance(frame, SuggestFrame):
                await self._suggest(conversation_id)
            elif frame.type == "open":
                await self._open(conversation_id)
            elif frame.type == "read":
                await self._read(conversation_id)
            else:
                done = await database_sync_to_async(ACTIONS[frame.type])(conversation_id, self.user)
                if done is False:
                    await self.send(error_frame("already_claimed", _("Another agent claimed it.")))
        except handoff.NotAllowed as not_allowed:
            await self.send(error_frame("not_allowed", str(not_allowed)))
        except (ObjectDoesNotExist, IntegrityError):
            # Deleted (or its team removed) between the check and the change.
            await self.send(error_frame(*NOT_FOUND))

    async def _suggest(self, conversation_id: uuid.UUID) -> None:
        now = time.monotonic()
        if self.draft_asked_at is not None and now - self.draft_asked_at < DRAFT_TIMEOUT_S:
            await self.send(error_frame("busy", _("A draft is still being written.")))
        elif await request_draft(conversation_id, self.channel_name):
            self.draft_asked_at = now
        else:
            # NO_WORKER is in the catalog as it is (inference_bridge marks no strings).
            await self.send(error_frame("unavailable", translation.gettext(NO_WORKER)))

    async def _read(self, conversation_id: uuid.UUID) -> None:
        """Read marks are the agent's own: only this socket's queue changes (its unread counts)."""
        await database_sync_to_async(mark_read)(self.user, conversation_id)
        await self._send_queue()

    async def _open(self, conversation_id: uuid.UUID) -> None:
        detail = await database_sync_to_async(self._opened)(conversation_id)
        if detail is None:
            await self.send(error_frame(*NOT_FOUND))
            return
        # A console shows one conversation at a time, and the frames it follows (messages, typing,
        # notes) name no conversation: stop following the one shown before.
        if self.following is not None and self.following != conversation_id:
            await self._unfollow()
        for group in _conversation_groups(conversation_id):
            await self.channel_layer.group_add(group, self.channel_name)
        self.following = conversation_id
        await self.send(json.dumps({"type": "conversation", **detail}))
        await self._read(conversation_id)

    def _opened(self, conversation_id: uuid.UUID) -> dict[str, Any] | None:
        """The conversation in full, its reading recorded: an agent.action event "open", which
        ops.audit turns into an audit entry (a transcript viewed in the console)."""
        detail = queue.conversation_detail(conversation_id, self.user)
        if detail is not None:
            record_event(Event.Kind.AGENT_ACTION, conversation_id, action="open", agent=self.user.pk)
        return detail

    async def _unfollow(self) -> None:
        if self.following is None:
            return
        for group in _conversation_groups(self.following):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.following = None


def in_own_words(frame: dict[str, Any]) -> dict[str, Any]:
    """An offer or visitor.message frame with its title and reason in words in the active
    language: notify built them in the language of whoever caused it."""
    conversation = Conversation.objects.filter(pk=frame.get("conversation_id")).first()
    if conversation is not None:
        frame["title"] = conversation_title(conversation)
    if frame.get("reason"):
        frame["reason_text"] = reason_in_words(frame["reason"])
    if frame.get("screenshot_only"):
        frame["text"] = str(SCREENSHOT_ONLY)
    return frame


def _conversation_groups(conversation_id: uuid.UUID) -> tuple[str, str]:
    """The visitor's frames (handoff, agent.message, replies) and the consoles' own."""
    return delivery.conversation_group(conversation_id), delivery.console_conversation_group(conversation_id)
