"""The visitor's Stop.

A reply generates in the process that stored its turn (chat.replies.ReplyRunner), the one holding
the visitor's socket then. A Stop is carried out there; one that comes in over a socket of another
web process (a second tab, a reconnect elsewhere) finds no reply to stop and changes nothing. A
broadcast to every process's runner over the channel layer was tried: its always-waiting receive
on channels_redis's shared receive loop made bench/load.py lose turns (9, 0, 1, 2 of 1,000 in four
runs; 0 and 0 without it).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from channels.db import database_sync_to_async

from supportbot.chat.models import Message


class Stoppable(Protocol):
    def stop(self, reply_id: int) -> bool: ...


async def stop_reply(runner: Stoppable, conversation_id: uuid.UUID, reply_id: int) -> bool:
    """Stop the conversation's reply if it is generating in this process; False when it is not
    (it ended meanwhile, runs in another process, or is another conversation's)."""
    generating = await database_sync_to_async(
        Message.objects.filter(
            pk=reply_id, conversation_id=conversation_id, role=Message.Role.ASSISTANT, finish_reason=""
        ).exists
    )()
    return generating and runner.stop(reply_id)
