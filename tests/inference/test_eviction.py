"""Cache budget, LRU eviction, idle expiry and the second tier: evicted sessions recompute from
their history and give the same tokens."""

import torch

from inference.kv_store import KVCache, KVStore
from inference.types import ChatMessage
from tests.engine_fixtures import make_engine, request, screenshot, tiny_model  # noqa: F401


def two_turns(engine, session_id, evict_between=False):
    messages = [ChatMessage("user", "The app crashes on start.", [screenshot(3)])]
    first = engine.generate(request(session_id, messages))
    messages += [ChatMessage("assistant", first.text), ChatMessage("user", "What should I do?")]
    if evict_between:
        engine.evict_session(session_id)
    return first, engine.generate(request(session_id, messages))


def test_evicted_session_recomputes_the_same_reply(make_engine):
    _, kept = two_turns(make_engine(), "s")
    engine = make_engine()
    _, recomputed = two_turns(engine, "s", evict_between=True)
    assert kept.usage.cached_tokens > 0
    assert recomputed.usage.cached_tokens == 0
    assert recomputed.text == kept.text
    assert engine.stats()["evictions"] == 1


def test_budget_evicts_least_recently_used(make_engine, tiny_model):
    one_session = 256 * 1024  # a 256-token block of the tiny model's cache
    engine = make_engine(kv_budget_bytes=2 * one_session)
    for name in ("a", "b", "c"):
        engine.generate(request(name, [ChatMessage("user", f"Hello from {name}")]))
    engine.generate(request("a", [ChatMessage("user", "Hello from a")]))  # a is now most recent
    engine.generate(request("d", [ChatMessage("user", "Hello from d")]))
    sessions = engine.store.sessions
    held = {name for name, state in sessions.items() if state.cache is not None}
    assert held == {"a", "d"}
    assert engine.stats()["bytes_held"] <= 2 * one_session
    assert engine.stats()["evictions"] == 3  # a (when c came), b (when a came back), c


def test_idle_sessions_expire_and_drop_frees_at_once():
    now = [0.0]
    store = KVStore(lambda: KVCache(1, 1, 4, torch.float32, torch.device("cpu")), torch.device("cpu"),
                    budget_bytes=10**9, idle_ttl_s=60, clock=lambda: now[0])
    store.reserve(store.session("old"), 10)
    now[0] = 50
    store.reserve(store.session("recent"), 10)
    now[0] = 100
    assert store.expire_idle() == 1
    assert set(store.sessions) == {"recent"}
    store.drop("recent")
    assert store.bytes_held() == 0


def test_second_tier_keeps_evicted_cache_and_reuses_it():
    """With a second tier (CPU memory behind a GPU) an evicted cache moves there instead of
    being dropped, and a later turn brings it back and reuses it. Here both tiers are CPU
    tensors, which runs the same code path a GPU uses."""
    store = KVStore(lambda: KVCache(1, 1, 4, torch.float32, torch.device("cpu")), torch.device("cpu"),
                    budget_bytes=10**9, idle_ttl_s=60,
                    offload_device=torch.device("cpu"), offload_budget_bytes=10**9)
    state = store.session("s")
    store.claim_prefix(state, [1, 2, 3, 4])
    cache = store.reserve(state, 4)
    state.keys = [1, 2, 3]
    store.evict("s")
    assert state.cache is cache and state.offloaded and store.stats.offloads == 1
    assert store.bytes_held() == 0 and store.bytes_held(offloaded=True) == cache.nbytes
    assert store.claim_prefix(state, [1, 2, 3, 9]) == 3
    assert not state.offloaded and store.bytes_held() == cache.nbytes
