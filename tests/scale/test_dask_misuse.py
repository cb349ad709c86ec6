"""`textmine code --engine dask` misuse and edge cases: scheduler addresses, output folders that hold other data,
Parquet folders whose files differ, inputs the local engine reads differently, interrupted runs, options the
local engine has. Coding uses models/fast (no encoder) on a one-worker in-process cluster."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import code_with_dask, iter_input_partitions, read_coded_parts
from textmine.io import TableReadError, read_table
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import assert_clean_fail, run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
MODEL = str(FAST_MODEL_DIR)
TEXTS = ["Lang kø på telefon", "Lang kø på telefon", "", "vet ikke", "-", "Treg saksbehandling\nandre linje, med komma",
         "Ring meg på 912 34 567", "tekst med NUL\x00 tegn", "  ", "Refusjonen kommer for sent", "\r\nlinje", "Bra"]


@pytest.fixture(scope="module")
def coder():
    from textmine.classify import load_coder

    return load_coder(MODEL)


def _dask(src, out, cluster, **kw):
    return code_with_dask(src, out, None, MODEL, kw.pop("text_col", "svar"), cluster.scheduler_address, **kw)


def _frame(n=len(TEXTS)):
    return pd.DataFrame({"id": [f"R{i}" for i in range(n)], "svar": TEXTS[:n],
                         "alder": [str(20 + i) for i in range(n)]})


CODING = ["themes", "confidence", "needs_review", "type"]


# ---------------------------------------------------------------------------- scheduler
def test_unreachable_scheduler_is_one_clear_line_quickly_and_keeps_the_old_output(tmp_path, monkeypatch, cluster):
    src = tmp_path / "in.csv"
    _frame(3).to_csv(src, index=False)
    out = tmp_path / "out"
    _dask(src, out, cluster)  # a complete earlier run
    before = sorted(p.name for p in out.iterdir())
    monkeypatch.setattr(distributed, "SCHEDULER_TIMEOUT_S", 2, raising=False)
    t0 = time.perf_counter()
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar", "--out", out,
                  "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert time.perf_counter() - t0 < 20
    assert_clean_fail(res, "tcp://127.0.0.1:1", "could not reach a Dask scheduler")
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1, res.output
    assert sorted(p.name for p in out.iterdir()) == before  # the previous result is not removed
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                  "--out", tmp_path / "o2", "--engine", "dask", "--scheduler", "not an address")
    assert_clean_fail(res, "--scheduler", "not an address")
    assert not (tmp_path / "o2").exists()


def test_scheduler_address_of_a_web_server_is_one_clear_line(tmp_path):
    """The dashboard's port (an HTTP server) instead of the scheduler's: dask read the HTTP reply as a frame
    length and raised MemoryError ('Unable to allocate 3.07 EiB') with a traceback."""
    import socketserver

    class Http(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.recv(1024)
            self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    src = tmp_path / "in.csv"
    _frame(3).to_csv(src, index=False)
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Http) as srv:
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        address = f"tcp://127.0.0.1:{srv.server_address[1]}"
        res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                      "--out", tmp_path / "out", "--engine", "dask", "--scheduler", address)
        srv.shutdown()
    assert_clean_fail(res, address, "could not reach a Dask scheduler")
    assert not (tmp_path / "out").exists()


def test_scheduler_without_workers_fails_instead_of_waiting_forever(tmp_path, monkeypatch):
    from dask.distributed import LocalCluster

    src = tmp_path / "in.csv"
    _frame(3).to_csv(src, index=False)
    monkeypatch.setattr(distributed, "SCHEDULER_TIMEOUT_S", 2, raising=False)
    caught: list[BaseException] = []

    def go():
        try:
            code_with_dask(src, tmp_path / "out", None, MODEL, "svar", empty.scheduler_address)
        except BaseException as exc:  # noqa: BLE001 - reported below
            caught.append(exc)

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        t = threading.Thread(target=go, daemon=True)
        t.start()
        t.join(60)
        assert not t.is_alive(), "code_with_dask waits forever on a scheduler without workers"
    assert caught and isinstance(caught[0], ValueError) and "no workers" in str(caught[0])
    assert not (tmp_path / "out").exists()


def test_scheduler_option_needs_the_dask_engine(tmp_path):
    src = tmp_path / "in.csv"
    _frame(3).to_csv(src, index=False)
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                  "--out", tmp_path / "o.csv", "--scheduler", "tcp://127.0.0.1:8786")
    assert_clean_fail(res, "--scheduler", "--engine dask")
    assert not (tmp_path / "o.csv").exists()


# ---------------------------------------------------------------------------- output folder
def test_out_equal_to_the_input_folder_is_refused_and_the_input_kept(tmp_path, cluster):
    """A folder of part-*.parquet (an earlier run's output, or any export) coded into itself lost every file."""
    folder = tmp_path / "parts"
    folder.mkdir()
    _frame(4).to_parquet(folder / "part-00000.parquet", index=False)
    with pytest.raises(ValueError, match="input"):
        _dask(folder, folder, cluster)
    assert read_table(folder / "part-00000.parquet")["id"].tolist() == ["R0", "R1", "R2", "R3"]
    with pytest.raises(ValueError, match="inside the input folder"):
        _dask(folder, folder / "coded", cluster)
    assert not (folder / "coded").exists()
    with pytest.raises(ValueError, match="input"):  # the input is a file the run replaces
        _dask(folder / "part-00000.parquet", folder, cluster)
    assert read_table(folder / "part-00000.parquet")["id"].tolist() == ["R0", "R1", "R2", "R3"]


def test_out_folder_with_other_parquet_files_is_refused_and_they_are_kept(tmp_path, cluster):
    src = tmp_path / "in.csv"
    _frame(3).to_csv(src, index=False)
    out = tmp_path / "spark"
    out.mkdir()
    theirs = out / "part-00000-3f2a-c000.snappy.parquet"  # a Spark export's part file
    _frame(2).to_parquet(theirs, index=False)
    with pytest.raises(ValueError, match="part-00000-3f2a-c000.snappy.parquet"):
        _dask(src, out, cluster)
    assert theirs.exists() and sorted(p.name for p in out.iterdir()) == [theirs.name]


# ---------------------------------------------------------------------------- input
def _parquet_folder(tmp_path, *frames):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, f in enumerate(frames):
        f.to_parquet(folder / f"wave{i}.parquet", index=False)
    return folder


@pytest.mark.parametrize("second, message", [
    (pd.DataFrame({"id": ["R3"]}), "lacks 'svar'"),
    (pd.DataFrame({"id": ["R3"], "svar": ["ok"], "alder": [40]}), "has 'alder'"),
    (pd.DataFrame({"id": [3], "svar": ["ok"]}), r"column id: int64 here, \w*string in"),
])
def test_parquet_files_with_other_columns_are_refused_naming_the_file(tmp_path, cluster, second, message):
    """A file lacking the text column was coded as non-answers, extra columns were dropped, without a word."""
    folder = _parquet_folder(tmp_path, pd.DataFrame({"id": ["R1", "R2"], "svar": ["Lang kø", "Bra"]}), second)
    with pytest.raises(TableReadError, match=message) as err:
        _dask(folder, tmp_path / "out", cluster)
    assert "wave1.parquet" in str(err.value) or "wave0.parquet" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_parquet_files_differing_only_in_index_or_null_columns_are_read_together(tmp_path):
    a = pd.DataFrame({"id": ["R1", "R2"], "svar": ["Lang kø", "Bra"]})
    b = pd.DataFrame({"id": ["R3"], "svar": [None]}, index=[7])  # all-null text, a stored row index
    folder = _parquet_folder(tmp_path, a, b)
    whole = pd.concat(list(iter_input_partitions(folder, 2)), ignore_index=True)
    assert whole["id"].tolist() == ["R1", "R2", "R3"] and list(whole.columns) == ["_row", "id", "svar"]


def test_parquet_named_index_and_numeric_text_are_coded_like_the_local_engine(tmp_path, cluster, coder):
    from textmine.pipeline import code_table

    src = tmp_path / "in.parquet"
    pd.DataFrame({"svar": [1.0, np.nan, 2.5, 15038512345.0], "notat": [1.0, None, 3.0, 4.0]},
                 index=pd.Index(["R1", "R2", "R3", "R4"], name="resp")).to_parquet(src)
    local = code_table(coder, read_table(src, text_cols=["svar", "notat"]), "svar", redact_cols=["notat"])
    _dask(src, tmp_path / "out", cluster, rows_per_partition=3, redact_cols=["notat"])
    got = read_coded_parts(tmp_path / "out")
    assert list(got.columns) == list(local.columns)
    assert got["resp"].tolist() == ["R1", "R2", "R3", "R4"]
    assert got["svar"].tolist() == local["svar"].tolist() == ["1", "", "2.5", "15038512345"]
    assert got["notat"].fillna("").tolist() == local["notat"].fillna("").tolist() == ["1", "", "3", "4"]


@pytest.mark.parametrize("content, message", [
    ("id,svar,svar\n1,a,b\n", "duplicate column name"),
    ("id,svar,\n1,a,b\n", "empty column name"),
    ("id,svar,alder\n1,a,30\n2,b\n3,c,40\n", "row 3, column alder: expected 3 fields"),
])
def test_csv_headers_and_rows_the_local_engine_refuses_are_refused(tmp_path, content, message):
    """pandas renamed a repeated name to 'svar.1', an empty one to 'Unnamed: 2', and padded short rows."""
    src = tmp_path / "in.csv"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(TableReadError, match=message):
        read_table(src)
    with pytest.raises(TableReadError, match=message):
        distributed._input_columns(src)
        list(iter_input_partitions(src, 2))


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_input_without_rows_gives_an_empty_readable_output(tmp_path, cluster, suffix):
    src = tmp_path / f"in.{suffix}"
    if suffix == "csv":
        src.write_text("id,svar\n\n\n", encoding="utf-8")
    else:
        pd.DataFrame({"id": pd.Series([], dtype="str"), "svar": pd.Series([], dtype="str")}).to_parquet(src)
    info = _dask(src, tmp_path / "out", cluster)
    assert info.n_rows == 0
    got = read_coded_parts(tmp_path / "out")
    assert len(got) == 0 and {"id", "svar", "themes", "needs_review"} <= set(got.columns)


# ---------------------------------------------------------------------------- identical to local, any partitioning
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_tricky_rows_are_coded_as_the_local_engine_codes_them_at_any_partition_size(tmp_path, cluster, coder, suffix):
    from textmine.pipeline import code_table

    df = _frame()
    src = tmp_path / f"in.{suffix}"
    if suffix == "csv":
        df.to_csv(src, index=False)
        lines = src.read_text(encoding="utf-8").split("\n")
        src.write_text("\n".join(lines[:4] + [""] + lines[4:]), encoding="utf-8")  # a blank line: a row
    else:
        df.set_index(pd.RangeIndex(100, 100 + len(df))).to_parquet(src)  # a non-default row index
    local = code_table(coder, read_table(src, text_cols=["svar"]), "svar")
    cols = [c for c in local.columns if c.startswith(("theme_", "score_"))] + CODING
    for rows in (1, 5, 40):
        _dask(src, tmp_path / f"out{rows}", cluster, rows_per_partition=rows)
        got = read_coded_parts(tmp_path / f"out{rows}")
        assert list(got.columns) == list(local.columns)
        assert len(got) == len(local) == len(df) + (suffix == "csv")
        pd.testing.assert_frame_equal(got[cols].reset_index(drop=True), local[cols].reset_index(drop=True),
                                      check_dtype=False)
        assert got["svar"].fillna("").tolist() == local["svar"].fillna("").tolist()


# ---------------------------------------------------------------------------- interrupted runs
def test_interrupted_output_does_not_look_complete(tmp_path, cluster):
    from textmine.distributed import summary_inputs_from_parts
    from textmine.paths import DEFAULT_SURVEY
    from textmine.survey import SurveyDefinition

    src = tmp_path / "in.csv"
    _frame(6).to_csv(src, index=False)
    out = tmp_path / "out"
    _dask(src, out, cluster, rows_per_partition=2)
    assert len(read_coded_parts(out)) == 6
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["parts"] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    (out / "part-00001.parquet").unlink()  # a part lost (or never written: killed mid-run)
    with pytest.raises(ValueError, match="part-00001.parquet"):
        read_coded_parts(out)
    (out / "_manifest.json").unlink()  # a run killed before it finished writes no manifest
    with pytest.raises(ValueError, match="did not finish"):
        read_coded_parts(out)
    with pytest.raises(ValueError, match="did not finish"):
        summary_inputs_from_parts(out, SurveyDefinition.from_yaml(DEFAULT_SURVEY), "svar")
    _dask(src, out, cluster, rows_per_partition=4)  # a rerun replaces the leftovers
    assert sorted(p.name for p in out.iterdir()) == ["_manifest.json", "part-00000.parquet", "part-00001.parquet"]
    assert read_coded_parts(out)["id"].tolist() == [f"R{i}" for i in range(6)]


# ---------------------------------------------------------------------------- options of the local engine
def test_local_engine_options_reach_the_dask_engine_or_are_refused(tmp_path, cluster):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["R1", "R2", "R3"],
                  "svar": ["Ring meg på 912 34 567", "Lang kø på telefon", "Bra"]}).to_csv(src, index=False)
    common = [src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar", "--engine", "dask",
              "--scheduler", cluster.scheduler_address]
    res = run_cli("code", *common, "--out", tmp_path / "raw", "--keep-raw-text", "--batch-size", "2",
                  "--partition-rows", "2")
    assert res.exit_code == 0, res.output
    got = read_coded_parts(tmp_path / "raw")
    assert got["svar"].tolist()[0] == "Ring meg på 912 34 567"  # --keep-raw-text was ignored (redacted)
    manifest = json.loads((tmp_path / "raw" / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["batch_size"] == 2 and manifest["n_partitions"] == 2  # --batch-size was ignored
    res = run_cli("code", *common, "--out", tmp_path / "red")
    assert res.exit_code == 0, res.output
    assert "912 34 567" not in read_coded_parts(tmp_path / "red")["svar"].tolist()[0]
    res = run_cli("code", *common, "--out", tmp_path / "s", "--sheet", "Ark2")
    assert_clean_fail(res, "--sheet")
    assert not (tmp_path / "s").exists()
    res = run_cli("code", *common, "--out", tmp_path / "coded.sav")  # was a folder of Parquet named coded.sav
    assert_clean_fail(res, "coded.sav", "folder of Parquet parts")
    assert not (tmp_path / "coded.sav").exists()


def test_default_partitions_are_whole_batches(tmp_path, monkeypatch):
    """Without --partition-rows a partition holds whole batches of --batch-size rows, so each comment is embedded
    in the same batch as on the local engine."""
    seen = {}

    def fake(input_path, out_dir, columns, kwargs, scheduler, client, n_workers, rows_per_partition, *a):
        seen["rows"], seen["batch"] = rows_per_partition, kwargs["batch_size"]
        raise TableReadError("stop", file=input_path)

    monkeypatch.setattr(distributed, "load_coder_for", lambda *a: None)
    monkeypatch.setattr(distributed, "_run_dask", fake)
    src = tmp_path / "in.csv"
    _frame(3).to_csv(src, index=False)
    with pytest.raises(TableReadError):
        code_with_dask(src, tmp_path / "o", "cb.yaml", None, "svar", batch_size=3000)
    assert seen["batch"] == 3000 and seen["rows"] % 3000 == 0


def test_question_column_of_a_csv_is_read_like_the_local_engine(tmp_path, cluster, coder):
    """'id; sporsmal; svar' exports: the local engine strips the question values (a non-text CSV column), so the
    model's theme rates for the question apply; the Dask engine looked up ' fritekst_sykefravaer ' and found none."""
    from textmine.pipeline import code_table

    src = tmp_path / "in.csv"
    src.write_text("id;sporsmal;svar\n1; fritekst_generell ;Lang ventetid på telefon\n"
                   "2; fritekst_sykefravaer ;Oppfølgingen av sykmeldte tar tid\n", encoding="utf-8")
    local = code_table(coder, read_table(src, text_cols=["svar"]), "svar", question_col="sporsmal")
    info = _dask(src, tmp_path / "out", cluster, question_col="sporsmal")
    assert info.unknown_questions == ()
    got = read_coded_parts(tmp_path / "out")
    assert got["sporsmal"].tolist() == local["sporsmal"].tolist() == ["fritekst_generell", "fritekst_sykefravaer"]
    scores = [c for c in local.columns if c.startswith("score_")]
    np.testing.assert_allclose(got[scores].to_numpy(float), local[scores].to_numpy(float), atol=1e-6)
