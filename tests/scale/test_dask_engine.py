"""textmine.distributed: Dask batch coding gives the local engine's results; output is complete and ordered."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from textmine.classify import ZeroShotCoder
from textmine.classify.table import code_dataframe
from textmine.pipeline import code_table
from textmine.codebook import load_codebook
from textmine.distributed import ROW_COL, code_with_dask, iter_input_partitions, read_coded_parts
from textmine.io import read_table



# Floor of floating-point noise: the same text in batches of another shape gets fp32 vectors that differ by
# ~4e-8 (GEMM accumulation order); per-comment z-scoring over 16 narrow-band cosines and the logistic map
# amplify that to ≈2e-5 on scores (measured with the fp32 backend). Anything larger is a real difference.
SCORE_ATOL = 1e-4


def _coding_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith(("theme_", "score_"))] + ["themes", "confidence", "needs_review", "type"]


def test_dask_results_identical_to_single_process(local_result, dask_result):
    """Same theme columns, same scores (1e-6), same row order — with the default (semantic) coder."""
    _, out = dask_result
    got = read_coded_parts(out)
    cols = _coding_columns(local_result)
    assert _coding_columns(got) == cols
    assert list(got.index) == list(range(len(local_result)))
    scores = [c for c in cols if c.startswith("score_")]
    diff = np.abs(got[scores].to_numpy(float) - local_result[scores].to_numpy(float))
    worst = np.unravel_index(int(diff.argmax()), diff.shape)
    assert diff.max() <= SCORE_ATOL, (
        f"score differs by {diff.max():.4g} (row {worst[0]}, {scores[worst[1]]}): the same comment gets a different "
        f"score when coded in another partition (batch-dependent embeddings?)")
    themes = [c for c in cols if c.startswith("theme_")]
    assert (got[themes].to_numpy() == local_result[themes].to_numpy()).all()
    assert got["themes"].tolist() == local_result["themes"].tolist()
    assert got["type"].tolist() == local_result["type"].tolist()


def test_partitioned_output_has_every_input_column_in_input_order(sample_input, dask_result, text_col,
                                                                  rows_per_partition, local_result):
    info, out = dask_result
    src = pd.read_csv(sample_input, dtype=str, keep_default_na=False)
    n_parts = math.ceil(len(src) / rows_per_partition)
    assert info.n_rows == len(src) and info.n_partitions == n_parts and len(info.part_seconds) == n_parts
    parts = sorted(out.glob("part-*.parquet"))
    assert [p.name for p in parts] == [f"part-{i:05d}.parquet" for i in range(n_parts)]
    start = 0
    for p in parts:
        names = pq.read_schema(p).names
        missing = [c for c in src.columns if c not in names]
        assert not missing, f"{p.name} lacks input column(s) {missing}"
        rows = pd.read_parquet(p, columns=[ROW_COL])[ROW_COL].tolist()
        assert rows == list(range(start, start + len(rows)))  # each part is one contiguous, ordered slice
        assert len(rows) == min(rows_per_partition, len(src) - start)
        start += len(rows)
    got = read_coded_parts(out, columns=list(src.columns))
    others = [c for c in src.columns if c != text_col]  # the text column comes back redacted (local path too)
    pd.testing.assert_frame_equal(got[others].reset_index(drop=True).astype(str), src[others].astype(str))
    assert got[text_col].fillna("").astype(str).tolist() == local_result[text_col].fillna("").astype(str).tolist()


def test_engine_exact_with_batch_independent_embedder(sample_input, codebook_path, text_col, fresh_cache,
                                                      in_cache, tmp_path):
    """scheduler=None (own local 2-worker cluster) with the fp32 backend, whose vectors do not depend on the
    batch beyond float rounding: partitioned coding equals single-process coding — the engine adds nothing."""
    small = tmp_path / "small.parquet"
    src = read_table(sample_input)
    src.iloc[:24].to_parquet(small, index=False)
    model = tmp_path / "zs-fp32"
    coder = ZeroShotCoder(load_codebook(codebook_path), embedder_spec="e5-fp32")
    with in_cache(fresh_cache("fp32-model")):
        coder.save(model)
    with in_cache(fresh_cache("fp32-local")):
        from textmine.classify import load_coder

        ref = code_dataframe(load_coder(model), pd.read_parquet(small), text_col)
    with in_cache(fresh_cache("fp32-dask")):  # the local cluster's workers inherit this environment
        info = code_with_dask(small, tmp_path / "out", codebook_path, model, text_col, None, n_workers=2,
                              rows_per_partition=8)
    assert info.n_partitions == 3
    got = read_coded_parts(tmp_path / "out")
    scores = [c for c in got.columns if c.startswith("score_")]
    np.testing.assert_allclose(got[scores].to_numpy(float), ref[scores].to_numpy(float), atol=SCORE_ATOL, rtol=0)
    assert got["themes"].tolist() == ref["themes"].tolist()
    assert got[text_col].tolist() == ref[text_col].tolist()


def test_csv_partitions_are_exact_slices_even_with_newlines_in_comments(tmp_path):
    texts = [f"linje {i}\nandre linje, med komma" if i % 3 == 0 else f"kort {i}" for i in range(25)]
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"R{i}" for i in range(25)], "tekst": texts}).to_csv(path, index=False)
    parts = list(iter_input_partitions(path, 10))
    assert [len(p) for p in parts] == [10, 10, 5]
    whole = pd.concat(parts, ignore_index=True)
    assert whole[ROW_COL].tolist() == list(range(25))
    assert whole["tekst"].tolist() == texts


def test_bad_input_is_refused_before_any_worker_starts(sample_input, codebook_path, tmp_path):
    with pytest.raises(ValueError, match="no column 'fritekst_mangler'"):
        code_with_dask(sample_input, tmp_path / "o", codebook_path, None, "fritekst_mangler", "tcp://127.0.0.1:1")
    bad = tmp_path / "in.xlsx"
    bad.write_bytes(b"x")
    with pytest.raises(ValueError, match="Parquet or CSV"):
        code_with_dask(bad, tmp_path / "o", codebook_path, None, "tekst", "tcp://127.0.0.1:1")


def test_question_options_are_checked_and_reach_the_partition_coder(sample_input, codebook_path, text_col, tmp_path):
    with pytest.raises(ValueError, match="no column 'sporsmal'"):
        code_with_dask(sample_input, tmp_path / "o", codebook_path, None, text_col, "tcp://127.0.0.1:1",
                       question_col="sporsmal")
    with pytest.raises(ValueError, match="not both"):
        code_with_dask(sample_input, tmp_path / "o", codebook_path, None, text_col, "tcp://127.0.0.1:1",
                       question_col=text_col, question="fritekst_generell")
    from textmine.classify import default_coder
    from textmine.distributed import code_partition
    from textmine.paths import DEFAULT_MODEL_DIR

    if not (DEFAULT_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/default not built")
    src = read_table(sample_input)
    part = src[src[text_col].fillna("").str.len() > 20].iloc[:6]
    q = "fritekst_sykefravaer"
    got = code_partition(part, text_col=text_col, model_dir=str(DEFAULT_MODEL_DIR), codebook_path=None, question=q)
    want = code_table(default_coder(strict=True), part, text_col, question=q)  # what textmine code writes
    plain = code_dataframe(default_coder(strict=True), part, text_col)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    assert not np.allclose(want["score_sykefravaersoppfolging"].to_numpy(float),
                           plain["score_sykefravaersoppfolging"].to_numpy(float))


def test_workers_count_what_the_local_engine_warns_about(dask_cluster, codebook_path, tmp_path):
    """Other columns holding personal data are masked on the workers cell by cell as the local engine masks them
    on the whole table (text cells; code-shaped cells such as a phone-like id are counted for the warning, never
    shown); the questions named are collected and checked."""
    from textmine.classify.table import mask_personal_text

    df = pd.DataFrame({"id": [f"R{i}" for i in range(6)],
                       "svar": ["Lang kø på telefon", "Bra hjelp", "Vet ikke", "Treg saksbehandling", "", "Fint"],
                       "notat": ["ring 912 34 567", "", "ok", "kari.hansen@firma.no", "ring 48 12 34 56", "-"],
                       "kontakt": ["91234567", "", "", "", "", "48123456"],
                       "sporsmal": ["q_a", "q_a", "q_b", "q_b", "q_a", "q_b"]})
    path = tmp_path / "in.csv"
    df.to_csv(path, index=False)
    info = code_with_dask(path, tmp_path / "out", codebook_path, None, "svar", dask_cluster.scheduler_address,
                          rows_per_partition=2, question_col="sporsmal")
    assert info.n_partitions == 3
    local, masked, left = mask_personal_text(df.astype(object).where(df != "", None), skip=["svar", "sporsmal"])
    assert info.masked_columns == {"notat": 3} == masked
    assert info.pii_columns == {"kontakt": 2} == left
    parts = read_coded_parts(tmp_path / "out")
    assert parts["notat"].fillna("").tolist() == local["notat"].fillna("").tolist()
    assert "[TELEFON]" in parts.loc[0, "notat"] and "[EPOST]" in parts.loc[3, "notat"]
    assert parts["kontakt"].fillna("").astype(str).tolist()[0] in ("91234567", "91234567.0")
    assert info.questions == ("q_a", "q_b")
    assert info.unknown_questions == ("q_a", "q_b") and info.known_questions == ()  # zero-shot: no question rates


def test_dask_cli_prints_the_local_engines_warnings(monkeypatch, sample_input, codebook_path, text_col, tmp_path):
    from typer.testing import CliRunner

    import textmine.distributed as dist
    from textmine.cli import app
    from textmine.distributed import DaskRunInfo

    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        return DaskRunInfo(out_dir=str(tmp_path), n_rows=3, n_partitions=1, parts=(), pii_columns={"notat": 2},
                           masked_columns={"annet": 4},
                           questions=("q_ny",), unknown_questions=("q_ny",), known_questions=("q1", "q2"))

    monkeypatch.setattr(dist, "code_with_dask", fake)
    res = CliRunner().invoke(app, ["code", str(sample_input), "--codebook", str(codebook_path), "--text-col", text_col,
                                   "--out", str(tmp_path / "o"), "--engine", "dask", "--question-col", "sporsmal"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "column(s) notat (2 cells) hold what looks like personal data" in out and "--redact-col notat" in out
    assert "column(s) annet (4 cells) also hold what looks like personal data and are masked in place" in out
    assert "does not know these 'sporsmal' values: q_ny" in out and "q1, q2" in out
    assert seen["question_col"] == "sporsmal"
