"""Per-visitor token buckets, kept in this process.

With several web processes each enforces its own bucket, so a visitor spread over N processes gets
up to N times the rate; that bounds floods, which is all these limits are for.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    burst: float
    per_second: float
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def seconds_until_next(self) -> float:
        return max(0.0, (1 - self.tokens) / self.per_second)


class VisitorRateLimiter:
    """One bucket per visitor, shared by all of that visitor's connections in this process."""

    MAX_VISITORS = 100_000  # oldest buckets are forgotten beyond this, bounding memory

    def __init__(self, burst: float, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: OrderedDict[uuid.UUID, TokenBucket] = OrderedDict()

    def bucket(self, visitor_id: uuid.UUID) -> TokenBucket:
        bucket = self._buckets.get(visitor_id)
        if bucket is None:
            bucket = self._buckets[visitor_id] = TokenBucket(self.burst, self.per_second)
            if len(self._buckets) > self.MAX_VISITORS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(visitor_id)
        return bucket
