"""`textmine summary --coded QUESTION=FOLDER` reads the folder `textmine code --engine dask` wrote: the same files as
from the local engine's CSV of the same coding (models/fast: no encoder; 2 local worker processes), only the columns a
coded file gives the summary, and one clear `error:` line for a folder that is not a finished run's output."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from textmine.cli.stats import read_coded
from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_SURVEY, FAST_MODEL_DIR, SAMPLE_DIR
from textmine.pipeline import read_waves
from textmine.survey import SurveyDefinition

from ..clitools import assert_clean_fail, run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
Q = "fritekst_generell"


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """600 respondents of the 2023 sample wave coded by the local engine (CSV) and by the Dask engine (folder)."""
    d = tmp_path_factory.mktemp("dask-summary")
    wave = d / "wave.csv"
    pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(600).to_csv(
        wave, index=False)
    args = ("--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR, "--text-col", Q, "--survey", DEFAULT_SURVEY)
    for extra in (("--out", d / "local.csv"), ("--out", d / "dask", "--engine", "dask", "--partition-rows", 250)):
        res = run_cli("code", wave, *args, *extra)
        assert res.exit_code == 0, res.output
    assert len(json.loads((d / "dask" / "_manifest.json").read_text(encoding="utf-8"))["parts"]) == 3
    return d


def _summary(d, coded_arg, out):
    res = run_cli("summary", d / "wave.csv", "--survey", DEFAULT_SURVEY, "--coded", coded_arg, "--out", d / out,
                  "--quiet", "--embedder", "fallback")
    assert res.exit_code == 0, res.output
    return d / out


def test_summary_from_the_dask_folder_writes_the_files_the_local_csv_gives(coded):
    want = _summary(coded, f"{Q}={coded / 'local.csv'}", "from_csv")
    got = _summary(coded, f"{Q}={coded / 'dask'}", "from_folder")
    names = sorted(p.name for p in want.iterdir())
    assert names == sorted(p.name for p in got.iterdir()) and "themes.csv" in names
    themes = pd.read_csv(want / "themes.csv")
    assert (themes["question"] == Q).any() and themes["count"].fillna(0).sum() > 0
    assert len(pd.read_csv(want / "quotes.csv")) > 0  # the quotes need the (redacted) text: read from the parts
    for name in names:
        assert (got / name).read_bytes() == (want / name).read_bytes(), name


def test_the_folder_is_read_without_the_other_survey_columns(coded, monkeypatch):
    survey = SurveyDefinition.from_yaml(DEFAULT_SURVEY)
    frames = read_waves([coded / "wave.csv"], survey)
    requested: list = []
    real = pd.read_parquet

    def spy(path, *a, columns=None, **kw):
        requested.append(columns)
        return real(path, *a, columns=columns, **kw)

    monkeypatch.setattr(pd, "read_parquet", spy)
    got = read_coded([(None, coded / "dask")], frames, survey)  # QUESTION= may be left out: the manifest says
    monkeypatch.undo()
    want = read_coded([(Q, coded / "local.csv")], frames, survey)
    assert len(requested) == 3 and all(cols is not None for cols in requested)
    read = set().union(*map(set, requested))
    assert Q in read and "respondent_id" in read and "themes" in read
    assert not read & {"fritekst_sykefravaer", "sektor", "vekt", "q_helhet", "tj_ingen"}
    blank = lambda f: f.astype(object).where(f.notna(), "")  # (a CSV reads an empty `themes` cell as missing)
    pd.testing.assert_frame_equal(blank(got[2023]), blank(want[2023]), check_dtype=False)


# ---------------------------------------------------------------------------- folders that are not a finished run
IDS = ["R1", "R2", "R3", "R4", "R5", "R6"]
TEXTS = ["Lang ventetid på telefon", "Treg refusjon", "", "Fint", "Ring oftere", "vet ikke"]


@pytest.fixture()
def small(tmp_path):
    """A one-question survey, its wave file, and a writer of Dask-style output folders for it."""
    survey = tmp_path / "survey.yaml"
    survey.write_text(f'name: t\nid: respondent_id\nfree_text:\n  - column: {Q}\n    label: "Andre kommentarer?"\n',
                      encoding="utf-8")
    wave = tmp_path / "wave.csv"
    pd.DataFrame({"respondent_id": IDS, Q: TEXTS}).to_csv(wave, index=False)

    def folder(name, ids=IDS, manifest=True, drop=None):
        d = tmp_path / name
        d.mkdir()
        df = pd.DataFrame({"respondent_id": ids, Q: TEXTS, "theme_telefon": [1, 0, 0, 0, 0, 0],
                           "themes": ["telefon", "", "", "", "", ""], "_row": range(len(ids))})
        parts = []
        for i, start in enumerate(range(0, len(df), 3)):
            parts.append(f"part-{i:05d}.parquet")
            df.iloc[start:start + 3].to_parquet(d / parts[-1], index=False)
        if manifest:
            (d / "_manifest.json").write_text(json.dumps({"text_col": Q, "n_rows": len(df), "parts": parts}),
                                              encoding="utf-8")
        if drop:
            (d / drop).unlink()
        return d

    return survey, wave, folder


def _summary_of(small, coded_arg, tmp_path):
    survey, wave, _ = small
    return run_cli("summary", wave, "--survey", survey, "--coded", coded_arg, "--out", tmp_path / "out", "--quiet",
                   "--no-quotes")


def test_a_finished_small_folder_is_summarised(small, tmp_path):
    res = _summary_of(small, small[2]("ok"), tmp_path)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "themes.csv").is_file()


def test_duplicate_ids_in_the_folder_name_the_part_files_and_rows_not_the_id(small, tmp_path):
    d = small[2]("dup", ids=["R1", "R2", "R3", "R4", "R2", "R6"])
    res = _summary_of(small, f"{Q}={d}", tmp_path)
    assert_clean_fail(res, "error:", "respondent id occurs more than once", "part-00000.parquet _row 1",
                      "part-00001.parquet _row 4")
    assert "R2" not in res.output


def test_an_incomplete_folder_names_the_missing_part(small, tmp_path):
    d = small[2]("incomplete", drop="part-00001.parquet")
    assert_clean_fail(_summary_of(small, f"{Q}={d}", tmp_path), "error:", "incomplete output: part-00001.parquet")


def test_part_files_without_a_manifest_are_a_run_that_did_not_finish(small, tmp_path):
    d = small[2]("unfinished", manifest=False)
    assert_clean_fail(_summary_of(small, f"{Q}={d}", tmp_path), "error:", "has part files but no _manifest.json")


def test_a_folder_without_a_manifest_or_parts_is_refused(small, tmp_path):
    d = tmp_path / "other"
    d.mkdir()
    (d / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    assert_clean_fail(_summary_of(small, f"{Q}={d}", tmp_path), "error:", "is a folder without _manifest.json")


def test_another_question_than_the_run_coded_is_refused(small, tmp_path):
    survey, wave, folder = small
    survey.write_text(survey.read_text(encoding="utf-8") + '  - column: annet\n    label: "Annet?"\n',
                      encoding="utf-8")
    d = folder("ok")
    assert_clean_fail(_summary_of(small, f"annet={d}", tmp_path), "error:", f"coded '{Q}'", "not 'annet'")


def _report(small, coded_arg, out):
    survey, wave, _ = small
    return run_cli("report", wave, "--survey", survey, "--coded", coded_arg, "--out", out, "--coder", "keyword")


def test_the_report_reads_the_folder_as_the_same_coding_in_a_csv(small, tmp_path):
    d = small[2]("ok")
    table = pd.concat([pd.read_parquet(p) for p in sorted(d.glob("part-*.parquet"))]).drop(columns="_row")
    table.to_csv(tmp_path / "coded.csv", index=False)
    for arg, out in ((f"{Q}={tmp_path / 'coded.csv'}", "from_csv"), (f"{Q}={d}", "from_folder")):
        res = _report(small, arg, tmp_path / out)
        assert res.exit_code == 0, res.output
    for name in ("rapport.json", "rapport.html"):
        assert (tmp_path / "from_folder" / name).read_bytes() == (tmp_path / "from_csv" / name).read_bytes(), name
    assert '"telefon"' in (tmp_path / "from_folder" / "rapport.json").read_text(encoding="utf-8")


def test_the_report_refuses_duplicate_ids_in_the_folder(small, tmp_path):
    d = small[2]("dup", ids=["R1", "R2", "R3", "R4", "R2", "R6"])
    assert_clean_fail(_report(small, f"{Q}={d}", tmp_path / "rep"), "error:", "part-00001.parquet _row 4")


def test_a_folder_holding_two_waves_gives_the_summary_of_one_coded_file_per_wave(tmp_path):
    survey = tmp_path / "survey.yaml"
    survey.write_text(f'name: t\nid: respondent_id\nwave: wave\nfree_text:\n  - column: {Q}\n'
                      f'    label: "Andre kommentarer?"\n', encoding="utf-8")
    both = pd.DataFrame({"respondent_id": IDS * 2, "wave": ["2022"] * 6 + ["2023"] * 6, Q: TEXTS * 2,
                         "theme_telefon": [1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0],
                         "themes": ["telefon", "", "", "", "", "", "telefon", "telefon", "", "", "telefon", ""]})
    d = tmp_path / "dask"
    d.mkdir()
    both.assign(_row=range(12)).iloc[4:8].to_parquet(d / "part-00001.parquet", index=False)  # (spans both waves)
    both.assign(_row=range(12)).iloc[:4].to_parquet(d / "part-00000.parquet", index=False)
    both.assign(_row=range(12)).iloc[8:].to_parquet(d / "part-00002.parquet", index=False)
    (d / "_manifest.json").write_text(json.dumps({"text_col": Q, "n_rows": 12, "parts": [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]}), encoding="utf-8")
    waves, per_wave = [], []
    for w, g in both.groupby("wave"):
        waves.append(tmp_path / f"wave{w}.csv")
        g[["respondent_id", "wave", Q]].to_csv(waves[-1], index=False)
        per_wave.append(tmp_path / f"coded{w}.csv")
        g.to_csv(per_wave[-1], index=False)

    def summary(out, *coded):
        res = run_cli("summary", *waves, "--survey", survey, *(a for c in coded for a in ("--coded", c)), "--out",
                      tmp_path / out, "--quiet", "--no-quotes")
        assert res.exit_code == 0, res.output
        return tmp_path / out

    want, got = summary("from_csv", *per_wave), summary("from_folder", d)
    themes = pd.read_csv(want / "themes.csv")
    assert set(themes["wave"]) == {2022, 2023}
    for name in ("themes.csv", "summary_tidy.csv", "summary.json"):
        assert (got / name).read_bytes() == (want / name).read_bytes(), name
