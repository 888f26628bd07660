"""Starting a reply while its turn is still being stored (the engine in this process only).

Storing a turn waits its place on Channels' one database thread; when many conversations send at
once, that wait was most of what the web layer added to the time to first token. The engine does
not need the database to begin: the transcript it last answered in a conversation is remembered
here, so a text message starts generating at once while the turn is stored. Its events are held
until the stored reply adopts them, which it does only if the stored history is exactly the one
remembered (same message ids): an agent's message, a failed reply, a refused or duplicate send,
or a handoff abandons the early start and the reply is generated the usual way.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from inference.types import ChatMessage, Event, GenerationRequest
from supportbot.inference_bridge.transcript import Transcript, reply_sampling

if TYPE_CHECKING:
    from inference.engine import Engine


class TranscriptMemo:
    """The transcript of each recent conversation as the engine will next read it: remembered
    when a visitor connects and after every reply. The least recently used are dropped beyond
    `capacity` conversations or `image_budget_bytes` of decoded screenshots held."""

    def __init__(self, capacity: int = 2048, image_budget_bytes: int = 256 * 2**20) -> None:
        self.capacity = capacity
        self.image_budget_bytes = image_budget_bytes
        self._known: OrderedDict[str, tuple[Transcript, int]] = OrderedDict()
        self._image_bytes = 0

    def remember(self, conversation_id: uuid.UUID | str, transcript: Transcript) -> None:
        self.forget(conversation_id)
        size = _image_bytes(transcript)
        self._known[str(conversation_id)] = (transcript, size)
        self._image_bytes += size
        while self._known and (
            len(self._known) > self.capacity or self._image_bytes > self.image_budget_bytes
        ):
            _, (_, dropped) = self._known.popitem(last=False)
            self._image_bytes -= dropped

    def forget(self, conversation_id: uuid.UUID | str) -> None:
        known = self._known.pop(str(conversation_id), None)
        if known is not None:
            self._image_bytes -= known[1]

    def recall(self, conversation_id: uuid.UUID | str) -> Transcript | None:
        known = self._known.get(str(conversation_id))
        if known is None:
            return None
        self._known.move_to_end(str(conversation_id))
        return known[0]


def _image_bytes(transcript: Transcript) -> int:
    return sum(
        image.width * image.height * len(image.getbands())
        for message in transcript.messages
        for image in message.images
    )


class EarlyStart:
    """A reply generating from a remembered transcript, read only once a stored turn adopts it."""

    def __init__(
        self, engine: Engine, conversation_id: uuid.UUID, known: Transcript, text: str, memo: TranscriptMemo
    ) -> None:
        self.conversation_id = conversation_id
        self.known = known
        self.transcript: Transcript | None = None  # once adopted: `known` and the user message
        self.request = GenerationRequest(
            session_id=str(conversation_id),
            messages=[*known.messages, ChatMessage("user", text)],
            sampling=reply_sampling(),
            request_id=f"early-{conversation_id}",
        )
        self._text = text
        self._memo = memo
        self._stream = engine.event_stream(self.request)
        # Started now; its events wait in the stream until the adopted reply reads them. A refused
        # request (InvalidRequest) is raised to that reader; abandoned, nobody asks.
        self._starting = self._stream.start_now()
        self._starting.add_done_callback(lambda started: started.cancelled() or started.exception())

    def adopt(self, history_ids: tuple[int, ...], user_message_id: int) -> bool:
        """The turn was stored after `history_ids` as `user_message_id`: True if that is the
        history this start assumed (then it goes on as that turn's reply), else the caller
        abandons it."""
        if history_ids != self.known.message_ids:
            return False
        self.transcript = self.known.followed_by("user", self._text, user_message_id)
        return True

    def abandon(self) -> None:
        """Stop generating (the engine cancels the request) and forget the transcript, which
        proved stale or belongs to a conversation the bot is not answering."""
        self._stream.close()  # a request still being submitted is cancelled once it is
        self._memo.forget(self.conversation_id)

    async def events(self) -> AsyncIterator[Event]:
        await self._starting
        try:
            async for event in self._stream:
                yield event
        finally:
            self._stream.close()
