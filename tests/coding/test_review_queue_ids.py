"""`textmine review --id-col … --queue-out`: ids that are personal data are kept (the analyst needs them to find the
comments) but warned about, with the column's name and the count, never a value."""

import pandas as pd
from typer.testing import CliRunner

from textmine.cli import app

FNR = "01019012480"  # a valid fødselsnummer (both check digits)


def _queue(tmp_path, toy_codebook, ids):
    cb = tmp_path / "kantine.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"respondent_id": ids,
                  "kommentar": ["Køen i kassa er lang", "Maten er dyr, 120 kroner", "Suppen var kald",
                                "Mer salat, takk"]}).to_csv(survey, index=False)
    out = tmp_path / "queue.csv"
    res = CliRunner().invoke(app, ["review", str(survey), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--id-col", "respondent_id", "--n", "4", "--queue-out", str(out)])
    assert res.exit_code == 0, res.output
    return res.output, pd.read_csv(out, dtype=str, keep_default_na=False)


def test_queue_ids_that_are_personal_data_are_warned_about_by_name_and_count(tmp_path, toy_codebook, fake_e5):
    output, queue = _queue(tmp_path, toy_codebook, ["R0001", FNR, "kari.nordmann@example.no", "R0004"])
    flat = " ".join(output.split())  # (the console wraps long lines)
    assert "--id-col 'respondent_id': 2 ids" in flat and "personal data" in flat, output
    assert FNR not in output and "kari.nordmann" not in output  # the warning names no value
    # the ids stay in the queue: the analyst needs them to find the comments
    assert set(queue["respondent_id"]) == {"R0001", FNR, "kari.nordmann@example.no", "R0004"}


def test_ordinary_queue_ids_give_no_warning(tmp_path, toy_codebook, fake_e5):
    output, queue = _queue(tmp_path, toy_codebook, ["R0001", "R0002", "R0003", "R0004"])
    assert "personal data" not in output, output
    assert set(queue["respondent_id"]) == {"R0001", "R0002", "R0003", "R0004"}


def test_queue_rows_are_data_rows_counted_from_one(tmp_path, toy_codebook, fake_e5):
    """The queue file's data_row is the input's data row counted from 1 (as warnings and errors count), so
    data row 1 is the first comment under the header."""
    ids = ["R0001", "R0002", "R0003", "R0004"]
    _, queue = _queue(tmp_path, toy_codebook, ids)
    assert "row" not in queue.columns
    assert all(ids[int(r) - 1] == rid for r, rid in zip(queue["data_row"], queue["respondent_id"]))


def test_review_takes_the_question_as_code_does(tmp_path, toy_codebook, fake_e5, monkeypatch):
    """--question / --question-col reach the queue's coder (the suggestions are then what textmine code
    --question wrote); both together, an unknown column, or with --corrections are refused."""
    from textmine import review as review_mod

    seen = []
    real = review_mod.review_queue
    monkeypatch.setattr(review_mod, "review_queue", lambda coder, texts, **kw: (seen.append(kw.get("questions")),
                                                                                   real(coder, texts, **kw))[1])
    cb = tmp_path / "kantine.yaml"
    cb.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"kommentar": ["Køen i kassa er lang", "Maten er dyr", "Suppen var kald"],
                  "spm": ["q_ko", "q_mat", "q_mat"]}).to_csv(survey, index=False)
    base = ["review", str(survey), "--codebook", str(cb), "--text-col", "kommentar", "--n", "2"]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "--question", "q_ko"]).exit_code == 0
    assert runner.invoke(app, [*base, "--question-col", "spm"]).exit_code == 0
    assert seen == ["q_ko", ["q_ko", "q_mat", "q_mat"]]
    res = runner.invoke(app, [*base, "--question", "q_ko", "--question-col", "spm"])
    assert res.exit_code == 2 and "not both" in res.output
    res = runner.invoke(app, [*base, "--question-col", "nope"])
    assert res.exit_code == 2 and "no question column 'nope'" in res.output
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}).to_csv(corr, index=False)
    res = runner.invoke(app, [*base, "--corrections", str(corr), "--question-col", "spm"])
    assert res.exit_code == 2 and "goes with the review queue" in " ".join(res.output.split())
