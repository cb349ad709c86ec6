"""One review ranking (textmine.review.rank_review) for `textmine review` and the service's review queue: the two
agree, the service keeps only the mapping (no private library names), and the first places cost what they need."""

from __future__ import annotations

import inspect
import random
import re
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

import textmine.review as review
from service import store
from textmine.review import rank_for_review, rank_review

TEXTS = ["Ingen svarer på telefon", "ingen svarer på telefon!", "Telefonkøen er håpløs", "Telefonkøen er håplaus",
         "Køen i kassa er for lang", "Køen i kassa er ikke for lang", "Maten er dyr", "Chatten svarer aldri"]
CONF = [0.10, 0.11, 0.20, 0.21, 0.30, 0.31, 0.40, 0.41]


def test_the_cli_and_the_service_rank_one_case_alike(toy_codebook):
    theme = toy_codebook.theme_ids[0]
    k = len(toy_codebook.theme_ids)
    y = np.zeros((len(TEXTS), k), dtype=int)
    y[:, 0] = 1  # one theme for all: counting the chosen rows (the service) moves every value alike
    prep = SimpleNamespace(answered=np.ones(len(TEXTS), dtype=bool), text_clean=TEXTS,
                           emb=np.eye(len(TEXTS), dtype=np.float32))  # orthogonal: no diversity penalty
    coder = SimpleNamespace(codebook=toy_codebook)
    cli = rank_for_review(prep, y.astype(float), None, coder, n=len(TEXTS), labelled_counts={theme: 4},
                          decided=(y, np.array(CONF)))
    rows = [store.ReviewRow(100 + i, c, (theme,), t) for i, (t, c) in enumerate(zip(TEXTS, CONF))]
    service = store.rank_review_rows(list(reversed(rows)), Counter({theme: 4}), head=len(TEXTS))
    expected = [0, 2, 4, 5, 6, 7]  # the exact repeat and the nynorsk spelling are near-duplicates; the negation not
    assert cli["row"].tolist() == expected
    assert [rid - 100 for rid, why in service if why != "near-duplicate"] == expected
    assert [rid - 100 for rid, why in service if why == "near-duplicate"] == [1, 3]  # behind, by value


def test_the_service_ranks_through_the_public_library_function(monkeypatch):
    source = inspect.getsource(store)
    assert not re.search(r"from textmine\.review import[^\n]*\b_\w", source)
    assert not re.search(r"textmine\.review\._\w", source)
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return rank_review(*args, **kwargs)

    monkeypatch.setattr(review, "rank_review", spy)
    rows = [store.ReviewRow(1, 0.2, ("telefon",), "Lang kø"), store.ReviewRow(2, 0.1, (), "Ingen svar")]
    assert [i for i, _ in store.rank_review_rows(rows, Counter())] == [1, 2]  # the never corrected theme first
    assert len(calls) == 1 and calls[0]["count_chosen"] is True


def _random_case(n_rows: int, seed: int):
    rng = random.Random(seed)
    words = "telefon kø lang svar brev skjema chat møte treg rask god dårlig ikke er på".split()
    base = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 7))) for _ in range(n_rows // 2)]
    texts = [rng.choice(base) + rng.choice(["", "!", "."]) for _ in range(n_rows)]
    w = (np.array([[rng.random() < 0.3 for _ in range(5)] for _ in range(n_rows)])).astype(float)
    conf = np.round([rng.random() for _ in range(n_rows)], 2)  # rounded: ties, broken by ``ties``
    return conf, w, texts, rng.sample(range(10 * n_rows), n_rows)


@pytest.mark.parametrize("head", [0, 3, 40])
def test_the_first_places_are_those_of_the_whole_order(head):
    conf, w, texts, ties = _random_case(300, seed=head)
    kw = dict(head=head, count_chosen=True, ties=ties, theme_ids=list("abcde"))
    whole = rank_review(conf, w, [0, 2, 5, 9, 1], texts, **kw)
    assert sorted(whole.order.tolist()) == list(range(300))
    for n in (1, head, head + 7, 299):
        part = rank_review(conf, w, [0, 2, 5, 9, 1], texts, n=n, **kw)
        assert part.order.tolist() == whole.order[:n].tolist() and part.reasons == whole.reasons[:n]
    dup = [why == "near-duplicate" for why in whole.reasons[whole.head:]]  # distinct texts, then near-duplicates
    assert dup == sorted(dup)


def test_a_page_folds_only_the_texts_it_needs(monkeypatch):
    conf, w, texts, ties = _random_case(2000, seed=7)
    folded = []

    class Counting(review.Reading):
        def __init__(self, text):
            folded.append(text)
            super().__init__(text)

    monkeypatch.setattr(review, "Reading", Counting)
    rank_review(conf, w, [0] * 5, texts, n=10, head=5, count_chosen=True, ties=ties)
    assert 0 < len(folded) < 100
    folded.clear()
    rank_review(conf, w, [0] * 5, texts, head=5, count_chosen=True, ties=ties)
    assert len(folded) == len(set(texts))  # the whole order: each distinct text once


def test_reasons_name_the_rarest_theme_by_the_counts_so_far():
    w = np.array([[1, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    r = rank_review([0.1, 0.2, 0.3, 0.9], w, [2, 10], ["a b", "c d", "e f", "g h"], theme_ids=["ko", "pris"],
                    head=4, count_chosen=True, rare_below=3)
    assert r.order.tolist()[:3] == [0, 1, 2]
    assert r.reasons[:3] == ["rare theme: ko", "uncertain", "uncertain"]  # "ko" counted 3 once row 0 is chosen


def test_mismatched_inputs_are_refused_with_the_shapes():
    with pytest.raises(ValueError, match="2 confidences, 1 texts"):
        rank_review([0.1, 0.2], np.zeros((2, 1)), [0], ["a"])
