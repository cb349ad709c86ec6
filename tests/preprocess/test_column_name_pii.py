"""Column names and .sav variable labels holding personal data are masked in what clean/code write, with a
note that counts them (never names them); ordinary headers are untouched."""

import re

import pandas as pd
import pyreadstat
from typer.testing import CliRunner

from textmine.classify.table import mask_column_names, masked_column_names
from textmine.cli import app

FNR = "01019010046"  # synthetic, valid mod-11
PII_HEADER = f"Kari Nordmann {FNR}"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_masked_column_names_masks_only_personal_headers_and_keeps_them_distinct():
    names = masked_column_names(["id", "fylke", PII_HEADER, f"Ola Hansen {FNR}", "fritekst"], skip=["fritekst"])
    assert set(names) == {PII_HEADER, f"Ola Hansen {FNR}"}
    assert all(FNR not in v and "Kari" not in v and "Hansen" not in v for v in names.values())
    assert len(set(names.values())) == 2  # two headers masking to the same text stay two columns
    assert masked_column_names(["id", "Fornøyd med NAV (1-6)", "sektor"]) == {}


def test_mask_column_names_renames_per_column_attrs_and_masks_variable_labels():
    df = pd.DataFrame({"id": [1], PII_HEADER: ["x"], "q1": [3]})
    df.attrs = {"value_labels": {PII_HEADER: {1: "ja"}, "q1": {3: "tre"}},
                "column_labels": {PII_HEADER: "kolonne", "q1": "Spørsmål til Kari Nordmann", "id": "Løpenummer"}}
    out, n = mask_column_names(df)
    new = [c for c in out.columns if c not in ("id", "q1")][0]
    assert FNR not in new and "Kari" not in new
    assert out.attrs["value_labels"] == {new: {1: "ja"}, "q1": {3: "tre"}}
    assert "Kari" not in out.attrs["column_labels"]["q1"] and out.attrs["column_labels"]["id"] == "Løpenummer"
    assert n == 2  # one name, one other column's label
    assert list(df.columns) == ["id", PII_HEADER, "q1"] and "Kari" in df.attrs["column_labels"]["q1"]  # unchanged


def test_clean_masks_a_personal_header_in_csv_and_sav(tmp_path, resources):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b"], "fritekst": ["Telefonkøen er lang", "Bra hjelp"],
                  PII_HEADER: ["ok", "ok"]}).to_csv(src, index=False)
    for suffix in ("csv", "sav"):
        out = tmp_path / f"o.{suffix}"
        res = CliRunner().invoke(app, ["clean", str(src), "--text-col", "fritekst", "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert "1 column had a name" in _flat(res.output) and FNR not in res.output and "Kari" not in res.output
        raw = out.read_bytes()
        assert FNR.encode() not in raw and b"Kari" not in raw and b"Nordmann" not in raw
        df = pyreadstat.read_sav(str(out))[0] if suffix == "sav" else pd.read_csv(out, dtype=str)
        assert "fritekst" in df.columns and "id" in df.columns and len(df.columns) > 3


def test_value_labels_of_other_columns_are_masked_in_the_sav(tmp_path, resources):
    src = tmp_path / "in.sav"
    df = pd.DataFrame({"id": [1.0, 2.0], "fritekst": ["Telefonkøen er lang", "Bra hjelp"], "kontor": [1.0, 2.0]})
    pyreadstat.write_sav(df, str(src), variable_value_labels={"kontor": {1.0: "Saksbehandler Kari Nordmann",
                                                                         2.0: "Bergen"}})
    out = tmp_path / "o.sav"
    res = CliRunner().invoke(app, ["clean", str(src), "--text-col", "fritekst", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert b"Kari" not in out.read_bytes() and b"Nordmann" not in out.read_bytes()
    labels = pyreadstat.read_sav(str(out))[1].variable_value_labels["kontor"]
    assert labels[2.0] == "Bergen" and "Kari" not in labels[1.0]
