"""Review loop, as an analyst uses it: spelling variants do not crowd the queue, the eval comparison is on held-out
comments only, and options of the other mode are not silently ignored (fake embedder)."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import SupervisedCoder, ZeroShotCoder
from textmine.cli import app
from textmine.review import apply_corrections, review_queue

from .conftest import TOY_TRAIN, FakeEmbedder


def _variant_groups(q, groups):
    """How many comments of each group of spelling variants are in the queue."""
    shown = set(q["text_clean"])
    return [len(shown & set(g)) for g in groups]


def test_spelling_variants_do_not_crowd_the_queue(toy_codebook):
    groups = [
        ["Permitteringsreglene endres hele tiden", "permiteringsreglene endres hele tiden",
         "Permitteringsreglene endres heile tida", "Permitteringsreglene endres hele tida"],
        ["Telefonkøen er håpløs", "Telefonkøen er håplaus", "Telefonkøen er håpløs, helt håpløs"],
        ["Stolene i kantina vipper og er ødelagte", "Stolane i kantina vippar og er øydelagde"],
    ]
    others = ["Maten er dyr", "Suppa var kald", "Køen i kassa er lang", "Parkeringen er full", "Lyset er for sterkt",
              "Musikken er for høy", "vet ikke", "Bra salatbar"]
    texts = [t for g in groups for t in g] + others
    q = review_queue(ZeroShotCoder(toy_codebook, FakeEmbedder()), texts, n=len(texts))
    counts = _variant_groups(q, groups)
    # one of each typo / nynorsk spelling; a comment that says more ("…, helt håpløs") is not a variant
    assert counts[0] == 1 and counts[2] == 1, q[["rank", "text_clean"]]
    assert "Telefonkøen er håpløs, helt håpløs" in set(q["text_clean"]) or counts[1] == 1
    assert len({"Telefonkøen er håpløs", "Telefonkøen er håplaus"} & set(q["text_clean"])) == 1
    # a negation is not a spelling variant: both stay
    q2 = review_queue(ZeroShotCoder(toy_codebook, FakeEmbedder()),
                      ["Køen i kassa er for lang", "Køen i kassa er ikke for lang", "Maten er dyr"], n=3)
    assert len(q2) == 3
    # same input, same queue
    q3 = review_queue(ZeroShotCoder(toy_codebook, FakeEmbedder()), list(texts), n=len(texts))
    pd.testing.assert_frame_equal(q, q3)


@pytest.fixture()
def trained(toy_codebook):
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    train = pd.DataFrame({"text": texts, "themes": labels, "type": types})
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    return coder, train


def test_eval_comments_among_the_corrections_are_not_used_to_measure(trained):
    coder, train = trained
    corr = pd.DataFrame({"text": ["Kaffen koster 40 kroner", "Kassa er treg i lunsjen", "Stolene i kantina vipper"],
                         "themes": ["pris", "ko", "annet"], "type": ["klage"] * 3})
    held_out = pd.DataFrame({"text": ["Middagen var kald", "Lunsjen er blitt dyrere", "Vi står i kø hver dag",
                                      "Salaten er god"],
                             "themes": ["mat", "pris", "ko", "mat"], "type": ["klage", "klage", "klage", "ros"]})
    mixed = pd.concat([held_out, corr.iloc[:2].assign(text=lambda d: d["text"].str.upper())], ignore_index=True)
    res = apply_corrections(coder, corr, train=train, eval_set=mixed)
    ref = apply_corrections(coder, corr, train=train, eval_set=held_out)
    assert res.after == ref.after and res.before == ref.before  # measured on the 4 held-out comments only
    assert any("2 of the eval set's 6 comments are among the corrections" in n for n in res.notes)
    with pytest.raises(ValueError, match="all among the corrections"):
        apply_corrections(coder, corr, train=train, eval_set=corr)


@pytest.fixture()
def loop(tmp_path, toy_model):
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"rid": ["s1", "s2", "s3"], "kommentar": ["Køen i kassa er lang", "Kaffen koster for mye",
                                                           "Stolene vipper"]}).to_csv(survey, index=False)
    return tmp_path, survey, toy_model


def test_queue_out_with_corrections_is_refused_not_ignored(loop):
    tmp_path, survey, model = loop
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}).to_csv(corr, index=False)
    queue = tmp_path / "queue2.csv"
    res = CliRunner().invoke(app, ["review", str(survey), "--model", str(model), "--corrections", str(corr),
                                   "--queue-out", str(queue)])
    assert res.exit_code == 2, res.output
    assert "--queue-out" in res.output and not queue.exists()


def test_correction_ids_are_checked_against_the_input(loop):
    tmp_path, survey, model = loop
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"rid": ["s1", "x9"], "text": ["Kassa er treg", "Kaffen koster 40 kroner"],
                  "themes": ["ko", "pris"], "type": ["klage", "klage"]}).to_csv(corr, index=False, encoding="utf-8-sig")
    runner = CliRunner()
    # an --id-col the corrections file does not have is refused (was silently ignored: no duplicate check)
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--corrections", str(corr),
                              "--id-col", "respondent"])
    assert res.exit_code == 2 and "no id column 'respondent'" in res.output and "rid" in res.output, res.output
    # ids not among the input's are named (data row and id), the corrections still train
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--corrections", str(corr),
                              "--id-col", "rid"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "1 correction(s) have an id that is not in" in out and "data row 2 (rid 'x9')" in out
    assert "'s1'" not in out and "corrections applied: 2" in out


def test_eval_comments_from_the_training_data_are_flagged(trained):
    coder, train = trained
    corr = pd.DataFrame({"text": ["Kaffen koster 40 kroner"], "themes": ["pris"], "type": ["klage"]})
    ev = pd.concat([train.iloc[:3], pd.DataFrame({"text": ["Middagen var kald"], "themes": ["mat"],
                                                  "type": ["klage"]})], ignore_index=True)
    res = apply_corrections(coder, corr, train=train, eval_set=ev)
    assert any("3 of the 4 eval comments measured are in the training data" in n for n in res.notes), res.notes
    assert "optimistic" in res.to_text()


def test_a_correction_from_the_redacted_queue_replaces_the_raw_training_comment(toy_codebook):
    raw = "Ring meg på 912 34 567, køen i kassa er lang"
    texts, labels, types = zip(*[*TOY_TRAIN, (raw, "annet", "klage")], strict=True)
    train = pd.DataFrame({"text": texts, "themes": labels, "type": types})
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(list(texts), list(labels), list(types))
    q = review_queue(coder, [raw, "Maten er dyr"], n=2)
    shown = q.loc[q["row"] == 0, "text_clean"].iloc[0]
    assert "912 34 567" not in shown and "[TELEFON]" in shown  # the queue never shows the number
    corr = pd.DataFrame({"text": [shown], "themes": ["ko"], "type": ["klage"]})
    res = apply_corrections(coder, corr, train=train)
    # the analyst's "ko" replaces the old "annet" label of the same comment (not both trained, contradicting)
    assert res.coder.training_metrics_["n_train"] == len(train)
