"""CLI commands (in-process, fake embedder) and the review queue / retraining loop."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import SupervisedCoder, ZeroShotCoder, output_columns
from textmine.cli import app
from textmine.review import apply_corrections, review_queue

from .conftest import TOY_TRAIN, FakeEmbedder


@pytest.fixture()
def toy_files(tmp_path, toy_codebook):
    cb = tmp_path / "kantine.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame(TOY_TRAIN, columns=["text", "themes", "type"]).to_csv(labelled, index=False)
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": ["r3", "r1", "r2", "r4"], "sektor": ["Privat", "Offentlig", "Privat", "Privat"],
                  "kommentar": ["Køen i kassa er lang", "", "Maten er dyr, 120 kroner", "vet ikke"]}
                 ).to_csv(survey, index=False)
    return cb, labelled, survey


def test_cli_code_zero_shot_keeps_input_and_adds_columns(tmp_path, toy_files, toy_codebook, fake_e5):
    cb, _, survey = toy_files
    out = tmp_path / "coded.csv"
    res = CliRunner().invoke(app, ["code", str(survey), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert list(df.columns) == ["id", "sektor", "kommentar"] + output_columns(toy_codebook) + ["health_flag",
                                                                                         "is_non_answer"]
    assert df["id"].tolist() == ["r3", "r1", "r2", "r4"]  # row order kept
    assert df.loc[0, "theme_ko"] == "1" and df.loc[1, "themes"] == "" and df.loc[3, "needs_review"] == "0"


def test_cli_code_redacts_text_column_unless_asked(tmp_path, toy_files, toy_codebook, fake_e5):
    cb, _, _ = toy_files
    survey = tmp_path / "pii.csv"
    raw = "Køen er lang, ring meg på 912 34 567 eller kari.nordmann@example.no"
    pd.DataFrame({"id": ["a", "b"], "kommentar": [raw, "Maten er dyr"]}).to_csv(survey, index=False)
    out = tmp_path / "coded.csv"
    res = CliRunner().invoke(app, ["code", str(survey), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "912 34 567" not in text and "kari.nordmann@example.no" not in text
    df = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert "[TELEFON]" in df.loc[0, "kommentar"] and "[EPOST]" in df.loc[0, "kommentar"]
    assert df.loc[1, "kommentar"] == "Maten er dyr"
    kept = tmp_path / "kept.csv"
    res = CliRunner().invoke(app, ["code", str(survey), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--out", str(kept), "--keep-raw-text"])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(kept, keep_default_na=False, dtype=str).loc[0, "kommentar"] == raw


def test_cli_train_code_evaluate_review(tmp_path, toy_files, toy_codebook, fake_e5):
    cb, labelled, survey = toy_files
    runner = CliRunner()
    model = tmp_path / "model"
    res = runner.invoke(app, ["train", str(labelled), "--codebook", str(cb), "--out", str(model)])
    assert res.exit_code == 0, res.output
    assert (model / "manifest.json").exists()
    # few labels: --embedder auto picks all 12 e5 layers (the zero-shot prior weighs much, and needs them)
    assert json.loads((model / "manifest.json").read_text())["embedder"]["spec"] == "e5"
    out = tmp_path / "coded.parquet"
    res = runner.invoke(app, ["code", str(survey), "--codebook", str(cb), "--model", str(model),
                              "--text-col", "kommentar", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 4
    js = tmp_path / "ev.json"
    res = runner.invoke(app, ["evaluate", str(labelled), "--model", str(model), "--json", str(js)])
    assert res.exit_code == 0, res.output
    assert "macro_f1" in res.output
    payload = json.loads(js.read_text())
    assert 0 <= payload["summary"]["macro_f1"] <= 1 and len(payload["per_theme"]) == len(toy_codebook)
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--text-col", "kommentar", "--n", "2"])
    assert res.exit_code == 0, res.output
    assert "review queue (2 of 4 rows)" in res.output and "data row" in res.output


def test_cli_refuses_other_codebook_and_missing_column(tmp_path, toy_files, hier_codebook, fake_e5):
    cb, labelled, survey = toy_files
    runner = CliRunner()
    model = tmp_path / "model"
    assert runner.invoke(app, ["train", str(labelled), "--codebook", str(cb), "--out", str(model)]).exit_code == 0
    other = tmp_path / "hier.yaml"
    other.write_text(hier_codebook.to_yaml(), encoding="utf-8")
    res = runner.invoke(app, ["code", str(survey), "--codebook", str(other), "--model", str(model),
                              "--text-col", "kommentar", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "trained for codebook 'kantine'" in res.output
    res = runner.invoke(app, ["code", str(survey), "--codebook", str(cb), "--text-col", "nope",
                              "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "no text column 'nope'" in res.output


def test_review_queue_is_diverse_and_ranked(toy_codebook):
    coder = ZeroShotCoder(toy_codebook, FakeEmbedder())
    texts = ["Køen er lang"] * 5 + ["Køen er lang!"] + ["Maten og prisen og køen, alt er rart",
                                                        "Parkering", "Suppe", "vet ikke", ""]
    q = review_queue(coder, texts, n=6)
    assert len(set(q["text_clean"].str.lower().str.strip(" !"))) == len(q)  # no (near-)duplicates
    assert q["rank"].tolist() == list(range(1, len(q) + 1))
    assert not set(q["row"]) & {9, 10}  # non-answers never queued
    assert q["value"].iloc[0] == q["value"].max() or q["rank"].iloc[0] == 1


def test_corrections_retrain_and_report_movement(toy_codebook):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    train = pd.DataFrame({"text": texts, "themes": labels, "type": types})
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    new_texts = ["Stolene i kantina vipper", "Kaffen koster 40 kroner", "Kassa er treg i lunsjen"]
    corrections = pd.DataFrame({"text": new_texts, "themes": ["annet", "pris", "ko"], "type": ["klage"] * 3})
    res = apply_corrections(coder, corrections, train=train)
    d = res.to_dict()
    assert res.n_corrections == 3 and "corrections_exact_match" in d["delta"]
    assert res.after["corrections_exact_match"] >= res.before["corrections_exact_match"]
    assert res.coder.training_metrics_["n_train"] == len(train) + 3
    assert "before" in res.to_text() or "metric" in res.to_text()
    with pytest.raises(ValueError, match="unknown theme id"):
        apply_corrections(coder, pd.DataFrame({"text": ["x"], "themes": ["drikke"]}), train=train)


def test_service_training_picks_backend_and_learns_question_rates(tmp_path, toy_codebook, fake_e5, monkeypatch):
    """The service's POST /models path: few labels → all 12 e5 layers; the responses' questions are passed on."""
    from service import library
    from textmine.classify import load_coder

    monkeypatch.setattr(library, "_EMBEDDERS", {})
    texts, labels, types, questions = [], [], [], []
    for r in range(4):
        for text, lab, typ in TOY_TRAIN:
            texts.append(f"{text} ({r})")
            labels.append(lab.split(";"))
            types.append(typ)
            questions.append("lunsj" if ("mat" in lab or "ko" in lab) else "generell")
    meta = library.train_supervised(toy_codebook, texts, labels, tmp_path / "m", types=types, questions=questions)
    assert meta["embedder"] == "e5"
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["embedder"]["spec"] == "e5"
    coder = load_coder(tmp_path / "m", embedder=FakeEmbedder())
    from textmine.classify.supervised import QUESTION_MIN_ROWS

    enough = {q for q in set(questions) if questions.count(q) >= QUESTION_MIN_ROWS}
    assert enough and set(coder.question_priors_) == enough


def test_review_queue_shows_what_the_coder_outputs(toy_codebook):
    """With a cascade coder the queue's suggested themes and confidence are those of coder.predict (the lexical
    stage's where it decides), not the full model's alone."""
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    assert coder.lexical_ is not None
    batch = [t for t, _, _ in TOY_TRAIN] + ["Kassa er treg og maten kald", "Hva koster kaffen nå?", "Stolene vipper"]
    q = review_queue(coder, batch, n=len(batch))
    pred = coder.predict(batch)
    stands = coder.first_stage(coder.prepare(coder.clean(batch), embed=False))[1]
    assert stands[q["row"].to_numpy()].any()  # the queue includes rows the lexical stage decided
    for _, r in q.iterrows():
        assert r["suggested_themes"] == pred["themes"].iloc[r["row"]]
        assert abs(r["confidence"] - pred["confidence"].iloc[r["row"]]) < 1e-4


def test_cli_code_hints_at_known_questions_and_applies_them(tmp_path, toy_codebook, fake_e5):
    from .test_question_priors import _routed_training

    texts, labels, types, questions = _routed_training()
    cb = tmp_path / "kantine.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame({"text": texts, "themes": labels, "type": types, "question": questions}).to_csv(labelled, index=False)
    runner = CliRunner()
    model = tmp_path / "model"
    assert runner.invoke(app, ["train", str(labelled), "--codebook", str(cb), "--out", str(model)]).exit_code == 0
    survey = tmp_path / "s.csv"
    pd.DataFrame({"lunsj": ["Det var ikke bra i dag.", "For mye av alt."]}).to_csv(survey, index=False)
    plain, routed = tmp_path / "plain.csv", tmp_path / "routed.csv"
    res = runner.invoke(app, ["code", str(survey), "--codebook", str(cb), "--model", str(model), "--text-col", "lunsj",
                              "--out", str(plain)])
    assert res.exit_code == 0, res.output
    assert "generell, lunsj" in res.output and "--question lunsj" in res.output
    res = runner.invoke(app, ["code", str(survey), "--codebook", str(cb), "--model", str(model), "--text-col", "lunsj",
                              "--question", "lunsj", "--out", str(routed)])
    assert res.exit_code == 0 and "note:" not in res.output
    assert (pd.read_csv(routed)["score_mat"] > pd.read_csv(plain)["score_mat"]).all()


def test_cli_train_finetune_needs_the_e5_l6_encoder(tmp_path, toy_files):
    cb, labelled, _ = toy_files
    res = CliRunner().invoke(app, ["train", str(labelled), "--codebook", str(cb), "--out", str(tmp_path / "m"),
                                   "--finetune", "--embedder", "e5"])
    assert res.exit_code != 0 and "fine-tunes the e5-l6 encoder" in res.output
    assert not (tmp_path / "m").exists()  # nothing written


def test_review_queue_codes_with_the_given_questions(toy_codebook, monkeypatch):
    """With the survey question given, the queue cleans and codes the texts for that question (the coder's theme
    rates for it), as ``textmine code --question/--question-col`` does, not question-less."""
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    seen = []
    clean = coder.clean
    monkeypatch.setattr(coder, "clean", lambda t, q=None: (seen.append(q), clean(t, q))[1])
    batch = list(texts)[:6]
    review_queue(coder, batch, n=3, questions="q_mat")
    review_queue(coder, batch, n=3, questions=pd.Series(["q_kø"] * 6))
    review_queue(coder, batch, n=3)
    assert seen == ["q_mat", ["q_kø"] * 6, None]
