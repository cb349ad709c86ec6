"""`textmine code --engine dask` gives the local engine's warnings once per run, and a failed run leaves no part
of itself in --out, not even one a worker was still writing when another partition failed. Coding uses
models/fast (no encoder) on in-process clusters (the coder can be patched)."""

from __future__ import annotations

import threading
import warnings

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import code_with_dask, read_coded_parts
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import run_cli
from .conftest import in_process_cluster

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
MODEL = str(FAST_MODEL_DIR)
NO_LETTERS = "holds no letters at all"
CLASH = "input already has column(s)"


def _local_warnings(src, out, text_col="svar"):
    """The ``warning: …`` lines of `textmine code` with the local engine (the prefix dropped)."""
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", text_col, "--out", out)
    assert res.exit_code == 0, res.output
    return [ln[len("warning: "):] for ln in res.output.splitlines() if ln.startswith("warning: ")]


def _dask_warnings(src, out, cluster, text_col="svar", **kw):
    """The messages of every warning a Dask run gives (on the client or, in-process, on its workers)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code_with_dask(src, out, None, MODEL, text_col, cluster.scheduler_address, batch_size=2, **kw)
    return [str(w.message) for w in caught]


# ---------------------------------------------------------------------------- the local engine's warnings
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_text_column_without_letters_is_warned_once_like_the_local_engine(tmp_path, cluster, suffix):
    src = tmp_path / f"in{suffix}"
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(7)], "svar": [12, 3, 4, 5, 6, 77, 8]})
    frame.to_csv(src, index=False) if suffix == ".csv" else frame.to_parquet(src, index=False)
    local = [m for m in _local_warnings(src, tmp_path / "local.csv") if NO_LETTERS in m]
    assert len(local) == 1
    got = [m for m in _dask_warnings(src, tmp_path / "out", cluster, rows_per_partition=2) if NO_LETTERS in m]
    assert got == local  # one warning for the 4 partitions, worded as the local engine words it


def test_text_column_with_letters_in_one_partition_or_only_blanks_is_not_warned(tmp_path, cluster):
    src = tmp_path / "in.csv"
    frame = pd.DataFrame({"id": ["R0", "R1", "R2", "R3", "R4"], "svar": ["1", "2", "3", "", "Lang kø"]})
    frame.to_csv(src, index=False)
    assert not [m for m in _local_warnings(src, tmp_path / "l.csv") if NO_LETTERS in m]
    assert not [m for m in _dask_warnings(src, tmp_path / "a", cluster, rows_per_partition=2) if NO_LETTERS in m]
    pd.DataFrame({"id": ["R0", "R1", "R2"], "svar": ["", "  ", ""]}).to_csv(src, index=False)  # blank: not "numbers"
    assert not [m for m in _local_warnings(src, tmp_path / "l2.csv") if NO_LETTERS in m]
    assert not [m for m in _dask_warnings(src, tmp_path / "b", cluster, rows_per_partition=2) if NO_LETTERS in m]


@pytest.mark.parametrize("text_col, extra", [("svar", {"themes": "a", "confidence": "høy"}),
                                             ("type", {"notat": "x"})])
def test_input_columns_named_like_coding_columns_are_warned_once_and_kept_like_the_local_engine(
        tmp_path, cluster, text_col, extra):
    src = tmp_path / "in.csv"
    texts = ["Lang kø på telefon", "Bra", "Ring meg på 912 34 567", "Treg saksbehandling", "vet ikke", "Ok", "12"]
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], text_col: texts})
    for col, value in extra.items():
        frame[col] = [f"{value}{i}" for i in range(len(texts))]
    frame.to_csv(src, index=False)
    local_out = tmp_path / "local.parquet"
    local = [m for m in _local_warnings(src, local_out, text_col) if CLASH in m]
    assert len(local) == 1
    got = [m for m in _dask_warnings(src, tmp_path / "out", cluster, text_col, rows_per_partition=2) if CLASH in m]
    assert got == local  # one warning, not one per partition (4) on the workers
    dask = read_coded_parts(tmp_path / "out")
    want = pd.read_parquet(local_out)
    assert list(dask.columns) == list(want.columns)  # the clashing input columns kept as <name>_input, in place
    for col in [c for c in want.columns if c.endswith("_input")] + ["id", "themes", "type"]:
        assert dask[col].astype("string").fillna("").tolist() == want[col].astype("string").fillna("").tolist(), col
    assert "912 34 567" not in " ".join(dask[f"{text_col}_input" if text_col == "type" else text_col].astype(str))


def test_dask_cli_shows_the_warnings_once(tmp_path, cluster):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"R{i}" for i in range(6)], "svar": ["1", "2", "3", "4", "5", "6"],
                  "themes": list("abcdef")}).to_csv(src, index=False)
    with warnings.catch_warnings(record=True) as caught:  # (how they are shown is the CLI's choice)
        warnings.simplefilter("always")
        res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                      "--out", tmp_path / "out", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                      "--partition-rows", "2", "--batch-size", "2")
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())  # (rich wraps long lines)
    assert not [w for w in caught if NO_LETTERS in str(w.message) or CLASH in str(w.message)]  # CLI lines instead
    assert out.count(NO_LETTERS) == 1 and out.count(CLASH) == 1, out
    assert out.count("warning: ") >= 2
    # the local engine's note: the default model knows per-question theme rates and none was given
    assert out.count("note: the model knows the theme rates of the survey questions") == 1, out


# ---------------------------------------------------------------------------- a failed run leaves no part
SECRET = "Ring meg på 912 34 567"
GATE = {"failed": threading.Event(), "client_done": threading.Event(), "done": {}, "result": {}}


def _slow_first_failing_second(part, **kw):
    """Partition 0 is still being coded when partition 1 fails (until the command has returned, or 3 s)."""
    first = int(part[distributed.ROW_COL].iloc[0])
    if first == 2:
        GATE["failed"].set()
        raise RuntimeError(f"could not code {SECRET!r}")
    if first == 0:
        GATE["failed"].wait(10)
        GATE["client_done"].wait(3)
    return REAL_CODE(part, **kw)


def _tracked(part, index, out_dir, kwargs):
    try:
        GATE["result"][index] = REAL_WRITE(part, index, out_dir, kwargs)
        return GATE["result"][index]
    finally:
        GATE["done"].setdefault(index, threading.Event()).set()


REAL_CODE = distributed.code_partition
REAL_WRITE = distributed._code_and_write_part


@pytest.fixture()
def two_threads():
    """One in-process worker running two partitions at once."""
    yield from in_process_cluster(2)


@pytest.mark.parametrize("existing", [False, True])
def test_failed_run_leaves_no_part_a_worker_was_still_writing(tmp_path, monkeypatch, two_threads, existing):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["R0", "R1", "R2", "R3", "R4"],
                  "svar": ["Lang kø", "Bra", SECRET, "Treg saksbehandling", "Ok"]}).to_csv(src, index=False)
    out = tmp_path / "out"
    args = ["code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar", "--out", out,
            "--engine", "dask", "--scheduler", two_threads.scheduler_address, "--partition-rows", "2",
            "--batch-size", "2"]
    earlier = None
    if existing:  # a finished earlier run, and a file of the user's
        assert run_cli(*args).exit_code == 0
        (out / "notes.txt").write_text("mine", encoding="utf-8")
        earlier = (sorted(p.name for p in out.iterdir()), read_coded_parts(out))
    for key in ("failed", "client_done"):
        GATE[key].clear()
    GATE["done"].clear()
    GATE["result"].clear()
    GATE["done"][0] = threading.Event()
    monkeypatch.setattr(distributed, "code_partition", _slow_first_failing_second)
    monkeypatch.setattr(distributed, "_code_and_write_part", _tracked)
    res = run_cli(*args)
    GATE["client_done"].set()
    assert res.exit_code == 1, res.output
    assert "partition 1" in res.output and "912 34 567" not in res.output
    assert GATE["done"][0].wait(10)  # partition 0's task has ended: the command waited for it …
    assert GATE["result"][0]["stopped"] and GATE["result"][0]["path"] is None  # … and it dropped its part
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if existing:  # the earlier run's output is whole: a failed rerun replaces nothing
        assert left == earlier[0], left  # no part, temporary file or folder of the failed run
        pd.testing.assert_frame_equal(read_coded_parts(out), earlier[1])
    else:  # no part, temporary file or manifest, and no folder the run created
        assert left == [] and not out.exists()
        with pytest.raises((ValueError, FileNotFoundError)):
            read_coded_parts(out)
