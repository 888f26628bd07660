"""Per-session KV caches: prefix matching, a byte budget with LRU eviction, an idle TTL and an
optional second tier (CPU memory behind a GPU).

Each session owns one contiguous buffer per K and V, shaped (layers, kv_heads, capacity, head_dim)
and grown by doubling, so a decode step writes one slot in place instead of concatenating (and so
copying) the whole cache as transformers' DynamicCache does.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import torch

GROWTH_BLOCK = 256  # tokens; capacities are multiples of this
REPLY_MEMO_ENTRIES = 64
SHARED_MEMO_ENTRIES = 4096  # replies of all sessionless (API) conversations together
MIN_FORKED_PREFIX = 16  # tokens; below this a copy is not worth it
ANONYMOUS = "~"  # prefix of the ids the store gives sessionless requests


class KVCache:
    def __init__(self, num_layers: int, kv_heads: int, head_dim: int, dtype: torch.dtype, device: torch.device):
        empty = (num_layers, kv_heads, 0, head_dim)
        self.k = torch.empty(empty, dtype=dtype, device=device)
        self.v = torch.empty(empty, dtype=dtype, device=device)

    @property
    def capacity(self) -> int:
        return self.k.shape[2]

    @property
    def nbytes(self) -> int:
        return self.k.nbytes + self.v.nbytes

    def ensure_capacity(self, tokens: int, keep: int) -> None:
        """Make room for `tokens` positions, keeping the first `keep` (the reused prefix)."""
        if tokens <= self.capacity:
            return
        new_capacity = max(tokens, 2 * self.capacity)
        new_capacity = -(-new_capacity // GROWTH_BLOCK) * GROWTH_BLOCK
        self.k = self._grown(self.k, new_capacity, keep)
        self.v = self._grown(self.v, new_capacity, keep)

    @staticmethod
    def _grown(buffer: torch.Tensor, capacity: int, keep: int) -> torch.Tensor:
        layers, heads, _, dim = buffer.shape
        grown = torch.empty((layers, heads, capacity, dim), dtype=buffer.dtype, device=buffer.device)
        grown[:, :, :keep] = buffer[:, :, :keep]
        return grown

    def move_to(self, device: torch.device) -> None:
        self.k = self.k.to(device)
        self.v = self.v.to(device)


@dataclass
class SessionState:
    session_id: str
    # Keys (token ids, with image placeholders replaced by image-hash keys) whose K/V are cached.
    keys: list[int] = field(default_factory=list)
    cache: KVCache | None = None
    # Assistant text -> the token ids this engine generated for it (re-tokenizing may differ).
    # Kept when the cache is evicted: it is tiny, and it makes recomputation give the same tokens.
    reply_memo: OrderedDict[str, list[int]] = field(default_factory=OrderedDict)
    # Index of the oldest message still in the prompt, once context overflow dropped turns.
    window_start: int = 0
    offloaded: bool = False  # the cache sits in the second tier
    last_used: float = field(default_factory=time.monotonic)
    busy: bool = False

    def remember_reply(self, text: str, token_ids: list[int]) -> None:
        self.reply_memo[text] = token_ids
        self.reply_memo.move_to_end(text)
        limit = SHARED_MEMO_ENTRIES if self.session_id.startswith(ANONYMOUS) else REPLY_MEMO_ENTRIES
        while len(self.reply_memo) > limit:
            self.reply_memo.popitem(last=False)


@dataclass
class KVStats:
    hits: int = 0
    misses: int = 0
    tokens_reused: int = 0
    tokens_prefilled: int = 0
    evictions: int = 0
    offloads: int = 0
    expired: int = 0
    forks: int = 0


def reusable_prefix(cached: list[int], new: list[int]) -> int:
    """Length of the longest common prefix, never ending inside an image and always leaving at
    least one new token to feed (the model needs an input to produce the next logits)."""
    limit = min(len(cached), len(new) - 1)
    n = 0
    while n < limit and cached[n] == new[n]:
        n += 1
    while 0 < n < len(new) and new[n] < 0 and new[n - 1] == new[n]:
        n -= 1  # an image's placeholders are only valid all together
    return n


class KVStore:
    def __init__(
        self,
        new_cache: Callable[[], KVCache],
        device: torch.device,
        budget_bytes: int,
        idle_ttl_s: float,
        offload_device: torch.device | None = None,
        offload_budget_bytes: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.new_cache = new_cache
        self.device = device
        self.budget_bytes = budget_bytes
        self.idle_ttl_s = idle_ttl_s
        self.offload_device = offload_device
        self.offload_budget_bytes = offload_budget_bytes
        self.clock = clock
        self.sessions: OrderedDict[str, SessionState] = OrderedDict()  # least recently used first
        self.shared_memo: OrderedDict[str, list[int]] = OrderedDict()
        self.stats = KVStats()
        self._anonymous_ids = itertools.count(1)

    def session(self, session_id: str) -> SessionState:
        state = self.sessions.get(session_id)
        if state is None:
            state = self.sessions[session_id] = SessionState(session_id)
        self.sessions.move_to_end(session_id)
        state.last_used = self.clock()
        return state

    def session_for_prefix(self, keys: list[int]) -> SessionState:
        """A session for a request that has no session id (stateless API clients resend the
        whole conversation): like automatic prefix caching, find the idle sessionless cache that
        shares the longest prefix. If the prompt extends all of it (the next turn of that
        conversation) take it over; if it shares only part (a common system prompt, an edited
        turn) copy that part into a new session, so the other conversation keeps its cache."""
        best, best_length = None, 0
        for state in reversed(self.sessions.values()):  # most recent first
            if not state.session_id.startswith(ANONYMOUS) or state.busy or state.cache is None:
                continue
            length = reusable_prefix(state.keys, keys)
            if length > best_length:
                best, best_length = state, length
        if best is not None and best_length == len(best.keys):
            return self.session(best.session_id)
        state = self.session(f"{ANONYMOUS}{next(self._anonymous_ids)}")
        state.reply_memo = self.shared_memo
        if best is not None and best_length >= MIN_FORKED_PREFIX:
            if best.offloaded:
                best.cache.move_to(self.device)
                best.offloaded = False
            best.busy = True  # making room for the copy must not evict its source
            cache = self.reserve(state, best_length)
            best.busy = False
            cache.k[:, :, :best_length] = best.cache.k[:, :, :best_length]
            cache.v[:, :, :best_length] = best.cache.v[:, :, :best_length]
            state.keys = best.keys[:best_length]
            self.stats.forks += 1
        return state

    def claim_prefix(self, state: SessionState, keys: list[int]) -> int:
        """Keep the cached prefix this prompt shares with the session's history; return its length."""
        if state.offloaded:
            state.cache.move_to(self.device)
            state.offloaded = False
        if state.cache is None:
            state.keys = []
        reused = reusable_prefix(state.keys, keys)
        del state.keys[reused:]
        if reused:
            self.stats.hits += 1
        else:
            self.stats.misses += 1
        self.stats.tokens_reused += reused
        self.stats.tokens_prefilled += len(keys) - reused
        return reused

    def reserve(self, state: SessionState, tokens: int) -> KVCache:
        """Grow the session's cache to hold `tokens` positions, evicting idle sessions to stay
        within the budget. Busy sessions are never evicted, so the budget can be exceeded by
        what the running batch needs (at most max_batch x max_context)."""
        if state.cache is None:
            state.cache = self.new_cache()
        before = state.cache.nbytes
        state.cache.ensure_capacity(tokens, keep=len(state.keys))
        if state.cache.nbytes != before:
            self._enforce_budget()
        return state.cache

    def bytes_held(self, offloaded: bool = False) -> int:
        return sum(s.cache.nbytes for s in self.sessions.values() if s.cache is not None and s.offloaded == offloaded)

    def _enforce_budget(self) -> None:
        held = self.bytes_held()
        for state in list(self.sessions.values()):  # oldest first
            if held <= self.budget_bytes:
                return
            if state.busy or state.cache is None or state.offloaded:
                continue
            held -= state.cache.nbytes
            self._evict(state)

    def _evict(self, state: SessionState) -> None:
        cache = state.cache
        tier = self.offload_device
        if tier is not None and self.bytes_held(offloaded=True) + cache.nbytes <= self.offload_budget_bytes:
            cache.move_to(tier)
            state.offloaded = True
            self.stats.offloads += 1
            return
        state.cache = None
        state.keys = []
        self.stats.evictions += 1

    def evict(self, session_id: str) -> None:
        state = self.sessions.get(session_id)
        if state is not None and state.cache is not None and not state.busy and not state.offloaded:
            self._evict(state)

    def drop(self, session_id: str) -> None:
        """The conversation ended: forget its cache and history."""
        self.sessions.pop(session_id, None)

    def expire_idle(self) -> int:
        now = self.clock()
        stale = [s.session_id for s in self.sessions.values() if not s.busy and now - s.last_used > self.idle_ttl_s]
        for session_id in stale:
            self.drop(session_id)
        self.stats.expired += len(stale)
        return len(stale)

    def snapshot(self) -> dict:
        return {
            **self.stats.__dict__,
            "sessions": len(self.sessions),
            "bytes_held": self.bytes_held(),
            "bytes_offloaded": self.bytes_held(offloaded=True),
            "budget_bytes": self.budget_bytes,
        }
