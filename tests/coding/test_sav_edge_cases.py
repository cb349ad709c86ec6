"""SPSS .sav edge cases: string user-missing codes, dates, legacy encodings, names renamed for SPSS by the
coding columns, long strings; and Parquet input whose respondent id is the stored index."""

import datetime as dt
import re
import struct

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import TableReadError, read_table, write_table


def _code(*args):
    return CliRunner().invoke(app, ["code", *map(str, args)])


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_sav_with_string_user_missing_codes_is_read_and_written_back(tmp_path):
    """SPSS lets a string variable declare missing codes ('NA', '99'): reading it must not try float('NA')."""
    src = tmp_path / "in.sav"
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "kommentar": ["Køen er lang", "NA", "99"], "likert": [1.0, 9.0, np.nan]})
    pyreadstat.write_sav(df, str(src), missing_ranges={"kommentar": ["NA", "99"], "likert": [{"lo": 8.0, "hi": 9.0}]})
    got = read_table(src, text_cols=["kommentar"])
    assert got["kommentar"].tolist() == ["Køen er lang", "NA", "99"]
    assert got.attrs["missing_codes"]["likert"] == [8, 9]
    assert got.attrs["missing_codes"]["kommentar"] == ["99", "NA"]
    write_table(got, tmp_path / "o.sav")
    _, meta = pyreadstat.read_sav(str(tmp_path / "o.sav"), user_missing=True)
    assert meta.missing_ranges["kommentar"] == [{"lo": "NA", "hi": "NA"}, {"lo": "99", "hi": "99"}]
    assert meta.missing_ranges["likert"] == [{"lo": 8.0, "hi": 9.0}]


def test_sav_dates_and_times_stay_dates_in_sav_output(tmp_path):
    src = tmp_path / "in.sav"
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "dato": [dt.date(2024, 1, 5), None, dt.date(2023, 12, 31)],
                       "tid": [dt.time(10, 30), dt.time(8, 0), None],
                       "ts": [dt.datetime(2024, 1, 5, 10, 30), pd.NaT, dt.datetime(2024, 1, 6)]})
    pyreadstat.write_sav(df, str(src))
    write_table(read_table(src), tmp_path / "o.sav")
    back, meta = pyreadstat.read_sav(str(tmp_path / "o.sav"))
    assert meta.original_variable_types["dato"].startswith("DATE")
    assert meta.original_variable_types["tid"].startswith("TIME")
    assert meta.original_variable_types["ts"].startswith("DATETIME")
    assert back["dato"].tolist()[0] == dt.date(2024, 1, 5) and pd.isna(back["dato"].tolist()[1])
    assert back["tid"].tolist()[:2] == [dt.time(10, 30), dt.time(8, 0)]


def _mislabelled_sav(tmp_path):
    """A .sav that declares UTF-8 but holds cp1252 bytes (an old tool's export)."""
    good = tmp_path / "good.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1.0, 2.0], "kommentar": ["Kxxen er lang", "Tromsxx"]}), str(good))
    raw = good.read_bytes()
    assert raw.count(b"UTF-8") == 1
    bad = tmp_path / "legacy.sav"
    bad.write_bytes(raw.replace(b"Kxxen", "Køen ".encode("cp1252")).replace(b"Tromsxx", "Tromsø ".encode("cp1252")))
    return bad


def test_sav_with_text_not_in_its_declared_encoding_can_be_read_with_an_encoding(tmp_path):
    bad = _mislabelled_sav(tmp_path)
    with pytest.raises(TableReadError, match=r"legacy\.sav.*pass the right encoding"):
        read_table(bad)
    got = read_table(bad, encoding="cp1252")
    assert [t.strip() for t in got["kommentar"]] == ["Køen  er lang", "Tromsø"]


def test_sav_in_a_declared_legacy_encoding_is_decoded(tmp_path):
    """Old SPSS files name their code page (here windows-1252 in the encoding record): read as UTF-8 text."""
    raw = _mislabelled_sav(tmp_path).read_bytes()
    i = raw.find(struct.pack("<iiii", 7, 20, 1, 5) + b"UTF-8")
    assert i > 0
    fixed = tmp_path / "cp1252.sav"
    fixed.write_bytes(raw[:i] + struct.pack("<iiii", 7, 20, 1, 12) + b"windows-1252" + raw[i + 21:])
    assert [t.strip() for t in read_table(fixed)["kommentar"]] == ["Køen  er lang", "Tromsø"]


def test_sav_output_note_names_the_columns_renamed_because_of_the_coding_columns(tmp_path, cb, fake_e5):
    """SPSS names are case-insensitive: an input column 'Type' makes the coding column 'type' → type_2; the note
    must say so (it was computed from the input columns only and did not)."""
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "Type": ["a", "b"], "theme ko": ["x", "y"],
                  "kommentar": ["Køen er lang", "Maten er dyr"]}).to_csv(src, index=False)
    out = tmp_path / "o.sav"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    back, meta = pyreadstat.read_sav(str(out))
    assert {"Type", "type_2", "theme_ko", "theme_ko_2"} <= set(back.columns)
    msg = _flat(res.output)
    assert "'type' → type_2" in msg and "'theme ko' → theme_ko_2" in msg, msg
    assert "'theme ko' → theme_ko " not in msg
    assert meta.column_names_to_labels["type_2"] == "Type kommentar"


def test_sav_long_strings_and_dotted_names_round_trip_through_code(tmp_path, cb, fake_e5):
    src = tmp_path / "in.sav"
    long = ("Køen er lang. " * 2000).strip()  # 28,000 bytes: a very long string variable (SPSS pads with spaces)
    df = pd.DataFrame({"id": ["a", "b"], "Q1.a": [1.0, 2.0], "kommentar": [long, "Maten er dyr"]})
    pyreadstat.write_sav(df, str(src), column_labels={"Q1.a": "Spørsmål 1a"})
    out = tmp_path / "o.sav"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out, "--keep-raw-text")
    assert res.exit_code == 0, res.output
    back, meta = pyreadstat.read_sav(str(out))
    assert back["kommentar"].tolist() == [long, "Maten er dyr"]
    assert meta.column_names_to_labels["Q1.a"] == "Spørsmål 1a"


def test_parquet_named_index_is_kept_as_a_column(tmp_path, cb, fake_e5):
    """A frame saved with its respondent id as the index (df.set_index('resp').to_parquet()) keeps that column."""
    src = tmp_path / "in.parquet"
    pd.DataFrame({"kommentar": ["Køen er lang", "Maten er dyr"]},
                 index=pd.Index(["R1", "R2"], name="resp")).to_parquet(src)
    assert read_table(src).columns.tolist() == ["resp", "kommentar"]
    out = tmp_path / "o.csv"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out)["resp"].tolist() == ["R1", "R2"]
    plain = tmp_path / "plain.parquet"  # an unnamed index (row numbers) is not data
    pd.DataFrame({"kommentar": ["a", "b"]}, index=[10, 11]).to_parquet(plain)
    assert read_table(plain).columns.tolist() == ["kommentar"]


@pytest.mark.parametrize("ext", ["sav", "xlsx"])
def test_input_without_rows_is_coded_to_sav_and_xlsx(tmp_path, cb, fake_e5, ext):
    """An empty table with text-typed columns (a Parquet/.sav export of no respondents) gives an empty output,
    not 'invalid literal for int()' from the cell-length check."""
    src = tmp_path / "in.parquet"
    pd.DataFrame({"id": pd.Series([], dtype="str"), "kommentar": pd.Series([], dtype="str")}).to_parquet(src)
    out = tmp_path / f"o.{ext}"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    back = read_table(out)
    assert len(back) == 0 and {"id", "kommentar", "themes"} <= set(back.columns)
