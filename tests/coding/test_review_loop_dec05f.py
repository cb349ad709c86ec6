"""The CLI review loop as a coder runs it (fake embedder, toy codebook): the queue made for one question goes back in
as corrections with the same command line, retraining shows its stages on stderr, the report says what the
corrections changed and whether the new model learnt them, and a retrained model keeps its corrections for round 2."""

import hashlib
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import SupervisedCoder
from textmine.cli import app
from textmine.review import apply_corrections, correction_effect

from .conftest import TOY_TRAIN, FakeEmbedder


@pytest.fixture()
def loop(tmp_path, toy_model):
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"rid": ["s1", "s2", "s3", "s4"],
                  "kommentar": ["Køen i kassa er lang", "Kaffen koster for mye", "Stolene vipper",
                                "Ring meg på 912 34 567 om maten"]}).to_csv(survey, index=False)
    return tmp_path, survey, toy_model


def _review(*args):
    return CliRunner().invoke(app, ["review", *map(str, args)])


def test_queue_for_one_question_goes_back_as_corrections_with_the_same_command_line(loop):
    tmp_path, survey, model = loop
    queue = tmp_path / "queue.csv"
    common = [survey, "--model", model, "--text-col", "kommentar", "--id-col", "rid", "--question", "kantine"]
    res = _review(*common, "--queue-out", queue, "--n", 3)
    assert res.exit_code == 0, res.output
    assert queue.read_bytes().startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads «ø» as UTF-8
    q = pd.read_csv(queue, dtype=str, keep_default_na=False)
    assert (q["question"] == "kantine").all() and len(q) == 3, q.columns
    q.loc[0, "themes"] = "annet"
    q.to_csv(queue, index=False)
    res = _review(*common, "--corrections", queue, "--out", tmp_path / "m2")
    assert res.exit_code == 0, res.output
    assert "corrections applied: 3" in res.stdout
    # a file without a question column: --question is the question of every row; a row's own question wins
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"rid": ["s1", "s2"], "text": ["Kassa er treg", "Kaffen koster 40 kroner"], "themes": ["ko", "pris"],
                  "type": ["klage", "klage"], "question": ["", "middag"]}).to_csv(corr, index=False)
    res = _review(*common, "--corrections", corr, "--out", tmp_path / "m3")
    assert res.exit_code == 0, res.output
    kept = pd.read_csv(tmp_path / "m3" / "corrections.csv", dtype=str, keep_default_na=False)
    assert kept.set_index("id")["question"].to_dict() == {"s1": "kantine", "s2": "middag"}
    # --question-col still goes with the queue only
    res = _review(*common[:-2], "--question-col", "rid", "--corrections", corr)
    assert res.exit_code == 2 and "--question-col goes with the review queue" in res.output


def test_retraining_shows_its_stages_with_elapsed_time_on_stderr(loop):
    tmp_path, survey, model = loop
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"text": ["Kassa er treg", "Kaffen koster 40 kroner"], "themes": ["ko", "pris"],
                  "type": ["klage", "klage"]}).to_csv(corr, index=False)
    res = _review(survey, "--model", model, "--text-col", "kommentar", "--corrections", corr, "--out",
                  tmp_path / "m2")
    assert res.exit_code == 0, res.output
    err = res.stderr
    order = ["reading 1 training file(s)", "training on", "cleaning and redacting", "embedding", "fitting fold 1 of",
             "calibrating", "fitting the final models", "evaluating", "saving"]
    at = [err.find(s) for s in order]
    assert all(i >= 0 for i in at) and at == sorted(at), err
    folds = [(int(k), int(n)) for k, n in re.findall(r"fitting fold (\d+) of (\d+)", err)]
    assert folds == [(k, len(folds)) for k in range(1, len(folds) + 1)] and len(folds) >= 2, err
    assert all(line.startswith("[") and " s] " in line for line in err.splitlines() if "fitting fold" in line)
    assert "calibrating" not in res.stdout  # the report on stdout stays clean


def test_the_fit_wrappers_are_gone_after_retraining(toy_codebook):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    train = pd.DataFrame({"text": texts, "themes": labels, "type": types})
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    said = []
    res = apply_corrections(coder, pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}),
                            train=train, progress=said.append)
    assert any(s.startswith("fitting fold 3 of 3") for s in said), said
    assert not {"clean", "prepare", "_fit_one", "_calibrate", "_fit_lexical_stage"} & set(vars(res.coder))


def _pred(rows, ids=("mat", "pris", "ko", "annet")):
    """A coder's output frame: theme_<id> 0/1 and type, from (themes, type) per row."""
    return pd.DataFrame([{**{f"theme_{t}": int(t in th.split(";")) for t in ids}, "type": ty} for th, ty in rows])


def test_correction_effect_counts_changes_and_what_the_new_model_follows(toy_codebook):
    corr = pd.DataFrame({"text": list("abcde"), "themes": ["mat", "pris", "ko", "mat;pris", "mat"],
                         "type": ["klage", "", "ros", "", "klage"]})
    old = _pred([("mat", "klage"), ("pris;ko", "klage"), ("ko", "klage"), ("mat", "ros"), ("mat;ko", "klage")])
    new = _pred([("mat", "klage"), ("pris", "klage"), ("ko", "klage"), ("mat", "ros"), ("mat;ko", "klage")])
    eff = correction_effect(toy_codebook, corr, old, new)
    # a: confirms; b: ko removed, learnt; c: type klage→ros, not learnt; d: pris added, missed; e: ko removed, kept
    assert eff == {"corrections": 5, "changed": 4, "follows": 1, "removed_kept": 1, "added_missing": 1,
                   "type_changed": 1, "type_follows": 0}


def test_report_says_how_many_corrections_changed_the_coding_and_were_learnt(toy_codebook):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    train = pd.DataFrame({"text": texts, "themes": labels, "type": types})
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    said = coder.predict(["Køen i kassa er lang"]).iloc[0]
    same = ";".join(t for t in toy_codebook.theme_ids if said[f"theme_{t}"])
    corr = pd.DataFrame({"text": ["Køen i kassa er lang", "Kaffen koster 40 kroner"],
                         "themes": [same, "annet"], "type": [said["type"], "klage"]})
    res = apply_corrections(coder, corr, train=train)
    assert res.effect["corrections"] == 2 and res.effect["changed"] == 1, res.effect
    new_says = res.coder.predict(["Kaffen koster 40 kroner"]).iloc[0]
    learnt = int(new_says["theme_annet"] == 1 and new_says[["theme_mat", "theme_pris", "theme_ko"]].sum() == 0
                 and new_says["type"] == "klage")
    assert res.effect["follows"] == learnt
    text = res.to_text()
    assert "2 corrections, 1 changed the coding" in text and f"the new model follows {learnt} of 1" in text
    assert "in-sample" in text


def test_a_retrained_model_keeps_its_corrections_for_the_next_round(loop):
    tmp_path, survey, model = loop
    first = tmp_path / "round1.csv"
    pd.DataFrame({"rid": ["s1", "s4"], "text": ["Kassa er treg", "Ring meg på 912 34 567 om maten"],
                  "themes": ["ko", "mat"], "type": ["klage", "klage"]}).to_csv(first, index=False)
    m2 = tmp_path / "m2"
    res = _review(survey, "--model", model, "--text-col", "kommentar", "--id-col", "rid", "--corrections", first,
                  "--out", m2)
    assert res.exit_code == 0, res.output
    stored = m2 / "corrections.csv"
    manifest = json.loads((m2 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corrections"]["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert manifest["corrections"]["rows"] == 2
    assert manifest["corrections"]["sources"] == [str(first.resolve())]  # kept in the folder, not only by path
    raw = stored.read_text(encoding="utf-8")
    assert "912 34 567" not in raw and "s4" in raw  # the text as the queue writes it: redacted
    first.unlink()  # the round-1 file is gone: round 2 still trains on its corrections
    second = tmp_path / "round2.csv"
    pd.DataFrame({"rid": ["s1", "s3"], "text": ["Kassa er treg", "Stolene vipper"], "themes": ["annet", "annet"],
                  "type": ["klage", "klage"]}).to_csv(second, index=False)
    m3 = tmp_path / "m3"
    res = _review(survey, "--model", m2, "--text-col", "kommentar", "--id-col", "rid", "--corrections", second,
                  "--out", m3)
    assert res.exit_code == 0, res.output
    assert "also trained on 1 earlier correction(s)" in " ".join(res.stdout.split())
    kept = pd.read_csv(m3 / "corrections.csv", dtype=str, keep_default_na=False).set_index("id")
    assert json.loads((m3 / "manifest.json").read_text())["corrections"]["sources"] == [str(first.resolve()),
                                                                                       str(second.resolve())]
    assert kept["themes"].to_dict() == {"s1": "annet", "s3": "annet", "s4": "mat"}  # newer wins for s1
    # a stored file changed after saving is refused, not trained on
    (m3 / "corrections.csv").write_text(raw, encoding="utf-8")
    res = _review(survey, "--model", m3, "--text-col", "kommentar", "--corrections", second)
    assert res.exit_code == 2 and "changed after the model was saved" in res.output, res.output
