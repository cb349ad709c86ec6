"""A coder trained on answers labelled "no theme applies" may give an answer no theme (reviewer round dec05d): the
count is kept with the model, survives save/load, and the shares count such answers in their denominator."""

import numpy as np
import pandas as pd

from textmine.classify import SupervisedCoder, load_coder, save_coder

from .conftest import TOY_TRAIN, FakeEmbedder

NO_THEME = ["Ingen problemer, alt gikk fint.", "Har ingenting å tilføye.", "Alt var greit denne gangen.",
            "Ikke noe spesielt å nevne.", "Greit nok, ingen innvendinger.", "Alt gikk som det skulle.",
            "Ingenting å melde fra oss.", "Vi har ikke noe mer å si."]


def _fit(toy_codebook, with_empty: bool) -> SupervisedCoder:
    texts, labels, types = (list(x) for x in zip(*TOY_TRAIN))
    if with_empty:
        texts += NO_THEME
        labels += [""] * len(NO_THEME)
        types += ["ros"] * len(NO_THEME)
    return SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3, seed=1).fit(texts, labels, types)


def test_training_counts_theme_less_answers_and_then_allows_none(toy_codebook, tmp_path):
    coder = _fit(toy_codebook, with_empty=True)
    out = coder.predict(NO_THEME)
    answered = out["type"] != ""  # the cleaner takes a few of them for non-answers (no type): not trained on
    assert coder.training_metrics_["n_no_theme"] == answered.sum() >= 4
    assert coder.allows_no_theme()
    assert (out.loc[answered, "themes"] == "").sum() >= answered.sum() // 2, out[["themes", "confidence"]]
    save_coder(coder, tmp_path / "m")
    again = load_coder(tmp_path / "m", embedder=FakeEmbedder())
    assert again.allows_no_theme()
    pd.testing.assert_frame_equal(again.predict(NO_THEME), out)


def test_training_without_theme_less_answers_still_gives_every_answer_a_theme(toy_codebook):
    coder = _fit(toy_codebook, with_empty=False)
    assert coder.training_metrics_["n_no_theme"] == 0 and not coder.allows_no_theme()
    out = coder.predict(NO_THEME)
    answered = out["type"] != ""
    assert answered.sum() >= 4 and (out.loc[answered, "themes"] != "").all()


def test_shares_count_an_answer_without_a_theme_in_their_base(toy_codebook):
    coder = _fit(toy_codebook, with_empty=True)
    texts = NO_THEME + ["Maten var kald og smakte ingenting.", "vet ikke"]
    pred = coder.predict(texts)
    answered = (pred["type"] != "").to_numpy()  # "vet ikke" (and any text the cleaner takes for one): no type
    assert not answered[-1] and ((pred["themes"] == "").to_numpy() & answered).any()
    raw = coder._share_frame(pred, "prob")
    ids = coder.codebook.theme_ids
    scores = pred[[f"score_{t}" for t in ids]].to_numpy()[answered]  # the answered rows, with or without a theme
    expected = scores.mean(0) * answered.mean()
    np.testing.assert_allclose(raw["share"].to_numpy(), expected, rtol=1e-12)


def test_zero_shot_codes_an_answer_that_is_a_keyword():
    """A lone codebook keyword ("chat", "wifi": short lower-case fragments the plain cleaner takes for non-answers)
    is an answer for every coder, zero-shot included, and is coded with its theme (reviewer round dec05d)."""
    from textmine.classify import ZeroShotCoder
    from textmine.codebook import Codebook
    from textmine.preprocess import Cleaner

    cb = Codebook.from_dict({"name": "k", "version": "1", "themes": [
        {"id": "kontakt", "label": "Kontakt", "description": "Å nå NAV på chat og telefon.", "keywords": ["chat"]},
        {"id": "nett", "label": "Nettet", "description": "Trådløst nett på kontoret.", "keywords": ["wifi"]}]})
    words = ["chat", "wifi", "vet ikke"]
    plain = Cleaner(redact=True, detect_language=False).fit().transform(pd.Series(words))
    assert plain["is_non_answer"].tolist() == [1, 1, 1]  # what the keyword rule changes
    coder = ZeroShotCoder(cb, FakeEmbedder())
    assert coder.clean(words)["is_non_answer"].tolist() == [0, 0, 1]
    out = coder.predict(words)
    assert out["themes"].tolist()[:2] == ["kontakt", "nett"] and (out["type"][:2] != "").all(), out.T
    assert out["themes"].iloc[2] == "" and out["type"].iloc[2] == ""


def test_a_stray_theme_less_row_does_not_switch_the_decision_rule(toy_codebook, monkeypatch):
    """One theme-less row among the labels (an answer the coder put no theme on) is counted
    but does not let the coder leave answers without a theme: under NO_THEME_MIN_SHARE of the answers it takes
    out-of-fold evidence (more theme sets right), which one stray row does not give."""
    from textmine.classify import supervised

    monkeypatch.setattr(supervised, "NO_THEME_MIN_SHARE", 0.5)  # the toy set is small: 1 row would be ≥ 1 %
    texts, labels, types = (list(x) for x in zip(*TOY_TRAIN))
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3, seed=1).fit(
        texts + ["Vi har ikke hatt kontakt med dem i år."], labels + [""], types + ["ros"])
    assert coder.training_metrics_["n_no_theme"] == 1
    assert coder.training_metrics_["allow_no_theme"] is False and not coder.allows_no_theme()
    out = coder.predict(texts)
    assert (out.loc[out["type"] != "", "themes"] != "").all()
