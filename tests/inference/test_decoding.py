"""Loop control: the penalties change logits exactly as specified, n-gram blocking bans the
token that would repeat an n-gram, and a reply caught in a loop is cut after its first copy."""

from types import SimpleNamespace

import pytest
import torch

from inference.decoding import DecodingDefaults, loop_end, penalize, repeated_ngram_endings, resolved
from inference.detokenizer import ends_a_sentence
from inference.scheduler import Scheduler
from inference.sequence import Sequence
from inference.types import ChatMessage, InvalidRequest, SamplingParams
from tests.engine_fixtures import make_engine, request, tiny_model  # noqa: F401


def test_repetition_penalty_divides_positive_and_multiplies_negative_logits_of_reply_tokens():
    logits = torch.tensor([2.0, -2.0, 3.0, 1.0])
    penalize(logits, [0, 1, 0], SamplingParams(repetition_penalty=2.0))
    assert logits.tolist() == [1.0, -4.0, 3.0, 1.0]  # tokens 2 and 3 never came: untouched


def test_frequency_and_presence_penalties_follow_openai():
    logits = torch.zeros(4)
    penalize(logits, [1, 1, 1, 2], SamplingParams(frequency_penalty=0.5, presence_penalty=0.25))
    assert logits.tolist() == pytest.approx([0.0, -1.75, -0.75, 0.0])


def test_no_penalty_before_the_first_token_and_none_when_neutral():
    logits = torch.tensor([1.0, 2.0])
    penalize(logits, [], SamplingParams(repetition_penalty=5.0, no_repeat_ngram=1))
    penalize(logits, [0, 1], SamplingParams(repetition_penalty=1.0))
    assert logits.tolist() == [1.0, 2.0]


def test_ngram_blocking_bans_only_the_token_that_repeats_an_ngram():
    generated = [5, 6, 7, 9, 5, 6]
    assert repeated_ngram_endings(generated, 3) == {7}
    assert repeated_ngram_endings(generated, 4) == set()  # [9, 5, 6] never came before
    logits = torch.zeros(10)
    penalize(logits, generated, SamplingParams(no_repeat_ngram=3))
    assert logits[7] == float("-inf") and torch.isfinite(logits[torch.arange(10) != 7]).all()


def test_a_model_default_fills_only_what_the_request_leaves_open():
    defaults = DecodingDefaults(repetition_penalty=1.3, no_repeat_ngram=4)
    assert resolved(SamplingParams(), defaults).repetition_penalty == 1.3
    chosen = resolved(SamplingParams(repetition_penalty=1.0, no_repeat_ngram=0), defaults)
    assert (chosen.repetition_penalty, chosen.no_repeat_ngram) == (1.0, 0)


def test_a_repeating_tail_is_cut_after_its_first_copy():
    sentence = list(range(100, 110))
    tokens = [1, 2, 3] + sentence * 4
    assert loop_end(tokens) == 3 + len(sentence)
    assert loop_end([7] * 30) == 1


def test_short_or_unrepeated_patterns_are_not_loops():
    assert loop_end(list(range(200))) is None
    assert loop_end([1, 2, 3, 1, 2, 3, 1, 2, 3]) is None  # a table row's "| --- |" runs, 9 tokens
    assert loop_end([4, 5] * 2 + list(range(50))) is None  # repeated earlier, not at the end


def test_the_engine_ends_a_looping_reply_cleanly(make_engine):
    engine = make_engine()
    messages = [ChatMessage("user", "Say something long")]
    unbounded = engine.generate(request("a", messages, max_new_tokens=300, ignore_eos=True))
    assert unbounded.usage.completion_tokens == 300 and not unbounded.usage.loop_cut
    guarded = engine.generate(request("b", messages, max_new_tokens=300))
    # The random tiny model falls into a loop under greedy decoding; the guard stops it early.
    assert guarded.usage.loop_cut and guarded.usage.finish_reason == "stop"
    assert guarded.usage.completion_tokens < 300
    assert unbounded.text.startswith(guarded.text) and len(guarded.text) < len(unbounded.text)


def test_penalties_out_of_range_are_refused(make_engine):
    engine = make_engine()
    for bad in ({"frequency_penalty": 3.0}, {"repetition_penalty": 0.0}, {"no_repeat_ngram": -1}):
        with pytest.raises(InvalidRequest):
            engine.generate(request("c", [ChatMessage("user", "Hi")], **bad))


def test_sentence_ends_but_not_list_numbers():
    assert ends_a_sentence("It works. ") and ends_a_sentence("好的。") and ends_a_sentence("- a list item\n")
    assert not ends_a_sentence("Do this:\n2.") and not ends_a_sentence("It costs 4") and not ends_a_sentence("Open the")


def test_past_the_soft_length_a_reply_ends_at_its_next_sentence_end():
    class Words:  # a detokenizer whose tokens are words
        def update(self, seq):
            seq.text = " ".join(WORDS[token] for token in seq.generated)
            return None

    WORDS = ["One", "two.", "Three", "four", "five.", "Six"]
    scheduler = Scheduler(None, SimpleNamespace(stop_token_ids=set()), Words(), max_batch=1, max_step_tokens=1, max_context=99)
    seq = Sequence(request("s", [ChatMessage("user", "?")], max_new_tokens=99, wrap_up_after=3), [], print, None)
    seq.max_new_tokens = 99
    reasons = []
    for token in range(len(WORDS)):
        seq.generated.append(token)
        reasons.append(scheduler._finish_reason(seq, token))
    # "two." ends a sentence before the soft length; "five." is the first after it.
    assert reasons == [None, None, None, None, "stop", None]


def test_a_model_that_adds_nothing_to_a_quote_writes_no_words_after_one(tiny_model):
    from dataclasses import replace

    from inference.engine import Engine, EngineConfig

    quiet = Engine(replace(tiny_model, decoding=DecodingDefaults(words_after_quote=False)),
                   EngineConfig(batch_window_s=0.0)).start()
    try:
        messages = [ChatMessage("user", "How long is the reset link valid?")]
        after_quote = quiet.generate(request("q", messages, after_quote=True))
        assert (after_quote.text, after_quote.usage.finish_reason) == ("", "stop")
        assert after_quote.usage.completion_tokens == 0 and after_quote.usage.prompt_tokens == 0  # nothing run
        # Without a quote, or for a model whose words add to one, it answers as usual.
        assert quiet.generate(request("q", messages)).usage.completion_tokens > 0
    finally:
        quiet.shutdown()
    engine = Engine(tiny_model, EngineConfig(batch_window_s=0.0)).start()
    try:
        assert engine.generate(request("q", messages, after_quote=True)).usage.completion_tokens > 0
    finally:
        engine.shutdown()
