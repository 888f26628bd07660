"""Issue 16, item 12: the decoded-image caches are bounded by bytes, not entries (a few 25 Mpx
screenshots would otherwise take gigabytes), and an erased screenshot does not stay in memory."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from cachetools import LRUCache
from PIL import Image

from inference.media import MediaPreparer
from inference.types import ChatMessage, GenerationRequest, SamplingParams
from supportbot.chat.models import Conversation
from supportbot.chat.uploads import store_upload
from supportbot.inference_bridge import client, engine_client
from supportbot.inference_bridge.client import ImageFile, decoded_image, with_decoded_images
from supportbot.ops.privacy import delete_conversations
from tests.chat_fixtures import new_conversation, screenshot_png

MEGAPIXEL_RGB = 3 * 1000 * 1000


@pytest.fixture
def small_cache(monkeypatch) -> LRUCache:
    """The process's decoded-image cache, shrunk to hold two megapixel screenshots."""
    cache = LRUCache(maxsize=2 * MEGAPIXEL_RGB + 1, getsizeof=client._rgb_bytes)
    monkeypatch.setattr(client, "_decoded", cache)
    return cache


def _screenshots(folder: Path, count: int) -> list[str]:
    paths = []
    for index in range(count):
        path = folder / f"shot-{index}.png"
        Image.new("RGB", (1000, 1000), (index, 0, 0)).save(path)
        paths.append(str(path))
    return paths


def test_the_decoded_image_cache_holds_bytes_not_entries(small_cache, tmp_path):
    for path in _screenshots(tmp_path, 5):
        decoded_image(path)
    assert small_cache.currsize <= small_cache.maxsize
    assert len(small_cache) == 2  # the two most recent
    # Larger than the whole cache: decoded, not kept.
    huge = tmp_path / "huge.png"
    Image.new("RGB", (2000, 2000)).save(huge)
    assert decoded_image(str(huge)).size == (2000, 2000)
    assert str(huge) not in small_cache


def test_an_erased_screenshot_leaves_the_cache_at_the_next_request(small_cache, tmp_path):
    erased, kept = _screenshots(tmp_path, 2)
    decoded_image(erased)
    Path(erased).unlink()  # retention, or an unsent upload's expiry, in any process
    request = GenerationRequest("s", [ChatMessage("user", "hi", images=[ImageFile(kept)])], SamplingParams())
    with_decoded_images(request)
    assert list(small_cache) == [kept]
    with pytest.raises(FileNotFoundError):
        decoded_image(erased)


class _FakeProcessor:
    """Pixel patches of a known size, as GLM-4V's processor returns them."""

    size = {}

    def __call__(self, images, return_tensors):
        return {"pixel_values": torch.zeros(1000, 1000), "image_grid_thw": torch.tensor([[1, 2, 2]])}


def test_the_engine_media_cache_holds_bytes_not_entries():
    patches = 1000 * 1000 * 4  # float32
    preparer = MediaPreparer(_FakeProcessor(), cache_bytes=3 * patches)
    for index in range(10):
        preparer.prepare(Image.new("RGB", (64, 64), (index, 0, 0)))
    assert preparer._cache.currsize <= 3 * patches
    assert len(preparer._cache) == 3


@pytest.mark.django_db
def test_erasing_a_screenshot_drops_what_the_in_process_engine_prepared_from_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    engine = SimpleNamespace(media=MediaPreparer(_FakeProcessor()))
    monkeypatch.setattr(engine_client(), "local_engine", lambda: engine)
    erased, kept = new_conversation(), new_conversation()
    shots = {
        conversation: store_upload(conversation, screenshot_png(label=label))
        for conversation, label in ((erased, "Error 42"), (kept, "Error 43"))
    }
    # A turn of each conversation: the engine prepares each screenshot, cached by pixel hash.
    prepared = {c: engine.media.prepare(decoded_image(a.file.path)).sha256 for c, a in shots.items()}
    monkeypatch.setattr(client, "_decoded", LRUCache(maxsize=1, getsizeof=client._rgb_bytes))  # aged out
    with django_capture_on_commit_callbacks(execute=True):
        delete_conversations(Conversation.objects.filter(pk=erased.pk))  # retention, or a request
    assert not Path(shots[erased].file.path).exists()
    assert list(engine.media._cache) == [prepared[kept]]
