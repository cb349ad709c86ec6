"""SupervisedCoder(finetune=True): cross-fitted LoRA fine-tuning of e5-l6, saved and loaded with the model."""

import json

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK, SAMPLE_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted():
    from textmine.classify import SupervisedCoder
    from textmine.classify import finetune as ft

    df = pd.read_csv(SAMPLE_DIR / "labels_2022.csv", dtype=str, keep_default_na=False)
    df = df[df["themes"] != ""].sample(160, random_state=0).reset_index(drop=True)
    calls = []
    orig = ft.finetune_adapter if hasattr(ft, "finetune_adapter") else None
    assert orig is None  # imported lazily inside finetuned_prepared (torch stays off the serving path)
    from textmine.embed import adapter as adapter_mod

    real = adapter_mod.finetune_adapter

    def spy(ids, Y, types=None, **kw):
        calls.append(len(ids))
        return real(ids, Y, types, **kw)

    seen = {"features": [], "prepared": None}
    real_prepared, real_features = ft.finetuned_prepared, SupervisedCoder.features

    def spy_prepared(*a, **k):
        seen["prepared"] = real_prepared(*a, **k)
        return seen["prepared"]

    def spy_features(self, prep, *a, **k):
        seen["features"].append(np.array(prep.emb))
        return real_features(self, prep, *a, **k)

    adapter_mod.finetune_adapter, ft.finetuned_prepared, SupervisedCoder.features = spy, spy_prepared, spy_features
    try:
        coder = SupervisedCoder(load_codebook(DEFAULT_CODEBOOK), seed=0, finetune=True, finetune_epochs=1,
                                finetune_rank=2, cv=3, lexical_share=0.0)
        coder.fit(df["text"].tolist(), df["themes"].tolist(), df["type"].tolist())
    finally:
        adapter_mod.finetune_adapter, ft.finetuned_prepared, SupervisedCoder.features = real, real_prepared, real_features
    return coder, df, calls, seen


def test_encoder_is_fine_tuned_per_fold_then_on_everything(fitted):
    coder, df, calls, seen = fitted
    answered = len(df)  # the sample's labelled answers are all real answers
    assert len(calls) == 4 and calls[-1] == answered  # three folds, then all rows
    assert sorted(calls[:3]) == sorted(answered - np.array([54, 53, 53]))  # each fold leaves its own rows out
    assert coder.training_metrics_["cv_folds"] == 3  # the classifier's folds are the fine-tuning folds
    info = coder.training_metrics_["finetune"]
    assert info["folds"] == 3 and info["rows"] == answered and info["rank"] == 2
    assert coder.embedder.name == "e5-l6+lora" and coder.embedder.adapter.sha256 == info["adapter_sha256"]
    # each fold's classifier is trained and scored on its own fold encoder's vectors (as deployed), the final
    # one on the final encoder's: the feature blocks seen during fit are exactly these, and they all differ
    full, folds = seen["prepared"]
    blocks = seen["features"]
    for emb in [full.emb, *folds]:
        assert any(b.shape == emb.shape and np.array_equal(b, emb) for b in blocks)
    assert not np.allclose(folds[0], folds[1]) and not np.allclose(folds[0], full.emb)
    np.testing.assert_allclose(full.emb[:5], coder.embedder.encode(full.text_clean[:5]), atol=1e-6)
    out = coder.predict(["Umulig å komme gjennom på telefon", "vet ikke"])
    assert out.loc[1, "themes"] == "" and out.loc[1, "needs_review"] == 0


def test_fine_tuned_model_round_trips_and_refuses_a_changed_adapter(fitted, tmp_path):
    from textmine.classify import SupervisedCoder, load_coder
    from textmine.classify.artefact import ArtefactError
    from textmine.embed.adapter import EncoderAdapter

    coder, df, *_ = fitted
    d = coder.save(tmp_path / "m")
    info = json.loads((d / "manifest.json").read_text())["embedder"]
    assert info["name"] == "e5-l6+lora" and info["adapter"]["file"] == "encoder_adapter.npz"
    texts = df["text"].tolist()[:40]
    back = load_coder(d)
    assert back.embedder.version == coder.embedder.version
    pd.testing.assert_frame_equal(back.predict(texts), coder.predict(texts))

    ad = EncoderAdapter.load(d / "encoder_adapter.npz")
    a, b = ad.factors["l0.q"]
    ad.factors["l0.q"] = (a, b + 0.01)
    ad.save(d / "encoder_adapter.npz")
    with pytest.raises(ArtefactError, match="changed after training"):
        load_coder(d)
    (d / "encoder_adapter.npz").unlink()
    with pytest.raises(ArtefactError, match="encoder_adapter.npz is missing"):
        load_coder(d)

    plain = SupervisedCoder(load_codebook(DEFAULT_CODEBOOK), seed=0, lexical_share=0.0)
    plain.fit(texts, df["themes"].tolist()[:40])
    coder.save(tmp_path / "m2")
    plain.save(tmp_path / "m2")  # overwriting a fine-tuned model's folder drops its adapter
    assert not (tmp_path / "m2" / "encoder_adapter.npz").exists()
    assert load_coder(tmp_path / "m2").embedder.name == "e5-l6"
