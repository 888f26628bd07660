"""The embedded setup (no Redis, so no Celery beat process) runs beat's schedule inside the web
process: a turn's events are shipped within seconds, in one batch, and the SLA timer of an
unclaimed handoff fires."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from tests.live_app import live_app, turn, wait_for

pytestmark = [pytest.mark.services, pytest.mark.timeout(120)]


def query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def test_the_web_process_ships_events_and_runs_the_sla_timer(tmp_path: Path) -> None:
    env = {
        "SUPPORTBOT_VAR_DIR": str(tmp_path / "var"),
        "SUPPORTBOT_EMBEDDED_BEAT": "1",
        "SUPPORTBOT_HANDOFF_SLA_S": "1",
        "SUPPORTBOT_HANDOFF_SLA_CHECK_S": "1",
    }
    with live_app(env, tmp_path) as app:
        database = tmp_path / "var" / "supportbot.sqlite3"
        visitor = app.visit()

        async def chat() -> None:
            async with app.socket(visitor) as socket:
                await socket.send(json.dumps({"type": "resume", "last_message_id": None}))
                await socket.recv()
                frames = await turn(socket, "m1", "My invoice shows two charges.")
                assert frames[-1]["type"] == "reply.end", frames[-1]
                await socket.send(json.dumps({"type": "escalate"}))
                await asyncio.sleep(0.5)

        asyncio.run(chat())
        # message.in, message.out and the escalation, each shipped exactly once as a log line.
        kinds = wait_for(
            lambda: (rows := query(database, "SELECT kind FROM events_event WHERE delivered_at IS NOT NULL"))
            and len(rows) >= 3
            and rows,
            15,
            "the turn's events to be shipped",
        )
        assert {"message.in", "message.out", "escalation"} <= {kind for (kind,) in kinds}
        assert query(database, "SELECT COUNT(*) FROM events_event WHERE delivery_attempts > 1") == [(0,)]
        shipped = [
            json.loads(line.split("supportbot.events.shipped: ", 1)[1])
            for line in (tmp_path / "daphne.log").read_text().splitlines()
            if "supportbot.events.shipped: " in line
        ]
        shipped_ids = [event["id"] for event in shipped]
        assert len(shipped_ids) == len(set(shipped_ids)) >= 3

        # Nobody claims the handoff: one SLA period later the timer raises its priority.
        wait_for(
            lambda: query(database, "SELECT sla_breaches FROM agents_handoff")[0][0] >= 1,
            15,
            "the SLA timer to fire",
        )
