"""`textmine code --engine dask` of 2026-12-09: a rerun after a Ctrl-C codes only the partitions that are missing and
gives the output an uninterrupted run gives; a rerun with another input, codebook or partitioning is refused (not
mixed) unless --overwrite; and a decimal-comma weight column («1,25») is read as numbers from the parts, as the local
engine reads it. A run's hidden folder is locked while it codes (another run into it is refused, --overwrite too);
the textmine version and the embedder are in the fingerprint; a modification-time-only change is named as such; parts
coded before a model change are discarded, those before a worker's OSError kept. models/fast on a one-worker
in-process cluster."""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import RESUME, code_with_dask, read_coded_parts, summary_inputs_from_parts
from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_SURVEY, FAST_MODEL_DIR, SAMPLE_DIR
from textmine.survey import SurveyDefinition

from ..clitools import run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
Q = "fritekst_generell"
MODEL = str(FAST_MODEL_DIR)
ROWS = 20  # rows per partition: 120 rows → 6 partitions


@pytest.fixture
def wave(tmp_path):
    src = tmp_path / "wave.csv"
    pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(120).to_csv(
        src, index=False)
    return src


def _code(src, out, cluster, **kw):
    kw.setdefault("rows_per_partition", ROWS)
    return code_with_dask(src, out, DEFAULT_CODEBOOK, MODEL, Q, cluster.scheduler_address, **kw)


def _interrupted(src, out, cluster, after_rows: int = 3 * ROWS) -> list[str]:
    """A run stopped by Ctrl-C once ``after_rows`` rows are coded; returns what it said."""
    said: list[str] = []

    def ctrl_c(done, total, seconds):
        if done >= after_rows:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _code(src, out, cluster, progress=ctrl_c, warn=said.append)
    return said


def _stage(out):
    (stage,) = [p for p in out.iterdir() if p.name.startswith(".textmine-run-")]
    return stage


def test_a_rerun_after_ctrl_c_codes_only_the_missing_partitions_and_gives_the_uninterrupted_output(
        tmp_path, wave, cluster):
    full = _code(wave, tmp_path / "full", cluster)
    assert full.n_partitions == 6
    out = tmp_path / "out"
    said = _interrupted(wave, out, cluster)
    assert any("3 partition(s) already coded are kept" in s for s in said), said
    assert not (out / distributed.MANIFEST).exists()  # not a result: the readers refuse it
    stage = _stage(out)
    (stage / "part-00001.parquet").unlink()  # a part lost in the crash: coded again
    done = json.loads((stage / RESUME).read_text(encoding="utf-8"))["done"]  # the partitions recorded as coded
    assert sorted(done) == ["0", "1", "2"]
    kept = {name: (stage / name).stat().st_ino for name in ("part-00000.parquet", "part-00002.parquet")}
    said = []
    info = _code(wave, out, cluster, warn=said.append)
    assert {name: (out / name).stat().st_ino for name in kept} == kept  # moved into place, not coded again
    assert "resumed: 2 of 6 partitions already coded" in " ".join(said), said
    assert info.n_rows == 120 and not stage.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in (tmp_path / "full").iterdir())
    pd.testing.assert_frame_equal(read_coded_parts(out), read_coded_parts(tmp_path / "full"))


def test_a_rerun_with_another_input_codebook_or_partitioning_is_refused_until_overwrite(tmp_path, wave, cluster):
    out = tmp_path / "out"
    _interrupted(wave, out, cluster, after_rows=ROWS)
    stage = _stage(out)
    kept = sorted(p.name for p in stage.iterdir())

    with pytest.raises(ValueError, match=r"unfinished run with other settings \(differs: rows_per_partition\).*"
                                         r"--overwrite"):
        _code(wave, out, cluster, rows_per_partition=30)
    codebook = tmp_path / "codebook.yaml"
    shutil.copyfile(DEFAULT_CODEBOOK, codebook)
    with codebook.open("a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    with pytest.raises(ValueError, match=r"differs: the model / codebook, codebook_path"):
        code_with_dask(wave, out, codebook, MODEL, Q, cluster.scheduler_address, rows_per_partition=ROWS)
    original, stat = wave.read_bytes(), wave.stat()
    wave.write_bytes(original.replace(b"AG2023-00120", b"AG2023-99120"))  # one cell, the same size
    os.utime(wave, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the same modification time
    with pytest.raises(ValueError, match=r"differs: the input's content\)"):
        _code(wave, out, cluster)
    assert sorted(p.name for p in stage.iterdir()) == kept  # refused: nothing mixed, nothing removed

    info = _code(wave, out, cluster, rows_per_partition=30, overwrite=True)
    assert info.n_partitions == 4 and not stage.exists()
    assert read_coded_parts(out)["respondent_id"].iloc[-1] == "AG2023-99120"


def test_the_cli_resumes_with_a_note_and_refuses_other_settings_naming_overwrite(tmp_path, wave, cluster):
    out = tmp_path / "out"
    _interrupted(wave, out, cluster, after_rows=ROWS)
    args = ("code", wave, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", Q, "--out", out,
            "--engine", "dask", "--scheduler", cluster.scheduler_address)
    res = run_cli(*args, "--partition-rows", 40)
    assert res.exit_code == 2 and "--overwrite" in res.output and "rows_per_partition" in res.output, res.output
    res = run_cli(*args, "--partition-rows", ROWS)
    assert res.exit_code == 0, res.output
    assert "resumed: 1 of 6 partitions already coded" in " ".join(res.output.split()), res.output
    res = run_cli("code", wave, "--codebook", DEFAULT_CODEBOOK, "--text-col", Q, "--out", tmp_path / "o.csv",
                  "--overwrite")
    assert res.exit_code == 2 and "--overwrite goes with --engine dask" in res.output, res.output


def test_decimal_comma_weights_are_numbers_from_the_parts_as_the_local_engine_reads_them(tmp_path, cluster):
    src = tmp_path / "wave.csv"
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(60)
    df["vekt"] = ["1,25", "0,8", "2"] * 20
    df.to_csv(src, index=False, sep=";")
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", Q, "--survey",
                  DEFAULT_SURVEY, "--out", tmp_path / "local.parquet")
    assert res.exit_code == 0, res.output
    local = pd.read_parquet(tmp_path / "local.parquet")["vekt"]
    assert local.tolist() == [1.25, 0.8, 2.0] * 20
    _code(src, tmp_path / "dask", cluster)
    frames, _ = summary_inputs_from_parts(tmp_path / "dask", SurveyDefinition.from_yaml(DEFAULT_SURVEY))
    (frame,) = frames.values()
    assert frame["vekt"].dtype == float and frame["vekt"].tolist() == local.tolist()


# ---------------------------------------------------------------------------- review of the resume change
def test_a_stage_another_run_is_writing_into_is_neither_resumed_nor_removed_by_overwrite(tmp_path, wave, cluster):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    _interrupted(wave, out, cluster)
    stage = _stage(out)
    kept = sorted(p.name for p in stage.iterdir())
    with open(stage / "_lock", "w", encoding="utf-8") as held:  # another run, still coding, holds its lock
        held.write("started 2026-12-09 08:00:00 UTC, process 4242")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        for kw in ({}, {"overwrite": True}, {"rows_per_partition": 30}):
            with pytest.raises(ValueError, match=r"^another textmine run is writing to .*out \(started 2026-12-09 "
                                                 r"08:00:00 UTC, process 4242\); wait for it or use another --out$"):
                _code(wave, out, cluster, **kw)
            assert sorted(p.name for p in stage.iterdir()) == kept  # not resumed, not removed
    said = []  # its process gone (the OS drops the lock): the same command resumes
    info = _code(wave, out, cluster, warn=said.append)
    assert "resumed: 3 of 6 partitions already coded" in " ".join(said) and info.n_rows == 120


def test_a_rerun_with_another_textmine_version_or_only_another_modification_time_is_refused_naming_it(
        tmp_path, wave, cluster, monkeypatch):
    import textmine

    out = tmp_path / "out"
    _interrupted(wave, out, cluster, after_rows=ROWS)
    monkeypatch.setattr(textmine, "__version__", "9.9.9")  # as after `pip install -U textmine`
    with pytest.raises(ValueError, match=r"differs: the textmine version\)"):
        _code(wave, out, cluster)
    monkeypatch.undo()
    stat = wave.stat()
    os.utime(wave, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: the content as it was
    with pytest.raises(ValueError, match=r"differs: the input file's modification time\)"):
        _code(wave, out, cluster)


def test_the_fingerprint_holds_the_model_manifests_embedder(tmp_path, wave):
    fp = distributed.run_fingerprint(wave, {"model_dir": MODEL}, ROWS, 1, None)
    embedder = json.loads((FAST_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))["embedder"]
    assert fp["embedder"] == f"{embedder['spec']}@{embedder['version']}"
    assert distributed._differs({**fp, "embedder": "e5-static@older"}, fp) == ["the embedder"]


def test_parts_coded_before_the_model_changed_are_discarded_not_offered_for_a_rerun(tmp_path, wave, cluster):
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)

    def retrain(done, total, seconds):  # the model written anew in place during the run
        if done >= ROWS:
            with open(model / "metrics.json", "a", encoding="utf-8") as fh:
                fh.write("\n")

    out = tmp_path / "out"
    with pytest.raises(distributed.DaskWorkerError, match="ModelChanged") as err:
        code_with_dask(wave, out, DEFAULT_CODEBOOK, str(model), Q, cluster.scheduler_address,
                       rows_per_partition=ROWS, progress=retrain)
    assert "run the same command again" not in str(err.value)  # (its fingerprint differs: it could never resume)
    assert not [p for p in out.iterdir() if p.name.startswith(".textmine-run-")] if out.exists() else True


def test_parts_coded_before_a_workers_os_error_are_kept_for_the_rerun(tmp_path, wave, cluster, monkeypatch):
    failing_id = pd.read_csv(wave, dtype=str)["respondent_id"].iloc[3 * ROWS]  # partition 3
    real = distributed.code_partition

    def disk_full(part, **kw):
        if failing_id in part["respondent_id"].tolist():
            raise OSError(28, "No space left on device")
        return real(part, **kw)

    monkeypatch.setattr(distributed, "code_partition", disk_full)
    out = tmp_path / "out"
    with pytest.raises(distributed.PartitionOSError, match=r"partition 3 .*No space left on device.*; 3 partition\(s\) "
                                                           r"already coded are kept in .*run the same command again"):
        _code(wave, out, cluster)
    monkeypatch.undo()
    said = []
    assert _code(wave, out, cluster, warn=said.append).n_rows == 120
    assert "resumed: 3 of 6 partitions already coded" in " ".join(said), said
