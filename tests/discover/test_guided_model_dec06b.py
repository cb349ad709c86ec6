"""Guided discovery with a trained coder: "uncovered" is what that coder leaves in the catch-all or sends to review."""

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.discover import discover_themes
from textmine.discover.guided import uncovered_mask
from textmine.paths import DEFAULT_CODEBOOK

from ..clitools import assert_clean_fail, run_cli


class FakeCoder:
    """Codes by one keyword per theme; "usikker" sends an answer to review; everything else is ``annet``."""

    kind = "supervised"

    def __init__(self, cb):
        self.codebook = cb
        self.calls = 0

    def predict(self, texts, questions=None):
        self.calls += 1
        themes, review = [], []
        for t in texts:
            low = str(t).lower()
            themes.append("telefon" if "telefon" in low else "refusjon" if "refusjon" in low else "annet")
            review.append(int("usikker" in low))
        return pd.DataFrame({"themes": themes, "confidence": 0.9, "needs_review": review, "type": "klage"})


TEXTS = ["Telefonen svarer aldri", "Refusjon kommer for sent", "Parkeringen ved kontoret er dårlig",
         "Telefonkøen er usikker og lang", "Kantina har dårlig mat", "Refusjonen var riktig"]


@pytest.fixture(scope="module")
def cb():
    return load_codebook(DEFAULT_CODEBOOK)


def test_uncovered_mask_uses_the_given_coder(cb):
    coder = FakeCoder(cb)
    mask, _ = uncovered_mask(cb, TEXTS, np.zeros((len(TEXTS), 4), np.float32), coder=coder)
    # annet (the exclusive catch-all) or needs_review -> uncovered; a real theme without review -> covered
    assert mask.tolist() == [False, False, True, True, True, False]
    assert coder.calls == 1


def test_discover_with_a_coder_clusters_only_its_annet_and_review_answers(cb, labelled):
    from textmine.embed import get_embedder

    texts = labelled["text"].iloc[:150].tolist()
    coder = FakeCoder(cb)
    r = discover_themes(texts, embedder=get_embedder("lexical"), codebook=cb, coder=coder)
    clean = r.text_clean
    valid = ~r.is_non_answer & np.array([bool(t.strip()) for t in clean])
    expect = np.array([v and not (("telefon" in c.lower() or "refusjon" in c.lower()) and "usikker" not in c.lower())
                       for v, c in zip(valid, clean)])
    assert (r.uncovered == expect).all()
    assert r.n_covered == int((valid & ~expect).sum()) > 0
    assert (r.assignments[r.covered] == -1).all()


def test_discover_takes_the_codebook_from_the_coder(cb, labelled):
    from textmine.embed import get_embedder

    r = discover_themes(labelled["text"].iloc[:60].tolist(), embedder=get_embedder("lexical"), coder=FakeCoder(cb))
    assert r.uncovered is not None and r.n_covered > 0


def test_discover_refuses_a_coder_for_another_codebook(cb):
    other = cb.to_dict()
    other["version"] = "9.9"
    with pytest.raises(ValueError, match="trained for codebook"):
        discover_themes(TEXTS, codebook=other, coder=FakeCoder(cb))


def test_cli_model_for_another_codebook_is_refused_before_any_work(tmp_path):
    import yaml

    d = load_codebook(DEFAULT_CODEBOOK).to_dict()
    d["version"] = "9.9"
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(src, index=False)
    res = run_cli("discover", src, "--text-col", "text", "--out", tmp_path / "o", "--embedder", "lexical",
                  "--codebook", other, "--model", "models/default")
    assert_clean_fail(res, "was trained for codebook", "Retrain")
    assert not (tmp_path / "o").exists()


def test_cli_model_folder_that_is_no_model_is_a_clean_error(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(src, index=False)
    (tmp_path / "nomodel").mkdir()
    res = run_cli("discover", src, "--text-col", "text", "--out", tmp_path / "o", "--embedder", "lexical",
                  "--model", tmp_path / "nomodel")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_nearest_theme_is_never_the_catch_all(cb):
    from textmine.discover.guided import nearest_themes, theme_texts

    class OneHot:
        def encode(self, texts):
            return np.eye(len(texts), dtype=np.float32)

    n = len(theme_texts(cb))
    annet = [t.id for t in cb.themes].index("annet")
    cents = np.zeros((2, n), np.float32)
    cents[0, annet], cents[0, 0] = 1.0, 0.2  # nearest: annet, then the first theme
    cents[1, 1] = 1.0
    assert nearest_themes(cb, cents, embedder=OneHot()) == [cb.themes[0].id, cb.themes[1].id]
