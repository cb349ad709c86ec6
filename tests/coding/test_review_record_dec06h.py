"""`textmine review` records what coded the files it writes with codes in them, as `textmine code` does
(``OUT.textmine.json``; Parquet: the schema metadata too): the queue (the model or "zero-shot", the text column and
question) and a retrained model's ``corrections.csv`` (the review's own note: corrections); `textmine summary
--coded` reads a queue with the codebook it records and refuses a `--codebook WAVE=FILE` that contradicts it."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from textmine.cli.coding import CORRECTIONS_CODED_BY
from textmine.codebook import Codebook, load_codebook
from textmine.pipeline import identity_codebook, identity_path

from ..clitools import assert_clean_fail, run_cli

COMMENTS = ["Maten er kald", "Køen er lang", "Alt for dyrt", "Suppen var god", "Dyr salat", "Kaffen koster mye"]


def _wave(tmp_path):
    """A wave (rid, aar, q1, text) and its survey definition, whose free-text question is the queue's «text»."""
    survey = {"name": "kantine", "id": "rid", "wave": "aar", "free_text": [{"column": "text", "label": "Kommentar"}],
              "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(survey, allow_unicode=True), encoding="utf-8")
    wave = tmp_path / "w.csv"
    pd.DataFrame({"rid": [f"r{i}" for i in range(12)], "aar": 2023, "q1": [1, 2, 3, 4, 5, 6] * 2,
                  "text": [COMMENTS[i % 6] for i in range(12)]}).to_csv(wave, index=False)
    return wave


def _record(out):
    return json.loads(identity_path(out).read_text(encoding="utf-8"))


def test_summary_reads_a_review_queue_with_the_codebook_it_records(tmp_path, cb, fake_e5):
    wave, queue = _wave(tmp_path), tmp_path / "q.csv"
    res = run_cli("review", wave, "--codebook", cb, "--id-col", "rid", "--question", "text", "--n", "20",
                  "--queue-out", queue)
    assert res.exit_code == 0, res.output
    got, want = _record(queue), load_codebook(cb)
    assert (got["codebook_hash"], got["model"], got["text_col"], got["question"]) == (want.hash, "zero-shot",
                                                                                      "text", "text")
    assert identity_codebook(got, identity_path(queue)) == want
    res = run_cli("summary", wave, "--survey", tmp_path / "s.yaml", "--no-quotes", "--quiet", "--coded", queue,
                  "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["meta"]
    assert meta["codebooks"] == {"2023": {"name": want.name, "version": want.version}}
    other = Codebook.from_dict({"name": "annen", "version": "9", "themes": [
        {"id": "annet", "label": "Annet", "description": "Alt annet."}]})
    (tmp_path / "other.yaml").write_text(other.to_yaml(), encoding="utf-8")
    res = run_cli("summary", wave, "--survey", tmp_path / "s.yaml", "--no-quotes", "--quiet", "--coded", queue,
                  "--codebook", f"2023={tmp_path / 'other.yaml'}", "--out", tmp_path / "o2")
    assert_clean_fail(res, str(identity_path(queue)), "'annen' v9", want.hash[:12])
    identity_path(queue).unlink()  # without the record the queue's ids are read as the default codebook's
    res = run_cli("summary", wave, "--survey", tmp_path / "s.yaml", "--no-quotes", "--quiet", "--coded", queue,
                  "--out", tmp_path / "o3")
    assert_clean_fail(res, "unknown theme id")


def test_a_parquet_queue_of_a_model_records_its_folder_name_in_the_file_too(tmp_path, toy_model, cb):
    import pyarrow.parquet as pq

    wave, queue = _wave(tmp_path), tmp_path / "q.parquet"
    identity_path(queue).write_text("{}", encoding="utf-8")  # an earlier run's record: replaced
    res = run_cli("review", wave, "--model", toy_model, "--id-col", "rid", "--n", "3", "--queue-out", queue)
    assert res.exit_code == 0, res.output
    got = _record(queue)
    assert got["model"] == toy_model.name and "question" not in got and str(tmp_path) not in json.dumps(got)
    assert got["codebook_hash"] == load_codebook(cb).hash
    assert json.loads(pq.read_schema(queue).metadata[b"PANDAS_ATTRS"])["coded_with"] == got


def test_a_retrained_models_corrections_record_their_codebook_as_corrections(tmp_path, toy_model, cb):
    wave, corr = _wave(tmp_path), tmp_path / "corr.csv"
    pd.DataFrame({"rid": ["r0", "r1"], "text": COMMENTS[:2], "themes": ["mat", "ko"],
                  "type": ["klage", "klage"]}).to_csv(corr, index=False)
    res = run_cli("review", wave, "--model", toy_model, "--corrections", corr, "--id-col", "rid",
                  "--out", tmp_path / "m2")
    assert res.exit_code == 0, res.output
    kept = tmp_path / "m2" / "corrections.csv"
    got = _record(kept)
    assert got["model"] == CORRECTIONS_CODED_BY and got["text_col"] == "text"
    assert identity_codebook(got, identity_path(kept)) == load_codebook(cb)
    res = run_cli("review", wave, "--model", tmp_path / "m2", "--id-col", "rid", "--n", "2")  # the model still loads
    assert res.exit_code == 0, res.output
