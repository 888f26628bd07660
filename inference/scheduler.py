"""Which sequences run in the next step, and how many of their tokens.

Every admitted sequence takes part in every step: a decoding one with its next token, a
prefilling one with a chunk of its prompt. Decode tokens go first, so a long new prompt cannot
stall replies already streaming; prompts are fed in chunks up to the step's token budget, in
arrival order. Admission is first come, first served, up to `max_batch` sequences, one per
session at a time (a session's cache can serve only one turn at once); sessionless requests
are matched to a cache when they begin.
"""

from __future__ import annotations

from collections import deque

from inference.sequence import Sequence


class Scheduler:
    def __init__(self, max_batch: int, max_step_tokens: int):
        self.max_batch = max_batch
        self.max_step_tokens = max_step_tokens
        self.waiting: deque[Sequence] = deque()
        self.running: list[Sequence] = []

    def __len__(self) -> int:
        return len(self.waiting) + len(self.running)

    def add(self, seq: Sequence) -> None:
        self.waiting.append(seq)

    def remove(self, seq: Sequence) -> None:
        if seq in self.running:
            self.running.remove(seq)
        elif seq in self.waiting:
            self.waiting.remove(seq)

    def find(self, seq_id: int) -> Sequence | None:
        return next((s for s in (*self.running, *self.waiting) if s.seq_id == seq_id), None)

    def admit(self) -> list[Sequence]:
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

    def plan(self) -> list[tuple[Sequence, int]]:
        """(sequence, tokens to feed) for this step."""
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
