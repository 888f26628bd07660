"""inference.models.hub: specs to LoadedModels, a saved folder round trip, and one-line ModelLoadErrors."""

from __future__ import annotations

import huggingface_hub.constants
import pytest
import torch
from PIL import Image, ImageDraw
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2VLConfig

from inference.models import default_model_spec, load_model
from inference.models.hub import load_folder, resolve_placement
from inference.models.tiny_glm import build_tiny_glm, save_tiny_glm
from inference.models.tiny_tokenizer import build_tiny_tokenizer
from inference.types import ModelLoadError

torch.set_num_threads(1)
CPU = torch.device("cpu")
CHATML_TEMPLATE = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"


@pytest.fixture(scope="module")
def tiny_and_folder(tmp_path_factory):
    tiny = build_tiny_glm(seed=3)
    folder = tmp_path_factory.mktemp("tiny-glm")
    save_tiny_glm(tiny, folder)
    return tiny, folder


def test_saved_folder_loads_back_identically(tiny_and_folder):
    tiny, folder = tiny_and_folder
    loaded = load_folder(folder, CPU, torch.float32)
    assert (loaded.family, loaded.name) == ("glm4v", str(folder))
    assert type(loaded.image_processor).__name__ == "Glm46VImageProcessorPil"
    assert loaded.tokenizer.get_vocab() == tiny.tokenizer.get_vocab()
    assert loaded.tokenizer.chat_template == tiny.tokenizer.chat_template
    assert not loaded.model.training

    images = [_screenshot()]
    pixels = tiny.image_processor(images, return_tensors="pt")
    reloaded_pixels = loaded.image_processor(images, return_tensors="pt")
    assert torch.equal(pixels["pixel_values"], reloaded_pixels["pixel_values"])
    n_image = int(pixels["image_grid_thw"].prod() // 4)
    image_id = tiny.model.config.image_token_id
    input_ids = torch.tensor([[5, 6, image_id - 2] + [image_id] * n_image + [image_id - 1, 7, 8]])
    inputs = {"input_ids": input_ids, "mm_token_type_ids": (input_ids == image_id).int()}
    with torch.no_grad():
        expected = tiny.model(**inputs, **pixels).logits
        actual = loaded.model(**inputs, **reloaded_pixels).logits
    assert torch.equal(expected, actual)


def test_load_model_tiny_spec_on_cpu():
    loaded = load_model("tiny-random", device="cpu")
    assert (loaded.name, loaded.family, loaded.device, loaded.dtype) == ("tiny-random", "glm4v", CPU, torch.float32)
    assert not loaded.model.training


def test_dtype_override_casts_the_model():
    loaded = load_model("tiny-random", device="cpu", dtype="bfloat16")
    assert loaded.dtype == torch.bfloat16
    assert next(loaded.model.parameters()).dtype == torch.bfloat16


def test_default_placement_and_spec_follow_cuda():
    if torch.cuda.is_available():
        assert resolve_placement(None, None) == (torch.device("cuda"), torch.bfloat16)
        assert default_model_spec() == "zai-org/GLM-4.6V-Flash"
    else:
        assert resolve_placement(None, None) == (CPU, torch.float32)
        assert default_model_spec() == "smollm2-135m"


def test_text_model_with_chatml_template(tmp_path):
    _save_tiny_llama(tmp_path, CHATML_TEMPLATE)
    loaded = load_model(str(tmp_path), device="cpu")
    assert (loaded.family, loaded.image_processor) == ("chatml", None)


@pytest.mark.parametrize(
    ("make_spec", "message"),
    [
        (lambda tmp: str(tmp / "missing"), "does not exist"),
        (lambda tmp: str(tmp), "has no config.json"),
        (lambda tmp: _write(tmp, "config.json", "{not json"), "cannot load model"),
        (lambda tmp: _save_config_only(tmp, Qwen2VLConfig()), "not supported yet"),
        (lambda tmp: _save_tiny_llama(tmp, "{{ messages }}"), "only ChatML"),
        (lambda tmp: _save_config_only(tmp, _tiny_llama_config(vocab_size=64)), "cannot load model"),
    ],
    ids=["missing-folder", "empty-folder", "bad-config", "other-vision-model", "non-chatml", "no-weights"],
)
def test_bad_folders_give_one_line_errors(tmp_path, make_spec, message):
    with pytest.raises(ModelLoadError, match=message) as caught:
        load_model(make_spec(tmp_path), device="cpu")
    assert "\n" not in str(caught.value)


def test_unknown_hub_id_offline(monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelLoadError, match="cannot load model 'no-such-org/no-such-model'") as caught:
        load_model("no-such-org/no-such-model", device="cpu")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("device", "dtype", "message"), [("cpu", "float8", "bad dtype"), ("nonsense", None, "bad device")]
)
def test_bad_placement(device, dtype, message):
    with pytest.raises(ModelLoadError, match=message):
        load_model("tiny-random", device=device, dtype=dtype)


def _screenshot() -> Image.Image:
    img = Image.new("RGB", (500, 300), "white")
    ImageDraw.Draw(img).rectangle((40, 40, 300, 120), fill="red")
    return img


def _save_tiny_llama(folder, chat_template: str) -> str:
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = chat_template
    LlamaForCausalLM(_tiny_llama_config(vocab_size=len(tokenizer))).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def _tiny_llama_config(vocab_size: int) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )


def _save_config_only(folder, config) -> str:
    config.save_pretrained(folder)
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = CHATML_TEMPLATE
    tokenizer.save_pretrained(folder)
    return str(folder)


def _write(folder, name: str, text: str) -> str:
    (folder / name).write_text(text)
    return str(folder)
