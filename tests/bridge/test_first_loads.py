"""Right after a start, the engine loads its model while the first visitor question is embedded:
both import transformers for the first time at once, in two threads. Without a lock one of them
got a half-initialised module ("cannot import name 'AutoConfig' from 'transformers'", seen after
`make run`: the first question lost its help-center answer). Each try is a fresh interpreter,
since only a first import can race."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.live_app import ROOT

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(300)]

BOTH_AT_ONCE = """
import os, threading
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
os.environ.setdefault("SECRET_KEY", "test")
import django
django.setup()
from inference import embedding
from supportbot.inference_bridge.client import load_engine

failures = []
def run(job):
    try:
        job()
    except Exception as error:
        failures.append(repr(error))

jobs = [lambda: load_engine("tiny-random", 2**26, 2).shutdown(), lambda: embedding.embed_query("reset my password")]
threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures or "both loaded")
"""


def test_the_engine_and_the_question_model_load_at_once():
    # The race lost about half of the tries before the lock; five fresh processes all load.
    for _ in range(5):
        done = subprocess.run([sys.executable, "-c", BOTH_AT_ONCE], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().splitlines()[-1] == "both loaded", done.stdout[-2000:]
