import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.preprocess import OUTPUT_COLUMNS


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "respondent_id": ["A3", "A1", "A2", "A4"],
            "wave": [2023, 2023, 2023, 2023],
            "fritekst": ["Ring meg på 912 34 567", None, "vet ikke", "Telefonkøen er altfor lang"],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_clean_round_trip(tmp_path, table, suffix, resources):
    src = tmp_path / f"in{suffix}"
    out = tmp_path / f"out{suffix}"
    if suffix == ".csv":
        table.to_csv(src, index=False)
    else:
        table.to_excel(src, index=False)
    result = CliRunner().invoke(app, ["clean", str(src), "--text-col", "fritekst", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
    assert list(got.columns) == ["respondent_id", "wave", "fritekst", *OUTPUT_COLUMNS]
    assert got["respondent_id"].tolist() == ["A3", "A1", "A2", "A4"]
    assert got["pii_telefon"].tolist() == [1, 0, 0, 0]
    assert got["is_non_answer"].tolist() == [0, 1, 1, 0]
    assert "[TELEFON]" in got.loc[0, "text_clean"]


def test_clean_missing_column(tmp_path, table):
    src = tmp_path / "in.csv"
    table.to_csv(src, index=False)
    result = CliRunner().invoke(app, ["clean", str(src), "--text-col", "nope", "--out", str(tmp_path / "o.csv")])
    assert result.exit_code != 0 and "nope" in result.output
