"""bench/quality.py runs end to end on two cases with the tiny random model and scores them (the
scores of a random model mean nothing; that they are computed does)."""

from __future__ import annotations

import json

from bench import quality
from bench.quality_cases import CASES


def test_the_quality_benchmark_runs_and_scores_both_languages(capsys):
    cases = [next(c for c in CASES if c.lang == "en"), next(c for c in CASES if c.lang == "zh")]
    model, results = quality.run_engine(cases, "tiny-random")
    assert [r.case_id for r in results] == [c.id for c in cases]
    # The reply opens with what OCR read on the screen, so some facts are there even from noise.
    assert all(0.0 <= r.facts_ok <= 1.0 and r.text for r in results)
    assert results[0].facts_ok > 0
    report = quality.summary(model, results)
    assert set(report) >= {"model", "facts_ok", "facts_ok_zh", "loops", "length_cut", "ttft_ms_p50", "reply_s_p50"}
    json.dumps(report)


def test_a_sentence_said_three_times_is_a_loop():
    assert quality.repeats_itself("Please try again later. " * 3)
    assert not quality.repeats_itself("Please try again later. Then contact support if it fails.")
