"""The train → review queue → corrections → retrain loop, and the checks on labelled files (fake embedder)."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.codebook import Codebook, CodebookError
from textmine.review import read_labelled

from .conftest import TOY_CODEBOOK, TOY_TRAIN


def _labelled(rows=TOY_TRAIN, ids=True):
    df = pd.DataFrame(rows, columns=["text", "themes", "type"])
    if ids:
        df.insert(0, "id", [f"L{i:03d}" for i in range(1, len(df) + 1)])
    return df


@pytest.fixture()
def work(tmp_path, toy_codebook):
    """A codebook, a labelled file, a survey file and a trained model, all under tmp_path/proj."""
    proj = tmp_path / "proj"
    proj.mkdir()
    cb = proj / "kantine.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    labelled = proj / "labelled.csv"
    _labelled().to_csv(labelled, index=False)
    survey = proj / "survey.csv"
    pd.DataFrame({"rid": ["s1", "s2", "s3", "s4", "s5"],
                  "kommentar": ["Køen i kassa er lang", "Maten er dyr, 120 kroner", "Suppen var kald",
                                "Stolene vipper", "Kaffen koster for mye"]}).to_csv(survey, index=False)
    return proj, cb, labelled, survey


def _train(runner, labelled, cb, model, *extra):
    return runner.invoke(app, ["train", *map(str, labelled), "--codebook", str(cb), "--out", str(model), *extra])


# ---------------------------------------------------------------------------------------------- 1: training files
def test_review_corrections_finds_training_files_from_another_directory(work, tmp_path, monkeypatch, fake_e5):
    proj, cb, labelled, survey = work
    runner = CliRunner()
    monkeypatch.chdir(proj)
    assert _train(runner, ["labelled.csv"], "kantine.yaml", "model").exit_code == 0  # relative paths as typed
    recorded = json.loads((proj / "model" / "manifest.json").read_text())["training_data"]
    assert recorded == [str(labelled.resolve())]
    corr = proj / "corr.csv"
    pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}).to_csv(corr, index=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res = runner.invoke(app, ["review", str(survey), "--model", str(proj / "model"), "--corrections", str(corr),
                              "--out", str(elsewhere / "m2")])
    assert res.exit_code == 0, res.output
    assert "corrections (+ codebook) only" not in res.output
    m2 = json.loads((elsewhere / "m2" / "manifest.json").read_text())
    n_train = json.loads((elsewhere / "m2" / "metrics.json").read_text())["training"]["n_train"]
    assert n_train == len(TOY_TRAIN) + 1
    assert m2["training_data"] == [str(labelled.resolve()), str(corr.resolve())]


def test_review_corrections_refuses_when_training_files_are_gone(work, tmp_path, fake_e5):
    proj, cb, labelled, survey = work
    runner = CliRunner()
    model = proj / "model"
    assert _train(runner, [labelled], cb, model).exit_code == 0
    corr = proj / "corr.csv"
    _labelled(TOY_TRAIN[::2]).to_csv(corr, index=False)  # enough rows to train on alone
    moved = tmp_path / "moved.csv"
    labelled.rename(moved)
    args = ["review", str(survey), "--model", str(model), "--corrections", str(corr)]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert str(labelled) in res.output and "--train" in res.output and "--corrections-only" in res.output
    res = runner.invoke(app, [*args, "--train", str(moved)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*args, "--corrections-only"])
    assert res.exit_code == 0, res.output
    assert "corrections (+ codebook) only" in res.output
    res = runner.invoke(app, ["review", str(proj / "nope.csv"), "--model", str(model), "--corrections", str(corr),
                              "--train", str(moved)])
    assert res.exit_code == 2 and "input file not found" in res.output


# ---------------------------------------------------------------------------------------------- 2: label checks
def _bad(i, col, value):
    df = _labelled()
    df.loc[i, col] = value
    return df


@pytest.mark.parametrize("i,col,value,expect", [
    (5, "themes", "mat;drikke", ["data row 6", "L006", "'themes'", "unknown theme id(s) 'drikke'", "mat, pris"]),
    (3, "themes", "annet;mat", ["data row 4", "L004", "'themes'", "exclusive theme 'annet'", "'mat'"]),
    (7, "type", "klag", ["data row 8", "L008", "'type'", "unknown type 'klag'", "klage, ønske, ros"]),
    (9, "id", "L003", ["data row 10", "'id'", "duplicate id 'L003'", "also data row 3"]),
])
def test_bad_labels_are_refused_with_file_row_id_and_column(toy_codebook, i, col, value, expect):
    with pytest.raises(ValueError) as exc:
        read_labelled(_bad(i, col, value), codebook=toy_codebook, where="lab.csv", warn=lambda m: None)
    msg = str(exc.value)
    assert msg.startswith("lab.csv: ")
    for part in expect:
        assert part in msg, msg


def test_every_bad_row_is_reported_not_only_the_first(toy_codebook):
    df = _labelled()
    df.loc[2, "themes"] = "mat;drikke"
    df.loc[5, "type"] = "klag"
    df.loc[7, "themes"] = "annet;mat"
    with pytest.raises(ValueError) as exc:
        read_labelled(df, codebook=toy_codebook, where="lab.csv", warn=lambda m: None)
    msg = str(exc.value)
    first, *rest = msg.splitlines()
    assert first.startswith("lab.csv: data row 3 (id 'L003'), column 'themes': unknown theme id(s) 'drikke'")
    assert "lab.csv: 3 problems in all" in rest[0]
    assert any("data row 8" in r and "exclusive theme 'annet'" in r for r in rest)
    assert any("data row 6" in r and "unknown type 'klag'" in r for r in rest)
    many = _labelled()
    many["themes"] = "drikke"
    with pytest.raises(ValueError) as exc:
        read_labelled(many, codebook=toy_codebook, where="lab.csv", warn=lambda m: None)
    lines = str(exc.value).splitlines()
    assert f"{len(many)} problems in all" in lines[1] and lines[-1] == f"  … and {len(many) - 20} more"


def test_training_files_are_cross_validation_groups(work, monkeypatch, fake_e5):
    """``textmine train`` with several files and ``review --corrections`` hold out whole files (writers, waves) and
    the corrections when fitting calibration and the review level, as models/build_default.py does."""
    from textmine.classify import SupervisedCoder

    proj, cb, labelled, survey = work
    seen = []
    real_fit = SupervisedCoder.fit

    def spy(self, texts, labels, types=None, groups=None, questions=None, **kw):
        seen.append(list(groups) if groups is not None else None)
        return real_fit(self, texts, labels, types, groups=groups, questions=questions, **kw)

    monkeypatch.setattr(SupervisedCoder, "fit", spy)
    rows = _labelled(ids=False)
    parts = [proj / f"part{k}.csv" for k in range(3)]
    for k, part in enumerate(parts):
        rows.iloc[k::3].to_csv(part, index=False)
    runner = CliRunner()
    assert _train(runner, parts, cb, proj / "m3").exit_code == 0
    assert [sorted(set(g)) for g in seen] == [sorted(str(p.resolve()) for p in parts)]
    assert seen[0].count(str(parts[0].resolve())) == len(rows.iloc[0::3])
    corr = proj / "corr.csv"
    pd.DataFrame({"text": ["Kassa er treg", "Altfor dyrt"], "themes": ["ko", "pris"],
                  "type": ["klage", "klage"]}).to_csv(corr, index=False)
    res = runner.invoke(app, ["review", str(survey), "--model", str(proj / "m3"), "--corrections", str(corr)])
    assert res.exit_code == 0, res.output
    assert sorted(set(seen[1])) == sorted([*(str(p.resolve()) for p in parts), "corrections"])
    assert seen[1][-2:] == ["corrections", "corrections"] and seen[1].count("corrections") == 2
    # --corrections-weight: each correction counts as N training rows (repeated, all in the corrections' group)
    res = runner.invoke(app, ["review", str(survey), "--model", str(proj / "m3"), "--corrections", str(corr),
                              "--corrections-weight", "3"])
    assert res.exit_code == 0, res.output
    assert seen[2].count("corrections") == 6 and len(seen[2]) == len(seen[1]) + 4
    assert "corrections applied: 2" in res.output and "each correction counted as 3 training rows" in res.output
    res = runner.invoke(app, ["review", str(survey), "--model", str(proj / "m3"), "--corrections-weight", "3"])
    assert res.exit_code == 2 and "--corrections-weight" in res.output
    from textmine.classify import load_coder
    from textmine.review import apply_corrections

    with pytest.raises(ValueError, match="whole number ≥ 1"):
        apply_corrections(load_coder(proj / "m3"), pd.read_csv(corr), weight=0)


def test_repeated_corrections_never_straddle_a_cross_validation_split(work, monkeypatch, fake_e5):
    """With one training group (or none), ``weight`` > 1 must not let a correction's copies sit on both sides of
    an out-of-fold split: that would calibrate the model on answers it was trained on."""
    from textmine.classify import SupervisedCoder, load_coder
    from textmine.classify.supervised import cv_splits
    from textmine.review import apply_corrections

    proj, cb, labelled, survey = work
    assert _train(CliRunner(), [labelled], cb, proj / "m").exit_code == 0
    seen = []
    real_fit = SupervisedCoder.fit

    def spy(self, texts, labels, types=None, groups=None, questions=None, **kw):
        seen.append((list(texts), list(groups)))
        return real_fit(self, texts, labels, types, groups=groups, questions=questions, **kw)

    monkeypatch.setattr(SupervisedCoder, "fit", spy)
    corr = pd.DataFrame({"text": ["Kassa er treg", "Altfor dyrt", "Suppa var lunken"], "themes": ["ko", "pris", "mat"],
                         "type": ["klage", "klage", "klage"]})
    for train in (_labelled(ids=False), None):  # one training group; corrections only
        apply_corrections(load_coder(proj / "m"), corr, train=train, weight=4, id_col=None)
        texts, groups = seen[-1]
        for fit_idx, held_idx in cv_splits(len(texts), groups, cv=5, seed=0)[0]:
            fitted = {texts[i] for i in fit_idx}
            assert not fitted & {texts[i] for i in held_idx if texts[i] in set(corr["text"])}
        assert sum(t == "Kassa er treg" for t in texts) == 4


def test_type_case_is_normalised_and_warnings_are_given(toy_codebook):
    notes = []
    df = _labelled()
    df.loc[0, "type"] = "Klage"
    df.loc[1, "type"] = " ROS "
    df.loc[2, "themes"] = ""  # an unlabelled comment: trained as "no theme applies"
    df.loc[3, ["text", "themes"]] = ["vet ikke", ""]  # a non-answer: not counted
    out = read_labelled(df, codebook=toy_codebook, where="lab.csv", warn=notes.append)
    assert out.loc[0, "type"] == "klage" and out.loc[1, "type"] == "ros"
    assert len(notes) == 1 and "lab.csv: 1 comment(s) have an empty 'themes' cell (data rows 3)" in notes[0]
    notes.clear()
    read_labelled(df.drop(columns=["type"]), codebook=toy_codebook, where="lab.csv", warn=notes.append)
    assert any("no 'type' column" in n and "type facet" in n for n in notes)


def test_cli_train_names_the_file_and_its_own_row_numbers(work, fake_e5):
    proj, cb, labelled, _ = work
    second = proj / "second.csv"
    _bad(2, "themes", "annet;pris").to_csv(second, index=False)
    res = _train(CliRunner(), [labelled, second], cb, proj / "m")
    assert res.exit_code == 2
    assert f"{second}: data row 3 (id 'L003'), column 'themes'" in res.output
    notype = proj / "notype.csv"
    _labelled().drop(columns=["type"]).to_csv(notype, index=False)
    res = _train(CliRunner(), [labelled, notype], cb, proj / "m")
    assert res.exit_code == 0, res.output
    assert f"{notype}: no 'type' column" in res.output


def test_corrections_without_text_column_name_the_file(work, fake_e5):
    proj, cb, labelled, survey = work
    runner = CliRunner()
    assert _train(runner, [labelled], cb, proj / "model").exit_code == 0
    corr = proj / "corr.csv"
    pd.DataFrame({"kommentar": ["Kassa er treg"], "themes": ["ko"]}).to_csv(corr, index=False)
    res = runner.invoke(app, ["review", str(survey), "--model", str(proj / "model"), "--corrections", str(corr)])
    assert res.exit_code == 2 and f"{corr}: no column 'text'" in res.output


# ---------------------------------------------------------------------------------------------- 3: --embedder
def test_train_refuses_the_lexical_embedder_and_help_names_e5_static(work):
    proj, cb, labelled, _ = work
    res = _train(CliRunner(), [labelled], cb, proj / "m", "--embedder", "lexical")
    assert res.exit_code == 2 and "e5-static" in res.output
    assert not (proj / "m").exists()
    res = CliRunner().invoke(app, ["train", "--help"], terminal_width=300)
    assert "e5-static" in res.output and "lexical |" not in res.output


# ---------------------------------------------------------------------------------------------- 4: the loop
def test_queue_file_edited_is_a_corrections_file(work, fake_e5):
    proj, cb, labelled, survey = work
    runner = CliRunner()
    model = proj / "model"
    assert _train(runner, [labelled], cb, model).exit_code == 0
    queue = proj / "queue.csv"
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--text-col", "kommentar",
                              "--id-col", "rid", "--n", "3", "--queue-out", str(queue)])
    assert res.exit_code == 0, res.output
    q = pd.read_csv(queue, keep_default_na=False, dtype=str)
    assert list(q.columns[:4]) == ["rid", "text", "themes", "type"]
    assert len(q) == 3 and set(q["rid"]) <= {"s1", "s2", "s3", "s4", "s5"}
    assert (q["themes"] == q["suggested_themes"]).all() and set(q["type"]) <= {"klage", "ønske", "ros", ""}
    q["themes"] = ["ko", "pris", "annet"]  # the analyst's codes
    q.to_csv(queue, index=False)
    ev = proj / "eval.csv"
    _labelled(TOY_TRAIN[::3]).to_csv(ev, index=False)
    out = proj / "model2"
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--corrections", str(queue),
                              "--id-col", "rid", "--eval", str(ev), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "corrections applied: 3" in res.output and "eval_macro_f1" in res.output
    man = json.loads((out / "manifest.json").read_text())
    assert json.loads((out / "metrics.json").read_text())["training"]["n_train"] == len(TOY_TRAIN) + 3
    assert man["training_data"][-1] == str(queue.resolve())
    q.loc[1, "rid"] = q.loc[0, "rid"]
    q.to_csv(queue, index=False)
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--corrections", str(queue),
                              "--id-col", "rid"])
    assert res.exit_code == 2 and f"{queue}: data row 2" in res.output and "duplicate id" in res.output


# ---------------------------------------------------------------------------------------------- 5: codebook types
@pytest.mark.parametrize("types", [["klage", "ros", "klage"], ["klage", "Klage", "ros"]])
def test_codebook_refuses_duplicate_types(types):
    with pytest.raises(CodebookError, match="'types'.*(listed twice|the same type)"):
        Codebook.from_dict({**TOY_CODEBOOK, "types": types})


def test_retraining_does_not_repeat_the_recorded_files_no_theme_note(work, fake_e5):
    """The training files a model records were read (and their 'no theme' rows noted) when it was trained: a
    retraining from them does not repeat the note; a file given with --train still gets it."""
    proj, cb, _, survey = work
    df = _labelled()
    df.loc[2, "themes"] = ""
    labelled = proj / "with_blank.csv"
    df.to_csv(labelled, index=False)
    runner = CliRunner()
    res = _train(runner, [labelled], cb, proj / "mb")
    assert res.exit_code == 0 and "empty 'themes' cell" in " ".join(res.output.split()), res.output
    corr = proj / "corr.csv"
    pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}).to_csv(corr, index=False)
    args = ["review", str(survey), "--model", str(proj / "mb"), "--corrections", str(corr)]
    res = runner.invoke(app, [*args, "--out", str(proj / "mb2")])
    assert res.exit_code == 0, res.output
    assert "empty 'themes' cell" not in " ".join(res.output.split())
    res = runner.invoke(app, [*args, "--train", str(labelled), "--out", str(proj / "mb3")])
    assert res.exit_code == 0, res.output
    assert "empty 'themes' cell" in " ".join(res.output.split())


def test_retraining_names_no_merged_row_numbers(toy_codebook):
    """A labelled row without an answer is counted in the merged table when retraining: the warning gives the count,
    not row numbers of a table the analyst never sees."""
    import warnings as _w

    from textmine.classify import SupervisedCoder
    from textmine.review import apply_corrections

    from .conftest import FakeEmbedder

    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    base = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    train = _labelled(ids=False)
    train.loc[len(train)] = ["vet ikke", "ko", "klage"]  # a theme on a non-answer
    corr = pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]})
    with _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always")
        apply_corrections(base, corr, train=train, id_col=None)
    msgs = [str(w.message) for w in caught if "no answer to learn from" in str(w.message)]
    assert msgs and all("counted over the training files and corrections together" in m for m in msgs)
    assert not any("rows counted from 0" in m for m in msgs)
