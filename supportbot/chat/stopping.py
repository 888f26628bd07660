"""The visitor's Stop, in whichever web process runs the reply.

A reply generates in the process that stored its turn (chat.replies.ReplyRunner), usually the one
holding the visitor's socket. When the Stop comes in over another socket (a second tab, a
reconnect to another process), it is broadcast to every process's runner over the channel layer.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from supportbot.chat.models import Message

RUNNERS_GROUP = "reply.runners"
# Channel-layer groups forget their members after a day (channels_redis): join again well before.
REJOIN_S = 3600.0

log = logging.getLogger(__name__)


class Stoppable(Protocol):
    def stop(self, reply_id: int) -> bool: ...


async def stop_reply(runner: Stoppable, conversation_id: uuid.UUID, reply_id: int) -> bool:
    """Stop the conversation's reply if it is still generating; False when it is not (it ended
    meanwhile, or is another conversation's)."""
    generating = await database_sync_to_async(
        Message.objects.filter(
            pk=reply_id, conversation_id=conversation_id, role=Message.Role.ASSISTANT, finish_reason=""
        ).exists
    )()
    if not generating:
        return False
    if not runner.stop(reply_id):
        await get_channel_layer().group_send(RUNNERS_GROUP, {"type": "reply.stop", "reply_id": reply_id})
    return True


async def listen_for_stops(runner: Stoppable) -> None:
    """Run for the life of the process: stop the replies other processes were asked to stop."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    while True:
        try:
            await layer.group_add(RUNNERS_GROUP, channel)
            async with asyncio.timeout(REJOIN_S):
                while True:
                    message = await layer.receive(channel)
                    runner.stop(int(message["reply_id"]))
        except TimeoutError:
            continue
        except Exception:  # the layer (Redis) away for a while
            log.warning("cannot listen for stopped replies now", exc_info=True)
            await asyncio.sleep(5)
