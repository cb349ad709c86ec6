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
