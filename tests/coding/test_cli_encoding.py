"""`--encoding NAME` of `textmine code` and `textmine clean`: a legacy file's encoding (CSV, .sav) reaches the reader
(and the Dask engine's CSV reader); an unknown codec, or a format whose encoding is fixed, is refused in one line."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from textmine.io import read_table
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import assert_clean_fail, run_cli

MODEL = str(FAST_MODEL_DIR)
needs_model = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
TEXTS = ["Køen er lang", "Tromsø-kontoret svarer ikke", "Bra"]


def _dos_csv(tmp_path):
    """A CSV in cp865 (the Nordic DOS code page): not UTF-8, so it is read as cp1252 and 'ø' becomes '›'."""
    src = tmp_path / "dos.csv"
    src.write_bytes(("id,svar\n" + "".join(f"R{i},{t}\n" for i, t in enumerate(TEXTS))).encode("cp865"))
    assert "›" in read_table(src)["svar"].iloc[0]  # what the detection makes of it
    return src


def _mislabelled_sav(tmp_path):
    """A .sav that declares UTF-8 but holds cp1252 bytes (an old tool's export)."""
    good = tmp_path / "good.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1.0, 2.0], "kommentar": ["Kxxen er lang", "Tromsxx"]}), str(good))
    bad = tmp_path / "legacy.sav"
    bad.write_bytes(good.read_bytes().replace(b"Kxxen", "Køen ".encode("cp1252"))
                    .replace(b"Tromsxx", "Tromsø ".encode("cp1252")))
    return bad


@pytest.mark.parametrize("name", ["cp1252", "latin-1"])
def test_clean_reads_a_sav_in_another_encoding_than_it_declares(tmp_path, name):
    bad = _mislabelled_sav(tmp_path)
    res = run_cli("clean", bad, "--text-col", "kommentar", "--out", tmp_path / "o.csv", "--no-language")
    assert_clean_fail(res, "legacy.sav", "pass the right encoding")  # the hint the CLI could not follow before
    res = run_cli("clean", bad, "--text-col", "kommentar", "--out", tmp_path / "o.csv", "--no-language",
                  "--encoding", name)
    assert res.exit_code == 0, res.output
    assert "Tromsø" in read_table(tmp_path / "o.csv")["kommentar"].iloc[1]


@needs_model
def test_code_reads_a_legacy_csv_with_its_encoding(tmp_path):
    src = _dos_csv(tmp_path)
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                  "--out", tmp_path / "o.csv", "--keep-raw-text", "--encoding", "cp865")
    assert res.exit_code == 0, res.output
    assert read_table(tmp_path / "o.csv")["svar"].tolist() == TEXTS


@needs_model
def test_dask_engine_reads_a_legacy_csv_with_its_encoding_and_refuses_it_for_parquet(tmp_path):
    from dask.distributed import LocalCluster

    from textmine.distributed import read_coded_parts

    src = _dos_csv(tmp_path)
    pq = tmp_path / "in.parquet"
    pd.DataFrame({"id": ["R1"], "svar": ["Bra"]}).to_parquet(pq)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cl:
        common = ["--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar", "--engine", "dask",
                  "--scheduler", cl.scheduler_address, "--keep-raw-text", "--encoding", "cp865"]
        res = run_cli("code", src, *common, "--out", tmp_path / "out")
        assert res.exit_code == 0, res.output
        assert read_coded_parts(tmp_path / "out")["svar"].tolist() == TEXTS
        res = run_cli("code", pq, *common, "--out", tmp_path / "out2")
        assert_clean_fail(res, "--encoding", "in.parquet")
        res = run_cli("code", src, *common[:-1], "utf-8", "--out", tmp_path / "out3")  # a wrong explicit encoding
        assert_clean_fail(res, "dos.csv", "not valid utf-8", "--encoding")
    assert not (tmp_path / "out2").exists() and not (tmp_path / "out3").exists()


@pytest.mark.parametrize("command", ["code", "clean"])
@pytest.mark.parametrize("name", ["cp-1252x", "rot13"])
def test_unknown_encoding_is_refused_in_one_line(tmp_path, command, name):
    src = tmp_path / "in.csv"
    src.write_text("id,svar\nR1,Bra\n", encoding="utf-8")
    res = run_cli(command, src, "--text-col", "svar", "--out", tmp_path / "o.csv", "--codebook", DEFAULT_CODEBOOK,
                  "--encoding", name) if command == "code" else \
        run_cli(command, src, "--text-col", "svar", "--out", tmp_path / "o.csv", "--encoding", name)
    assert_clean_fail(res, f"--encoding {name!r}", "cp1252", "latin-1", "utf-8")
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1, res.output
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
@pytest.mark.parametrize("command", ["code", "clean"])
def test_encoding_for_a_format_that_fixes_it_is_refused(tmp_path, command, suffix):
    from textmine.io import write_table

    src = tmp_path / f"in{suffix}"
    write_table(pd.DataFrame({"id": ["R1"], "svar": ["Bra"]}), src)
    extra = ["--codebook", DEFAULT_CODEBOOK] if command == "code" else []
    res = run_cli(command, src, "--text-col", "svar", "--out", tmp_path / "o.csv", *extra, "--encoding", "cp1252")
    assert_clean_fail(res, "--encoding", f"in{suffix}", "drop --encoding")
    assert not (tmp_path / "o.csv").exists()
