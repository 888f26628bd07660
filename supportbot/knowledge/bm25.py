"""Okapi BM25 over an inverted index, hand-written (about 50 lines with numpy) rather than a
dependency: bm25s and rank-bm25 tokenise for whitespace languages and know nothing of our error
codes or Chinese bigrams, and the whole index is rebuilt from the database in milliseconds."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

K1 = 1.2
B = 0.75


class BM25:
    def __init__(self, documents: list[list[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0
        norms = K1 * (1 - B + B * lengths / max(average, 1e-9))
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for doc_id, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                ids, weights = postings[term]
                ids.append(doc_id)
                weights.append(count * (K1 + 1) / (count + norms[doc_id]))
        # Each posting stores its term's whole contribution (idf x saturated tf), so a query is
        # one concatenation and one bincount.
        self.postings = {}
        self.idf = {}
        for term, (ids, weights) in postings.items():
            idf = self._idf(len(ids))
            self.idf[term] = idf
            self.postings[term] = (np.array(ids, np.int32), np.array(weights, np.float32) * idf)
        self.unseen_idf = self._idf(0)

    def _idf(self, document_frequency: int) -> float:
        return math.log(1 + (self.size - document_frequency + 0.5) / (document_frequency + 0.5))

    def scores(self, query: list[str]) -> np.ndarray:
        """Each document's score divided by the best score any document could get for this query
        (every term present, saturated): 0..1, comparable across queries, so that it can take
        part in a threshold. Words found nowhere count against the query, as they should: a
        question about something the help center never mentions scores low."""
        terms = list(dict.fromkeys(query))
        if not terms or not self.size:
            return np.zeros(self.size, np.float32)
        best = sum(self.idf.get(term, self.unseen_idf) for term in terms) * (K1 + 1)
        found = [self.postings[term] for term in terms if term in self.postings]
        if not found:
            return np.zeros(self.size, np.float32)
        ids = np.concatenate([ids for ids, _ in found])
        weights = np.concatenate([weights for _, weights in found])
        return (np.bincount(ids, weights=weights, minlength=self.size) / best).astype(np.float32)
