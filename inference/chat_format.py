"""Render a conversation into token ids, one message at a time, so history is prefix-stable.

Chat templates re-render the whole history on every turn (GLM adds `[gMASK]<sop>` each time and
drops past reasoning), so the same history would not always give the same tokens. Here every
message is rendered on its own and appended, which makes turn N's prompt start with exactly the
tokens of turn N-1's prompt plus the reply: that is what lets the KV cache be reused.

Image placeholder tokens all share one id, so the prompt also carries a `keys` list where each
image's placeholders are replaced by a negative number derived from the image's pixel hash:
two prompts share a prefix only if their keys do, which tells a swapped image from the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from inference.media import PreparedImage
from inference.ocr import screenshot_texts
from inference.types import ChatMessage, InvalidRequest


@dataclass
class ImageSpan:
    start: int  # index of the first placeholder token in the prompt
    length: int
    image: PreparedImage


@dataclass
class RenderedPrompt:
    token_ids: list[int]
    keys: list[int]
    positions: torch.Tensor  # (3, n) for multimodal RoPE, (1, n) otherwise
    images: list[ImageSpan] = field(default_factory=list)
    message_starts: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.token_ids)


def image_key(sha256_hex: str) -> int:
    return -1 - int(sha256_hex[:15], 16)


class ChatFormat:
    """Turns messages into token ids for one model family."""

    stop_token_ids: frozenset[int]
    multimodal_rope = False

    def __init__(self, tokenizer, spatial_merge_size: int = 2):
        self.tokenizer = tokenizer
        self.spatial_merge_size = spatial_merge_size

    def text_ids(self, text: str) -> list[int]:
        # split_special_tokens: user text that spells "<|image|>" or "<|user|>" stays plain text.
        return self.tokenizer.encode(text, add_special_tokens=False, split_special_tokens=True)

    def special_id(self, token: str) -> int:
        token_id = self.tokenizer.convert_tokens_to_ids(token)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise ValueError(f"tokenizer has no {token} token")
        return token_id

    def banned_token_ids(self, vocab_size: int) -> torch.Tensor:
        """Ids the model must never emit: image placeholders and framing, and padding rows of
        the output layer (`vocab_size` of them in all) that the tokenizer cannot decode."""
        banned = [self.image_token_id] if self.image_token_id >= 0 else []
        for token in ("<|begin_of_image|>", "<|end_of_image|>", "[gMASK]", "<sop>"):
            token_id = self.tokenizer.convert_tokens_to_ids(token)
            if isinstance(token_id, int) and token_id != self.tokenizer.unk_token_id:
                banned.append(token_id)
        banned.extend(range(len(self.tokenizer), vocab_size))
        return torch.tensor(sorted(set(banned)), dtype=torch.long)

    def render(
        self,
        messages: list[ChatMessage],
        images: list[list[PreparedImage]],
        reply_memo: dict[str, list[int]],
    ) -> RenderedPrompt:
        """Render every message, then the generation prompt for the assistant's reply.

        `images[i]` are message i's prepared images; `reply_memo` maps an assistant text this
        engine generated to the exact token ids it generated, since re-tokenizing the text can
        give other ids than the ones sampled.
        """
        prompt = RenderedPrompt(token_ids=[], keys=[], positions=torch.empty(0))
        self._append(prompt, self.prefix_ids())
        for message, message_images in zip(messages, images):
            prompt.message_starts.append(len(prompt.token_ids))
            self._render_message(prompt, message, message_images, reply_memo)
        self._append(prompt, self.generation_prompt_ids())
        prompt.positions = self.positions(prompt)
        return prompt

    def _render_message(self, prompt, message, message_images, reply_memo) -> None:
        if message.role == "assistant":
            self._append(prompt, self.generation_prompt_ids())
            reply = reply_memo.get(message.text)
            self._append(prompt, reply if reply is not None else self.text_ids(message.text))
            self._append(prompt, self.assistant_end_ids())
            return
        self._append(prompt, self.role_header_ids(message.role))
        text = message.text
        for image in message_images:
            if image.ocr_text is not None:
                continue
            self._append(prompt, [self.special_id("<|begin_of_image|>")])
            span = ImageSpan(start=len(prompt.token_ids), length=image.num_tokens, image=image)
            prompt.images.append(span)
            prompt.token_ids.extend([self.image_token_id] * image.num_tokens)
            prompt.keys.extend([image_key(image.sha256)] * image.num_tokens)
            self._append(prompt, [self.special_id("<|end_of_image|>")])
        ocr_texts = [img.ocr_text for img in message_images if img.ocr_text is not None]
        if ocr_texts:
            text = screenshot_texts(ocr_texts) + text
        self._append(prompt, self.text_ids(text + self.user_suffix(message.role)))
        self._append(prompt, self.message_end_ids())

    @staticmethod
    def _append(prompt: RenderedPrompt, ids: list[int]) -> None:
        prompt.token_ids.extend(ids)
        prompt.keys.extend(ids)

    def positions(self, prompt: RenderedPrompt) -> torch.Tensor:
        return torch.arange(len(prompt.token_ids)).view(1, -1)

    # Family hooks.
    image_token_id = -1

    def prefix_ids(self) -> list[int]:
        return []

    def role_header_ids(self, role: str) -> list[int]:
        raise NotImplementedError

    def user_suffix(self, role: str) -> str:
        return ""

    def message_end_ids(self) -> list[int]:
        return []

    def generation_prompt_ids(self) -> list[int]:
        raise NotImplementedError

    def assistant_end_ids(self) -> list[int]:
        return []


class GlmFormat(ChatFormat):
    """GLM-4V / GLM-4.6V with thinking off, as the model's own template renders it."""

    multimodal_rope = True

    def __init__(self, tokenizer, spatial_merge_size: int = 2):
        super().__init__(tokenizer, spatial_merge_size)
        self.image_token_id = self.special_id("<|image|>")
        self.stop_token_ids = frozenset(
            self.special_id(t) for t in ("<|endoftext|>", "<|user|>", "<|observation|>")
        )
        self._assistant_prompt = [self.special_id("<|assistant|>")] + self.text_ids("\n<think></think>\n")

    def prefix_ids(self) -> list[int]:
        return [self.special_id("[gMASK]"), self.special_id("<sop>")]

    def role_header_ids(self, role: str) -> list[int]:
        return [self.special_id(f"<|{role}|>")] + self.text_ids("\n")

    def user_suffix(self, role: str) -> str:
        return "/nothink" if role == "user" else ""

    def generation_prompt_ids(self) -> list[int]:
        return self._assistant_prompt

    def positions(self, prompt: RenderedPrompt) -> torch.Tensor:
        """GLM-4V's multimodal RoPE: text counts up on all three axes; an image's tokens take
        (t, row, column) offsets from the current position, and the text after it resumes at
        the image's largest position + 1, not at the token count."""
        n = len(prompt.token_ids)
        positions = torch.empty(3, n, dtype=torch.long)
        cursor, current = 0, 0
        for span in prompt.images:
            text_len = span.start - cursor
            positions[:, cursor : span.start] = torch.arange(current, current + text_len)
            current += text_len
            _, grid_h, grid_w = (int(x) for x in span.image.grid_thw)
            h, w = grid_h // self.spatial_merge_size, grid_w // self.spatial_merge_size
            rows = torch.arange(h).view(h, 1).expand(h, w).reshape(-1)
            cols = torch.arange(w).view(1, w).expand(h, w).reshape(-1)
            end = span.start + span.length
            positions[0, span.start : end] = current
            positions[1, span.start : end] = current + rows
            positions[2, span.start : end] = current + cols
            current += max(h, w)
            cursor = end
        positions[:, cursor:] = torch.arange(current, current + n - cursor)
        return positions


class ChatMlFormat(ChatFormat):
    """`<|im_start|>role ... <|im_end|>` models such as SmolLM2 (text only: images arrive as OCR)."""

    def __init__(self, tokenizer, spatial_merge_size: int = 2):
        super().__init__(tokenizer, spatial_merge_size)
        self._im_end = [self.special_id("<|im_end|>")] + self.text_ids("\n")
        stops = {self.special_id("<|im_end|>")}
        if tokenizer.eos_token_id is not None:
            stops.add(tokenizer.eos_token_id)
        self.stop_token_ids = frozenset(stops)
        self._assistant_prompt = self.role_header_ids("assistant")

    def role_header_ids(self, role: str) -> list[int]:
        return [self.special_id("<|im_start|>")] + self.text_ids(f"{role}\n")

    def message_end_ids(self) -> list[int]:
        return self._im_end

    def generation_prompt_ids(self) -> list[int]:
        return self._assistant_prompt

    def assistant_end_ids(self) -> list[int]:
        return self._im_end


def chat_format_for(family: str, tokenizer, spatial_merge_size: int = 2) -> ChatFormat:
    formats = {"glm4v": GlmFormat, "chatml": ChatMlFormat}
    if family not in formats:
        raise InvalidRequest(f"no chat format for model family {family!r}")
    return formats[family](tokenizer, spatial_merge_size)
