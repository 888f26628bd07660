"""The engine reports how sure the model was of each token it generated: the log-softmax of the
sampled token, equal to what recomputing the reply with the model's own forward gives."""

import math
import queue

import pytest
import torch

from inference.types import ChatMessage, Finished
from tests.engine_fixtures import make_engine, reference_reply, request, tiny_model  # noqa: F401

CONVERSATIONS = [
    [ChatMessage("system", "You are SupportBot."), ChatMessage("user", "My invoice is wrong.")],
    [ChatMessage("user", "How do I reset my password?")],
]


@torch.no_grad()
def recomputed_logprobs(engine, messages: list[ChatMessage], tokens: list[int]) -> list[float]:
    """One forward over prompt + reply, no cache and no batching: each token's log-probability
    under the logits before it, with the engine's banned tokens masked."""
    prompt = engine.format.render(messages, [[] for _ in messages], {})
    input_ids = torch.tensor([list(prompt.token_ids) + tokens[:-1]])
    mm_types = (input_ids == engine.format.image_token_id).int()
    logits = engine.loaded.model(input_ids=input_ids, mm_token_type_ids=mm_types, use_cache=False).logits
    logits = logits[0, len(prompt) - 1 :].float()
    logits[:, engine._banned] = float("-inf")
    return torch.log_softmax(logits, dim=-1)[torch.arange(len(tokens)), torch.tensor(tokens)].tolist()


def finish_together(engine, conversations: list[list[ChatMessage]]) -> list[Finished]:
    """Submitted at once, so every decode step is one batched forward for all of them."""
    inboxes = [queue.SimpleQueue() for _ in conversations]
    for number, (messages, inbox) in enumerate(zip(conversations, inboxes)):
        engine.submit(request(f"c{number}", messages, max_new_tokens=10), inbox.put)
    results = []
    for inbox in inboxes:
        while not isinstance(event := inbox.get(timeout=60), Finished):
            pass
        results.append(event)
    return results


def test_logprobs_of_generated_tokens_match_a_full_recompute(make_engine):
    engine = make_engine(batch_window_s=0.05)
    for messages, finished in zip(CONVERSATIONS, finish_together(engine, CONVERSATIONS)):
        tokens = reference_reply(engine, messages, {}, max_new_tokens=10)  # the same greedy tokens
        expected = recomputed_logprobs(engine, messages, tokens)
        assert len(finished.logprobs) == len(tokens) == finished.usage.completion_tokens
        assert all(math.isfinite(value) and value < 0 for value in finished.logprobs)
        assert finished.logprobs == pytest.approx(expected, abs=1e-4)
        assert math.isclose(finished.usage.mean_logprob, sum(expected) / len(expected), abs_tol=1e-4)
