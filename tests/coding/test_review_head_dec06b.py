"""The review queue's diverse head (textmine.review.rank_review without embeddings, as the service's queue ranks):
``max_scan`` bounds the rows looked at, not the re-valuations as chosen rows' themes are counted, so the head is
filled on a large queue and its first page holds no two near-duplicates while enough distinct items exist."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import numpy as np
import pytest

from service import store
from textmine.neardup import near_duplicate
from textmine.review import DUP_TEXT_RATIO, _Ranker, rank_review

THEMES = [f"t{j}" for j in range(12)]
WORDS = [f"{a}{b}" for a in ("tele", "brev", "svar", "kø", "chat", "møte", "skjema", "app", "lege", "nav")
         for b in ("fon", "tid", "kort", "lang", "treg", "rask", "god", "feil", "hjelp", "info", "pris", "sak")]


def _distinct_texts(n: int, rng: random.Random) -> list[str]:
    """``n`` texts, no two of them near-duplicates by the queue's rule (different word counts or words)."""
    out: set[str] = set()
    while len(out) < n:
        out.add(" ".join(rng.sample(WORDS, rng.randint(3, 9))))
    return sorted(out)


def _rows(n: int, seed: int, dup_texts: list[str] = ()) -> list[store.ReviewRow]:
    rng = random.Random(seed)
    rows = [store.ReviewRow(result_id=i + 1, confidence=round(rng.uniform(0.2, 0.95), 2),
                            themes=tuple(sorted(set(rng.sample(THEMES, rng.randint(1, 3))))), text=text)
            for i, text in enumerate(_distinct_texts(n, rng))]
    for j, text in enumerate(dup_texts):  # the most uncertain: near-duplicates of a few texts
        rows.append(store.ReviewRow(result_id=n + j + 1, confidence=round(0.01 + j * 0.002, 3),
                                    themes=(THEMES[j % 2],), text=text))
    rng.shuffle(rows)
    return rows


def _variants(base: str, k: int) -> list[str]:
    """``k`` near-duplicates of ``base``: the same words shouted or punctuated, or one letter changed."""
    letters = [p for p, c in enumerate(base) if c.isalpha()]
    out = []
    for j in range(k):
        if j % 2:
            out.append(base.upper() + "!" * (j % 4))
        else:
            pos = letters[(3 * j) % len(letters)]
            out.append(base[:pos] + ("x" if base[pos] != "x" else "y") + base[pos + 1:])
    return out


def _near(a: str, b: str) -> bool:
    return near_duplicate(a, b, overlap=False, spelling=DUP_TEXT_RATIO)


def test_a_large_queue_fills_its_diverse_head_within_the_scan_bound():
    rows = _rows(30_000, seed=1)
    texts = [row.text for row in rows]
    decided = np.array([[t in row.themes for t in THEMES] for row in rows], dtype=float)
    head = 200
    ranking = rank_review([row.confidence for row in rows], decided, [3] + [0] * 11, texts, theme_ids=THEMES,
                          n=head, head=head, count_chosen=True, ties=[row.result_id for row in rows],
                          max_scan=store.REVIEW_HEAD_SCAN * head)
    assert ranking.head == head  # every one chosen one by one (the distinct texts leave nothing to skip)
    assert len(set(ranking.order.tolist())) == head


def test_the_first_page_holds_no_two_near_duplicates_when_the_most_uncertain_are_copies():
    bases = ["telefonkøen er helt håpløs hver dag", "ingen svarer på brevene mine", "appen krasjer når jeg logger inn"]
    dups = [v for base in bases for v in _variants(base, 20)]
    assert all(_near(a, b) for grp in (dups[:20], dups[20:40], dups[40:]) for a, b in itertools.combinations(grp, 2))
    rows = _rows(30_000, seed=2, dup_texts=dups)
    page = store.rank_review_rows(rows, Counter({"t0": 3}), n=20)
    by_id = {row.result_id: row.text for row in rows}
    shown = [by_id[result_id] for result_id, _ in page]
    assert len(shown) == 20
    assert not [(a, b) for a, b in itertools.combinations(shown, 2) if _near(a, b)]
    assert sum(text in dups for text in shown) == 3  # one of each copied text, the most uncertain ones


def test_a_page_of_fifty_costs_one_revaluation_and_one_reading_per_row_looked_at(monkeypatch):
    """The cost follows the page, not the queue: no row is looked at twice (as a stale heap entry re-queued) and
    there is one vectorised revaluation per chosen row, of the rows its themes weight only."""
    import textmine.review as review

    rows = _rows(30_000, seed=3)
    revalued, read = [], []
    real_values, real_reading = review._Ranker.values, review._Ranker.reading

    def values(self, rows=slice(None)):
        out = real_values(self, rows)
        revalued.append(len(out))
        return out

    def reading(self, i):
        read.append(i)
        return real_reading(self, i)

    monkeypatch.setattr(review._Ranker, "values", values)
    monkeypatch.setattr(review._Ranker, "reading", reading)
    page = store.rank_review_rows(rows, Counter({"t0": 3}), n=50)
    assert len(page) == 50 and len(set(read)) == len(read) == 50  # the distinct texts: each one looked at is taken
    assert len(revalued) == 1 + 49  # the first values, then after each chosen row but the last
    assert max(revalued[1:]) < 30_000 * 0.5  # only the rows holding the chosen row's themes


@pytest.mark.parametrize("seed", range(3))
def test_the_head_is_the_greedy_order_by_current_values(seed):
    """Each head row is the most valuable row left by the counts after the rows chosen before it (ties by ``ties``),
    as worked out here one row at a time."""
    rng = np.random.default_rng(seed)
    n, k = 400, 5
    w = (rng.random((n, k)) < 0.35).astype(float)
    conf = np.round(rng.random(n), 1)  # coarse: many ties
    ties = rng.permutation(n)
    texts = [" ".join(["ord"] * (i + 1)) for i in range(n)]  # no near-duplicates: as many words as none other
    lab = np.array([0, 1, 4, 9, 2], dtype=float)
    ranking = rank_review(conf, w, lab, texts, head=60, n=60, count_chosen=True, ties=ties)
    r = _Ranker(conf, w, lab, texts, w > 0, [str(t) for t in range(k)], 1.0, 3)
    left = list(range(n))
    expected = []
    for _ in range(60):
        vals = r.values(np.array(left))
        best = max(range(len(left)), key=lambda j: (vals[j], -ties[left[j]]))
        expected.append(left.pop(best))
        r.count(expected[-1])
    assert ranking.order.tolist() == expected and ranking.head == 60


def test_a_row_without_a_confidence_comes_last_in_the_head():
    w = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    ranking = rank_review([np.nan, 0.5, 0.2, 0.9], w, [0, 0], ["en to", "tre fire fem", "seks", "sju åtte ni ti"],
                          head=4, count_chosen=True)
    assert ranking.order.tolist() == [2, 1, 3, 0] and ranking.head == 4
