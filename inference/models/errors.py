"""One-line ModelLoadErrors from the multi-line exceptions that transformers and the hub raise."""

from __future__ import annotations

from inference.types import ModelLoadError


def load_error(what: str, cause: BaseException) -> ModelLoadError:
    """`what` says what failed; the cause's first line says why (the rest stays in __cause__)."""
    lines = str(cause).strip().splitlines()
    reason = lines[0].strip() if lines else type(cause).__name__
    return ModelLoadError(f"{what}: {reason}")
