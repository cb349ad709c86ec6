"""Zero-shot and supervised coders on small codebooks (fake deterministic embedder: fast, no model)."""

import json

import numpy as np
import pandas as pd
import pytest

from textmine.classify import (
    ArtefactError,
    KeywordMatcher,
    SupervisedCoder,
    ZeroShotCoder,
    load_coder,
    output_columns,
)
from textmine.classify.calibration import best_thresholds, platt_apply, platt_fit, review_threshold_for
from textmine.codebook import Codebook

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

TEXTS = [
    "Køen i kassa var veldig lang i dag, vi ventet lenge.",
    "",
    "vet ikke",
    "Suppen var kald og maten smakte lite.",
    "Altfor dyrt, prisene må ned med noen kroner.",
]


@pytest.fixture()
def trained(toy_codebook, fake_embedder):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    return SupervisedCoder(toy_codebook, fake_embedder, cv=3).fit(list(texts), list(labels), list(types))


def test_zero_shot_fresh_codebook_output_contract(toy_codebook, fake_embedder):
    coder = ZeroShotCoder(toy_codebook, fake_embedder)
    idx = pd.Index([10, 11, 12, 13, 14])
    out = coder.predict(pd.Series(TEXTS, index=idx))
    assert list(out.columns) == output_columns(toy_codebook)
    assert list(out.index) == list(idx)
    assert out.loc[10, "themes"].split(";")[0] == "ko" and out.loc[10, "theme_ko"] == 1
    assert "mat" in out.loc[13, "themes"] and "pris" in out.loc[14, "themes"]
    # empty and non-answers: nothing assigned, nothing to review
    for i in (11, 12):
        assert out.loc[i, "themes"] == "" and out.loc[i, "needs_review"] == 0 and out.loc[i, "type"] == ""
        assert out.loc[i, [f"theme_{t}" for t in toy_codebook.theme_ids]].sum() == 0
    scores = out[[f"score_{t}" for t in toy_codebook.theme_ids]].to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    # the assigned themes are the highest scored in each answered row
    for i in (10, 13, 14):
        row = out.loc[i]
        top = max(toy_codebook.theme_ids, key=lambda t: row[f"score_{t}"])
        assert row[f"theme_{top}"] == 1
    assert set(out["type"]) <= {"klage", "ønske", "ros", ""}


def test_zero_shot_never_compares_raw_cosines(toy_codebook):
    """Shifting every cosine by the same amount (a narrower/wider band) must not change decisions."""
    class Shifted(FakeEmbedder):
        def encode(self, texts, **kw):
            v = super().encode(texts)
            v = np.hstack([v, np.full((len(v), 1), 3.0, dtype=np.float32)])
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    a = ZeroShotCoder(toy_codebook, FakeEmbedder()).predict(TEXTS)
    b = ZeroShotCoder(toy_codebook, Shifted()).predict(TEXTS)
    assert a["themes"].tolist() == b["themes"].tolist()


def test_exclusive_theme_is_alone(toy_codebook, fake_embedder):
    texts = ["Parkeringen er full og stolene er harde.", "Prisen er 120 kroner og køen i kassa er lang.", "Vinduene er skitne."]
    out = ZeroShotCoder(toy_codebook, fake_embedder).predict(texts)
    for themes in out["themes"]:
        parts = themes.split(";")
        assert len(parts) >= 1
        if "annet" in parts:
            assert parts == ["annet"]
    assert set(out.loc[1, "themes"].split(";")) >= {"pris", "ko"}


def test_hierarchical_codebook_rolls_up(hier_codebook, fake_embedder):
    out = ZeroShotCoder(hier_codebook, fake_embedder).predict(
        ["Telefonkø hver gang vi ringer telefon.", "Vi venter på svar, saksbehandlingstid er for lang."])
    assert out.loc[0, "theme_telefon"] == 1 and out.loc[0, "theme_kontakt"] == 1
    assert out.loc[0, "score_kontakt"] >= out.loc[0, "score_telefon"]
    assert out.loc[1, "theme_tid"] == 1 and out.loc[1, "theme_kontakt"] == 0
    # supervised on the hierarchy: children labels imply the parent
    texts = ["ringer telefon men ingen svarer"] * 3 + ["sendte e-post og melding"] * 3 + ["venter på svar lenge"] * 3
    labels = ["telefon"] * 3 + ["epost"] * 3 + ["tid"] * 3
    sup = SupervisedCoder(hier_codebook, fake_embedder, cv=3).fit([f"{t} {i}" for i, t in enumerate(texts)], labels)
    assert sup.training_metrics_["positives_per_theme"]["kontakt"] == 6
    pred = sup.predict(["telefon telefon ringer", "e-post melding sendt"])
    assert (pred["theme_kontakt"] >= pred[["theme_telefon", "theme_epost"]].max(1)).all()


def test_supervised_learns_and_round_trips(tmp_path, trained, toy_codebook, fake_embedder):
    texts = [t for t, _, _ in TOY_TRAIN]
    pred = trained.predict(texts)
    truth = toy_codebook.to_matrix([lab.split(";") for _, lab, _ in TOY_TRAIN])
    got = pred[[f"theme_{t}" for t in toy_codebook.theme_ids]].to_numpy()
    assert (got == truth).all(1).mean() >= 0.75  # fits its own training data
    assert trained.training_metrics_["n_train"] == len(TOY_TRAIN)
    assert 0.0 <= trained.review_threshold <= 1.0
    trained.save(tmp_path / "m")
    files = {p.name for p in (tmp_path / "m").iterdir()}
    assert files == {"manifest.json", "codebook.yaml", "arrays.npz", "metrics.json"}
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["codebook"]["hash"] == toy_codebook.hash and manifest["embedder"]["name"] == "fake-hash"
    assert manifest["created_at"] and manifest["kind"] == "supervised"
    again = load_coder(tmp_path / "m", codebook=toy_codebook, embedder=fake_embedder)
    pd.testing.assert_frame_equal(again.predict(TEXTS), trained.predict(TEXTS), check_exact=False, atol=1e-5)


def test_saving_over_a_model_is_all_or_nothing(tmp_path, trained, toy_codebook, fake_embedder, monkeypatch):
    """A save that fails half-way leaves the previous model byte-identical (no mix of old and new files, no
    leftovers); a finished save replaces it and keeps the folder's other files."""
    import textmine.classify.artefact as artefact

    zs = ZeroShotCoder(toy_codebook, fake_embedder)
    zs.save(tmp_path / "m")
    (tmp_path / "m" / "NOTES.txt").write_text("trained on wave 2023", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(artefact.np, "savez_compressed", broken)
    with pytest.raises(OSError, match="disk full"):
        trained.save(tmp_path / "m")  # manifest, codebook and metrics were written before the arrays failed
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary folders left behind
    assert isinstance(load_coder(tmp_path / "m", embedder=fake_embedder), ZeroShotCoder)

    monkeypatch.undo()
    trained.save(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    assert (tmp_path / "m" / "NOTES.txt").read_text(encoding="utf-8") == "trained on wave 2023"
    assert isinstance(load_coder(tmp_path / "m", embedder=fake_embedder), SupervisedCoder)
    (tmp_path / "f").write_text("x")
    with pytest.raises(ArtefactError, match="is a file, not a model folder"):
        trained.save(tmp_path / "f")


def test_artefact_refuses_mismatches(tmp_path, trained, toy_codebook):
    trained.save(tmp_path / "m")
    other = dict(TOY_CODEBOOK, version="0.2")
    with pytest.raises(ArtefactError, match="trained for codebook 'kantine' v0.1"):
        load_coder(tmp_path / "m", codebook=Codebook.from_dict(other), embedder=FakeEmbedder())
    with pytest.raises(ArtefactError, match="embedder fake-hash version 1"):
        load_coder(tmp_path / "m", embedder=FakeEmbedder(version="2"))
    # someone edits the stored codebook copy
    cb_path = tmp_path / "m" / "codebook.yaml"
    cb_path.write_text(cb_path.read_text().replace("Maten", "Mat og drikke"))
    with pytest.raises(ArtefactError, match="edited after training"):
        load_coder(tmp_path / "m", embedder=FakeEmbedder())
    with pytest.raises(ArtefactError, match="not a textmine model"):
        load_coder(tmp_path)


def test_zero_shot_artefact_round_trip(tmp_path, toy_codebook, fake_embedder):
    zs = ZeroShotCoder(toy_codebook, fake_embedder, tau=1.2)
    zs.fit([t for t, _, _ in TOY_TRAIN] * 2)  # unlabelled: per-theme scales
    assert zs.theme_mean_ is not None
    zs.save(tmp_path / "z")
    again = load_coder(tmp_path / "z", embedder=fake_embedder)
    assert isinstance(again, ZeroShotCoder) and again.tau == 1.2
    pd.testing.assert_frame_equal(again.predict(TEXTS), zs.predict(TEXTS))


def test_abstention_follows_the_review_threshold(trained):
    texts = [t for t, _, _ in TOY_TRAIN] + ["helt ukjent tekst om noe annet enn kantina"]
    trained.review_threshold = 1.01
    out = trained.predict(texts)
    assert out["needs_review"].tolist() == [1] * len(texts)
    trained.review_threshold = 0.0
    assert trained.predict(texts)["needs_review"].sum() == 0
    trained.review_threshold = float(np.median(out["confidence"]))
    out2 = trained.predict(texts)
    assert ((out2["confidence"] < trained.review_threshold) == (out2["needs_review"] == 1)).all()
    # non-answers never need review
    assert trained.predict(["vet ikke", ""])["needs_review"].tolist() == [0, 0]


def test_type_facet_is_learned(trained):
    out = trained.predict(["Suppen var kald og dårlig.", "Ønsker flere vegetarretter."])
    assert out["type"].tolist()[0] == "klage"
    assert set(out["type"]) <= {"klage", "ønske", "ros"}


def test_theme_and_type_models_share_one_lemma_hashing_pass(trained, monkeypatch):
    """Predicting hashes each batch's lemmas once (theme features and type facet), with the same result."""
    texts = ["Suppen var kald og dårlig.", "Ønsker flere vegetarretter.", "vet ikke"]
    before = trained.predict(texts)
    calls, char_calls = [], []
    real, real_char = trained.hasher.transform, trained.char_hasher.transform
    monkeypatch.setattr(trained.hasher, "transform", lambda lemmas: calls.append(len(lemmas)) or real(lemmas))
    monkeypatch.setattr(trained.char_hasher, "transform", lambda t: char_calls.append(len(t)) or real_char(t))
    after = trained.predict(texts)
    assert calls == [len(texts)] and char_calls == [len(texts)]  # also across both cascade stages
    pd.testing.assert_frame_equal(before, after)


def test_deterministic(toy_codebook):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    a = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3, seed=1).fit(list(texts), list(labels), list(types))
    b = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3, seed=1).fit(list(texts), list(labels), list(types))
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.review_threshold == b.review_threshold


def test_bad_training_input(toy_codebook, fake_embedder):
    coder = SupervisedCoder(toy_codebook, fake_embedder)
    with pytest.raises(ValueError, match="unknown theme id"):
        coder.fit(["a", "b"], ["mat", "drikke"])
    with pytest.raises(ValueError, match="2 texts but 1"):
        coder.fit(["a", "b"], ["mat"])
    with pytest.raises(RuntimeError, match="not trained"):
        coder.predict(["maten"])
    # too few labels for out-of-fold calibration: a clear message, not scikit-learn's n_splits error
    with pytest.raises(ValueError, match="at least 4 answered labelled comments, got 3"):
        coder.fit([t for t, _, _ in TOY_TRAIN[:3]], [lab for _, lab, _ in TOY_TRAIN[:3]])
    with pytest.raises(TypeError, match="single text"):
        ZeroShotCoder(toy_codebook, fake_embedder).predict("maten er god")


def test_keyword_matcher_uses_compound_parts_and_phrases(toy_codebook):
    m = KeywordMatcher(toy_codebook)
    from textmine.preprocess import clean_texts

    cl = clean_texts(["Kassakøen var lang", "Prisen på middagen", "ingenting her"], detect_language=False)
    y = m.predict(cl["text_clean"].tolist(), cl["lemmas"].tolist())
    ids = toy_codebook.theme_ids
    assert y[0, ids.index("ko")] == 1  # compound part "kø" of "kassakøen"
    assert y[1, ids.index("pris")] == 1 and y[1, ids.index("mat")] == 1
    assert y[2].sum() == 0


def test_calibration_helpers_hand_cases():
    a, b = platt_fit(np.array([-2.0, -1, 1, 2] * 10), np.array([0, 0, 1, 1] * 10))
    assert a > 0 and platt_apply(2.0, a, b) > 0.9 and platt_apply(-2.0, a, b) < 0.1
    a, b = platt_fit(np.zeros(5), np.zeros(5))  # degenerate: constant low prior
    assert a == 0 and platt_apply(1.0, a, b) < 0.2
    probs = np.array([[0.9], [0.8], [0.35], [0.3], [0.1], [0.05]])
    y = np.array([[1], [1], [1], [0], [0], [0]])
    assert best_thresholds(probs, y, min_positives=1)[0] == pytest.approx(0.325, abs=0.03)
    assert best_thresholds(probs, y, min_positives=5)[0] == 0.5  # too few positives: default
    conf = np.array([0.95, 0.9, 0.8, 0.7, 0.6])
    ok = np.array([1, 1, 1, 0, 0])
    assert review_threshold_for(conf, ok, target_accuracy=0.9) == 0.8
    assert review_threshold_for(conf, ok, target_accuracy=0.5) == 0.6


def test_few_labels_lean_on_zero_shot_many_on_labels(tmp_path, toy_codebook, fake_embedder):
    """Per theme, weight n / (n + prior_strength) on the supervised probability, the rest on zero-shot."""
    texts, labels, types = (list(x) for x in zip(*TOY_TRAIN, strict=True))
    pos = toy_codebook.to_matrix([lab.split(";") for lab in labels]).sum(0)
    k = 4.0
    coder = SupervisedCoder(toy_codebook, fake_embedder, cv=3, prior_strength=k).fit(texts, labels, types)
    expected = np.where(coder.trained_, pos / (pos + k), 0.0)
    np.testing.assert_allclose(coder.blend_, expected)
    prep = coder.prepare(coder.clean(TEXTS))
    sup = platt_apply(coder.decision_scores(prep), coder.platt_[:, 0], coder.platt_[:, 1])
    zs = coder.zeroshot._theme_probs(prep)[0]
    np.testing.assert_allclose(coder._theme_probs(prep)[0], expected * sup + (1 - expected) * zs, atol=1e-12)
    pure = SupervisedCoder(toy_codebook, fake_embedder, cv=3, prior_strength=0).fit(texts, labels, types)
    assert np.array_equal(pure.blend_, pure.trained_.astype(float))  # 0 = labels only (untrained: zero-shot)
    coder.save(tmp_path / "m")
    again = load_coder(tmp_path / "m", codebook=toy_codebook, embedder=fake_embedder)
    assert again.prior_strength == k and np.array_equal(again.blend_, coder.blend_)


def test_shift_options_fit_and_round_trip(tmp_path, toy_codebook, fake_embedder):
    """Char n-grams, writer-grouped CV, count-aware thresholds and the stacked confidence model: every fitted
    parameter survives save/load and predictions are identical."""
    texts, labels, types = (list(x) for x in zip(*TOY_TRAIN, strict=True))
    groups = [i % 3 for i in range(len(texts))]
    coder = SupervisedCoder(toy_codebook, fake_embedder, cv=5, char_features=2**10, char_scale=0.5,
                            threshold_count_weight=1.0, confidence="stacked", share_method="corrected")
    coder.fit(texts, labels, types, groups=groups)
    m = coder.training_metrics_
    assert m["cv_grouped"] and m["cv_folds"] == 3  # at most one fold per group
    assert coder.coef_.shape[1] == fake_embedder.dimension + coder.hash_features + 2**10 + 2 * len(toy_codebook)
    assert coder.conf_model_.shape == (7,) and coder.share_rates_.shape == (2, len(toy_codebook))
    out = coder.predict(TEXTS)
    conf = out["confidence"].to_numpy()
    assert ((conf[[0, 3, 4]] > 0) & (conf[[0, 3, 4]] < 1)).all() and (conf[[1, 2]] == 1).all()  # non-answers: 1
    coder.save(tmp_path / "m")
    again = load_coder(tmp_path / "m", codebook=toy_codebook, embedder=fake_embedder)
    assert (again.char_features, again.char_scale, again.threshold_count_weight, again.confidence,
            again.share_method) == (2**10, 0.5, 1.0, "stacked", "corrected")
    np.testing.assert_array_equal(again.conf_model_, coder.conf_model_)
    np.testing.assert_array_equal(again.share_rates_, coder.share_rates_)
    pd.testing.assert_frame_equal(again.predict(TEXTS), out, check_exact=False, atol=1e-6)
    pd.testing.assert_series_equal(again.estimate_shares(out), coder.estimate_shares(out))
    with pytest.raises(ValueError, match="groups"):
        coder.fit(texts, labels, types, groups=groups[:-1])


def test_estimate_shares_hand_case(toy_codebook, fake_embedder):
    coder = SupervisedCoder(toy_codebook, fake_embedder)
    ids = toy_codebook.theme_ids
    a, b = ids[0], ids[1]
    # 5 rows: 4 answered (≥ 1 theme), 1 unanswered; theme a coded on 2 of the 4 answered, b on 1 of 4
    y = np.zeros((5, len(ids)), dtype=int)
    y[0, 0] = y[1, 0] = y[2, 1] = y[3, 2] = 1
    scores = np.zeros((5, len(ids)))
    scores[:4, 0] = [0.9, 0.7, 0.2, 0.2]
    pred = pd.DataFrame({**{f"theme_{t}": y[:, j] for j, t in enumerate(ids)},
                         **{f"score_{t}": scores[:, j] for j, t in enumerate(ids)}})
    assert coder.estimate_shares(pred, "raw")[a] == pytest.approx(2 / 5)
    assert coder.estimate_shares(pred, "prob")[a] == pytest.approx(0.5 * 4 / 5)  # mean 0.5 over answered
    with pytest.raises(RuntimeError, match="confusion rates"):
        coder.estimate_shares(pred, "corrected")
    coder.share_rates_ = np.vstack([np.full(len(ids), 0.8), np.full(len(ids), 0.1)])
    est = coder.estimate_shares(pred, "corrected")
    assert est[a] == pytest.approx((0.5 - 0.1) / 0.7 * 4 / 5)  # Rogan–Gladen among answered × answered share
    assert est[b] == pytest.approx((0.25 - 0.1) / 0.7 * 4 / 5)
    assert est[ids[3]] == 0.0  # clipped at 0


def test_count_weight_and_confidence_model_hand_cases():
    from textmine.classify.calibration import apply_confidence_model, fit_confidence_model

    # F1-optimal is the lowest threshold (4 predicted vs 3 true); the count penalty moves it to 3 predicted
    probs = np.array([[0.9], [0.8], [0.6], [0.3], [0.1], [0.05]])
    y = np.array([[1], [1], [0], [1], [0], [0]])
    grid = np.array([0.2, 0.5, 0.7])
    assert best_thresholds(probs, y, min_positives=1, grid=grid)[0] == 0.2
    assert best_thresholds(probs, y, min_positives=1, grid=grid, count_weight=1.0)[0] == 0.5
    rng = np.random.default_rng(0)
    F = rng.normal(size=(400, 3))
    ok = (F[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(int)
    coef = fit_confidence_model(F, ok)
    conf = apply_confidence_model(coef, F)
    assert coef.shape == (4,) and coef[2] > 5 * max(abs(coef[1]), abs(coef[3]))
    assert conf[ok == 1].mean() > 0.8 and conf[ok == 0].mean() < 0.2


class _CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts, **kw):
        self.texts.extend(texts)
        return super().encode(texts, **kw)


def _toy_fit(coder):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    return coder.fit(list(texts), list(labels), list(types))


def test_cascade_keeps_confident_lexical_answers_and_embeds_only_the_rest(toy_codebook):
    emb = _CountingEmbedder()
    coder = _toy_fit(SupervisedCoder(toy_codebook, emb, cv=3, lexical_share=0.5))
    lex, gate = coder.lexical_, coder.lexical_gate_
    assert lex is not None and lex.lexical_only and 0.0 < gate <= 1.0
    assert not lex.coef_[:, :emb.dimension].any()  # the first stage never sees an embedding
    texts = TEXTS + [t for t, _, _ in TOY_TRAIN][:12] + [
        "helt ukjent tekst om noe annet enn kantina", "Maten er grei, men prisen og køen er et problem",
        "Parkeringen ved bygget er for liten", "Kassa bør ha flere ansatte og maten bør bli billigere"]
    lexical = coder.prepare(coder.clean(texts), embed=False).without_embeddings()
    first = lex.predict_prepared(lexical)
    answered = np.array([bool(t.strip()) and t != "vet ikke" for t in texts])
    type_sure = lexical.__dict__["_type_pmax"] >= coder.lexical_type_gate  # the type must be clear too
    stands = answered & (first["confidence"].to_numpy() >= gate) & type_sure
    assert (coder.first_stage(coder.prepare(coder.clean(texts), embed=False))[1] == stands).all()
    rest = np.flatnonzero(answered & ~stands)
    assert stands.any() and len(rest)  # both stages are used on this mix
    emb.texts.clear()
    out = coder.predict(texts)
    assert sorted(emb.texts) == sorted({coder.clean([texts[i]])["text_clean"].iloc[0] for i in rest})
    full = SupervisedCoder.__mro__[1].predict_prepared(coder, coder.prepare(coder.clean(texts)))  # full model only
    cols = [c for c in out.columns if c != "needs_review"]
    for i in range(len(texts)):
        want = first.iloc[i] if (stands[i] or not answered[i]) else full.iloc[i]
        assert out.iloc[i][cols].tolist() == want[cols].tolist(), i
    assert ((out["confidence"] < coder.review_threshold) & answered == (out["needs_review"] == 1)).all()
    one_by_one = pd.concat([coder.predict([t]) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(one_by_one, out.reset_index(drop=True))  # row by row: batch-independent


def test_cascade_off_and_artefact_round_trip(tmp_path, toy_codebook, fake_embedder):
    off = _toy_fit(SupervisedCoder(toy_codebook, fake_embedder, cv=3, lexical_share=0.0))
    on = _toy_fit(SupervisedCoder(toy_codebook, fake_embedder, cv=3))
    assert off.lexical_ is None and on.lexical_ is not None
    np.testing.assert_array_equal(off.coef_, on.coef_)  # the full model is the same either way
    base = SupervisedCoder.__mro__[1].predict_prepared(on, on.prepare(on.clean(TEXTS)))
    pd.testing.assert_frame_equal(off.predict(TEXTS), base)
    on.save(tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["lexical_stage"]["gate"] == on.lexical_gate_
    again = load_coder(tmp_path / "m", codebook=toy_codebook, embedder=fake_embedder)
    assert again.lexical_ is not None and again.lexical_gate_ == on.lexical_gate_
    texts = TEXTS + [t for t, _, _ in TOY_TRAIN]
    pd.testing.assert_frame_equal(again.predict(texts), on.predict(texts), check_exact=False, atol=1e-5)
    with np.load(tmp_path / "m" / "arrays.npz") as z:  # drop the lexical stage's arrays: a damaged artefact
        np.savez(tmp_path / "m" / "arrays.npz", **{k: z[k] for k in z.files if not k.startswith("lexical/")})
    with pytest.raises(ArtefactError, match="lacks the lexical stage"):
        load_coder(tmp_path / "m", embedder=fake_embedder)
    with pytest.raises(ValueError, match="lexical_share"):
        SupervisedCoder(toy_codebook, fake_embedder, lexical_share=1.0)


def test_static_first_stage_decides_confident_answers_without_the_encoder(tmp_path, toy_codebook):
    """first_stage="e5-static": the same model on e5-static vectors; the main encoder sees only the rest."""
    emb = _CountingEmbedder()
    coder = _toy_fit(SupervisedCoder(toy_codebook, emb, cv=3, lexical_share=0.5, first_stage="e5-static"))
    lex = coder.lexical_
    assert lex is not None and not lex.lexical_only and lex.embedder.name == "e5-static"
    assert lex.coef_[:, :lex.embedder.dimension].any()  # its vectors carry weight
    texts = TEXTS + [t for t, _, _ in TOY_TRAIN][:12] + [
        "helt ukjent tekst om noe annet enn kantina", "Parkeringen ved bygget er for liten"]
    answered = np.array([bool(t.strip()) and t != "vet ikke" for t in texts])
    first, stands = coder.first_stage(coder.prepare(coder.clean(texts), embed=False))
    rest = np.flatnonzero(answered & ~stands)
    assert stands.any() and len(rest)
    emb.texts.clear()
    out = coder.predict(texts)
    assert sorted(emb.texts) == sorted({coder.clean([texts[i]])["text_clean"].iloc[0] for i in rest})
    cols = [c for c in out.columns if c != "needs_review"]
    for i in np.flatnonzero(stands):
        assert out.iloc[i][cols].tolist() == first.iloc[i][cols].tolist(), i
    coder.save(tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["lexical_stage"]["embedder"]["name"] == "e5-static"
    again = load_coder(tmp_path / "m", codebook=toy_codebook, embedder=emb)
    assert again.lexical_.embedder.name == "e5-static" and again.lexical_gate_ == coder.lexical_gate_
    pd.testing.assert_frame_equal(again.predict(texts), out, check_exact=False, atol=1e-5)
    manifest["lexical_stage"]["embedder"]["version"] = "e5-static-old"  # a table from another recipe
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtefactError, match="first stage was trained with embedder e5-static version e5-static-old"):
        load_coder(tmp_path / "m", embedder=emb)
    with pytest.raises(ValueError, match="first_stage must be"):
        SupervisedCoder(toy_codebook, emb, first_stage="e5")
