"""The load benchmark, smaller, as a test: 60 conversations x 3 turns in the Redis setup (Daphne,
two inference workers, PostgreSQL, Redis) must lose no turn. A latency change once made the full
run lose turns unnoticed; this keeps any change from doing it again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.timeout(400)]


def test_no_turn_is_lost_under_load():
    run = subprocess.run(
        [sys.executable, "bench/load.py", "--sessions", "60", "--turns", "3", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=360,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["turns"] == 180
    assert (result["lost"], result["errors"]) == (0, 0), run.stdout
