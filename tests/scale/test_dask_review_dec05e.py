"""`textmine code --engine dask` review of 2026-12-05 (revD): the worker's coder follows the model files on disk and a
run never mixes model versions (F1), worker ValueError/OSError name partition, rows and worker, masked (F3), a
Parquet folder is read in natural file order (F4), progress per finished partition (F6), parts removed mid-run fail
the run (F7), the scheduler is reached before the model is loaded (F8), duplicate respondent ids are warned about and
named by part file and _row (F9). models/fast on a one-worker in-process cluster."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import (DaskWorkerError, code_with_dask, iter_input_partitions, model_identity,
                                  read_coded_parts, summary_inputs_from_parts)
from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_SURVEY, FAST_MODEL_DIR

from ..clitools import run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
SECRET = "Ring meg på 912 34 567"
TEXTS = ["Lang kø på telefon", "Bra", SECRET, "Treg saksbehandling", "Refusjonen kommer for sent", "Ok"]


def _input(tmp_path, ids=None, name="in.csv"):
    src = tmp_path / name
    pd.DataFrame({"id": ids or [f"R{i}" for i in range(len(TEXTS))], "svar": TEXTS}).to_csv(src, index=False)
    return src


def _model_copy(dest):
    shutil.copytree(FAST_MODEL_DIR, dest)
    return dest


def _retrain(model):
    """Other model files at the same path (as `textmine train --out` over an old model writes them)."""
    with np.load(model / "arrays.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for k in ("intercept", "lexical/intercept"):
        arrays[k] = arrays[k] + 6.0  # every theme far more likely: another coding
    with open(model / "arrays.npz", "wb") as fh:
        np.savez(fh, **arrays)


def _dask(src, out, model, cluster, **kw):
    kw.setdefault("rows_per_partition", 2)
    kw.setdefault("batch_size", 2)
    return code_with_dask(src, out, None, str(model), "svar", cluster.scheduler_address, **kw)


def _one_line(res):
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert "Traceback" not in res.output
    return lines[0]


# ---------------------------------------------------------------------------- F1 model identity
def test_a_long_running_worker_codes_with_the_model_now_at_the_path_not_the_one_it_loaded_first(tmp_path, cluster):
    src = _input(tmp_path)
    model = _model_copy(tmp_path / "model")
    _dask(src, tmp_path / "a", model, cluster)
    first = json.loads((tmp_path / "a" / "_manifest.json").read_text(encoding="utf-8"))
    assert first["model_id"] == model_identity(model.resolve(), None)

    _retrain(model)
    _dask(src, tmp_path / "b", model, cluster)  # same workers, same path, new files
    again = _model_copy(tmp_path / "elsewhere")
    shutil.copy(model / "arrays.npz", again / "arrays.npz")
    _dask(src, tmp_path / "fresh", again, cluster)  # a path no worker has loaded before

    old, new, fresh = (read_coded_parts(tmp_path / d)["themes"].tolist() for d in ("a", "b", "fresh"))
    assert new != old  # (the new model codes otherwise)
    assert new == fresh
    second = json.loads((tmp_path / "b" / "_manifest.json").read_text(encoding="utf-8"))
    assert second["model_id"] == model_identity(model.resolve(), None) != first["model_id"]


def test_a_worker_that_finds_another_model_than_the_client_loaded_fails_the_run(tmp_path, cluster, monkeypatch):
    src = _input(tmp_path)
    model = _model_copy(tmp_path / "model")
    real = distributed._run_dask

    def swapped_after_loading(*a, **kw):  # the model is replaced between the client's load and the workers'
        _retrain(model)
        return real(*a, **kw)

    monkeypatch.setattr(distributed, "_run_dask", swapped_after_loading)
    out = tmp_path / "out"
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", model, "--text-col", "svar", "--out", out,
                  "--engine", "dask", "--scheduler", cluster.scheduler_address, "--partition-rows", "2",
                  "--batch-size", "2")
    assert res.exit_code == 1, res.output
    line = _one_line(res)
    for needle in ("ModelChanged", "as the client loaded", str(model.resolve()), "worker "):
        assert needle in line, line
    assert not (out / "_manifest.json").exists()


# ---------------------------------------------------------------------------- F3 worker ValueError/OSError
@pytest.mark.parametrize("error", [ValueError, PermissionError])
def test_worker_value_and_os_errors_name_partition_rows_and_worker_masked(tmp_path, cluster, monkeypatch, error):
    real = distributed.code_partition

    def failing(part, **kw):
        if SECRET in part["svar"].tolist():
            raise error(f"cannot code {SECRET!r}\nsecond line")
        return real(part, **kw)

    monkeypatch.setattr(distributed, "code_partition", failing)
    out = tmp_path / "out"
    res = run_cli("code", _input(tmp_path), "--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR,
                  "--text-col", "svar", "--out", out, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                  "--partition-rows", "2", "--batch-size", "2")
    assert res.exit_code == 2, res.output  # (as before: a ValueError/OSError is reported as the input's)
    line = _one_line(res)
    for needle in ("partition 1", "_row 2–3", error.__name__, "<text>", "(worker ", "did not finish"):
        assert needle in line, line
    assert "912 34 567" not in res.output and "Ring meg" not in res.output
    assert not (out / "_manifest.json").exists()


# ---------------------------------------------------------------------------- F4 file order
def test_a_parquet_folder_is_read_in_natural_file_order(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        pd.DataFrame({"id": [f"F{i}"], "svar": ["Bra"]}).to_parquet(folder / f"f{i}.parquet", index=False)
    ids = pd.concat(iter_input_partitions(folder, 5))["id"].tolist()
    assert ids == [f"F{i}" for i in range(12)]  # not f0, f1, f10, f11, f2 …


# ---------------------------------------------------------------------------- F6 progress
def test_progress_is_reported_per_finished_partition_with_the_total_when_known(tmp_path, cluster):
    src = tmp_path / "in.parquet"
    pd.read_csv(_input(tmp_path), dtype=str).to_parquet(src, index=False)
    calls = []
    _dask(src, tmp_path / "pq", FAST_MODEL_DIR, cluster, progress=lambda *a: calls.append(a))
    assert [(done, total) for done, total, _ in calls] == [(2, 6), (4, 6), (6, 6)]
    assert all(s >= 0 for *_, s in calls)
    calls.clear()
    _dask(_input(tmp_path), tmp_path / "csv", FAST_MODEL_DIR, cluster, progress=lambda *a: calls.append(a))
    assert [(done, total) for done, total, _ in calls] == [(2, 6), (4, 6), (6, 6)]  # CSV: counted by a first read


# ---------------------------------------------------------------------------- F7 parts removed mid-run
@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_a_part_removed_or_replaced_during_the_run_fails_it(tmp_path, cluster, monkeypatch, how):
    real = distributed._code_and_write

    def meddling(part, index, out_dir, kwargs):
        result = real(part, index, out_dir, kwargs)
        if index == 2:  # (one worker thread: partition 0 is in place by now)
            first = os.path.join(out_dir, "part-00000.parquet")
            os.remove(first) if how == "removed" else pd.DataFrame({"_row": [0]}).to_parquet(first)
        return result

    monkeypatch.setattr(distributed, "_code_and_write", meddling)
    out = tmp_path / "out"
    with pytest.raises(DaskWorkerError, match="part-00000.parquet " + ("is missing" if how == "removed"
                                                                       else "in .* holds 1 rows, its partition had 2")):
        _dask(_input(tmp_path), out, FAST_MODEL_DIR, cluster)
    assert not (out / "_manifest.json").exists()


# ---------------------------------------------------------------------------- F8 scheduler before model
def test_an_unreachable_scheduler_is_reported_before_the_model_is_loaded(tmp_path, monkeypatch):
    loaded = []
    monkeypatch.setattr(distributed, "load_coder_for", lambda *a: loaded.append(a))
    monkeypatch.setattr(distributed, "SCHEDULER_TIMEOUT_S", 1)
    with pytest.raises(ValueError, match="could not reach a Dask scheduler"):
        code_with_dask(_input(tmp_path), tmp_path / "out", None, str(FAST_MODEL_DIR), "svar", "tcp://127.0.0.1:1")
    assert loaded == []


# ---------------------------------------------------------------------------- F9 duplicate respondent ids
def test_duplicate_respondent_ids_are_warned_about_with_rows_never_values(tmp_path, cluster):
    src = _input(tmp_path, ids=["R0", "R1", "R0", "R3", "R1", "R5"])
    said = []
    _dask(src, tmp_path / "out", FAST_MODEL_DIR, cluster, id_cols=("id", "wave"), warn=said.append)
    dup = [m for m in said if "respondent id" in m]
    assert len(dup) == 1, said
    assert "2 respondent id(s) in column 'id' occur more than once" in dup[0]
    assert "_row 0, 1, 2, 4" in dup[0]
    assert "R0" not in dup[0] and "R1" not in dup[0]
    said.clear()
    _dask(_input(tmp_path), tmp_path / "ok", FAST_MODEL_DIR, cluster, id_cols=("id",), warn=said.append)
    assert not [m for m in said if "respondent id" in m]


def test_cli_warns_about_duplicate_ids_of_the_survey_id_column(tmp_path, cluster):
    src = tmp_path / "in.csv"
    pd.DataFrame({"respondent_id": ["A", "B", "A", "C"], "svar": TEXTS[:4]}).to_csv(src, index=False)
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR, "--text-col", "svar",
                  "--out", tmp_path / "out", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                  "--partition-rows", "2", "--batch-size", "2", "--survey", DEFAULT_SURVEY)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "1 respondent id(s) in column 'respondent_id' occur more than once" in flat, res.output
    assert "_row 0, 2" in flat


def test_summary_from_parts_names_part_files_and_rows_of_a_duplicate_id(tmp_path, cluster):
    from textmine.survey import SurveyDefinition, SurveyDefinitionError

    src = tmp_path / "in.csv"
    pd.DataFrame({"respondent_id": ["A", "B", "C", "A", "D", "E"], "svar": TEXTS}).to_csv(src, index=False)
    out = tmp_path / "out"
    _dask(src, out, FAST_MODEL_DIR, cluster)
    with pytest.raises(SurveyDefinitionError) as err:
        summary_inputs_from_parts(out, SurveyDefinition.from_yaml(DEFAULT_SURVEY), "svar")
    msg = str(err.value)
    assert "part-00000.parquet _row 0, part-00001.parquet _row 3" in msg, msg
    assert "respondent_id" in msg and "1 duplicate id(s)" in msg
    assert "'A'" not in msg
