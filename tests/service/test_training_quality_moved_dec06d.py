"""POST /models says how quality moved, as ``textmine review --corrections`` does: the previous model's figures on
the corrected answers beside the new model's (in-sample, said so) and what the corrections changed (review dec06d:
the service gave the new model's cross-validated figures only)."""

from __future__ import annotations

import pandas as pd

from service import library
from textmine.classify import SupervisedCoder
from textmine.review import RetrainResult


class _Coder:
    training_metrics_ = {"oof_macro_f1": 0.81}

    def save(self, folder):
        folder.mkdir(parents=True, exist_ok=True)


def test_training_metrics_carry_before_after_and_the_effect(tmp_path, monkeypatch):
    import textmine.review as review

    result = RetrainResult(coder=_Coder(), before={"corrections_exact_match": 0.25, "corrections_micro_f1": 0.5},
                           after={"corrections_exact_match": 0.75, "corrections_micro_f1": 0.9}, n_corrections=4,
                           effect={"corrections": 4, "changed": 3, "follows": 2, "removed_kept": 0,
                                   "added_missing": 1, "type_changed": 0, "type_follows": 0})
    monkeypatch.setattr(review, "apply_corrections", lambda *a, **k: result)
    monkeypatch.setattr(review, "keep_corrections", lambda *a, **k: None)
    monkeypatch.setattr(library, "held_out_metrics", lambda coder: {"oof_macro_f1": 0.81})
    base = library.BaseTraining(frame=pd.DataFrame({"text": ["x"], "themes": ["a"], "type": [""], "question": [""],
                                                    "group": ["f"]}))
    corrections = pd.DataFrame({"text": ["y"], "themes": ["a"], "type": [""], "question": [""]})
    got = library.train_with_corrections(None, corrections, tmp_path / "m", base=base,
                                         base_coder=SupervisedCoder.__new__(SupervisedCoder))
    assert got["corrections_exact_match"] == 0.75 and got["corrections_exact_match_before"] == 0.25
    assert got["corrections_micro_f1_before"] == 0.5 and got["oof_macro_f1"] == 0.81
    assert "4 corrections, 3 changed the coding" in got["quality_moved"] and "in-sample" in got["quality_moved"]
