"""read_waves / code_wave and the review loop called the way a notebook gets them wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from textmine.classify import SupervisedCoder, ZeroShotCoder
from textmine.pipeline import code_wave, read_waves, wave_of
from textmine.review import apply_corrections, read_labelled, review_queue


def test_a_wave_labelled_with_text_is_read(survey, wave, tmp_path):
    """Was: "could not convert string to float: '2023H1'" for any non-numeric wave label."""
    df, _ = wave
    df.assign(wave="2023H1").to_csv(tmp_path / "a.csv", index=False)
    df.to_csv(tmp_path / "b.csv", index=False)
    frames = read_waves([tmp_path / "a.csv", tmp_path / "b.csv"], survey)
    assert list(frames) == ["2023H1", 2023] and len(frames["2023H1"]) == len(df)
    assert wave_of(pd.DataFrame({"wave": [2023.0]}), survey, Path("x.csv")) == 2023


def test_read_waves_refuses_a_single_path(survey):
    """Was: the path was read character by character ("d: file not found")."""
    with pytest.raises(TypeError, match="wrap a single file in a list"):
        read_waves("data/sample/arbeidsgiver_2022.csv", survey)


def test_code_wave_names_a_missing_id_column_and_a_wrong_coder(survey, wave, codebook, embedder):
    df, _ = wave
    with pytest.raises(KeyError, match="no column 'rid'"):
        code_wave(df.drop(columns=["rid"]), survey, coder=ZeroShotCoder(codebook, embedder))
    with pytest.raises(TypeError, match="coder: expected a textmine coder"):
        code_wave(df, survey, coder="models/default")


def test_code_wave_keeps_ids_with_their_answers_and_leaves_the_frame_alone(survey, wave, codebook, embedder):
    df, _ = wave
    df = df.set_index(pd.Index(range(50, 58)))
    before = df.copy(deep=True)
    out = code_wave(df, survey, coder=ZeroShotCoder(codebook, embedder))
    answered = df[df["ft"].str.strip() != ""]
    assert out["respondent_id"].tolist() == answered["rid"].tolist()
    assert out["text_clean"].tolist() == answered["ft"].tolist()
    pd.testing.assert_frame_equal(df, before)


def test_review_queue_refuses_a_negative_or_text_n(codebook, embedder):
    """Was: n=-1 silently gave an empty queue, n="5" a TypeError about '<'."""
    z = ZeroShotCoder(codebook, embedder)
    for n in (-1, "5", 2.5):
        with pytest.raises(ValueError, match="n must be a whole number ≥ 0"):
            review_queue(z, ["Maten er kald"], n=n)
    assert review_queue(z, [], n=5).empty


def test_read_labelled_reads_missing_theme_cells_of_a_string_column(codebook, train):
    df = train.assign(themes=pd.array([pd.NA] + train["themes"].tolist()[1:], dtype="string"))
    out = read_labelled(df, codebook=codebook, warn=lambda msg: None)
    assert out["themes"].iloc[0] == "" and out["themes"].iloc[1] == "mat"


def test_apply_corrections_checks_the_eval_set_before_retraining(codebook, embedder, train, monkeypatch):
    """Was: a bad theme id in the eval set surfaced only after the whole retraining, as "labels row 0"."""
    def no_training(self, *a, **kw):
        raise AssertionError("retrained before the inputs were checked")

    monkeypatch.setattr(SupervisedCoder, "fit", no_training)
    bad_eval = train.assign(themes=["matt"] + train["themes"].tolist()[1:])
    with pytest.raises(ValueError, match=r"eval set: data row 1, column 'themes': unknown theme id\(s\) 'matt'"):
        apply_corrections(ZeroShotCoder(codebook, embedder), train, eval_set=bad_eval, warn=lambda msg: None)
    with pytest.raises(ValueError, match=r"training data: data row 2, column 'type': unknown type 'forslag'"):
        apply_corrections(ZeroShotCoder(codebook, embedder), train,
                          train=train.assign(type=["klage", "forslag"] + train["type"].tolist()[2:]),
                          warn=lambda msg: None)
