"""A review queue (`textmine review INPUT --text-col Q --queue-out QUEUE`) keeps its texts in a ``text`` column and
records Q (``QUEUE.textmine.json``): `textmine summary --coded Q=QUEUE` (and `--coded QUEUE`) reads it as the codes
of Q whatever the survey's free-text column is called, and refuses it for another question."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from ..clitools import assert_clean_fail, run_cli

COMMENTS = ["Maten er kald", "Køen er lang", "Alt for dyrt", "Suppen var god", "Dyr salat", "Kaffen koster mye"]


def _wave(tmp_path, text_col="fritekst_generell"):
    """A wave (rid, aar, q1, ``text_col``, fritekst_annet) and the survey definition whose free-text questions are
    fritekst_generell and fritekst_annet."""
    survey = {"name": "kantine", "id": "rid", "wave": "aar",
              "free_text": [{"column": "fritekst_generell", "label": "Kommentar"},
                            {"column": "fritekst_annet", "label": "Annet"}],
              "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(survey, allow_unicode=True), encoding="utf-8")
    wave = tmp_path / f"w_{text_col}.csv"
    pd.DataFrame({"rid": [f"r{i}" for i in range(12)], "aar": 2023, "q1": [1, 2, 3, 4, 5, 6] * 2,
                  text_col: [COMMENTS[i % 6] for i in range(12)],
                  "fritekst_annet": [COMMENTS[(i + 1) % 6] for i in range(12)]}).to_csv(wave, index=False)
    return wave


def _queue(tmp_path, wave, cb, *args):
    queue = tmp_path / "q.csv"
    res = run_cli("review", wave, "--codebook", cb, "--id-col", "rid", "--n", "5", "--queue-out", queue, *args)
    assert res.exit_code == 0, res.output
    return queue


def _meta(tmp_path, wave, coded, out):
    res = run_cli("summary", wave, "--survey", tmp_path / "s.yaml", "--no-quotes", "--quiet", "--coded", coded,
                  "--out", tmp_path / out)
    assert res.exit_code == 0, res.output
    assert "is a `textmine review` queue" in res.output and "biased" in res.output  # not a sample: said so
    return json.loads((tmp_path / out / "summary.json").read_text(encoding="utf-8"))["meta"]


def _answered(meta):
    return {c["question"]: c["answered"] for c in meta["question_counts"]}


def test_summary_reads_a_queue_as_the_question_its_text_column_was(tmp_path, cb, fake_e5):
    wave = _wave(tmp_path)
    queue = _queue(tmp_path, wave, cb, "--text-col", "fritekst_generell")
    rows = pd.read_csv(queue, encoding="utf-8-sig")
    assert "text" in rows.columns and "fritekst_generell" not in rows.columns  # the queue's own layout is kept
    meta = _meta(tmp_path, wave, f"fritekst_generell={queue}", "o")
    assert _answered(meta) == {"fritekst_generell": len(rows)}  # the queue's rows, as that question's codes
    assert [n["question"] for n in meta["not_coded"]] == ["fritekst_annet"]
    assert meta["codebooks"] == {"2023": {"name": "kantine", "version": "0.1"}}
    assert _meta(tmp_path, wave, queue, "o2") == meta  # without Q=: the question the queue records


def test_a_queue_of_another_text_column_is_read_as_its_recorded_question(tmp_path, cb, fake_e5):
    wave = _wave(tmp_path)
    queue = _queue(tmp_path, _wave(tmp_path, "kommentar"), cb, "--text-col", "kommentar",
                   "--question", "fritekst_generell")
    meta = _meta(tmp_path, wave, f"fritekst_generell={queue}", "o")
    assert _answered(meta) == {"fritekst_generell": len(pd.read_csv(queue, encoding="utf-8-sig"))}


def test_a_queue_of_one_question_is_refused_for_another(tmp_path, cb, fake_e5):
    wave = _wave(tmp_path)
    queue = _queue(tmp_path, wave, cb, "--text-col", "fritekst_generell")
    res = run_cli("summary", wave, "--survey", tmp_path / "s.yaml", "--no-quotes", "--quiet", "--coded",
                  f"fritekst_annet={queue}", "--out", tmp_path / "o")
    assert_clean_fail(res, "a `textmine review` queue of 'fritekst_generell'", "not 'fritekst_annet'",
                      f"--coded fritekst_generell={queue}")
    assert not (tmp_path / "o").exists()
