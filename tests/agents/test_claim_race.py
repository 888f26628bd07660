"""Two agents claim the same pending conversation at the same instant on PostgreSQL, each in its
own thread with its own database connection, released together by a barrier: exactly one wins,
every time, and the conversation shows one "has joined" and records one claim."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from tests.live_app import ROOT
from tests.bridge.test_redis_workers import database  # noqa: F401 (a fresh PostgreSQL database)

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

ROUNDS = 20
RACE = f"""
import json, threading
from django.db import connection
from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation

support = team()
agents = [agent("alice", support, max_concurrent=100), agent("bob", support, max_concurrent=100)]
results = []
for _ in range({ROUNDS}):
    conversation = new_conversation()
    handoff.escalate(conversation.id, Trigger(Handoff.Reason.USER_BUTTON, "button"))
    barrier = threading.Barrier(len(agents))
    won = {{}}

    def claim(user):
        connection.ensure_connection()  # connected before the barrier: only the claim races
        barrier.wait()
        won[user.username] = handoff.claim(conversation.id, user)
        connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.append([str(conversation.id), won])
print(json.dumps(results))
"""


def manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=150
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_exactly_one_of_two_simultaneous_claims_wins(database):  # noqa: F811
    manage(database, "migrate", "--noinput")
    results = json.loads(manage(database, "shell", "-c", RACE).strip().splitlines()[-1])
    assert len(results) == ROUNDS
    with psycopg.connect(database) as db:
        for conversation_id, won in results:
            assert sorted(won.values()) == [False, True], won
            winner = next(name for name, claimed in won.items() if claimed)
            owner = db.execute(
                "SELECT u.username FROM agents_handoff h JOIN auth_user u ON u.id = h.owner_id"
                " WHERE h.conversation_id = %s AND h.ended_at IS NULL",
                (conversation_id,),
            ).fetchall()
            assert owner == [(winner,)]
            (joined,) = db.execute(
                "SELECT count(*) FROM chat_message WHERE conversation_id = %s AND text LIKE %s",
                (conversation_id, "% has joined the conversation."),
            ).fetchone()
            (claims,) = db.execute(
                "SELECT count(*) FROM events_event WHERE conversation_id = %s AND data->>'action' = 'claim'",
                (conversation_id,),
            ).fetchone()
            assert (joined, claims) == (1, 1)
