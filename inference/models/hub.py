"""Turn a model spec (a built-in name, a Hugging Face hub id or a local folder) into a LoadedModel.

Every failure comes out as a one-line ModelLoadError that can be shown as it is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from transformers import (
    AutoConfig,
    AutoImageProcessor,
    AutoModelForCausalLM,
    AutoModelForImageTextToText,
    AutoTokenizer,
    PretrainedConfig,
    PreTrainedTokenizerBase,
)

from inference.decoding import DecodingDefaults
from inference.models import ChatFamily, LoadedModel
from inference.models.errors import load_error
from inference.models.smollm2 import load_smollm2
from inference.models.tiny_glm import build_tiny_glm
from inference.types import ModelLoadError

GLM_VISION_MODEL = "zai-org/GLM-4.6V-Flash"
SMOLLM2 = "smollm2-135m"
TINY = "tiny-random"
TINY_BENCH = "tiny-random-bench"
GLM4V_MODEL_TYPES = {"glm4v", "glm46v", "glm4v_moe"}
DTYPES = {
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float16": torch.float16,
    "fp16": torch.float16,
    "float32": torch.float32,
    "fp32": torch.float32,
}


def default_model_spec() -> str:
    # GLM-4.6V needs a GPU to be interactive; on CPU the packaged SmolLM2 reads screenshots via OCR.
    return GLM_VISION_MODEL if torch.cuda.is_available() else SMOLLM2


def load_model(
    spec: str,
    device: str | None = None,
    dtype: str | None = None,
    cache_dir: Path | str | None = None,
    attn_implementation: str = "sdpa",
) -> LoadedModel:
    """Load `spec` on `device` in `dtype`: by default CUDA in bfloat16 when there is a GPU, else CPU in float32.

    `cache_dir` is where converted models (SmolLM2) are kept; hub downloads use the Hugging Face cache.
    """
    torch_device, torch_dtype = resolve_placement(device, dtype)
    if spec == SMOLLM2:
        loaded = load_smollm2(cache_dir)
    elif spec in (TINY, TINY_BENCH):
        loaded = build_tiny_glm(size="bench" if spec == TINY_BENCH else "test")
    else:
        return load_folder(spec, torch_device, torch_dtype, attn_implementation)
    loaded.model.set_attn_implementation(attn_implementation)
    loaded.model.to(device=torch_device, dtype=torch_dtype)
    return dataclasses.replace(loaded, device=torch_device, dtype=torch_dtype)


def resolve_placement(device: str | None, dtype: str | None) -> tuple[torch.device, torch.dtype]:
    try:
        torch_device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    except RuntimeError as exc:
        raise load_error(f"bad device {device!r}", exc) from exc
    if torch_device.type == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(f"device {device!r} was asked for, but CUDA is not available")
    if dtype is None:
        return torch_device, torch.bfloat16 if torch_device.type == "cuda" else torch.float32
    if dtype not in DTYPES:
        raise ModelLoadError(f"bad dtype {dtype!r}; expected one of {', '.join(DTYPES)}")
    return torch_device, DTYPES[dtype]


def load_folder(
    spec: str | Path,
    device: torch.device,
    dtype: torch.dtype,
    attn_implementation: str = "sdpa",
) -> LoadedModel:
    """Load a hub id or a local folder through the transformers auto classes."""
    spec = str(spec)
    source = _checked_source(spec)
    config = _read_config(source)
    weights_kwargs = {"dtype": dtype, "attn_implementation": attn_implementation}
    if device.type != "cpu":
        weights_kwargs["device_map"] = {"": str(device)}  # straight onto the GPU, not via host memory
    try:
        if getattr(config, "vision_config", None) is not None:
            family = _vision_family(spec, config)
            tokenizer = AutoTokenizer.from_pretrained(source)
            # The PIL backend works without torchvision and gives the same pixels on every machine.
            image_processor = AutoImageProcessor.from_pretrained(source, backend="pil")
            model = AutoModelForImageTextToText.from_pretrained(source, **weights_kwargs)
        else:
            tokenizer = AutoTokenizer.from_pretrained(source)
            family = _text_family(spec, tokenizer)
            image_processor = None
            model = AutoModelForCausalLM.from_pretrained(source, **weights_kwargs)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise load_error(f"cannot load model {spec!r}", exc) from exc
    model.eval()
    return LoadedModel(
        name=spec,
        model=model,
        tokenizer=tokenizer,
        image_processor=image_processor,
        family=family,
        device=device,
        dtype=dtype,
        decoding=_decoding_defaults(model),
    )


def _checked_source(spec: str) -> str:
    """A local folder's expanded path once it is known to hold a model, else the spec as a hub id."""
    path = Path(spec).expanduser()
    if not (spec.startswith(("/", ".", "~")) or path.exists()):
        return spec
    if not path.is_dir():
        raise ModelLoadError(f"model folder {spec!r} does not exist")
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"model folder {spec!r} has no config.json")
    return str(path)


def _read_config(source: str) -> PretrainedConfig:
    try:
        return AutoConfig.from_pretrained(source)
    except Exception as exc:
        raise load_error(f"cannot load model {source!r}", exc) from exc


def _vision_family(spec: str, config: PretrainedConfig) -> ChatFamily:
    if config.model_type in GLM4V_MODEL_TYPES:
        return "glm4v"
    raise ModelLoadError(
        f"model {spec!r} ({config.model_type}): the chat format of this vision model is not supported yet"
    )


def _text_family(spec: str, tokenizer: PreTrainedTokenizerBase) -> ChatFamily:
    template = str(tokenizer.chat_template or "")
    if "<|im_start|>" in template:
        return "chatml"
    raise ModelLoadError(
        f"model {spec!r}: only ChatML chat templates (<|im_start|>) are supported for text models"
    )


def _decoding_defaults(model: torch.nn.Module) -> DecodingDefaults:
    """The loop control its authors ship in generation_config.json, where they ship any."""
    config = getattr(model, "generation_config", None)
    return DecodingDefaults(
        repetition_penalty=float(getattr(config, "repetition_penalty", None) or 1.0),
        no_repeat_ngram=int(getattr(config, "no_repeat_ngram_size", None) or 0),
    )
