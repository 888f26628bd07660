"""The screenshot quality set (bench/quality_cases.py) is well formed: every case renders, ids are
unique, both languages and all five kinds are there in the promised numbers, and every fact group
has a spelling. No OCR here (bench/quality_cases.py --check does that); this runs in seconds."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bench.quality_cases import CASES, KINDS, render

MIN_WIDTH, MAX_WIDTH = 480, 1280
MIN_HEIGHT, MAX_HEIGHT = 320, 800
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_renders_an_rgb_screenshot_of_screen_size(case):
    img = render(case)
    assert img.mode == "RGB"
    assert MIN_WIDTH <= img.width <= MAX_WIDTH, img.size
    assert MIN_HEIGHT <= img.height <= MAX_HEIGHT, img.size
    # Not blank: a screenshot has text and widgets in several colours.
    assert len(img.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 20


def test_rendering_is_deterministic():
    for case in CASES[:: max(1, len(CASES) // 6)]:
        assert render(case).tobytes() == render(case).tobytes(), case.id


def test_ids_are_unique_and_name_language_and_kind():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    prefixes = {"error_dialog": "err", "bill": "bill", "order_status": "ord", "settings": "set", "form_errors": "form"}
    for case in CASES:
        assert re.fullmatch(rf"{case.lang}-{prefixes[case.kind]}-\d\d", case.id), case.id


def test_counts_per_language_and_kind():
    assert len(CASES) >= 48
    langs = Counter(case.lang for case in CASES)
    assert set(langs) == {"en", "zh"}
    assert langs["en"] >= 24 and langs["zh"] >= 20, langs
    kinds = Counter((case.lang, case.kind) for case in CASES)
    for lang in ("en", "zh"):
        for kind in KINDS:
            assert kinds[(lang, kind)] >= 1, (lang, kind)
    assert {case.kind for case in CASES} == set(KINDS)


def test_facts_are_non_empty_groups():
    for case in CASES:
        assert 1 <= len(case.facts) <= 3, case.id
        for group in case.facts:
            assert isinstance(group, tuple) and group, case.id
            assert all(isinstance(s, str) and s.strip() for s in group), (case.id, group)


def test_questions_are_in_the_case_language():
    for case in CASES:
        assert case.question.strip(), case.id
        assert bool(CHINESE.search(case.question)) == (case.lang == "zh"), case.id
