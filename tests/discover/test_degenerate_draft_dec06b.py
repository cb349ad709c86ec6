"""Identical answers give one topic without warnings; a draft codebook is written only when it loads."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook, load_codebook
from textmine.discover import discover_themes
from textmine.discover.core import DiscoveryResult, Topic

from ..clitools import run_cli


@pytest.mark.parametrize("n", [40, 400])
def test_identical_answers_give_one_topic_without_a_runtime_warning(n):
    from textmine.embed import get_embedder

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = discover_themes(["Altfor lang kø på telefonen."] * n, embedder=get_embedder("lexical"))
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert runtime == []
    assert len(r.topics) == 1 and r.topics[0].size == n
    Codebook.from_dict(yaml.safe_load(r.codebook_yaml()))  # loads


def _topic(i, label, examples, extra):
    return Topic(id=i, label=label, keywords=label.split(" · ") + [extra], size=2, share=0.5, examples=examples)


def test_topics_with_the_same_label_are_merged():
    from textmine.embed import get_embedder

    texts = ["Altfor lang kø på telefonen."] * 200 + ["Altfor lang kø på telefonen!"] * 200
    r = discover_themes(texts, embedder=get_embedder("lexical"), method="bertopic")
    labels = [t.label for t in r.topics]
    assert len(labels) == len(set(labels)), labels


def test_draft_with_duplicate_labels_still_loads():
    r = DiscoveryResult(topics=[_topic(0, "kø · telefon", ["Lang kø på telefon."], "lang"),
                                _topic(1, "kø · telefon", ["Telefonkøen er lang."], "telefonkø")],
                        assignments=np.array([0, 0, 1, 1]), is_non_answer=np.zeros(4, bool),
                        text_clean=["Lang kø på telefon.", "Kø på telefon.", "Telefonkøen er lang.", "Lang kø."],
                        method="small-wave", n_outliers_reassigned=0, seed=1)
    cb = Codebook.from_dict(r.draft_codebook())
    assert len(cb.themes) == 2 and len({t.label for t in cb.themes}) == 2


def test_cli_blank_column_writes_no_unloadable_codebook(tmp_path):
    p = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2, 3], "text": ["", " ", ""]}).to_csv(p, index=False)
    out = tmp_path / "o"
    res = run_cli("discover", p, "--text-col", "text", "--out", out, "--embedder", "lexical")
    assert res.exit_code == 0, res.output
    assert (out / "topics.json").exists() and (out / "assignments.csv").exists()
    assert not (out / "codebook.yaml").exists()
    assert "codebook.yaml" in " ".join(res.output.split())
    assert json.loads((out / "topics.json").read_text(encoding="utf-8"))["topics"] == []


def test_cli_draft_it_writes_always_loads(tmp_path, labelled):
    p = tmp_path / "in.csv"
    labelled.iloc[:80][["text"]].to_csv(p, index=False)
    out = tmp_path / "o"
    res = run_cli("discover", p, "--text-col", "text", "--out", out, "--embedder", "lexical")
    assert res.exit_code == 0, res.output
    load_codebook(out / "codebook.yaml")
