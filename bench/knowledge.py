"""Grounded answers over the sample help center (supportbot/knowledge/sample), scored on
bench/knowledge_cases.py: recall@3 per language, the "I don't know" decision's precision and
recall, search latency on the sample and on a base padded to 10,000 chunks, and the facts in the
offline chat model's answers with the help center and without it (bench/knowledge_answers.py).

    python bench/knowledge.py [--json] [--calibrate] [--fusion sum|rrf] [--model M] [--no-answers]

Runs on a temporary SQLite database (nothing of ./var is touched). --calibrate prints the top
scores of answerable and no-answer cases and a sweep of thresholds: how ANSWER_THRESHOLD in
supportbot/knowledge/retrieval.py was chosen. With --json the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["SUPPORTBOT_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.pop("REDIS_URL", None)  # tasks run eagerly: indexing happens during the import
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def query_of(case) -> str:
    return "\n".join([case.question, *(case.screenshot_text or [])])


def run_cases(cases, retrieval) -> list[dict]:
    from supportbot.chat.grounding import ground

    results = []
    for case in cases:
        start = time.perf_counter()
        passages = retrieval.search(query_of(case), lang=case.lang, k=3)
        elapsed_ms = (time.perf_counter() - start) * 1000
        results.append({
            "case": case,
            "ms": elapsed_ms,
            "hit": bool(set(case.articles) & {p.slug for p in passages}),
            "top": passages[0].score if passages else 0.0,
            "mode": passages[0].mode if passages else "lexical",
            "answerable": retrieval.is_answerable(passages),
            # The chat's whole decision: nothing relevant found, and the message asks something.
            "refused": ground(case.question, "", "\n".join(case.screenshot_text or [])).unanswered,
        })
    return results


def recall(results, lang: str) -> float:
    answerable = [r for r in results if r["case"].lang == lang and r["case"].articles]
    return sum(r["hit"] for r in answerable) / max(1, len(answerable))


def refusal_quality(results) -> tuple[float, float]:
    refused = [r for r in results if r["refused"]]
    truly = [r for r in results if not r["case"].articles]
    right = sum(1 for r in refused if not r["case"].articles)
    return right / max(1, len(refused)), right / max(1, len(truly))


def calibrate(results) -> None:
    for mode in sorted({r["mode"] for r in results}):
        rows = [r for r in results if r["mode"] == mode]
        yes = sorted(round(r["top"], 3) for r in rows if r["case"].articles)
        no = sorted(round(r["top"], 3) for r in rows if not r["case"].articles)
        print(f"{mode}: answerable top scores {yes}")
        print(f"{mode}: no-answer top scores  {no}")
        for threshold in sorted({*yes, *no}):
            refused = [r for r in rows if r["top"] < threshold]
            right = sum(1 for r in refused if not r["case"].articles)
            precision = right / max(1, len(refused))
            recall_ = right / max(1, len(no))
            wrongly = len(refused) - right
            print(f"  threshold {threshold:.3f}: refuse {len(refused):>2}, precision {precision:.2f}, "
                  f"recall {recall_:.2f}, answerable refused {wrongly}")


def pad_to(total_chunks: int, seed: int = 7) -> int:
    """Synthetic published chunks (words and characters of the real ones, random unit vectors)
    until the base holds total_chunks; returns how many were added."""
    import numpy as np

    from supportbot.knowledge.embedding import DIMENSIONS, to_bytes
    from supportbot.knowledge.models import Article, Chunk

    existing = Chunk.objects.count()
    missing = total_chunks - existing
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    words = " ".join(Chunk.objects.values_list("text", flat=True)).split()
    vectors = np.random.default_rng(seed).standard_normal((missing, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    per_article = 10
    for start in range(0, missing, per_article):
        lang = "zh" if start % 3 == 0 else "en"
        # bulk_create sends no post_save: these synthetic chunks are not re-indexed by MiniLM.
        article = Article.objects.bulk_create([Article(
            slug=f"synthetic-{start}", title=f"Synthetic {start}", body="-", lang=lang)])[0]
        Chunk.objects.bulk_create(
            Chunk(article=article, position=i, heading="", lang=lang,
                  text=" ".join(rng.choice(words) for _ in range(60)),
                  embedding=to_bytes(vectors[start + i]))
            for i in range(min(per_article, missing - start))
        )
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--fusion", choices=["sum", "rrf"], default="sum")
    parser.add_argument("--pad-to", type=int, default=10_000)
    parser.add_argument("--model", default="", help="the chat model to answer with (default: the offline one)")
    parser.add_argument("--no-answers", action="store_true", help="retrieval only: skip the chat model")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="supportbot-bench-kb-") as var_dir:
        setup_django(var_dir)
        from django.core.management import call_command

        from bench.knowledge_answers import answer_cases, summary as answer_summary
        from bench.knowledge_cases import CASES
        from supportbot.knowledge import embedding, retrieval
        from supportbot.knowledge.models import Chunk

        retrieval.FUSION = args.fusion
        start = time.perf_counter()
        call_command("kb_import", str(ROOT / "supportbot/knowledge/sample"), verbosity=0)
        import_s = time.perf_counter() - start
        sample_chunks = Chunk.objects.count()
        retrieval.search("warm up the model and the index")
        results = run_cases(CASES, retrieval)
        if args.calibrate:
            calibrate(results)
        model, answers = ("", []) if args.no_answers else answer_cases(CASES, args.model)
        padded = pad_to(args.pad_to)
        retrieval.search("warm up the padded index")
        padded_results = run_cases(CASES, retrieval)

    precision, recall_ = refusal_quality(results)
    summary = {
        "model": model or None,
        "retrieval": "all-MiniLM-L6-v2 + BM25" if embedding.available() else "BM25 only",
        "fusion": args.fusion,
        "recall_at_3": round(recall(results, "en"), 4),
        "recall_at_3_zh": round(recall(results, "zh"), 4),
        **(answer_summary(answers) if answers else {}),
        "no_answer_precision": round(precision, 4),
        "no_answer_recall": round(recall_, 4),
        "retrieval_ms_p50": round(statistics.median(r["ms"] for r in results), 2),
        "retrieval_ms_p50_10k_chunks": round(statistics.median(r["ms"] for r in padded_results), 2),
        "recall_at_3_10k_chunks": round(recall(padded_results, "en"), 4),
        "recall_at_3_zh_10k_chunks": round(recall(padded_results, "zh"), 4),
        "chunks": sample_chunks,
        "chunks_padded": sample_chunks + padded,
        "import_s": round(import_s, 1),
        "cases": len(results),
    }
    misses = [r["case"].id for r in results if r["case"].articles and not r["hit"]]
    print(f"{'metric':<30} {'value':>12}")
    for key, value in summary.items():
        print(f"{key:<30} {value!s:>12}")
    print(f"missed at 3: {', '.join(misses) or 'none'}")
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
