"""Closing chat sockets cleanly when Daphne stops (SIGTERM on a deploy or a scale-down).

Left alone, Daphne cancels every consumer and drops the connections without a close frame
(browsers see 1006). Instead, every open chat socket first gets a `server.restart` frame, so
clients know to reconnect after a short pause (to another web process) rather than show an
error, and then a close with 1001 (going away). The frame is what counts: Daphne stops its
reactor without waiting for close handshakes, so clients may still see the close as 1006. Replies keep generating on the inference
workers and are stored, so the reconnecting client finds them (see docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import json
import sys
import weakref
from typing import Any

# 1001 "going away": the standard code for a server going down (autobahn, under Daphne, refuses
# 1012 "service restart").
CLOSE_GOING_AWAY = 1001
RECONNECT_AFTER_S = 1.0

open_sockets: weakref.WeakSet[Any] = weakref.WeakSet()  # connected ChatConsumers of this process


def install_goodbye() -> None:
    """Hook into Daphne's Twisted reactor, if this process runs under Daphne; else do nothing
    (importing the reactor elsewhere would install one)."""
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None or not hasattr(reactor, "_asyncioEventloop"):
        return
    # Daphne cancels the consumers in a "before shutdown" trigger too; the goodbyes go out
    # through tasks of their own, which that cancellation does not touch, and the reactor waits
    # for the Deferred returned here.
    reactor.addSystemEventTrigger("before", "shutdown", _say_goodbye)


def _say_goodbye():
    from twisted.internet import defer

    frame = json.dumps({"type": "server.restart", "reconnect_after_s": RECONNECT_AFTER_S})

    async def goodbye(consumer) -> None:
        await consumer.base_send({"type": "websocket.send", "text": frame})
        await consumer.base_send({"type": "websocket.close", "code": CLOSE_GOING_AWAY})

    async def all_goodbyes() -> None:
        await asyncio.gather(*(goodbye(s) for s in list(open_sockets)), return_exceptions=True)
        await asyncio.sleep(0.3)  # let the reactor write the close frames before it stops

    return defer.Deferred.fromFuture(asyncio.ensure_future(all_goodbyes()))
