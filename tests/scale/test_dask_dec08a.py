"""Dask leftovers of 2026-12-08: `summary --no-quotes --coded Q=FOLDER` never reads the answers' text as text (only
whether each row was answered), a --scheduler address in an error keeps its host and port with its user part
masked, the CSV's first read (its row checks) reports progress, and a worker keeps the coders of its last two models.
models/fast; the Dask output is written by 2 local worker processes."""

from __future__ import annotations

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import code_with_dask
from textmine.io import TableReadError
from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_SURVEY, FAST_MODEL_DIR, SAMPLE_DIR

from ..clitools import run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
Q = "fritekst_generell"
MODEL = str(FAST_MODEL_DIR)


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """120 respondents of the 2023 sample wave (answers, blanks and non-answers) coded locally (CSV) and on Dask."""
    d = tmp_path_factory.mktemp("dask-dec08a")
    wave = d / "wave.csv"
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(120)
    df.loc[df.index[:3], Q] = ["vet ikke", "   ", "-"]  # a non-answer, a blank, a dash
    df.to_csv(wave, index=False)
    args = ("--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR, "--text-col", Q, "--survey", DEFAULT_SURVEY)
    for extra in (("--out", d / "local.csv"), ("--out", d / "dask", "--engine", "dask", "--partition-rows", 50)):
        res = run_cli("code", wave, *args, *extra)
        assert res.exit_code == 0, res.output
    return d


def _summary(d, coded_arg, out, *extra):
    res = run_cli("summary", d / "wave.csv", "--survey", DEFAULT_SURVEY, "--coded", coded_arg, "--out", d / out,
                  "--quiet", "--embedder", "fallback", *extra)
    assert res.exit_code == 0, res.output
    return d / out


def test_summary_without_quotes_never_reads_the_folders_text_and_writes_what_the_csv_gives(coded, monkeypatch):
    import textmine.preprocess as preprocess

    requested: list = []
    real = pd.read_parquet

    def spy(path, *a, columns=None, **kw):
        requested.append(columns)
        return real(path, *a, columns=columns, **kw)

    def no_cleaning(*a, **k):
        raise AssertionError("the folder's text was cleaned (read as text) for a summary without quotes")

    want = _summary(coded, f"{Q}={coded / 'local.csv'}", "from_csv", "--no-quotes")
    monkeypatch.setattr(pd, "read_parquet", spy)
    monkeypatch.setattr(preprocess.Cleaner, "transform", no_cleaning)
    got = _summary(coded, f"{Q}={coded / 'dask'}", "from_folder", "--no-quotes")
    monkeypatch.undo()
    assert requested and all(cols is not None and Q not in cols for cols in requested)
    names = sorted(p.name for p in want.iterdir())
    assert names == sorted(p.name for p in got.iterdir()) and "themes.csv" in names
    for name in names:
        assert (got / name).read_bytes() == (want / name).read_bytes(), name


def test_the_answered_rows_are_the_non_blank_texts(coded):
    from textmine.distributed import read_coded_parts

    flags = read_coded_parts(coded / "dask", columns=[Q], answered=Q)[Q]
    texts = read_coded_parts(coded / "dask", columns=[Q])[Q]
    assert flags.dtype == bool and not flags.iloc[1] and flags.iloc[0]  # (the blank; «vet ikke» is an answer)
    assert flags.tolist() == (texts.notna() & texts.astype(str).str.strip().ne("")).tolist()


def test_a_scheduler_address_in_an_error_keeps_host_and_port_with_the_user_part_masked(tmp_path):
    from textmine.cli import redact_message

    assert redact_message("--scheduler 'tcp://user:***@127.0.0.1:2': could not reach") == \
        "--scheduler 'tcp://***@127.0.0.1:2': could not reach"
    shown = redact_message("tcp://kari:hemmelig@10.0.0.5:8786 nådde ikke Kari Nordmann på 91234567")
    assert shown.startswith("tcp://***@10.0.0.5:8786 ") and "hemmelig" not in shown and "91234567" not in shown
    assert redact_message("invalid address 'kari:***@127.0.0.1:2'") == "invalid address '***@127.0.0.1:2'"
    assert redact_message("skriv til kari@nav.no:") == "skriv til [EPOST]:"  # (an e-mail is no address)
    src = tmp_path / "in.csv"
    src.write_text("id,svar\nR1,Ventetiden er lang\n", encoding="utf-8")
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR, "--text-col", "svar", "--engine", "dask",
                  "--scheduler", "tcp://kari:hemmelig@127.0.0.1:2", "--out", tmp_path / "out")
    assert res.exit_code != 0 and "tcp://***@127.0.0.1:2" in res.output, res.output
    assert "hemmelig" not in res.output and "kari" not in res.output


def test_the_csv_row_check_reports_progress_before_a_bad_row_fails_it(tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    rows = [f'R{i},"Svar nummer {i}"' for i in range(2 * distributed.CHECK_PROGRESS_ROWS + 5)]
    src.write_text("\n".join(["id,svar", *rows, 'R,"for",mange,felt']) + "\n", encoding="utf-8")
    seen: list = []
    monkeypatch.setattr(distributed, "load_coder_for", lambda *a: pytest.fail("coder loaded before the check"))
    with pytest.raises(TableReadError):
        code_with_dask(src, tmp_path / "out", None, MODEL, "svar", checking=lambda done, total: seen.append(
            (done, total)))
    size = src.stat().st_size
    assert len(seen) == 2 and all(total == size for _, total in seen)
    assert 0 < seen[0][0] < seen[1][0] <= size
    ok = tmp_path / "ok.csv"
    ok.write_text("id,svar\nR1,a\n", encoding="utf-8")
    seen.clear()
    assert distributed._csv_row_count(ok, checking=lambda d, t: seen.append((d, t))) == 1
    assert seen == [(ok.stat().st_size,) * 2]  # (once at the end)


def test_two_models_alternating_on_a_worker_are_loaded_once_each(tmp_path, monkeypatch):
    import shutil

    loads: list = []
    monkeypatch.setattr(distributed, "_CODERS", {})
    monkeypatch.setattr(distributed, "load_coder_for", lambda model_dir, cb: loads.append(model_dir) or object())
    other = str(shutil.copytree(FAST_MODEL_DIR, tmp_path / "other"))
    got = [distributed._coder_for(m, None) for m in (MODEL, other) * 3]
    assert loads == [MODEL, other] and got[0] is got[2] is got[4] and got[1] is got[3] is got[5]
