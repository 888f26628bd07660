"""A GLM-4.6V-Flash-shaped model with random bf16 weights, saved as a model folder: the real
checkpoint's architecture and sizes (Glm4vForConditionalGeneration, 40 layers of 4096 with 2 KV
heads, the 24-layer vision tower, a 151552-row vocabulary, the real image pixel budget), built by
inference/models/tiny_glm.py's builder at full size. The engine and vLLM can be timed on it on a
GPU without the 20 GB download; its output is noise, its speed is the real model's. The tokenizer
is the tiny model's (same special tokens and chat format, a small vocabulary).

    python bench/glm_shaped.py FOLDER      # about 20 GB written; used by bench/gpu_check.sh
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from transformers import AutoModelForImageTextToText  # noqa: E402
from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil  # noqa: E402

from inference.models.tiny_glm import MERGE_SIZE, PATCH_SIZE, TEMPORAL_PATCH_SIZE, TinyDims, stop_token_ids, tiny_glm_config  # noqa: E402
from inference.models.tiny_tokenizer import build_tiny_tokenizer  # noqa: E402

# The dimensions of zai-org/GLM-4.6V-Flash's config.json.
GLM_46V_FLASH = TinyDims(
    hidden=4096, layers=40, heads=32, intermediate=13696, mrope_section=(8, 12, 12),
    vision_hidden=1536, vision_depth=24, vision_heads=12, vision_intermediate=13696,
)
VOCAB_SIZE = 151552
# Its image processor's pixel budget (preprocessor_config.json).
IMAGE_SIZE = {"shortest_edge": 12544, "longest_edge": 9633792}


def build(folder: Path) -> None:
    tokenizer = build_tiny_tokenizer()
    config = tiny_glm_config(GLM_46V_FLASH, tokenizer)
    config.text_config.vocab_size = VOCAB_SIZE
    config.text_config.max_position_embeddings = 131072
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    with torch.device(device):  # initialised where it runs: seconds on a GPU, minutes on a CPU
        model = AutoModelForImageTextToText.from_config(config, attn_implementation="sdpa", dtype=torch.bfloat16)
    model.generation_config.eos_token_id = stop_token_ids(tokenizer)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder, max_shard_size="5GB")
    tokenizer.save_pretrained(folder)
    processor = Glm46VImageProcessorPil(
        size=IMAGE_SIZE, patch_size=PATCH_SIZE, temporal_patch_size=TEMPORAL_PATCH_SIZE, merge_size=MERGE_SIZE
    )
    processor.save_pretrained(folder)
    _save_full_processor(folder, processor, tokenizer)
    print(f"{sum(p.numel() for p in model.parameters()) / 1e9:.2f}B parameters written to {folder}")


def _save_full_processor(folder: Path, image_processor, tokenizer) -> None:
    """vLLM loads the whole multimodal processor (its video half needs torchvision, which a GPU
    machine with vLLM has); SupportBot's engine reads only the image processor saved above."""
    try:
        from transformers import Glm46VProcessor, Glm46VVideoProcessor

        video_processor = Glm46VVideoProcessor()
    except ImportError as missing:
        print(f"processor for vLLM not saved ({missing}); SupportBot's engine does not need it")
        return
    Glm46VProcessor(
        image_processor=image_processor, tokenizer=tokenizer, video_processor=video_processor,
        chat_template=tokenizer.chat_template,
    ).save_pretrained(folder)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
