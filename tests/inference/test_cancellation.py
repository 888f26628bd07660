"""Cancelling a stream frees its slot at once; a request that cannot be served in time ends
with a clear timeout."""

import asyncio

from inference.types import ChatMessage, EngineStopped, Finished, TokenDelta
from tests.engine_fixtures import make_engine, request, tiny_model  # noqa: F401


async def test_cancel_mid_stream_frees_the_slot(make_engine):
    engine = make_engine(max_batch=1)
    stream = engine.stream(request("leaver", [ChatMessage("user", "Tell me a long story")], max_new_tokens=2000, ignore_eos=True))
    received = 0
    async for event in stream:
        assert isinstance(event, TokenDelta)
        received += 1
        if received == 3:
            break
    await stream.aclose()  # the user closed the tab
    # With a batch of one, the next request can only run once the slot is free again.
    after = await asyncio.wait_for(_collect(engine, request("next", [ChatMessage("user", "Hi")], max_new_tokens=4)), 10)
    assert after.usage.finish_reason in ("stop", "length")
    stats = engine.stats()
    assert stats["running"] == 0
    assert stats["finished"]["cancelled"] == 1  # the long story was stopped, not run to its end


async def test_timeout_ends_a_stuck_request(make_engine):
    engine = make_engine(max_batch=1)
    hog = asyncio.create_task(_collect(engine, request("hog", [ChatMessage("user", "Go on and on")], max_new_tokens=2000, ignore_eos=True)))
    await asyncio.sleep(0.2)
    stuck = request("stuck", [ChatMessage("user", "Hello?")])
    stuck.timeout_s = 0.5
    finished = await asyncio.wait_for(_collect(engine, stuck), 10)
    assert finished.usage.finish_reason == "timeout"
    assert "timed out" in finished.usage.error
    engine.drop_session("hog")
    assert (await hog).usage.finish_reason == "cancelled"


async def test_shutdown_ends_requests_and_refuses_new_ones(make_engine):
    engine = make_engine()
    # ignore_eos: still running at shutdown however soon the random model would have ended it.
    running = asyncio.create_task(
        _collect(engine, request("r", [ChatMessage("user", "Hi")], max_new_tokens=2000, ignore_eos=True))
    )
    await asyncio.sleep(0.2)
    await asyncio.get_running_loop().run_in_executor(None, engine.shutdown)
    finished = await asyncio.wait_for(running, 10)
    assert finished.usage.finish_reason == "error" and "shutting down" in finished.usage.error
    try:
        await _collect(engine, request("late", [ChatMessage("user", "Hi")]))
    except EngineStopped:
        pass
    else:
        raise AssertionError("a stopped engine accepted a request")


async def _collect(engine, req) -> Finished:
    async for event in engine.stream(req):
        if isinstance(event, Finished):
            return event
    raise AssertionError("stream ended without Finished")
