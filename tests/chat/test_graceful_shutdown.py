"""Daphne stopped with SIGTERM (a deploy): every open chat socket is told to reconnect before the
connection goes, instead of just dropping."""

import asyncio
import json
import signal

import pytest

from tests.live_app import live_app

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(120)]


async def test_open_sockets_get_a_reconnect_hint_on_sigterm(tmp_path):
    with live_app({}, tmp_path) as app:
        visitors = [app.visit(), app.visit()]
        async with app.socket(visitors[0]) as first, app.socket(visitors[1]) as second:
            for socket in (first, second):
                await socket.send(json.dumps({"type": "ping"}))
                assert json.loads(await socket.recv())["type"] == "pong"
            app.processes["daphne"].send_signal(signal.SIGTERM)
            for socket in (first, second):
                frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                assert frame == {"type": "server.restart", "reconnect_after_s": 1.0}
