"""Which sequences run in the next step and how many of their tokens; what a step's sampled
tokens do to them.

Admission is first come, first served, up to `max_batch` sequences, one per session at a time (a
session's cache can serve only one turn at once). An admitted sequence is rendered (fitted into
the context), takes over its session's cached prefix and reserves KV room for its prompt and
reply in the store, which keeps the byte budget by evicting idle sessions; running sessions are
never evicted, so the running batch may exceed the budget. Sessionless requests are matched to a
cache when they begin.

Every admitted sequence takes part in every step: a decoding one with its next token, a
prefilling one with a chunk of its prompt. Decode tokens go first, so a long new prompt cannot
stall replies already streaming; prompts are fed in chunks up to the step's token budget, in
arrival order.
"""

from __future__ import annotations

import time
from collections import deque

import torch

from inference.chat_format import ChatFormat
from inference.context import fit_context
from inference.decoding import loop_end
from inference.detokenizer import Detokenizer, ends_a_sentence
from inference.kv_store import KVStore, SessionState
from inference.sequence import Sequence
from inference.types import FinishReason, InvalidRequest

Plan = list[tuple[Sequence, int]]  # (sequence, tokens it feeds this step)


class Scheduler:
    def __init__(
        self,
        store: KVStore,
        format: ChatFormat,
        detokenizer: Detokenizer,
        *,
        max_batch: int,
        max_step_tokens: int,
        max_context: int,
    ):
        self.store = store
        self.format = format
        self.detokenizer = detokenizer
        self.max_batch = max_batch
        self.max_step_tokens = max_step_tokens
        self.max_context = max_context
        self.waiting: deque[Sequence] = deque()
        self.running: list[Sequence] = []

    def __len__(self) -> int:
        return len(self.waiting) + len(self.running)

    def add(self, seq: Sequence) -> None:
        self.waiting.append(seq)

    def find(self, seq_id: int) -> Sequence | None:
        return next((s for s in self.all() if s.seq_id == seq_id), None)

    def all(self) -> list[Sequence]:
        return [*self.running, *self.waiting]

    # ----- before the step -----

    def schedule(self) -> tuple[Plan, list[tuple[Sequence, str]]]:
        """Admit what fits, then plan the step. Also returns the admitted sequences that cannot
        run, with the reason (their prompt cannot fit the context); they are out of the batch."""
        refused = []
        for seq in self._admit():
            try:
                self._begin(seq)
            except InvalidRequest as exc:
                self.running.remove(seq)
                refused.append((seq, str(exc)))
        return self._plan(), refused

    def _admit(self) -> list[Sequence]:
        """Move waiting sequences into the batch while there is room, in arrival order."""
        busy = {s.session_id for s in self.running}
        admitted = []
        for seq in list(self.waiting):
            if len(self.running) >= self.max_batch:
                break
            if seq.session_id and seq.session_id in busy:
                continue
            self.waiting.remove(seq)
            self.running.append(seq)
            if seq.session_id:
                busy.add(seq.session_id)
            admitted.append(seq)
        return admitted

    def _begin(self, seq: Sequence) -> None:
        """Render the prompt, fit it in the context, take over the cached prefix, reserve KV room."""
        sessionless = not seq.session_id
        state = SessionState("", reply_memo=self.store.shared_memo) if sessionless else self.store.session(seq.session_id)
        prompt = fit_context(self.format, seq.request, seq.images, state, self.max_context)
        if sessionless:
            state = self.store.session_for_prefix(prompt.keys)
        seq.session, seq.prompt = state, prompt
        seq.max_new_tokens = min(seq.request.sampling.max_new_tokens, self.max_context - len(prompt))
        seq.next_position = int(prompt.positions.max()) + 1
        seq.fed = self.store.claim_prefix(state, prompt.keys)
        state.busy = True
        self.store.reserve(state, len(prompt) + seq.max_new_tokens)
        seq.usage.prompt_tokens = len(prompt)
        seq.usage.cached_tokens = seq.fed
        if seq.request.sampling.seed is not None:
            seq.generator = torch.Generator().manual_seed(seq.request.sampling.seed)

    def _plan(self) -> Plan:
        decoding = [(seq, 1) for seq in self.running if not seq.prefilling]
        budget = self.max_step_tokens - len(decoding)
        prefills = []
        for seq in self.running:
            if not seq.prefilling:
                continue
            if budget <= 0 and (prefills or decoding):
                break
            chunk = self._chunk(seq, max(budget, 1))
            prefills.append((seq, chunk))
            budget -= chunk
        return decoding + prefills

    @staticmethod
    def _chunk(seq: Sequence, budget: int) -> int:
        """Up to `budget` prompt tokens, stretched so no image is cut in two (its features are
        computed in one piece)."""
        start = seq.fed
        end = min(start + budget, len(seq.prompt))
        for span in seq.prompt.images:
            if span.start < end < span.start + span.length:
                end = span.start + span.length if span.start <= start else span.start
        return max(end - start, 1)

    # ----- after the step -----

    def postprocess(self, plan: Plan, sampled: list[tuple[int, float] | None]) -> list[tuple[Sequence, FinishReason | None]]:
        """Record what the step fed and append each sampled token (with its log-probability).
        Returns every sequence that got a token, with the reason it finishes (None: it goes on)."""
        outcomes = []
        for (seq, n), result in zip(plan, sampled):
            if seq.prefilling:
                seq.session.keys.extend(seq.prompt.keys[seq.fed : seq.fed + n])
                seq.fed += n
                if seq.prefilling:
                    continue
            else:
                seq.session.keys.append(seq.generated[-1])
            token, logprob = result
            seq.logprobs.append(logprob)
            if seq.first_token_at is None:
                seq.first_token_at = time.monotonic()
                seq.usage.ttft_ms = (seq.first_token_at - seq.arrival) * 1000
            seq.generated.append(token)
            seq.next_position += 1
            outcomes.append((seq, self._finish_reason(seq, token)))
        return outcomes

    def _finish_reason(self, seq: Sequence, token: int) -> FinishReason | None:
        if token in self.format.stop_token_ids and not seq.request.sampling.ignore_eos:
            return "stop"
        if self.detokenizer.update(seq) is not None:  # a stop string
            return "stop"
        if not seq.request.sampling.ignore_eos and (kept := loop_end(seq.generated)) is not None:
            seq.kept, seq.usage.loop_cut = kept, True
            seq.text = self.detokenizer.decode(seq.generated[:kept])
            return "stop"
        wrap_up = seq.request.sampling.wrap_up_after
        if wrap_up is not None and len(seq.generated) >= wrap_up and ends_a_sentence(seq.text):
            return "stop"
        if len(seq.generated) >= seq.max_new_tokens:
            return "length"
        return None

    def finish(self, seq: Sequence, reason: FinishReason, error: str = "") -> None:
        """Take the sequence out, complete its usage, and free its session for the next turn,
        remembering the reply's tokens so the next render of that reply gives the same ids."""
        if seq in self.running:
            self.running.remove(seq)
        elif seq in self.waiting:
            self.waiting.remove(seq)
        usage = seq.usage
        usage.completion_tokens = len(seq.generated)
        usage.mean_logprob = sum(seq.logprobs) / len(seq.logprobs) if seq.logprobs else None
        usage.total_ms = (time.monotonic() - seq.arrival) * 1000
        usage.finish_reason, usage.error = reason, error
        state = seq.session
        if state is None:
            return
        state.busy = False
        ended_by_stop_token = seq.generated and seq.generated[-1] in self.format.stop_token_ids
        reply = seq.generated[:-1] if ended_by_stop_token and reason == "stop" else seq.generated
        reply = reply[: seq.kept] if seq.kept is not None else reply
        if reply and reason != "error":
            state.remember_reply(self.detokenizer.decode(reply), reply)
