"""Guided discovery sizes its topics by the wave, as plain discovery does: a new theme that holds most of the
uncovered answers is one topic, not split by a size cap or a minimum topic size computed on the uncovered answers."""

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.discover import clustering as cl
from textmine.discover import discover_themes
from textmine.discover.guided import pool_params
from textmine.embed.base import l2_normalize
from textmine.paths import DEFAULT_CODEBOOK

D = 64


@pytest.fixture(scope="module")
def cb():
    return load_codebook(DEFAULT_CODEBOOK)


class _Coder:
    """Covers an answer whose first word is a real theme id; everything else is ``annet`` (uncovered)."""

    kind = "supervised"

    def __init__(self, cb):
        self.codebook = cb
        self.ids = {t.id for t in cb.themes if t.id != "annet" and not t.exclusive}

    def predict(self, texts, questions=None):
        themes = [t.split()[0] if t.split()[0] in self.ids else "annet" for t in texts]
        return pd.DataFrame({"themes": themes, "confidence": 0.9, "needs_review": 0})


class _Embedder:
    """Theme texts -> seeded vectors of the answers' dimension (for the nearest-theme step only)."""

    name = "fake"

    def encode(self, texts):
        return l2_normalize(np.random.default_rng(len(texts)).normal(size=(len(texts), D)).astype(np.float32))


def _word(i: int) -> str:
    """A word of its own for each answer ("svar 12" and "svar 13" would read alike: one topic by their words)."""
    return "ord" + "".join("abcdefghij"[int(c)] for c in str(i))


def _wave(cb, groups: dict[str, int], seed=0, scattered=0):
    """e5-like answers: a shared direction, one per group (its wordings: three close sub-directions), and
    ``scattered`` answers of no group ("diverse"); ``groups``: first word -> answers (a codebook theme id is
    covered by :class:`_Coder`, the rest are uncovered)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=D) * 3
    texts, x, lemmas = [], [], []
    for name, m in groups.items():
        centre = common + rng.normal(size=D)
        subs = rng.normal(size=(3, D)) * 0.3
        for i in range(m):
            texts.append(f"{name} svar {_word(i)}")
            lemmas.append(f"{name} ordlyd{i % 3}")  # a wording's own word: its pieces' labels differ
            x.append(centre + subs[i % 3] + rng.normal(size=D) * 0.5)
    for i in range(scattered):
        texts.append(f"diverse svar {_word(i)}")
        lemmas.append(f"diverse ord{i}")
        x.append(common + rng.normal(size=D) * 1.2)
    prep = pd.DataFrame({"text_clean": texts, "is_non_answer": 0, "lemmas": lemmas})
    return texts, l2_normalize(np.asarray(x, dtype=np.float32)), prep


def _spread(r, texts, name):
    a = r.assignments[np.array([t.startswith(name + " ") for t in texts])]
    return sorted(set(a.tolist()))


def test_pool_params_take_the_size_shares_of_the_wave():
    p = cl.ClusterParams()
    small = pool_params(None, 2000, 350)
    mcs = max(small.min_cluster_size, int(round(small.min_cluster_frac * 350)))
    assert mcs == max(p.min_cluster_size, int(round(p.min_cluster_frac * 2000)))  # the plain wave's smallest topic
    assert small.max_cluster_frac is None  # half the wave is more than every uncovered answer: no cap
    big = pool_params(p, 2000, 1600)
    assert big.max_cluster_frac * 1600 == pytest.approx(p.max_cluster_frac * 2000)
    assert pool_params(p, 500, 500) == p and pool_params(p, 500, 0) == p


def test_hdbscan_sized_by_the_wave_keeps_a_new_themes_wordings_together():
    rng = np.random.default_rng(1)  # 2-D points as the UMAP output: three wordings of one theme, sparse noise
    centre = np.array([0.0, 0.0])
    words = np.vstack([centre + off + rng.normal(scale=0.15, size=(16, 2))
                       for off in ([0, 0], [0.8, 0], [0.4, 0.7])])
    noise = rng.uniform(-8, 8, size=(300, 2))
    pts = np.vstack([words, noise]).astype(np.float32)
    by_pool = cl.hdbscan_labels(pts, params=cl.ClusterParams())
    by_wave = cl.hdbscan_labels(pts, params=pool_params(None, 2400, len(pts)))
    assert len(set(by_pool[:48].tolist()) - {-1}) > 1  # sized by the uncovered answers: its wordings are topics
    assert len(set(by_wave[:48].tolist())) == 1 and by_wave[0] >= 0


def test_a_new_theme_holding_most_uncovered_answers_is_one_topic(cb):
    real = [t.id for t in cb.themes if t.id != "annet" and not t.exclusive][:8]
    texts, x, prep = _wave(cb, {**{tid: 30 for tid in real}, "parkering": 50, "kantine": 30}, seed=3)
    r = discover_themes(texts, embeddings=x, prepared=prep, lexical_weight=0, codebook=cb, coder=_Coder(cb),
                        embedder=_Embedder())
    assert r.params["n_clustered"] == 80 and r.method == "small-wave"
    park, kant = _spread(r, texts, "parkering"), _spread(r, texts, "kantine")
    # 50 of the 80 uncovered answers: capped at half of them, it was split in two
    assert len(park) == 1 and len(kant) == 1 and park != kant and -1 not in park + kant
    plain = discover_themes(texts, embeddings=x, prepared=prep, lexical_weight=0, method="small")
    assert len(_spread(plain, texts, "parkering")) == 1  # as plain discovery finds it


def test_without_the_cap_scattered_answers_stay_out_of_the_new_theme(cb):
    real = [t.id for t in cb.themes if t.id != "annet" and not t.exclusive][:8]
    texts, x, prep = _wave(cb, {**{tid: 30 for tid in real}, "parkering": 60}, scattered=20)
    r = discover_themes(texts, embeddings=x, prepared=prep, lexical_weight=0, codebook=cb, coder=_Coder(cb),
                        embedder=_Embedder())
    (topic,) = _spread(r, texts, "parkering")
    assert topic >= 0 and not set(_spread(r, texts, "diverse")) & {topic}
