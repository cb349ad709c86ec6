"""`textmine code` records what coded its output (codebook name, version, hash and YAML; the model's folder name or
"zero-shot"; textmine version, UTC time, text column, question) in ``OUT.textmine.json`` (a Dask folder: its
manifest's ``coded_with``; Parquet: also the schema metadata), and `textmine summary` reads it back; `textmine
evaluate` sums up labels made with another codebook version in one first line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from textmine.codebook import Codebook, load_codebook
from textmine.pipeline import identity_codebook, identity_path

from ..clitools import assert_clean_fail, run_cli
from ..smallwaves import write_mini_survey
from .conftest import TOY_CODEBOOK

QUESTION = "Hva synes du om kantina?"


def _input(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "kommentar": ["Maten er kald", "Køen er lang", "Alt for dyrt"]}).to_csv(
        src, index=False)
    return src


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".sav", ".json"])
def test_code_writes_the_record_beside_its_output(tmp_path, cb, fake_e5, suffix):
    out = tmp_path / f"o{suffix}"
    res = run_cli("code", _input(tmp_path), "--codebook", cb, "--text-col", "kommentar", "--question", QUESTION,
                  "--out", out)
    assert res.exit_code == 0, res.output
    rec = identity_path(out)
    assert rec.name == f"o{suffix}.textmine.json"
    text = rec.read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # no path: the model's folder name only
    got = json.loads(text)
    want = load_codebook(cb)
    assert (got["codebook_name"], got["codebook_version"], got["codebook_hash"]) == (want.name, want.version,
                                                                                   want.hash)
    assert identity_codebook(got, rec) == want
    assert (got["model"], got["text_col"], got["question"]) == ("zero-shot", "kommentar", QUESTION)
    made = datetime.strptime(got["created_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(datetime.now(timezone.utc) - made) < timedelta(minutes=5)
    from textmine import __version__

    assert got["textmine_version"] == __version__
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        attrs = json.loads(pq.read_schema(out).metadata[b"PANDAS_ATTRS"])
        assert attrs["coded_with"] == got


def test_a_trained_model_is_recorded_by_its_folder_name(tmp_path, toy_model, cb):
    out = tmp_path / "o.csv"
    res = run_cli("code", _input(tmp_path), "--codebook", cb, "--model", toy_model, "--text-col", "kommentar",
                  "--out", out)
    assert res.exit_code == 0, res.output
    text = identity_path(out).read_text(encoding="utf-8")
    got = json.loads(text)
    assert got["model"] == toy_model.name and str(tmp_path) not in text and "question" not in got


def _kantine(version: str, mat: str) -> Codebook:
    themes = [dict(t) for t in TOY_CODEBOOK["themes"]]
    themes[0]["description"] = mat
    return Codebook.from_dict({**TOY_CODEBOOK, "version": version, "themes": themes})


def test_summary_of_waves_coded_with_two_codebook_versions_needs_no_codebook_option(tmp_path, fake_e5):
    comments = ["Maten er kald", "Køen er lang", "Alt for dyrt", ""]
    write_mini_survey(tmp_path, seed=1, n=80, ft=lambda i: comments[i % 4])
    books = {2022: _kantine("0.1", "Smak og kvalitet på maten."), 2023: _kantine("0.2", "Smak, utvalg og pris.")}
    for year, book in books.items():
        (tmp_path / f"cb{year}.yaml").write_text(book.to_yaml(), encoding="utf-8")
        res = run_cli("code", tmp_path / f"w{year}.csv", "--codebook", tmp_path / f"cb{year}.yaml", "--text-col",
                      "ft", "--out", tmp_path / f"c{year}.csv")
        assert res.exit_code == 0, res.output
    res = run_cli("summary", tmp_path / "w2022.csv", tmp_path / "w2023.csv", "--survey", tmp_path / "s.yaml",
                  "--no-quotes", "--quiet", "--coded", tmp_path / "c2022.csv", "--coded", tmp_path / "c2023.csv",
                  "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert ("theme mat is defined differently in codebook 'kantine' v0.1 (wave 2022) and v0.2 (wave 2023)"
            in " ".join(res.output.split()))
    meta = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["meta"]
    assert meta["codebooks"]["2023"] == {"name": "kantine", "version": "0.2"}


def test_a_dask_folder_records_its_codebook_in_the_manifest(tmp_path):
    from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_SURVEY, FAST_MODEL_DIR, SAMPLE_DIR

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    q = "fritekst_generell"
    wave = tmp_path / "wave.csv"
    pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(120).to_csv(
        wave, index=False)
    res = run_cli("code", wave, "--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR, "--text-col", q,
                  "--survey", DEFAULT_SURVEY, "--out", tmp_path / "dask", "--engine", "dask")
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "dask" / "_manifest.json").read_text(encoding="utf-8"))
    got = manifest["coded_with"]
    assert str(tmp_path) not in json.dumps(got) and str(FAST_MODEL_DIR) not in json.dumps(got)
    assert (got["model"], got["text_col"], got["codebook_hash"]) == (FAST_MODEL_DIR.name, q,
                                                                     load_codebook(DEFAULT_CODEBOOK).hash)
    other = Codebook.from_dict({"name": "annen", "version": "9", "themes": [
        {"id": "annet", "label": "Annet", "description": "Alt annet."}]})
    (tmp_path / "other.yaml").write_text(other.to_yaml(), encoding="utf-8")
    res = run_cli("summary", wave, "--survey", DEFAULT_SURVEY, "--coded", f"{q}={tmp_path / 'dask'}", "--quiet",
                  "--no-quotes", "--codebook", f"2023={tmp_path / 'other.yaml'}", "--out", tmp_path / "o")
    assert_clean_fail(res, str(tmp_path / "dask"), "_manifest.json", "'annen' v9", got["codebook_hash"][:12])


def test_evaluate_sums_up_labels_of_another_codebook_version_first(tmp_path, cb, fake_e5):
    lab = tmp_path / "lab.csv"
    pd.DataFrame({"text": ["Maten er kald", "Alt for dyrt", "Trangt og bråkete", "Køen er lang"],
                  "themes": ["maten", "pris", "miljo", "ko"], "type": ["klage"] * 4}).to_csv(lab, index=False)
    res = run_cli("evaluate", lab, "--codebook", cb, "--json", tmp_path / "e.json")
    assert_clean_fail(res, "data row 1", "data row 3")  # the per-row detail is kept, after the summing-up
    lines = res.output.strip().splitlines()
    first = lines[0]
    assert first.startswith("error: 2 theme id(s) in the labels ('maten', 'miljo') unknown to the model's "
                            "codebook 'kantine' v0.1"), first
    assert "2 of its 4 themes occur in no label (mat, annet)" in first and "another codebook (version)" in first
    assert "data row 1" in lines[1]
    assert not (tmp_path / "e.json").exists()
    pd.DataFrame({"text": ["Maten er kald"], "themes": ["mat"], "type": ["klagee"]}).to_csv(lab, index=False)
    res = run_cli("evaluate", lab, "--codebook", cb, "--json", tmp_path / "e.json")
    assert_clean_fail(res, "unknown type")
    assert "another codebook" not in res.output  # the ids are the codebook's: no summing-up


def test_a_model_folder_named_after_a_person_is_not_recorded_by_name(tmp_path):
    from textmine.codebook import Codebook
    from textmine.pipeline import coded_identity

    cb = Codebook.from_dict({"name": "cb", "version": "1", "themes": [
        {"id": "a", "label": "A", "description": "a", "keywords": ["a"]}]})
    assert coded_identity(cb, tmp_path / "Ola_Nordmann_15038510190", "t")["model"] == "(navn skjult)"
    assert coded_identity(cb, tmp_path / "modell_2024", "t")["model"] == "modell_2024"
    assert coded_identity(cb, None, "t")["model"] == "zero-shot"
