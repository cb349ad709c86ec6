"""`textmine code --engine dask` review of 2026-12-07: a bad CSV row anywhere fails the run before any partition is
coded (the CSV is read through once first, which also gives progress its total), and a --scheduler address where a
service greets with something else than a Dask handshake (SSH) is one line saying so, not a MemoryError for
exabytes. models/fast on a one-worker in-process cluster."""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import _csv_row_count, code_with_dask, iter_input_partitions
from textmine.io import TableReadError
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import assert_clean_fail, run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
MODEL = str(FAST_MODEL_DIR)


def _rows(n: int) -> list[str]:
    return [f'R{i},"Svar nummer {i}, om køen",{20 + i}' for i in range(n)]


@pytest.mark.parametrize("bad, row", [('R98,"for mange",felt,her', 100),  # header is row 1: data row 98 is row 100
                                      ('R98,"aldri lukket,22', 100)])
def test_a_bad_csv_row_near_the_end_fails_before_the_coder_loads_or_a_part_is_written(tmp_path, monkeypatch,
                                                                                       bad, row):
    src = tmp_path / "in.csv"
    lines = ["id,svar,alder", *_rows(98), bad, *_rows(3)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def loaded(*a, **k):
        raise AssertionError("the coder was loaded before the input was checked")

    monkeypatch.setattr(distributed, "load_coder_for", loaded)
    out = tmp_path / "out"
    with pytest.raises(TableReadError) as caught:
        code_with_dask(src, out, None, MODEL, "svar", rows_per_partition=10)
    assert "in.csv" in str(caught.value) and f"row {row}" in str(caught.value)
    assert not out.exists()


def test_csv_row_count_is_the_rows_the_partitions_hold(tmp_path):
    src = tmp_path / "in.csv"
    body = ['R0,"to\nlinjer",20', "", "R2,tre,22", ",,", 'R4,"=1+1",24', "", "  ", ""]
    src.write_text("Tittel over tabellen\nid,svar,alder\n" + "\r\n".join(body), encoding="utf-8-sig")
    parts = list(iter_input_partitions(src, 2, header_row=2))
    assert _csv_row_count(src, header_row=2) == sum(len(p) for p in parts) == 5  # (trailing blank rows dropped)


def test_csv_progress_has_its_total_from_the_first_read(tmp_path, cluster):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"R{i}" for i in range(5)], "svar": ["Lang kø", "Bra", "", "Treg", "Ok"]}).to_csv(
        src, index=False)
    calls = []
    code_with_dask(src, tmp_path / "out", None, MODEL, "svar", cluster.scheduler_address, rows_per_partition=2,
                   batch_size=2, progress=lambda *a: calls.append(a[:2]))
    assert calls == [(2, 5), (4, 5), (5, 5)]


def _greeting_server(greeting: bytes):
    """A TCP server on 127.0.0.1 that sends ``greeting`` as soon as a client connects (as SSH does)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conn.sendall(greeting)
            threading.Timer(5, conn.close).start()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def test_a_scheduler_address_where_ssh_answers_is_one_clear_line(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["R0"], "svar": ["Lang kø"]}).to_csv(src, index=False)
    srv = _greeting_server(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")
    try:
        address = f"tcp://127.0.0.1:{srv.getsockname()[1]}"
        t0 = time.perf_counter()
        res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                      "--out", tmp_path / "out", "--engine", "dask", "--scheduler", address)
        assert time.perf_counter() - t0 < 15
    finally:
        srv.close()
    assert_clean_fail(res, address, "no Dask handshake", "SSH")
    assert "EiB" not in res.output and "allocate" not in res.output
    assert not (tmp_path / "out").exists()


def test_a_worker_keeps_only_the_last_models_coders(tmp_path, monkeypatch):
    """A long-lived worker coding for several models in turn held every coder it had loaded (≈ 0.36 GB more per
    worker for models/default after models/fast): it keeps the last CODERS_KEPT (2) only, and loads an older one
    again (dec08a: two models alternating on one worker are not reloaded per partition)."""
    import shutil

    monkeypatch.setattr(distributed, "_CODERS", {})
    monkeypatch.setattr(distributed, "load_coder_for", lambda model_dir, codebook: object())  # (a load per call)
    other = shutil.copytree(FAST_MODEL_DIR, tmp_path / "other")
    third = shutil.copytree(FAST_MODEL_DIR, tmp_path / "third")
    first = distributed._coder_for(MODEL, None)
    assert distributed._coder_for(MODEL, None) is first  # (reused while the model stays the same)
    second = distributed._coder_for(str(other), None)
    assert distributed._coder_for(MODEL, None) is first and second is not first  # (two kept)
    distributed._coder_for(str(third), None)
    assert list(distributed._CODERS) == [(MODEL, ""), (str(third), "")]  # (the least recently used dropped)
    assert distributed._coder_for(str(other), None) is not second
