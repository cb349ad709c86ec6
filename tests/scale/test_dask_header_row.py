"""`textmine code --engine dask --header-row N`: a CSV with a title above its column names is coded as the local
engine codes it (2 local worker processes, models/fast: no encoder); Parquet refuses --header-row. The parts carry
health_flag and is_non_answer, which the summary from the parts uses."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.distributed import ROW_COL, code_with_dask, iter_input_partitions, read_coded_parts, \
    summary_inputs_from_parts
from textmine.io import TableReadError
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR
from textmine.survey import SurveyDefinition

from ..clitools import assert_clean_fail, run_cli

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
MODEL = str(FAST_MODEL_DIR)
LABEL = "Har du andre kommentarer til NAV?"
TITLE = "Arbeidsgiverundersøkelsen 2026; eksport 05.12.2026"  # a delimiter in the title: not read as the format
TEXTS = ["Lang ventetid på telefon", "Har du andre kommentarer til NAV", "vet ikke",
         "Jeg er sykmeldt med depresjon og får ingen oppfølging", "Treg saksbehandling av refusjon", "",
         "Veilederen var hyggelig og ga gode svar", "Ring meg på 912 34 567"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"respondent_id": [f"R{i}" for i in range(len(TEXTS))], "sektor": ["Privat"] * len(TEXTS),
                         "fritekst_generell": TEXTS})


def _csv(path, title: bool):
    path.write_text((f"{TITLE}\n\n" if title else "") + _frame().to_csv(index=False, sep=";"), encoding="utf-8")
    return path


@pytest.fixture()
def survey(tmp_path):
    p = tmp_path / "survey.yaml"
    p.write_text(f'name: t\nid: respondent_id\nfree_text:\n  - column: fritekst_generell\n    label: "{LABEL}"\n',
                 encoding="utf-8")
    return p


def _code(*args):
    res = run_cli("code", *args, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "fritekst_generell",
                  "--batch-size", 2)
    assert res.exit_code == 0, res.output
    return res


def test_dask_with_header_row_codes_a_titled_csv_as_the_local_engine(tmp_path, survey):
    plain, titled = _csv(tmp_path / "plain.csv", False), _csv(tmp_path / "titled.csv", True)
    _code(plain, "--out", tmp_path / "local.parquet", "--survey", survey)
    _code(titled, "--out", tmp_path / "local_titled.parquet", "--survey", survey, "--header-row", 3)
    # 2 local worker processes (the CLI starts them), 3 partitions
    _code(titled, "--out", tmp_path / "dask", "--survey", survey, "--header-row", 3, "--engine", "dask",
          "--partition-rows", 3)
    local = pd.read_parquet(tmp_path / "local.parquet")
    local_titled = pd.read_parquet(tmp_path / "local_titled.parquet")
    dask = read_coded_parts(tmp_path / "dask")
    pd.testing.assert_frame_equal(local_titled, local)
    assert list(dask.columns) == list(local.columns)
    assert list(local.columns)[-2:] == ["health_flag", "is_non_answer"]
    for c in local.columns:
        assert dask[c].astype("string").fillna("").tolist() == local[c].astype("string").fillna("").tolist(), c
    assert local["is_non_answer"].tolist()[:4] == [0, 1, 1, 0]  # the echo of the question's label too
    assert local["health_flag"].tolist()[3] == 1
    assert "912 34 567" not in " ".join(dask["fritekst_generell"].astype(str))
    frames, coded = summary_inputs_from_parts(tmp_path / "dask", SurveyDefinition.from_yaml(survey))
    assert coded[None]["is_non_answer"].tolist() == local["is_non_answer"].tolist()
    assert coded[None]["health_flag"].tolist() == local["health_flag"].tolist()


def test_titled_csv_partitions_match_the_file_without_the_title_and_errors_keep_the_files_rows(tmp_path):
    plain, titled = _csv(tmp_path / "plain.csv", False), _csv(tmp_path / "titled.csv", True)
    want = pd.concat(list(iter_input_partitions(plain, 3)), ignore_index=True)
    got = pd.concat(list(iter_input_partitions(titled, 3, header_row=3)), ignore_index=True)
    pd.testing.assert_frame_equal(got, want)
    assert got.columns.tolist() == [ROW_COL, "respondent_id", "sektor", "fritekst_generell"]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(f"{TITLE}\nid;svar\n1;ok\n2;a;b\n", encoding="utf-8")
    with pytest.raises(TableReadError, match=r"ragged.csv.*row 4"):
        list(iter_input_partitions(ragged, 2, header_row=2))
    with pytest.raises(TableReadError, match="header_row 9 is beyond the end of the file"):
        list(iter_input_partitions(ragged, 2, header_row=9))


def test_parquet_input_refuses_header_row(tmp_path):
    src = tmp_path / "in.parquet"
    _frame().to_parquet(src, index=False)
    with pytest.raises(ValueError, match="header_row applies to CSV input; Parquet"):
        code_with_dask(src, tmp_path / "out", DEFAULT_CODEBOOK, None, "fritekst_generell", header_row=2)
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--text-col", "fritekst_generell", "--out",
                  tmp_path / "out", "--engine", "dask", "--header-row", "2")
    assert_clean_fail(res, "--header-row applies to CSV input; Parquet", "(got --header-row 2)", "drop --header-row")
    assert not (tmp_path / "out").exists()
