"""Bearer tokens for machine endpoints (metrics), compared in constant time."""

from __future__ import annotations

import hmac


def bearer_token_matches(authorization: str, expected: str) -> bool:
    """True for "Bearer <expected>"; never true when no token is expected."""
    scheme, _, token = authorization.partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )
