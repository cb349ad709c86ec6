"""With the real e5 backend on the sample data: the shipped codebook works, few-shot beats zero-shot."""

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import load_codebook, parse_theme_list
from textmine.evaluate import f1_summary
from textmine.paths import DEFAULT_CODEBOOK, SAMPLE_DIR

pytestmark = pytest.mark.slow



def _labels(wave):
    df = pd.read_csv(SAMPLE_DIR / f"labels_{wave}.csv", dtype=str, keep_default_na=False)
    return df[df["themes"] != ""].reset_index(drop=True)


def test_few_shot_beats_zero_shot_on_a_held_out_wave(e5):
    from textmine.classify import SupervisedCoder, ZeroShotCoder

    cb = load_codebook(DEFAULT_CODEBOOK)
    train, test = _labels(2022), _labels(2023).sample(250, random_state=0)
    rng = np.random.default_rng(0)
    picked: set[int] = set()
    for t in cb.theme_ids:  # 8 examples per theme
        idx = [i for i, v in enumerate(train["themes"]) if t in parse_theme_list(v) and i not in picked]
        picked.update(rng.choice(idx, size=min(8, len(idx)), replace=False).tolist())
    few = train.iloc[sorted(picked)]
    y = cb.to_matrix([parse_theme_list(v) for v in test["themes"]])
    ids = [f"theme_{t}" for t in cb.theme_ids]
    zs = ZeroShotCoder(cb, e5)
    cleaned = zs.clean(test["text"])
    zero = f1_summary(y, zs.predict_frame(cleaned)[ids].to_numpy())
    sup = SupervisedCoder(cb, e5, seed=0).fit(few["text"].tolist(), few["themes"].tolist(), few["type"].tolist())
    pred = sup.predict_frame(cleaned)
    fewm = f1_summary(y, pred[ids].to_numpy())
    assert zero["macro_f1"] > 0.45  # the shipped codebook codes sensibly without any labels
    # measured: zero-shot macro-F1 0.664, few-shot 0.688 (2026-11 sample data)
    assert fewm["macro_f1"] > zero["macro_f1"], (zero, fewm)
    assert set(pred["type"]) <= {"klage", "ønske", "ros"}


def test_default_coder_loads_the_shipped_model(e5):
    from textmine.classify import SupervisedCoder, default_coder
    from textmine.paths import DEFAULT_MODEL_DIR

    if not (DEFAULT_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/default not built")
    coder = default_coder(strict=True)  # the artefact's own backend (e5-l6); the full e5 would be refused
    assert isinstance(coder, SupervisedCoder) and coder.embedder.name == "e5-l6"
    with pytest.raises(Exception, match="trained with embedder e5-l6"):
        default_coder(embedder=e5, strict=True)
    out = coder.predict(["Umulig å komme gjennom på telefon, vi sitter i telefonkø i en time.",
                         "Refusjonen av sykepenger kommer alt for sent.", "vet ikke"])
    assert out.loc[0, "theme_telefon"] == 1 and out.loc[1, "theme_refusjon"] == 1
    assert out.loc[2, "themes"] == "" and out.loc[2, "needs_review"] == 0


@pytest.mark.parametrize("name", ["default", "fast"])
def test_shipped_model_scores_a_comment_the_same_alone_or_in_any_batch(name):
    """A comment coded alone (/classify) and in a batch (a job chunk, a /classify micro-batch) gets identical
    scores, themes, confidence and type: e5-l6's int8 graph and e5-static are batch-independent, and so must the
    coder's own arithmetic be (the zero-shot similarities are a float64 product: a float32 GEMM's rounding
    depends on the batch height and was magnified ~50x)."""
    from textmine.classify import default_coder
    from textmine.paths import EVAL_DIR, MODELS_DIR

    model_dir = MODELS_DIR / name
    if not (model_dir / "manifest.json").exists():
        pytest.skip(f"models/{name} not built")
    coder = default_coder(model_dir, strict=True)
    texts = pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False)["text"].tolist()[:120]
    a = coder.predict(texts)
    b = pd.concat([coder.predict(texts[i:i + 7]) for i in range(0, len(texts), 7)], ignore_index=True)
    c = pd.concat([coder.predict([t]) for t in texts[:25]], ignore_index=True)
    cols = [x for x in a.columns if x.startswith(("score_", "theme_"))] + ["confidence", "needs_review"]
    np.testing.assert_array_equal(a[cols].to_numpy(float), b[cols].to_numpy(float))
    np.testing.assert_array_equal(a[cols].head(25).to_numpy(float), c[cols].to_numpy(float))
    assert a["type"].tolist() == b["type"].tolist()
    assert a["type"].head(25).tolist() == c["type"].tolist()
    # an empty batch (a chunk with nothing left, an empty /classify slice) is an empty frame of the same shape
    empty = coder.predict([])
    assert len(empty) == 0 and list(empty.columns) == list(a.columns)
    assert empty.dtypes.tolist() == a.dtypes.tolist()


def test_service_classify_codes_exactly_as_the_library_coder():
    """/classify's path (clean once, keep the redacted text) must give the scores coder.predict gives, also
    for texts whose language only lingua would decide (lemma language comes from marker words in both)."""
    from service import library
    from textmine.classify import default_coder
    from textmine.paths import DEFAULT_MODEL_DIR

    if not (DEFAULT_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/default not built")
    coder = default_coder(strict=True)
    texts = ["Kontakten med dokker er grei", "Eg synest saksbehandlinga tek for lang tid",
             "The refund takes too long", "Ring Kari på 91234567, telefonkøen er håpløs", "vet ikke"]
    via_service = library.classify_texts(coder, texts)
    direct = coder.predict(texts)
    cols = [c for c in direct.columns if c.startswith(("theme_", "score_"))] + ["themes", "confidence", "type"]
    pd.testing.assert_frame_equal(via_service[cols].reset_index(drop=True), direct[cols].reset_index(drop=True))
    assert "91234567" not in via_service.loc[3, "text_redacted"]


def test_shipped_model_knows_the_routed_questions():
    """The shipped model learned theme rates for both free-text questions of the sample survey; the service's
    question path codes exactly as coder.predict(texts, questions), and the sick-leave question raises the
    follow-up theme's score of an answer that does not name it."""
    from service import library
    from textmine.classify import default_coder
    from textmine.paths import DEFAULT_MODEL_DIR

    if not (DEFAULT_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/default not built")
    coder = default_coder(strict=True)
    assert {"fritekst_sykefravaer", "fritekst_generell"} <= set(coder.question_priors_)
    texts = ["De må ta kontakt tidligere og ikke bare sende brev.", "Alt tar for lang tid"]
    q = "fritekst_sykefravaer"
    via_service = library.classify_texts(coder, texts, question=q)
    direct = coder.predict(texts, questions=q)
    cols = [c for c in direct.columns if c.startswith(("theme_", "score_"))] + ["themes", "confidence", "type"]
    pd.testing.assert_frame_equal(via_service[cols].reset_index(drop=True), direct[cols].reset_index(drop=True))
    plain = coder.predict(texts)
    general = coder.predict(texts, questions="fritekst_generell")
    assert (direct["score_sykefravaersoppfolging"] > plain["score_sykefravaersoppfolging"]).all()
    assert (general["score_sykefravaersoppfolging"] < plain["score_sykefravaersoppfolging"]).all()
