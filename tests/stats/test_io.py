"""Importers: encodings, delimiters, decimal comma, Excel sheets, SPSS value labels/missing codes, Parquet,
and error messages that name file, row and column."""

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from textmine.io import TableReadError, detect_csv_format, read_table, write_table

ROWS = [
    ("rid", "sektor", "fylke", "w", "q1", "q2"),
    ("A1", "P", "Oslo", "1,25", "4", "7"),
    ("A2", "O", "Vestland", "0,75", "6", ""),
    ("A3", "P", "Tromsø og Ålesund", "1,0", "2", "3"),
]


def _write(path, rows, *, sep=",", encoding="utf-8", bom=False):
    text = "\n".join(sep.join(r) for r in rows) + "\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_semicolon_decimal_comma_cp1252(tmp_path):
    p = _write(tmp_path / "s.csv", ROWS, sep=";", encoding="cp1252")
    df = read_table(p)
    assert df.attrs["encoding"] == "cp1252" and df.attrs["delimiter"] == ";" and df.attrs["decimal"] == ","
    assert df["w"].tolist() == [1.25, 0.75, 1.0]
    assert df.loc[2, "fylke"] == "Tromsø og Ålesund"
    assert df["q1"].tolist() == [4, 6, 2] and pd.isna(df.loc[1, "q2"])
    assert str(df["q2"].dtype) == "Int64"  # integers with a blank stay integers (not 4.0)


def test_utf8_bom_and_comma(tmp_path):
    rows = [r[:3] for r in ROWS]
    p = _write(tmp_path / "b.csv", rows, bom=True)
    df = read_table(p)
    assert list(df.columns) == ["rid", "sektor", "fylke"]  # BOM not glued to the first name
    assert df.attrs["encoding"] == "utf-8-sig" and df.loc[2, "fylke"] == "Tromsø og Ålesund"
    assert detect_csv_format("a\tb\tc\n1\t2,5\t3\n") == {"delimiter": "\t", "decimal": ","}


def test_ragged_row_error_names_file_row_column(tmp_path):
    rows = ROWS[:2] + [("A2", "O", "Vestland", "0,75")] + ROWS[3:]
    p = _write(tmp_path / "ragged.csv", rows, sep=";")
    with pytest.raises(TableReadError) as e:
        read_table(p)
    msg = str(e.value)
    assert "ragged.csv" in msg and "row 3" in msg and "column q1" in msg and "expected 6 fields" in msg
    assert e.value.row == 3 and e.value.column == "q1"


def test_mixed_encoding_error_names_row_and_column(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes("rid,fylke\nA1,Tromsø\n".encode("utf-8") + "A2,Bodø\n".encode("cp1252"))
    with pytest.raises(TableReadError) as e:
        read_table(p)
    assert e.value.row == 3 and e.value.column == "fylke" and "mixed.csv" in str(e.value)
    p2 = _write(tmp_path / "latin.csv", [("rid", "fylke"), ("A1", "Bodø")], encoding="cp1252")
    with pytest.raises(TableReadError, match=r"row 2.*not valid utf-8"):
        read_table(p2, encoding="utf-8")


def test_header_problems(tmp_path):
    with pytest.raises(TableReadError, match="duplicate column name"):
        read_table(_write(tmp_path / "d.csv", [("a", "b", "a"), ("1", "2", "3")]))
    with pytest.raises(TableReadError, match="empty"):
        read_table(tmp_path.joinpath("e.csv")) if False else read_table(_write(tmp_path / "e.csv", [("",)]))
    with pytest.raises(TableReadError, match="file not found"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(TableReadError, match="unsupported"):
        read_table(_write(tmp_path / "x.doc", [("a",)]))


def test_survey_checks_duplicate_ids_unknown_columns_and_codes(tmp_path, make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    dup = ROWS[:3] + [("A1",) + ROWS[3][1:]]
    with pytest.raises(TableReadError) as e:
        read_table(_write(tmp_path / "dup.csv", dup, sep=";"), survey=survey)
    assert "rows 2, 4" in str(e.value) and "column rid" in str(e.value) and "dup.csv" in str(e.value)
    assert "A1" not in str(e.value)  # rows, not the id values (an id may be a fødselsnummer)
    extra = [r + (x,) for r, x in zip(ROWS, ("ekstra", "1", "2", "3"))]
    with pytest.raises(TableReadError, match=r"unknown column\(s\) ekstra"):
        read_table(_write(tmp_path / "extra.csv", extra, sep=";"), survey=survey)
    missing = [r[:5] for r in ROWS]
    with pytest.raises(TableReadError, match=r"q2 declared in the survey definition are missing"):
        read_table(_write(tmp_path / "miss.csv", missing, sep=";"), survey=survey)
    bad = ROWS[:2] + [("A2", "O", "Vestland", "0,75", "9", "")] + ROWS[3:]
    with pytest.raises(TableReadError) as e:
        read_table(_write(tmp_path / "code.csv", bad, sep=";"), survey=survey)
    assert "row 3" in str(e.value) and "column q1" in str(e.value) and "expected a code on the scale" in str(e.value)
    ok = read_table(_write(tmp_path / "ok.csv", ROWS, sep=";"), survey=survey)
    assert ok["rid"].tolist() == ["A1", "A2", "A3"]


def test_xlsx_first_and_named_sheet(tmp_path):
    p = tmp_path / "w.xlsx"
    a = pd.DataFrame({"rid": ["A1", "A2"], "q1": [4, 5], "fylke": ["Oslo", "Agder"]})
    b = pd.DataFrame({"rid": ["B1"], "q1": [1.5]})
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        a.to_excel(xw, sheet_name="2023", index=False)
        b.to_excel(xw, sheet_name="2022", index=False)
    first = read_table(p)
    assert first["rid"].tolist() == ["A1", "A2"] and first["q1"].tolist() == [4, 5]
    named = read_table(p, sheet="2022")
    assert named["q1"].tolist() == [1.5]
    with pytest.raises(TableReadError, match=r"no sheet named 'x' \(sheets: 2023, 2022\)"):
        read_table(p, sheet="x")


def test_sav_round_trip_with_value_labels_and_missing_codes(tmp_path, make_tiny_definition):
    df = pd.DataFrame(
        {
            "rid": ["A1", "A2", "A3", "A4"],
            "sektor": [1.0, 2.0, 1.0, 1.0],
            "fylke": ["Oslo", "Vestland", "Oslo", "Oslo"],
            "w": [1.0, 1.0, 0.5, 1.5],
            "q1": [4.0, 7.0, 2.0, 6.0],
            "q2": [1.0, 3.0, 8.0, np.nan],
        }
    )
    p = tmp_path / "s.sav"
    pyreadstat.write_sav(
        df,
        str(p),
        variable_value_labels={"sektor": {1.0: "P", 2.0: "O"}, "q1": {1.0: "Svært misfornøyd", 6.0: "Svært fornøyd", 7.0: "Vet ikke"}},
        missing_ranges={"q1": [7.0], "q2": [{"lo": 7.0, "hi": 8.0}]},
        column_labels=["Id", "Sektor", "Fylke", "Vekt", "Helhet", "Telefon"],
    )
    raw = read_table(p)
    assert raw["q1"].tolist()[:3] == [4, 7, 2]  # user-missing "vet ikke" kept as a code, not turned into NaN
    assert raw.attrs["value_labels"]["q1"][7] == "Vet ikke"
    assert raw.attrs["missing_codes"]["q1"] == [7] and raw.attrs["missing_codes"]["q2"] == [7, 8]
    assert raw.attrs["column_labels"]["q1"] == "Helhet"
    survey = make_tiny_definition(free_text=[], drivers={}, excluded_codes={7: "Vet ikke", 8: "Ikke benyttet"})
    df2 = read_table(p, survey=survey)
    assert df2["sektor"].tolist() == ["P", "O", "P", "P"]  # segment labels applied
    assert df2["q1"].tolist()[:2] == [4, 7]  # indicator codes untouched
    from textmine.summary import build_summary

    strict = make_tiny_definition(free_text=[], drivers={}, excluded_codes={7: "Vet ikke"})  # 8 not named here…
    df3 = read_table(p, survey=strict)  # …but declared missing in the .sav → missing, with a note
    assert np.isnan(df3.loc[2, "q2"]) and any("SPSS missing code(s) [8]" in w for w in df3.attrs["warnings"])
    s = build_summary({2024: df2}, survey)
    ind = s.table("indicators").set_index(["indicator", "segment", "value"])
    row = ind.loc[("helhet", "Totalt", "Alle")]
    assert row["n"] == 3 and row["n_excluded"] == 1 and row["count"] == 2  # 7 left the base


def test_parquet_and_write_table_round_trip(tmp_path):
    df = pd.DataFrame({"rid": ["A1", "A2"], "q1": [4, 6], "txt": ["Tromsø", None]})
    for ext in ("parquet", "csv", "xlsx"):
        p = write_table(df, tmp_path / f"t.{ext}")
        back = read_table(p)
        assert back["rid"].tolist() == ["A1", "A2"] and back["q1"].tolist() == [4, 6]
        assert back.loc[0, "txt"] == "Tromsø" and pd.isna(back.loc[1, "txt"])


def test_sample_waves_read_and_validate(sample_survey, sample_data):
    frames, *_ = sample_data
    for w, df in frames.items():
        assert len(df) > 2500 and df["respondent_id"].is_unique and (df["wave"] == w).all()
        assert df["vekt"].dtype.kind == "f" and abs(df["vekt"].mean() - 1) < 0.01


def test_utf16_tab_separated_text_from_excel_is_read(tmp_path):
    """Excel's "Unicode Text" save: UTF-16 with a BOM, tab-separated."""
    from textmine.io import read_table, sniff_csv

    df = pd.DataFrame({"id": ["R1", "R2"], "text": ["Ventetida er for lang", "Bra hjelp frå NAV, æøå"],
                       "themes": ["telefon", "ros"]})
    for enc in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{enc}.txt.csv"
        body = df.to_csv(sep="\t", index=False)
        path.write_bytes((b"\xfe\xff" if enc == "utf-16-be" else b"") + body.encode(enc))
        got = read_table(path)
        assert got.astype(str).equals(df), got
        assert sniff_csv(path)["encoding"] == "utf-16" and sniff_csv(path)["delimiter"] == "\t"
