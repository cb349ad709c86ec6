"""A column name holding personal data inside an id («ola_nordmann_91234567», «q_per_hansen_15038512363»: the
redaction finds no name inside an id) is masked whole in what clean/code write; ordinary columns (every column of
the sample and eval files) keep their names."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify.table import HIDDEN_COLUMN_NAME, masked_column_names
from textmine.cli import app

DATA = Path(__file__).resolve().parents[2] / "data"
PERSONAL = ("ola_nordmann_91234567", "q_per_hansen_15038512363", "kariNordmann15038512363", "Anne_Lise")
LEAKS = ("nordmann", "hansen", "91234567", "15038512363", "anne", "lise")


def _shipped_columns() -> list[str]:
    files = [*sorted((DATA / "sample").glob("*.csv")), *sorted((DATA / "eval").glob("*.csv"))]
    assert files
    return sorted({str(c) for f in files for c in pd.read_csv(f, nrows=0).columns})


def test_ids_holding_personal_data_are_masked_whole_and_kept_apart():
    names = masked_column_names(["respondent_id", *PERSONAL, "fritekst_generell"])
    assert set(names) == set(PERSONAL)
    shown = list(names.values())
    assert shown[0] == HIDDEN_COLUMN_NAME and len(set(shown)) == len(PERSONAL)  # " (2)", " (3)" … apart
    assert not any(leak in v.casefold() for v in shown for leak in LEAKS)


def test_a_name_with_spaces_is_still_masked_by_its_parts():
    header = "Kari Nordmann 15038512363"
    assert masked_column_names([header]) == {header: "[NAVN] [FØDSELSNUMMER]"}


@pytest.mark.parametrize("extra", [["fritekst_generell", "q_helhet", "sektor", "fylke", "kommune", "vekt",
                                    "respondent_id", "dato_20240115", "svar_2023", "spm_3.b-2", "fornøydMedLeder",
                                    "Fornøyd med NAV (1-6)"]])
def test_ordinary_columns_keep_their_names(extra):
    columns = [*_shipped_columns(), *extra]
    assert len(columns) > 30
    assert masked_column_names(columns) == {}


def test_clean_writes_no_personal_id_column_name(tmp_path, resources):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"id": ["a", "b"], "fritekst": ["Telefonkøen er lang", "Bra hjelp"], "sektor": ["x", "y"],
                  "ola_nordmann_91234567": ["ok", "ok"]}).to_csv(src, index=False)
    res = CliRunner().invoke(app, ["clean", str(src), "--text-col", "fritekst", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "nordmann" not in res.output.casefold() and "91234567" not in res.output
    raw = out.read_text(encoding="utf-8")
    assert "nordmann" not in raw.casefold() and "91234567" not in raw
    assert {"id", "fritekst", "sektor", HIDDEN_COLUMN_NAME} <= set(pd.read_csv(out, nrows=0).columns)
