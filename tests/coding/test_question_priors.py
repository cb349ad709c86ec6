"""Routed questions: theme rates per survey question, learned from labelled rows that name their question."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.classify import ArtefactError, SupervisedCoder, load_coder
from textmine.classify.base import with_questions
from textmine.classify.supervised import QUESTION_MIN_ROWS
from textmine.classify.table import code_dataframe

from .conftest import TOY_TRAIN

AMBIGUOUS = ["Det var ikke bra i dag.", "For mye av alt.", "Kunne vært bedre, helt ærlig."]


def _routed_training(reps: int = 6):
    """TOY_TRAIN repeated; food and queue comments answer 'lunsj', price and other comments 'generell', and
    one repetition does not name its question (like hand-written training files)."""
    texts, labels, types, questions = [], [], [], []
    for r in range(reps):
        for text, lab, typ in TOY_TRAIN:
            texts.append(text if r == 0 else f"{text} ({r})")
            labels.append(lab)
            types.append(typ)
            questions.append("" if r == 0 else ("lunsj" if ("mat" in lab or "ko" in lab) else "generell"))
    return texts, labels, types, questions


@pytest.fixture()
def routed(toy_codebook, fake_embedder):
    texts, labels, types, questions = _routed_training()
    return SupervisedCoder(toy_codebook, fake_embedder, cv=3).fit(texts, labels, types, questions=questions)


def test_question_rates_are_learned_and_shrunk(routed, toy_codebook):
    mat = toy_codebook.index("mat")
    assert set(routed.question_priors_) == {"lunsj", "generell"}
    lunsj, generell, base = routed.question_priors_["lunsj"], routed.question_priors_["generell"], routed.base_prior_
    assert lunsj[mat] > base[mat] > generell[mat] > 0.0  # no food comment answers 'generell': shrunk, not zero
    texts, labels, _, questions = _routed_training()
    Y = toy_codebook.to_matrix([lab.split(";") for lab in labels])
    q = np.array(questions)
    raw = Y[q == "lunsj"].mean(0)
    assert abs(lunsj[mat] - raw[mat]) < abs(base[mat] - raw[mat])  # between the question's rate and the base
    np.testing.assert_allclose(base, np.clip(Y.mean(0), 1e-3, 1 - 1e-3))
    # the lexical first stage knows the same rates
    assert routed.lexical_ is not None and set(routed.lexical_.question_priors_) == {"lunsj", "generell"}


def test_the_question_moves_scores_by_its_rates_row_by_row(routed):
    none = routed.predict(AMBIGUOUS)
    lunsj = routed.predict(AMBIGUOUS, questions="lunsj")
    generell = routed.predict(AMBIGUOUS, questions=["generell"] * len(AMBIGUOUS))
    assert (lunsj["score_mat"] > none["score_mat"]).all()
    assert (generell["score_mat"] < none["score_mat"]).all()
    assert (generell["score_pris"] > none["score_pris"]).all()
    # no question, an unknown question or an empty one: exactly the question-free output
    pd.testing.assert_frame_equal(routed.predict(AMBIGUOUS, questions=["ukjent", "", None]), none)
    # mixed questions in one batch = each row coded alone (no batch effect)
    mixed_q = ["lunsj", "generell", ""]
    mixed = routed.predict(AMBIGUOUS, questions=mixed_q)
    alone = pd.concat([routed.predict([t], questions=[q]) for t, q in zip(AMBIGUOUS, mixed_q)], ignore_index=True)
    pd.testing.assert_frame_equal(alone, mixed.reset_index(drop=True))


def test_question_priors_off_or_too_few_rows(toy_codebook, fake_embedder):
    texts, labels, types, questions = _routed_training()
    off = SupervisedCoder(toy_codebook, fake_embedder, cv=3, question_priors=False).fit(
        texts, labels, types, questions=questions)
    pd.testing.assert_frame_equal(off.predict(AMBIGUOUS, questions="lunsj"), off.predict(AMBIGUOUS))
    few = SupervisedCoder(toy_codebook, fake_embedder, cv=3).fit(
        texts, labels, types, questions=["lunsj"] * (QUESTION_MIN_ROWS - 1) + [""] * (len(texts) - QUESTION_MIN_ROWS + 1))
    assert few.question_priors_ == {}
    with pytest.raises(ValueError, match="3 texts but 2 questions"):
        off.predict(AMBIGUOUS, questions=["lunsj", "generell"])


def test_question_rates_survive_the_artefact(tmp_path, routed, fake_embedder):
    routed.save(tmp_path / "m")
    again = load_coder(tmp_path / "m", embedder=fake_embedder)
    assert set(again.question_priors_) == {"lunsj", "generell"}
    for q in ("lunsj", "generell"):
        np.testing.assert_allclose(again.question_priors_[q], routed.question_priors_[q])
    pd.testing.assert_frame_equal(again.predict(AMBIGUOUS, questions="lunsj"), routed.predict(AMBIGUOUS, questions="lunsj"),
                                  check_exact=False, atol=1e-5)
    with np.load(tmp_path / "m" / "arrays.npz") as z:  # rates without their question ids: damaged
        np.savez(tmp_path / "m" / "arrays.npz", **{k: z[k] for k in z.files if k != "question_ids"})
    with pytest.raises(ArtefactError, match="question priors"):
        load_coder(tmp_path / "m", embedder=fake_embedder)


def test_code_dataframe_reads_the_question_column(routed):
    df = pd.DataFrame({"svar": AMBIGUOUS, "sporsmal": ["lunsj", "generell", "lunsj"], "id": [7, 8, 9]})
    coded = code_dataframe(routed, df, "svar", question_col="sporsmal")
    want = routed.predict(AMBIGUOUS, questions=df["sporsmal"].tolist())
    np.testing.assert_allclose(coded["score_mat"].to_numpy(), want["score_mat"].to_numpy())
    assert coded["id"].tolist() == [7, 8, 9]
    one = code_dataframe(routed, df, "svar", question="generell")
    np.testing.assert_allclose(one["score_mat"].to_numpy(),
                               routed.predict(AMBIGUOUS, questions="generell")["score_mat"].to_numpy())
    with pytest.raises(ValueError, match="no question column 'q'"):
        code_dataframe(routed, df, "svar", question_col="q")
    with pytest.raises(ValueError, match="not both"):
        code_dataframe(routed, df, "svar", question_col="sporsmal", question="lunsj")


def test_with_questions_checks_lengths():
    frame = pd.DataFrame({"text_clean": ["a", "b"]})
    assert with_questions(frame, "q")["question"].tolist() == ["q", "q"]
    assert with_questions(frame, ["x", None])["question"].tolist() == ["x", ""]
    with pytest.raises(ValueError, match="2 texts but 1 questions"):
        with_questions(frame, ["x"])


def test_embedder_for_labels_policy():
    from textmine.classify.supervised import DEFAULT_SUPERVISED_EMBEDDER, FEW_LABELS, embedder_for_labels

    assert embedder_for_labels(130) == "e5"
    assert embedder_for_labels(FEW_LABELS - 1) == "e5"
    assert embedder_for_labels(FEW_LABELS) == DEFAULT_SUPERVISED_EMBEDDER == "e5-l6"
    assert embedder_for_labels(10, "e5-l6") == "e5-l6" and embedder_for_labels(5000, "my/sbert") == "my/sbert"
