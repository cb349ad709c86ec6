"""Guided discovery keeps answers the codebook covers apart from outliers (answers that fit no new topic)."""

import json

import numpy as np
import pandas as pd
import pytest

from textmine.discover import DiscoveryResult, discover_themes
from textmine.paths import DEFAULT_CODEBOOK

from ..clitools import run_cli


@pytest.fixture(scope="module")
def answers(labelled):
    return labelled["text"].iloc[:120].tolist()


def _valid(r):
    return ~r.is_non_answer & np.array([bool(t.strip()) for t in r.text_clean])


@pytest.fixture(scope="module")
def guided(answers):
    from textmine.embed import get_embedder

    return discover_themes(answers, embedder=get_embedder("lexical"), codebook=DEFAULT_CODEBOOK)


def test_covered_answers_are_not_outliers(guided):
    r, valid = guided, _valid(guided)
    assert r.covered is not None and r.n_covered == int(r.covered.sum()) > 0
    assert not (r.covered & r.uncovered).any() and ((r.covered | r.uncovered) == valid).all()
    assert (r.assignments[r.covered] == -1).all()
    assert r.n_outliers == int(((r.assignments < 0) & r.uncovered).sum())
    d = r.to_dict()
    assert d["n_covered"] == r.n_covered and d["n_outliers"] == r.n_outliers
    assert d["n_covered"] + d["n_uncovered"] == r.params["n_valid"]


def test_outliers_count_only_uncovered_answers_without_a_topic():
    n = 6  # rows: covered, covered, new topic, no topic (outlier), non-answer, empty
    r = DiscoveryResult(topics=[], assignments=np.array([-1, -1, 0, -1, -1, -1]),
                        is_non_answer=np.array([False, False, False, False, True, True]),
                        text_clean=["a", "b", "c", "d", "vet ikke", ""], method="small-wave",
                        n_outliers_reassigned=0, seed=1, uncovered=np.array([False, False, True, True, False, False]))
    assert len(r.assignments) == n
    assert r.covered.tolist() == [True, True, False, False, False, False]
    assert (r.n_covered, r.n_outliers) == (2, 1)
    assert (r.to_dict()["n_covered"], r.to_dict()["n_outliers"]) == (2, 1)


def test_unguided_result_has_no_covered_answers(answers):
    from textmine.embed import get_embedder

    r = discover_themes(answers, embedder=get_embedder("lexical"))
    assert r.covered is None and r.n_covered is None and r.to_dict()["n_covered"] is None
    assert r.n_outliers == int(((r.assignments < 0) & _valid(r)).sum())


def _discover_cli(tmp_path, labelled, *extra):
    src = labelled.iloc[:120][["respondent_id", "text"]]
    src.to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out"
    res = run_cli("discover", tmp_path / "in.csv", "--text-col", "text", "--out", out, "--embedder", "lexical", *extra)
    assert res.exit_code == 0, res.output
    assigned = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    summary = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    return " ".join(res.output.split()), assigned, summary


def test_cli_guided_marks_covered_answers(tmp_path, labelled):
    printed, assigned, summary = _discover_cli(tmp_path, labelled, "--codebook", DEFAULT_CODEBOOK)
    assert list(assigned.columns) == ["respondent_id", "text", "topic", "topic_label", "is_non_answer", "outlier",
                                      "uncovered", "covered"]
    covered, uncovered = assigned["covered"] == "1", assigned["uncovered"] == "1"
    assert covered.any() and not (covered & uncovered).any()
    assert (assigned.loc[covered, "topic"] == "-1").all()
    outliers = int(((assigned["topic"] == "-1") & uncovered).sum())
    assert summary["n_covered"] == int(covered.sum()) and summary["n_outliers"] == outliers
    assert f"{summary['n_covered']} covered by the codebook, {outliers} without a topic" in printed


def test_cli_unguided_output_unchanged(tmp_path, labelled):
    printed, assigned, summary = _discover_cli(tmp_path, labelled)
    assert list(assigned.columns) == ["respondent_id", "text", "topic", "topic_label", "is_non_answer", "outlier"]
    assert summary["n_covered"] is None and "covered by the codebook" not in printed
    assert f"{summary['n_outliers']} without a topic" in printed
