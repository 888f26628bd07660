"""One forward pass over a packed batch of sessions, each attending only to its own KV cache.

The new tokens of every session in the step (a whole prefill chunk, or one decode token) are
concatenated into one sequence, so the model's linear layers run once for the whole batch, as
in nano-vllm and vLLM. Attention is the only per-session part: transformers lets us register an
attention function, and ours writes each session's new K/V into that session's buffer and
attends over it. The model code, weights and RoPE stay transformers' own, so any decoder that
dispatches through `ALL_ATTENTION_FUNCTIONS` (GLM-4V, Llama, ...) runs unchanged. `run` then
samples each sequence's next token from its last logits.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface

from inference.decoding import penalize
from inference.kv_store import KVCache
from inference.media import PreparedImage
from inference.models import LoadedModel
from inference.sequence import Sequence

PACKED_ATTENTION = "supportbot_packed"


@dataclass
class Segment:
    """One session's share of a step: tokens to append at cache position `start`."""

    cache: KVCache
    start: int
    token_ids: list[int]
    positions: torch.Tensor  # (rope_rows, n)
    images: list[tuple[int, PreparedImage]] = field(default_factory=list)  # (offset in segment, image)

    @property
    def length(self) -> int:
        return len(self.token_ids)


@dataclass
class PackedBatch:
    segments: list[Segment]
    offsets: list[int]
    masks: list[torch.Tensor | None]


def packed_attention(module, query, key, value, attention_mask, packed_batch: PackedBatch | None = None, **kwargs):
    if packed_batch is None:  # the model used outside the engine (reference runs, generate())
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    layer = module.layer_idx
    scaling = kwargs.get("scaling")
    out = torch.empty_like(query)
    for segment, offset, mask in zip(packed_batch.segments, packed_batch.offsets, packed_batch.masks):
        end = offset + segment.length
        stop = segment.start + segment.length
        keys = segment.cache.k[layer]
        values = segment.cache.v[layer]
        keys[:, segment.start : stop] = key[0, :, offset:end]
        values[:, segment.start : stop] = value[0, :, offset:end]
        if segment.length == 1:
            # One query sees every cached key, so the query heads sharing a KV head can stand in
            # as that head's query rows: (kv_heads, group, dim) against the unexpanded cache.
            heads, dim = query.shape[1], query.shape[3]
            grouped = query[0, :, offset].reshape(1, keys.shape[0], heads // keys.shape[0], dim)
            attended = F.scaled_dot_product_attention(grouped, keys[None, :, :stop], values[None, :, :stop], scale=scaling)
            out[0, :, offset] = attended.reshape(heads, dim)
            continue
        out[:, :, offset:end] = F.scaled_dot_product_attention(
            query[:, :, offset:end],
            keys[None, :, :stop],
            values[None, :, :stop],
            attn_mask=mask,
            scale=scaling,
            enable_gqa=True,
        )
    return out.transpose(1, 2), None


AttentionInterface.register(PACKED_ATTENTION, packed_attention)
# Masks are built per segment inside packed_attention; the model's own mask would be wrong.
AttentionMaskInterface.register(PACKED_ATTENTION, lambda *args, **kwargs: None)


def prefill_mask(start: int, length: int, device: torch.device) -> torch.Tensor | None:
    """Causal mask for `length` new queries after `start` cached keys (None when one query)."""
    if length == 1:
        return None
    query_pos = torch.arange(start, start + length, device=device).view(-1, 1)
    key_pos = torch.arange(start + length, device=device).view(1, -1)
    return key_pos <= query_pos


def segment_for(seq: Sequence, n: int) -> Segment:
    """The sequence's share of a step: its next `n` prompt tokens, or its last sampled token."""
    cache = seq.session.cache
    if seq.prefilling:
        start, end = seq.fed, seq.fed + n
        images = [(s.start - start, s.image) for s in seq.prompt.images if start <= s.start < end]
        return Segment(cache, start, seq.prompt.token_ids[start:end], seq.prompt.positions[:, start:end], images)
    rows = seq.prompt.positions.shape[0]
    position = torch.full((rows, 1), seq.next_position - 1, dtype=torch.long)
    return Segment(cache, len(seq.session.keys), [seq.generated[-1]], position)


def sample(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator | None) -> int:
    """Greedy when temperature is 0, else nucleus sampling from a per-request generator."""
    if temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / temperature, dim=-1)
    if top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        outside = torch.cumsum(sorted_probs, dim=-1) - sorted_probs > top_p
        sorted_probs[outside] = 0.0
        probs = torch.zeros_like(probs).scatter_(0, order, sorted_probs)
    return int(torch.multinomial(probs, 1, generator=generator))


class ModelRunner:
    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded
        self.model = loaded.model
        self.device = loaded.device
        self.dtype = loaded.dtype
        inner = self.model.model
        self.text_model = getattr(inner, "language_model", inner)
        self.vision_model = inner if hasattr(inner, "visual") else None
        self.lm_head = self.model.get_output_embeddings()
        text_config = self.text_model.config
        self.num_layers = text_config.num_hidden_layers
        self.kv_heads = text_config.num_key_value_heads
        self.head_dim = getattr(text_config, "head_dim", None) or text_config.hidden_size // text_config.num_attention_heads
        self.vocab_size = self.lm_head.out_features
        self.max_positions = getattr(text_config, "max_position_embeddings", 4096)
        self.multimodal_rope = "mrope_section" in (getattr(text_config, "rope_parameters", None) or {})

    def new_cache(self) -> KVCache:
        return KVCache(self.num_layers, self.kv_heads, self.head_dim, self.dtype, self.device)

    @property
    def kv_bytes_per_token(self) -> int:
        return 2 * self.num_layers * self.kv_heads * self.head_dim * torch.finfo(self.dtype).bits // 8

    @contextmanager
    def _packed_attention(self):
        config = self.text_model.config
        previous = config._attn_implementation
        config._attn_implementation = PACKED_ATTENTION
        try:
            yield
        finally:
            config._attn_implementation = previous

    def run(self, plan: list[tuple[Sequence, int]], banned: torch.Tensor) -> list[tuple[int, float] | None]:
        """Feed each sequence its share of the step; for each one whose prompt is then all fed,
        sample its next token (never a `banned` one) and give that token's log-probability under
        the raw logits. None for a sequence still prefilling."""
        logits = self.forward([segment_for(seq, n) for seq, n in plan])
        logits[:, banned.to(logits.device)] = float("-inf")
        # Each row's log-normaliser, computed where the logits are (on a GPU nearly free): the
        # sampled token's log-probability is then one subtraction.
        norms = torch.logsumexp(logits, dim=-1).tolist()
        logits = logits.cpu()  # sampling uses per-request CPU generators
        sampled: list[tuple[int, float] | None] = []
        for (seq, n), row, norm in zip(plan, logits, norms):
            if seq.prefilling and seq.fed + n < len(seq.prompt):
                sampled.append(None)
                continue
            sampling = seq.request.sampling
            steered = row.clone()
            penalize(steered, seq.generated, sampling)
            token = sample(steered, sampling.temperature, sampling.top_p, seq.generator)
            sampled.append((token, float(row[token]) - norm))
        return sampled

    @torch.no_grad()
    def forward(self, segments: list[Segment]) -> torch.Tensor:
        """Run one step; return float32 logits of each segment's last token, (len(segments), vocab)."""
        token_ids = torch.tensor([t for s in segments for t in s.token_ids], device=self.device)
        embeds = self.text_model.embed_tokens(token_ids)
        offsets, total = [], 0
        for segment in segments:
            offsets.append(total)
            total += segment.length
        self._insert_image_features(embeds, segments, offsets)
        positions = torch.cat([s.positions for s in segments], dim=1).to(self.device)
        positions = positions.unsqueeze(1) if self.multimodal_rope else positions  # (3, 1, T) or (1, T)
        masks = [prefill_mask(s.start, s.length, self.device) for s in segments]
        with self._packed_attention():
            hidden = self.text_model(
                inputs_embeds=embeds.unsqueeze(0),
                position_ids=positions,
                use_cache=False,
                packed_batch=PackedBatch(segments, offsets, masks),
            ).last_hidden_state
        last = torch.tensor([o + s.length - 1 for o, s in zip(offsets, segments)], device=self.device)
        return self.lm_head(hidden[0, last]).float()

    def _insert_image_features(self, embeds: torch.Tensor, segments: list[Segment], offsets: list[int]) -> None:
        placed = [(offset + at, image) for segment, offset in zip(segments, offsets) for at, image in segment.images]
        if not placed:
            return
        pixel_values = torch.cat([image.pixel_values for _, image in placed]).to(self.device, self.dtype)
        grids = torch.tensor([image.grid_thw for _, image in placed], device=self.device)
        features = self.vision_model.get_image_features(pixel_values, grids, return_dict=True).pooler_output
        for (at, image), feature in zip(placed, features):
            embeds[at : at + image.num_tokens] = feature.to(embeds.dtype)
