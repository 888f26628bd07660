"""Shared fixtures: article saves index after commit, and tests see their own index."""

from __future__ import annotations

import pytest

from supportbot.knowledge import retrieval


@pytest.fixture(autouse=True)
def fresh_search_index(settings):
    """Rolled-back test transactions reuse ids: never let one test's in-memory index serve the
    next (the version check would almost always catch it; this makes it certain). Every search
    checks the version, so an edit shows at once."""
    settings.KB_INDEX_CHECK_S = 0
    retrieval._index = None
    yield
    retrieval._index = None


@pytest.fixture
def lexical_only(settings):
    """No embedding model: fast tests of everything but the vectors."""
    settings.KB_EMBEDDINGS = False


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for a commit (indexing) at the end of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
