"""`textmine code --engine dask` when a worker fails: an error other than ValueError/OSError while coding a partition
(RuntimeError, MemoryError) or a worker process that dies (KilledWorker) is one line naming the partition and the
error class — never the text being coded — with exit 1, and the output is not marked complete."""

from __future__ import annotations

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import read_coded_parts
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
MODEL = str(FAST_MODEL_DIR)
SECRET = "Ring meg på 912 34 567"


def _input(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["R0", "R1", "R2", "R3", "R4"],
                  "svar": ["Lang kø", "Bra", SECRET, "Treg saksbehandling", "Ok"]}).to_csv(src, index=False)
    return src


def _code(src, out, address):
    return run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar", "--out", out,
                   "--engine", "dask", "--scheduler", address, "--partition-rows", "2", "--batch-size", "2")


def _assert_run_failure(res, out, *needles):
    """Exit 1 (the run failed), one line without a traceback or the text, and no output that looks complete."""
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    for n in needles:
        assert n in lines[0], lines[0]
    assert "912 34 567" not in res.output and "Ring meg" not in res.output
    assert not (out / "_manifest.json").exists()
    with pytest.raises((ValueError, FileNotFoundError)):
        read_coded_parts(out)


@pytest.mark.parametrize("error", [RuntimeError, MemoryError])
def test_coder_error_on_a_worker_is_one_line_naming_the_partition_without_the_text(tmp_path, cluster, monkeypatch,
                                                                                   error):
    real = distributed.code_partition

    def failing(part, **kw):
        if SECRET in part["svar"].tolist():
            raise error(f"could not code {SECRET!r}\nsecond line")
        return real(part, **kw)

    monkeypatch.setattr(distributed, "code_partition", failing)
    out = tmp_path / "out"
    res = _code(_input(tmp_path), out, cluster.scheduler_address)
    _assert_run_failure(res, out, "partition 1", "_row 2–3", error.__name__, "<text>", "did not finish")


def test_worker_process_that_dies_is_one_line_naming_the_partition(tmp_path, monkeypatch):
    import dask
    from dask.distributed import LocalCluster

    real = distributed._code_and_write

    def dying(part, index, out_dir, kwargs):  # a closure: shipped to the worker process by value
        import os

        if index == 1:
            os._exit(1)  # as the kernel's OOM killer ends a worker
        return real(part, index, out_dir, kwargs)

    monkeypatch.setattr(distributed, "_code_and_write", dying)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cl:
            out = tmp_path / "out"
            res = _code(_input(tmp_path), out, cl.scheduler_address)
    _assert_run_failure(res, out, "partition 1", "_row 2–3", "KilledWorker", "died")


class _Failed:
    """A finished Dask future stand-in whose task failed with ``exc``."""

    status = "error"

    def __init__(self, key, exc):
        self.key, self._exc = key, exc

    def result(self):
        raise self._exc

    def exception(self, timeout=None):
        return self._exc


@pytest.mark.parametrize("part_0_written", [True, False])
def test_killed_worker_names_the_partition_it_was_coding_not_one_that_had_finished(tmp_path, part_0_written):
    # Dask fails every task the scheduler still counts as the dead worker's; partition 0 may have finished and
    # written its part a moment before its 'finished' message could be sent
    from distributed import KilledWorker

    if part_0_written:
        (tmp_path / "part-00000.parquet").write_bytes(b"")
    futs = [_Failed("k0", KilledWorker("k0", None, 0)), _Failed("k1", KilledWorker("k1", None, 0))]
    rows_of = {"k0": (0, 0, 1), "k1": (1, 2, 3)}
    with pytest.raises(distributed.DaskWorkerError) as err:
        distributed._part_result(futs[0], rows_of, tmp_path, futs)
    named = "partition 1 (_row 2–3)" if part_0_written else "partition 0 (_row 0–1)"
    assert str(err.value).startswith(named), str(err.value)
    assert "KilledWorker" in str(err.value)
